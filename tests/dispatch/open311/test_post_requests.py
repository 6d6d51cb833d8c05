"""POST requests.{json,xml}: a report through the shared intake flow, and every way it can be refused."""
from __future__ import annotations

import re

import pytest

from tests.dispatch.open311.helpers import (BASE, FORMATS, XIANGYI, api_key_of, errors, items, post_request,
                                            report_form)

NUMBER = re.compile(r"^YC-\d{8}-\d{4}$")


def ticket_row(app, number: str):
    """The stored ticket (to check what the facade handed the intake flow)."""
    from sqlmodel import select

    from dispatch import db
    from dispatch.tickets.models import Ticket

    with app.app_context():
        ticket = db.session().exec(select(Ticket).where(Ticket.number == number)).one()
        db.session().expunge(ticket)
        return ticket


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_answers_the_ticket_number(client, app, api_key, fmt):
    response = post_request(client, fmt, **report_form(api_key, media_url="https://example.org/p/1.jpg",
                                                       email="a@b.cn", first_name="三", last_name="张",
                                                       phone="123", device_id="d1", account_id="acc-9"))
    assert response.status_code == 200  # the spec's examples answer 200
    (created,) = items(response, fmt, "service_requests", "request")
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    assert NUMBER.match(created["service_request_id"])
    assert created["service_notice"] == "已派遣至绿化市容所，处置时限 4 工作时"
    assert created["account_id"] in (None, "")  # the submitter's account is never echoed
    ticket = ticket_row(app, created["service_request_id"])
    assert (ticket.source, ticket.status, ticket.zone, ticket.department) == \
        ("open311", "dispatched", "xiangyi", "sanitation")
    assert (ticket.lng, ticket.lat, ticket.original_crs) == (*XIANGYI, "wgs84")
    assert ticket.media_url == "https://example.org/p/1.jpg"
    assert ticket.description == "路边有一堆垃圾"


def test_attributes_are_validated_and_stored(client, app, api_key):
    response = post_request(client, **report_form(api_key, service_code="L0003", **{
        "attribute[households]": "5", "description": "一套房住了五户"}))
    assert response.status_code == 200, response.data
    number = response.get_json()[0]["service_request_id"]
    assert ticket_row(app, number).attributes == {"households": 5}
    response = post_request(client, **report_form(api_key, service_code="06001", **{"attribute[area_m2]": "12.5"}))
    assert ticket_row(app, response.get_json()[0]["service_request_id"]).attributes == {"area_m2": 12.5}


def test_command_center_may_report(client, command):
    assert post_request(client, **report_form(api_key_of(command))).status_code == 200


def test_address_only_report_is_kept_pending_dispatch(client, command, api_key):
    response = post_request(client, **report_form(api_key, at=None, address_string="宜川路 350 弄 12 号"))
    assert response.status_code == 200, response.data
    (created,) = response.get_json()
    assert created["service_notice"] == "已受理，由街道城运中心派遣"
    listed = client.get("/api/v1/tickets", headers=command).get_json()["data"]
    ticket = next(t for t in listed if t["number"] == created["service_request_id"])
    assert (ticket["status"], ticket["zone"], ticket["location"], ticket["address"]) == \
        ("pending_dispatch", None, None, "宜川路 350 弄 12 号")
    detail = client.get(f"/api/v1/tickets/{ticket['id']}", headers=command).get_json()["ticket"]
    assert detail["timeline"][-1]["data"] == {"reason": "no_location"}
    # …and GET requests shows it without coordinates or zipcode
    (shown,) = client.get(f"{BASE}/requests/{created['service_request_id']}.json").get_json()
    assert (shown["lat"], shown["long"], shown["zipcode"], shown["status"]) == (None, None, None, "open")


def test_api_v1_events_still_requires_a_location(client, inspector):
    response = client.post("/api/v1/events", headers=inspector,
                           json={"category": "exposed_garbage", "description": "垃圾", "address": "宜川路"})
    assert response.status_code == 422


