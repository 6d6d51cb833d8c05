"""Public shapes of tickets, as the API returns them (also the source of the OpenAPI schema)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


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
    actor_department_name: str | None = None  # the department of a department user who took the step
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
    provisional: bool = Field(False, description=(
        "预计: counted in working time over a year with no official holiday schedule yet; the year's 调休, "
        "once published and added to the calendar, may still move it"))


class PhotoPublic(BaseModel):
    id: int
    stage: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    url: str = Field(description="the photo as uploaded (the record: EXIF kept)")
    thumb_url: str = Field(description="a JPEG of at most 480 px, without EXIF: for lists and pages on mobile data")


class AnswerPublic(BaseModel):
    """One answered question of the category (补充信息), in words for a page: 居住户数 → 6."""

    code: str
    question: str
    text: str = Field(description="the answer as shown: list keys become their names, joined with 、")


class AssistDeadlinePublic(BaseModel):
    """One deadline of an assist task: 报到 (checkin) or 完成 (task)."""

    limit: str
    due_at: datetime
    met_at: datetime | None
    late: bool = Field(description="met after the deadline, or not met and past it (迟到 / 超期)")
    remaining_minutes: float | None = Field(description="time left while it runs (working or natural minutes, "
                                            "as its limit); < 0 late; null once met or closed")


class AssistTaskPublic(BaseModel):
    """吹哨报到: one assisting department's task (协办) on the ticket."""

    id: int
    department: str
    department_name: str
    task: str
    state: Literal["pending", "checked_in", "done", "closed"]
    state_label: str = Field(description="待报到 / 已报到 / 已完成 / 已关闭")
    created_at: datetime
    checked_in_at: datetime | None
    done_at: datetime | None
    done_note: str | None
    photo_id: int | None
    closed_at: datetime | None
    close_reason: str | None
    checkin: AssistDeadlinePublic
    deadline: AssistDeadlinePublic = Field(description="the task's own deadline (协办完成)")


class AssistListed(AssistTaskPublic):
    """An assist task with its ticket, as GET /api/v1/assists lists it."""

    ticket_id: int
    number: str
    ticket_status: str
    lead: str | None = Field(description="the lead department (the ticket's department)")
    lead_name: str | None


class AssistsPage(BaseModel):
    data: list[AssistListed]
    count: int


class TicketEmergency(BaseModel):
    """The emergency (应急) a ticket is handled under: its 预案's limits and ladder apply."""

    id: int
    plan: str
    plan_name: str


class TicketPublic(BaseModel):
    id: int
    number: str
    status: str
    category: str
    category_name: str
    zone: str | None
    cell: str | None
    committee: str | None = Field(None, description="居民区: the 居委's 12-digit code (GET /api/v1/committees)")
    committee_name: str | None = None
    department: str | None
    department_name: str | None
    description: str
    address: str | None
    attributes: dict[str, Any] = Field(default_factory=dict, description="answers to the category's questions "
                                       "(补充信息), by attribute code")
    answers: list[AnswerPublic] = Field(default_factory=list, description="the same answers in words, in the "
                                        "order the category asks them")
    location: Point | None
    original_location: OriginalPoint | None
    locate_how: str
    zone_distance_m: float
    source: str = Field(description="api | open311 | web | committee — a 居委's report, an 约请 (invitation)")
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
    emergency: TicketEmergency | None = Field(None, description="应急: the emergency the ticket is handled under")
    timeline: list[TimelineEntryPublic] | None = None
    deadline_history: list[DeadlineChangePublic] | None = None
    photos: list[PhotoPublic] | None = None
    assists: list[AssistTaskPublic] | None = Field(None, description=(
        "吹哨报到: the assisting departments' tasks (the lead is `department`); in the detail only"))


class TicketEnvelope(BaseModel):
    ticket: TicketPublic


class TicketsPublic(BaseModel):
    data: list[TicketPublic]
    count: int


