"""Scheduled job: delete browser sessions that ended long ago, so `web_sessions` does not grow forever.

The cleanup runs on the scheduler (the one per deployment that also sweeps escalations,
`dispatch.scheduler`), not at sign-in: a sign-in then stays one insert, gunicorn workers never race to
delete the same rows, and the rows go even in a week when nobody signs in. It is harmless to run twice.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Flask

from dispatch import clock, db
from dispatch.scheduler import JobSpec
from dispatch.users import throttle, web_sessions

if TYPE_CHECKING:  # annotations only: users needs nothing of the street at run time
    from dispatch.street.config import StreetConfig

log = logging.getLogger(__name__)

PURGE_JOB_ID = "web_session_purge"
PURGE_INTERVAL = timedelta(hours=6)


def purge_sessions_job(app: Flask) -> None:
    """Delete sessions that expired RETENTION ago (and ended sign-in failure windows), in its own app context;
    errors are logged, not raised."""
    try:
        with app.app_context():
            deleted = web_sessions.purge(session=db.session(), now=clock.now())
            throttle.purge(session=db.session(), now=clock.now())  # sign-in failure windows that ended
        if deleted:
            log.info("deleted %d browser session(s) that ended over %s ago", deleted, web_sessions.RETENTION)
    except Exception:
        log.exception("browser session cleanup failed")


def jobs(config: StreetConfig) -> list[JobSpec]:
    """The session cleanup: every PURGE_INTERVAL, and once at start (where the server restarts more often)."""
    return [JobSpec(PURGE_JOB_ID, "browser session cleanup", purge_sessions_job, PURGE_INTERVAL.total_seconds(),
                    at_start=True)]
