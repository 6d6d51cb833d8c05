"""`sweep`: one escalation pass from the command line, e.g. to preview what a given instant would escalate."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import click

from dispatch import clock
from dispatch.cli import HELP_OPTIONS, command_app, fail
from dispatch.escalation import scheduled


@click.command("sweep", context_settings=HELP_OPTIONS, help="run one escalation pass")
@click.option("--now", "at", help="ISO-8601 instant to sweep as of (default: now)")
@click.option("--dry-run", is_flag=True, help="show what would escalate, change nothing")
@click.option("--json", "as_json", is_flag=True, help="print a JSON list")
@click.option("--force", is_flag=True,
              help="write even when --now is in the future (escalations would be recorded early)")
def sweep(at: str | None, dry_run: bool, as_json: bool, force: bool) -> None:
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
    results = scheduled.sweep_once(app, now=now, dry_run=dry_run)
    assists = [] if dry_run else scheduled.assist_sweep_once(app, now=now)
    if as_json:
        keys = ("ticket", "number", "deadline", "level")  # the documented shape, 0 = warning
        click.echo(json.dumps([{k: r[k] for k in keys} for r in results], ensure_ascii=False))
    else:
        for r in results:
            click.echo(f"{r['number']}  {r['deadline']:<8} level {r['level']}")
        for r in assists:
            click.echo(f"{r['number']}  {r['department']} {r['deadline']:<8} level {r['level']}")
        click.echo(f"{len(results)} escalation(s){' (dry run, nothing written)' if dry_run else ''}"
                   + (f", {len(assists)} of assist tasks" if assists else ""))


COMMANDS = [sweep]
