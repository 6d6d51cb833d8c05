"""Database engine and a session per request (SQLite by default, PostgreSQL via DATABASE_URL)."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import MetaData, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, create_engine

from dispatch import migrations
from dispatch.settings import SettingsError
from dispatch.tickets import record

log = logging.getLogger(__name__)


SQLITE_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")  # SQLite's levels of PRAGMA synchronous


def make_engine(url: str, *, sqlite_synchronous: str | None = None) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout, its folder is created.

    `sqlite_synchronous` (app config SQLITE_SYNCHRONOUS) sets SQLite's PRAGMA synchronous; None keeps
    SQLite's own default (FULL: every commit is on disk before it returns). The tests pass "OFF" —
    no fsync, a throw-away database — and nothing else should: a crash could lose committed reports.
    """
    synchronous = None if sqlite_synchronous is None else str(sqlite_synchronous).upper()
    if synchronous is not None and synchronous not in SQLITE_SYNCHRONOUS:
        raise SettingsError(f"SQLITE_SYNCHRONOUS={sqlite_synchronous!r}: expected one of "
                            f"{', '.join(SQLITE_SYNCHRONOUS)} (or unset)")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            if synchronous is not None:
                cur.execute(f"PRAGMA synchronous={synchronous}")  # one of SQLITE_SYNCHRONOUS, checked above
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


class SchemaError(RuntimeError):
    """The database's schema is not this version's: older (columns or revisions missing) or newer."""


SCHEMA_LOCK = 0x59430001  # PostgreSQL advisory lock: one process at a time creates or upgrades the schema


@contextmanager
def _schema_lock(engine: Engine):
    """On PostgreSQL, hold a session advisory lock while the schema is checked, created or upgraded, so
    gunicorn workers starting together on an empty database queue instead of racing to create it.
    SQLite (the embedded, single-process default) needs none."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK})
            conn.commit()


def create_schema(engine: Engine, *, migrate: bool = False) -> None:
    """Bring the database to this version's schema (one process at a time), or raise SchemaError."""
    with _schema_lock(engine):
        _create_schema(engine, migrate=migrate)


def _create_schema(engine: Engine, *, migrate: bool) -> None:
    """Bring the database to this version's schema, or raise SchemaError saying what to do.

    Empty: create every table and stamp the newest revision. Made before migrations (tables but no
    alembic_version): it needs the baseline's columns, then is migrated like one behind. Behind: the
    revisions are applied when `migrate` (`python run.py`, `init-db`, `db upgrade`), else refused, so
    that gunicorn workers never race to alter it. Ahead (a revision this version does not ship): refused.
    """
    import dispatch.models  # noqa: F401  (registers every table on the metadata)

    with engine.connect() as conn:
        revision = migrations.current(conn)
        present = present_columns(conn)
    ours = set(present) & set(SQLModel.metadata.tables)
    if revision is None and not ours:
        SQLModel.metadata.create_all(engine)
        with engine.begin() as conn:  # what revision 0005 gives an upgraded database (triggers are not metadata)
            record.install(conn)
        migrations.stamp(engine, "head")
        log.info("created the schema at revision %s", migrations.head())
        return
    where = engine.url.render_as_string(hide_password=True)
    if revision is None:
        check_columns(engine, migrations.baseline(), present=present)  # the baseline creates the tables it lacks
    elif not migrations.is_known(revision):
        raise SchemaError(f"the database at {where} is at revision {revision!r}, which this version does not "
                          "know: a newer version upgraded it. Run that version (or restore a backup); "
                          "nothing was changed.")
    if revision != migrations.head():
        if not migrate:
            raise SchemaError(f"the database at {where} is at revision {revision or 'none (made before migrations)'}"
                              f", this version needs {migrations.head()}: back it up (python run.py backup) and "
                              "run `python run.py db upgrade` (`python run.py` and `init-db` upgrade by themselves).")
        log.info("upgrading the database at %s from revision %s", where, revision or "none (made before migrations)")
        migrations.upgrade(engine)
        present = None  # read again after the upgrade
    check_columns(engine, present=present)
    with engine.connect() as conn:
        unguarded = record.unprotected(conn)
    if unguarded:
        log.error("the case record is not append-only: %s lack their triggers (a revision rebuilt them?); "
                  "`python run.py audit verify` says more", ", ".join(unguarded))


