"""Request and response shapes of the emergency API (also the source of its OpenAPI schema)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dispatch.query import QueryModel

Level = Field(ge=1, le=4, strict=True, description="1 = Ⅰ级 (most severe) … 4 = Ⅳ级")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Declare(_Body):
    """启动应急: the 预案, the level, the area (null: every zone) and a note."""

    plan: str = Field(min_length=1, max_length=32, description="a 预案's code (GET /api/v1/emergencies/plans)")
    level: int = Level
    zones: list[str] | None = Field(None, min_length=1, max_length=20,
                                    description="the zones (片区) it covers; null or absent: the whole street")
    note: str | None = Field(None, max_length=2000)


class LevelChange(_Body):
    """升级 / 降级."""

    level: int = Level
    note: str | None = Field(None, max_length=2000)


class EndRequest(_Body):
    note: str | None = Field(None, max_length=2000)


class PullIn(_Body):
    """纳入应急: an open ticket of the 预案's categories in the emergency's area."""

    ticket: int = Field(ge=1, le=2**31 - 1, strict=True, description="the ticket's id")


class ReleaseRequest(_Body):
    note: str | None = Field(None, max_length=2000)


class EmergenciesQuery(QueryModel):
    status: Literal["active", "ended"] | None = Field(None, description="active or ended only")


class PlanPublic(BaseModel):
    code: str
    name: str
    categories: list[str]
    category_names: list[str]
    response: str
    resolve: str
    ladder: dict[str, str]
    departments: list[str]
    department_names: list[str]
    checkin: str


class PlansPublic(BaseModel):
    data: list[PlanPublic]


class LogEntryPublic(BaseModel):
    at: datetime
    action: str
    actor: str
    actor_role: str
    level: int | None
    note: str | None
    data: dict


class CheckinPublic(BaseModel):
    department: str
    department_name: str
    due_at: datetime
    checked_in_at: datetime | None
    late: bool = Field(description="checked in after the limit, or not yet and past it")
    escalated_at: datetime | None


class EmergencyTicketPublic(BaseModel):
    id: int
    number: str
    status: str
    category: str
    category_name: str
    zone: str | None
    department: str | None
    department_name: str | None
    location: dict | None
    how: str = Field(description="report: reported during the emergency; pulled: pulled in by the command center")
    joined_at: datetime
    released_at: datetime | None
    created_at: datetime
    dispatched_at: datetime | None
    accepted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    state: str = Field(description="normal, warning (预警) or overdue (超期) at the time of the answer")
    handled: bool


class Counts(BaseModel):
    total: int
    handled: int
    open: int


class EmergencyPublic(BaseModel):
    id: int
    plan: str
    plan_name: str
    title: str
    level: int
    level_name: str
    zones: list[str] | None
    zone_names: list[str]
    note: str
    status: str
    declared_at: datetime
    declared_by: str
    ended_at: datetime | None
    elapsed_minutes: float = Field(description="since the declaration, until the end or now")
    counts: Counts
    checkins: list[CheckinPublic]
    log: list[LogEntryPublic] | None = None
    tickets: list[EmergencyTicketPublic] | None = None
    candidates: list[EmergencyTicketPublic] | None = Field(None, description="open tickets that may be pulled in")


class EmergencyEnvelope(BaseModel):
    emergency: EmergencyPublic


class EmergenciesPage(BaseModel):
    data: list[EmergencyPublic]
    count: int


class CheckinDone(BaseModel):
    checkin: CheckinPublic
