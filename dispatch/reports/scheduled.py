"""The monthly report's job: on the first working day of a month, store the previous month's report once.

The job runs every `monthly.check_interval_seconds` (config/reports.toml) and at start. Each pass asks
which month is due (`service.due_month`: the month before the latest month whose first working day, at
`monthly.generate_after`, has come) and stores it unless it is stored already: so it is made once, on
the first working day (after 元旦, 春节, 国庆 … on the first day back), or at the first pass after a
server that was down then comes back. Two schedulers racing store it once (the unique month + version).
"""
from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask
from sqlmodel import Session

from dispatch.reports import service
from dispatch.scheduler import JobSpec, run_pass
from dispatch.street.config import StreetConfig

log = logging.getLogger(__name__)

MONTHLY_JOB_ID = "monthly_report"


def run_due(*, session: Session, config: StreetConfig, now: datetime) -> str | None:
    """Store the report that is due at `now` if it is not stored yet; the month made, or None."""
    month = service.due_month(config=config, now=now)
    if service.latest(session=session, month=service.month_text(month)) is not None:
        return None
    try:
        report = service.generate(session=session, config=config, month=month, now=now, by=service.SCHEDULER)
    except service.ReportExists:
        return None
    log.info("monthly report of %s stored (%d hotspots, %d overdue)", report.month, len(report.data["hotspots"]),
             len(report.data["bulletin"]["overdue"]))
    return report.month


def monthly_job(app: Flask) -> None:
    """One pass in its own app context and session; errors are logged, not raised."""
    run_pass(app, run_due, "monthly report")


def jobs(config: StreetConfig) -> list[JobSpec]:
    """The monthly report's check, every `monthly.check_interval_seconds`, and once at start."""
    return [JobSpec(MONTHLY_JOB_ID, "monthly report (月度研判)", monthly_job,
                    config.reports.monthly.check_interval_seconds, at_start=True)]
