"""Schema migrations at start-up and `python run.py db …`: a street's database outlives every release."""
from __future__ import annotations

import logging
import shutil

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from dispatch import create_app, migrations
from dispatch.cli import main
from dispatch.db import SchemaError, make_engine
from dispatch.settings import SettingsError
from tests.dispatch.helpers import report, ticket_of
from tests.dispatch.migrating import a_ticket, downgrade_to, execute, revision_of, start
from tests.helpers import DEFAULT_NOW

NEXT = "0999"  # the revision the next release ships, on top of this version's newest (`migrations.head()`)
EXTRA_REVISION = '''"""test: a column a later release adds"""
import sqlalchemy as sa
from alembic import op

revision = "0999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_column("priority")
'''


@pytest.fixture
def database_url(empty_database_url):
    """The tests here create and upgrade the schema themselves: every database starts empty."""
    return empty_database_url


@pytest.fixture
def both_backends_url(both_backends_empty_url):
    return both_backends_empty_url


def as_before_0005(url) -> None:
    """A database of the version before revision 0005 (triggers, hash, sign_in_failures) and the later ones."""
    downgrade_to(url, "0004")


@pytest.fixture
def next_release(tmp_path, monkeypatch):
    """This version's scripts plus a revision that adds tickets.priority, as the next release ships them;
    yields this version's newest revision (where a database of this version stands)."""
    current_head = migrations.head()
    folder = tmp_path / "migrations"
    shutil.copytree(migrations.HERE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / f"{NEXT}_priority.py").write_text(EXTRA_REVISION.replace("{head}", current_head),
                                                             encoding="utf-8")
    monkeypatch.setattr(migrations, "HERE", folder)
    migrations.scripts.cache_clear()
    yield current_head
    migrations.scripts.cache_clear()


def test_the_migrations_build_exactly_the_models_schema(both_backends_url):
    """Upgrading an empty database through every revision gives the schema the models declare.

    This is the guard against a model change without its migration: change a model and forget
    `python run.py db revision`, and this test lists the differences (SQLite, and PostgreSQL when
    TEST_DATABASE_URL is set).
    """
    import dispatch.models  # noqa: F401

    engine = make_engine(both_backends_url)
    migrations.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
        assert migrations.current(conn) == migrations.head()
    engine.dispose()
    assert differences == []


def test_an_empty_database_is_created_and_stamped_at_the_newest_revision(tmp_path, config_dir, database_url):
    # The first start (also each test's fresh database) creates the tables at once and records the revision.
    start(database_url, tmp_path, config_dir).extensions["db_engine"].dispose()
    assert revision_of(database_url) == migrations.head()


def test_a_database_made_before_migrations_is_taken_over_with_its_tickets(tmp_path, config_dir, database_url):
    # A street's database from the release before migrations (no alembic_version, and older still:
    # no web_sessions or ticket_departments) keeps its tickets and gets the missing tables.
    app = start(database_url, tmp_path, config_dir)
    ticket, headers = a_ticket(app)
    app.extensions["db_engine"].dispose()
    as_before_0005(database_url)
    execute(database_url, "DROP TABLE alembic_version", "DROP TABLE web_sessions", "DROP TABLE ticket_departments",
            "DROP TABLE config_state", "DROP TABLE calendar_years")

    with pytest.raises(SchemaError, match=r"made before migrations.*python run.py db upgrade"):
        start(database_url, tmp_path, config_dir)  # a gunicorn worker does not migrate
    app = start(database_url, tmp_path, config_dir, migrate=True)
    assert revision_of(database_url) == migrations.head()
    assert {"web_sessions", "ticket_departments", "config_state"} <= set(sa.inspect(app.extensions["db_engine"]).get_table_names())
    answer = app.test_client().get(f"/api/v1/tickets/{ticket['id']}", headers=headers)
    assert (answer.status_code, answer.get_json()["ticket"]["number"]) == (200, ticket["number"])
    app.extensions["db_engine"].dispose()


def test_ticket_departments_is_filled_once_by_its_migration_and_never_at_start(tmp_path, config_dir,
                                                                              both_backends_url):
    # A database of the version before revision 0003 whose tickets were dispatched before the table existed:
    # the upgrade fills it from the timeline; a start-up reads no timeline for it, even when it is empty again.
    database_url = both_backends_url
    def holders():
        engine = make_engine(database_url)
        with engine.connect() as conn:
            found = conn.execute(sa.text("SELECT ticket_id, department, round FROM ticket_departments")).all()
        engine.dispose()
        return [tuple(row) for row in found]

    app = start(database_url, tmp_path, config_dir)
    ticket, _ = a_ticket(app)
    app.extensions["db_engine"].dispose()
    as_before_0005(database_url)
    execute(database_url, "DELETE FROM ticket_departments", "DROP TABLE calendar_years",  # as at revision 0002
            "UPDATE alembic_version SET version_num = '0002'")
    start(database_url, tmp_path, config_dir, migrate=True).extensions["db_engine"].dispose()
    assert holders() == [(ticket["id"], ticket["department"], 1)]

    execute(database_url, "DELETE FROM ticket_departments")
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", seen)
    try:
        start(database_url, tmp_path, config_dir, migrate=True).extensions["db_engine"].dispose()
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", seen)
    assert statements and not [s for s in statements if "FROM timeline" in s]  # its columns are checked, not read
    assert holders() == []


