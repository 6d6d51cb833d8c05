"""GET requests.{json,xml} and requests/<id>.{json,xml}: W3C datetimes, no reporter identity.

Full details need the api_key of a user who may see the ticket; the public view is tested in test_privacy.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.dispatch.open311.helpers import (BASE, FORMATS, REQUEST_FIELDS, XIANGYI, api_key_of, errors, items,
                                            post_request, report_form)


def report(client, api_key, **extra) -> str:
    response = post_request(client, **report_form(api_key, **extra))
    assert response.status_code == 200, response.data
    return response.get_json()[0]["service_request_id"]


def set_status(app, number: str, status: str, at: datetime) -> int:
    """Move a ticket straight to `status` in the database (the lifecycle itself is tested elsewhere)."""
    from sqlmodel import select

    from dispatch import db
    from dispatch.tickets.models import Ticket

    with app.app_context():
        session = db.session()
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
        ticket.status, ticket.updated_at = status, at
        if status == "closed":
            ticket.closed_at = at
        session.commit()
        return ticket.id


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_has_every_field(client, api_key, fmt):
    """Read with the reporter's api_key: every field, in the spec's order."""
    number = report(client, api_key, address_string="宜川路 350 号", media_url="https://example.org/1.jpg")
    response = client.get(f"{BASE}/requests/{number}.{fmt}?api_key={api_key}")
    (request,) = items(response, fmt, "service_requests", "request")
    assert list(request) == REQUEST_FIELDS
    expected = {
        "service_request_id": number, "status": "open", "status_notes": "已派遣，待处置部门签收",
        "service_name": "暴露垃圾", "service_code": "06010", "description": "路边有一堆垃圾",
        "agency_responsible": "绿化市容所", "service_notice": "已派遣至绿化市容所，处置时限 4 工作时",
        # reported Wed 2026-11-25 10:00 Shanghai; 4 WH later, over the lunch break: 15:00
        "requested_datetime": "2026-11-25T10:00:00+08:00", "updated_datetime": "2026-11-25T10:00:00+08:00",
        "expected_datetime": "2026-11-25T15:00:00+08:00",
        "address": "宜川路 350 号", "zipcode": "200062", "media_url": "https://example.org/1.jpg",
    }
    if fmt == "json":
        assert {k: request[k] for k in expected} == expected
        assert (request["lat"], request["long"], request["address_id"]) == (XIANGYI[1], XIANGYI[0], None)
    else:
        assert {k: request[k] for k in expected} == expected
        assert (float(request["lat"]), float(request["long"]), request["address_id"]) == (XIANGYI[1], XIANGYI[0], "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_lookup_by_number_or_id(client, app, api_key, command, fmt):
    number = report(client, api_key)
    ticket_id = client.get("/api/v1/tickets", headers=command).get_json()["data"][0]["id"]
    for request_id in (number, str(ticket_id)):
        (found,) = items(client.get(f"{BASE}/requests/{request_id}.{fmt}"), fmt, "service_requests", "request")
        assert found["service_request_id"] == number


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("request_id", ["YC-20261125-9999", "999999", "99999999999999999999999", "abc"])
def test_unknown_request_is_404(client, fmt, request_id):
    response = client.get(f"{BASE}/requests/{request_id}.{fmt}")
    assert response.status_code == 404
    errors(response, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_id_of_5000_digits_is_404_and_logs_no_error(client, api_key, caplog, fmt):
    # Python's int() refuses strings over 4300 digits: such an id was a logged traceback and a 400
    number = report(client, api_key)
    huge, padded = "9" * 5000, "0" * 5000 + "1"
    response = client.get(f"{BASE}/requests/{huge}.{fmt}")
    assert response.status_code == 404
    errors(response, fmt)
    listed = items(client.get(f"{BASE}/requests.{fmt}?service_request_id={huge},{number},{padded}"), fmt,
                   "service_requests", "request")
    assert [r["service_request_id"] for r in listed] == [number]  # 0…01 is ticket 1, the same one: listed once
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_no_reporter_identity_leaks(client, api_key, command):
    number = report(client, api_key, email="zhang@example.org", first_name="三", last_name="张", phone="13800000000",
                    account_id="acc-1", device_id="dev-1")
    full = f"api_key={api_key_of(command)}"  # even the full view names no reporter
    text = client.get(f"{BASE}/requests/{number}.json").get_data(as_text=True)
    text += client.get(f"{BASE}/requests.xml").get_data(as_text=True)
    text += client.get(f"{BASE}/requests/{number}.json?{full}").get_data(as_text=True)
    text += client.get(f"{BASE}/requests.xml?{full}").get_data(as_text=True)
    for secret in ("zhang@example.org", "张", "13800000000", "acc-1", "dev-1", "inspector_xy", "reporter", api_key):
        assert secret not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_list_by_ids_overrides_other_filters(client, api_key, fmt):
    first, second = report(client, api_key), report(client, api_key, at=(121.440, 31.255))
    url = f"{BASE}/requests.{fmt}?service_request_id={second},{first},YC-20200101-0001&status=closed"
    found = items(client.get(url), fmt, "service_requests", "request")
    assert [r["service_request_id"] for r in found] == [second, first]  # in the order asked; unknown omitted


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_maps_to_open_and_closed(client, app, clock, api_key, fmt):
    """closed, cancelled and duplicate are `closed`; every other status (also resolved, suspended) is `open`."""
    numbers = {status: report(client, api_key, at=(121.429 + i * 0.001, 31.255))
               for i, status in enumerate(["dispatched", "resolved", "suspended", "closed", "cancelled"])}
    later = clock.now + timedelta(hours=1)
    for status, number in numbers.items():
        if status != "dispatched":
            set_status(app, number, status, later)
    by_status = {}
    for wanted in ("open", "closed"):
        found = items(client.get(f"{BASE}/requests.{fmt}?status={wanted}"), fmt, "service_requests", "request")
        by_status[wanted] = {r["service_request_id"] for r in found}
        assert all(r["status"] == wanted for r in found)
    assert by_status["open"] == {numbers[s] for s in ("dispatched", "resolved", "suspended")}
    assert by_status["closed"] == {numbers[s] for s in ("closed", "cancelled")}
    both = items(client.get(f"{BASE}/requests.{fmt}?status=open,closed"), fmt, "service_requests", "request")
    assert len(both) == 5
    (closed,) = items(client.get(f"{BASE}/requests/{numbers['closed']}.{fmt}"), fmt, "service_requests", "request")
    assert closed["status_notes"] == "已核查结案"
    assert closed["updated_datetime"] == "2026-11-25T11:00:00+08:00"  # when it was closed


@pytest.mark.parametrize("fmt", FORMATS)
def test_filter_by_service_code(client, api_key, fmt):
    garbage = report(client, api_key)
    stairwell = report(client, api_key, service_code="L0001", **{"attribute[floor]": "3楼"})
    found = items(client.get(f"{BASE}/requests.{fmt}?service_code=L0001"), fmt, "service_requests", "request")
    assert [r["service_request_id"] for r in found] == [stairwell]
    found = items(client.get(f"{BASE}/requests.{fmt}?service_code=L0001,06010"), fmt, "service_requests", "request")
    assert {r["service_request_id"] for r in found} == {garbage, stairwell}
    (shown,) = [r for r in found if r["service_request_id"] == stairwell]
    assert shown["agency_responsible"] == "香溢片区网格化管理站"  # "station of the zone"


def test_default_window_is_the_last_90_days_newest_first(client, clock, api_key):
    old = report(client, api_key)
    clock.set(clock.now + timedelta(days=60))
    middle = report(client, api_key, at=(121.440, 31.255))
    clock.set(clock.now + timedelta(days=40))
    newest = report(client, api_key, at=(121.436, 31.264))
    found = client.get(f"{BASE}/requests.json").get_json()
    assert [r["service_request_id"] for r in found] == [newest, middle]  # `old` is 100 days back
    window = client.get(f"{BASE}/requests.json?start_date=2026-11-25T00:00:00%2B08:00"
                        "&end_date=2026-12-31T00:00:00Z").get_json()
    assert [r["service_request_id"] for r in window] == [old]
    unencoded = client.get(f"{BASE}/requests.json?start_date=2026-11-25T00:00:00+08:00"  # "+" arrives as a space
                           "&end_date=2026-12-31T00:00:00Z").get_json()
    assert unencoded == window
    only_start = client.get(f"{BASE}/requests.json?start_date=2026-11-25").get_json()  # a date: local midnight
    assert [r["service_request_id"] for r in only_start] == [middle, old]  # 90 days from the start


def test_at_most_1000_results(client, app, api_key, monkeypatch):
    from dispatch.open311 import views

    monkeypatch.setattr(views, "MAX_RESULTS", 2)
    for i in range(3):
        report(client, api_key, at=(121.429 + i * 0.001, 31.255))
    assert len(client.get(f"{BASE}/requests.json").get_json()) == 2


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("query", "fragment"), [
    ("status=pending", "status: open and/or closed"),
    ("service_code=00000", "service_code: unknown 00000"),
    ("start_date=yesterday", "start_date must be a W3C date-time"),
    ("start_date=2026-11-01T00:00:00", "must include a time zone"),
    ("end_date=0001-01-01T00:00:00%2B08:00", "end_date out of range"),  # valid, but no UTC form
    ("start_date=9999-12-31T00:00:00Z", "out of range"),
    ("start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z", "may not span more than 90 days"),
    ("start_date=2026-12-01T00:00:00Z&end_date=2026-11-01T00:00:00Z", "end_date is before start_date"),
    ("jurisdiction_id=sfgov.org", "not found"),
])
def test_bad_query_is_an_error_list(client, fmt, query, fragment):
    response = client.get(f"{BASE}/requests.{fmt}?{query}")
    assert response.status_code == (404 if "jurisdiction" in query else 400)
    assert any(fragment in e["description"] for e in errors(response, fmt))


def test_reading_needs_no_api_key(client, api_key):
    number = report(client, api_key)
    assert client.get(f"{BASE}/requests/{number}.xml").status_code == 200
    assert client.get(f"{BASE}/requests.xml").status_code == 200


def test_xml_stays_well_formed_with_control_characters(client, app, inspector):
    """A description sent through /api/v1 with characters XML 1.0 cannot carry is still served as XML."""
    import xml.etree.ElementTree as ET

    body = {"category": "exposed_garbage", "location": {"lng": XIANGYI[0], "lat": XIANGYI[1]},
            "description": "垃圾 <b>&</b> \x0b\x1f 堆积"}
    number = client.post("/api/v1/events", headers=inspector, json=body).get_json()["ticket"]["number"]
    root = ET.fromstring(client.get(f"{BASE}/requests/{number}.xml?api_key={api_key_of(inspector)}").data)
    assert root.findtext("request/description") == "垃圾 <b>&</b> \ufffd\ufffd 堆积"


def test_times_are_w3c_with_offset(client, api_key):
    report(client, api_key)
    (found,) = client.get(f"{BASE}/requests.json").get_json()
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        parsed = datetime.fromisoformat(found[name])
        assert parsed.utcoffset() == timedelta(hours=8)
    assert datetime.fromisoformat(found["requested_datetime"]) == datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
