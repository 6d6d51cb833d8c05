"""Fixtures of the page tests: users who sign in with a password (`users` is in tests/dispatch/conftest.py)."""
from __future__ import annotations

import pytest

from tests.dispatch.web.helpers import PASSWORD
from tests.helpers import password_hash


@pytest.fixture
def user_with_password(app, make_user):
    """user_with_password(username, role, **kw) -> Bearer headers; the user can also sign in with PASSWORD.

    The hash is made once per session with cheap scrypt parameters (tests.helpers.password_hash); signing
    in checks it as in production. `users passwd` with the real cost is tested in tests/dispatch/test_cli.py.
    """
    from dispatch import db

    def make(username: str, role: str, display_name: str = "", **kwargs):
        user, headers = make_user(username, role, **kwargs)
        with app.app_context():
            stored = db.session().get(type(user), user.id)
            stored.display_name = display_name or username
            stored.password_hash = password_hash(PASSWORD)
            db.session().commit()
        return headers

    return make
