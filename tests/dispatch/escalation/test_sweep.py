"""The escalation sweep: each level at its instant, once, caught up after downtime, never when suspended."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session

from dispatch.escalation.models import OutboxMessage
from dispatch.tickets.models import Escalation
from dispatch.escalation.sweep import is_caught_up, level_note, recipients
from dispatch.tickets.models import Ticket, TimelineEntry

from .conftest import sh

# A ticket reported (and auto-dispatched) on Wednesday 2026-11-25 at 10:00 Shanghai time.
REPORTED = sh(2026, 11, 25, 10, 0)

# The ladder of that ticket, in order: (instant, deadline, level, timeline note, recipients, 督办 after it).
# response 1 WH → due 11:00; resolve 4 WH → due 15:00 (lunch 12:00–13:00 does not count).
LADDER = [
    # 80 % of the 60-minute response window: 10:48
    (sh(2026, 11, 25, 10, 48), "response", 0, "签收预警", ["sanitation"], False),
    # the response deadline itself
    (sh(2026, 11, 25, 11, 0), "response", 1, "签收超期 一级",
     ["department_head", "station_xiangyi", "command_center"], False),
    # 80 % of 240 working minutes = 192: 10:00→12:00 is 120, then 72 more after lunch → 14:12
    (sh(2026, 11, 25, 14, 12), "resolve", 0, "处置预警", ["sanitation"], False),
    (sh(2026, 11, 25, 15, 0), "resolve", 1, "处置超期 一级",
     ["department_head", "station_xiangyi", "command_center"], False),
    # deadline + 1 WD: Thursday, same time of day; 督办 flags the ticket
    (sh(2026, 11, 26, 11, 0), "response", 2, "签收督办 二级", ["command_supervisor"], True),
    (sh(2026, 11, 26, 15, 0), "resolve", 2, "处置督办 二级", ["command_supervisor"], True),
    # deadline + 3 WD: Thu → Fri → (weekend) → Monday
    (sh(2026, 11, 30, 11, 0), "response", 3, "签收分管领导督办 三级", ["street_leader"], True),
    (sh(2026, 11, 30, 15, 0), "resolve", 3, "处置分管领导督办 三级", ["street_leader"], True),
]


@pytest.fixture
def database_url(both_backends_url):
    return both_backends_url


def test_each_level_falls_due_at_its_instant_and_is_told(report, sweep_at, rows, load_ticket):
    ticket = report(at=REPORTED)
    for step, (at, kind, level, note, told, supervised) in enumerate(LADDER, start=1):
        assert sweep_at(at - timedelta(seconds=1)) == [], f"nothing is due just before {note}"
        done = sweep_at(at)
        assert [(r["ticket"], r["number"], r["deadline"], r["level"]) for r in done] == \
            [(ticket["id"], ticket["number"], kind, level)], note

        escalations = rows(Escalation, ticket_id=ticket["id"])
        assert len(escalations) == step
        last = escalations[-1]
        assert (last.deadline, last.level, last.due_at, last.caught_up) == (kind, level, at, False)

        entries = rows(TimelineEntry, ticket_id=ticket["id"], action="escalate")
        assert len(entries) == step
        assert entries[-1].note == note
        assert entries[-1].actor_role == "system"
        assert entries[-1].data["escalation_id"] == last.id

        messages = rows(OutboxMessage, escalation_id=last.id)
        assert [m.recipient for m in messages] == told
        for m in messages:
            assert m.sent_at is None and m.next_attempt_at == at and m.attempts == 0
            assert {k: m.payload[k] for k in ("ticket_id", "number", "category", "zone", "department",
                                               "deadline", "level", "level_name")} == {
                "ticket_id": ticket["id"], "number": ticket["number"], "category": "exposed_garbage",
                "zone": "xiangyi", "department": "sanitation", "deadline": kind, "level": level,
                "level_name": note[2:].split(" ")[0]}
            assert datetime.fromisoformat(m.payload["due_at"]) == at

        saved = load_ticket(ticket["id"])
        assert saved.escalation_level == max(lv for _, _, lv, *_ in LADDER[:step])
        assert saved.supervised is supervised
    # The ladder is done: nothing is scheduled and nothing more happens.
    saved = load_ticket(ticket["id"])
    assert (saved.response_next_at, saved.resolve_next_at) == (None, None)
    assert sweep_at(sh(2027, 6, 1, 10, 0)) == []


def test_the_api_shows_level_and_supervision(report, sweep_at, client, command):
    ticket = report(at=REPORTED)
    sweep_at(sh(2026, 11, 26, 11, 0))
    body = client.get(f"/api/v1/tickets/{ticket['id']}", headers=command).get_json()["ticket"]
    assert body["escalation_level"] == 2
    assert body["supervised"] is True
    assert [e["note"] for e in body["timeline"] if e["action"] == "escalate"][:3] == \
        ["签收预警（补记）", "签收超期 一级（补记）", "签收督办 二级"]


def test_nothing_before_the_warning(report, sweep_at, rows):
    ticket = report(at=REPORTED)
    for at in (REPORTED, sh(2026, 11, 25, 10, 30), sh(2026, 11, 25, 10, 47, 59)):
        assert sweep_at(at) == []
    assert rows(Escalation, ticket_id=ticket["id"]) == []
    assert rows(OutboxMessage, ticket_id=ticket["id"]) == []


def test_each_level_once_when_swept_repeatedly(report, sweep_at, rows):
    ticket = report(at=REPORTED)
    first = sweep_at(sh(2026, 11, 25, 11, 0))
    assert [(r["deadline"], r["level"]) for r in first] == [("response", 0), ("response", 1)]
    for at in (sh(2026, 11, 25, 11, 0), sh(2026, 11, 25, 11, 0, 30), sh(2026, 11, 25, 11, 5)):
        assert sweep_at(at) == []
    assert len(rows(Escalation, ticket_id=ticket["id"])) == 2
    assert len(rows(TimelineEntry, ticket_id=ticket["id"], action="escalate")) == 2
    assert len(rows(OutboxMessage, ticket_id=ticket["id"])) == 1 + 3


def test_first_sweep_after_downtime_records_every_level_passed(report, sweep_at, rows, load_ticket):
    ticket = report(at=REPORTED)
    # Nothing ran for a week: first sweep at the resolve deadline + 4 WD (Tuesday 2026-12-01 15:00).
    done = sweep_at(sh(2026, 12, 1, 15, 0))
    assert [(r["deadline"], r["level"]) for r in done] == \
        [("response", lv) for lv in range(4)] + [("resolve", lv) for lv in range(4)]
    assert all(r["caught_up"] for r in done)
    escalations = rows(Escalation, ticket_id=ticket["id"])
    assert [(e.deadline, e.level, e.due_at) for e in escalations] == [(k, lv, at) for at, k, lv, *_ in sorted(
        LADDER, key=lambda s: (s[1] != "response", s[2]))]
    assert all(e.caught_up for e in escalations)
    notes = [e.note for e in rows(TimelineEntry, ticket_id=ticket["id"], action="escalate")]
    assert notes[0] == "签收预警（补记）" and notes[-1] == "处置分管领导督办 三级（补记）" and len(notes) == 8
    assert len(rows(OutboxMessage, ticket_id=ticket["id"])) == 2 * (1 + 3 + 1 + 1)
    saved = load_ticket(ticket["id"])
    assert (saved.escalation_level, saved.supervised) == (3, True)
    assert (saved.response_next_at, saved.resolve_next_at) == (None, None)
    assert sweep_at(sh(2026, 12, 1, 15, 1)) == []


def test_downtime_in_the_middle_catches_up_to_the_right_level(report, sweep_at, rows):
    ticket = report(at=REPORTED)
    sweep_at(sh(2026, 11, 25, 10, 48))  # warning on time
    # down from Wednesday 10:50 until Friday 09:00: response levels 1 and 2, resolve 0–2 are owed
    done = sweep_at(sh(2026, 11, 27, 9, 0))
    assert [(r["deadline"], r["level"], r["caught_up"]) for r in done] == [
        ("response", 1, True), ("response", 2, True),
        ("resolve", 0, True), ("resolve", 1, True), ("resolve", 2, True)]
    assert [e.caught_up for e in rows(Escalation, ticket_id=ticket["id"])][0] is False


@pytest.mark.parametrize("late_seconds, caught_up", [
    (0, False),      # swept exactly when due
    (60, False),     # one interval late: an ordinary scheduler pass
    (120, False),    # two intervals: still scheduler jitter
    (121, True),     # more than two intervals: the sweep was not running
    (86_400, True),  # a day of downtime
])
def test_caught_up_marks_records_made_late(report, sweep_at, rows, late_seconds, caught_up):
    ticket = report(at=REPORTED)
    done = sweep_at(sh(2026, 11, 25, 10, 48) + timedelta(seconds=late_seconds))
    assert done[0]["caught_up"] is caught_up
    assert rows(Escalation, ticket_id=ticket["id"])[0].caught_up is caught_up
    assert is_caught_up(due_at=REPORTED, now=REPORTED + timedelta(seconds=late_seconds),
                        interval_seconds=60) is caught_up


@pytest.mark.parametrize("status", ["suspended", "closed", "cancelled", "duplicate"])
def test_ended_or_suspended_tickets_never_escalate(app, report, sweep_at, rows, status):
    ticket = report(at=REPORTED)
    other = report(at=REPORTED, lng=121.4300)  # 115 m away: not a duplicate
    # Only the status changes: the schedule is left in place, so the query itself must skip them.
    with Session(app.extensions["db_engine"]) as session:
        session.execute(update(Ticket).where(Ticket.id == ticket["id"]).values(status=status))
        session.commit()
    done = sweep_at(sh(2026, 12, 1, 15, 0))
    assert {r["ticket"] for r in done} == {other["id"]}
    assert sweep_at(sh(2026, 12, 1, 15, 0), dry_run=True) == []
    assert rows(Escalation, ticket_id=ticket["id"]) == []
    assert rows(OutboxMessage, ticket_id=ticket["id"]) == []


def test_dry_run_writes_nothing(app, report, sweep_at, rows, load_ticket):
    ticket = report(at=REPORTED)
    before = load_ticket(ticket["id"])
    preview = sweep_at(sh(2026, 11, 25, 11, 0), dry_run=True)
    assert [(r["deadline"], r["level"]) for r in preview] == [("response", 0), ("response", 1)]
    assert rows(Escalation) == [] and rows(OutboxMessage) == []
    assert rows(TimelineEntry, action="escalate") == []
    after = load_ticket(ticket["id"])
    assert (after.response_next_level, after.response_next_at, after.escalation_level, after.updated_at) == \
        (before.response_next_level, before.response_next_at, before.escalation_level, before.updated_at)
    # the real sweep then does exactly what the dry run announced
    assert sweep_at(sh(2026, 11, 25, 11, 0)) == preview
    assert sweep_at(sh(2026, 11, 25, 11, 0), dry_run=True) == []


def test_a_level_already_recorded_is_not_told_again(app, report, sweep_at, rows, load_ticket):
    """E.g. another sweep inserted it, or an extension reset the schedule below a level already reached."""
    ticket = report(at=REPORTED)
    with Session(app.extensions["db_engine"]) as session:
        session.add(Escalation(ticket_id=ticket["id"], deadline="response", level=0,
                               due_at=sh(2026, 11, 25, 10, 48), created_at=sh(2026, 11, 25, 10, 48)))
        session.commit()
    assert sweep_at(sh(2026, 11, 25, 10, 50)) == []
    assert rows(TimelineEntry, ticket_id=ticket["id"], action="escalate") == []
    assert rows(OutboxMessage) == []
    assert load_ticket(ticket["id"]).response_next_level == 1  # the schedule still moves on


def test_one_bad_ticket_does_not_block_the_rest(app, report, sweep_at, rows, caplog):
    bad = report(at=REPORTED)
    good = report(at=REPORTED, lng=121.4300)
    with Session(app.extensions["db_engine"]) as session:
        session.execute(update(Ticket).where(Ticket.id == bad["id"]).values(response_limit="broken"))
        session.commit()
    done = sweep_at(sh(2026, 11, 25, 11, 0))
    assert {r["ticket"] for r in done} == {good["id"]}
    assert rows(Escalation, ticket_id=bad["id"]) == []
    assert f"escalation of ticket id {bad['id']} failed" in caplog.text


def test_the_sweep_query_uses_the_next_at_indexes(app, report):
    """The cost grows with the tickets due, not the table: SQLite's plan searches the indexes."""
    if app.extensions["db_engine"].dialect.name != "sqlite":
        pytest.skip("query plan checked on SQLite")
    from dispatch.escalation.sweep import due_ticket_ids

    report(at=REPORTED)
    statements = []
    from sqlalchemy import event

    engine = app.extensions["db_engine"]

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with Session(engine) as session:
            due_ticket_ids(session=session, now=sh(2026, 11, 25, 11, 0))
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(statements) == 2
    with engine.connect() as conn:
        for statement, parameters in statements:
            plan = " ".join(str(row) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
            assert "USING INDEX ix_tickets_" in plan and "_next_at" in plan, plan
            assert "SCAN tickets" not in plan.replace("SCAN tickets USING", ""), plan


def test_recipients_resolve_department_and_zone_station(config):
    level = next(lv for lv in config.escalation.level if lv.level == 1)
    warning = next(lv for lv in config.escalation.level if lv.level == 0)
    cases = [
        # (department, zone, level, recipients)
        ("sanitation", "xiangyi", warning, ["sanitation"]),
        ("sanitation", "jiaoxi", level, ["department_head", "station_jiaoxi", "command_center"]),
        # no zone (out of area): the command center stands in for the station, told once
        ("chengguan", None, level, ["department_head", "command_center"]),
        # no department yet: the command center is told
        (None, "xiangyi", warning, ["command_center"]),
    ]
    for department, zone, lv, expected in cases:
        ticket = Ticket(department=department, zone=zone)
        assert recipients(lv, ticket=ticket, config=config) == expected


def test_level_notes(config):
    names = {lv.level: lv for lv in config.escalation.level}
    assert [level_note("resolve", names[0]), level_note("response", names[1]), level_note("resolve", names[3])] == \
        ["处置预警", "签收超期 一级", "处置分管领导督办 三级"]

