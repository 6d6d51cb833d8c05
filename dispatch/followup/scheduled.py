"""Scheduled job of the follow-up visits: the 回访 escalation sweep, as often as the tickets' sweep.

`dispatch.scheduler` runs it with the same options as every job; it opens its own app context and session,
reads the app's clock and logs (never raises) its errors.
"""
from __future__ import annotations

from datetime import datetime

from flask import Flask

from dispatch import db
from dispatch.followup import sweep as followup_sweep
from dispatch.scheduler import JobSpec, run_pass
from dispatch.street.config import StreetConfig

SWEEP_JOB_ID = "followup_sweep"


def sweep_job(app: Flask) -> None:
    """One 回访 escalation pass in its own app context and session; errors are logged, not raised."""
    run_pass(app, followup_sweep.sweep, "回访 sweep")


def sweep_once(app: Flask, *, now: datetime) -> list[dict]:
    """One 回访 escalation pass as of `now`; what was recorded."""
    with app.app_context():
        return followup_sweep.sweep(session=db.session(), config=app.extensions["street_config"], now=now)


def jobs(config: StreetConfig) -> list[JobSpec]:
    """The 回访 sweep, every `sweep_interval_seconds` of config/escalation.toml, and once at start."""
    return [JobSpec(SWEEP_JOB_ID, "follow-up visit sweep (回访超期升级)", sweep_job,
                    config.escalation.sweep_interval_seconds, at_start=True)]
