"""The scheduler's jobs and `python run.py sweep`: registered once with the right options, clock injected."""
from __future__ import annotations

import json
import logging
import re
import signal
from datetime import timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from dispatch import scheduler as dispatch_scheduler
from dispatch.emergency import scheduled as emergency_jobs
from dispatch.escalation import outbox, scheduled
from dispatch.followup import scheduled as followup_jobs
from dispatch.tickets import recompute
from dispatch.escalation.models import OutboxMessage
from dispatch.tickets.models import Escalation
from dispatch.tickets.models import TimelineEntry
from dispatch.users import scheduled as user_jobs

from .conftest import sh

REPORTED = sh(2026, 11, 25, 10, 0)


def test_start_scheduler_registers_every_job_with_its_options(app):
    scheduler = dispatch_scheduler.start_scheduler(app)
    try:
        assert scheduler.running
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"escalation_sweep", "assist_sweep", "outbox_delivery", "followup_sweep",
                             "web_session_purge", "deadline_calendar_sync", "sqlite_optimize", "monthly_report",
                             "emergency_checkin_sweep"}
        # (job, function, interval: from config/escalation.toml; the session cleanup every 6 hours; the check
        # of the calendar the deadlines were counted with every 10 minutes)
        for job, func, seconds in [(jobs["escalation_sweep"], scheduled.sweep_job, 60),
                                   (jobs["assist_sweep"], scheduled.assist_sweep_job, 60),
                                   (jobs["outbox_delivery"], scheduled.deliver_job, 30),
                                   (jobs["followup_sweep"], followup_jobs.sweep_job, 60),  # 回访: as the sweep
                                   (jobs["web_session_purge"], user_jobs.purge_sessions_job, 6 * 3600),
                                   (jobs["deadline_calendar_sync"], recompute.sync_job, 600),
                                   (jobs["emergency_checkin_sweep"], emergency_jobs.checkin_job, 60)]:
            assert job.func is func and job.args == (app,)
            assert job.trigger.interval == timedelta(seconds=seconds)
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, seconds)
    finally:
        scheduler.shutdown(wait=True)
    assert not scheduler.running


def test_intervals_come_from_config(app, config_dir):
    from dispatch import create_app

    text = (config_dir / "escalation.toml").read_text(encoding="utf-8")
    text = text.replace("sweep_interval_seconds = 60", "sweep_interval_seconds = 120")
    text = text.replace("interval_seconds = 30", "interval_seconds = 15")
    (config_dir / "escalation.toml").write_text(text, encoding="utf-8")
    other = create_app({**app.config, "CONFIG_DIR": str(config_dir)})
    scheduler = BackgroundScheduler()
    dispatch_scheduler.add_jobs(scheduler, other, scheduled.jobs(other.extensions["street_config"]))
    intervals = {job.id: job.trigger.interval for job in scheduler.get_jobs()}
    assert intervals == {"escalation_sweep": timedelta(seconds=120), "assist_sweep": timedelta(seconds=120),
                         "outbox_delivery": timedelta(seconds=15)}
    other.extensions["db_engine"].dispose()


def _set_intervals(config_dir, sweep: int, deliver: int) -> None:
    path = config_dir / "escalation.toml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^sweep_interval_seconds = \d+", f"sweep_interval_seconds = {sweep}", text)
    text = re.sub(r"(?m)^interval_seconds = \d+", f"interval_seconds = {deliver}", text)
    path.write_text(text, encoding="utf-8")


def _timing(scheduler) -> dict:
    return {job.id: (job.trigger.interval.total_seconds(), job.misfire_grace_time) for job in scheduler.get_jobs()
            if job.id not in ("web_session_purge", "deadline_calendar_sync", "sqlite_optimize", "monthly_report")}


