"""The deployment's scheduler (APScheduler 3.x): every domain's periodic jobs, started once.

Run ONE scheduler per deployment: in the `python run.py` server process (waitress, one process), or
as `python run.py scheduler` next to a multi-worker gunicorn started with `--no-scheduler` — never
one per gunicorn worker. Running two by mistake is still safe (each escalation is recorded once and
each message is claimed before it is sent), only wasteful.

Each domain's `scheduled.py` holds its job bodies — module-level functions that take the app, open
their own app context and session, read the app's clock (`dispatch.clock`) and log (never raise) their
own errors — and says which of them run how often: `jobs(config) -> list[JobSpec]`. Here every job gets
the same APScheduler options, and a config reload re-times the jobs whose interval changed.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from dispatch.street import service as street_service
from dispatch.street.config import StreetConfig

log = logging.getLogger(__name__)


def run_pass(app: Flask, work: Callable[..., object], what: str) -> None:
    """One pass of a job body: follow a config reload another process made, then `work(session=, config=, now=)`
    in its own app context and session on the app's clock; an error is logged ("<what> job failed"), never raised."""
    from dispatch import clock, db

    try:
        street_service.follow(app)  # a reload in a web worker reaches this process (and re-times the jobs)
        with app.app_context():
            work(session=db.session(), config=app.extensions["street_config"], now=clock.now(app))
    except Exception:
        log.exception("%s job failed", what)


@dataclass(frozen=True)
class JobSpec:
    """A periodic job: `func(app)` every `seconds`; `at_start` also runs it once when the scheduler starts."""

    id: str
    name: str
    func: Callable[[Flask], None]
    seconds: float
    at_start: bool = False


def jobs(config: StreetConfig) -> list[JobSpec]:
    """Every job of the deployment: the escalation and assist (吹哨报到) sweeps, the outbox delivery, the 回访
    sweep, the emergencies' 到岗 sweep, the browser session cleanup, the check of the deadlines' calendar, SQLite's
    planner statistics, the monthly report (月度研判)."""
    from dispatch import dbstats
    from dispatch.emergency import scheduled as emergency_jobs
    from dispatch.escalation import scheduled as escalation_jobs
    from dispatch.reports import scheduled as report_jobs
    from dispatch.followup import scheduled as followup_jobs
    from dispatch.tickets import recompute as deadline_jobs
    from dispatch.users import scheduled as user_jobs

    return [*escalation_jobs.jobs(config), *followup_jobs.jobs(config), *emergency_jobs.jobs(config),
            *user_jobs.jobs(config), *deadline_jobs.jobs(config), *dbstats.jobs(config), *report_jobs.jobs(config)]


def _grace(seconds: float) -> int:
    """A run missed by more than one interval is dropped: the next one catches up anyway."""
    return max(1, int(seconds))


def add_jobs(scheduler: BaseScheduler, app: Flask, specs: list[JobSpec]) -> None:
    """Register `specs` on `scheduler`, each called with `app`; adding one again replaces it."""
    for spec in specs:
        first = {"next_run_time": datetime.now(UTC)} if spec.at_start else {}
        scheduler.add_job(spec.func, trigger="interval", args=[app], id=spec.id, name=spec.name,
                          seconds=spec.seconds, replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=_grace(spec.seconds), **first)


def retime(scheduler: BaseScheduler, config: StreetConfig) -> list[str]:
    """Give the registered jobs the intervals of `config` (after a reload); the ids re-timed."""
    changed = []
    for spec in jobs(config):
        job = scheduler.get_job(spec.id)
        if job is None or job.trigger.interval == timedelta(seconds=spec.seconds):
            continue
        scheduler.reschedule_job(spec.id, trigger="interval", seconds=spec.seconds)
        scheduler.modify_job(spec.id, misfire_grace_time=_grace(spec.seconds))
        log.info("%s now runs every %ss (config reloaded)", job.name, spec.seconds)
        changed.append(spec.id)
    return changed


def add_all_jobs(scheduler: BaseScheduler, app: Flask) -> None:
    """Every job of the deployment on `scheduler`; a later config reload (SIGHUP, the admin API) re-times them."""
    add_jobs(scheduler, app, jobs(app.extensions["street_config"]))
    street_service.on_reload(app, lambda config: retime(scheduler, config))


def start_scheduler(app: Flask) -> BackgroundScheduler:
    """Start the jobs in a background thread of this process; the caller shuts it down."""
    scheduler = BackgroundScheduler(timezone=UTC, daemon=True)
    add_all_jobs(scheduler, app)
    scheduler.start()
    log.debug("scheduler started: %s", _intervals(scheduler))
    return scheduler


def run_blocking(app: Flask) -> None:
    """Run the jobs in the foreground (`python run.py scheduler`) until Ctrl-C or SIGTERM."""
    scheduler = BlockingScheduler(timezone=UTC)
    add_all_jobs(scheduler, app)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda _signum, _frame: scheduler.shutdown(wait=False))
    log.info("scheduler running in the foreground (%s); Ctrl-C to stop", _intervals(scheduler))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
    log.info("scheduler stopped")


def _intervals(scheduler: BaseScheduler) -> str:
    return ", ".join(f"{job.name} every {job.trigger.interval.total_seconds():g}s" for job in scheduler.get_jobs())
