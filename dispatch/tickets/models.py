"""Ticket tables: the ticket, its timeline (留痕), dispatch rounds, photos, deadline history, escalations reached,
extensions, reopen requests (回访返工), numbering."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from dispatch.types import json_field, utc_field


class Status(StrEnum):
    pending_dispatch = "pending_dispatch"  # 待派遣
    dispatched = "dispatched"              # 已派遣, waiting for 签收
    in_progress = "in_progress"            # 处置中
    resolved = "resolved"                  # 处置完成, waiting for 核查
    closed = "closed"                      # 核查结案
    cancelled = "cancelled"                # 作废 / 不予立案
    suspended = "suspended"                # 挂账 (clock stopped)
    duplicate = "duplicate"                # linked to an open ticket (duplicate_of), not dispatched


# What every page, export and printout calls each status (zh-CN): the one copy.
STATUS_LABELS = {
    Status.pending_dispatch: "待派遣",
    Status.dispatched: "已派遣",
    Status.in_progress: "处置中",
    Status.resolved: "已处置待核查",
    Status.closed: "已结案",
    Status.cancelled: "已作废",
    Status.suspended: "挂账",
    Status.duplicate: "重复",
}

OPEN_STATUSES = (Status.pending_dispatch, Status.dispatched, Status.in_progress, Status.resolved,
                 Status.suspended)


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("reporter_id", "idempotency_key", name="uq_ticket_idempotency"),
        Index("ix_tickets_dedup", "category", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(index=True, unique=True, max_length=32)
    status: str = Field(index=True, max_length=24)
    category: str = Field(foreign_key="categories.slug", max_length=64)
    zone: str | None = Field(default=None, index=True, max_length=64)
    cell: str | None = Field(default=None, max_length=64)  # finest nested area, when configured
    committee: str | None = Field(default=None, index=True, max_length=12)  # 居民区: a 居委's 12-digit code
    department: str | None = Field(default=None, foreign_key="departments.code", index=True, max_length=64)
    description: str = Field(sa_column=Column(Text, nullable=False))
    address: str | None = None
    # WGS-84 point; None only for an Open311 report that gave an address_string and no coordinates.
    lng: float | None = None
    lat: float | None = None
    original_lng: float | None = None
    original_lat: float | None = None
    original_crs: str | None = Field(default=None, max_length=16)
    locate_how: str = Field(default="inside", max_length=16)  # inside | tolerance | outside
    zone_distance_m: float = 0.0
    source: str = Field(default="api", max_length=16)  # api | open311 | web | committee (a 居委's 约请)
    media_url: str | None = None
    attributes: dict = json_field()
    reporter_id: int = Field(foreign_key="users.id", index=True)
    idempotency_key: str | None = Field(default=None, max_length=200)
    duplicate_of: int | None = Field(default=None, foreign_key="tickets.id", index=True)
    version: int = 1
    rework_count: int = 0      # 返工 (failed 核查) in the current dispatch; a new dispatch starts at 0
    supervised: bool = False   # 督办
    extension_count: int = 0   # approved 延期 in the current dispatch
    escalation_level: int = Field(default=-1, index=True)  # highest level reached this round; -1 none, 0 warning
    dispatch_round: int = 0  # how many times dispatched; each dispatch starts a fresh escalation ladder
    occurred_at: datetime | None = utc_field()
    created_at: datetime = utc_field(nullable=False, index=True)
    updated_at: datetime = utc_field(nullable=False)
    dispatched_at: datetime | None = utc_field()
    accepted_at: datetime | None = utc_field()
    resolved_at: datetime | None = utc_field()
    closed_at: datetime | None = utc_field(index=True)
    cancelled_at: datetime | None = utc_field()
    # Two deadlines (response 签收, resolve 处置完成) with the limits they were computed from.
    response_limit: str | None = None
    resolve_limit: str | None = None
    response_deadline: datetime | None = utc_field(index=True)
    resolve_deadline: datetime | None = utc_field(index=True)
    # The next escalation due for each deadline: what the sweep queries (indexed; NULL = nothing due).
    response_next_level: int | None = None
    response_next_at: datetime | None = utc_field(index=True)
    resolve_next_level: int | None = None
    resolve_next_at: datetime | None = utc_field(index=True)
    # 挂账: the status to return to and the time left on each deadline when the clock stopped.
    suspended_at: datetime | None = utc_field()
    suspended_from: str | None = None
    response_remaining: float | None = None
    resolve_remaining: float | None = None
    # 应急: the emergency the ticket is handled under (its 预案's limits and ladder apply) and that 预案's code;
    # no foreign key (emergency_tickets has it), so adding the column does not rebuild the table on SQLite
    emergency_id: int | None = Field(default=None, index=True)
    emergency_plan: str | None = Field(default=None, max_length=32)
    # 处置时长: WORKING minutes from dispatched_at to resolved_at, written with resolved_at (tickets.clock.resolve)
    # and cleared with it (返工); None while unresolved or never dispatched. The statistics sum it in SQL.
    handling_minutes: float | None = None


class TimelineEntry(SQLModel, table=True):
    """One recorded step of a ticket (留痕): who, role, when, from, to, note; append-only (dispatch.tickets.record)."""

    __tablename__ = "timeline"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    at: datetime = utc_field(nullable=False)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    actor_name: str = "system"
    actor_role: str = "system"
    action: str = Field(max_length=32)
    from_status: str | None = None
    to_status: str | None = None
    note: str | None = Field(default=None, sa_column=Column(Text))
    data: dict = json_field()
    # sha256 chained to the ticket's previous entry (dispatch.tickets.record); written once, with the row
    hash: str | None = Field(default=None, max_length=64)


class TicketDepartment(SQLModel, table=True):
    """One dispatch round (派遣) of a ticket: the department it went to, kept after the ticket leaves it.

    Written at every dispatch; a department may read (never act on) any ticket it held in a round.
    The index (department, ticket_id) answers "which tickets did this department hold" without
    reading any timeline.
    """

    __tablename__ = "ticket_departments"
    __table_args__ = (Index("ix_ticket_departments_department_ticket", "department", "ticket_id"),)
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    department: str = Field(foreign_key="departments.code", max_length=64)
    round: int  # the ticket's dispatch_round this dispatch started
    dispatched_at: datetime = utc_field(nullable=False)


class Photo(SQLModel, table=True):
    """A photo of a ticket, stored by sha256 under var/."""

    __tablename__ = "photos"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    sha256: str = Field(max_length=64, index=True)
    stage: str = Field(max_length=16)  # before | after
    content_type: str = Field(max_length=32)
    size: int
    uploaded_by: int = Field(foreign_key="users.id")
    uploaded_at: datetime = utc_field(nullable=False)


class DeadlineChange(SQLModel, table=True):
    """History of a ticket's deadlines: set at dispatch, moved by 挂账/恢复 or 延期."""

    __tablename__ = "deadline_changes"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    deadline: str = Field(max_length=16)  # response | resolve
    old_at: datetime | None = utc_field()
    new_at: datetime | None = utc_field()
    reason: str = Field(max_length=32)
    at: datetime = utc_field(nullable=False)
    actor_id: int | None = Field(default=None, foreign_key="users.id")


