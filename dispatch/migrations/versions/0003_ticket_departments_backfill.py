"""ticket_departments: filled in once from the timeline, for tickets dispatched before the table existed.

A data revision, no schema change. The table is in the baseline (0001), which creates it on a database
made before it; until this revision every start-up filled an empty table from the timeline's `dispatch`
entries (and read them again at each start while it stayed empty). Done here, it runs once per database
and Alembic records that it ran: a new database is stamped past it (nothing to fill), one whose table
has rows is left alone, and no start-up reads the timeline for it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""
from __future__ import annotations

import logging
from collections import defaultdict

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

log = logging.getLogger("dispatch.migrations")

# Only the columns read or written here, as they are at this revision (no models: they move on).
tickets = sa.table("tickets", sa.column("id", sa.Integer()), sa.column("dispatch_round", sa.Integer()))
timeline = sa.table("timeline", sa.column("id", sa.Integer()), sa.column("ticket_id", sa.Integer()),
                    sa.column("at", sa.DateTime(timezone=True)), sa.column("action", sa.String()),
                    sa.column("data", sa.JSON()))
ticket_departments = sa.table("ticket_departments", sa.column("ticket_id", sa.Integer()),
                              sa.column("department", sa.String()), sa.column("round", sa.Integer()),
                              sa.column("dispatched_at", sa.DateTime(timezone=True)))


def fill(connection: Connection) -> int:
    """One row per dispatch round from the timeline's `dispatch` entries, in order; how many were added.

    Nothing when the table already has a row (every dispatch since the table exists writes one) or when
    no ticket was ever dispatched.
    """
    if connection.execute(sa.select(ticket_departments.c.ticket_id).limit(1)).first() is not None:
        return 0
    if connection.execute(sa.select(tickets.c.id).where(tickets.c.dispatch_round > 0).limit(1)).first() is None:
        return 0
    entries = connection.execute(sa.select(timeline.c.ticket_id, timeline.c.at, timeline.c.data)
                                 .where(timeline.c.action == "dispatch")
                                 .order_by(timeline.c.ticket_id, timeline.c.at, timeline.c.id))
    rounds: dict[int, int] = defaultdict(int)
    rows = []
    for ticket_id, at, data in entries:
        rounds[ticket_id] += 1
        department = (data or {}).get("department")
        if department:
            rows.append({"ticket_id": ticket_id, "department": department, "round": rounds[ticket_id],
                         "dispatched_at": at})
    if rows:
        connection.execute(sa.insert(ticket_departments), rows)
    log.info("ticket_departments: %d dispatch round(s) of %d ticket(s) filled in from the timeline",
             len(rows), len(rounds))
    return len(rows)


def upgrade() -> None:
    fill(op.get_bind())


def downgrade() -> None:
    pass  # the rows are what 0002 writes at each dispatch too: they stay
