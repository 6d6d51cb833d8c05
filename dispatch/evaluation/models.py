"""The 居委's evaluations of closed tickets (append-only: part of the case record) and the 复核 requests they open."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from dispatch.types import utc_field


class Grade(StrEnum):
    """One answer of an evaluation (响应度 or 处置)."""

    satisfied = "satisfied"                      # 满意
    basically_satisfied = "basically_satisfied"  # 基本满意
    dissatisfied = "dissatisfied"                # 不满意


class Evaluation(SQLModel, table=True):
    """评价: one per ticket, by a 居委 of the ticket's 居民区, within the window after 结案; never changed
    (append-only, dispatch.tickets.record)."""

    __tablename__ = "evaluations"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True, unique=True)
    committee: str = Field(index=True, max_length=12)
    department: str | None = Field(default=None, index=True, max_length=64)  # who handled it (the ranking's group)
    responsiveness: str = Field(max_length=24)  # 响应度: a Grade
    handling: str = Field(max_length=24)        # 处置: a Grade
    note: str | None = Field(default=None, sa_column=Column(Text))
    evaluator_id: int = Field(foreign_key="users.id")
    at: datetime = utc_field(nullable=False, index=True)


class ReviewRequest(SQLModel, table=True):
    """复核: an 不满意 处置 with a note asks the command center to look again; it sends the ticket back to
    rework or dismisses the request with a reason."""

    __tablename__ = "review_requests"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    evaluation_id: int = Field(foreign_key="evaluations.id", unique=True)
    committee: str = Field(index=True, max_length=12)
    note: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", index=True, max_length=16)  # pending | rework | dismissed
    requested_at: datetime = utc_field(nullable=False)
    decided_by: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = utc_field()
    decision_reason: str | None = Field(default=None, sa_column=Column(Text))
