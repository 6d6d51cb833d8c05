"""The shapes of evaluations (评价) and 复核 requests over the API (also their OpenAPI schemas)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dispatch.query import QueryModel

GradeText = Literal["satisfied", "basically_satisfied", "dissatisfied"]


class EvaluationCreate(BaseModel):
    """POST /api/v1/tickets/{id}/evaluation body: the 居委's evaluation of a closed ticket of its 居民区."""

    model_config = ConfigDict(extra="forbid", strict=True)
    responsiveness: GradeText = Field(description="响应度: satisfied 满意 | basically_satisfied 基本满意 | "
                                                  "dissatisfied 不满意")
    handling: GradeText = Field(description="处置: satisfied 满意 | basically_satisfied 基本满意 | dissatisfied 不满意")
    note: str | None = Field(None, max_length=2000, description="optional; with an 不满意 处置 it opens a 复核 "
                                                               "request to the command center")


class EvaluationPublic(BaseModel):
    id: int
    ticket_id: int
    committee: str
    committee_name: str | None
    department: str | None
    responsiveness: GradeText
    handling: GradeText
    note: str | None
    evaluator: str
    at: datetime


class ReviewPublic(BaseModel):
    """复核: an 不满意 处置 with a note, waiting for (or decided by) the command center."""

    id: int
    ticket_id: int
    ticket_number: str | None = None
    committee: str
    committee_name: str | None
    department: str | None = None
    department_name: str | None = None
    note: str
    status: Literal["pending", "rework", "dismissed"]
    requested_at: datetime
    decided_at: datetime | None
    decision_reason: str | None


class TicketEvaluation(BaseModel):
    """GET /api/v1/tickets/{id}/evaluation: the evaluation state of one ticket."""

    ticket_id: int
    committee: str | None
    state: Literal["awaiting", "evaluated", "unevaluated", "not_due"] = Field(
        description="awaiting: closed, inside the window; evaluated; unevaluated (未评价): the window passed "
                    "without one; not_due: not closed, or no 居民区")
    window_ends_at: datetime | None = Field(description="committee_window (config/evaluation.toml) after 结案")
    remaining_minutes: float | None = Field(description="left in the window (working minutes for WH/WD); < 0 passed")
    may_evaluate: bool = Field(description="the caller may evaluate it now")
    evaluation: EvaluationPublic | None
    review: ReviewPublic | None = Field(description="its latest 复核 request, if any")


class EvaluationResult(BaseModel):
    evaluation: EvaluationPublic
    review: ReviewPublic | None


class AwaitingTicket(BaseModel):
    id: int
    number: str
    category_name: str
    department_name: str | None
    description: str
    address: str | None
    source: str
    closed_at: datetime
    window_ends_at: datetime
    remaining_minutes: float


class AwaitingList(BaseModel):
    """GET /api/v1/evaluations/pending: what awaits the 居委's evaluation, the window closing soonest first."""

    data: list[AwaitingTicket]
    count: int
    window: str = Field(description="committee_window, e.g. 5 WD")


class ReviewsQuery(QueryModel):
    """?status= of GET /api/v1/reviews."""

    status: Literal["pending", "rework", "dismissed", "all"] = Field(
        "pending", description="pending (default), rework, dismissed, or all")


class ReviewsList(BaseModel):
    data: list[ReviewPublic]
    count: int


class ReviewDecision(BaseModel):
    """POST /api/v1/reviews/{id}/decision body: send the ticket back to rework, or dismiss the request."""

    model_config = ConfigDict(extra="forbid", strict=True)
    decision: Literal["rework", "dismiss"] = Field(description="rework: 复核返工 (closed → in_progress, the same "
                                                              "department); dismiss: 驳回复核")
    reason: str = Field(min_length=1, max_length=2000, description="why (on the timeline)")
    version: int | None = Field(None, ge=1, description="the ticket version you saw; 409 if it changed")


class ReviewDecided(BaseModel):
    review: ReviewPublic
