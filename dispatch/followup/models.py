"""Follow-up tables: the 回访 task of a closure, the visit recorded (留痕) and the task's escalations."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from dispatch.types import utc_field


class Rating(StrEnum):
    """What the visited person says of the handling (满意度)."""

    satisfied = "satisfied"                  # 满意
    basically_satisfied = "basically_satisfied"  # 基本满意
    dissatisfied = "dissatisfied"            # 不满意


class Followup(SQLModel, table=True):
    """One 回访 task: falls due when a ticket closes and its source's rule selects it; done by one visit.

    `closure` counts the ticket's closures (a ticket reopened after an 不满意 visit and closed again gets a
    new task). The escalation schedule (`next_level`, `next_at`, indexed) is what the follow-up sweep asks.
    """

    __tablename__ = "followups"
    __table_args__ = (UniqueConstraint("ticket_id", "closure", name="uq_followup_closure"),
                      Index("ix_followups_open_due", "done_at", "due_at"))
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    closure: int = 1
    zone: str | None = Field(default=None, index=True, max_length=64)  # the ticket's zone: whose inspectors visit
    reason: str = Field(max_length=16)  # source (always for its source) | sample (drawn) | reopened (after 不满意)
    opened_at: datetime = utc_field(nullable=False)  # the ticket's closing
    due_limit: str = Field(max_length=16)  # "3 WD": the due time, counted from the closing
    due_at: datetime = utc_field(nullable=False)
    next_level: int | None = None
    next_at: datetime | None = utc_field(index=True)
    escalation_level: int = -1  # highest level reached; -1 none
    done_at: datetime | None = utc_field()  # when its visit was recorded (the visit: followup_visits)


class FollowupVisit(SQLModel, table=True):
    """A 回访 as recorded (留痕, append-only): reached or not (未联系上), the rating, a note; once per task."""

    __tablename__ = "followup_visits"
    id: int | None = Field(default=None, primary_key=True)
    followup_id: int = Field(foreign_key="followups.id", unique=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    at: datetime = utc_field(nullable=False, index=True)
    actor_id: int = Field(foreign_key="users.id")
    actor_role: str = Field(max_length=16)
    reached: bool
    rating: str | None = Field(default=None, max_length=24)  # Rating; None when not reached
    note: str | None = Field(default=None, sa_column=Column(Text))


class FollowupEscalation(SQLModel, table=True):
    """A ladder level reached by an overdue 回访 (append-only); the unique key makes each happen once."""

    __tablename__ = "followup_escalations"
    __table_args__ = (UniqueConstraint("followup_id", "level", name="uq_followup_escalation_once"),)
    id: int | None = Field(default=None, primary_key=True)
    followup_id: int = Field(foreign_key="followups.id", index=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    level: int
    due_at: datetime = utc_field(nullable=False)
    created_at: datetime = utc_field(nullable=False, index=True)
    caught_up: bool = False
