"""The command center's controls over HTTP: 改派 (reassign), 催办 (urge) and bulk 派遣/督办/催办.

改派 is a new dispatch round for another department: fresh deadlines from the moment of 改派, the
escalation ladder starting again at 预警, the old department keeping read access and nothing more.
催办 is a reminder on the timeline and in the outbox, at most once an hour per ticket.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from dispatch import db
from dispatch.escalation.models import OutboxMessage
from dispatch.tickets.models import Status
from tests.dispatch.helpers import at_local, local
from tests.dispatch.lifecycle import act, get, new_report, ticket_in


@pytest.fixture
def database_url(both_backends_url):
    """SQLite, and PostgreSQL when TEST_DATABASE_URL is set (bulk actions roll back per ticket)."""
    return both_backends_url


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session().exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


# --- 改派 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.dispatched, Status.in_progress])
def test_reassign_starts_a_new_round_with_fresh_deadlines(street, status):
    street.clock.set(local(2026, 11, 25, 10, 0))  # Wed 10:00: exposed_garbage, 1 WH to 签收, 4 WH to 处置
    tid = new_report(street)["id"]
    if status == Status.in_progress:
        act(street, street.sanitation, tid, "accept")
    street.clock.set(local(2026, 11, 25, 14, 0))
    ticket = act(street, street.command, tid, "reassign", department="chengguan", reason="占道堆物，属城管")["ticket"]
    assert (ticket["status"], ticket["department"]) == ("dispatched", "chengguan")
    assert at_local(ticket["deadlines"]["response"]["due_at"]) == "2026-11-25 15:00"  # 1 WH from 14:00
    assert at_local(ticket["deadlines"]["resolve"]["due_at"]) == "2026-11-26 09:00"   # 4 WH: 3.5 today, 0.5 tomorrow
    assert ticket["accepted_at"] is None
    step = get(street, tid)["timeline"][-1]
    assert (step["action"], step["note"], step["from_status"], step["to_status"]) == (
        "reassign", "占道堆物，属城管", status, "dispatched")
    assert step["data"]["reassigned_from"] == "sanitation" and step["data"]["department"] == "chengguan"
    history = [(h["deadline"], h["reason"]) for h in get(street, tid)["deadline_history"]][-4:]
    assert history == [("response", "reassign"), ("resolve", "reassign"), ("response", "dispatch"),
                       ("resolve", "dispatch")]


def test_reassign_restarts_the_escalation_ladder(street, app):
    street.clock.set(local(2026, 11, 25, 9, 0))
    tid = new_report(street)["id"]  # 签收 due 10:00
    street.clock.set(local(2026, 11, 25, 10, 30))
    with app.app_context():
        from dispatch.escalation import sweep
        sweep.sweep(session=db.session(), config=app.extensions["street_config"], now=street.clock())
    assert get(street, tid)["escalation_level"] == 1  # 预警 and 超期 reached on sanitation's watch
    ticket = act(street, street.command, tid, "reassign", department="chengguan", reason="城管接手")["ticket"]
    assert ticket["escalation_level"] == -1
    assert ticket["deadlines"]["response"]["overdue"] is False
    # the new round climbs its own ladder: nothing due now, 预警 again at 80 % of the new window
    with app.app_context():
        from dispatch.escalation import sweep
        assert sweep.sweep(session=db.session(), config=app.extensions["street_config"], now=street.clock()) == []
        street.clock.set(local(2026, 11, 25, 11, 20))  # 50 of 60 working minutes gone
        found = sweep.sweep(session=db.session(), config=app.extensions["street_config"], now=street.clock())
    assert [(f["deadline"], f["level"]) for f in found] == [("response", 0)]


def test_the_old_department_reads_the_reassigned_ticket_and_may_not_act(street):
    tid = new_report(street)["id"]
    act(street, street.command, tid, "reassign", department="chengguan", reason="属城管")
    assert get(street, tid, street.sanitation)["department"] == "chengguan"
    assert act(street, street.sanitation, tid, "accept", expect=403)["error"]["code"] == "forbidden"
    act(street, street.chengguan, tid, "accept")
    page = street.client.get(f"/desk/tickets/{tid}.json", headers=street.sanitation).get_json()
    assert "改派" in page["former_holder"]["notice"] and "属城管" in page["former_holder"]["notice"]
    assert page["actions"] == []


@pytest.mark.parametrize("who, expect", [("sanitation", 403), ("inspector", 403),
                                         ("chengguan", 404)])  # 城管 never held it: it does not exist for it
def test_only_the_command_center_reassigns(street, who, expect):
    tid = new_report(street)["id"]
    act(street, getattr(street, who), tid, "reassign", expect=expect, department="chengguan", reason="x")
    assert get(street, tid)["department"] == "sanitation"


@pytest.mark.parametrize("status", [Status.pending_dispatch, Status.resolved, Status.closed, Status.suspended,
                                    Status.cancelled])
def test_reassign_is_refused_outside_a_departments_hands(street, status):
    tid = ticket_in(street, status)["id"]
    error = act(street, street.command, tid, "reassign", expect=409, department="chengguan", reason="x")["error"]
    assert error["code"] == "illegal_transition"


@pytest.mark.parametrize("body, code", [
    ({"department": "chengguan"}, "validation_error"),                      # no reason
    ({"department": "sanitation", "reason": "x"}, "same_department"),        # where it already is
    ({"department": "command_center", "reason": "x"}, "no_desk"),           # nobody there signs for it
    ({"department": "nowhere", "reason": "x"}, "unknown_department"),
    ({"reason": "x"}, "validation_error"),                                  # no department
])
def test_reassign_needs_another_department_with_a_desk_and_a_reason(street, body, code):
    tid = new_report(street)["id"]
    assert act(street, street.command, tid, "reassign", expect=422, **body)["error"]["code"] == code
    assert get(street, tid)["department"] == "sanitation"


def test_reassign_withdraws_a_waiting_extension_and_notifies_both_departments(street, app):
    tid = new_report(street)["id"]
    act(street, street.sanitation, tid, "accept")
    act(street, street.sanitation, tid, "request_extension", days=1, reason="需协调")
    act(street, street.command, tid, "reassign", department="chengguan", reason="属城管")
    page = street.client.get(f"/desk/tickets/{tid}.json", headers=street.command).get_json()
    assert page["pending_extension"] is None
    sent = [(m.recipient, m.payload["kind"]) for m in outbox(app) if m.ticket_id == tid]
    assert sent == [("chengguan", "reassign"), ("sanitation", "reassign")]


# --- 催办 -------------------------------------------------------------------------------------------


def test_urge_is_on_the_timeline_notifies_the_department_and_marks_the_desk(street, app):
    tid = new_report(street)["id"]
    ticket = act(street, street.command, tid, "urge", note="请尽快签收")["ticket"]
    assert ticket["status"] == "dispatched"
    step = get(street, tid)["timeline"][-1]
    assert (step["action"], step["note"]) == ("urge", "请尽快签收")
    [message] = [m for m in outbox(app) if m.ticket_id == tid]
    assert (message.recipient, message.channel, message.payload["kind"], message.payload["note"]) == (
        "sanitation", "webhook", "urge", "请尽快签收")
    row = next(t for t in street.client.get("/desk/queues.json", headers=street.sanitation).get_json()
               ["queues"]["pending"]["tickets"] if t["id"] == tid)
    assert row["urged"]["count"] == 1 and row["urged"]["note"] == "请尽快签收"


def test_urge_at_most_once_an_hour(street):
    street.clock.set(local(2026, 11, 25, 10, 0))
    tid = new_report(street)["id"]
    act(street, street.command, tid, "urge")
    street.clock.set(local(2026, 11, 25, 10, 59))
    error = act(street, street.command, tid, "urge", expect=409)["error"]
    assert error["code"] == "urge_too_soon" and error["retry_after_minutes"] == 1
    assert [e["action"] for e in get(street, tid)["timeline"]].count("urge") == 1
    street.clock.set(local(2026, 11, 25, 11, 0))
    act(street, street.command, tid, "urge")


@pytest.mark.parametrize("status", [Status.pending_dispatch, Status.resolved, Status.suspended])
def test_urge_needs_a_department_at_work(street, status):
    tid = ticket_in(street, status)["id"]
    assert act(street, street.command, tid, "urge", expect=409)["error"]["code"] == "illegal_transition"


def test_a_department_may_not_urge(street):
    tid = new_report(street)["id"]
    assert act(street, street.sanitation, tid, "urge", expect=403)["error"]["code"] == "forbidden"


# --- bulk ------------------------------------------------------------------------------------------


def bulk(street, headers, expect=200, **body):
    response = street.client.post("/api/v1/tickets/bulk-actions", json=body, headers=headers)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_bulk_dispatch_says_which_succeeded_and_why_the_others_failed(street):
    waiting = [ticket_in(street, Status.pending_dispatch)["id"] for _ in range(2)]
    elsewhere = new_report(street)["id"]  # routed at once: not waiting for dispatch
    answer = bulk(street, street.command, action="dispatch", department="chengguan",
                  ticket_ids=[waiting[0], elsewhere, 999999, waiting[1]])
    assert (answer["succeeded"], answer["failed"]) == (2, 2)
    outcome = [(r["ticket_id"], r["ok"], r["error"] and r["error"]["code"]) for r in answer["results"]]
    assert outcome == [(waiting[0], True, None), (elsewhere, False, "illegal_transition"),
                       (999999, False, "not_found"), (waiting[1], True, None)]
    assert [get(street, t)["department"] for t in waiting] == ["chengguan", "chengguan"]
    assert get(street, elsewhere)["department"] == "sanitation"


def test_bulk_supervise_skips_nothing_silently(street):
    a, b = new_report(street)["id"], ticket_in(street, Status.closed)["id"]
    answer = bulk(street, street.command, action="supervise", ticket_ids=[a, b])
    assert [r["ok"] for r in answer["results"]] == [True, False]
    assert answer["results"][1]["status"] == "closed"
    assert get(street, a)["supervised"] is True


def test_bulk_urge_keeps_the_rate_limit_per_ticket(street):
    a, b = new_report(street)["id"], new_report(street)["id"]
    act(street, street.command, a, "urge")
    street.clock.set(street.clock() + timedelta(minutes=5))
    answer = bulk(street, street.command, action="urge", ticket_ids=[a, b])
    assert [(r["ok"], r["error"] and r["error"]["code"]) for r in answer["results"]] == [
        (False, "urge_too_soon"), (True, None)]


@pytest.mark.parametrize("who", ["sanitation", "inspector"])
def test_bulk_is_the_command_centers(street, who):
    tid = new_report(street)["id"]
    answer = bulk(street, getattr(street, who), expect=403, action="supervise", ticket_ids=[tid])
    assert answer["error"]["code"] == "forbidden"


@pytest.mark.parametrize("body", [{"action": "supervise", "ticket_ids": []},
                                  {"action": "supervise", "ticket_ids": [1, 1]},
                                  {"action": "cancel", "ticket_ids": [1]},
                                  {"action": "supervise", "ticket_ids": list(range(1, 102))}])
def test_bulk_refuses_a_malformed_selection(street, body):
    assert bulk(street, street.command, expect=422, **body)["error"]["code"] == "validation_error"


def test_counting_again_starts_from_the_reassign(street, app):
    # `deadlines recompute` replays a running deadline from its round's start: after 改派 that is the 改派,
    # so the same calendar moves nothing (replayed from the first dispatch, both deadlines would "move")
    street.clock.set(local(2026, 11, 25, 10, 0))
    tid = new_report(street)["id"]
    street.clock.set(local(2026, 11, 25, 14, 0))
    act(street, street.command, tid, "reassign", department="chengguan", reason="属城管")
    with app.app_context():
        from dispatch.tickets import recompute
        changed = recompute.recompute(session=db.session(), config=app.extensions["street_config"],
                                      now=street.clock(), dry_run=True)
    assert [c for c in changed if c.ticket_id == tid] == []
