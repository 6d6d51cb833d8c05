"""Scheduled jobs (APScheduler 3.x): the escalation sweep and the outbox delivery, and the scheduler
that runs them with the other domains' jobs (the browser session cleanup of dispatch.users.scheduled).

Run ONE scheduler per deployment: in the `python run.py` server process (waitress, one process), or
as `python run.py scheduler` next to a multi-worker gunicorn started with `--no-scheduler` — never
one per gunicorn worker. Running two by mistake is still safe (each escalation is recorded once and
each message is claimed before it is sent), only wasteful.

Each job is a module-level function that opens its own app context and database session, reads the
app's clock, and logs (never raises) its own errors, so a failing pass does not stop the scheduler.
"""
from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from dispatch import db
from dispatch.escalation import outbox
from dispatch.escalation import sweep as escalation_sweep
from dispatch.street import service as street_service
from dispatch.types import utc_now
from dispatch.users import scheduled as user_jobs

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "escalation_sweep"
DELIVER_JOB_ID = "outbox_delivery"


def _now(app: Flask) -> datetime:
    """The app's clock (tests inject one), else the current UTC instant."""
    clock = app.config.get("CLOCK")
    return clock() if clock is not None else utc_now()


def sweep_job(app: Flask) -> None:
    """One escalation pass in its own app context and session; errors are logged, not raised."""
    try:
        street_service.follow(app)  # a reload in a web worker reaches this process (and re-times the jobs)
        with app.app_context():
            escalation_sweep.sweep(session=db.session(), config=app.extensions["street_config"], now=_now(app))
    except Exception:
        log.exception("escalation sweep job failed")


def deliver_job(app: Flask) -> None:
    """One outbox delivery pass in its own app context and session; errors are logged, not raised."""
    try:
        street_service.follow(app)
        with app.app_context():
            outbox.deliver_due(session=db.session(), config=app.extensions["street_config"], now=_now(app),
                               webhook_url=app.config.get("WEBHOOK_URL") or None)
    except Exception:
        log.exception("outbox delivery job failed")


def sweep_once(app: Flask, *, now: datetime, dry_run: bool = False) -> list[dict]:
    """One escalation pass as of `now` (`python run.py sweep`); what was (or would be) recorded."""
    with app.app_context():
        return escalation_sweep.sweep(session=db.session(), config=app.extensions["street_config"], now=now,
                                      dry_run=dry_run)


def add_jobs(scheduler: BaseScheduler, app: Flask) -> None:
    """Register the sweep and the delivery on `scheduler`, intervals from config/escalation.toml."""
    escalation = app.extensions["street_config"].escalation
    common = {"trigger": "interval", "args": [app], "replace_existing": True, "coalesce": True, "max_instances": 1}
    sweep_seconds = escalation.sweep_interval_seconds
    deliver_seconds = escalation.delivery.interval_seconds
    # A run missed by more than one interval is dropped: the next one catches up anyway. The first
    # sweep runs at start, so levels that fell due while nothing was running are recorded at once.
    scheduler.add_job(sweep_job, id=SWEEP_JOB_ID, name="escalation sweep (超期升级)", seconds=sweep_seconds,
                      misfire_grace_time=max(1, int(sweep_seconds)), next_run_time=datetime.now(UTC), **common)
    scheduler.add_job(deliver_job, id=DELIVER_JOB_ID, name="notification outbox delivery", seconds=deliver_seconds,
                      misfire_grace_time=max(1, int(deliver_seconds)), **common)


def retime(scheduler: BaseScheduler, config) -> list[str]:
    """Give the sweep and delivery jobs the intervals of `config` (after a reload); the ids re-timed."""
    wanted = {SWEEP_JOB_ID: config.escalation.sweep_interval_seconds,
              DELIVER_JOB_ID: config.escalation.delivery.interval_seconds}
    changed = []
    for job_id, seconds in wanted.items():
        job = scheduler.get_job(job_id)
        if job is None or job.trigger.interval == timedelta(seconds=seconds):
            continue
        scheduler.reschedule_job(job_id, trigger="interval", seconds=seconds)
        scheduler.modify_job(job_id, misfire_grace_time=max(1, int(seconds)))
        log.info("%s now runs every %ss (config reloaded)", job.name, seconds)
        changed.append(job_id)
    return changed


def add_all_jobs(scheduler: BaseScheduler, app: Flask) -> None:
    """Every job of the deployment: the sweep, the delivery, the browser session cleanup.

    A later config reload (SIGHUP, POST /api/v1/admin/reload-config) re-times the sweep and delivery.
    """
    add_jobs(scheduler, app)
    user_jobs.add_jobs(scheduler, app)
    street_service.on_reload(app, lambda config: retime(scheduler, config))


def start_scheduler(app: Flask) -> BackgroundScheduler:
    """Start the jobs in a background thread of this process; the caller shuts it down."""
    scheduler = BackgroundScheduler(timezone=UTC, daemon=True)
    add_all_jobs(scheduler, app)
    scheduler.start()
    log.info("scheduler started: sweep every %ss, delivery every %ss",
             app.extensions["street_config"].escalation.sweep_interval_seconds,
             app.extensions["street_config"].escalation.delivery.interval_seconds)
    return scheduler


def run_blocking(app: Flask) -> None:
    """Run the jobs in the foreground (`python run.py scheduler`) until Ctrl-C or SIGTERM."""
    scheduler = BlockingScheduler(timezone=UTC)
    add_all_jobs(scheduler, app)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda _signum, _frame: scheduler.shutdown(wait=False))
    log.info("scheduler running in the foreground; Ctrl-C to stop")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
    log.info("scheduler stopped")
