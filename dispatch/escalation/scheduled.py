"""Scheduled jobs of escalation: the sweep (超期升级) and the outbox delivery, with their intervals.

`dispatch.scheduler` runs them (one scheduler per deployment) with the same options as every job.
Each job is a module-level function that opens its own app context and database session, reads the
app's clock, and logs (never raises) its own errors, so a failing pass does not stop the scheduler.
"""
from __future__ import annotations

from datetime import datetime
from functools import partial

from flask import Flask

from dispatch import db
from dispatch.escalation import assist_sweep, outbox
from dispatch.escalation import sweep as escalation_sweep
from dispatch.scheduler import JobSpec, run_pass
from dispatch.street.config import StreetConfig

SWEEP_JOB_ID = "escalation_sweep"
DELIVER_JOB_ID = "outbox_delivery"
ASSIST_SWEEP_JOB_ID = "assist_sweep"


def sweep_job(app: Flask) -> None:
    """One escalation pass in its own app context and session; errors are logged, not raised."""
    run_pass(app, escalation_sweep.sweep, "escalation sweep")


def assist_sweep_job(app: Flask) -> None:
    """One pass over the assist tasks' 报到 and task deadlines (吹哨报到); errors are logged, not raised."""
    run_pass(app, assist_sweep.sweep, "assist sweep")


def deliver_job(app: Flask) -> None:
    """One outbox delivery pass in its own app context and session; errors are logged, not raised."""
    run_pass(app, partial(outbox.deliver_due, webhook_url=app.config.get("WEBHOOK_URL") or None,
                          smtp_password=app.config.get("SMTP_PASSWORD")), "outbox delivery")


def sweep_once(app: Flask, *, now: datetime, dry_run: bool = False) -> list[dict]:
    """One escalation pass as of `now` (`python run.py sweep`); what was (or would be) recorded (the tickets'
    levels; a dry run previews only those)."""
    with app.app_context():
        return escalation_sweep.sweep(session=db.session(), config=app.extensions["street_config"], now=now,
                                      dry_run=dry_run)


def assist_sweep_once(app: Flask, *, now: datetime) -> list[dict]:
    """One pass over the assist tasks as of `now` (`python run.py sweep`); what was recorded."""
    with app.app_context():
        return assist_sweep.sweep(session=db.session(), config=app.extensions["street_config"], now=now)


def jobs(config: StreetConfig) -> list[JobSpec]:
    """The sweeps (tickets, assist tasks) and the delivery, intervals from config/escalation.toml.

    The first sweep runs at start, so levels that fell due while nothing was running are recorded at once.
    """
    escalation = config.escalation
    return [JobSpec(SWEEP_JOB_ID, "escalation sweep (超期升级)", sweep_job, escalation.sweep_interval_seconds,
                    at_start=True),
            JobSpec(ASSIST_SWEEP_JOB_ID, "assist task sweep (协办超期升级)", assist_sweep_job,
                    escalation.sweep_interval_seconds, at_start=True),
            JobSpec(DELIVER_JOB_ID, "notification outbox delivery", deliver_job, escalation.delivery.interval_seconds)]
