"""Emergencies (应急指挥): the emergency, its own append-only record, its tickets and its departments' 到岗.

- `emergencies`: one declared emergency under a 预案 of config/emergencies.toml (plan, level Ⅰ–Ⅳ, zones, note,
  active or ended);
- `emergency_log`: the street's timeline of each emergency (declared, level changed, tickets pulled in and
  released, 到岗, late 到岗 escalated, ended) — append-only: the same triggers as the ticket's record
  (dispatch.tickets.record), created here;
- `emergency_tickets`: the tickets handled under it (reported in it or pulled in; released);
- `emergency_checkins`: the departments the 预案 calls to report on duty (到岗), by when, when they did, and
  when a late one was escalated (once);
- `tickets.emergency_id`, `tickets.emergency_plan`: the emergency a ticket is handled under now, whose 预案's
  limits and ladder its clock uses (no foreign key, so SQLite adds the columns in place).

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dispatch.tickets import record

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

RECORD_TABLES = ("emergency_log",)  # the record tables this revision adds


def upgrade() -> None:
    op.create_table('emergencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan', sa.String(length=32), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('zones', sa.JSON(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('declared_by', sa.Integer(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['declared_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['ended_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('emergencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergencies_declared_at'), ['declared_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergencies_status'), ['status'], unique=False)

    op.create_table('emergency_checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('emergency_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=64), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_in_by', sa.Integer(), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['checked_in_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['department'], ['departments.code'], ),
    sa.ForeignKeyConstraint(['emergency_id'], ['emergencies.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('emergency_id', 'department', name='uq_emergency_checkin')
    )
    with op.batch_alter_table('emergency_checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_checkins_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_checkins_emergency_id'), ['emergency_id'], unique=False)

    op.create_table('emergency_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('emergency_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(), nullable=False),
    sa.Column('actor_role', sa.String(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['emergency_id'], ['emergencies.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('emergency_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_log_emergency_id'), ['emergency_id'], unique=False)

    op.create_table('emergency_tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('emergency_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('how', sa.String(length=16), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('joined_by', sa.Integer(), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['emergency_id'], ['emergencies.id'], ),
    sa.ForeignKeyConstraint(['joined_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['released_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('emergency_id', 'ticket_id', name='uq_emergency_ticket')
    )
    with op.batch_alter_table('emergency_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_tickets_emergency_id'), ['emergency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_tickets_ticket_id'), ['ticket_id'], unique=False)

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emergency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('emergency_plan', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_tickets_emergency_id'), ['emergency_id'], unique=False)
    record.install(op.get_bind(), RECORD_TABLES)


def downgrade() -> None:
    record.remove(op.get_bind(), RECORD_TABLES)
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_emergency_id'))
        batch_op.drop_column('emergency_plan')
        batch_op.drop_column('emergency_id')

    with op.batch_alter_table('emergency_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emergency_tickets_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_emergency_tickets_emergency_id'))

    op.drop_table('emergency_tickets')
    with op.batch_alter_table('emergency_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emergency_log_emergency_id'))

    op.drop_table('emergency_log')
    with op.batch_alter_table('emergency_checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emergency_checkins_emergency_id'))
        batch_op.drop_index(batch_op.f('ix_emergency_checkins_due_at'))

    op.drop_table('emergency_checkins')
    with op.batch_alter_table('emergencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emergencies_status'))
        batch_op.drop_index(batch_op.f('ix_emergencies_declared_at'))

    op.drop_table('emergencies')
