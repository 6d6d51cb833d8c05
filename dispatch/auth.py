"""Who is asking: a Bearer API token (or a signed-in session), and role checks.

A browser session lives on the server (dispatch.users.web_sessions): the signed cookie carries only
the session's random secret under SESSION_KEY, and each request finds its row; an unknown, revoked or
expired session is nobody signed in. `start_session` (sign-in) and `end_session` (sign-out) manage it.

CSRF rule: a request authenticated by the session cookie with an unsafe method (POST, PUT, PATCH,
DELETE) must carry `X-CSRF-Token` equal to the session's token (an HTML form may send it as the
hidden field `csrf_token` instead), else 403 `csrf`. Bearer-token clients send no cookie-borne
credentials, so they are not affected.
"""
from __future__ import annotations

import hmac
import secrets
from functools import wraps

from flask import current_app, g, request, session as web_session

from dispatch import clock, db
from dispatch.errors import ApiError
from dispatch.users import service as user_service
from dispatch.users import web_sessions
from dispatch.users.models import User

SESSION_KEY = "sid"  # the cookie's session secret; the database keeps its sha256
CSRF_SESSION_KEY = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def current_user() -> User | None:
    """The user of this request, from `Authorization: Bearer` or the session cookie."""
    if "user" not in g:
        g.user = _load_user()
    return g.user


def _load_user() -> User | None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "unauthorized", "use Authorization: Bearer <token>")
        user = user_service.get_by_token(session=db.session(), token=token.strip())
        if user is None:
            raise ApiError(401, "unauthorized", "invalid or revoked token")
        return user
    user = _session_user()
    if user is not None:
        if request.method not in SAFE_METHODS and not csrf_matches(_sent_csrf_token()):
            raise ApiError(403, "csrf", f"signed-in browser requests that change data need the "
                                        f"{CSRF_HEADER} header (from <meta name=\"csrf-token\">)")
        g.via_session = True
    return user


def _session_user() -> User | None:
    """The active user of this browser's open server-side session, or None.

    A due note of the session's use commits the request's database session: the guards look the user
    up before the view runs, so that commit carries nothing of the view's.
    """
    secret = web_session.get(SESSION_KEY)
    if not secret:
        return None
    row = web_sessions.use(session=db.session(), secret=str(secret), now=clock.now(),
                           lifetime=current_app.permanent_session_lifetime)
    user = user_service.get(session=db.session(), user_id=row.user_id) if row else None
    return user if user and user.active else None


def start_session(user: User) -> None:
    """Sign `user` in on this browser: a new server-side session, a fresh cookie, a new CSRF token.

    A session the browser held before is revoked and nothing of the old cookie survives (no
    session fixation).
    """
    end_session()
    web_session.permanent = True
    web_session[SESSION_KEY] = web_sessions.start(
        session=db.session(), user_id=user.id, now=clock.now(), lifetime=current_app.permanent_session_lifetime,
        user_agent=request.user_agent.string, remote_addr=request.remote_addr or "")
    csrf_token()


def end_session() -> None:
    """Sign out: revoke this browser's server-side session (a copy of its cookie dies too), clear the cookie."""
    secret = web_session.get(SESSION_KEY)
    if secret:
        web_sessions.revoke(session=db.session(), secret=str(secret), now=clock.now())
    web_session.clear()
    g.pop("user", None)


def _sent_csrf_token() -> str | None:
    """The token the client sent: the header, or the hidden field of an HTML form post."""
    if CSRF_HEADER in request.headers:
        return request.headers[CSRF_HEADER]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.form.get(CSRF_SESSION_KEY)
    return None


def csrf_token() -> str:
    """This session's CSRF token, created on first use (a new one is issued at sign-in)."""
    token = web_session.get(CSRF_SESSION_KEY)
    if not token:
        token = web_session[CSRF_SESSION_KEY] = secrets.token_urlsafe(32)
    return token


def csrf_matches(value: str | None) -> bool:
    """True when `value` equals this session's CSRF token (constant-time compare)."""
    expected = web_session.get(CSRF_SESSION_KEY)
    return bool(expected and value) and hmac.compare_digest(str(expected), str(value))


def require_user() -> User:
    user = current_user()
    if user is None:
        raise ApiError(401, "unauthorized", "authentication required: Authorization: Bearer <token>")
    return user


def roles_required(*roles: str):
    """View decorator: 401 without credentials, 403 when the user's role is not one of `roles`."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = require_user()
            if roles and user.role not in roles:
                raise ApiError(403, "forbidden", f"role {user.role!r} may not do this; needs {' or '.join(roles)}")
            return view(*args, **kwargs)

        return wrapper

    return decorator
