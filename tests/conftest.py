"""Shared fixtures: an app on a fresh database per test, a client, users with tokens, a fixed clock.

Plain helpers (Clock, DEFAULT_NOW, make_test_app, …) live in tests/helpers.py; import them from there.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import (CONFIG_DIR, DEFAULT_NOW, Clock, make_test_app, parse_toml_once, reuse_parsed_rules,
                           reuse_url_builders, share_compiled_sql)

TMPFS = Path("/dev/shm")


def pytest_configure(config):
    """Cheaper apps (`reuse_url_builders`, `reuse_parsed_rules`, `share_compiled_sql`, `parse_toml_once`) and
    temporary folders on tmpfs.

    Temporary folders (each test's SQLite database, config/ copy and var/) on tmpfs when the machine
    has one: a database file on disk costs several times its test. `--basetemp` or an explicit
    PYTEST_DEBUG_TEMPROOT still decide; only failed tests' folders are kept (pyproject.toml)."""
    reuse_url_builders()
    reuse_parsed_rules()
    share_compiled_sql()
    parse_toml_once()
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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """An empty SQLite database at this version's schema, made once per test process (see `database_url`)."""
    from dispatch import db

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = db.make_engine(f"sqlite:///{path}")
    db.create_schema(engine)
    with engine.connect() as conn:  # everything in the main file: a copy needs no -wal beside it
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def empty_database_url(tmp_path) -> str:
    """A SQLite database that does not exist yet: for tests of creating and upgrading the schema."""
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def database_url(tmp_path, sqlite_template) -> str:
    """A SQLite database of its own for each test, at this version's schema and without rows.

    A copy of `sqlite_template` (a file copy on tmpfs instead of creating every table per test); the app
    seeds config/ into it at start as into any database. Tests of schema creation and migrations use
    `empty_database_url`.
    """
    target = tmp_path / "test.sqlite3"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite:///{target}"


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


def _postgres_admin():
    """An engine on TEST_DATABASE_URL, or a skip with the reason (unset, or the server does not answer)."""
    if not POSTGRES_URL:
        pytest.skip("set TEST_DATABASE_URL=postgresql+psycopg://user@host:5432/db to run the PostgreSQL tests")
    import sqlalchemy as sa

    admin = sa.create_engine(POSTGRES_URL)
    try:
        with admin.connect():
            pass
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL does not answer: {exc.orig}")
    return admin


def _new_schema(admin) -> tuple[str, str]:
    """A fresh schema's name and a URL whose search_path is it."""
    import uuid

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    schema = f"test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    return schema, make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


def _drop_schema(admin, schema: str) -> None:
    import sqlalchemy as sa

    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture
def postgres_url():
    """A PostgreSQL URL (env TEST_DATABASE_URL) whose search_path is a fresh, empty schema, dropped afterwards:
    for tests of creating and upgrading the schema, roles and grants.

    Skips with a reason when the variable is unset or the server does not answer, so the SQLite
    suite still passes on a machine without PostgreSQL.
    """
    admin = _postgres_admin()
    schema, url = _new_schema(admin)
    try:
        yield url
    finally:
        _drop_schema(admin, schema)
        admin.dispose()


# What a schema's shape is made of: columns, indexes, triggers, functions and the revision. A test that changed
# it (dropped a trigger, say) leaves a shape the next test must not inherit.
_SHAPE = """
SELECT md5(concat_ws('|',
  (SELECT string_agg(table_name::text || '.' || column_name::text || ':' || data_type::text, ',' ORDER BY table_name, column_name)
     FROM information_schema.columns WHERE table_schema = :schema),
  (SELECT string_agg(indexname::text || ':' || indexdef, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = :schema),
  (SELECT string_agg(c.relname::text || '.' || t.tgname::text || ':' || t.tgenabled::text, ',' ORDER BY c.relname, t.tgname)
     FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = :schema AND NOT t.tgisinternal),
  (SELECT string_agg(p.proname::text || ':' || md5(p.prosrc), ',' ORDER BY p.proname)
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = :schema),
  (SELECT string_agg(conname::text, ',' ORDER BY conname)
     FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = :schema)))
"""


class _ReadySchema:
    """One schema per test process at this version's schema; each test gets it without rows (`ready_postgres_url`).

    Creating ~20 tables with their indexes and triggers costs PostgreSQL a second or two per test; emptying
    them costs milliseconds. The schema's shape is checked at each hand-out and made again if a test changed it.
    """

    def __init__(self, admin):
        self.admin = admin
        self.schema = self.url = self.shape = None

    def _make(self) -> None:
        from dispatch import db

        if self.schema:
            _drop_schema(self.admin, self.schema)
        self.schema, self.url = _new_schema(self.admin)
        engine = db.make_engine(self.url)
        db.create_schema(engine)
        engine.dispose()
        self.shape = self._shape()

    def _shape(self) -> str:
        import sqlalchemy as sa

        with self.admin.connect() as conn:
            return conn.execute(sa.text(_SHAPE), {"schema": self.schema}).scalar()

    def hand_out(self) -> str:
        """The schema's URL, its rows gone and its sequences back at 1."""
        import sqlalchemy as sa

        if self.schema is None or self._shape() != self.shape:
            self._make()
            return self.url
        with self.admin.begin() as conn:
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))  # no trigger: the record too
            conn.execute(sa.text("SET LOCAL lock_timeout = '10s'"))
            tables = conn.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = :schema AND tablename <> 'alembic_version'"),
                {"schema": self.schema}).scalars().all()
            for table in tables:
                conn.execute(sa.text(f'DELETE FROM "{self.schema}"."{table}"'))
            conn.execute(sa.text(
                "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'S' AND n.nspname = :schema"), {"schema": self.schema})
        return self.url

    def close(self) -> None:
        if self.schema:
            _drop_schema(self.admin, self.schema)
        self.admin.dispose()


@pytest.fixture(scope="session")
def _ready_schema():
    holder = {}
    yield holder
    if "schema" in holder:
        holder["schema"].close()


@pytest.fixture
def ready_postgres_url(_ready_schema):
    """A PostgreSQL URL (env TEST_DATABASE_URL) at this version's schema and without rows; skipped without it.

    The same schema serves every test of a test process in turn (see _ReadySchema); tests of creating the
    schema, migrations, roles and grants use `postgres_url`.
    """
    if "schema" not in _ready_schema:
        _ready_schema["schema"] = _ReadySchema(_postgres_admin())
    return _ready_schema["schema"].hand_out()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def both_backends_url(request):
    """The file-based SQLite database, and PostgreSQL when TEST_DATABASE_URL is set: each at this version's
    schema and without rows (`database_url`, `ready_postgres_url`).

    A test module runs every test on both with `def database_url(both_backends_url): return both_backends_url`.
    """
    if request.param == "sqlite":
        return request.getfixturevalue("database_url")
    return request.getfixturevalue("ready_postgres_url")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def both_backends_empty_url(request, empty_database_url):
    """Like `both_backends_url`, but empty (no tables): for tests of creating and upgrading the schema."""
    if request.param == "sqlite":
        return empty_database_url
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def pg_app(tmp_path, clock, config_dir, ready_postgres_url):
    """Like `app`, on PostgreSQL (see `ready_postgres_url`); skipped without it."""
    app = make_test_app(ready_postgres_url, tmp_path=tmp_path, clock=clock, config_dir=config_dir)
    yield app
    app.extensions["db_engine"].dispose()
