"""Browser sessions (登录会话) kept on the server, so that ending one really ends it.

The signed session cookie carries a random secret; the `web_sessions` row keeps only its sha256 (a
copy of the database signs nobody in). A session is open while it is neither revoked nor expired.
Each use moves its expiry `lifetime` ahead (12 hours without use end it, as the cookie did before),
but the row is written at most once per TOUCH_INTERVAL: the cockpit polls every few seconds.
Sign-out, a new password, disabling the user and `python run.py users logout` revoke rows; `purge`
deletes the rows that ended RETENTION ago.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from dispatch.users.models import WebSession

TOUCH_INTERVAL = timedelta(minutes=1)
RETENTION = timedelta(days=30)
MAX_USER_AGENT = 256
MAX_ADDRESS = 64


def hash_secret(secret: str) -> str:
    """sha256 of a session secret (256-bit random, so a fast hash is enough)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def start(*, session: Session, user_id: int, now: datetime, lifetime: timedelta, user_agent: str = "",
          remote_addr: str = "") -> str:
    """Open a session for the user; returns its secret, for the cookie only (the row keeps the hash)."""
    secret = secrets.token_urlsafe(32)
    session.add(WebSession(user_id=user_id, secret_hash=hash_secret(secret), created_at=now, last_seen_at=now,
                           expires_at=now + lifetime, user_agent=_printable(user_agent, MAX_USER_AGENT),
                           remote_addr=_printable(remote_addr, MAX_ADDRESS)))
    session.commit()
    return secret


def _printable(text: str | None, limit: int) -> str:
    """`text` cut to `limit`, control characters replaced: headers are the client's to choose, and
    `users sessions` prints them on an admin's terminal.

    >>> _printable("Mozilla\x1b[2J", 20)
    'Mozilla?[2J'
    """
    return "".join(c if c.isprintable() else "?" for c in (text or "")[:limit])


def use(*, session: Session, secret: str, now: datetime, lifetime: timedelta) -> WebSession | None:
    """The open session holding `secret`, its use noted; None when unknown, revoked or expired.

    Noting a use (last seen now, expiry `lifetime` ahead) writes only when the last note is at
    least TOUCH_INTERVAL old, so a page that polls does not write on every poll.
    """
    row = session.exec(select(WebSession).where(WebSession.secret_hash == hash_secret(secret))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        # only these two columns are written: a revocation committed meanwhile is not undone
        row.last_seen_at, row.expires_at = now, now + lifetime
        session.add(row)
        session.commit()
    return row


def revoke(*, session: Session, secret: str, now: datetime) -> bool:
    """End the session holding `secret` (sign-out); True when an open one was ended."""
    return _revoke(session, WebSession.secret_hash == hash_secret(secret), now=now) > 0


def revoke_one(*, session: Session, user_id: int, session_id: int, now: datetime) -> bool:
    """End one session of the user (an admin ending a lost phone's session); True when an open one was ended."""
    return _revoke(session, (WebSession.user_id == user_id) & (WebSession.id == session_id), now=now) > 0


def open_counts(*, session: Session, now: datetime) -> dict[int, int]:
    """How many open sessions each user has (users without one are left out)."""
    rows = session.execute(
        select(WebSession.user_id, func.count())
        .where(col(WebSession.revoked_at).is_(None), WebSession.expires_at > now)
        .group_by(WebSession.user_id))
    return {user_id: count for user_id, count in rows}


def revoke_all(*, session: Session, user_id: int, now: datetime) -> int:
    """End every open session of the user, committing `session` (with any change pending in it); how many."""
    return _revoke(session, WebSession.user_id == user_id, now=now)


def _revoke(session: Session, condition, *, now: datetime) -> int:
    stmt = (update(WebSession)
            .where(condition, col(WebSession.revoked_at).is_(None), col(WebSession.expires_at) > now)
            .values(revoked_at=now))
    count = session.execute(stmt).rowcount
    session.commit()
    return count


def list_open(*, session: Session, user_id: int, now: datetime) -> list[WebSession]:
    """The user's open sessions, most recently seen first."""
    return list(session.exec(
        select(WebSession)
        .where(WebSession.user_id == user_id, col(WebSession.revoked_at).is_(None), WebSession.expires_at > now)
        .order_by(col(WebSession.last_seen_at).desc(), col(WebSession.id).desc())))


def purge(*, session: Session, now: datetime, retention: timedelta = RETENTION) -> int:
    """Delete the sessions that expired more than `retention` ago; how many.

    A revoked session is among them too: revoking never moves `expires_at`, which is at most one
    lifetime ahead. Harmless to run twice or from two processes: nobody can use these rows any more.
    """
    stmt = delete(WebSession).where(col(WebSession.expires_at) < now - retention)
    count = session.execute(stmt).rowcount
    session.commit()
    return count
