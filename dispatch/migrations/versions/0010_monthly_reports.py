"""monthly_reports: the stored monthly 研判 and 巡查通报 (a snapshot per month and version), append-only.

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dispatch.tickets import record

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("monthly_reports",)  # made append-only like the case record


def upgrade() -> None:
    op.create_table(
        "monthly_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generated_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("month", "version", name="uq_monthly_report_version"),
    )
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monthly_reports_month"), ["month"], unique=False)
    record.install(op.get_bind(), TABLES)


def downgrade() -> None:
    record.remove(op.get_bind(), TABLES)
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monthly_reports_month"))
    op.drop_table("monthly_reports")
