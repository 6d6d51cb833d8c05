"""Commands of the deployment as a whole: serve, scheduler, init-db, db …, backup, sweep (see README, Command line)."""
from __future__ import annotations

import json
import logging
import signal
from datetime import datetime, timedelta
from pathlib import Path

import click
from flask import Flask

from dispatch import clock, scheduler, settings
from dispatch.cli import HELP_OPTIONS, command_app, fail

log = logging.getLogger(__name__)


@click.command("serve", context_settings=HELP_OPTIONS, help="serve HTTP (default) with the scheduler in-process")
@click.option("--host", default=lambda: settings.serve_address()[0], show_default="HOST, else 127.0.0.1")
@click.option("--port", type=int, default=lambda: settings.serve_address()[1], show_default="PORT, else 5000")
@click.option("--threads", type=int, default=8, show_default=True)
@click.option("--no-scheduler", is_flag=True, help="don't run the escalation scheduler here")
def serve_command(host: str, port: int, threads: int, no_scheduler: bool) -> None:
    serve(command_app(migrate=True), host=host, port=port, threads=threads, no_scheduler=no_scheduler)


def serve(app: Flask, *, host: str, port: int, threads: int, no_scheduler: bool) -> None:
    """Serve with waitress; the scheduler runs once, in this process, unless told not to."""
    from waitress import serve as waitress_serve

    running = None
    if app.config["SCHEDULER_ENABLED"] and not no_scheduler:
        running = scheduler.start_scheduler(app)
    reload_on_sighup(app)
    log.info("%s", startup_line(app, host=host, port=port, scheduler_running=running is not None))
    try:
        waitress_serve(app, host=host, port=port, threads=threads)
    finally:
        if running is not None:
            running.shutdown(wait=False)


def startup_line(app: Flask, *, host: str, port: int, scheduler_running: bool) -> str:
    """The one start-up line: where the server listens, which database (password hidden), where the scheduler runs."""
    import sqlalchemy as sa

    database = sa.engine.make_url(app.config["DATABASE_URL"]).render_as_string(hide_password=True)
    jobs = "scheduler in this process" if scheduler_running else "no scheduler here (run.py scheduler)"
    return f"serving on http://{host}:{port} — database {database}, {jobs}"


@click.command("scheduler", context_settings=HELP_OPTIONS,
               help="run the escalation scheduler as a dedicated process")
def scheduler_command() -> None:
    """The scheduler alone, in the foreground; SIGHUP re-reads config/ (and the jobs' intervals) as serve does."""
    app = command_app()
    reload_on_sighup(app)
    scheduler.run_blocking(app)


def reload_on_sighup(app: Flask) -> None:
    """`kill -HUP <pid>` re-reads config/; a broken config is logged and the running one kept."""
    from dispatch.street import service as street_service
    from dispatch.street.config import ConfigError

    def handler(_signum, _frame):
        try:
            street_service.reload(app)
        except ConfigError as exc:
            log.error("config not reloaded: %s", exc)

    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, handler)


@click.command("init-db", context_settings=HELP_OPTIONS,
               help="create or upgrade the schema and seed reference data, then exit")
def init_db_command() -> None:
    command_app(migrate=True)


# --- commands that work on a database whatever its schema (an upgrade may be waiting), without the app ---

@click.group("db", context_settings=HELP_OPTIONS, help="schema migrations")
def db_group() -> None:
    """`db upgrade|current|history|revision`: the schema's revisions (see README, Database)."""


@db_group.command("upgrade", help="create the schema, or apply the revisions it lacks (back up first)")
def db_upgrade() -> None:
    _print_revision(upgrade=True)


@db_group.command("current", help="print the database's revision and whether it is this version's")
def db_current() -> None:
    _print_revision(upgrade=False)


@db_group.command("history", help="list this version's revisions, oldest first")
def db_history() -> None:
    from dispatch import migrations

    for script in reversed(list(migrations.scripts().walk_revisions())):
        click.echo(f"{script.revision}  {script.doc}")


@db_group.command("revision", help="write a new revision script from the models' changes (developers)")
@click.option("-m", "--message", required=True)
@click.option("--empty", is_flag=True, help="no autogenerate: an empty script to fill in")
def db_revision(message: str, empty: bool) -> None:
    from dispatch import migrations

    click.echo(f"wrote {migrations.new_revision(message, autogenerate=not empty)}")
    click.echo("review it (types, data to carry over, both SQLite and PostgreSQL), "
               "then commit it with the model change")


@db_group.command("grant", help="PostgreSQL: let ROLE (the app's, owning no table) read and add to every table, "
                                  "change and delete none of the case record; run as the owner after each upgrade")
@click.argument("role")
@click.option("--print", "print_only", is_flag=True, help="print the SQL, run nothing")
def db_grant(role: str, print_only: bool) -> None:
    import sqlalchemy as sa

    from dispatch.db import grant_statements, make_engine
    from dispatch.settings import SettingsError

    engine = make_engine(settings.database_url())
    try:
        statements = grant_statements(engine, role)
        if not print_only:
            with engine.begin() as conn:
                for statement in statements:
                    conn.execute(sa.text(statement))
    except SettingsError as exc:
        fail(str(exc), 2)
    except sa.exc.DBAPIError as exc:
        fail(f"not granted: {str(exc.orig).strip()}", 1)
    finally:
        engine.dispose()
    for statement in statements:
        click.echo(statement + ";")
    if not print_only:
        click.echo(f"granted to {role}: it can read and add to the case record, not change or delete it")


