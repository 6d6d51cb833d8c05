"""Shared fixtures: an app on a fresh database per test, a client, users with tokens, a fixed clock.

Plain helpers (Clock, DEFAULT_NOW, make_test_app, …) live in tests/helpers.py; import them from there.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import CONFIG_DIR, DEFAULT_NOW, Clock, make_test_app

TMPFS = Path("/dev/shm")


def pytest_configure(config):
    """Temporary folders (each test's SQLite database, config/ copy and var/) on tmpfs when the machine
    has one: a database file on disk costs several times its test. `--basetemp` or an explicit
    PYTEST_DEBUG_TEMPROOT still decide; only failed tests' folders are kept (pyproject.toml)."""
    if config.option.basetemp or os.environ.get("PYTEST_DEBUG_TEMPROOT"):
        return
    if TMPFS.is_dir() and os.access(TMPFS, os.W_OK | os.X_OK):
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(TMPFS)


@pytest.fixture
def clock() -> Clock:
    return Clock(DEFAULT_NOW)


@pytest.fixture
def config_dir(tmp_path) -> Path:
    """A private copy of config/ a test may edit."""
    target = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, target)
    return target


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def app(tmp_path, clock, database_url, config_dir):
    app = make_test_app(database_url, tmp_path=tmp_path, clock=clock, config_dir=config_dir)
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """make_user(username, role, department=None, zone=None, committee=None) -> (user, auth headers)."""
    from dispatch import db
    from dispatch.users import service

    def make(username: str, role: str, department: str | None = None, zone: str | None = None,
             committee: str | None = None):
        with app.app_context():
            cfg = app.extensions["street_config"]
            user, token = service.create(session=db.session(), username=username, role=role, now=DEFAULT_NOW,
                                         department=department, zone=zone, departments=set(cfg.departments),
                                         zones={z.code for z in cfg.zones}, committee=committee,
                                         committees=set(cfg.committees.by_code))
        return user, {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def inspector(make_user):
    return make_user("inspector_xy", "inspector", zone="xiangyi")[1]


@pytest.fixture
def command(make_user):
    return make_user("command1", "command")[1]


POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture
def postgres_url():
    """A PostgreSQL URL (env TEST_DATABASE_URL) whose search_path is a fresh schema, dropped afterwards.

    Skips with a reason when the variable is unset or the server does not answer, so the SQLite
    suite still passes on a machine without PostgreSQL.
    """
    if not POSTGRES_URL:
        pytest.skip("set TEST_DATABASE_URL=postgresql+psycopg://user@host:5432/db to run the PostgreSQL tests")
    import uuid

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL does not answer: {exc.orig}")
    try:
        yield make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def both_backends_url(request, tmp_path):
    """The file-based SQLite database, and PostgreSQL when TEST_DATABASE_URL is set.

    A test module runs every test on both with `def database_url(both_backends_url): return both_backends_url`.
    """
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def pg_app(tmp_path, clock, config_dir, postgres_url):
    """Like `app`, on PostgreSQL in a fresh schema (see `postgres_url`); skipped without it."""
    app = make_test_app(postgres_url, tmp_path=tmp_path, clock=clock, config_dir=config_dir)
    yield app
    app.extensions["db_engine"].dispose()
