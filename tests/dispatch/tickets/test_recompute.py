"""Deadlines counted over a year with no official holiday schedule are provisional (预计), and are counted
again when the year's data arrives: a reload, or `python run.py deadlines recompute`."""
from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from dispatch.street import service as street_service
from dispatch.tickets.models import Escalation, TimelineEntry
from tests.dispatch.helpers import at_local, local
from tests.dispatch.lifecycle import act, get, new_report

# Sunday 2026-12-20 10:00: a 20-WD 私搭乱建 case ends in January 2027, a year chinesecalendar does not know.
SUNDAY = local(2026, 12, 20, 10, 0)
# The 2027 schedule the street adds in this test: 元旦 and, say, a day of 调休 moved onto Monday 01-04.
YEAR_2027 = '\n[years.2027]\nholidays = ["2027-01-01", "2027-01-04"]\nworkdays = []\n'


@pytest.fixture(autouse=True)
def _no_official_2027(app):
    if app.extensions["street_config"].calendar.source(2027) != "provisional":
        pytest.skip("the installed chinesecalendar knows 2027: nothing is provisional")


def add_2027(app, config_dir) -> None:
    with (config_dir / "calendar.toml").open("a", encoding="utf-8") as f:
        f.write(YEAR_2027)
    street_service.reload(app)


def construction(street) -> dict:
    street.clock.set(SUNDAY)
    ticket = new_report(street, "illegal_construction")
    assert ticket["status"] == "dispatched", ticket
    return ticket


def test_a_deadline_into_a_year_without_data_is_provisional_and_later_exact(app, street, config_dir):
    ticket = construction(street)
    resolve = ticket["deadlines"]["resolve"]
    # 元旦 2027 is a statutory day off even without the year's schedule: not 2027-01-15
    assert (at_local(resolve["due_at"]), resolve["provisional"]) == ("2027-01-18 17:30", True)
    assert ticket["deadlines"]["response"]["provisional"] is False  # 4 WH: Monday 2026-12-21

    street.clock.set(local(2026, 12, 22, 9, 0))
    add_2027(app, config_dir)
    after = get(street, ticket["id"])
    resolve = after["deadlines"]["resolve"]
    assert (at_local(resolve["due_at"]), resolve["provisional"]) == ("2027-01-19 17:30", False)
    change = after["deadline_history"][-1]
    assert (change["deadline"], change["reason"], at_local(change["old_at"]), at_local(change["new_at"])) == \
        ("resolve", "calendar", "2027-01-18 17:30", "2027-01-19 17:30")
    entry = after["timeline"][-1]
    assert entry["action"] == "recompute_deadlines" and "处置时限由 2027-01-18 17:30 改为 2027-01-19 17:30" in entry["note"]

    # an identical ticket made now gets the same deadline as the one counted again
    street.clock.set(SUNDAY)
    twin = new_report(street, "illegal_construction")
    assert twin["deadlines"]["resolve"]["due_at"] == resolve["due_at"]


def test_the_escalation_schedule_follows_the_new_deadline(app, street, config_dir):
    from dispatch.tickets.models import Ticket

    ticket = construction(street)
    with Session(app.extensions["db_engine"]) as session:
        before = session.get(Ticket, ticket["id"]).resolve_next_at
    add_2027(app, config_dir)
    with Session(app.extensions["db_engine"]) as session:
        after = session.get(Ticket, ticket["id"])
        # the warning (80 % of the 20 working days) moves with the deadline: one working day later
        assert (after.resolve_next_level, at_local(after.resolve_next_at.isoformat())) == (0, "2027-01-13 17:30")
    assert at_local(before.isoformat()) == "2027-01-12 17:30"  # the 16th working day from Monday 12-21


def test_a_level_recorded_before_the_change_stays_and_is_noted(app, street, config_dir):
    from dispatch.escalation.sweep import sweep

    ticket = construction(street)
    # the warning fell due on 2027-01-12 17:30 under the provisional calendar and was recorded
    with app.app_context():
        from dispatch import db
        sweep(session=db.session(), config=app.extensions["street_config"], now=local(2027, 1, 12, 18, 0))
    street.clock.set(local(2027, 1, 12, 18, 0))
    add_2027(app, config_dir)
    with Session(app.extensions["db_engine"]) as session:
        kept = session.exec(select(Escalation).where(Escalation.ticket_id == ticket["id"],
                                                     Escalation.deadline == "resolve")).all()
        note = session.exec(select(TimelineEntry).where(TimelineEntry.ticket_id == ticket["id"],
                                                        TimelineEntry.action == "recompute_deadlines")).one().note
    assert [(e.level, at_local(e.due_at.isoformat())) for e in kept] == [(0, "2027-01-12 17:30")]
    assert "已记录的处置预警按新日历应于 2027-01-13 17:30，早于应有时间，记录保留" in note


