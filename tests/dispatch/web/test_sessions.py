"""Server-side browser sessions: sign-out ends a session everywhere a copy of its cookie went, and
a session ends after 12 hours without use. Every test runs on SQLite and on PostgreSQL."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from dispatch import db
from dispatch.users.models import WebSession
from tests.dispatch.web.helpers import EVENT, csrf_of, sign_in


@pytest.fixture
def database_url(both_backends_url):
    return both_backends_url


@pytest.fixture
def signed_in(client, user_with_password):
    """The inspector xy1 signed in on `client`."""
    user_with_password("xy1", "inspector", zone="xiangyi")
    client.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (iPhone) test"
    assert sign_in(client, "xy1").status_code == 302
    return client


def copy_of_cookie(app, client):
    """Another browser holding a copy of `client`'s session cookie (a shared phone, a stolen cookie)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def is_signed_in(client) -> bool:
    """True when the page lets the browser in; False when it is sent to sign in (and the API answers 401)."""
    page = client.get("/m/")
    api = client.get("/api/v1/tickets?mine=1")
    assert (page.status_code == 200) == (api.status_code == 200), (page.status_code, api.status_code)
    if page.status_code == 200:
        return True
    assert page.headers["Location"] == "/login?next=/m/" and api.status_code == 401
    return False


def session_rows(app) -> list[WebSession]:
    with app.app_context():
        return list(db.session().exec(select(WebSession).order_by(WebSession.id)))


def test_a_copied_cookie_stops_working_after_logout(app, signed_in):
    copy = copy_of_cookie(app, signed_in)
    assert is_signed_in(copy)  # while the session is open, the copy is as good as the original
    response = signed_in.post("/logout", data={"csrf_token": csrf_of(signed_in)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not is_signed_in(signed_in)
    assert not is_signed_in(copy)
    # …nor can it change anything, even with the session's CSRF token: 401, not 403 csrf
    refused = copy.post("/api/v1/events", json=EVENT, headers={"X-CSRF-Token": csrf_of(copy)})
    assert refused.status_code == 401
    assert session_rows(app)[0].revoked_at is not None


def test_the_cookie_carries_a_random_secret_and_the_database_only_its_hash(app, signed_in, clock):
    with signed_in.session_transaction() as session:
        secret = session["sid"]
        assert "user_id" not in session
    (row,) = session_rows(app)
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(value) for value in row.model_dump().values())
    assert (row.created_at, row.last_seen_at, row.expires_at) == (clock.now, clock.now, clock.now + timedelta(hours=12))
    assert (row.user_agent, row.remote_addr, row.revoked_at) == ("Mozilla/5.0 (iPhone) test", "127.0.0.1", None)


@pytest.mark.parametrize("secret", [
    None,         # what the cookie used to carry: the user's id alone is no sign-in any more
    "made-up",    # nor is it with a secret no session has
])
def test_a_cookie_naming_a_user_but_no_open_session_signs_nobody_in(app, client, user_with_password, secret):
    # the cookie is signed, so this takes the SECRET_KEY; the server still asks its own table
    from dispatch.users import service

    user_with_password("xy1", "inspector", zone="xiangyi")
    with app.app_context():
        user_id = service.get_by_username(session=db.session(), username="xy1").id
    with client.session_transaction() as session:
        session["user_id"] = user_id
        if secret is not None:
            session["sid"] = secret
    assert not is_signed_in(client)


def test_a_session_ends_after_12_hours_without_use(signed_in, clock):
    start = clock.now
    for hours in (11, 22, 33):  # each use moves the end 12 hours ahead
        clock.set(start + timedelta(hours=hours))
        assert is_signed_in(signed_in), hours
    clock.set(start + timedelta(hours=45, seconds=1))
    assert not is_signed_in(signed_in)


def test_last_seen_is_written_at_most_once_a_minute(app, signed_in, clock):
    # the cockpit polls every few seconds: a signed-in poll must not be a database write
    writes = []

    def note(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE WEB_SESSIONS"):
            writes.append(statement)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", note)
    try:
        start = clock.now
        for seconds in (3, 6, 30, 59):
            clock.set(start + timedelta(seconds=seconds))
            assert is_signed_in(signed_in)
        assert writes == [] and session_rows(app)[0].last_seen_at == start
        clock.set(start + timedelta(seconds=61))
        assert is_signed_in(signed_in)
        assert len(writes) == 1
    finally:
        event.remove(engine, "before_cursor_execute", note)
    (row,) = session_rows(app)
    assert (row.last_seen_at, row.expires_at) == (clock.now, clock.now + timedelta(hours=12))


def test_signing_in_again_ends_the_session_the_browser_had(app, signed_in, user_with_password):
    # a shared phone: the next user signs in over the first one's session; a copy of the first cookie dies
    user_with_password("xy2", "inspector", zone="xiangyi")
    copy = copy_of_cookie(app, signed_in)
    assert sign_in(signed_in, "xy2").status_code == 302
    assert not is_signed_in(copy)
    assert is_signed_in(signed_in)
    first, second = session_rows(app)
    assert first.revoked_at is not None and second.revoked_at is None


def test_a_disabled_user_stays_signed_out_after_being_enabled_again(app, signed_in, clock):
    from dispatch.users import service

    def set_active(active: bool) -> None:
        with app.app_context():
            user = service.get_by_username(session=db.session(), username="xy1")
            service.set_active(session=db.session(), user=user, active=active, now=clock())

    set_active(False)
    assert not is_signed_in(signed_in)
    set_active(True)
    assert not is_signed_in(signed_in)  # disabling ended the session; enabling does not bring it back
    assert sign_in(signed_in, "xy1").status_code == 302 and is_signed_in(signed_in)


def test_a_new_password_ends_the_users_sessions(app, signed_in, clock):
    from dispatch.users import service

    with app.app_context():
        user = service.get_by_username(session=db.session(), username="xy1")
        service.set_password(session=db.session(), user=user, password="another-passw0rd", now=clock())
    assert not is_signed_in(signed_in)
    assert sign_in(signed_in, "xy1", "another-passw0rd").status_code == 302
