"""不满意 → a reopen request → the command center reopens the ticket as rework (回访返工), or declines (驳回返工)."""
from __future__ import annotations

import pytest

from tests.dispatch.followup.helpers import closed_ticket, followups_of, set_source, visit
from tests.dispatch.helpers import at_local, local
from tests.dispatch.lifecycle import act, get, self_resolved, upload


@pytest.fixture
def unhappy(street, app):
    """A 居委's ticket, closed Wed 10:00; its 回访 on Thu 09:00 finds the resident 不满意."""
    ticket = closed_ticket(street, app, source="committee")
    task = followups_of(app, ticket["id"])[0]
    street.clock.set(local(2026, 11, 26, 9, 0))
    body = visit(street, street.inspector, task.id, reached=True, rating="dissatisfied", note="垃圾又堆回来了")
    assert body["followup"]["reopen_request"] == "pending"
    return ticket


def test_the_command_center_sees_the_request_and_reopening_sends_it_back_to_its_department(street, app, unhappy):
    queue = street.client.get("/api/v1/reopen-requests", headers=street.command).get_json()
    assert queue["count"] == 1
    assert (queue["data"][0]["number"], queue["data"][0]["reason"]) == (unhappy["number"], "垃圾又堆回来了")
    before = get(street, unhappy["id"])
    assert before["status"] == "closed"
    street.clock.set(local(2026, 11, 26, 10, 0))
    after = act(street, street.command, unhappy["id"], "reopen", note="同意返工")["ticket"]
    assert (after["status"], after["department"], after["rework_count"], after["closed_at"], after["resolved_at"]) == (
        "in_progress", "sanitation", 1, None, None)
    # the resolve deadline stays where it was (as a failed 核查's rework): it is now late
    assert after["deadlines"]["resolve"]["due_at"] == before["deadlines"]["resolve"]["due_at"]
    assert at_local(after["deadlines"]["resolve"]["due_at"]) == "2026-11-25 15:00"  # 4 WH from Wed 10:00
    assert after["deadlines"]["resolve"]["overdue"] is True
    assert len(after["deadline_history"]) == len(before["deadline_history"])
    step = after["timeline"][-1]
    assert (step["action"], step["from_status"], step["to_status"], step["note"]) == (
        "reopen", "closed", "in_progress", "同意返工")
    assert street.client.get("/api/v1/reopen-requests", headers=street.command).get_json()["count"] == 0
    # the department sees it again and works on it; closed again, it is visited again
    assert street.client.get(f"/api/v1/tickets/{unhappy['id']}", headers=street.sanitation).status_code == 200
    upload(street, street.sanitation, unhappy["id"], stage="after")
    act(street, street.sanitation, unhappy["id"], "resolve")
    act(street, street.command, unhappy["id"], "verify", passed=True)
    again = followups_of(app, unhappy["id"])
    assert [(f.closure, f.reason) for f in again] == [(1, "source"), (2, "reopened")]


def test_declining_keeps_it_closed_and_needs_a_reason(street, unhappy):
    refused = act(street, street.command, unhappy["id"], "decline_reopen", expect=422)
    assert "驳回返工 needs a `reason`" in refused["error"]["message"]
    ticket = act(street, street.command, unhappy["id"], "decline_reopen", reason="已现场复核，垃圾为新投放")["ticket"]
    assert (ticket["status"], ticket["rework_count"], ticket["timeline"][-1]["action"]) == ("closed", 0, "decline_reopen")
    assert ticket["timeline"][-1]["note"] == "已现场复核，垃圾为新投放"
    assert act(street, street.command, unhappy["id"], "reopen", expect=409)["error"]["code"] == "no_reopen_pending"
    listed = street.client.get(f"/api/v1/tickets/{unhappy['id']}/followups", headers=street.inspector).get_json()
    assert listed["data"][0]["reopen_request"] == "declined"


def test_only_the_command_center_decides(street, unhappy):
    for headers in (street.inspector, street.sanitation):
        assert act(street, headers, unhappy["id"], "reopen", expect=403)["error"]["code"] == "forbidden"
    assert street.client.get("/api/v1/reopen-requests", headers=street.inspector).status_code == 403


def test_a_closed_ticket_without_a_request_cannot_be_reopened(street, app):
    ticket = closed_ticket(street, app, source="open311")
    assert act(street, street.command, ticket["id"], "reopen", expect=409)["error"]["code"] == "no_reopen_pending"
    assert act(street, street.command, ticket["id"], "decline_reopen", reason="x",
               expect=409)["error"]["code"] == "no_reopen_pending"
    # and an open ticket is not reopened at all: the table says so
    open_ticket = act(street, street.command, ticket["id"], "supervise", expect=409)
    assert open_ticket["error"]["code"] == "illegal_transition"


def test_a_ticket_nobody_held_goes_back_to_the_command_center(street, app):
    # fixed on the spot (自行处置), checked by a colleague, closed: no department to send it back to
    tid = self_resolved(street)
    set_source(app, tid, "committee")
    act(street, street.inspector2, tid, "verify", passed=True)
    task = followups_of(app, tid)[0]
    visit(street, street.inspector2, task.id, reached=True, rating="dissatisfied", note="楼道又堆满了")
    ticket = act(street, street.command, tid, "reopen")["ticket"]
    assert (ticket["status"], ticket["department"], ticket["rework_count"]) == ("pending_dispatch", None, 1)
    assert ticket["timeline"][-1]["note"] == "回访不满意，城运中心批准返工"