def test_an_upgraded_database_gets_its_timeline_chained_and_its_record_append_only(tmp_path, config_dir,
                                                                                   both_backends_url):
    # Revision 0005 on a street's database with tickets: the existing steps are chained (audit verify finds
    # them intact), and from then on the record tables refuse changes, as on a new database.
    from dispatch.tickets import record

    url = both_backends_url
    app = start(url, tmp_path, config_dir)
    a_ticket(app)  # reported and dispatched: two steps
    app.extensions["db_engine"].dispose()
    as_before_0005(url)
    execute(url, "UPDATE alembic_version SET version_num = '0004'")

    app = start(url, tmp_path, config_dir, migrate=True)
    engine = app.extensions["db_engine"]
    with engine.connect() as conn:
        verdict = record.verify(conn)
        steps = conn.execute(sa.text("SELECT count(*) FROM timeline WHERE hash IS NOT NULL")).scalar()
    assert (verdict.intact, verdict.tickets, verdict.entries) == (True, 1, steps) and steps >= 2
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM timeline"))
    engine.dispose()


def test_revision_0011_stores_the_handling_time_of_the_tickets_resolved_before_it(tmp_path, config_dir,
                                                                                 both_backends_url):
    # 处置时长 is written at 处置完成 from 0011 on; a street's tickets resolved before get it from the revision,
    # counted on the working-time calendar; the downgrade takes the column and the cockpit's snapshots away.
    from datetime import timedelta

    from dispatch.types import UTCDateTime

    url = both_backends_url
    app = start(url, tmp_path, config_dir)
    resolved, headers = a_ticket(app)  # dispatched Wed 2026-11-25 10:00 (Shanghai)
    waiting = ticket_of(report(app.test_client(), headers, category="street_vending"))
    app.extensions["db_engine"].dispose()
    downgrade_to(url, "0010")
    tickets = sa.table("tickets", sa.column("id", sa.Integer()), sa.column("resolved_at", UTCDateTime()))
    engine = make_engine(url)
    with engine.begin() as conn:  # resolved Thu 10:00: 2 + 4.5 + 1.5 working hours later
        conn.execute(sa.update(tickets).where(tickets.c.id == resolved["id"])
                     .values(resolved_at=DEFAULT_NOW + timedelta(days=1)))
        assert "handling_minutes" not in {c["name"] for c in sa.inspect(conn).get_columns("tickets")}
    engine.dispose()

    app = start(url, tmp_path, config_dir, migrate=True)
    engine = app.extensions["db_engine"]
    with engine.connect() as conn:
        stored = dict(conn.execute(sa.text("SELECT id, handling_minutes FROM tickets")).all())
    assert stored == {resolved["id"]: pytest.approx(480.0), waiting["id"]: None}
    engine.dispose()
    downgrade_to(url, "0010")
    engine = make_engine(url)
    with engine.connect() as conn:
        assert "handling_minutes" not in {c["name"] for c in sa.inspect(conn).get_columns("tickets")}
        assert "cockpit_snapshots" not in sa.inspect(conn).get_table_names()
    engine.dispose()


def test_a_database_made_before_migrations_without_the_baseline_columns_is_refused(tmp_path, config_dir,
                                                                                    database_url):
    # Older than the baseline: start-up names what is missing instead of stamping a schema it does not have.
    start(database_url, tmp_path, config_dir).extensions["db_engine"].dispose()
    execute(database_url, "DROP TABLE alembic_version", "ALTER TABLE tickets DROP COLUMN dispatch_round")
    with pytest.raises(SchemaError, match=r"missing column\(s\): tickets\.dispatch_round"):
        start(database_url, tmp_path, config_dir, migrate=True)
    assert revision_of(database_url) is None


def test_a_database_behind_is_upgraded_by_run_py_and_refused_by_workers(both_backends_url, tmp_path, config_dir,
                                                                          next_release, caplog):
    # The next release adds a column: `python run.py` applies it (logged) and the tickets stay;
    # a gunicorn worker refuses to start and says which command upgrades.
    url, this_version = both_backends_url, next_release
    app = start(url, tmp_path, config_dir)  # created from the models (no priority) and stamped at the next …
    ticket, headers = a_ticket(app)
    app.extensions["db_engine"].dispose()
    execute(url, f"UPDATE alembic_version SET version_num = '{this_version}'")  # … as this version left it

    with pytest.raises(SchemaError, match=rf"at revision {this_version}, this version needs {NEXT}.*python run\.py db upgrade"):
        start(url, tmp_path, config_dir)
    with caplog.at_level(logging.INFO, logger="dispatch.migrations"):
        app = start(url, tmp_path, config_dir, migrate=True)
    assert f"schema upgraded to {NEXT}: test: a column a later release adds" in caplog.text
    assert revision_of(url) == NEXT
    with app.extensions["db_engine"].connect() as conn:
        assert conn.execute(sa.text("SELECT priority FROM tickets")).scalars().all() == [0]
    assert app.test_client().get(f"/api/v1/tickets/{ticket['id']}", headers=headers).status_code == 200
    app.extensions["db_engine"].dispose()


