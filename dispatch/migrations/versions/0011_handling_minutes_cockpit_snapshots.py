"""tickets.handling_minutes (处置时长 stored at 处置完成, backfilled here) and cockpit_snapshots (the shared feed).

The statistics averaged the working time from 派遣 to 处置完成 by reading two instants of every handled ticket
into Python (the working-time calendar is not SQL); from this revision the resolve flow stores it on the ticket
(`dispatch.tickets.clock.resolve`) and the statistics sum it in SQL. Tickets resolved before it get it here, counted
with the street's calendar.toml (DISPATCH_CONFIG_DIR) as the app counts it. cockpit_snapshots holds the cockpit
feed of each zone as last computed (dispatch.cockpit.snapshot); it is a cache: the downgrade drops it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""
from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

from dispatch.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

log = logging.getLogger("dispatch.migrations")
BATCH = 5000

# Only the columns read or written here, as they are at this revision (no models: they move on).
tickets = sa.table("tickets", sa.column("id", sa.Integer()), sa.column("dispatched_at", UTCDateTime()),
                   sa.column("resolved_at", UTCDateTime()), sa.column("handling_minutes", sa.Float()))


def _calendar():
    """The street's working-time calendar, as the app loads it (calendar.toml of DISPATCH_CONFIG_DIR)."""
    from dispatch import settings
    from dispatch.deadlines.config import load_calendar

    return load_calendar(Path(settings.config_dir()) / "calendar.toml")


def fill(connection: Connection, calendar=None) -> int:
    """处置时长 of every ticket resolved after a 派遣 that has none yet, in batches; how many were written."""
    query = (sa.select(tickets.c.id, tickets.c.dispatched_at, tickets.c.resolved_at)
             .where(tickets.c.dispatched_at.is_not(None), tickets.c.resolved_at.is_not(None),
                    tickets.c.handling_minutes.is_(None)).order_by(tickets.c.id))
    rows = connection.execute(query).all()
    if not rows:
        return 0
    calendar = calendar or _calendar()
    update = (sa.update(tickets).where(tickets.c.id == sa.bindparam("ticket_id"))
              .values(handling_minutes=sa.bindparam("minutes")))
    for begin in range(0, len(rows), BATCH):
        connection.execute(update, [{"ticket_id": ticket_id, "minutes": calendar.working_minutes_between(start, end)}
                                    for ticket_id, start, end in rows[begin:begin + BATCH]])
    log.info("tickets.handling_minutes: %d resolved ticket(s) filled in", len(rows))
    return len(rows)


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handling_minutes", sa.Float(), nullable=True))
    fill(op.get_bind())
    op.create_table(
        "cockpit_snapshots",
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("watermark", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("zone"),
    )


def downgrade() -> None:
    op.drop_table("cockpit_snapshots")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("handling_minutes")