class ExtensionRequest(SQLModel, table=True):
    """申请延期: a department asks for more time; the command center approves or rejects."""

    __tablename__ = "extension_requests"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    amount: str  # a limit such as "2 WD"
    reason: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=16)  # pending | approved | rejected | withdrawn
    requested_by: int = Field(foreign_key="users.id")
    requested_at: datetime = utc_field(nullable=False)
    decided_by: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = utc_field()
    decision_note: str | None = None


class ReopenRequest(SQLModel, table=True):
    """回访不满意: a request to reopen a closed ticket as rework, waiting for the command center's decision.

    Made by an 不满意 follow-up visit (dispatch.followup); the actions 回访返工 (`reopen`) and 驳回返工
    (`decline_reopen`) decide it. At most one waits per ticket.
    """

    __tablename__ = "reopen_requests"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    visit_id: int | None = None  # the follow-up visit that asked for it (dispatch.followup's table)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", index=True, max_length=16)  # pending | approved | declined
    requested_by: int = Field(foreign_key="users.id")
    requested_at: datetime = utc_field(nullable=False)
    decided_by: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = utc_field()
    decision_note: str | None = None


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


class CalendarYear(SQLModel, table=True):
    """Which calendar a year's deadlines were counted with: a digest of its days off and working hours.

    When the running config's calendar gives another digest (new holiday data), the deadlines in and
    after that year are counted again (dispatch.tickets.recompute).
    """

    __tablename__ = "calendar_years"
    year: int = Field(primary_key=True)
    digest: str = Field(max_length=64)
    source: str = Field(max_length=16)  # config | chinesecalendar | provisional
    updated_at: datetime = utc_field(nullable=False)


