"""Scheduled job of the emergency domain: the 到岗 sweep (late check-ins escalated once), with the ticket sweep's interval.

Like the escalation sweep it is an explicit query over what is due (`emergency_checkins.due_at`, indexed),
harmless to run twice: each late 到岗 is claimed by a conditional UPDATE before its record and messages are
written. It runs at start too, so 到岗 limits passed while nothing ran are escalated at once (catch-up).
"""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from dispatch import db
from dispatch.emergency import flows
from dispatch.scheduler import JobSpec, run_pass
from dispatch.street.config import StreetConfig

CHECKIN_JOB_ID = "emergency_checkin_sweep"


def checkin_sweep(app: Flask, *, now: datetime) -> list[dict]:
    """One 到岗 pass as of `now`: what was escalated."""
    with app.app_context():
        return flows.escalate_late_checkins(session=db.session(), config=app.extensions["street_config"],
                                            now=now.astimezone(UTC))


def checkin_job(app: Flask) -> None:
    """The 到岗 sweep in its own app context and session; errors are logged, not raised."""
    run_pass(app, flows.escalate_late_checkins, "emergency 到岗 sweep")


def jobs(config: StreetConfig) -> list[JobSpec]:
    """The 到岗 sweep, as often as the escalation sweep (config/escalation.toml), and once at start."""
    return [JobSpec(CHECKIN_JOB_ID, "emergency 到岗 sweep (应急到岗超时)", checkin_job,
                    config.escalation.sweep_interval_seconds, at_start=True)]
