"""`report monthly [--month YYYY-MM] [--new-version --reason …]`: make and store a month's report now."""
from __future__ import annotations

import click

from dispatch import clock, db
from dispatch.cli import HELP_OPTIONS, command_app, fail
from dispatch.reports import service


@click.group("report", context_settings=HELP_OPTIONS, help="monthly 研判 and 巡查通报")
def report_group() -> None:
    """`report monthly`: the month's report (see docs/reports.md)."""


@report_group.command("monthly", help="make and store a month's report (default: the last month that is over)")
@click.option("--month", help="YYYY-MM (default: last month)")
@click.option("--new-version", is_flag=True, help="the month has a report: store a new version beside it")
@click.option("--reason", help="why a new version is made (required with --new-version)")
def monthly(month: str | None, new_version: bool, reason: str | None) -> None:
    app = command_app()
    config = app.extensions["street_config"]
    now = clock.now(app)
    with app.app_context():
        try:
            first = service.parse_month(month) if month else service.last_finished(config=config, now=now)
            report = service.generate(session=db.session(), config=config, month=first, now=now,
                                      by="command line", new_version=new_version, reason=reason)
        except service.ReportExists as exc:
            fail(f"error: {exc} (--new-version --reason …)", 1)
        except service.ReportError as exc:
            fail(f"error: {exc}", 2)
        line = service.summary_line(report)
    click.echo(f"{line['month']} version {line['version']}: {line['reported']} reported, composite "
               f"{line['composite'] if line['composite'] is not None else '-'}, {line['overdue']} overdue, "
               f"{line['returned']} returned, {line['hotspots']} hotspot(s)")


COMMANDS = [report_group]