class TicketCounter(SQLModel, table=True):
    """SQLite: the last sequence number handed out per local day, for YC-YYYYMMDD-NNNN (dispatch.tickets.service
    .take_number; PostgreSQL numbers by TicketNumberDay)."""

    __tablename__ = "ticket_counters"
    day: str = Field(primary_key=True, max_length=8)
    last: int = 0


class TicketNumberDay(SQLModel, table=True):
    """PostgreSQL: where each local day's numbers start on the tickets' id sequence — a ticket's NNNN is its id
    minus `base` (dispatch.tickets.service.take_number), so no report waits on a counter row. Written once a day."""

    __tablename__ = "ticket_number_days"
    day: str = Field(primary_key=True, max_length=8)
    base: int = Field(sa_column=Column(BigInteger, nullable=False))


class AssistTask(SQLModel, table=True):
    """吹哨报到: one assisting department's part of a joint case (协办), with its own two deadlines.

    The command center blows the whistle (吹哨) on a ticket: the ticket's department is the lead, each
    assisting department gets a task (one line) and must 报到 (check in) by `checkin_due`, then finish its
    part by `task_due`. State: pending (待报到) → checked_in (已报到) → done (已完成); closed (已关闭) by the
    command center with a reason. An open task (pending, checked_in) blocks the lead's 处置完成. Each
    deadline carries its next escalation level (`*_next_level`, `*_next_at`, indexed) for the sweep, as
    a ticket's deadlines do (dispatch.tickets.joint_clock owns these columns).
    """

    __tablename__ = "assist_tasks"
    __table_args__ = (Index("ix_assist_tasks_department_state", "department", "state"),)
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    department: str = Field(foreign_key="departments.code", max_length=64)
    task: str = Field(max_length=200)
    state: str = Field(default="pending", index=True, max_length=16)  # pending | checked_in | done | closed
    created_at: datetime = utc_field(nullable=False)
    created_by: int = Field(foreign_key="users.id")
    checkin_limit: str = Field(max_length=16)
    checkin_due: datetime = utc_field(nullable=False)
    checkin_next_level: int | None = None
    checkin_next_at: datetime | None = utc_field(index=True)
    checked_in_at: datetime | None = utc_field()
    checked_in_by: int | None = Field(default=None, foreign_key="users.id")
    task_limit: str = Field(max_length=16)
    task_due: datetime = utc_field(nullable=False)
    task_next_level: int | None = None
    task_next_at: datetime | None = utc_field(index=True)
    done_at: datetime | None = utc_field()
    done_by: int | None = Field(default=None, foreign_key="users.id")
    done_note: str | None = Field(default=None, sa_column=Column(Text))
    photo_id: int | None = Field(default=None, foreign_key="photos.id")
    closed_at: datetime | None = utc_field()
    closed_by: int | None = Field(default=None, foreign_key="users.id")
    close_reason: str | None = Field(default=None, sa_column=Column(Text))


class AssistEscalation(SQLModel, table=True):
    """A level reached by one of an assist task's deadlines (报到 or 协办); the unique key makes it happen once."""

    __tablename__ = "assist_escalations"
    __table_args__ = (UniqueConstraint("task_id", "deadline", "level", name="uq_assist_escalation_once"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="assist_tasks.id", index=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    deadline: str = Field(max_length=16)  # "checkin" | "task"
    level: int  # 0 warning (预警), 1 overdue, 2 督办, 3 leader
    due_at: datetime = utc_field(nullable=False)
    created_at: datetime = utc_field(nullable=False, index=True)
    caught_up: bool = False  # recorded late, by the first sweep after downtime
