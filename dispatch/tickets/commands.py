"""`deadlines recompute`: count the open tickets' deadlines again under the current calendar (节假日数据更新);
`audit verify`: check the case record (留痕) against its hash chain and its append-only triggers."""
from __future__ import annotations

import json

import click

from dispatch import clock, db
from dispatch.cli import HELP_OPTIONS, command_app, fail
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
        who = f" {c.department}" if c.department else ""
        click.echo(f"{c.number}{who}  {c.kind:<8} {c.old.astimezone(tz):%Y-%m-%d %H:%M} → {c.new.astimezone(tz):%Y-%m-%d %H:%M}")
    click.echo(f"{len(changes)} deadline(s) {'would move (dry run, nothing written)' if dry_run else 'moved'}")


@click.group("audit", context_settings=HELP_OPTIONS, help="the case record (留痕)")
def audit() -> None:
    pass


@audit.command("verify", context_settings=HELP_OPTIONS,
               help="recompute every ticket's timeline hash chain and check the record tables' append-only "
                    "triggers; print the first break of each ticket; exit 1 on any")
@click.option("--ticket", "ticket", help="one ticket: its id or number (YC-…)")
@click.option("--json", "as_json", is_flag=True, help="print a JSON object")
def verify(ticket: str | None, as_json: bool) -> None:
    """Runs on the database alone (no config/, no app), as the app's role or the owner."""
    from dispatch import settings
    from dispatch.db import make_engine
    from dispatch.tickets import record

    engine = make_engine(settings.database_url())
    try:
        with engine.connect() as conn:
            ticket_id = _ticket_id(conn, ticket) if ticket else None
            verdict = record.verify(conn, ticket_id)
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(verdict.public(), ensure_ascii=False))
    else:
        click.echo(f"timeline: {verdict.entries} entries of {verdict.tickets} ticket(s) checked")
        for b in verdict.breaks:
            where = f"entry {b.entry_id}" if b.entry_id is not None else "timeline"
            click.echo(f"{b.number or '-'} (ticket {b.ticket_id}): {where}: {b.reason}")
        if verdict.unprotected:
            click.echo(f"not append-only (triggers missing or disabled): {', '.join(verdict.unprotected)}")
        click.echo("intact" if verdict.intact else
                   f"NOT intact: {len(verdict.breaks)} ticket(s) with a break, "
                   f"{len(verdict.unprotected)} unprotected table(s)")
    if not verdict.intact:
        raise click.exceptions.Exit(1)


def _ticket_id(conn, ticket: str) -> int:
    """The id of the ticket named by id or number; the command fails (exit 2) on an unknown one."""
    import sqlalchemy as sa

    from dispatch.tickets.record import TICKETS

    named = TICKETS.c.id == int(ticket) if ticket.isdigit() and len(ticket) < 12 else TICKETS.c.number == ticket
    found = conn.execute(sa.select(TICKETS.c.id).where(named)).scalar()
    if found is None:
        fail(f"no ticket {ticket!r}", 2)
    return found


COMMANDS = [deadlines, audit]
