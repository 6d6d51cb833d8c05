"""Shapes of the follow-up visits (回访) over HTTP: what the routes accept and answer (also their OpenAPI schema)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from dispatch.followup.service import STATES
from dispatch.query import QueryModel, Refusal

RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")


class FollowupsQuery(QueryModel):
    """?state=&zone= of GET /api/v1/followups."""

    state: Annotated[Literal[STATES], Refusal("invalid_filter", f"state must be one of {', '.join(STATES)}")] = Field(
        "due", description="due: not yet visited (soonest due first); overdue: not visited and past due; done: "
                           "visited (latest first); all")
    zone: str | None = Field(None, description="only this 片区's 回访 (an inspector sees its own zone's only)")


class VisitRequest(BaseModel):
    """POST /api/v1/followups/{id}/visit body: the 回访 as it went."""

    model_config = ConfigDict(extra="forbid", strict=True)
    reached: bool = Field(description="true: someone was reached (联系上); false: 未联系上")
    rating: Literal[RATINGS] | None = Field(None, description="required when reached, absent when not: 满意 "
                                            "(satisfied), 基本满意 (basically_satisfied), 不满意 (dissatisfied)")
    note: str | None = Field(None, max_length=2000, description="what was said; required with dissatisfied (it "
                                                              "becomes the reopen request's reason)")


class VisitPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_role: str
    reached: bool
    rating: str | None
    note: str | None


class FollowupPublic(BaseModel):
    """One 回访: the closed ticket, when it is due, how much time is left, and the visit once recorded."""

    id: int
    ticket_id: int
    number: str
    status: str = Field(description="the ticket's status now (closed; in_progress after an approved 回访返工)")
    category: str
    category_name: str
    description: str
    address: str | None
    zone: str | None
    zone_name: str | None
    department: str | None
    department_name: str | None
    source: str
    closure: int = Field(description="which closing of the ticket it follows (1 the first)")
    reason: Literal["source", "sample", "reopened"] = Field(
        description="source: its source is always visited; sample: drawn by its source's rate; reopened: "
                    "visited again after a 回访返工")
    opened_at: datetime = Field(description="the closing")
    due_at: datetime
    limit: str
    remaining_minutes: float | None = Field(description="until due, in the limit's measure (working minutes for "
                                                        "WH/WD); < 0 overdue; null once visited")
    overdue: bool
    escalation_level: int = Field(description="the highest ladder level reached (-1 none, 0 预警, 1 超期 …)")
    done_at: datetime | None
    visit: VisitPublic | None
    reopen_request: str | None = Field(description="an 不满意 visit's request: pending, approved or declined")


class FollowupsPage(BaseModel):
    data: list[FollowupPublic]
    count: int = Field(description="how many there are in all (data holds at most 200)")


class VisitRecorded(BaseModel):
    followup: FollowupPublic


class TicketFollowups(BaseModel):
    data: list[FollowupPublic]


class ReopenRequestPublic(BaseModel):
    """An 不满意 回访's request to reopen the ticket as rework, waiting for the command center."""

    id: int
    ticket_id: int
    number: str
    category_name: str
    zone_name: str | None
    department_name: str | None
    reason: str
    requested_at: datetime
    requested_by: str
    visit_id: int | None


class ReopenRequestsPage(BaseModel):
    data: list[ReopenRequestPublic]
    count: int
