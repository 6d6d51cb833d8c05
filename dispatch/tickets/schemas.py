"""Public shapes of tickets, as the API returns them (also the source of the OpenAPI schema)."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class Point(BaseModel):
    lng: float
    lat: float


class OriginalPoint(Point):
    crs: str


class TimelineEntryPublic(BaseModel):
    at: datetime
    action: str
    actor: str
    actor_role: str
    from_status: str | None
    to_status: str | None
    note: str | None
    data: dict


class DeadlineChangePublic(BaseModel):
    deadline: str
    old_at: datetime | None
    new_at: datetime | None
    reason: str
    at: datetime


class DeadlinePublic(BaseModel):
    limit: str | None
    due_at: datetime | None
    met_at: datetime | None
    overdue: bool
    remaining_minutes: float | None  # working minutes (WH/WD) or natural minutes (NH/NM); < 0 overdue


class PhotoPublic(BaseModel):
    id: int
    stage: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    url: str


class TicketPublic(BaseModel):
    id: int
    number: str
    status: str
    category: str
    category_name: str
    zone: str | None
    cell: str | None
    department: str | None
    department_name: str | None
    description: str
    address: str | None
    location: Point | None
    original_location: OriginalPoint | None
    locate_how: str
    zone_distance_m: float
    source: str
    reporter_id: int
    duplicate_of: int | None
    version: int
    rework_count: int
    supervised: bool
    extension_count: int
    escalation_level: int
    occurred_at: datetime | None
    created_at: datetime
    updated_at: datetime
    dispatched_at: datetime | None
    accepted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    suspended_at: datetime | None
    deadlines: dict[str, DeadlinePublic]
    timeline: list[TimelineEntryPublic] | None = None
    deadline_history: list[DeadlineChangePublic] | None = None
    photos: list[PhotoPublic] | None = None


class TicketEnvelope(BaseModel):
    ticket: TicketPublic


class TicketsPublic(BaseModel):
    data: list[TicketPublic]
    count: int
