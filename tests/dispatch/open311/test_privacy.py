"""GET requests without an api_key is a public civic map; with one, the /api/v1 role visibility applies.

Public: no description, address, address_id or media_url (null / empty element), lat/long on a ~100 m grid,
and no reports of the categories marked `public = false` (they concern homes). With a key: every field of the
tickets its holder may see (inspector: own reports + zone; department: its tickets; command: all), 404 /
absent for the others. A bad key is a 403.
"""
from __future__ import annotations

import pytest

from tests.dispatch.open311.helpers import (BASE, FORMATS, REQUEST_FIELDS, api_key_of, errors, items, post_request,
                                            report_form)

PRECISE = (121.42937, 31.25518)  # in xiangyi; public: (121.429, 31.255)
COARSE = (121.429, 31.255)
DESCRIPTION = "宜川路 350 弄 12 号 302 室门口堆满垃圾"
ADDRESS = "宜川路 350 弄 12 号 302 室"
MEDIA_URL = "https://example.org/photos/302.jpg"
WITHHELD = ("description", "address", "address_id", "media_url")
SENSITIVE = {"group_rental": "L0003", "residential_to_commercial": "L0005", "three_in_one": "L0004",
             "ebike_indoor_charging": "L0002"}


def report(client, api_key, *, at=PRECISE, **extra) -> str:
    """A report with personal details: a flat in the description and address, a photo, a precise point."""
    form = report_form(api_key, at=at, description=DESCRIPTION, address_string=ADDRESS, media_url=MEDIA_URL)
    response = post_request(client, **{**form, **extra})
    assert response.status_code == 200, response.data
    return response.get_json()[0]["service_request_id"]


def read(client, fmt: str, path: str, key: str | None = None, **query) -> list[dict]:
    """GET requests[/<id>].<fmt> (with api_key when given): the answer's requests, checked to be a 200."""
    if key is not None:
        query["api_key"] = key
    response = client.get(f"{BASE}/{path}.{fmt}", query_string=query)
    assert response.status_code == 200, response.data
    return items(response, fmt, "service_requests", "request")


def point(request: dict) -> tuple[float, float]:
    return float(request["long"]), float(request["lat"])


def empty(value) -> bool:
    return value in (None, "")  # JSON null, or an empty XML element


@pytest.fixture
def reporter_key(api_key) -> str:  # inspector_xy, of the xiangyi zone, who files the reports
    return api_key


@pytest.fixture
def other_zone_key(make_user) -> str:
    return api_key_of(make_user("inspector_jx", "inspector", zone="jiaoxi")[1])


@pytest.mark.parametrize("fmt", FORMATS)
def test_public_view_withholds_details_and_coarsens_the_point(client, reporter_key, fmt):
    number = report(client, reporter_key)
    (detail,) = read(client, fmt, f"requests/{number}")
    (listed,) = read(client, fmt, "requests")
    (by_id,) = read(client, fmt, "requests", service_request_id=number)
    for request in (detail, listed, by_id):
        assert list(request) == REQUEST_FIELDS  # the spec's shape, withheld fields left empty
        assert all(empty(request[name]) for name in WITHHELD)
        assert point(request) == COARSE
        assert request["service_request_id"] == number
        assert (request["status"], request["service_code"], request["service_name"]) == ("open", "06010", "暴露垃圾")
        assert request["status_notes"] == "已派遣，待处置部门签收"
        assert request["agency_responsible"] == "绿化市容所"
        assert request["zipcode"] == "200062"
        assert request["requested_datetime"] and request["expected_datetime"]
    body = client.get(f"{BASE}/requests.{fmt}").get_data(as_text=True)
    for secret in ("302", "350 弄", "photos", str(PRECISE[0]), str(PRECISE[1])):
        assert secret not in body


@pytest.mark.parametrize("fmt", FORMATS)
def test_public_view_of_an_unlocated_report(client, reporter_key, fmt):
    number = report(client, reporter_key, lat="", long="")  # address only: kept without a point
    (request,) = read(client, fmt, f"requests/{number}")
    assert all(empty(request[name]) for name in (*WITHHELD, "lat", "long", "zipcode"))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("slug", sorted(SENSITIVE))
