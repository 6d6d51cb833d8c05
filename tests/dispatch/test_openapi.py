"""GET /api/v1/openapi.json is generated from the models, and the live API keeps to it (schemathesis)."""
from __future__ import annotations

import doctest

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from dispatch.openapi import registry

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_registry_doctests():
    assert doctest.testmod(registry).failed == 0


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
                         ("/api/v1/tickets/{ticket_id}", "get")]:
        assert method in paths[path], path
    events = paths["/api/v1/events"]["post"]
    assert events["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/EventCreate"}
    assert events["parameters"][0]["name"] == "Idempotency-Key" and events["parameters"][0]["in"] == "header"
    assert events["security"] == [{"bearerAuth": []}]
    assert set(events["responses"]) >= {"200", "201", "400", "401", "422"}
    assert paths["/api/v1/categories"]["get"]["security"] == []
    tickets = {p["name"] for p in paths["/api/v1/tickets"]["get"]["parameters"]}
    assert tickets >= {"status", "zone", "department", "category", "created_from", "created_to", "limit", "offset"}


def test_document_follows_the_models(client):
    """Not hand-written: the schema of a request body is exactly what pydantic says about the model."""
    from dispatch.intake.models import EventCreate
    from dispatch.openapi.registry import REF_TEMPLATE

    doc = client.get("/api/v1/openapi.json").get_json()
    expected = EventCreate.model_json_schema(ref_template=REF_TEMPLATE)
    expected.pop("$defs", None)
    assert doc["components"]["schemas"]["EventCreate"] == expected
    assert set(doc["components"]["schemas"]["EventCreate"]["required"]) == {"category", "location", "description"}


def test_swagger_ui_page_uses_the_vendored_files(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "/static/vendor/swagger-ui/swagger-ui.css" in page
    assert '"/api/v1/openapi.json"' in page


def command_headers(app) -> dict:
    """Bearer headers of a new command-center user of `app` (it may see and do everything)."""
    from dispatch import db
    from dispatch.users import service
    from tests.conftest import DEFAULT_NOW

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
BOUNDED = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
schema = schemathesis.pytest.from_fixture("api_schema")
pg_schema = schemathesis.pytest.from_fixture("pg_api_schema")


@schema.parametrize()
@BOUNDED
def test_api_keeps_to_its_document(case, command):
    """No 5xx, only documented statuses and media types, bodies that match their schema (as 城运中心)."""
    case.call_and_validate(headers=command, checks=CHECKS)


@pytest.mark.postgres
@pg_schema.parametrize()
@BOUNDED
def test_api_keeps_to_its_document_on_postgresql(case, pg_command):
    """The same on PostgreSQL, which refuses what SQLite lets through (NUL in text, ids past 32 bits)."""
    case.call_and_validate(headers=pg_command, checks=CHECKS)
