"""GET /api/v1/tickets: filters (status, zone, department, category, created range) and pagination."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.dispatch.helpers import INTERIOR, ZHONGYUAN_EAST_VERTEX, list_tickets, offset, report, ticket_of

# Each ticket: name → (category, where, when (UTC)). 10:00 Shanghai = 02:00 UTC.
TICKETS = {
    "garbage_xy_25": ("exposed_garbage", INTERIOR["xiangyi"], datetime(2026, 11, 25, 2, 0, tzinfo=UTC)),
    "vending_jx_25": ("street_vending", INTERIOR["jiaoxi"], datetime(2026, 11, 25, 3, 0, tzinfo=UTC)),
    "garbage_zy_26": ("exposed_garbage", INTERIOR["zhongyuan"], datetime(2026, 11, 26, 2, 0, tzinfo=UTC)),
    "stairwell_zy_26": ("stairwell_clutter", INTERIOR["zhongyuan"], datetime(2026, 11, 26, 3, 0, tzinfo=UTC)),
    "other_jx_27": ("other", INTERIOR["jiaoxi"], datetime(2026, 11, 27, 2, 0, tzinfo=UTC)),
    "outside_27": ("exposed_garbage", offset(*ZHONGYUAN_EAST_VERTEX, east_m=1000),
                   datetime(2026, 11, 27, 3, 0, tzinfo=UTC)),
}


@pytest.fixture
def tickets(client, inspector, clock):
    ids = {}
    for name, (category, at, when) in TICKETS.items():
        clock.set(when)
        ids[name] = ticket_of(report(client, inspector, category=category, at=at))["id"]
    return ids


def names(body, ids) -> list[str]:
    by_id = {v: k for k, v in ids.items()}
    return [by_id[t["id"]] for t in body["data"]]


@pytest.mark.parametrize("query, expected", [
    # no filter: everything, newest first
    ("", ["outside_27", "other_jx_27", "stairwell_zy_26", "garbage_zy_26", "vending_jx_25", "garbage_xy_25"]),
    # the command center's queue: what routing could not place
    ("status=pending_dispatch", ["outside_27", "other_jx_27"]),
    # several values at once, comma-separated
    ("status=pending_dispatch,dispatched",
     ["outside_27", "other_jx_27", "stairwell_zy_26", "garbage_zy_26", "vending_jx_25", "garbage_xy_25"]),
    ("status=duplicate", []),
    # one zone, two zones
    ("zone=zhongyuan", ["stairwell_zy_26", "garbage_zy_26"]),
    ("zone=xiangyi,jiaoxi", ["other_jx_27", "vending_jx_25", "garbage_xy_25"]),
    # one department; the zone's station is a department too
    ("department=sanitation", ["garbage_zy_26", "garbage_xy_25"]),
    ("department=station_zhongyuan", ["stairwell_zy_26"]),
    # by category
    ("category=exposed_garbage", ["outside_27", "garbage_zy_26", "garbage_xy_25"]),
    # filters combine with AND
    ("category=exposed_garbage&zone=zhongyuan", ["garbage_zy_26"]),
    # the 26th in Shanghai time (naive values are local): from inclusive, to exclusive
    ("created_from=2026-11-26T00:00:00&created_to=2026-11-27T00:00:00", ["stairwell_zy_26", "garbage_zy_26"]),
    # the same window with an explicit offset, and in UTC
    ("created_from=2026-11-26T00:00:00%2B08:00&created_to=2026-11-27T00:00:00%2B08:00",
     ["stairwell_zy_26", "garbage_zy_26"]),
    ("created_from=2026-11-25T16:00:00Z&created_to=2026-11-26T16:00:00Z", ["stairwell_zy_26", "garbage_zy_26"]),
    # a bound exactly on a ticket's instant: from includes it, to excludes it
    ("created_from=2026-11-26T11:00:00", ["outside_27", "other_jx_27", "stairwell_zy_26"]),
    ("created_to=2026-11-25T11:00:00", ["garbage_xy_25"]),
])
def test_filters(client, command, tickets, query, expected):
    body = list_tickets(client, command, query)
    assert names(body, tickets) == expected
    assert body["count"] == len(expected)


@pytest.mark.parametrize("query, page, count", [
    # the first page of two
    ("limit=2", ["outside_27", "other_jx_27"], 6),
    # the second page of two
    ("limit=2&offset=2", ["stairwell_zy_26", "garbage_zy_26"], 6),
    # the last, partial page
    ("limit=4&offset=4", ["vending_jx_25", "garbage_xy_25"], 6),
    # past the end: an empty page, the count still tells how many there are
    ("limit=2&offset=10", [], 6),
    # pagination applies after filtering; count is the filtered total
    ("category=exposed_garbage&limit=1&offset=1", ["garbage_zy_26"], 3),
])
def test_pagination(client, command, tickets, query, page, count):
    body = list_tickets(client, command, query)
    assert names(body, tickets) == page
    assert body["count"] == count


def test_page_reports_its_limit_and_offset(client, command, tickets):
    # The default page is 50 from the start.
    body = list_tickets(client, command)
    assert (body["limit"], body["offset"]) == (50, 0)
    body = list_tickets(client, command, "limit=3&offset=1")
    assert (body["limit"], body["offset"]) == (3, 1)


def test_walking_all_pages_gives_every_ticket_once(client, command, tickets):
    # A desk page that follows limit/offset sees each ticket exactly once.
    seen, offset_ = [], 0
    while True:
        page = list_tickets(client, command, f"limit=4&offset={offset_}")["data"]
        if not page:
            break
        seen += [t["id"] for t in page]
        offset_ += 4
    assert sorted(seen) == sorted(tickets.values())


@pytest.mark.parametrize("query", ["overdue=maybe", "supervised=yes", "mine=2"])
def test_yes_no_filters_refuse_other_values(client, command, query):
    # a typo must not silently mean "no filter": the command center would read the wrong list
    response = client.get(f"/api/v1/tickets?{query}", headers=command)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_filter"


def test_an_unencoded_plus_in_an_offset_is_understood(client, command, inspector, clock):
    # curl users type `created_from=2026-11-25T09:00:00+08:00` unencoded: the "+" arrives as a space
    report(client, inspector, at=INTERIOR["xiangyi"])
    plain = client.get("/api/v1/tickets?created_from=2026-11-25T09:00:00+08:00", headers=command)
    encoded = client.get("/api/v1/tickets?created_from=2026-11-25T09:00:00%2B08:00", headers=command)
    assert plain.status_code == encoded.status_code == 200
    assert plain.get_json()["count"] == encoded.get_json()["count"] == 1


@pytest.fixture
def later(app, client, command, tickets, clock):
    """The fixture's tickets a month on, the escalation sweep run: the four dispatched tickets are long past
    their deadlines (escalated to the top level, which puts them under 督办); the two waiting for dispatch
    have none, but the command center put other_jx_27 under 督办 by hand."""
    from dispatch import db
    from dispatch.escalation.sweep import sweep

    response = client.post(f"/api/v1/tickets/{tickets['other_jx_27']}/actions", json={"action": "supervise"},
                           headers=command)
    assert response.status_code == 200, response.get_json()
    clock.set(datetime(2026, 12, 28, 2, 0, tzinfo=UTC))
    with app.app_context():
        sweep(session=db.session(), config=app.extensions["street_config"], now=clock())
    return tickets


DISPATCHED = ["stairwell_zy_26", "garbage_zy_26", "vending_jx_25", "garbage_xy_25"]
EVERYTHING = ["outside_27", "other_jx_27", *DISPATCHED]


@pytest.mark.parametrize("who, query, expected", [
    # past a deadline: only tickets that have deadlines running
    ("command", "overdue=1", DISPATCHED),
    ("command", "overdue=true&zone=zhongyuan", ["stairwell_zy_26", "garbage_zy_26"]),
    # 0 / false filter nothing (they do not mean "not overdue")
    ("command", "overdue=0", EVERYTHING),
    ("command", "supervised=false", EVERYTHING),
    ("command", "supervised=1", ["other_jx_27", *DISPATCHED]),
    # escalated at least this far: 0 is the warning (预警); a ticket never escalated has no level
    ("command", "min_escalation_level=0", DISPATCHED),
    ("command", "min_escalation_level=1&zone=jiaoxi", ["vending_jx_25"]),
    # my reports: the inspector reported them all, the command center none
    ("inspector", "mine=1", EVERYTHING),
    ("command", "mine=true", []),
])
def test_yes_no_and_escalation_filters(client, command, inspector, later, who, query, expected):
    body = list_tickets(client, {"command": command, "inspector": inspector}[who], query)
    assert names(body, later) == expected


@pytest.mark.parametrize("query, expected", [
    # a blank parameter is absent, as on every GET route: its default applies
    ("status=&limit=&overdue=&min_escalation_level=", EVERYTHING),
    # spaces around a value, and empty items of a comma list, are ignored
    ("status=%20pending_dispatch,,", ["outside_27", "other_jx_27"]),
    ("limit=%202%20", ["outside_27", "other_jx_27"]),
    # a number in full-width digits (a Chinese input method's) reads as the number
    ("limit=%EF%BC%92", ["outside_27", "other_jx_27"]),
])
def test_lenient_spellings(client, command, tickets, query, expected):
    assert names(list_tickets(client, command, query), tickets) == expected


@pytest.mark.parametrize("query, message", [
    # a code the street does not have: the comma list's name and every unknown value
    ("status=open", "status: unknown value(s) open"),
    ("zone=putuo,zhongyuan,nowhere", "zone: unknown value(s) putuo, nowhere"),
    ("department=fire_brigade", "department: unknown value(s) fire_brigade"),
    ("category=ufo_sighting", "category: unknown value(s) ufo_sighting"),
    # numbers: not a whole number, or out of its range
    ("limit=5.0", "limit must be an integer"),
    ("limit=501", "limit must be between 1 and 500"),
    ("offset=-1", "offset must be between 0 and 1000000000"),
    ("min_escalation_level=ten", "min_escalation_level must be an integer"),
    ("min_escalation_level=10", "min_escalation_level must be between 0 and 9"),
    # date-times: not ISO 8601, or naive at the start of the calendar (no UTC form)
    ("created_to=2026-11-26T25:00", "created_to must be an ISO-8601 date-time"),
    ("created_from=0001-01-01T00:00:00", "created_from must be an ISO-8601 date-time"),
    # yes/no
    ("overdue=yes", "overdue must be 1, true, 0 or false"),
])
def test_refusals_say_which_filter_and_why(client, command, query, message):
    response = client.get(f"/api/v1/tickets?{query}", headers=command)
    assert response.status_code == 400
    assert response.get_json()["error"] == {"code": "invalid_filter", "message": message}
