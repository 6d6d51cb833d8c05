"""Command line: serve (default), users, check-config, sweep, scheduler, init-db, db, backup."""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from datetime import datetime, timedelta

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="run.py", description="宜川路街道 event dispatch")
    sub = p.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="serve HTTP (default) with the scheduler in-process")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    serve.add_argument("--threads", type=int, default=8)
    serve.add_argument("--no-scheduler", action="store_true", help="don't run the escalation scheduler here")

    users = sub.add_parser("users", help="manage users").add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help="create a user and print its API token once")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["inspector", "department", "command", "admin"])
    add.add_argument("--department")
    add.add_argument("--zone")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--password", help="also set a sign-in password (else use `users passwd`)")
    pw = users.add_parser("passwd", help="set a user's sign-in password (asks twice)")
    pw.add_argument("username")
    pw.add_argument("--password", help="non-interactive (visible in shell history)")
    tok = users.add_parser("token", help="issue a new API token (the old one stops working)")
    tok.add_argument("username")
    users.add_parser("list", help="list users")
    for verb, text in (("disable", "stop a user: token and sign-in refused, sessions ended (nothing is deleted)"),
                       ("enable", "let a disabled user work again"),
                       ("sessions", "list a user's open browser sessions: started, last seen, address, browser"),
                       ("logout", "end all of a user's browser sessions (the API token keeps working)")):
        users.add_parser(verb, help=text).add_argument("username")

    sub.add_parser("check-config", help="validate config/ and print every problem")
    sub.add_parser("init-db", help="create or upgrade the schema and seed reference data, then exit")
    db = sub.add_parser("db", help="schema migrations").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="create the schema, or apply the revisions it lacks (back up first)")
    db.add_parser("current", help="print the database's revision and whether it is this version's")
    db.add_parser("history", help="list this version's revisions, oldest first")
    revision = db.add_parser("revision", help="write a new revision script from the models' changes (developers)")
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument("--empty", action="store_true", help="no autogenerate: an empty script to fill in")
    sweep = sub.add_parser("sweep", help="run one escalation pass")
    sweep.add_argument("--now", help="ISO-8601 instant to sweep as of (default: now)")
    sweep.add_argument("--dry-run", action="store_true", help="show what would escalate, change nothing")
    sweep.add_argument("--json", action="store_true", help="print a JSON list")
    sweep.add_argument("--force", action="store_true",
                       help="write even when --now is in the future (escalations would be recorded early)")
    sub.add_parser("scheduler", help="run the escalation scheduler as a dedicated process")
    backup = sub.add_parser("backup", help="snapshot the SQLite database and the photos (online, consistent)")
    backup.add_argument("--to", help="folder for backups (default: var/backups)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python run.py`."""
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its set-up chatter; dispatch.migrations logs each revision
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "serve")  # `python run.py --port 8080` serves
    args = _parser().parse_args(argv)
    command = args.command
    if command == "check-config":
        return check_config()
    from dispatch import create_app
    from dispatch.db import SchemaError
    from dispatch.street.config import ConfigError

    try:
        if command in ("db", "backup"):  # these work on a database whatever its schema
            return {"db": db_command, "backup": backup_command}[command](args)
        app = create_app(migrate=command in ("serve", "init-db"))  # gunicorn workers never migrate
    except (ConfigError, SchemaError) as exc:
        print(exc, file=sys.stderr)
        return 1
    handlers = {"serve": serve, "users": users_command, "init-db": lambda app, args: 0,
                "sweep": sweep_command, "scheduler": scheduler_command}
    return handlers[command](app, args)


def check_config() -> int:
    """Validate config/ and print every problem (file, key, reason); exit 1 on any."""
    from dispatch.settings import from_environment
    from dispatch.street.config import ConfigError, load_config

    directory = os.environ.get("DISPATCH_CONFIG_DIR") or from_environment({"SECRET_KEY": "x"})["CONFIG_DIR"]
    try:
        cfg = load_config(directory)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"{problem.file}: {problem.key}: {problem.reason}")
        print(f"{len(exc.problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    print(f"config OK: {len(cfg.departments)} departments, {len(cfg.categories)} categories, "
          f"{len(cfg.routing.rule)} routing rules, {len(cfg.zones)} zones, "
          f"{len(cfg.escalation.level)} escalation levels")
    return 0


def serve(app, args) -> int:
    """Serve with waitress; the scheduler runs once, in this process, unless told not to."""
    from waitress import serve as waitress_serve

    scheduler = None
    if app.config["SCHEDULER_ENABLED"] and not args.no_scheduler:
        from dispatch.scheduler import start_scheduler

        scheduler = start_scheduler(app)
    _reload_on_sighup(app)
    log.info("serving on http://%s:%d", args.host, args.port)
    try:
        waitress_serve(app, host=args.host, port=args.port, threads=args.threads)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
    return 0


