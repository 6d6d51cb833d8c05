"""Schema migrations (Alembic): the scripts in versions/, configured from the app's engine (no alembic.ini)."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, Engine

HERE = Path(__file__).resolve().parent
BASELINE = "0001"  # the schema of the last release without migrations


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config for the scripts here; env.py runs on `connection`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE).replace("%", "%%"))
    cfg.attributes["connection"] = connection
    return cfg


@cache
def scripts() -> ScriptDirectory:
    """The revisions shipped with this version (read once per process)."""
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    return scripts().get_current_head()


def baseline() -> MetaData:
    """The tables and columns of the baseline revision (frozen: the models move on, this does not)."""
    return scripts().get_revision(BASELINE).module.metadata


def is_known(revision: str) -> bool:
    """True when this version ships `revision` (False for a database upgraded by a newer version)."""
    return any(script.revision == revision for script in scripts().walk_revisions())


def current(connection: Connection) -> str | None:
    """The database's revision, None when it has no alembic_version table (empty, or made before migrations)."""
    return MigrationContext.configure(connection).get_current_revision()


def stamp(engine: Engine, revision: str) -> None:
    """Record `revision` as the database's schema without running anything (no env.py: each test's new database)."""
    with engine.begin() as conn:
        MigrationContext.configure(conn).stamp(scripts(), revision)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every revision up to `revision`, in one transaction (SQLite: foreign keys off for batch copies),
    then refresh SQLite's planner statistics."""
    from dispatch import dbstats  # the scheduler's job module, which needs the app's packages

    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # a batch ALTER copies and drops the table; referencing rows must not cascade or fail
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                command.upgrade(alembic_config(conn), revision)
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()
        dbstats.optimize_connection(conn)  # SQLite: the planner's statistics for the new schema


def new_revision(message: str, *, autogenerate: bool = True) -> Path:
    """Write a revision script for what the models changed since head, diffed on a scratch in-memory SQLite."""
    from sqlalchemy import create_engine

    engine = create_engine("sqlite://")
    with engine.connect() as conn, conn.begin():
        command.upgrade(alembic_config(conn), "head")
        script = command.revision(alembic_config(conn), message, autogenerate=autogenerate)
    engine.dispose()
    scripts.cache_clear()
    return Path(script.path)
