"""The case record append-only, the timeline's hash chain, sign-in failures per address.

- `timeline.hash`: each row's sha256 chained to the previous row of its ticket (dispatch.tickets.record);
  the rows already there get theirs here, in ticket and insertion order, before the triggers exist.
- triggers refusing UPDATE and DELETE (PostgreSQL: also TRUNCATE) on the record tables: timeline,
  deadline_changes, escalations, photos — the same function a new database gets them from.
- `sign_in_failures`: wrong sign-ins per network address in a 15-minute window (a limit across users).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

from dispatch.tickets import record

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger("dispatch.migrations")

RECORD_TABLES = ("timeline", "deadline_changes", "escalations", "photos")  # as at this revision


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("address"),
    )
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_failures_window_start"), ["window_start"], unique=False)
    with op.batch_alter_table("timeline", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    chained = record.fill(connection)
    log.info("timeline: the hash chain of %d existing entries computed", chained)
    record.install(connection, RECORD_TABLES)


def downgrade() -> None:
    connection = op.get_bind()
    record.remove(connection, RECORD_TABLES)
    with op.batch_alter_table("timeline", schema=None) as batch_op:
        batch_op.drop_column("hash")
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_failures_window_start"))
    op.drop_table("sign_in_failures")
