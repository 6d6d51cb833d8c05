"""Bad input never creates a ticket and never answers 500: a clear JSON error with the right 4xx."""
from __future__ import annotations

import json

import pytest

from tests.dispatch.helpers import event, ticket_count

VALID = event()


def with_location(**changes) -> dict:
    body = event()
    body["location"] = {**body["location"], **changes}
    return body


def without(key: str) -> dict:
    body = event()
    del body[key]
    return body


def raw(text: str) -> bytes:
    return text.encode()


AS_INSPECTOR = "inspector"

# (body: dict → sent as JSON, bytes → sent as is), who sends it, extra headers, status, error code
CASES = [
    # a truncated body (the phone lost the network mid-upload)
    pytest.param(raw('{"category": "exposed_garbage", "loc'), AS_INSPECTOR, {}, 400, "invalid_json", id="malformed-json"),
    # no body at all
    pytest.param(b"", AS_INSPECTOR, {}, 400, "invalid_json", id="empty-body"),
    # a JSON array of reports: one report per request
    pytest.param([VALID], AS_INSPECTOR, {}, 400, "invalid_json", id="json-array"),
    # JSON null and a bare string are not objects either
    pytest.param(raw("null"), AS_INSPECTOR, {}, 400, "invalid_json", id="json-null"),
    pytest.param(raw('"垃圾"'), AS_INSPECTOR, {}, 400, "invalid_json", id="json-string"),
    # bytes that are not UTF-8 text
    pytest.param(b"\xff\xfe\x00", AS_INSPECTOR, {}, 400, "invalid_json", id="not-utf8"),
    # each required field missing
    pytest.param(without("category"), AS_INSPECTOR, {}, 422, "validation_error", id="missing-category"),
    pytest.param(without("location"), AS_INSPECTOR, {}, 422, "validation_error", id="missing-location"),
    pytest.param(without("description"), AS_INSPECTOR, {}, 422, "validation_error", id="missing-description"),
    pytest.param({**event(), "location": {"lng": 121.43}}, AS_INSPECTOR, {}, 422, "validation_error",
                 id="missing-lat"),
    # wrong types are refused, not coerced: "121.43" as a string, true as a number, 6010 as a category
    pytest.param(with_location(lng="121.43"), AS_INSPECTOR, {}, 422, "validation_error", id="lng-as-string"),
    pytest.param(with_location(lat=True), AS_INSPECTOR, {}, 422, "validation_error", id="lat-as-bool"),
    pytest.param({**event(), "category": 6010}, AS_INSPECTOR, {}, 422, "validation_error", id="category-as-number"),
    pytest.param({**event(), "location": "121.43,31.25"}, AS_INSPECTOR, {}, 422, "validation_error",
                 id="location-as-string"),
    pytest.param({**event(), "description": ["a", "b"]}, AS_INSPECTOR, {}, 422, "validation_error",
                 id="description-as-list"),
    # a category the street does not have
    pytest.param({**event(), "category": "ufo_sighting"}, AS_INSPECTOR, {}, 422, "unknown_category",
                 id="unknown-category"),
    # a coordinate system we cannot convert (web mercator metres)
    pytest.param(with_location(crs="epsg3857"), AS_INSPECTOR, {}, 422, "validation_error", id="unknown-crs"),
    # coordinates off the globe
    pytest.param(with_location(lat=91.0), AS_INSPECTOR, {}, 422, "validation_error", id="lat-over-90"),
    pytest.param(with_location(lat=-90.5), AS_INSPECTOR, {}, 422, "validation_error", id="lat-under-minus-90"),
    pytest.param(with_location(lng=181.0), AS_INSPECTOR, {}, 422, "validation_error", id="lng-over-180"),
    pytest.param(with_location(lng=-180.5), AS_INSPECTOR, {}, 422, "validation_error", id="lng-under-minus-180"),
    # BD-09 within its range whose WGS-84 conversion falls off the globe (lat -90.0055, lng -180.0068)
    pytest.param(with_location(lng=-180.0, lat=-90.0, crs="bd09"), AS_INSPECTOR, {}, 422, "validation_error",
                 id="bd09-off-the-globe-after-conversion"),
    pytest.param(with_location(lng=-180.0, lat=0.0, crs="bd09"), AS_INSPECTOR, {}, 422, "validation_error",
                 id="bd09-west-of-the-antimeridian-after-conversion"),
    # NaN / Infinity (JavaScript's JSON.stringify never sends them, a buggy client might)
    pytest.param(raw('{"category": "exposed_garbage", "description": "x", "location": {"lng": NaN, "lat": 31.25}}'),
                 AS_INSPECTOR, {}, 422, "validation_error", id="nan"),
    pytest.param(raw('{"category": "exposed_garbage", "description": "x", "location": {"lng": 121.43, "lat": Infinity}}'),
                 AS_INSPECTOR, {}, 422, "validation_error", id="infinity"),
    pytest.param(raw('{"category": "exposed_garbage", "description": "x", "location": {"lng": -Infinity, "lat": 31.25}}'),
                 AS_INSPECTOR, {}, 422, "validation_error", id="minus-infinity"),
    # an occurred_at without a UTC offset is ambiguous
    pytest.param({**event(), "occurred_at": "2026-11-25T09:00:00"}, AS_INSPECTOR, {}, 422, "validation_error",
                 id="naive-occurred-at"),
    pytest.param({**event(), "occurred_at": "yesterday"}, AS_INSPECTOR, {}, 422, "validation_error",
                 id="garbage-occurred-at"),
    # a date-time at the very end of the calendar that has no UTC form
    pytest.param({**event(), "occurred_at": "0001-01-01T00:00:00+08:00"}, AS_INSPECTOR, {}, 422,
                 "validation_error", id="occurred-at-out-of-range"),
    # a description over the street's 4,000-character limit
    pytest.param({**event(), "description": "垃" * 4001}, AS_INSPECTOR, {}, 422, "validation_error",
                 id="description-4001"),
    # an empty or blank description says nothing
    pytest.param({**event(), "description": ""}, AS_INSPECTOR, {}, 422, "validation_error", id="description-empty"),
    pytest.param({**event(), "description": "  \n "}, AS_INSPECTOR, {}, 422, "validation_error",
                 id="description-blank"),
    # invisible characters are blank too: zero-width space, ZWNJ, ZWJ, word joiner, BOM, ideographic space
    pytest.param({**event(), "description": "\u200b\u200c\u200d\u2060\ufeff\u3000 "}, AS_INSPECTOR, {}, 422,
                 "validation_error", id="description-zero-width"),
    # a field we do not know (a typo would otherwise be silently dropped)
    pytest.param({**event(), "priority": "high"}, AS_INSPECTOR, {}, 422, "validation_error", id="extra-field"),
    pytest.param(with_location(alt=12.0), AS_INSPECTOR, {}, 422, "validation_error", id="extra-location-field"),
    # credentials: none, a wrong token, the wrong scheme, a scheme without token
    pytest.param(VALID, None, {}, 401, "unauthorized", id="no-token"),
    pytest.param(VALID, None, {"Authorization": "Bearer yc_not-a-real-token"}, 401, "unauthorized", id="bad-token"),
    pytest.param(VALID, None, {"Authorization": "Basic dXNlcjpwYXNz"}, 401, "unauthorized", id="wrong-scheme"),
    pytest.param(VALID, None, {"Authorization": "Bearer"}, 401, "unauthorized", id="bearer-without-token"),
    # a department handles tickets, it does not report events
    pytest.param(VALID, "department", {}, 403, "forbidden", id="department-reports"),
    # Idempotency-Key: blank, or longer than 200 characters
    pytest.param(VALID, AS_INSPECTOR, {"Idempotency-Key": "   "}, 400, "invalid_idempotency_key", id="blank-key"),
    pytest.param(VALID, AS_INSPECTOR, {"Idempotency-Key": "k" * 201}, 400, "invalid_idempotency_key",
                 id="long-key"),
    # … and only printable ASCII, no space at either end (what the OpenAPI document's pattern says)
    pytest.param(VALID, AS_INSPECTOR, {"Idempotency-Key": "clé-1"}, 400, "invalid_idempotency_key",
                 id="non-ascii-key"),
    pytest.param(VALID, AS_INSPECTOR, {"Idempotency-Key": "k\x7f1"}, 400, "invalid_idempotency_key",
                 id="control-character-key"),
    pytest.param(VALID, AS_INSPECTOR, {"Idempotency-Key": " k1"}, 400, "invalid_idempotency_key",
                 id="key-with-leading-space"),
]