def test_a_config_reload_retimes_the_running_jobs(app, config_dir):
    # The street's IT person slows the sweep to 5 minutes and reloads (SIGHUP or the admin API): the
    # scheduler already running follows without a restart; a broken config changes nothing.
    from dispatch import create_app
    from dispatch.street import service as street_service
    from dispatch.street.config import ConfigError

    other = create_app({**app.config, "CONFIG_DIR": str(config_dir)})
    scheduler = BackgroundScheduler()
    dispatch_scheduler.add_all_jobs(scheduler, other)
    scheduler.start(paused=True)
    try:
        assert _timing(scheduler) == {"escalation_sweep": (60, 60), "assist_sweep": (60, 60),
                                      "emergency_checkin_sweep": (60, 60), "outbox_delivery": (30, 30), "followup_sweep": (60, 60)}
        _set_intervals(config_dir, sweep=300, deliver=45)
        street_service.reload(other)
        assert _timing(scheduler) == {"escalation_sweep": (300, 300), "assist_sweep": (300, 300),
                                      "emergency_checkin_sweep": (300, 300), "outbox_delivery": (45, 45), "followup_sweep": (300, 300)}
        (config_dir / "escalation.toml").write_text("sweep_interval_seconds = 5\n[[level]]\n", encoding="utf-8")
        with pytest.raises(ConfigError):
            street_service.reload(other)
        assert _timing(scheduler) == {"escalation_sweep": (300, 300), "assist_sweep": (300, 300),
                                      "emergency_checkin_sweep": (300, 300), "outbox_delivery": (45, 45), "followup_sweep": (300, 300)}
    finally:
        scheduler.shutdown(wait=False)
        other.extensions["db_engine"].dispose()


def test_the_scheduler_process_reloads_config_on_sighup(cli_env, config_dir, monkeypatch):
    # `python run.py scheduler` runs alone next to gunicorn: kill -HUP must reach it too.
    from dispatch import cli

    handlers, seen = {}, {}

    class FakeBlocking(dispatch_scheduler.BlockingScheduler):
        def start(self, *args, **kwargs):  # the jobs stay pending: nothing runs, nothing blocks
            _set_intervals(config_dir, sweep=600, deliver=60)
            handlers[signal.SIGHUP](signal.SIGHUP, None)  # what kill -HUP does
            seen["timing"] = _timing(self)
            raise KeyboardInterrupt

    monkeypatch.setattr(dispatch_scheduler, "BlockingScheduler", FakeBlocking)
    monkeypatch.setattr(signal, "signal", lambda signum, handler: handlers.__setitem__(signum, handler))
    assert cli.main(["scheduler"]) == 0
    assert seen["timing"] == {"escalation_sweep": (600, 600), "assist_sweep": (600, 600),
                              "emergency_checkin_sweep": (600, 600), "outbox_delivery": (60, 60), "followup_sweep": (600, 600)}


def test_adding_the_jobs_twice_replaces_them(app):
    scheduler = BackgroundScheduler()
    escalation_jobs = scheduled.jobs(app.extensions["street_config"])
    dispatch_scheduler.add_jobs(scheduler, app, escalation_jobs)
    dispatch_scheduler.add_jobs(scheduler, app, escalation_jobs)  # replace_existing=True: no ConflictingIdError
    scheduler.start(paused=True)
    try:
        assert sorted(job.id for job in scheduler.get_jobs()) == ["assist_sweep", "escalation_sweep", "outbox_delivery"]
    finally:
        scheduler.shutdown(wait=False)


def test_jobs_use_the_app_clock_and_their_own_session(app, report, clock, rows):
    ticket = report(at=REPORTED)
    clock.set(sh(2026, 11, 25, 11, 0))
    scheduled.sweep_job(app)
    assert [(e.deadline, e.level) for e in rows(Escalation, ticket_id=ticket["id"])] == \
        [("response", 0), ("response", 1)]
    assert len(rows(TimelineEntry, action="escalate")) == 2
    scheduled.deliver_job(app)  # no webhook configured: logged and marked sent
    messages = rows(OutboxMessage)
    assert len(messages) == 4
    assert {(m.channel, m.sent_at) for m in messages} == {("log", sh(2026, 11, 25, 11, 0))}


def test_deliver_job_posts_to_the_app_webhook_url(app, report, clock, rows, monkeypatch):
    report(at=REPORTED)
    clock.set(sh(2026, 11, 25, 10, 48))
    scheduled.sweep_job(app)
    calls = []
    monkeypatch.setattr(outbox, "post_json", lambda url, payload, timeout: calls.append((url, payload)))
    app.config["WEBHOOK_URL"] = "http://hooks.example.test/yc"
    scheduled.deliver_job(app)
    assert [(url, p["recipient"]) for url, p in calls] == [("http://hooks.example.test/yc", "sanitation")]
    assert rows(OutboxMessage)[0].channel == "webhook"


