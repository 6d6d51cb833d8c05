"""Escalation records (one per ticket, deadline and level) and the notification outbox."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from dispatch.types import json_field, utc_field


class Escalation(SQLModel, table=True):
    """A level reached by one of a ticket's deadlines; the unique key makes each happen once per dispatch."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("ticket_id", "deadline", "level", "round", name="uq_escalation_once"),)
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    deadline: str = Field(max_length=16)  # "response" | "resolve"
    level: int  # 0 warning (预警), 1 overdue, 2 督办, 3 leader
    round: int = 1  # the ticket's dispatch_round: after 退单 and a new dispatch the ladder starts again
    due_at: datetime = utc_field(nullable=False)
    created_at: datetime = utc_field(nullable=False, index=True)
    caught_up: bool = False  # recorded late, by the first sweep after downtime


class OutboxMessage(SQLModel, table=True):
    """A notification waiting for (or done with) delivery; never deleted."""

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int | None = Field(default=None, foreign_key="escalations.id", index=True)
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", index=True)
    recipient: str = Field(max_length=64)  # a department code or a role name
    channel: str = Field(default="webhook", max_length=16)
    payload: dict = json_field()
    created_at: datetime = utc_field(nullable=False)
    next_attempt_at: datetime | None = utc_field(index=True)
    sent_at: datetime | None = utc_field()
    attempts: int = 0
    last_error: str | None = None
    gave_up: bool = False
