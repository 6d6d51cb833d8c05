"""POST /api/v1/events: a report becomes a ticket — zone, numbering, coordinates, duplicates, idempotency."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from geo.crs import wgs84_to_bd09, wgs84_to_gcj02
from tests.dispatch.helpers import (INTERIOR, ZHONGYUAN_EAST_VERTEX, event, list_tickets, offset, report,
                                    ticket_count, ticket_of)
from tests.helpers import DEFAULT_NOW

NUMBER = re.compile(r"^YC-(\d{8})-(\d{4})$")


def set_status(app, ticket_id: int, status: str) -> None:
    """Put a ticket straight into `status` in the database (the lifecycle API is not part of this slice)."""
    from dispatch import db
    from dispatch.tickets.models import Ticket

    with app.app_context():
        session = db.session()
        ticket = session.get(Ticket, ticket_id)
        ticket.status = status
        session.add(ticket)
        session.commit()


def detail(client, headers, ticket_id: int) -> dict:
    response = client.get(f"/api/v1/tickets/{ticket_id}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["ticket"]


# --- a report inside a zone -------------------------------------------------------------------------------

@pytest.mark.parametrize("zone", ["xiangyi", "zhongyuan", "jiaoxi"])
def test_report_inside_a_zone_is_dispatched_to_the_department(client, inspector, zone):
    # An inspector reports exposed garbage in the middle of each zone: the ticket is in that zone and
    # goes straight to 绿化市容所, with every field the phone needs to show it.
    ticket = ticket_of(report(client, inspector, at=INTERIOR[zone]))
    assert ticket["zone"] == zone
    assert ticket["status"] == "dispatched"
    assert ticket["department"] == "sanitation"
    assert ticket["category"] == "exposed_garbage"
    assert ticket["location"] == {"lng": INTERIOR[zone][0], "lat": INTERIOR[zone][1]}
    assert ticket["original_location"] == {"lng": INTERIOR[zone][0], "lat": INTERIOR[zone][1], "crs": "wgs84"}
    assert ticket["duplicate_of"] is None
    assert isinstance(ticket["id"], int)
    assert NUMBER.match(ticket["number"])
    assert datetime.fromisoformat(ticket["created_at"]) == DEFAULT_NOW


def test_category_may_be_given_by_its_gbt_code(client, inspector):
    # A phone that only knows the national code "06010" gets the same ticket as with the slug.
    ticket = ticket_of(report(client, inspector, category="06010"))
    assert ticket["category"] == "exposed_garbage"
    assert ticket["department"] == "sanitation"


def test_dispatched_ticket_has_both_deadlines(client, inspector):
    # 暴露垃圾 at 10:00 on a Wednesday: 签收 within 1 WH (11:00), 处置 within 4 WH (15:00 after lunch).
    ticket = ticket_of(report(client, inspector))
    response, resolve = ticket["deadlines"]["response"], ticket["deadlines"]["resolve"]
    assert response["limit"] == "1 WH" and resolve["limit"] == "4 WH"
    assert datetime.fromisoformat(response["due_at"]) == datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert datetime.fromisoformat(resolve["due_at"]) == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    assert response["overdue"] is False and resolve["overdue"] is False
    assert datetime.fromisoformat(ticket["dispatched_at"]) == DEFAULT_NOW


# --- numbering YC-YYYYMMDD-NNNN -------------------------------------------------------------------------

def test_numbers_count_per_local_day_and_restart_the_next_day(client, inspector, clock):
    # Numbers follow the Shanghai date, not the UTC one: 00:30 on the 26th in Shanghai is still the
    # 25th in UTC, yet starts the 26th's sequence again at 0001.
    spots = [offset(*INTERIOR["xiangyi"], east_m=100 * i) for i in range(5)]  # far apart: no duplicates
    numbers = []
    for at, when in [
        (spots[0], datetime(2026, 11, 25, 2, 0, tzinfo=UTC)),     # 25th 10:00 local
        (spots[1], datetime(2026, 11, 25, 8, 0, tzinfo=UTC)),     # 25th 16:00 local
        (spots[2], datetime(2026, 11, 25, 15, 59, tzinfo=UTC)),   # 25th 23:59 local
        (spots[3], datetime(2026, 11, 25, 16, 30, tzinfo=UTC)),   # 26th 00:30 local (UTC: still the 25th)
        (spots[4], datetime(2026, 11, 26, 1, 0, tzinfo=UTC)),     # 26th 09:00 local
    ]:
        clock.set(when)
        numbers.append(ticket_of(report(client, inspector, at=at))["number"])
    assert numbers == ["YC-20261125-0001", "YC-20261125-0002", "YC-20261125-0003",
                       "YC-20261126-0001", "YC-20261126-0002"]


# --- coordinate systems -----------------------------------------------------------------------------------

@pytest.mark.parametrize("crs, forward", [
    ("gcj02", wgs84_to_gcj02),  # 高德/腾讯/微信 maps: ~480 m off WGS-84
    ("bd09", wgs84_to_bd09),    # 百度: another ~930 m off
])
@pytest.mark.parametrize("zone", ["xiangyi", "zhongyuan", "jiaoxi"])
def test_shifted_coordinates_land_in_the_right_zone(client, inspector, zone, crs, forward):
    # A phone on a Chinese map app sends the same spot in its own system: the ticket is in the zone
    # of the true spot, stored back in WGS-84, and the pair as sent is kept as evidence.
    true_lng, true_lat = INTERIOR[zone]
    sent_lng, sent_lat = forward(true_lng, true_lat)
    ticket = ticket_of(report(client, inspector, at=(sent_lng, sent_lat), crs=crs))
    assert ticket["zone"] == zone
    assert ticket["location"]["lng"] == pytest.approx(true_lng, abs=1e-5)
    assert ticket["location"]["lat"] == pytest.approx(true_lat, abs=1e-5)
    assert ticket["original_location"] == {"lng": sent_lng, "lat": sent_lat, "crs": crs}


def test_cgcs2000_is_taken_as_wgs84(client, inspector):
    # 天地图 sends CGCS2000, which differs from WGS-84 by centimetres: the point is used as is.
    lng, lat = INTERIOR["jiaoxi"]
    ticket = ticket_of(report(client, inspector, at=(lng, lat), crs="cgcs2000"))
    assert ticket["zone"] == "jiaoxi"
    assert ticket["location"] == {"lng": lng, "lat": lat}
    assert ticket["original_location"] == {"lng": lng, "lat": lat, "crs": "cgcs2000"}


# --- just outside / far outside ---------------------------------------------------------------------------

def test_gps_jitter_just_outside_goes_to_the_nearest_zone(client, inspector):
    # 10 m east of zhongyuan's outer edge (GPS jitter): within the 30 m tolerance, so zhongyuan.
    ticket = ticket_of(report(client, inspector, at=offset(*ZHONGYUAN_EAST_VERTEX, east_m=10)))
    assert ticket["zone"] == "zhongyuan"
    assert ticket["status"] == "dispatched"
    assert ticket["locate_how"] == "tolerance"
    assert ticket["zone_distance_m"] == pytest.approx(10, abs=0.5)


def test_far_outside_is_kept_and_waits_for_the_command_center(client, inspector, command):
    # 1 km outside every zone: still accepted (201) and stored, with no zone, for 城运中心 to place by hand.
    response = report(client, inspector, at=offset(*ZHONGYUAN_EAST_VERTEX, east_m=1000))
    ticket = ticket_of(response)
    assert ticket["zone"] is None
    assert ticket["status"] == "pending_dispatch"
    assert ticket["department"] is None
    assert ticket["deadlines"]["response"]["due_at"] is None
    stored = detail(client, command, ticket["id"])
    assert stored["number"] == ticket["number"]
    assert stored["timeline"][-1]["data"] == {"reason": "out_of_area"}
    assert [t["id"] for t in list_tickets(client, command, "status=pending_dispatch")["data"]] == [ticket["id"]]


# --- duplicates (same category, 50 m, 24 h, original still open) ----------------------------------------

FIRST_AT = INTERIOR["xiangyi"]


@pytest.mark.parametrize("second, later, first_status, is_duplicate", [
    # the same pile reported again by a second inspector, 10 minutes later, at the same spot
    (event(at=FIRST_AT), timedelta(minutes=10), None, True),
    # 40 m away and 23 h later: still within 50 m and 24 h
    (event(at=offset(*FIRST_AT, north_m=40)), timedelta(hours=23), None, True),
    # a different category at the same spot is a different problem
    (event(category="bin_overflow", at=FIRST_AT), timedelta(minutes=10), None, False),
    # 60 m away is another spot
    (event(at=offset(*FIRST_AT, east_m=60)), timedelta(minutes=10), None, False),
    # 25 h later is a new occurrence
    (event(at=FIRST_AT), timedelta(hours=25), None, False),
    # the first ticket is closed: the garbage is back, a new ticket
    (event(at=FIRST_AT), timedelta(hours=1), "closed", False),
    # the first ticket was cancelled (不予立案): a new report starts afresh
    (event(at=FIRST_AT), timedelta(hours=1), "cancelled", False),
])
def test_duplicate_reports_are_linked_not_dispatched_twice(app, client, inspector, make_user, command, clock,
                                                           second, later, first_status, is_duplicate):
    first = ticket_of(report(client, inspector, at=FIRST_AT))
    if first_status:
        set_status(app, first["id"], first_status)
    other_inspector = make_user("inspector_2", "inspector", zone="xiangyi")[1]
    clock.set(DEFAULT_NOW + later)
    ticket = ticket_of(report(client, other_inspector, second))
    if is_duplicate:
        assert ticket["status"] == "duplicate"
        assert ticket["duplicate_of"] == first["id"]
        assert ticket["department"] is None
        assert ticket["deadlines"]["response"]["due_at"] is None
        original = detail(client, command, first["id"])
        noted = [e for e in original["timeline"] if e["action"] == "duplicate_reported"]
        assert len(noted) == 1 and ticket["number"] in noted[0]["note"]
        assert noted[0]["actor"] == "inspector_2"
    else:
        assert ticket["duplicate_of"] is None
        assert ticket["status"] == "dispatched"
        assert ticket["id"] != first["id"]


def test_third_report_links_to_the_original_not_to_the_duplicate(client, inspector):
    # Three reports of the same pile: both later ones point at the first ticket.
    first = ticket_of(report(client, inspector))
    second = ticket_of(report(client, inspector))
    third = ticket_of(report(client, inspector))
    assert second["duplicate_of"] == first["id"] and third["duplicate_of"] == first["id"]


@pytest.mark.parametrize(("category", "merged"), [
    ("group_rental", False),               # duplicate_radius_m = 0: two flats of one building, two cases
    ("residential_to_commercial", False),  # 居改非: the same
    ("other", False),                      # 其他: "路灯不亮" and "共享单车倒伏" 8 m apart are two cases
    ("exposed_garbage", True),             # intake.toml's 50 m: the same pile
])
def test_a_category_may_never_merge_reports_by_distance(client, inspector, category, merged):
    first = ticket_of(report(client, inspector, category=category))
    lng, lat = first["location"]["lng"], first["location"]["lat"]
    second = ticket_of(report(client, inspector, category=category, at=offset(lng, lat, east_m=8)))
    assert (second["duplicate_of"] == first["id"]) is merged
    assert (second["status"] == "duplicate") is merged


# --- Idempotency-Key ----------------------------------------------------------------------------------------

def test_same_key_same_user_returns_the_same_ticket(client, inspector, command):
    # A phone on a flaky network sends the report twice: one ticket, and the retry gets it back with 200.
    first = report(client, inspector, key="phone-1-report-17", expect=201)
    again = report(client, inspector, key="phone-1-report-17", expect=200)
    assert ticket_of(again)["id"] == ticket_of(first)["id"]
    assert ticket_of(again)["number"] == ticket_of(first)["number"]
    assert ticket_count(client, command) == 1


def test_a_key_of_200_printable_ascii_characters_with_spaces_inside_is_a_key(client, inspector, command):
    # the longest key the document allows, every printable ASCII character in it: replayed, not refused
    key = ("report 17 ~!@#$%^&*()_+{}|:<>?`-=[]\\;',./" * 5)[:199] + "Z"
    assert len(key) == 200
    first = report(client, inspector, key=key, expect=201)
    assert ticket_of(report(client, inspector, key=key, expect=200))["id"] == ticket_of(first)["id"]
    assert ticket_count(client, command) == 1


def test_same_key_from_another_user_is_a_new_report(client, inspector, make_user, command):
    # Keys belong to the user who sent them: another inspector's phone choosing the same key is not a replay.
    other = make_user("inspector_2", "inspector", zone="jiaoxi")[1]
    first = ticket_of(report(client, inspector, key="k1", at=INTERIOR["xiangyi"]))
    second = ticket_of(report(client, other, key="k1", at=INTERIOR["jiaoxi"], expect=201))
    assert second["id"] != first["id"]
    assert ticket_count(client, command) == 2


def test_same_key_with_a_different_body_still_returns_the_first_ticket(client, inspector, command):
    # Documented behaviour: the key names the report, the body is not compared. A retry whose body
    # changed (say, the description was edited) gets the first ticket back unchanged, 200.
    first = ticket_of(report(client, inspector, key="k2", description="第一次"))
    again = report(client, inspector, event(category="bin_overflow", at=INTERIOR["jiaoxi"], description="改过"),
                   key="k2", expect=200)
    assert ticket_of(again)["id"] == first["id"]
    assert ticket_of(again)["description"] == "第一次"
    assert ticket_of(again)["category"] == "exposed_garbage"
    assert ticket_count(client, command) == 1


def test_reports_without_a_key_are_never_merged_by_key(client, inspector, command):
    # Two different reports without keys are two tickets.
    report(client, inspector, at=INTERIOR["xiangyi"])
    report(client, inspector, at=INTERIOR["jiaoxi"])
    assert ticket_count(client, command) == 2


# --- the command center may report too -------------------------------------------------------------------

def test_command_center_may_report(client, command):
    # 城运中心 takes a phone call and enters it: same flow as an inspector.
    ticket = ticket_of(report(client, command, at=INTERIOR["zhongyuan"]))
    assert ticket["zone"] == "zhongyuan" and ticket["status"] == "dispatched"


# --- the same core on SQLite and PostgreSQL (TEST_DATABASE_URL), also under concurrent requests -------------

@pytest.fixture(params=["sqlite", "postgresql"])
def any_app(request):
    """The app on SQLite, then on PostgreSQL in a fresh schema (skipped without TEST_DATABASE_URL)."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


