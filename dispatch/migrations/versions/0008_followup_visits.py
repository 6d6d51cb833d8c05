"""跟踪回访: follow-up visits after a ticket closes, their escalations, and reopen requests (回访返工).

- `followups`: one 回访 task per closure of a ticket that its source's rule selects (config/followup.toml),
  with its due time and escalation schedule (indexed `next_at`, as the tickets' ladders);
- `followup_visits`: the visit recorded (reached or 未联系上, 满意 / 基本满意 / 不满意, note) — append-only;
- `followup_escalations`: each ladder level an overdue 回访 reached, once (unique key) — append-only;
- `reopen_requests`: an 不满意 visit's request to reopen the ticket as rework, decided by the command center.

The two append-only tables get the triggers of the case record (dispatch.tickets.record, as 0005).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dispatch.tickets import record

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

APPEND_ONLY = ("followup_visits", "followup_escalations")  # as at this revision


def upgrade() -> None:
    op.create_table('followups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('closure', sa.Integer(), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_limit', sa.String(length=16), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_level', sa.Integer(), nullable=True),
    sa.Column('next_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id', 'closure', name='uq_followup_closure')
    )
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followups_next_at'), ['next_at'], unique=False)
        batch_op.create_index('ix_followups_open_due', ['done_at', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_followups_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_followups_zone'), ['zone'], unique=False)

    op.create_table('reopen_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reopen_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reopen_requests_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_reopen_requests_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('followup_escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('followup_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('caught_up', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['followup_id'], ['followups.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('followup_id', 'level', name='uq_followup_escalation_once')
    )
    with op.batch_alter_table('followup_escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_escalations_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_followup_escalations_followup_id'), ['followup_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_followup_escalations_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('followup_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('followup_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('reached', sa.Boolean(), nullable=False),
    sa.Column('rating', sa.String(length=24), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['followup_id'], ['followups.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('followup_id')
    )
    with op.batch_alter_table('followup_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_visits_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_followup_visits_ticket_id'), ['ticket_id'], unique=False)
    record.install(op.get_bind(), APPEND_ONLY)  # the visits and their escalations are part of the case record


def downgrade() -> None:
    record.remove(op.get_bind(), APPEND_ONLY)
    with op.batch_alter_table('followup_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_visits_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_followup_visits_at'))

    op.drop_table('followup_visits')
    with op.batch_alter_table('followup_escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_escalations_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_followup_escalations_followup_id'))
        batch_op.drop_index(batch_op.f('ix_followup_escalations_created_at'))

    op.drop_table('followup_escalations')
    with op.batch_alter_table('reopen_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reopen_requests_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_reopen_requests_status'))

    op.drop_table('reopen_requests')
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followups_zone'))
        batch_op.drop_index(batch_op.f('ix_followups_ticket_id'))
        batch_op.drop_index('ix_followups_open_due')
        batch_op.drop_index(batch_op.f('ix_followups_next_at'))

    op.drop_table('followups')
