"""A department keeps reading a ticket it held in an earlier dispatch round (退单, 自行处置, 改派), never acting on it.

The timeline is its legal record (留痕) of what it did and when, so a former holder may GET the ticket
and its photos; every action stays with the current department (403 otherwise); its work queue (the
default list) holds only what it holds now, and `?held=1` lists what it held in any round. A
department that never held the ticket still gets 404, as if it did not exist.
"""
from __future__ import annotations

import pytest
from sqlalchemy import delete, text
from sqlmodel import Session, col, select

from dispatch import migrations
from dispatch.tickets import holders
from dispatch.tickets.models import TicketDepartment
from tests.dispatch.helpers import list_tickets
from tests.dispatch.lifecycle import (Street, act, get, new_report, reassigned, returned, returned_then_redispatched,
                                      self_resolved, upload)


@pytest.fixture
def street(street, make_user) -> Street:
    """The usual cast (tests/dispatch/conftest.py) and 房管办, a department that never holds the tickets below."""
    street.users["housing1"], street.housing = make_user("housing1", "department", department="housing")
    return street


HOW_IT_LEFT = [returned, returned_then_redispatched, self_resolved, reassigned]
# Every action, as a former holder would send it: the role or department check refuses each (403),
# before any status check, exactly as for any other department's ticket it can see.
ACTIONS = [
    ("accept", {}), ("return", {"reason": "再退"}), ("start", {}), ("resolve", {}),
    ("request_extension", {"days": 1, "reason": "需协调"}), ("dispatch", {"department": "sanitation"}),
    ("verify", {"passed": True}), ("self_resolve", {}), ("cancel", {"reason": "误报"}),
    ("supervise", {}), ("suspend", {"reason": "等待"}),
]


@pytest.mark.parametrize("how", HOW_IT_LEFT, ids=lambda f: f.__name__)
def test_a_former_holder_reads_the_ticket_and_its_photos(street, how):
    tid = how(street)
    photo = upload(street, street.inspector, tid, stage="before").get_json()["photo"]
    ticket = get(street, tid, street.sanitation)
    assert ticket["department"] != "sanitation"
    # its own steps are in the record it reads: the dispatch to it, and its 退单 with the reason it gave
    steps = [(e["action"], e["data"].get("department") or e["data"].get("returned_by")) for e in ticket["timeline"]]
    assert ("dispatch", "sanitation") in steps
    if how not in (self_resolved, reassigned):
        assert ("return", "sanitation") in steps
        assert "建筑垃圾，属城管" in [e["note"] for e in ticket["timeline"]]
    assert photo["id"] in [p["id"] for p in ticket["photos"]]
    response = street.client.get(photo["url"], headers=street.sanitation)
    assert response.status_code == 200 and response.data.startswith(b"\x89PNG")


@pytest.mark.parametrize("how", HOW_IT_LEFT, ids=lambda f: f.__name__)
@pytest.mark.parametrize("action, body", ACTIONS, ids=[a for a, _ in ACTIONS])
def test_a_former_holder_may_not_act(street, how, action, body):
    tid = how(street)
    before = get(street, tid)
    error = act(street, street.sanitation, tid, action, expect=403, **body)["error"]
    assert error["code"] == "forbidden"
    after = get(street, tid)
    assert (after["version"], after["status"], len(after["timeline"])) == (
        before["version"], before["status"], len(before["timeline"]))


@pytest.mark.parametrize("how", HOW_IT_LEFT, ids=lambda f: f.__name__)
def test_a_former_holder_adds_no_photos(street, how):
    tid = how(street)
    response = upload(street, street.sanitation, tid, stage="after", expect=403)
    assert response.get_json()["error"]["code"] == "forbidden"


def ids(body: dict) -> list[int]:
    return [t["id"] for t in body["data"]]


def test_the_default_list_is_the_work_queue_and_held_lists_every_round(street):
    gone = returned_then_redispatched(street)
    relieved = self_resolved(street)
    mine = new_report(street)["id"]  # still sanitation's
    # the work queue: only what sanitation holds now
    assert ids(list_tickets(street.client, street.sanitation)) == [mine]
    # ?held=1: every ticket dispatched to it in any round, newest first, counted
    body = list_tickets(street.client, street.sanitation, "held=1")
    assert ids(body) == [mine, relieved, gone] and body["count"] == 3
    # other filters still narrow it: 城管 has it now, in progress
    assert ids(list_tickets(street.client, street.sanitation, "held=true&status=in_progress")) == [gone]
    assert ids(list_tickets(street.client, street.sanitation, "held=0")) == [mine]
    # the current holder sees it in its own queue, with or without held
    assert ids(list_tickets(street.client, street.chengguan)) == [gone]
    assert ids(list_tickets(street.client, street.chengguan, "held=1")) == [gone]
    # the command center: ?department= is the current department; with held, any round's
    assert ids(list_tickets(street.client, street.command, "department=sanitation")) == [mine]
    assert ids(list_tickets(street.client, street.command, "department=sanitation&held=1")) == [mine, relieved, gone]
    assert ids(list_tickets(street.client, street.command, "department=chengguan&held=1")) == [gone]
    # an inspector's view is not widened by it
    assert ids(list_tickets(street.client, street.inspector_jiaoxi, "held=1")) == []