def users_of(app) -> tuple[dict, dict]:
    """(inspector of xiangyi, command center) auth headers on this app's database."""
    from dispatch import db
    from dispatch.users import service

    headers = []
    with app.app_context():
        for name, role, zone in (("inspector_xy", "inspector", "xiangyi"), ("command1", "command", None)):
            _, token = service.create(session=db.session(), username=name, role=role, now=DEFAULT_NOW, zone=zone,
                                      zones={"xiangyi"})
            headers.append({"Authorization": f"Bearer {token}"})
    return headers[0], headers[1]


def test_backend_report_numbering_idempotency_duplicates(any_app, clock):
    # The core of intake, as one story, on each database: a report becomes a dispatched ticket with the
    # day's first number; a retry with its key returns it; the same pile reported again is linked to it;
    # the next local day starts again at 0001.
    client = any_app.test_client()
    inspector, command = users_of(any_app)
    first = report(client, inspector, key="r1", expect=201)
    ticket = ticket_of(first)
    assert (ticket["zone"], ticket["status"], ticket["department"]) == ("xiangyi", "dispatched", "sanitation")
    assert ticket["number"] == "YC-20261125-0001"
    assert ticket_of(report(client, inspector, key="r1", expect=200))["id"] == ticket["id"]
    duplicate = ticket_of(report(client, inspector, key="r2"))
    assert (duplicate["status"], duplicate["duplicate_of"]) == ("duplicate", ticket["id"])
    assert duplicate["number"] == "YC-20261125-0002"
    assert "duplicate_reported" in [e["action"] for e in detail(client, command, ticket["id"])["timeline"]]
    clock.set(datetime(2026, 11, 25, 16, 30, tzinfo=UTC))  # 00:30 on the 26th in Shanghai
    assert ticket_of(report(client, inspector, category="bin_overflow"))["number"] == "YC-20261126-0001"
    assert ticket_count(client, command) == 3


