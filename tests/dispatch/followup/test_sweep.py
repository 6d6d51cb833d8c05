"""An overdue 回访 climbs the ladder of escalation.toml: each level recorded once, told through the outbox."""
from __future__ import annotations

import pytest
from sqlmodel import select

from dispatch import db
from dispatch.escalation.models import OutboxMessage
from dispatch.followup import scheduled
from dispatch.followup.models import FollowupEscalation
from dispatch.scheduler import jobs
from tests.dispatch.followup.helpers import closed_ticket, followups_of, visit
from tests.dispatch.helpers import at_local, local
from tests.dispatch.lifecycle import get


@pytest.fixture
def database_url(both_backends_url):
    return both_backends_url  # SQLite and PostgreSQL (its FOR UPDATE OF followups, ON CONFLICT on the unique key)


def _levels(app) -> list[tuple[int, str, bool]]:
    with app.app_context():
        rows = db.session().exec(select(FollowupEscalation).order_by(FollowupEscalation.id)).all()
        return [(r.level, at_local(r.due_at.isoformat()), r.caught_up) for r in rows]


def _messages(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session().exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [(m.recipient, m.payload["note"]) for m in rows]


def test_an_overdue_visit_is_escalated_once_per_level(street, app):
    # closed Wed 2026-11-25 10:00, due Mon 11-30 10:00 (3 WD); 预警 at 80 %: Fri 11-27 14:12
    ticket = closed_ticket(street, app, source="open311")
    task = followups_of(app, ticket["id"])[0]
    assert scheduled.sweep_once(app, now=local(2026, 11, 27, 14, 0)) == []
    warned = scheduled.sweep_once(app, now=local(2026, 11, 27, 14, 13))
    assert [(r["level"], r["name"]) for r in warned] == [(0, "预警")]
    # Monday 10:01: overdue (超期); again at once: nothing new
    assert [r["level"] for r in scheduled.sweep_once(app, now=local(2026, 11, 30, 10, 1))] == [1]
    assert scheduled.sweep_once(app, now=local(2026, 11, 30, 10, 2)) == []
    # the list says it is overdue and how late
    street.clock.set(local(2026, 11, 30, 10, 30))
    listed = street.client.get("/api/v1/followups?state=overdue", headers=street.inspector).get_json()["data"]
    assert [(f["id"], f["overdue"], f["remaining_minutes"], f["escalation_level"]) for f in listed] == [
        (task.id, True, -30.0, 1)]
    # Tue 10:00 is 1 WD past due: 督办
    assert [r["level"] for r in scheduled.sweep_once(app, now=local(2026, 12, 1, 10, 0))] == [2]
    assert _levels(app) == [(0, "2026-11-27 14:12", False), (1, "2026-11-30 10:00", False),
                            (2, "2026-12-01 10:00", False)]
    notes = [e["note"] for e in get(street, ticket["id"])["timeline"] if e["action"] == "followup_escalate"]
    assert notes == ["回访预警", "回访超期 一级", "回访督办 二级"]
    # 预警 tells who owes the visit (the zone's station); 超期 the head, the station, the command center
    assert _messages(app)[:4] == [("station_xiangyi", "回访预警"), ("department_head", "回访超期 一级"),
                                  ("station_xiangyi", "回访超期 一级"), ("command_center", "回访超期 一级")]


def test_downtime_records_every_level_passed_once_and_a_visited_one_stops(street, app):
    ticket = closed_ticket(street, app, source="committee")
    done = closed_ticket(street, app, source="committee")
    visit(street, street.command, followups_of(app, done["id"])[0].id, reached=False)
    first = scheduled.sweep_once(app, now=local(2026, 12, 10, 9, 0))
    assert [(r["number"], r["level"], r["caught_up"]) for r in first] == [
        (ticket["number"], level, True) for level in (0, 1, 2, 3)]
    assert scheduled.sweep_once(app, now=local(2026, 12, 11, 9, 0)) == []
    assert len(_levels(app)) == 4


def test_the_sweep_is_a_job_of_the_deployments_scheduler(app):
    specs = {spec.id: spec for spec in jobs(app.extensions["street_config"])}
    assert specs["followup_sweep"].seconds == 60 and specs["followup_sweep"].at_start


def test_two_sweeps_at_once_record_each_level_once(street, app):
    import threading

    ticket = closed_ticket(street, app, source="committee")
    start, results = threading.Barrier(2), []

    def run():
        start.wait()
        results.append(scheduled.sweep_once(app, now=local(2026, 12, 10, 9, 0)))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(len(found) for found in results) == [0, 4]  # one recorded 预警 … 分管领导督办, the other nothing
    assert [level for level, _, _ in _levels(app)] == [0, 1, 2, 3]
    notes = [e["note"] for e in get(street, ticket["id"])["timeline"] if e["action"] == "followup_escalate"]
    assert len(notes) == 4


def test_the_sweep_command_also_escalates_an_overdue_visit(street, app, monkeypatch, config_dir, database_url,
                                                           tmp_path, capsys):
    # `python run.py sweep` catches up by hand what the scheduler would: the 回访 ladder too, not only the tickets'
    from dispatch.cli import main

    ticket = closed_ticket(street, app, source="open311")  # 回访 due Mon 11-30 10:00
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DISPATCH_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("DISPATCH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret")
    capsys.readouterr()
    assert main(["sweep", "--now", "2026-11-30T10:01:00+08:00"]) == 0
    out = capsys.readouterr().out
    assert f"{ticket['number']}  回访     level 1" in out and "2 of 回访" in out
    assert [level for level, _, _ in _levels(app)] == [0, 1]
    assert main(["sweep", "--now", "2026-11-30T10:02:00+08:00"]) == 0  # once: nothing more
    assert "回访" not in capsys.readouterr().out