@pytest.fixture
def senders(inspector, make_user):
    return {AS_INSPECTOR: inspector, "department": make_user("cg", "department", department="chengguan")[1],
            None: {}}


@pytest.mark.parametrize("body, who, headers, status, code", CASES)
def test_bad_report_is_refused_and_creates_nothing(client, command, senders, body, who, headers, status, code):
    data = body if isinstance(body, bytes) else json.dumps(body)
    response = client.post("/api/v1/events", data=data, content_type="application/json",
                           headers={**senders[who], **headers})
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert ticket_count(client, command) == 0


def test_a_body_beyond_the_request_limit_is_413(app, client, inspector, command):
    # 12 MB sent to /events (the limit is photo_max_bytes + 1 MiB = 11 MiB): refused before it is read.
    assert app.config["MAX_CONTENT_LENGTH"] == 11 * 1024 * 1024
    response = client.post("/api/v1/events", data=b" " * (12 * 1024 * 1024), content_type="application/json",
                           headers=inspector)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert ticket_count(client, command) == 0


def test_validation_errors_name_the_field(client, inspector):
    # The phone can show which field is wrong.
    response = client.post("/api/v1/events", json=with_location(lat="31.25"), headers=inspector)
    error = response.get_json()["error"]
    assert error["message"].startswith("location.lat")
    assert error["details"][0]["field"] == "location.lat"