def check_columns(engine: Engine, metadata: MetaData = SQLModel.metadata, *,
                  present: dict[str, set[str]] | None = None) -> None:
    """SchemaError naming each column of `metadata` missing from a table the database has (`present`: the
    database's columns, when just read by `present_columns`)."""
    if present is None:
        with engine.connect() as conn:
            present = present_columns(conn)
    missing = [f"{table.name}.{column.name}" for table in metadata.sorted_tables if table.name in present
               for column in table.columns if column.name not in present[table.name]]
    if missing:
        raise SchemaError(
            f"the database at {engine.url.render_as_string(hide_password=True)} was made by an older version; "
            f"missing column(s): {', '.join(missing)}. Back it up (python run.py backup) and add them, "
            "or start from a new database.")


_COLUMNS_SQL = {  # every table's columns in one query (each app start checks them: see check_columns)
    "sqlite": "SELECT m.name, c.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c "
              "WHERE m.type = 'table'",
    "postgresql": "SELECT c.relname, a.attname FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid "
                  "WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
                  "AND c.relkind IN ('r', 'p') "
                  "AND a.attnum > 0 AND NOT a.attisdropped",
}


def present_columns(conn) -> dict[str, set[str]]:
    """{table: its column names} of the database's (current schema's) tables."""
    sql = _COLUMNS_SQL.get(conn.dialect.name)
    if sql is None:  # another dialect: SQLAlchemy's inspector, a query per table
        return {table: {c["name"] for c in columns}
                for (_schema, table), columns in inspect(conn).get_multi_columns().items()}
    present: dict[str, set[str]] = {}
    for table, column in conn.execute(text(sql)):
        present.setdefault(table, set()).add(column)
    return present


def grant_statements(engine: Engine, role: str) -> list[str]:
    """The SQL that lets `role` (the app's, owning no table) use the schema: read and add to every table,
    change and delete only outside the case record and the stored reports (dispatch.tickets.record.APPEND_ONLY_TABLES),
    read the revision.

    PostgreSQL only; run by the tables' owner after each upgrade (a new table needs its grant).
    """
    import dispatch.models  # noqa: F401  (registers every table on the metadata)

    if engine.dialect.name != "postgresql":
        raise SettingsError("SQLite has no roles: keep the database file readable by the app's user only")
    quote = engine.dialect.identifier_preparer.quote
    who = quote(role)
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
    record_tables = [quote(t) for t in record.APPEND_ONLY_TABLES]
    others = [quote(t.name) for t in SQLModel.metadata.sorted_tables if t.name not in record.APPEND_ONLY_TABLES]
    return [
        f"GRANT USAGE ON SCHEMA {quote(schema)} TO {who}",
        f"REVOKE ALL ON {', '.join(record_tables + others + ['alembic_version'])} FROM {who}",
        f"GRANT SELECT, INSERT ON {', '.join(record_tables)} TO {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(others)} TO {who}",
        f"GRANT SELECT ON alembic_version TO {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quote(schema)} TO {who}",
    ]


def upsert(session: Session, model, key: str, rows: list[dict]) -> None:
    """Insert the rows into `model`'s table, or update the ones whose `key` (a unique column) exists; nothing is
    deleted. One statement executed for every row (executemany), compiled once per process. SQLite and PostgreSQL
    (both say ON CONFLICT … DO UPDATE)."""
    if not rows:
        return
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(model.__table__)
    session.connection().execute(stmt.on_conflict_do_update(
        index_elements=[key], set_={name: stmt.excluded[name] for name in rows[0] if name != key}), rows)


def engine() -> Engine:
    return current_app.extensions["db_engine"]


def session() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


def ping() -> bool:
    """True when the database answers."""
    with engine().connect() as conn:
        return conn.execute(text("SELECT 1")).scalar() == 1


def init_app(app: Flask, *, migrate: bool = False) -> None:
    """Create the engine, bring the schema up to date (see create_schema); close the request session at teardown."""
    eng = make_engine(app.config["DATABASE_URL"], sqlite_synchronous=app.config.get("SQLITE_SYNCHRONOUS"))
    app.extensions["db_engine"] = eng
    create_schema(eng, migrate=migrate)

    @app.teardown_appcontext
    def _close(_exc):
        sess = g.pop("db_session", None)
        if sess is not None:
            sess.close()