def test_held_does_not_widen_a_department_to_others_tickets(street):
    gone = returned_then_redispatched(street)
    # 城管 asking for sanitation's history gets only what it held itself
    assert ids(list_tickets(street.client, street.chengguan, "held=1&department=sanitation")) == [gone]
    assert ids(list_tickets(street.client, street.housing, "held=1")) == []
    assert ids(list_tickets(street.client, street.housing, "held=1&department=sanitation")) == []


def test_held_takes_a_flag(street):
    body = list_tickets(street.client, street.sanitation, "held=yes", expect=400)
    assert body["error"]["code"] == "invalid_filter"


@pytest.mark.parametrize("how", HOW_IT_LEFT, ids=lambda f: f.__name__)
def test_a_department_that_never_held_it_still_gets_404(street, how):
    tid = how(street)
    photo = upload(street, street.inspector, tid, stage="before").get_json()["photo"]
    for path in (f"/api/v1/tickets/{tid}", photo["url"], f"/desk/tickets/{tid}.json"):
        response = street.client.get(path, headers=street.housing)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"
    assert act(street, street.housing, tid, "accept", expect=404)["error"]["code"] == "not_found"
    assert upload(street, street.housing, tid, expect=404).get_json()["error"]["code"] == "not_found"


def test_each_dispatch_round_is_recorded_with_its_department(app, street):
    tid = returned_then_redispatched(street)
    with Session(app.extensions["db_engine"]) as session:
        rounds = session.exec(select(TicketDepartment.round, TicketDepartment.department)
                              .where(TicketDepartment.ticket_id == tid).order_by(col(TicketDepartment.round))).all()
    assert [tuple(r) for r in rounds] == [(1, "sanitation"), (2, "chengguan")]


def backfill(engine) -> int:
    """Migration 0003's fill of ticket_departments from the timeline, on `engine`; how many rows it added."""
    with engine.begin() as conn:
        return migrations.scripts().get_revision("0003").module.fill(conn)


def test_a_database_made_before_the_table_is_filled_from_the_timeline_once(app, street):
    gone = returned_then_redispatched(street)
    relieved = self_resolved(street)
    engine = app.extensions["db_engine"]
    with Session(engine) as session:
        before = session.exec(select(TicketDepartment.ticket_id, TicketDepartment.department, TicketDepartment.round,
                                     TicketDepartment.dispatched_at).order_by(col(TicketDepartment.id))).all()
        session.exec(delete(TicketDepartment))  # as an older version left it: tickets, timelines, no rows
        session.commit()
    assert list_tickets(street.client, street.sanitation, "held=1")["count"] == 0
    with Session(engine) as session:
        assert backfill(engine) == len(before) == 3
        after = session.exec(select(TicketDepartment.ticket_id, TicketDepartment.department, TicketDepartment.round,
                                    TicketDepartment.dispatched_at).order_by(col(TicketDepartment.id))).all()
        assert sorted(map(tuple, after)) == sorted(map(tuple, before))
        assert backfill(engine) == 0  # once: rows exist now
    assert ids(list_tickets(street.client, street.sanitation, "held=1")) == [relieved, gone]
    assert get(street, gone, street.sanitation)["department"] == "chengguan"


def test_backfill_of_a_database_with_nothing_dispatched_does_nothing(app, street):
    new_report(street, "other")  # waits for the command center: never dispatched
    assert backfill(app.extensions["db_engine"]) == 0


def test_the_held_lookup_is_an_index_search(app, street):
    # what the list's subquery and the per-ticket check (a where on ticket_id added) ask of the table
    # is answered from the (department, ticket_id) index alone: no table scan, no timeline read
    tid = returned(street)
    engine = app.extensions["db_engine"]
    with engine.connect() as conn:
        for stmt in (holders.held_ticket_ids(["sanitation"]),
                     holders.held_ticket_ids(["sanitation"]).where(TicketDepartment.ticket_id == tid)):
            sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
            assert "COVERING INDEX ix_ticket_departments_department_ticket" in plan and "SCAN" not in plan, plan


def test_the_held_filter_is_documented(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/tickets"]["get"]
    held = next(p for p in operation["parameters"] if p["name"] == "held")
    assert held["in"] == "query" and held["schema"]["enum"] == ["1", "true", "0", "false"]