def test_description_of_exactly_4000_characters_is_accepted(client, inspector):
    # The limit is inclusive: 4,000 characters are fine.
    response = client.post("/api/v1/events", json={**event(), "description": "垃" * 4000}, headers=inspector)
    assert response.status_code == 201
    assert len(response.get_json()["ticket"]["description"]) == 4000


def test_integer_coordinates_are_numbers_too(client, inspector, command):
    # JSON has one number type: 121 / 31 (no decimals) are accepted as coordinates (out of area here).
    response = client.post("/api/v1/events", json=event(at=(121, 31)), headers=inspector)
    assert response.status_code == 201
    assert response.get_json()["ticket"]["zone"] is None


# --- ticket list filters --------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "status=open",                     # not a status (the statuses are pending_dispatch, dispatched, ...)
    "status=dispatched,bogus",         # one bad value among good ones
    "zone=putuo",                      # not one of our zones
    "department=fire_brigade",         # not one of our departments
    "category=ufo_sighting",           # not one of our categories
    "limit=0",                         # a page of nothing
    "limit=501",                       # over the maximum page
    "limit=abc",                       # not a number
    "offset=-1",                       # negative offset
    "created_from=garbage",            # not a date-time
    "created_to=2026-13-01",           # no 13th month
    "created_from=0001-01-01",         # the start of the calendar in Shanghai has no UTC form
])
def test_bad_list_filters_are_400(client, command, query):
    response = client.get(f"/api/v1/tickets?{query}", headers=command)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_filter"
    assert response.get_json()["error"]["message"]


@pytest.mark.parametrize("method, path, status, code", [
    # a path that does not exist
    ("GET", "/api/v1/nothing-here", 404, "not_found"),
    # a ticket that does not exist, and an id no database column could hold
    ("GET", "/api/v1/tickets/4242", 404, "not_found"),
    ("GET", "/api/v1/tickets/99999999999999999999999", 404, "not_found"),
    # events are only POSTed; tickets are not created by POST /tickets
    ("GET", "/api/v1/events", 405, "method_not_allowed"),
    ("DELETE", "/api/v1/tickets", 405, "method_not_allowed"),
    ("PUT", "/api/v1/zones", 405, "method_not_allowed"),
])
def test_unknown_routes_and_methods_answer_json(client, command, method, path, status, code):
    response = client.open(path, method=method, headers=command)
    assert response.status_code == status
    assert response.is_json
    assert response.get_json()["error"]["code"] == code


def test_listing_tickets_needs_a_token(client):
    # Nobody reads tickets anonymously.
    response = client.get("/api/v1/tickets")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
