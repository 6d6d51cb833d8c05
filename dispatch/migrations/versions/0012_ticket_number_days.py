"""ticket_number_days: PostgreSQL numbers a day's tickets from the tickets' id sequence, without a counter row
that every report of the day waits on (dispatch.tickets.service.take_number).

Each row is a local day and its `base`: a ticket of that day is numbered NNNN = id − base. The upgrade seeds every
day already counted in ticket_counters so that its numbers continue after the last one handed out (a database
upgraded in the middle of a day gives no number twice). SQLite keeps numbering by ticket_counters (its one writer
at a time needs no other scheme) and gets the table empty, so that both databases have the models' schema.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_number_days",
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("base", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # the next id is above the sequence's last value, so id − (last value − last) > last for every day
        bind.execute(sa.text(
            "INSERT INTO ticket_number_days (day, base) "
            "SELECT day, COALESCE(pg_sequence_last_value(pg_get_serial_sequence('tickets', 'id')::regclass), 0) - last "
            "FROM ticket_counters"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # back to one counter row a day: each day numbered by ticket_number_days continues after its highest number
        # (numbers are PREFIX-YYYYMMDD-NNNN; the prefix has no "-")
        bind.execute(sa.text(
            "INSERT INTO ticket_counters (day, last) "
            "SELECT split_part(number, '-', 2), max(CAST(split_part(number, '-', 3) AS integer)) FROM tickets "
            "WHERE split_part(number, '-', 2) IN (SELECT day FROM ticket_number_days) GROUP BY 1 "
            "ON CONFLICT (day) DO UPDATE SET last = GREATEST(ticket_counters.last, excluded.last)"))
    op.drop_table("ticket_number_days")