def test_nothing_moves_when_the_calendar_did_not_change(app, street):
    # every way a deadline is set — dispatch, 延期, 挂账 and 恢复 — counts again to the same instant
    from dispatch import db
    from dispatch.tickets import recompute

    street.clock.set(local(2026, 11, 25, 10, 0))
    extended = new_report(street)
    act(street, street.sanitation, extended["id"], "accept")
    act(street, street.sanitation, extended["id"], "request_extension", days=2, reason="等材料")
    act(street, street.command, extended["id"], "approve_extension")
    paused = new_report(street)
    act(street, street.command, paused["id"], "suspend", note="待协调")
    street.clock.set(local(2026, 11, 27, 15, 0))
    act(street, street.command, paused["id"], "resume")
    construction(street)
    with app.app_context():
        assert recompute.recompute(session=db.session(), config=app.extensions["street_config"],
                                   now=street.clock(), dry_run=True) == []


def test_the_command_previews_and_applies(app, street, config_dir, capsys, monkeypatch):
    # the street has added 2027 to config/ but not reloaded; the command reads config/ itself
    from dispatch import cli

    ticket = construction(street)
    with (config_dir / "calendar.toml").open("a", encoding="utf-8") as f:
        f.write(YEAR_2027)
    monkeypatch.setenv("DISPATCH_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("DISPATCH_VAR_DIR", app.config["VAR_DIR"])
    capsys.readouterr()
    assert cli.main(["deadlines", "recompute", "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == [
        {"ticket": ticket["id"], "number": ticket["number"], "deadline": "resolve",
         "old": "2027-01-18T17:30:00+08:00", "new": "2027-01-19T17:30:00+08:00"}]
    assert at_local(get(street, ticket["id"])["deadlines"]["resolve"]["due_at"]) == "2027-01-18 17:30"  # unchanged

    assert cli.main(["deadlines", "recompute"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [f"{ticket['number']}  resolve  2027-01-18 17:30 → 2027-01-19 17:30", "1 deadline(s) moved"]
    assert at_local(get(street, ticket["id"])["deadlines"]["resolve"]["due_at"]) == "2027-01-19 17:30"


def test_the_scheduler_job_recomputes_after_a_newer_calendar_arrives(app, street, config_dir):
    # a start with new holiday data (a newer chinesecalendar, config changed while stopped): the job at start
    # finds the digest of 2027 changed and counts again
    from dispatch import create_app
    from dispatch.tickets import recompute

    ticket = construction(street)
    recompute.sync_job(app)  # the digests the deadlines were counted with
    with (config_dir / "calendar.toml").open("a", encoding="utf-8") as f:
        f.write(YEAR_2027)
    restarted = create_app({**app.config, "CONFIG_DIR": str(config_dir)})
    recompute.sync_job(restarted)
    assert at_local(get(street, ticket["id"])["deadlines"]["resolve"]["due_at"]) == "2027-01-19 17:30"
    recompute.sync_job(restarted)  # nothing more the second time
    assert [e["action"] for e in get(street, ticket["id"])["timeline"]].count("recompute_deadlines") == 1
    restarted.extensions["db_engine"].dispose()


def test_an_assist_tasks_deadline_is_counted_again_from_its_whistle(app, street, config_dir, make_user):
    # 吹哨 on Tuesday 2026-12-29 10:00: 派出所's 3 WD task runs over 元旦 into 2027 — provisionally Monday
    # 2027-01-04 10:00; the street's 2027 schedule makes 01-04 a day off, so the task is due Tuesday 01-05
    from dispatch.tickets.models import AssistTask, Status
    from tests.dispatch.lifecycle import ticket_in

    street.police = make_user("police1", "department", department="police")[1]
    street.clock.set(local(2026, 12, 29, 10, 0))
    tid = ticket_in(street, Status.pending_dispatch)["id"]
    act(street, street.command, tid, "whistle", department="chengguan",
        assists=[{"department": "police", "task": "核查租住人员身份", "limit": "3 WD"}])
    task = get(street, tid)["assists"][0]
    assert at_local(task["deadline"]["due_at"]) == "2027-01-04 10:00"
    checkin_due = task["checkin"]["due_at"]

    street.clock.set(local(2026, 12, 30, 9, 0))
    add_2027(app, config_dir)
    after = get(street, tid)
    task = after["assists"][0]
    assert at_local(task["deadline"]["due_at"]) == "2027-01-05 10:00"
    assert task["checkin"]["due_at"] == checkin_due  # 2 WH on 12-29: not in the changed year
    entry = after["timeline"][-1]
    assert entry["action"] == "recompute_deadlines"
    assert "派出所协办时限由 2027-01-04 10:00 改为 2027-01-05 10:00" in entry["note"]
    assert entry["data"]["changes"][0]["department"] == "police"
    with Session(app.extensions["db_engine"]) as session:
        row = session.get(AssistTask, task["id"])
        # 80 % of the window (2026-12-31 14:12) lies before the changed days: the warning stays where it was
        assert (row.task_next_level, at_local(row.task_next_at.isoformat())) == (0, "2026-12-31 14:12")
    from dispatch.tickets import recompute
    recompute.sync_job(app)  # nothing more: the calendar is the one the deadlines are now counted with
    assert [e["action"] for e in get(street, tid)["timeline"]].count("recompute_deadlines") == 1
