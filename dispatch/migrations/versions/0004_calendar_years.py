"""calendar_years: which calendar each year's deadlines were counted with (a digest per year).

When the running calendar gives a year another digest — the street added `[years.YYYY]`, or a newer
chinesecalendar package knows the year — the deadlines in and after it are counted again
(dispatch.tickets.recompute). Starts empty: the first start-up counts the open tickets' deadlines once
and fills it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )


def downgrade() -> None:
    op.drop_table("calendar_years")
