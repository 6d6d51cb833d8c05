"""GET /api/v1/openapi.json is generated from the models, and the live API keeps to it (schemathesis)."""
from __future__ import annotations

import io
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                               response_schema_conformance, status_code_conformance)

from tests.dispatch.lifecycle import act, ticket_in


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# data that breaks the document on purpose must be refused (4xx), not taken
NEGATIVE = [*CHECKS, negative_data_rejection]
ROLES = {"inspector": {"zone": "xiangyi"}, "department": {"department": "sanitation"}, "command": {}, "admin": {}}


def test_document_is_openapi_3_1_with_the_models(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    schemas = doc["components"]["schemas"]
    for name in ("EventCreate", "Location", "TicketPublic", "TicketEnvelope", "TicketsPage", "ErrorBody"):
        assert name in schemas
    bearer = doc["components"]["securitySchemes"]["bearerAuth"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    paths = doc["paths"]
    for path, method in [("/healthz", "get"), ("/api/v1/zones", "get"), ("/api/v1/categories", "get"),
                         ("/api/v1/departments", "get"), ("/api/v1/events", "post"), ("/api/v1/tickets", "get"),
                         ("/api/v1/tickets/{ticket_id}", "get"), ("/api/v1/zones/locate", "get"),
                         ("/api/v1/tickets/{ticket_id}/photos/{photo_id}", "get"), ("/api/v1/stats", "get"),
                         ("/api/v1/stats/trend", "get")]:
        assert method in paths[path], path
    events = paths["/api/v1/events"]["post"]
    assert events["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/EventCreate"}
    assert events["parameters"][0]["name"] == "Idempotency-Key" and events["parameters"][0]["in"] == "header"
    assert events["security"] == [{"bearerAuth": []}]
    assert set(events["responses"]) >= {"200", "201", "400", "401", "422"}
    assert paths["/api/v1/categories"]["get"]["security"] == []
    tickets = {p["name"] for p in paths["/api/v1/tickets"]["get"]["parameters"]}
    assert tickets >= {"status", "zone", "department", "category", "created_from", "created_to", "limit", "offset"}


def test_every_api_route_is_documented(app, client):
    """Each /api/v1 route of the app (but the document itself) has its operation, and nothing else is listed."""
    routes = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/") or rule.rule == "/healthz"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, item in client.get("/api/v1/openapi.json").get_json()["paths"].items()
                  for method in item}
    assert documented == routes - {("/api/v1/openapi.json", "get")}


def test_stats_and_locate_document_their_parameters_and_downloads(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    stats = paths["/api/v1/stats"]["get"]
    params = {p["name"]: p["schema"] for p in stats["parameters"]}
    assert set(params) == {"from", "to", "group_by", "zone", "department", "format"}
    assert params["format"]["enum"] == ["json", "xlsx", "csv"]
    assert params["zone"]["enum"] == ["xiangyi", "zhongyuan", "jiaoxi"]  # the street's zones, from config
    assert set(stats["responses"]["200"]["content"]) == {
        "application/json", "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    assert set(stats["responses"]) == {"200", "400", "401", "403"}
    trend = {p["name"]: p["schema"] for p in paths["/api/v1/stats/trend"]["get"]["parameters"]}
    assert (trend["days"]["minimum"], trend["days"]["maximum"], trend["days"]["default"]) == (1, 366, 30)
    locate = {p["name"]: p for p in paths["/api/v1/zones/locate"]["get"]["parameters"]}
    assert locate["lng"]["required"] and locate["lat"]["required"] and not locate["crs"]["required"]
    photo = paths["/api/v1/tickets/{ticket_id}/photos/{photo_id}"]["get"]["responses"]
    assert set(photo["200"]["content"]) == {"image/jpeg", "image/png", "image/webp"}
    assert set(photo) == {"200", "400", "401", "403", "404"}


def test_ticket_list_parameters_come_from_the_model_that_validates_them(client):
    """Every filter of TicketsQuery is documented with the model's schema; comma lists name the street's codes."""
    from dispatch.tickets.filters import TicketsQuery

    params = {p["name"]: p for p in client.get("/api/v1/openapi.json").get_json()[
        "paths"]["/api/v1/tickets"]["get"]["parameters"]}
    assert list(params) == [field.alias or name for name, field in TicketsQuery.model_fields.items()]
    assert set(params) >= {"status", "zone", "department", "category", "created_from", "created_to", "overdue",
                           "supervised", "mine", "held", "min_escalation_level", "limit", "offset"}
    assert all(p["description"] and not p["required"] for p in params.values())
    # the comma lists: the allowed values, from the street's config, in the description
    assert params["zone"]["description"] == "zone codes, comma-separated: jiaoxi, xiangyi, zhongyuan"
    assert "station_zhongyuan" in params["department"]["description"]
    assert "exposed_garbage" in params["category"]["description"]
    assert "pending_dispatch" in params["status"]["description"]
    # the bounds and defaults the view enforces, and the yes/no spellings it takes
    assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}
    assert params["offset"]["schema"] == {"type": "integer", "minimum": 0, "maximum": 10**9, "default": 0}
    assert params["min_escalation_level"]["schema"] == {"type": "integer", "minimum": 0, "maximum": 9}
    assert params["created_from"]["schema"] == {"type": "string", "format": "date-time"}
    for flag in ("overdue", "supervised", "mine", "held"):
        assert params[flag]["schema"] == {"type": "string", "enum": ["1", "true", "0", "false"]}


def test_stats_figures_model_names_every_figure():
    """The response model lists exactly the figures the formulas compute (else they would be dropped)."""
    from dispatch.stats import service
    from dispatch.stats.schemas import StatsFigures
    from dispatch.street.schemas import EvaluationFile

    computed = service.figures(service._Tally(), evaluation=EvaluationFile())
    assert set(StatsFigures.model_fields) == set(computed)
    assert StatsFigures.model_validate(computed).model_dump() == computed


def test_document_follows_the_models(client):
    """Not hand-written: the schema of a request body is exactly what pydantic says about the model."""
    from dispatch.intake.models import EventCreate
    from dispatch.openapi.registry import REF_TEMPLATE

    doc = client.get("/api/v1/openapi.json").get_json()
    expected = EventCreate.model_json_schema(ref_template=REF_TEMPLATE)
    expected.pop("$defs", None)
    assert doc["components"]["schemas"]["EventCreate"] == expected
    assert set(doc["components"]["schemas"]["EventCreate"]["required"]) == {"category", "location", "description"}


def test_the_description_pattern_refuses_what_the_app_refuses(client):
    """The document's pattern for a report's description is searched (JSON Schema): it matches a text with a character
    that shows, wherever it is, and nothing that the app refuses as blank."""
    from dispatch.text import is_blank

    pattern = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["EventCreate"][
        "properties"]["description"]["pattern"]
    for text in ("垃圾", "  路口垃圾  ", "\u200b a", "a\n\n", " \u200b\u3000 ", "\ufeff\u00ad", "\t\n"):
        assert (re.search(pattern, text) is not None) is (not is_blank(text)), repr(text)


def test_the_document_and_the_app_agree_where_they_used_not_to(client, street):
    # found by attacking the API against its own document: each was a disagreement between the two
    photos = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/tickets/{ticket_id}/photos"]
    assert "409" in photos["post"]["responses"]  # ticket_ended: an ended ticket takes no more photos
    # a 405 says which methods the resource has (RFC 9110)
    response = client.get("/api/v1/events", headers=street.inspector)
    assert response.status_code == 405 and response.headers["Allow"] == "OPTIONS, POST"
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    # JSON Schema's integer includes 3.0: a client that sends the version as a float is not refused
    ticket = ticket_in(street, "dispatched")
    accepted = act(street, street.sanitation, ticket["id"], "accept", version=float(ticket["version"]))["ticket"]
    assert accepted["status"] == "in_progress"
    act(street, street.sanitation, ticket["id"], "start", expect=422, version=2.5)  # not an integer
    act(street, street.sanitation, ticket["id"], "start", expect=422, version=True)  # nor a boolean


def test_an_empty_query_parameter_is_absent_in_the_app_and_in_the_document(client, command):
    """An HTML form sends its blank fields (`created_to=`): the app takes them as absent, the document says so."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    optional = {(path, p["name"]): p for path, item in paths.items() for op in item.values()
                for p in op.get("parameters", ()) if p["in"] == "query" and not p["required"]}
    assert {("/api/v1/tickets", "created_to"), ("/api/v1/zones/locate", "crs"), ("/api/v1/stats", "group_by"),
            ("/api/v1/stats", "format"), ("/api/v1/tickets", "limit")} <= set(optional)
    assert all(p.get("allowEmptyValue") is True for p in optional.values())
    for url in ("/api/v1/tickets?created_from=&created_to=&status=&limit=", "/api/v1/stats?group_by=&format=&from=",
                "/api/v1/stats/trend?days=", "/api/v1/zones/locate?lng=121.4288&lat=31.2551&crs=",
                "/api/v1/committees?zone="):
        response = client.get(url, headers=command)
        assert response.status_code == 200 and response.is_json, (url, response.get_data(as_text=True)[:200])
    # a required one sent empty is missing: 400 naming it
    response = client.get("/api/v1/zones/locate?lng=&lat=31.2551")
    assert response.status_code == 400 and "lng" in response.get_json()["error"]["message"]


def test_idempotency_key_limits_are_documented_as_the_app_enforces_them(client, inspector):
    import re as regex

    header = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/events"]["post"]["parameters"][0]
    schema = header["schema"]
    assert (schema["minLength"], schema["maxLength"]) == (1, 200)
    for key, valid in (("k", True), ("a b", True), ("~" * 200, True), ("~" * 201, False), (" k", False),
                       ("k ", False), ("clé", False), ("k\t1", False), ("", False)):
        assert bool(regex.fullmatch(schema["pattern"], key)) is valid, key
        if key:  # the app answers as the document says
            response = client.post("/api/v1/events", headers={**inspector, "Idempotency-Key": key}, json={})
            assert (response.get_json()["error"]["code"] != "invalid_idempotency_key") is valid, key


def test_swagger_ui_page_uses_the_vendored_files(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "/static/vendor/swagger-ui/swagger-ui.css" in page
    assert '"/api/v1/openapi.json"' in page


def command_headers(app) -> dict:
    """Bearer headers of a new command-center user of `app` (it may see and do everything)."""
    from dispatch import db
    from dispatch.users import service
    from tests.helpers import DEFAULT_NOW

    with app.app_context():
        cfg = app.extensions["street_config"]
        _, token = service.create(session=db.session(), username="schemathesis", role="command", now=DEFAULT_NOW,
                                  departments=set(cfg.departments), zones={z.code for z in cfg.zones})
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api_schema(app):
    """The document served by the test app, with requests going to that same app through WSGI."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def pg_api_schema(pg_app):
    """The same on PostgreSQL (skipped without TEST_DATABASE_URL)."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", pg_app)


@pytest.fixture
def pg_command(pg_app):
    return command_headers(pg_app)


# Bounded: a few seconds per operation. Both generation modes run: valid data, and data that breaks the
# schema on purpose (which must be refused with a documented 4xx, never a 5xx).
BOUNDED = settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
schema = schemathesis.pytest.from_fixture("api_schema")
# schemathesis's WSGI transport asks for gzip (as requests does) but hands the checks the encoded bytes:
# ask for plain bodies (tests/dispatch/test_compression.py covers gzip)
PLAIN = {"Accept-Encoding": "identity"}
pg_schema = schemathesis.pytest.from_fixture("pg_api_schema")


@pytest.fixture
def every_role(make_user) -> dict[str, dict]:
    """Bearer headers of a user of each role: 网格巡查员, a department, 城运中心, an admin."""
    return {role: make_user(f"schemathesis_{role}", role, **extra)[1] for role, extra in ROLES.items()}


def roles_for(case, roles: list[str], _sent: dict[tuple[str, str], int] = {}) -> list[str]:  # noqa: B006 (per process)
    """The roles a case is sent as. An operation's first valid case goes to every role, so each role's answers to
    each operation (200, 403, 404 …) are checked; its later valid cases go to one role each, in turn. Data that
    breaks the document on purpose (the coverage phase's one wrong type, bound or missing part per case, and the
    fuzzing phase's negative cases: about three quarters of all the cases) is refused by the same validation
    whichever role sends it, and goes to one role each, in turn, too. The cases are derandomized and come in a
    fixed order, so each role gets the same cases at each run.
    """
    from schemathesis.generation import GenerationMode

    meta = case.meta
    negative = meta is not None and meta.generation.mode == GenerationMode.NEGATIVE
    key = ("negative" if negative else "positive", case.operation.label)
    _sent[key] = _sent.get(key, -1) + 1
    if not negative and _sent[key] == 0:
        return roles
    return [roles[_sent[key] % len(roles)]]


@schema.parametrize()
@BOUNDED
def test_api_keeps_to_its_document(case, every_role):
    """Each case sent as the roles roles_for names (every role for each operation's first valid case): no 5xx,
    only documented statuses and media types, bodies that match their schema, and data that breaks the
    document refused."""
    for role in roles_for(case, list(every_role)):
        case.call_and_validate(headers={**every_role[role], **PLAIN}, checks=NEGATIVE)


@pytest.mark.postgres
@pg_schema.parametrize()
@BOUNDED
def test_api_keeps_to_its_document_on_postgresql(case, pg_command):
    """The same on PostgreSQL, which refuses what SQLite lets through (NUL in text, ids past 32 bits)."""
    case.call_and_validate(headers={**pg_command, **PLAIN}, checks=NEGATIVE)


def test_answers_with_data_keep_to_the_document(app, client, api_schema, command, inspector):
    """With tickets, groups (片区外 too) and a photo on file: every download and answer matches its schema."""
    from tests.dispatch.helpers import report
    from tests.dispatch.helpers import JPEG, PNG
    from tests.dispatch.stats.dataset import PERIOD, build_dataset

    build_dataset(app, client, inspector)
    outside = report(client, command, at=(121.50, 31.30)).get_json()["ticket"]  # out of area: zone null
    photo_ids = {}
    for name, data in (("png", PNG), ("jpeg", JPEG)):
        upload = client.post(f"/api/v1/tickets/{outside['id']}/photos", headers=command,
                             data={"photo": (io.BytesIO(data), f"p.{name}"), "stage": "before"},
                             content_type="multipart/form-data")
        photo_ids[name] = upload.get_json()["photo"]["id"]
    period = dict(part.split("=") for part in PERIOD.split("&"))
    cases = [("/api/v1/stats", {**period, "group_by": group_by, "format": fmt}, {}, 200)
             for group_by in ("department", "zone", "category", "none") for fmt in ("json", "xlsx", "csv")]
    cases += [
        ("/api/v1/stats", {"zone": "xiangyi", "group_by": "zone"}, {}, 200),
        ("/api/v1/stats", {"from": "2026-11-20", "to": "2026-11-10"}, {}, 400),
        ("/api/v1/stats/trend", {"days": "366", "zone": "jiaoxi"}, {}, 200),
        ("/api/v1/stats/trend", {"days": "0"}, {}, 400),
        ("/api/v1/zones/locate", {"lng": "121.4288", "lat": "31.2551"}, {}, 200),
        ("/api/v1/zones/locate", {"lng": "121.50", "lat": "31.30", "crs": "bd09"}, {}, 200),
        ("/api/v1/zones/locate", {"lng": "-180", "lat": "0"}, {}, 200),  # across the antimeridian from the street
        ("/api/v1/zones/locate", {"lat": "31.25"}, {}, 400),
        *[("/api/v1/tickets/{ticket_id}/photos/{photo_id}", {}, {"ticket_id": outside["id"], "photo_id": pid}, 200)
          for pid in photo_ids.values()],
        ("/api/v1/tickets/{ticket_id}/photos/{photo_id}", {}, {"ticket_id": outside["id"], "photo_id": 2**40}, 404),
    ]
    for path, params, path_parameters, status in cases:
        case = api_schema[path]["GET"].Case(query=params, path_parameters=path_parameters)
        response = case.call_and_validate(headers={**command, **PLAIN}, checks=CHECKS)
        assert response.status_code == status, (path, params, response.text[:300])


def test_api_keeps_to_its_document_across_linked_calls(app, every_role):
    """Stateful: schemathesis chains calls by the links it finds (a report's ticket id into GET, actions and
    photos of that ticket), positive and negative data, as every role in turn — the same checks hold."""
    machine = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).as_state_machine()
    for role, headers in every_role.items():
        class AsRole(machine):
            def get_call_kwargs(self, case):
                return {"headers": {**headers, **PLAIN}}

            def validate_response(self, response, case, additional_checks=None, **kwargs):
                case.validate_response(response, checks=NEGATIVE, headers={**headers, **PLAIN})

        AsRole.run(settings=settings(max_examples=8, stateful_step_count=6, deadline=None, derandomize=True,
                                     suppress_health_check=list(HealthCheck)))