class AssistRequest(BaseModel):
    """吹哨: one assisting department (协办) and its task."""

    model_config = ConfigDict(extra="forbid", strict=True)
    department: str = Field(max_length=64, description="the assisting department's code")
    task: str = Field(min_length=1, max_length=200, description="its task, one line")
    limit: str | None = Field(None, max_length=16, pattern=r"^\s*\d+(\.\d+)?\s*(WH|WD|NH|NM)\s*$",
                              description="its own task deadline (\"2 WD\", \"4 NH\"), counted from the whistle; "
                              "default config/joint.toml")


class ActionRequest(BaseModel):
    """POST /api/v1/tickets/{id}/actions body: one step of the closed loop."""

    model_config = ConfigDict(extra="forbid", strict=True)
    action: Literal["dispatch", "accept", "return", "start", "resolve", "verify", "request_extension",
                    "approve_extension", "reject_extension", "suspend", "resume", "supervise", "cancel",
                    "self_resolve", "whistle", "check_in", "finish_task", "close_task", "reopen", "decline_reopen",
                    "reassign", "urge"]
    note: str | None = Field(None, max_length=2000, description="free text recorded on the timeline")
    reason: str | None = Field(None, max_length=2000, description="required for return, cancel, request_extension, "
                               "decline_reopen, reassign")
    version: int | None = Field(None, ge=1, description="the ticket version you saw; 409 if it changed")
    department: str | None = Field(None, max_length=64, description="dispatch, reassign: the department code; "
                                   "whistle: the lead department (default: the ticket's)")
    assists: list[AssistRequest] | None = Field(None, min_length=1, max_length=12, description=(
        "whistle: the assisting departments (协办), each with its task"))
    task_id: int | None = Field(None, ge=1, le=2**31 - 1, description="close_task: the assist task to close")
    photo_id: int | None = Field(None, ge=1, le=2**31 - 1, description=(
        "finish_task: a photo your department added to the ticket (POST …/photos) showing the work"))
    passed: bool | None = Field(None, description="verify: true closes the ticket, false sends it back (返工)")
    hours: float | None = Field(None, gt=0, le=2000, allow_inf_nan=False, description="request_extension: working hours")
    days: float | None = Field(None, gt=0, le=250, allow_inf_nan=False, description="request_extension: working days")

    @field_validator("version", mode="before")
    @classmethod
    def _integral_version(cls, value):
        """JSON has one kind of number: 3.0 is version 3, as JSON Schema's integer says (a bool stays refused)."""
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value


BULK_MAX = 100  # tickets in one bulk request


class BulkActionRequest(BaseModel):
    """POST /api/v1/tickets/bulk-actions body: one command-center action on many selected tickets."""

    model_config = ConfigDict(extra="forbid", strict=True)
    action: Literal["dispatch", "supervise", "urge"] = Field(description="派遣, 督办 or 催办")
    ticket_ids: list[int] = Field(min_length=1, max_length=BULK_MAX,
                                  description="the selected tickets' ids; each is checked and acted on by itself")
    department: str | None = Field(None, max_length=64, description="dispatch: the department code")
    note: str | None = Field(None, max_length=2000, description="free text recorded on each ticket's timeline")

    @field_validator("ticket_ids")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        if any(not 1 <= i <= 2**31 - 1 for i in value):
            raise ValueError("ticket ids are integers from 1")
        if len(set(value)) != len(value):
            raise ValueError("each ticket id once")
        return value


class BulkError(BaseModel):
    code: str
    message: str


class BulkResult(BaseModel):
    ticket_id: int
    number: str | None = Field(None, description="null when the ticket does not exist for the caller")
    ok: bool
    status: str | None = Field(None, description="the ticket's status after the attempt")
    error: BulkError | None = Field(None, description="why this ticket was not acted on (the code a single action "
                                                      "would answer: illegal_transition, version_conflict, not_found…)")


class BulkActionResult(BaseModel):
    action: str
    succeeded: int
    failed: int
    results: list[BulkResult] = Field(description="one per requested id, in the order sent")
