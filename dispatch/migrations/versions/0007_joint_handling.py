"""吹哨报到 (joint handling): assist tasks and their escalation records.

- `assist_tasks`: one assisting department's part of a joint case — its task, its 报到 (check-in) and task
  deadlines with the next escalation level of each (what the assist sweep queries), its state and who
  checked in, finished or closed it.
- `assist_escalations`: each level an assist deadline reached, once (unique task, deadline, level); part of
  the case record, append-only like `escalations` (its triggers are installed here).

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dispatch.tickets import record

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _utc(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "assist_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("task", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        _utc("created_at", False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("checkin_limit", sa.String(length=16), nullable=False),
        _utc("checkin_due", False),
        sa.Column("checkin_next_level", sa.Integer(), nullable=True),
        _utc("checkin_next_at"),
        _utc("checked_in_at"),
        sa.Column("checked_in_by", sa.Integer(), nullable=True),
        sa.Column("task_limit", sa.String(length=16), nullable=False),
        _utc("task_due", False),
        sa.Column("task_next_level", sa.Integer(), nullable=True),
        _utc("task_next_at"),
        _utc("done_at"),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.Column("done_note", sa.Text(), nullable=True),
        sa.Column("photo_id", sa.Integer(), nullable=True),
        _utc("closed_at"),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.ForeignKeyConstraint(["department"], ["departments.code"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["checked_in_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["done_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["closed_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assist_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assist_tasks_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assist_tasks_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_assist_tasks_checkin_next_at"), ["checkin_next_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_assist_tasks_task_next_at"), ["task_next_at"], unique=False)
        batch_op.create_index("ix_assist_tasks_department_state", ["department", "state"], unique=False)
    op.create_table(
        "assist_escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        _utc("due_at", False),
        _utc("created_at", False),
        sa.Column("caught_up", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["assist_tasks.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "deadline", "level", name="uq_assist_escalation_once"),
    )
    with op.batch_alter_table("assist_escalations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assist_escalations_task_id"), ["task_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assist_escalations_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assist_escalations_created_at"), ["created_at"], unique=False)
    record.install(op.get_bind(), ("assist_escalations",))


def downgrade() -> None:
    record.remove(op.get_bind(), ("assist_escalations",))
    op.drop_table("assist_escalations")
    op.drop_table("assist_tasks")