def test_sensitive_categories_are_not_public(client, app, reporter_key, command, fmt, slug):
    config = app.extensions["street_config"]
    assert not config.categories[slug].public
    code = SENSITIVE[slug]
    extra = {"attribute[households]": "6"} if slug == "group_rental" else {}
    number = report(client, reporter_key, service_code=code, **extra)
    ordinary = report(client, reporter_key, at=(121.431, 31.257))

    assert [r["service_request_id"] for r in read(client, fmt, "requests")] == [ordinary]
    assert read(client, fmt, "requests", service_code=code) == []
    assert read(client, fmt, "requests", service_request_id=f"{number},{ordinary}")[0]["service_request_id"] == ordinary
    assert len(read(client, fmt, "requests", service_request_id=number)) == 0
    response = client.get(f"{BASE}/requests/{number}.{fmt}")
    assert response.status_code == 404
    errors(response, fmt)

    for key in (reporter_key, api_key_of(command)):  # still there for those who may see it
        (request,) = read(client, fmt, f"requests/{number}", key)
        assert (request["service_code"], request["description"], request["address"]) == (code, DESCRIPTION, ADDRESS)
        found = read(client, fmt, "requests", key, service_code=code)
        assert [r["service_request_id"] for r in found] == [number]


def test_only_the_home_categories_are_private(app):
    config = app.extensions["street_config"]
    assert {slug for slug, c in config.categories.items() if not c.public} == set(SENSITIVE)


def test_public_defaults_to_true():
    from dispatch.street.schemas import CategoryConfig

    category = CategoryConfig(code="X1", slug="x", name="x", response="1 WH", resolve="1 WD")
    assert category.public is True
    assert CategoryConfig(**{**category.model_dump(), "public": False}).public is False


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_shows_every_field_to_those_who_may_see(client, make_user, reporter_key, command, fmt):
    number = report(client, reporter_key)
    readers = {
        "reporter": reporter_key,
        "command": api_key_of(command),
        "zone colleague": api_key_of(make_user("inspector_xy2", "inspector", zone="xiangyi")[1]),
        "department handling it": api_key_of(make_user("sanitation1", "department", department="sanitation")[1]),
    }
    for who, key in readers.items():
        for request in (read(client, fmt, f"requests/{number}", key)[0],
                        read(client, fmt, "requests", key)[0],
                        read(client, fmt, "requests", key, service_request_id=number)[0]):
            assert list(request) == REQUEST_FIELDS, who
            assert (request["description"], request["address"], request["media_url"]) == (
                DESCRIPTION, ADDRESS, MEDIA_URL), who
            assert point(request) == PRECISE, who


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_hides_what_its_holder_may_not_see(client, make_user, reporter_key, other_zone_key, fmt):
    number = report(client, reporter_key)
    other_department = api_key_of(make_user("housing1", "department", department="housing")[1])
    for key in (other_zone_key, other_department):
        response = client.get(f"{BASE}/requests/{number}.{fmt}", query_string={"api_key": key})
        assert response.status_code == 404
        assert "not found" in errors(response, fmt)[0]["description"]
        assert read(client, fmt, "requests", key) == []
        assert read(client, fmt, "requests", key, service_request_id=number) == []
    # the other zone's inspector still sees their own report, and the public view of the first one
    own = report(client, other_zone_key, at=(121.435, 31.265))  # in jiaoxi
    assert [r["service_request_id"] for r in read(client, fmt, "requests", other_zone_key)] == [own]
    (public,) = read(client, fmt, f"requests/{number}")
    assert empty(public["description"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_bad_key_is_403(client, app, make_user, reporter_key, fmt):
    number = report(client, reporter_key)
    user, headers = make_user("gone", "inspector", zone="xiangyi")
    with app.app_context():  # a disabled user's key stops working
        from dispatch import db
        from dispatch.users.models import User

        session = db.session()
        disabled = session.get(User, user.id)
        disabled.active = False
        session.commit()
    for key in ("not-a-key", api_key_of(headers)):
        for path in (f"requests/{number}", "requests"):
            response = client.get(f"{BASE}/{path}.{fmt}", query_string={"api_key": key})
            assert response.status_code == 403
            assert "invalid api_key" in errors(response, fmt)[0]["description"]
    assert len(read(client, fmt, "requests", api_key="")) == 1  # an empty key counts as absent: public


def test_keyed_answers_are_not_cached_by_shared_caches(client, reporter_key):
    number = report(client, reporter_key)
    keyed = client.get(f"{BASE}/requests/{number}.json", query_string={"api_key": reporter_key})
    assert keyed.headers["Cache-Control"] == "private, no-store"
    assert "no-store" not in client.get(f"{BASE}/requests/{number}.json").headers.get("Cache-Control", "")
