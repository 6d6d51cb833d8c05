"""Session rows over time: which are open, what revoking counts, what the scheduled cleanup deletes.
Every test runs on SQLite and on PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from dispatch import db
from dispatch.users import scheduled, service, web_sessions
from dispatch.users.models import WebSession
from tests.helpers import DEFAULT_NOW

LIFETIME = timedelta(hours=12)
DAY = timedelta(days=1)


@pytest.fixture
def database_url(both_backends_url):
    return both_backends_url


@pytest.fixture
def user_id(app, make_user):
    return make_user("xy1", "inspector", zone="xiangyi")[0].id


@pytest.fixture
def start(app, user_id):
    """start(at, revoked_after=None) -> the secret of a session of xy1 opened `at` (and revoked later)."""

    def make(at, revoked_after: timedelta | None = None, agent: str = "") -> str:
        with app.app_context():
            secret = web_sessions.start(session=db.session(), user_id=user_id, now=at, lifetime=LIFETIME,
                                        user_agent=agent, remote_addr="10.0.0.8")
            if revoked_after is not None:
                web_sessions.revoke(session=db.session(), secret=secret, now=at + revoked_after)
        return secret

    return make


def agents(app) -> set[str]:
    with app.app_context():
        return {row.user_agent for row in db.session().exec(select(WebSession))}


def test_open_sessions_and_revoke_all_count_only_those_still_usable(app, user_id, start):
    now = DEFAULT_NOW
    start(now - timedelta(hours=1), agent="open, seen an hour ago")
    start(now - timedelta(minutes=5), agent="open, newest")
    start(now - timedelta(hours=2), revoked_after=timedelta(minutes=30), agent="signed out")
    start(now - timedelta(hours=13), agent="expired")
    with app.app_context():
        listed = web_sessions.list_open(session=db.session(), user_id=user_id, now=now)
        assert [row.user_agent for row in listed] == ["open, newest", "open, seen an hour ago"]
        assert web_sessions.revoke_all(session=db.session(), user_id=user_id, now=now) == 2
        assert web_sessions.list_open(session=db.session(), user_id=user_id, now=now) == []
        assert web_sessions.revoke_all(session=db.session(), user_id=user_id, now=now) == 0


def test_a_use_moves_the_end_but_a_revoked_or_expired_session_is_not_used(app, start):
    secret = start(DEFAULT_NOW)
    def use(at):
        return web_sessions.use(session=db.session(), secret=secret, now=at, lifetime=LIFETIME)

    with app.app_context():
        assert use(DEFAULT_NOW + timedelta(hours=11)).expires_at == DEFAULT_NOW + timedelta(hours=23)
        assert use(DEFAULT_NOW + timedelta(hours=23)) is None  # expired, exactly at its end
        assert use(DEFAULT_NOW + timedelta(hours=22)) is not None
        assert web_sessions.revoke(session=db.session(), secret=secret, now=DEFAULT_NOW + timedelta(hours=22))
        assert use(DEFAULT_NOW + timedelta(hours=22)) is None
        assert not web_sessions.revoke(session=db.session(), secret=secret, now=DEFAULT_NOW + timedelta(hours=22))


def test_the_scheduled_cleanup_deletes_sessions_ended_30_days_ago(app, start, clock):
    now = DEFAULT_NOW
    start(now - 40 * DAY, agent="expired 39.5 days ago")                                   # deleted
    start(now - 31 * DAY, revoked_after=timedelta(minutes=5), agent="signed out 31 days ago")  # deleted
    start(now - 30 * DAY - LIFETIME + timedelta(minutes=1), agent="expired 30 days less a minute ago")  # kept
    start(now - 20 * DAY, revoked_after=timedelta(hours=1), agent="signed out 20 days ago")  # kept: the record
    start(now - timedelta(hours=1), agent="open")                                            # kept: in use
    clock.set(now)
    scheduled.purge_sessions_job(app)  # its own app context, the app's clock
    assert agents(app) == {"expired 30 days less a minute ago", "signed out 20 days ago", "open"}
    scheduled.purge_sessions_job(app)  # harmless to run again
    assert len(agents(app)) == 3
    clock.set(now + timedelta(minutes=2))
    scheduled.purge_sessions_job(app)
    assert agents(app) == {"signed out 20 days ago", "open"}


def test_the_browser_name_is_kept_printable(app, start):
    # `users sessions` prints it on an admin's terminal: no escape sequences from a client's header
    start(DEFAULT_NOW, agent="evil\x1b]0;owned\x07" + "x" * 400)
    (agent,) = agents(app)
    assert agent.startswith("evil?]0;owned?x") and len(agent) == 256


def test_only_a_disabled_user_loses_the_sessions(app, start, user_id):
    start(DEFAULT_NOW)
    with app.app_context():
        session = db.session()
        user = service.get(session=session, user_id=user_id)
        service.set_active(session=session, user=user, active=True, now=DEFAULT_NOW)  # enabling: nothing ends
        assert len(web_sessions.list_open(session=session, user_id=user_id, now=DEFAULT_NOW)) == 1
        service.set_active(session=session, user=user, active=False, now=DEFAULT_NOW)
        assert web_sessions.list_open(session=session, user_id=user_id, now=DEFAULT_NOW) == []