@pytest.mark.parametrize("first", ["open311", "api"])
def test_open311_and_api_reports_of_one_event_are_linked(client, app, clock, inspector, api_key, first):
    """The same garbage reported by both paths, 8 m apart and 3 minutes later, becomes one ticket."""
    from datetime import timedelta

    near = (XIANGYI[0] + 0.00008, XIANGYI[1])  # ~8 m east

    def via_api(at):
        body = {"category": "exposed_garbage", "location": {"lng": at[0], "lat": at[1]}, "description": "垃圾"}
        response = client.post("/api/v1/events", headers=inspector, json=body)
        assert response.status_code == 201, response.data
        return response.get_json()["ticket"]["number"]

    def via_open311(at):
        response = post_request(client, **report_form(api_key, at=at))
        assert response.status_code == 200, response.data
        return response.get_json()[0]["service_request_id"]

    order = (via_open311, via_api) if first == "open311" else (via_api, via_open311)
    original = order[0](XIANGYI)
    clock.set(clock.now + timedelta(minutes=3))
    duplicate = order[1](near)
    original_row, duplicate_row = ticket_row(app, original), ticket_row(app, duplicate)
    assert duplicate_row.status == "duplicate"
    assert duplicate_row.duplicate_of == original_row.id
    (shown,) = client.get(f"{BASE}/requests/{duplicate}.json").get_json()
    assert shown["status"] == "closed"
    assert original in shown["status_notes"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("change", "fragment"), [
    ({"api_key": None}, "api_key was not provided"),
    ({"api_key": ""}, "api_key was not provided"),   # empty counts as absent
    ({"api_key": "yc_not-a-real-token"}, "invalid api_key"),
])
def test_bad_or_missing_api_key_is_403(client, api_key, fmt, change, fragment):
    form = {k: v for k, v in {**report_form(api_key), **change}.items() if v is not None}
    response = post_request(client, fmt, **form)
    assert response.status_code == 403
    assert fragment in errors(response, fmt)[0]["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_department_role_may_not_report(client, make_user, fmt):
    _, headers = make_user("sanitation1", "department", department="sanitation")
    response = post_request(client, fmt, **report_form(api_key_of(headers)))
    assert response.status_code == 403
    assert "inspector or command" in errors(response, fmt)[0]["description"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("change", "fragment"), [
    ({"service_code": None}, "service_code was not provided"),
    ({"long": None, "lat": None}, "a location is required"),
    ({"long": None, "lat": None, "address_id": "545483"}, "address_id is not supported"),
    ({"long": None}, "lat & long must be sent together"),
    ({"lat": "north"}, "lat must be a number"),
    ({"lat": "95"}, "lat must be a number between -90 and 90"),
    ({"long": "nan"}, "long must be a number"),
    ({"description": "长" * 4001}, "description: at most 4,000 characters"),
    ({"media_url": "javascript:alert(1)"}, "media_url must be an http(s) URL"),
    ({"address_string": "路" * 501, "long": None, "lat": None}, "address_string: at most 500"),
    ({"attribute[colour]": "red"}, "has no such attribute"),
    ({"attribute": "x"}, "expected attribute[code]=value"),
    ({"description": "垃圾\x00"}, "description: NUL characters are not allowed"),  # PostgreSQL text refuses NUL
])
def test_invalid_report_is_400(client, api_key, fmt, change, fragment):
    form = {k: v for k, v in {**report_form(api_key), **change}.items() if v is not None}
    response = post_request(client, fmt, **form)
    assert response.status_code == 400, response.data
    assert any(fragment in e["description"] for e in errors(response, fmt))


@pytest.mark.parametrize(("service_code", "attributes", "fragment"), [
    ("L0003", {}, "attribute[households] (居住户数) is required"),
    ("L0003", {"attribute[households]": "several"}, "attribute[households]: must be a number"),
    ("L0003", {"attribute[households]": "1e999"}, "attribute[households]: must be a number"),
    ("L0003", {"attribute[households]": ["2", "3"]}, "attribute[households]: give one value"),
    ("L0003", {"attribute[households]": "-5"}, "attribute[households]: must be at least 1"),  # config minimum
    ("L0003", {"attribute[households]": "100"}, "attribute[households]: must be at most 99"),
    ("L0003", {"attribute[households]": "2.5"}, "attribute[households]: must be a whole number"),
    ("06001", {"attribute[area_m2]": "-12"}, "attribute[area_m2]: must be at least 0"),
    ("L0001", {"attribute[floor]": "3楼\n4楼"}, "attribute[floor]: one line"),
])
def test_attribute_errors_are_400(client, api_key, service_code, attributes, fragment):
    response = client.post(f"{BASE}/requests.json", data={**report_form(api_key, service_code=service_code),
                                                          **attributes})
    assert response.status_code == 400
    assert any(fragment in e["description"] for e in errors(response, "json"))


def test_every_problem_is_listed(client, api_key):
    response = post_request(client, **report_form(api_key, lat="x", media_url="ftp://x", **{"attribute[no]": "1"}))
    assert response.status_code == 400
    assert len(errors(response, "json")) == 3


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("change", [{"service_code": "00000"}, {"jurisdiction_id": "sfgov.org"}])
def test_unknown_service_or_jurisdiction_is_404(client, api_key, fmt, change):
    response = post_request(client, fmt, **report_form(api_key, **change))
    assert response.status_code == 404
    errors(response, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_json_body_is_400(client, api_key, fmt):
    response = client.post(f"{BASE}/requests.{fmt}", json=report_form(api_key))
    assert response.status_code == 400
    assert "x-www-form-urlencoded" in errors(response, fmt)[0]["description"]


def test_our_jurisdiction_is_accepted(client, api_key):
    assert post_request(client, **report_form(api_key, jurisdiction_id="yichuan")).status_code == 200


def test_a_failure_of_ours_is_a_400_general_service_error(client, api_key, monkeypatch):
    """The spec's "general service error": logged, answered 400 with the error list, never a 500."""
    from dispatch.intake import flows

    def broken(**kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(flows, "report_event", broken)
    response = post_request(client, "xml", **report_form(api_key))
    assert response.status_code == 400
    assert "general service error" in errors(response, "xml")[0]["description"]
