"""`deadlines recompute`: count the open tickets' deadlines again under the current calendar (节假日数据更新)."""
from __future__ import annotations

import json

import click

from dispatch import clock, db
from dispatch.cli import HELP_OPTIONS, command_app
from dispatch.tickets import recompute as ticket_recompute


@click.group("deadlines", context_settings=HELP_OPTIONS, help="the tickets' deadlines")
def deadlines() -> None:
    pass


@deadlines.command("recompute", context_settings=HELP_OPTIONS,
                   help="count every running deadline again from its dispatch (or resume) and its approved "
                        "extensions under the current calendar; print what moves")
@click.option("--dry-run", is_flag=True, help="show what would move, change nothing")
@click.option("--json", "as_json", is_flag=True, help="print a JSON list")
def recompute(dry_run: bool, as_json: bool) -> None:
    app = command_app()
    config = app.extensions["street_config"]
    tz = config.calendar.timezone
    with app.app_context():
        changes = ticket_recompute.recompute(session=db.session(), config=config, now=clock.now(app),
                                             dry_run=dry_run)
    if as_json:
        click.echo(json.dumps([c.public(tz) for c in changes], ensure_ascii=False))
        return
    for c in changes:
        click.echo(f"{c.number}  {c.kind:<8} {c.old.astimezone(tz):%Y-%m-%d %H:%M} → {c.new.astimezone(tz):%Y-%m-%d %H:%M}")
    click.echo(f"{len(changes)} deadline(s) {'would move (dry run, nothing written)' if dry_run else 'moved'}")


COMMANDS = [deadlines]
