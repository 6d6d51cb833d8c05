"""The 居民区 layer: tickets and users carry a committee, the 居委's evaluations and the 复核 requests.

- `tickets.committee` (indexed) and `users.committee`: a 居委's 12-digit code (config/committees.toml);
  empty on the tickets and users already there.
- `evaluations`: one 评价 per closed ticket (响应度, 处置, note), append-only like the rest of the case
  record — its triggers are installed here, as a new database gets them (dispatch.tickets.record).
- `review_requests`: 复核 requests an 不满意 处置 opens for the command center.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dispatch.tickets import record

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NEW_RECORD_TABLES = ("evaluations",)


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("committee", sa.String(length=12), nullable=True))
        batch_op.create_index(batch_op.f("ix_tickets_committee"), ["committee"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("committee", sa.String(length=12), nullable=True))
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("committee", sa.String(length=12), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("responsiveness", sa.String(length=24), nullable=False),
        sa.Column("handling", sa.String(length=24), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("evaluator_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["evaluator_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluations_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluations_committee"), ["committee"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluations_department"), ["department"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluations_ticket_id"), ["ticket_id"], unique=True)
    op.create_table(
        "review_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("committee", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluations.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evaluation_id"),
    )
    with op.batch_alter_table("review_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_requests_committee"), ["committee"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_requests_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_requests_ticket_id"), ["ticket_id"], unique=False)
    record.install(op.get_bind(), NEW_RECORD_TABLES)


def downgrade() -> None:
    record.remove(op.get_bind(), NEW_RECORD_TABLES)
    op.drop_table("review_requests")
    op.drop_table("evaluations")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("committee")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_committee"))
        batch_op.drop_column("committee")
