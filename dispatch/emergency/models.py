"""Emergency tables: the emergency, its record (应急留痕, append-only), its tickets, its departments' 到岗."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from dispatch.types import json_field, utc_field


# the emergency's record (应急留痕): action → 中文 (the review, the pages and the outbox's messages)
LOG_ACTION_LABELS = {"declare": "启动应急", "raise": "升级", "lower": "降级", "end": "结束应急", "pull_in": "纳入工单",
                     "release": "移出工单", "checkin": "到岗", "checkin_late": "到岗超时升级"}


class EmergencyStatus(StrEnum):
    active = "active"  # 应急状态中
    ended = "ended"    # 已结束 (复盘)


class Emergency(SQLModel, table=True):
    """One declared emergency (应急事件) under a 预案 of config/emergencies.toml."""

    __tablename__ = "emergencies"
    id: int | None = Field(default=None, primary_key=True)
    plan: str = Field(max_length=32)  # the 预案's code in config/emergencies.toml
    level: int  # 1 = Ⅰ级 (most severe) … 4 = Ⅳ级
    # the zones (片区) it covers; None: the whole street
    zones: list | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = Field(default=EmergencyStatus.active, index=True, max_length=16)
    declared_at: datetime = utc_field(nullable=False, index=True)
    declared_by: int = Field(foreign_key="users.id")
    ended_at: datetime | None = utc_field()
    ended_by: int | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime = utc_field(nullable=False)


class EmergencyLogEntry(SQLModel, table=True):
    """One step of an emergency (declare, level changed, ticket pulled in or released, 到岗, late 到岗, end):
    the street's own timeline; append-only like a ticket's (dispatch.tickets.record)."""

    __tablename__ = "emergency_log"
    id: int | None = Field(default=None, primary_key=True)
    emergency_id: int = Field(foreign_key="emergencies.id", index=True)
    at: datetime = utc_field(nullable=False)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    actor_name: str = "system"
    actor_role: str = "system"
    action: str = Field(max_length=32)
    level: int | None = None  # the emergency's level after the step
    note: str | None = Field(default=None, sa_column=Column(Text))
    data: dict = json_field()


class EmergencyTicket(SQLModel, table=True):
    """A ticket handled under an emergency: reported in it (report) or pulled in by the command center
    (pulled); `released_at` when it went back to its normal limits."""

    __tablename__ = "emergency_tickets"
    __table_args__ = (UniqueConstraint("emergency_id", "ticket_id", name="uq_emergency_ticket"),)
    id: int | None = Field(default=None, primary_key=True)
    emergency_id: int = Field(foreign_key="emergencies.id", index=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    how: str = Field(max_length=16)  # report | pulled
    joined_at: datetime = utc_field(nullable=False)
    joined_by: int | None = Field(default=None, foreign_key="users.id")
    released_at: datetime | None = utc_field()
    released_by: int | None = Field(default=None, foreign_key="users.id")


class EmergencyCheckin(SQLModel, table=True):
    """A department the 预案 calls to report on duty (到岗), by when, when it did, and when its lateness was
    escalated (once: a conditional UPDATE claims it)."""

    __tablename__ = "emergency_checkins"
    __table_args__ = (UniqueConstraint("emergency_id", "department", name="uq_emergency_checkin"),)
    id: int | None = Field(default=None, primary_key=True)
    emergency_id: int = Field(foreign_key="emergencies.id", index=True)
    department: str = Field(foreign_key="departments.code", max_length=64)
    due_at: datetime = utc_field(nullable=False, index=True)
    checked_in_at: datetime | None = utc_field()
    checked_in_by: int | None = Field(default=None, foreign_key="users.id")
    escalated_at: datetime | None = utc_field()  # the late 到岗 was escalated (once)