def _print_revision(*, upgrade: bool) -> None:
    """The database's revision and how it stands against this version's head (after upgrading it, if asked)."""
    from dispatch import migrations
    from dispatch.db import SchemaError, create_schema, make_engine

    engine = make_engine(settings.database_url())
    try:
        if upgrade:
            create_schema(engine, migrate=True)
        with engine.connect() as conn:
            revision = migrations.current(conn)
    except SchemaError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    head = migrations.head()
    if revision == head:
        state = "head, up to date"
    elif revision is None:
        state = f"no revision: empty or made before migrations; head is {head}"
    elif migrations.is_known(revision):
        state = f"behind: head is {head}, run python run.py db upgrade"
    else:
        state = f"unknown to this version (a newer one upgraded it); head is {head}"
    click.echo(f"{revision or '-'} ({state})")


@click.command("backup", context_settings=HELP_OPTIONS,
               help="snapshot the SQLite database and the photos (online, consistent)")
@click.option("--to", help="folder for backups (default: var/backups)")
def backup_command(to: str | None) -> None:
    """Snapshot the database (SQLite online backup) and copy new photos; PostgreSQL: use pg_dump.

    Runs without the app, so a database an upgrade is waiting for can be backed up first.
    """
    from dispatch import backup
    from dispatch.db import make_engine
    from dispatch.types import utc_now

    var = settings.var_dir()
    target = Path(to) if to else var / "backups"
    engine = make_engine(settings.database_url(var))
    try:
        made = backup.snapshot(engine, var_dir=var, target=target, now=utc_now())
    except backup.BackupError as exc:
        fail(f"error: {exc}", 2)
    finally:
        engine.dispose()
    click.echo(f"database: {made.database}")
    click.echo(f"photos: {made.photos_copied} new file(s) in {made.photos}")
    if made.photos_repaired:
        click.echo(f"photos: {made.photos_repaired} damaged copy(ies) in the backup copied again")
    if made.damaged_sources:
        fail("photos in var/ that do not match their sha256 (restore them from an older backup): "
             + ", ".join(str(p) for p in made.damaged_sources))


@click.command("sweep", context_settings=HELP_OPTIONS,
               help="run one pass of every sweep (escalation, 吹哨报到 tasks, 回访)")
@click.option("--now", "at", help="ISO-8601 instant to sweep as of (default: now)")
@click.option("--dry-run", is_flag=True, help="show what would escalate, change nothing")
@click.option("--json", "as_json", is_flag=True, help="print a JSON list")
@click.option("--force", is_flag=True,
              help="write even when --now is in the future (escalations would be recorded early)")
def sweep(at: str | None, dry_run: bool, as_json: bool, force: bool) -> None:
    """The scheduler's sweeps once, as of `now`: the tickets' escalation ladder (previewed with --dry-run), then
    the 吹哨报到 tasks' and the 回访' — e.g. to catch up by hand after the scheduler was down."""
    from dispatch.escalation import scheduled as escalation_jobs
    from dispatch.followup import scheduled as followup_jobs

    app = command_app()
    current = clock.now(app)
    now = current
    if at:
        try:
            now = datetime.fromisoformat(at)
        except ValueError:
            fail(f"error: --now {at!r} is not ISO-8601", 2)
        if now.tzinfo is None:
            now = now.replace(tzinfo=app.extensions["street_config"].calendar.timezone)
    if now > current + timedelta(minutes=1) and not (dry_run or force):
        fail(f"error: --now {now.isoformat()} is in the future: recording escalations before they happen would "
             "put future-dated entries in the timeline (留痕). Use --dry-run to preview, or --force.", 2)
    results = escalation_jobs.sweep_once(app, now=now, dry_run=dry_run)
    assists = [] if dry_run else escalation_jobs.assist_sweep_once(app, now=now)
    visits = [] if dry_run else followup_jobs.sweep_once(app, now=now)
    if as_json:
        keys = ("ticket", "number", "deadline", "level")  # the documented shape, 0 = warning
        click.echo(json.dumps([{k: r[k] for k in keys} for r in results], ensure_ascii=False))
    else:
        for r in results:
            click.echo(f"{r['number']}  {r['deadline']:<8} level {r['level']}")
        for r in assists:
            click.echo(f"{r['number']}  {r['department']} {r['deadline']:<8} level {r['level']}")
        for r in visits:
            click.echo(f"{r['number']}  回访     level {r['level']}")
        click.echo(f"{len(results)} escalation(s){' (dry run, nothing written)' if dry_run else ''}"
                   + (f", {len(assists)} of assist tasks" if assists else "")
                   + (f", {len(visits)} of 回访" if visits else ""))


COMMANDS = [serve_command, scheduler_command, init_db_command, db_group, backup_command, sweep]
