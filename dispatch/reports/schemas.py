"""Shapes of the monthly reports and hotspots over HTTP; the OpenAPI document is generated from them."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from dispatch.query import QueryModel, Refusal

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
FORMATS = ("json", "xlsx")


class MonthlyReportCreate(BaseModel):
    """POST /api/v1/reports/monthly: make and store a month's report now."""

    model_config = ConfigDict(extra="forbid", strict=True)
    month: str = Field(pattern=MONTH_PATTERN, description="YYYY-MM, a month that is over")
    new_version: bool = Field(False, description="the month has a report: store a new version beside it")
    reason: str | None = Field(None, max_length=500, description="why a new version is made (required with it)")


class MonthlyReportQuery(QueryModel):
    """?version=&format= of GET /api/v1/reports/monthly/{month}."""

    version: Annotated[int | None, Field(ge=1, le=10000),
                       Refusal("invalid_parameter", "version must be a whole number from 1")] = Field(
        None, description="a stored version (default: the newest)")
    format: Annotated[Literal[FORMATS], Refusal("invalid_parameter", "format must be json or xlsx")] = Field(
        "json", description="json, or xlsx: the report as a workbook (sheets 总体, 片区, 类别, 部门, 通报, 顽症, 说明)")


class MonthlyReportLine(BaseModel):
    """One stored report in the list."""

    month: str
    version: int
    generated_at: str
    generated_by: str
    reason: str | None
    reported: int
    composite: float | None
    close_rate: float | None
    overdue: int = Field(description="超期 deadlines on the 通报 list")
    returned: int = Field(description="退单 steps on the 通报 list")
    hotspots: int = Field(description="顽症 of the month")


class MonthlyReportsList(BaseModel):
    """GET /api/v1/reports/monthly: every stored report, newest month first."""

    data: list[MonthlyReportLine]
    count: int
    due: str = Field(description="the month whose report is due now (made by the scheduler)")


class MonthlyReportPublic(BaseModel):
    """A stored report: as it was generated (the figures of docs/stats.md, 环比, 通报, 顽症)."""

    month: str
    version: int
    versions: list[int] = Field(description="every stored version of the month")
    generated_at: str
    generated_by: str
    reason: str | None
    report: dict = Field(description="the snapshot: totals, groups, previous, bulletin, hotspots, rules")


class HotspotTicket(BaseModel):
    id: int
    number: str
    status: str
    address: str | None
    lng: float | None
    lat: float | None
    created_at: str


class HotspotPublic(BaseModel):
    """A recurring hotspot (顽症): the same category reported again and again within the radius."""

    category: str
    category_name: str
    lng: float
    lat: float
    zone: str | None
    count: int
    peak: int = Field(description="the highest N of its reports (此处 30 天内第 N 次上报)")
    first_at: str
    last_at: str
    tickets: list[HotspotTicket]


class HotspotsLive(BaseModel):
    """GET /api/v1/hotspots: the hotspots of the last `window_days` days."""

    radius_m: float
    min_reports: int
    window_days: int
    from_: str = Field(alias="from")
    to: str
    data: list[HotspotPublic]

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class RecurrenceOther(BaseModel):
    id: int
    number: str
    status: str
    created_at: str
    visible: bool = Field(description="whether you may open it")


class Recurrence(BaseModel):
    """GET /api/v1/tickets/{id}/recurrence: the hotspot rule for one report."""

    count: int = Field(description="N: reports of this category here within window_days up to this one, "
                                   "itself included")
    hotspot: bool = Field(description="N ≥ min_reports")
    radius_m: float
    window_days: int
    min_reports: int
    others: list[RecurrenceOther]