def test_init_db_and_db_upgrade_upgrade_a_database_behind(tmp_path, config_dir, database_url, next_release,
                                                          monkeypatch, capsys):
    # What the README tells a street's IT person to type, after `python run.py backup`.
    monkeypatch.setenv("DISPATCH_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("DISPATCH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SECRET_KEY", "t")
    for command in (["init-db"], ["db", "upgrade"]):
        url = f"sqlite:///{tmp_path / (command[-1] + '.sqlite3')}"
        monkeypatch.setenv("DATABASE_URL", url)
        assert main(["init-db"]) == 0  # a new database: created from the models (no priority), stamped NEXT
        execute(url, f"UPDATE alembic_version SET version_num = '{next_release}'")  # as this version left it
        assert main(["db", "current"]) == 0
        assert f"{next_release} (behind: head is {NEXT}" in capsys.readouterr().out
        assert main(["backup", "--to", str(tmp_path / "backups")]) == 0  # works on a database waiting for upgrade
        assert main(command) == 0
        assert main(["db", "current"]) == 0
        assert capsys.readouterr().out.endswith(f"{NEXT} (head, up to date)\n")
        engine = make_engine(url)
        assert "priority" in {c["name"] for c in sa.inspect(engine).get_columns("tickets")}
        engine.dispose()


def test_a_database_ahead_of_this_version_is_refused_and_left_alone(tmp_path, config_dir, database_url, capsys,
                                                                    monkeypatch):
    # After a newer release upgraded it, the older code must not start on it, nor "fix" it.
    start(database_url, tmp_path, config_dir).extensions["db_engine"].dispose()
    execute(database_url, "UPDATE alembic_version SET version_num = 'zzzz'")
    for migrate in (False, True):
        with pytest.raises(SchemaError, match=r"revision 'zzzz', which this version does not know"):
            start(database_url, tmp_path, config_dir, migrate=migrate)
    assert revision_of(database_url) == "zzzz"
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["db", "upgrade"]) == 1
    assert "does not know" in capsys.readouterr().err
    assert revision_of(database_url) == "zzzz"


@pytest.mark.postgres
def test_workers_starting_together_on_an_empty_postgresql_database_take_turns(postgres_url):
    # gunicorn -w 4 on a new database: while one process holds the schema lock, another waits for it
    # instead of racing to create the same tables; then it finds them made and stamped.
    import threading

    from dispatch.db import SCHEMA_LOCK, create_schema

    holder = make_engine(postgres_url)
    worker = make_engine(postgres_url)
    with holder.connect() as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK})
        conn.commit()
        errors = []
        second = threading.Thread(target=lambda: _record(errors, create_schema, worker))
        second.start()
        second.join(timeout=1.0)
        assert second.is_alive(), "the second process did not wait for the schema lock"
        assert revision_of(postgres_url) is None  # nothing created while the first one holds it
        conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK})
        conn.commit()
    second.join(timeout=30)
    assert not second.is_alive() and errors == []
    assert revision_of(postgres_url) == migrations.head()
    holder.dispose()
    worker.dispose()


def _record(errors: list, fn, *args) -> None:
    try:
        fn(*args)
    except Exception as exc:  # reported by the test's assertion
        errors.append(exc)


@pytest.mark.parametrize(("setting", "pragma"), [
    (None, 2),       # unset: SQLite's own default, FULL — a commit is on disk when it returns
    ("NORMAL", 1),
    ("off", 0),      # what the tests pass (tests/helpers.py): a throw-away database needs no fsync
])
def test_sqlite_synchronous_is_sqlites_own_unless_set(tmp_path, setting, pragma):
    engine = make_engine(f"sqlite:///{tmp_path / 'sync.sqlite3'}", sqlite_synchronous=setting)
    with engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA synchronous")).scalar() == pragma
    engine.dispose()


def test_a_bad_sqlite_synchronous_stops_start_up_naming_the_setting(tmp_path, config_dir):
    with pytest.raises(SettingsError, match="SQLITE_SYNCHRONOUS='fast'"):
        create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                    "CONFIG_DIR": str(config_dir), "VAR_DIR": str(tmp_path / "var"), "SCHEDULER_ENABLED": False,
                    "SQLITE_SYNCHRONOUS": "fast"})
