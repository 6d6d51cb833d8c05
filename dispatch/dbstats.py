"""The query planner's statistics: SQLite never gathers them by itself.

Without statistics SQLite guesses how selective each index is, and for the ticket list filtered by
status and zone (newest first) it guesses wrong: it walks ``ix_tickets_created_at`` over the whole
table instead of searching ``ix_tickets_zone`` (190 ms against 0.4 ms at a year of a district).
``optimize`` gathers them (``ANALYZE`` with ``analysis_limit``, so a sample per index: milliseconds
even at millions of rows) and lets ``PRAGMA optimize`` keep them fresh. It runs after every schema
upgrade (``dispatch.migrations.upgrade``) and every 6 hours and at start in the deployment's scheduler.
WAL and the busy timeout (``dispatch.db.make_engine``) are unchanged. PostgreSQL's autovacuum keeps its
own statistics: nothing to do there.
"""
from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.engine import Connection, Engine

from dispatch.scheduler import JobSpec

log = logging.getLogger(__name__)

OPTIMIZE_JOB_ID = "sqlite_optimize"
OPTIMIZE_EVERY_SECONDS = 6 * 3600
ANALYSIS_LIMIT = 1000  # rows sampled per index by ANALYZE


def optimize_connection(conn: Connection) -> bool:
    """SQLite: refresh the planner's statistics on this connection; False (nothing done) elsewhere."""
    if conn.dialect.name != "sqlite":
        return False
    conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
    conn.exec_driver_sql("ANALYZE")
    conn.exec_driver_sql("PRAGMA optimize")
    conn.commit()
    return True


def optimize(engine: Engine) -> bool:
    """SQLite: refresh the planner's statistics; False (nothing done) on another database."""
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as conn:
        return optimize_connection(conn)


def optimize_job(app: Flask) -> None:
    """The scheduler's job: `optimize` on the app's database; errors are logged, not raised."""
    try:
        if optimize(app.extensions["db_engine"]):
            log.debug("SQLite statistics refreshed (ANALYZE, PRAGMA optimize)")
    except Exception:
        log.exception("refreshing the SQLite statistics failed")


def jobs(config) -> list[JobSpec]:
    """The statistics job: at start and every 6 hours."""
    return [JobSpec(OPTIMIZE_JOB_ID, "SQLite statistics (ANALYZE / PRAGMA optimize)", optimize_job,
                    OPTIMIZE_EVERY_SECONDS, at_start=True)]