def users_command(app, args) -> int:
    from dispatch import db
    from dispatch.types import utc_now
    from dispatch.users import service, web_sessions

    with app.app_context():
        session, cfg, now = db.session(), app.extensions["street_config"], utc_now()
        try:
            if args.users_command == "add":
                if args.password is not None:
                    service.check_password_rules(args.password)  # before creating: no half-made user
                user, token = service.create(session=session, username=args.username, role=args.role,
                                             now=now, department=args.department, zone=args.zone,
                                             display_name=args.name, departments=set(cfg.departments),
                                             zones={z.code for z in cfg.zones})
                if args.password:
                    service.set_password(session=session, user=user, password=args.password, now=now)
                print(f"created user {user.username} (id {user.id}, role {user.role})")
                print(f"API token (shown once, store it now): {token}")
            elif args.users_command == "passwd":
                user = _user(session, args.username)
                password = args.password or _ask_password()
                service.set_password(session=session, user=user, password=password, now=now)
                print(f"password set for {user.username}; their browser sessions are ended")
            elif args.users_command == "token":
                user = _user(session, args.username)
                print(f"new API token for {user.username} (shown once): {service.rotate_token(session=session, user=user)}")
            elif args.users_command in ("disable", "enable"):
                user = _user(session, args.username)
                service.set_active(session=session, user=user, now=now, active=args.users_command == "enable")
                print(f"{user.username} {'enabled' if user.active else 'disabled'}")
            elif args.users_command == "sessions":
                _print_sessions(web_sessions.list_open(session=session, user_id=_user(session, args.username).id,
                                                       now=now), cfg.calendar.timezone)
            elif args.users_command == "logout":
                user = _user(session, args.username)
                ended = web_sessions.revoke_all(session=session, user_id=user.id, now=now)
                print(f"{ended} session(s) of {user.username} ended")
            elif args.users_command == "list":
                for u in service.list_all(session=session):
                    print(f"{u.id:>4} {u.username:<20} {u.role:<10} {u.department or '-':<18} {u.zone or '-'}"
                          f"{'' if u.active else ' (inactive)'}")
        except service.UserError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    return 0


def _user(session, username):
    from dispatch.users import service

    user = service.get_by_username(session=session, username=username)
    if user is None:
        raise service.UserError(f"no user {username!r}")
    return user


def _print_sessions(rows, tz) -> None:
    """One line per open session: started, last seen (local time), address, browser."""
    def local(at):
        return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")

    if not rows:
        print("no open sessions")
    for row in rows:
        print(f"started {local(row.created_at)}  last seen {local(row.last_seen_at)}  "
              f"{row.remote_addr or '-':<15}  {row.user_agent or '-'}")


def _ask_password() -> str:
    from dispatch.users.service import UserError

    first = getpass.getpass("new password: ")
    if first != getpass.getpass("again: "):
        raise UserError("the passwords differ")
    return first


def sweep_command(app, args) -> int:
    from dispatch.escalation import scheduled
    from dispatch.types import utc_now

    if args.now:
        try:
            now = datetime.fromisoformat(args.now)
        except ValueError:
            print(f"error: --now {args.now!r} is not ISO-8601", file=sys.stderr)
            return 2
        if now.tzinfo is None:
            now = now.replace(tzinfo=app.extensions["street_config"].calendar.timezone)
    else:
        now = utc_now()
    if now > utc_now() + timedelta(minutes=1) and not (args.dry_run or args.force):
        print(f"error: --now {now.isoformat()} is in the future: recording escalations before they happen would "
              "put future-dated entries in the timeline (留痕). Use --dry-run to preview, or --force.",
              file=sys.stderr)
        return 2
    results = scheduled.sweep_once(app, now=now, dry_run=args.dry_run)
    if args.json:
        keys = ("ticket", "number", "deadline", "level")  # the documented shape, 0 = warning
        print(json.dumps([{k: r[k] for k in keys} for r in results], ensure_ascii=False))
    else:
        for r in results:
            print(f"{r['number']}  {r['deadline']:<8} level {r['level']}")
        print(f"{len(results)} escalation(s){' (dry run, nothing written)' if args.dry_run else ''}")
    return 0


def scheduler_command(app, args) -> int:
    """The scheduler alone, in the foreground; SIGHUP re-reads config/ (and the jobs' intervals) as serve does."""
    from dispatch.scheduler import run_blocking

    _reload_on_sighup(app)
    run_blocking(app)
    return 0


def _reload_on_sighup(app) -> None:
    """`kill -HUP <pid>` re-reads config/; a broken config is logged and the running one kept."""
    import signal

    from dispatch.street import service as street_service
    from dispatch.street.config import ConfigError

    def handler(_signum, _frame):
        try:
            street_service.reload(app)
        except ConfigError as exc:
            log.error("config not reloaded: %s", exc)

    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, handler)


def _settings() -> dict:
    """DATABASE_URL and VAR_DIR as the app would see them, for commands that run without the app."""
    from dispatch.settings import from_environment

    return from_environment({"SECRET_KEY": "unused"})


def backup_command(args) -> int:
    """Snapshot the database (SQLite online backup) and copy new photos; PostgreSQL: use pg_dump.

    Runs without the app, so a database an upgrade is waiting for can be backed up first.
    """
    from pathlib import Path

    from dispatch import backup
    from dispatch.db import make_engine
    from dispatch.types import utc_now

    settings = _settings()
    target = Path(args.to) if args.to else Path(settings["VAR_DIR"]) / "backups"
    engine = make_engine(settings["DATABASE_URL"])
    try:
        made = backup.snapshot(engine, var_dir=Path(settings["VAR_DIR"]), target=target, now=utc_now())
    except backup.BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"database: {made.database}")
    print(f"photos: {made.photos_copied} new file(s) in {made.photos}")
    return 0


def db_command(args) -> int:
    """`db upgrade|current|history|revision`: the schema's revisions (see README, Database)."""
    from dispatch import migrations
    from dispatch.db import create_schema, make_engine

    if args.db_command == "history":
        for script in reversed(list(migrations.scripts().walk_revisions())):
            print(f"{script.revision}  {script.doc}")
        return 0
    if args.db_command == "revision":
        print(f"wrote {migrations.new_revision(args.message, autogenerate=not args.empty)}")
        print("review it (types, data to carry over, both SQLite and PostgreSQL), then commit it with the model change")
        return 0
    settings = _settings()
    engine = make_engine(settings["DATABASE_URL"])
    try:
        if args.db_command == "upgrade":
            create_schema(engine, migrate=True)
        with engine.connect() as conn:
            revision = migrations.current(conn)
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
    print(f"{revision or '-'} ({state})")
    return 0
