"""Scheduled job: delete browser sessions that ended long ago, so `web_sessions` does not grow forever.

The cleanup runs on the scheduler (the one per deployment that also sweeps escalations), not at
sign-in: a sign-in then stays one insert, gunicorn workers never race to delete the same rows, and
the rows go even in a week when nobody signs in. It is harmless to run twice.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from flask import Flask

from dispatch import clock, db
from dispatch.users import web_sessions

log = logging.getLogger(__name__)

PURGE_JOB_ID = "web_session_purge"
PURGE_INTERVAL = timedelta(hours=6)


def purge_sessions_job(app: Flask) -> None:
    """Delete sessions that expired RETENTION ago, in its own app context; errors are logged, not raised."""
    try:
        with app.app_context():
            deleted = web_sessions.purge(session=db.session(), now=clock.now())
        if deleted:
            log.info("deleted %d browser session(s) that ended over %s ago", deleted, web_sessions.RETENTION)
    except Exception:
        log.exception("browser session cleanup failed")


def add_jobs(scheduler: BaseScheduler, app: Flask) -> None:
    """Register the session cleanup on `scheduler`: every PURGE_INTERVAL, and once at start."""
    # A run missed by more than an interval is dropped: the next one deletes the same rows. The run
    # at start matters where the server restarts more often than the interval.
    scheduler.add_job(purge_sessions_job, trigger="interval", args=[app], id=PURGE_JOB_ID,
                      name="browser session cleanup", seconds=PURGE_INTERVAL.total_seconds(),
                      replace_existing=True, coalesce=True, max_instances=1,
                      misfire_grace_time=int(PURGE_INTERVAL.total_seconds()), next_run_time=datetime.now(UTC))
