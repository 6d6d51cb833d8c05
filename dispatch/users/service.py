"""User records: create, find by token or password, rotate credentials (which ends their browser sessions)."""
from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import case, literal, or_, update
from sqlmodel import Session, col, select
from werkzeug.security import check_password_hash, generate_password_hash

from dispatch.users import web_sessions
from dispatch.users.models import Role, User


log = logging.getLogger(__name__)

USERNAME = re.compile(r"[\w.-]{1,64}")  # \w includes 汉字


class UserError(ValueError):
    """A user cannot be created or changed as asked: `code` says which rule refused (the admin page names it in
    Chinese, see web/admin.py), the message says it in English (the command line prints it)."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.code = code


def hash_token(token: str) -> str:
    """sha256 of an API token (tokens are 256-bit random, so a fast hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "yc_" + secrets.token_urlsafe(32)


def create(*, session: Session, username: str, role: str, now: datetime, department: str | None = None,
           zone: str | None = None, display_name: str = "", departments=(), zones=(), committee: str | None = None,
           committees=()) -> tuple[User, str]:
    """Create a user and return it with its API token (shown once; only the hash is stored)."""
    if role not in Role.__members__:
        raise UserError(f"unknown role {role!r}; one of {', '.join(Role.__members__)}", "role")
    if not USERNAME.fullmatch(username or ""):
        raise UserError("a username is 1–64 letters, digits, '_', '.' or '-'", "username")
    if role == Role.department and not department:
        raise UserError("a department user needs --department CODE", "department_needed")
    if department and role != Role.department:
        raise UserError("--department is for department users only", "department_not_allowed")
    if zone and role != Role.inspector:
        raise UserError("--zone is for inspectors only", "zone_not_allowed")
    if role == Role.committee and not committee:
        raise UserError("a committee (居委) user needs --committee CODE (python run.py check-config lists none; "
                        "see config/committees.toml)", "committee_needed")
    if committee and role != Role.committee:
        raise UserError("--committee is for committee (居委) users only", "committee_not_allowed")
    if committee and committee not in committees:
        raise UserError(f"unknown committee {committee!r}: not a code of config/committees.toml",
                        "unknown_committee")
    if department and department not in departments:
        raise UserError(f"unknown department {department!r}", "unknown_department")
    if zone and zone not in zones:
        raise UserError(f"unknown zone {zone!r}", "unknown_zone")
    if get_by_username(session=session, username=username):
        raise UserError(f"user {username!r} exists", "exists")
    token = new_token()
    user = User(username=username, display_name=display_name or username, role=role, department=department,
                zone=zone, committee=committee, token_hash=hash_token(token), created_at=now)
    session.add(user)
    session.commit()
    session.refresh(user)
    return user, token


def get(*, session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_by_username(*, session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def get_by_token(*, session: Session, token: str) -> User | None:
    """The active user holding this API token, or None."""
    user = session.exec(select(User).where(User.token_hash == hash_token(token))).first()
    return user if user and user.active else None


def rotate_token(*, session: Session, user: User) -> str:
    """Give the user a new API token (the old one stops working)."""
    token = new_token()
    user.token_hash = hash_token(token)
    session.add(user)
    session.commit()
    return token


def check_password_rules(password: str) -> None:
    """UserError when the password is not acceptable (too short)."""
    if len(password) < 8:
        raise UserError("a password needs at least 8 characters", "password_short")


PASSWORD_METHOD = "scrypt"  # werkzeug's KDF with its default cost (N=32768, r=8, p=1: about half a second)


@cache
def _stand_in_hash() -> str:
    """A hash of a random password made like every user's: checked when the name is unknown (or cannot sign
    in), so that a failed sign-in costs the same whether the name exists or not."""
    return generate_password_hash(secrets.token_urlsafe(16), method=PASSWORD_METHOD)


def set_password(*, session: Session, user: User, password: str, now: datetime) -> None:
    """Store a scrypt hash of the password (werkzeug's KDF) and end the user's browser sessions."""
    check_password_rules(password)
    user.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    user.failed_logins, user.locked_until = 0, None  # an admin setting a password also lifts a lockout
    session.add(user)
    # whoever signed in with the old password (or holds a copy of such a cookie) is out: revoke_all
    # commits the new hash and the revocation together
    web_sessions.revoke_all(session=session, user_id=user.id, now=now)


MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


def check_password(*, session: Session, username: str, password: str, now: datetime) -> User | None:
    """The active user when the password matches, else None.

    After MAX_FAILED_LOGINS wrong passwords in a row the account refuses sign-in for LOCKOUT, even
    with the right password (a guessing attack stalls); a success resets the count. Each failure is
    counted by one UPDATE … SET failed_logins = failed_logins + 1 on a row that is not locked, so wrong
    passwords sent at once are each counted and the lock engages at exactly the fifth; a right password
    checked while the lock engaged is refused too. The password is checked against a stand-in hash when
    the name is unknown: the answer takes as long either way.
    """
    user = get_by_username(session=session, username=username)
    usable = user is not None and user.active and bool(user.password_hash)
    matches = check_password_hash(user.password_hash if usable else _stand_in_hash(), password)
    if not usable:
        return None
    not_locked = or_(col(User.locked_until).is_(None), col(User.locked_until) <= now)
    if matches:
        reset = session.execute(update(User).where(User.id == user.id, not_locked)
                                .values(failed_logins=0, locked_until=None)
                                .execution_options(synchronize_session=False))
        session.commit()
        return user if reset.rowcount == 1 else None
    failures = User.failed_logins + 1
    locks = failures >= MAX_FAILED_LOGINS
    counted = session.execute(
        update(User).where(User.id == user.id, not_locked)
        .values(failed_logins=case((locks, 0), else_=failures),
                locked_until=case((locks, literal(now + LOCKOUT, User.__table__.c.locked_until.type)),
                                  else_=User.locked_until))
        .returning(User.locked_until).execution_options(synchronize_session=False)).first()
    session.commit()
    if counted is not None and counted.locked_until is not None:
        log.warning("sign-in of %s paused until %s after %d wrong passwords", user.username,
                    counted.locked_until.isoformat(), MAX_FAILED_LOGINS)
    return None


def set_active(*, session: Session, user: User, active: bool, now: datetime, by: User | None = None) -> None:
    """Disable (or re-enable) a user: a disabled user's token and sessions are refused at once.

    Disabling also ends the browser sessions, so enabling the user again does not bring them back. An admin
    acting in the browser (`by`) cannot disable themself: nobody would be left signed in to undo it.
    """
    if not active and by is not None and by.id == user.id:
        raise UserError("you cannot disable yourself", "self")
    user.active = active
    session.add(user)
    if active:
        session.commit()
    else:
        web_sessions.revoke_all(session=session, user_id=user.id, now=now)  # commits the flag with it


def list_all(*, session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.id)))
