"""Helpers of the tests that build, upgrade and downgrade a database: the app as run.py starts it, the revision
a database stands at, a database taken back to an older revision, one reported ticket."""
from __future__ import annotations

import sqlalchemy as sa

from dispatch import create_app, migrations
from dispatch.db import make_engine
from tests.dispatch.helpers import report, ticket_of
from tests.helpers import DEFAULT_NOW, Clock


def start(url, tmp_path, config_dir, *, migrate=False):
    """The app as `python run.py` (migrate=True) or a gunicorn worker (False) starts it."""
    return create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": url, "CONFIG_DIR": str(config_dir),
                       "VAR_DIR": str(tmp_path / "var"), "CLOCK": Clock(DEFAULT_NOW), "SCHEDULER_ENABLED": False},
                      migrate=migrate)


def revision_of(url) -> str | None:
    engine = make_engine(url)
    with engine.connect() as conn:
        revision = migrations.current(conn)
    engine.dispose()
    return revision


def execute(url, *statements) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    engine.dispose()


def downgrade_to(url, revision: str) -> None:
    """The database as `revision` left it: every later revision's own downgrade(), newest first (as Alembic's
    `downgrade` runs them; SQLite with foreign keys off for the batch copies, as `migrations.upgrade` does)."""
    from alembic import command

    engine = make_engine(url)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        with conn.begin():
            command.downgrade(migrations.alembic_config(conn), revision)
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()
    engine.dispose()


def a_ticket(app) -> tuple[dict, dict]:
    """Report one ticket; returns it and the reporter's headers."""
    from dispatch import db
    from dispatch.users import service

    with app.app_context():
        _, token = service.create(session=db.session(), username="i", role="inspector", now=DEFAULT_NOW)
    headers = {"Authorization": f"Bearer {token}"}
    return ticket_of(report(app.test_client(), headers)), headers