def run_at_once(app, calls: int, request) -> list:
    """Send `calls` requests from as many threads, released together; returns the responses."""
    import threading

    barrier = threading.Barrier(calls)
    results: list = [None] * calls

    def worker(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        results[i] = request(client, i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_backend_concurrent_retries_make_one_ticket(any_app):
    # A phone fires the same report six times at once (a retry storm): one ticket; every answer is it.
    inspector, command = users_of(any_app)
    responses = run_at_once(any_app, 6, lambda client, i: report(client, inspector, key="storm", expect=None))
    assert sorted(r.status_code for r in responses) == [200] * 5 + [201], [r.get_json() for r in responses]
    assert len({ticket_of(r)["id"] for r in responses}) == 1
    assert ticket_count(any_app.test_client(), command) == 1


def test_backend_concurrent_reports_get_distinct_numbers(any_app):
    # Six inspectors report six different things at the same moment: six tickets, numbers 0001–0006.
    inspector, command = users_of(any_app)
    spots = [offset(*INTERIOR["xiangyi"], east_m=100 * i) for i in range(6)]
    responses = run_at_once(any_app, 6, lambda client, i: report(client, inspector, at=spots[i], expect=None))
    assert [r.status_code for r in responses] == [201] * 6, [r.get_json() for r in responses]
    assert sorted(ticket_of(r)["number"] for r in responses) == [f"YC-20261125-{n:04d}" for n in range(1, 7)]
    assert ticket_count(any_app.test_client(), command) == 6


def test_backend_concurrent_reports_of_one_pile_dispatch_once(any_app):
    # Six inspectors photograph the same pile at the same moment (no shared key): exactly one ticket is
    # dispatched, the other five are linked to it as duplicates — never two departments sent out.
    inspector, command = users_of(any_app)
    responses = run_at_once(any_app, 6, lambda client, i: report(
        client, inspector, at=offset(*INTERIOR["xiangyi"], east_m=3 * i), expect=None))
    assert [r.status_code for r in responses] == [201] * 6, [r.get_json() for r in responses]
    tickets = [ticket_of(r) for r in responses]
    dispatched = [t for t in tickets if t["status"] == "dispatched"]
    assert len(dispatched) == 1, [(t["status"], t["duplicate_of"]) for t in tickets]
    assert sorted(t["duplicate_of"] for t in tickets if t["status"] == "duplicate") == [dispatched[0]["id"]] * 5


@pytest.mark.parametrize("occurred_at", [
    "2026-11-24T16:00:00+08:00",  # yesterday: reported late, kept as said
    "2026-11-25T10:30:00+08:00",  # 30 minutes "ahead" of the server: a phone clock running fast
    "2026-11-28T10:00:00+08:00",  # days ahead: a wrong phone clock must not lose the report
])
def test_occurred_at_is_kept_as_reported(client, inspector, occurred_at):
    ticket = ticket_of(report(client, inspector, occurred_at=occurred_at))
    assert datetime.fromisoformat(ticket["occurred_at"]) == datetime.fromisoformat(occurred_at)
