"""The command line: one click tree that the domains fill, run by `python run.py` and `flask --app dispatch`.

Each domain registers its own commands: `dispatch.users.commands` (users …), `dispatch.street.commands`
(check-config), `dispatch.reports.commands` (report monthly), `dispatch.tickets.commands` (deadlines recompute),
`dispatch.commands` (serve, scheduler, init-db,
db …, backup, sweep). `commands()` collects them; `init_app` adds them to the app's `flask` group; `main` runs
them for run.py, where no command means `serve`.

A command that fails says why on stderr and ends with its exit code (`fail`); one that needs the app
makes it (`command_app`), so a broken config/ or an unusable schema is a message, not a traceback.
"""
from __future__ import annotations

import logging
import sys
from typing import NoReturn

import click
from flask import Flask
from flask.cli import ScriptInfo

HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}


def commands() -> list[click.Command]:
    """Every command, from the domains that own them."""
    from dispatch import commands as deployment
    from dispatch.reports import commands as reports
    from dispatch.street import commands as street
    from dispatch.tickets import commands as tickets
    from dispatch.users import commands as users

    return [*deployment.COMMANDS, *users.COMMANDS, *street.COMMANDS, *tickets.COMMANDS,
            *reports.COMMANDS]


def init_app(app: Flask) -> None:
    """Register the commands on the app's `flask` group (`flask --app dispatch users list`)."""
    for command in commands():
        app.cli.add_command(command)


def command_tree() -> click.Group:
    """The commands under one group, as `python run.py` runs them."""
    return click.Group("run.py", help="宜川路街道 event dispatch", commands=commands(), context_settings=HELP_OPTIONS)


def command_app(*, migrate: bool = False) -> Flask:
    """The app a command works on; a broken config/ or an unusable schema ends the command (exit 1).

    Under `flask --app dispatch` it is the app Flask made (the factory: no migration); otherwise a new one,
    which upgrades a database behind this version only with `migrate` (serve, init-db).
    """
    info = click.get_current_context().find_object(ScriptInfo)
    if info is not None:
        return info.load_app()
    from dispatch import create_app
    from dispatch.db import SchemaError
    from dispatch.street.config import ConfigError

    try:
        return create_app(migrate=migrate)
    except (ConfigError, SchemaError) as exc:
        fail(str(exc))


def fail(message: str, code: int = 1) -> NoReturn:
    """End the command: `message` on stderr, exit `code`."""
    click.echo(message, err=True)
    raise click.exceptions.Exit(code)


# Libraries whose INFO lines repeat what our own start-up line says, or say it every minute: Alembic's set-up
# (dispatch.migrations logs each revision), APScheduler's "Added job" / "Running job" / "executed successfully"
# per run, waitress's "Serving on" (dispatch.commands says where it listens and which database). Their
# warnings and errors (a job that raised, a missed run, a full queue) still show.
QUIET_LOGGERS = ("alembic", "apscheduler", "waitress")


def quiet_libraries() -> None:
    """The libraries' INFO chatter off (WARNING and above still shown), unless LOG_LEVEL=DEBUG asks for it."""
    if logging.getLogger().getEffectiveLevel() <= logging.DEBUG:
        return
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python run.py`: run the command, return its exit code (a usage error exits 2)."""
    from dispatch.settings import SettingsError, log_level

    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "serve")  # `python run.py --port 8080` serves
    try:
        logging.basicConfig(level=log_level(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        quiet_libraries()
        return command_tree().main(argv, prog_name="run.py", standalone_mode=False) or 0
    except click.UsageError as exc:  # as argparse did: the usage and the error on stderr, exit 2
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted!", err=True)
        return 1
    except SettingsError as exc:
        click.echo(str(exc), err=True)
        return 1
