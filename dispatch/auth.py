"""Who is asking: a Bearer API token (or a signed-in session), and role checks."""
from __future__ import annotations

from functools import wraps

from flask import g, request, session as web_session

from dispatch import db
from dispatch.errors import ApiError
from dispatch.users import service as user_service
from dispatch.users.models import User


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
    user_id = web_session.get("user_id")
    if user_id is not None:
        user = user_service.get(session=db.session(), user_id=user_id)
        if user and user.active:
            g.via_session = True
            return user
    return None


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
