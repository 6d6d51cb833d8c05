"""The assist sweep (协办超期升级): a late 报到 climbs the ticket ladder once, is told, and is caught up after
downtime; a task checked in on time never escalates."""
from __future__ import annotations

import pytest
from sqlmodel import Session

from dispatch.escalation.models import OutboxMessage
from dispatch.tickets.models import AssistEscalation, AssistTask, TimelineEntry

from .conftest import sh


@pytest.fixture
def database_url(both_backends_url):
    return both_backends_url


def _rows(app, model, **where):
    from sqlmodel import col, select

    with Session(app.extensions["db_engine"]) as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return list(session.exec(query.order_by(col(model.id))))


def test_a_late_check_in_is_escalated_once_on_the_ticket_ladder(app, joint_case, assist_sweep_at):
    tid = joint_case
    assert assist_sweep_at(sh(2026, 11, 25, 11, 35)) == []
    warned = assist_sweep_at(sh(2026, 11, 25, 11, 36))
    assert [(r["department"], r["deadline"], r["level"], r["caught_up"]) for r in warned] == [
        ("housing", "checkin", 0, False)]
    late = assist_sweep_at(sh(2026, 11, 25, 12, 0))
    assert [(r["department"], r["deadline"], r["level"]) for r in late] == [("housing", "checkin", 1)]
    assert assist_sweep_at(sh(2026, 11, 25, 12, 0)) == []  # the second run finds nothing: exactly once
    assert assist_sweep_at(sh(2026, 11, 25, 12, 1)) == []

    records = _rows(app, AssistEscalation, ticket_id=tid)
    assert [(r.deadline, r.level, r.due_at) for r in records] == [
        ("checkin", 0, sh(2026, 11, 25, 11, 36)), ("checkin", 1, sh(2026, 11, 25, 12, 0))]
    entries = _rows(app, TimelineEntry, ticket_id=tid, action="assist_escalate")
    assert [e.note for e in entries] == ["房管办报到预警", "房管办报到超期 一级"]
    told = _rows(app, OutboxMessage, ticket_id=tid)
    assert [(m.payload["level"], m.recipient) for m in told] == [
        (0, "housing"), (1, "department_head"), (1, "station_xiangyi"), (1, "command_center")]
    assert {m.payload["task"] for m in told} == {"核查租赁"}


def test_downtime_is_caught_up_level_by_level_and_a_check_in_stops_the_ladder(app, client, make_user, joint_case,
                                                                            assist_sweep_at):
    # nothing ran from Wednesday morning to Thursday 14:00: 预警, 超期 and 督办 (+1 WD) of the 报到 are all due
    caught = assist_sweep_at(sh(2026, 11, 26, 14, 0))
    assert [(r["deadline"], r["level"], r["caught_up"]) for r in caught] == [
        ("checkin", 0, True), ("checkin", 1, True), ("checkin", 2, True)]
    housing = make_user("housing2", "department", department="housing")[1]
    answer = client.post(f"/api/v1/tickets/{joint_case}/actions", headers=housing, json={"action": "check_in"})
    assert answer.status_code == 200
    # the 报到 ladder stops at the check-in; the task deadlines (Monday 10:00) warn at 80 % of 3 WD, Friday
    later = assist_sweep_at(sh(2026, 11, 30, 9, 0))
    assert [(r["department"], r["deadline"], r["level"]) for r in later] == [("police", "task", 0),
                                                                             ("housing", "task", 0)]
    tasks = _rows(app, AssistTask, ticket_id=joint_case)
    assert [t.checkin_next_at for t in tasks] == [None, None]