@pytest.mark.parametrize("job, module, target, message", [
    (scheduled.sweep_job, scheduled.escalation_sweep, "sweep", "escalation sweep job failed"),
    (scheduled.assist_sweep_job, scheduled.assist_sweep, "sweep", "assist sweep job failed"),
    (scheduled.deliver_job, scheduled.outbox, "deliver_due", "outbox delivery job failed"),
    (user_jobs.purge_sessions_job, user_jobs.web_sessions, "purge", "browser session cleanup failed"),
    (followup_jobs.sweep_job, followup_jobs.followup_sweep, "sweep", "回访 sweep job failed"),
    (emergency_jobs.checkin_job, emergency_jobs.flows, "escalate_late_checkins", "emergency 到岗 sweep job failed"),
])
def test_jobs_log_their_errors_instead_of_raising(app, monkeypatch, caplog, job, module, target, message):
    def broken(**_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(module, target, broken)
    with caplog.at_level(logging.ERROR):
        job(app)  # does not raise
    assert message in caplog.text and "database went away" in caplog.text


def test_run_blocking_registers_the_jobs_and_stops_on_ctrl_c(app, monkeypatch):
    seen = {}

    class FakeBlocking(dispatch_scheduler.BlockingScheduler):
        def start(self, *args, **kwargs):
            seen["jobs"] = sorted(job.id for job in self.get_jobs())
            raise KeyboardInterrupt

    handlers = {}
    monkeypatch.setattr(dispatch_scheduler, "BlockingScheduler", FakeBlocking)
    monkeypatch.setattr(signal, "signal", lambda signum, handler: handlers.setdefault(signum, handler))
    dispatch_scheduler.run_blocking(app)  # returns after Ctrl-C
    assert seen["jobs"] == ["assist_sweep", "deadline_calendar_sync", "emergency_checkin_sweep", "escalation_sweep",
                            "followup_sweep", "monthly_report", "outbox_delivery", "sqlite_optimize",
                            "web_session_purge"]
    assert signal.SIGTERM in handlers


@pytest.fixture
def cli_env(monkeypatch, tmp_path, database_url, config_dir):
    """Environment making `python run.py` use this test's database and config."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DISPATCH_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("DISPATCH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret")
    monkeypatch.delenv("DISPATCH_WEBHOOK_URL", raising=False)


@pytest.mark.parametrize("now", [
    "2026-11-25T11:00:00+08:00",  # with an offset
    "2026-11-25T03:00:00Z",       # the same instant in UTC
    "2026-11-25T11:00:00",        # naive: read as Shanghai time
])
def test_cli_sweep_dry_run_prints_json_and_writes_nothing(report, rows, load_ticket, cli_env, capsys, now):
    from dispatch.cli import main

    ticket = report(at=REPORTED)
    capsys.readouterr()
    assert main(["sweep", "--now", now, "--json", "--dry-run"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == [  # exactly the documented keys
        {"ticket": ticket["id"], "number": ticket["number"], "deadline": "response", "level": 0},
        {"ticket": ticket["id"], "number": ticket["number"], "deadline": "response", "level": 1}]
    assert rows(Escalation) == [] and rows(OutboxMessage) == [] and rows(TimelineEntry, action="escalate") == []
    assert load_ticket(ticket["id"]).response_next_level == 0


def test_cli_sweep_writes_without_dry_run(report, rows, cli_env, capsys):
    from dispatch.cli import main

    ticket = report(at=REPORTED)
    capsys.readouterr()
    assert main(["sweep", "--now", "2026-11-25T11:00:00+08:00"]) == 0
    out = capsys.readouterr().out
    assert f"{ticket['number']}  response level 1" in out and "2 escalation(s)" in out
    assert len(rows(Escalation)) == 2
    assert main(["sweep", "--now", "2026-11-25T11:00:00+08:00", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_cli_sweep_refuses_a_future_now_unless_dry_run_or_forced(report, rows, cli_env, capsys):
    # An operator previewing next week must not write next week's escalations into today's record.
    from dispatch.cli import main

    report(at=REPORTED)
    capsys.readouterr()
    future = "2099-01-05T10:00:00+08:00"
    assert main(["sweep", "--now", future]) == 2
    assert "in the future" in capsys.readouterr().err
    assert rows(Escalation) == [] and rows(TimelineEntry, action="escalate") == []
    assert main(["sweep", "--now", future, "--dry-run", "--json"]) == 0  # a preview is fine
    assert len(json.loads(capsys.readouterr().out)) == 8
    assert main(["sweep", "--now", future, "--force", "--json"]) == 0  # the operator insists
    assert len(rows(Escalation)) == 8
