"""The notification outbox (the escalation records themselves are the ticket's: dispatch.tickets.models)."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from dispatch.types import json_field, utc_field


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
