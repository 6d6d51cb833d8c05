"""The sign-in limit per network address, across user names: ADDRESS_LIMIT wrong sign-ins in WINDOW and the
address waits until its window ends (429), so one machine cannot try a password on every account.

The per-account lock (users.service.check_password) stops guessing one account; this stops guessing many.
Each failure is one atomic upsert (INSERT … ON CONFLICT DO UPDATE … RETURNING), so failures sent at once
are each counted. Behind a reverse proxy every request comes from the proxy's address: see README, Operations.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from dispatch.users.models import SignInFailures

ADDRESS_LIMIT = 20
WINDOW = timedelta(minutes=15)
MAX_ADDRESS = 64


def _key(address: str) -> str:
    return (address or "-")[:MAX_ADDRESS]


def blocked_until(*, session: Session, address: str, now: datetime) -> datetime | None:
    """When this address may try again, or None when it may now."""
    row = session.get(SignInFailures, _key(address))
    if row is None or row.failures < ADDRESS_LIMIT or row.window_start + WINDOW <= now:
        return None
    return row.window_start + WINDOW


def count_failure(*, session: Session, address: str, now: datetime) -> int:
    """Count one wrong sign-in from `address` (a new window when the last one ended); the window's count."""
    table = SignInFailures.__table__
    instant = literal(now, table.c.window_start.type)
    ended = table.c.window_start <= literal(now - WINDOW, table.c.window_start.type)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (insert(table).values(address=_key(address), window_start=now, failures=1)
                 .on_conflict_do_update(index_elements=["address"], set_={
                     "failures": case((ended, 1), else_=table.c.failures + 1),
                     "window_start": case((ended, instant), else_=table.c.window_start)})
                 .returning(table.c.failures))
    failures = session.execute(statement).scalar_one()
    session.commit()
    return failures


def purge(*, session: Session, now: datetime) -> int:
    """Forget the windows that ended; how many (the scheduler's session cleanup calls it)."""
    deleted = session.execute(delete(SignInFailures).where(col(SignInFailures.window_start) <= now - WINDOW)
                              .execution_options(synchronize_session=False)).rowcount
    session.commit()
    return deleted
