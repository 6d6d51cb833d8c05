"""Database engine and a session per request (SQLite by default, PostgreSQL via DATABASE_URL)."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, create_engine

log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout, its folder is created."""
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
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


class SchemaError(RuntimeError):
    """The database was made by an older version: columns this version needs are missing."""


def create_schema(engine: Engine) -> None:
    """Create every table that does not exist yet, then check existing tables have every column."""
    import dispatch.models  # noqa: F401  (registers every table on the metadata)

    SQLModel.metadata.create_all(engine)
    check_columns(engine)


def check_columns(engine: Engine) -> None:
    """SchemaError naming each missing column (create_all never alters a table that exists)."""
    inspector = inspect(engine)
    missing = []
    for table in SQLModel.metadata.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name)}
        missing += [f"{table.name}.{column.name}" for column in table.columns if column.name not in present]
    if missing:
        raise SchemaError(
            f"the database at {engine.url.render_as_string(hide_password=True)} was made by an older version; "
            f"missing column(s): {', '.join(missing)}. Back it up (python run.py backup) and add them, "
            "or start from a new database.")


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


def init_app(app: Flask) -> None:
    """Create the engine and schema; close the request session at teardown."""
    eng = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = eng
    create_schema(eng)

    @app.teardown_appcontext
    def _close(_exc):
        sess = g.pop("db_session", None)
        if sess is not None:
            sess.close()
