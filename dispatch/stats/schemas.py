"""Shapes of the evaluation (评价) over HTTP: what GET /api/v1/stats and /stats/trend accept and answer.

The views validate their query strings with `StatsQuery`/`TrendQuery` and serialize through
`StatsReport`/`TrendReport`; the OpenAPI document is generated from these same models.
The figures are defined in dispatch/stats/service.py (docs/stats.md).
"""
from __future__ import annotations

from datetime import date, datetime  # noqa: F401  (date: a pydantic annotation, resolved at runtime)
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from dispatch.query import QueryModel, Refusal
from dispatch.stats.service import GROUPINGS, MAX_TREND_DAYS

GROUP_BY = (*GROUPINGS, "none")
FORMATS = ("json", "xlsx", "csv")
ZONE_DESCRIPTION = "only this zone's (片区) tickets: a zone code"
DEPARTMENT_DESCRIPTION = ("only this department's tickets (a department code); a department user may give only "
                          "its own, and gets its own without it")


def _invalid(message: str, out_of_range: str | None = None) -> Refusal:
    return Refusal("invalid_parameter", message, out_of_range)


# --- query strings ---------------------------------------------------------------------------------


class StatsQuery(QueryModel):
    """?from=&to=&group_by=&zone=&format= of GET /api/v1/stats (the zone is checked against the street's)."""

    from_: str | None = Field(None, alias="from",
                              description="start: a local day YYYY-MM-DD or an ISO-8601 date-time (without "
                                          "offset: Asia/Shanghai); default 30 days before `to`")
    to: str | None = Field(None, description="end, excluded; a day YYYY-MM-DD includes that day; default now")
    group_by: Annotated[Literal[GROUP_BY] | None, _invalid(f"group_by must be one of {', '.join(GROUP_BY)}")] = (
        Field(None, description="groups besides the totals; none (the default): totals only"))
    zone: str | None = Field(None, description=ZONE_DESCRIPTION)
    department: str | None = Field(None, description=DEPARTMENT_DESCRIPTION)
    format: Annotated[Literal[FORMATS], _invalid(f"format must be one of {', '.join(FORMATS)}")] = Field(
        "json", description="json, or a download: xlsx (sheets 评价 and 说明) or csv (UTF-8 with BOM)")


class TrendQuery(QueryModel):
    """?days=&zone= of GET /api/v1/stats/trend."""

    days: Annotated[int, Field(ge=1, le=MAX_TREND_DAYS),
                    _invalid("days must be an integer", f"days must be between 1 and {MAX_TREND_DAYS}")] = Field(
        30, description="how many local days, today the last")
    zone: str | None = Field(None, description=ZONE_DESCRIPTION)
    department: str | None = Field(None, description=DEPARTMENT_DESCRIPTION)


# --- answers ---------------------------------------------------------------------------------------


class StatsFigures(BaseModel):
    """The figures of one group (or of the totals): period counts, rates, composite, snapshot at now.

    A rate is null when its denominator is 0 (nothing was due is not 0 %).
    """

    reported: int = Field(description="上报数: reported in the period, duplicates excluded")
    duplicates: int = Field(description="重复上报: reports linked to another ticket")
    due_to_close: int = Field(description="应结案数")
    closed: int = Field(description="结案数")
    closed_on_time: int = Field(description="按期结案数")
    due_to_handle: int = Field(description="应处置数")
    handled: int = Field(description="处置数")
    handled_on_time: int = Field(description="按期处置数")
    rework: int = Field(description="返工数: tickets that had rework")
    extended: int = Field(description="延期数: tickets with an approved extension")
    supervised: int = Field(description="督办数")
    followups_due: int = Field(description="应回访数: 回访 of the period's tickets due by now or done")
    followups_done: int = Field(description="已回访数: 回访 recorded (reached or 未联系上)")
    followups_reached: int = Field(description="联系上数: visits that reached someone")
    followups_satisfied: int = Field(description="满意数: visits rated 满意 or 基本满意")
    followups_dissatisfied: int = Field(description="不满意数: visits rated 不满意")
    open: int = Field(description="open now (snapshot over all tickets)")
    overdue: int = Field(description="past a deadline now (snapshot)")
    pending_dispatch: int = Field(description="waiting for the command center now (待派遣, snapshot)")
    reported_today: int = Field(description="reported on the local day of now")
    closed_today: int = Field(description="closed on the local day of now")
    evaluated: int = Field(0, description="已评价: tickets of the period a 居委 evaluated")
    unevaluated: int = Field(0, description="未评价: closed tickets with a 居民区 whose evaluation window passed unused")
    responsiveness_satisfied: int = Field(0, description="evaluations whose 响应度 is 满意 or 基本满意")
    handling_satisfied: int = Field(0, description="evaluations whose 处置 is 满意 or 基本满意")
    reviews_open: int = Field(0, description="待复核: 复核 requests waiting for the command center now (snapshot)")
    assists: int = Field(0, description="协办任务数: assist tasks (吹哨报到) given in the period — for a department "
                         "group: its tasks as an assisting department")
    due_to_check_in: int = Field(0, description="应报到数: assists whose 报到 deadline passed or that checked in")
    checked_in: int = Field(0, description="报到数")
    checked_in_on_time: int = Field(0, description="按时报到数: checked in by the 报到 deadline")
    due_to_finish: int = Field(0, description="应完成数: assists whose task deadline passed or that are done")
    finished_on_time: int = Field(0, description="按期完成数: assist tasks done by their deadline")
    checkin_rate: float | None = Field(None, description="报到率 = 报到数 / 应报到数")
    on_time_checkin_rate: float | None = Field(None, description="按时报到率 = 按时报到数 / 应报到数")
    on_time_assist_rate: float | None = Field(None, description="协办按期完成率 = 按期完成数 / 应完成数")
    close_rate: float | None = Field(description="结案率 = 结案数 / 应结案数")
    on_time_close_rate: float | None = Field(description="按期结案率 = 按期结案数 / 应结案数")
    handle_rate: float | None = Field(description="处置率 = 处置数 / 应处置数")
    on_time_handle_rate: float | None = Field(description="按期处置率 = 按期处置数 / 应处置数")
    rework_rate: float | None = Field(description="返工率 = 返工数 / 应结案数")
    extension_rate: float | None = Field(description="延期率 = 延期数 / 应处置数")
    responsiveness_satisfied_rate: float | None = Field(None, description="响应度满意率 = (满意 + 基本满意) / 已评价")
    handling_satisfied_rate: float | None = Field(None, description="处置满意率 = (满意 + 基本满意) / 已评价")
    followup_rate: float | None = Field(description="回访率 = 已回访数 / 应回访数")
    satisfaction_rate: float | None = Field(description="满意率 = 满意数 (满意 + 基本满意) / 联系上数")
    supervision_points: float = Field(description="督办分: the 督办 part of the composite, 0 to supervision.points "
                                                  "(config/evaluation.toml; 10 as shipped)")
    composite: float | None = Field(description="综合指标 (0–100); null when nothing fell due")
    evaluation_score: float | None = Field(None, description="居委评价分 (0–100): the mean points of the 居委's "
                                                            "evaluations (config/evaluation.toml [committee]); "
                                                            "null when none")
    ranking_score: float | None = Field(None, description="排名分 = 综合指标 × (100 − w)/100 + 居委评价分 × w/100 "
                                                         "(w = committee.weight); 综合指标 without evaluations")
    avg_handling_hours: float | None = Field(description="平均处置时长: mean working hours dispatch → resolution")


class StatsGroup(StatsFigures):
    """One department, zone, category or 居民区; key null gathers the tickets without one (未派遣 / 片区外 / 无居民区)."""

    key: str | None
    name: str


class StatsReport(BaseModel):
    """The evaluation (评价) of the tickets reported in [from, to), in total and per group."""

    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True, validate_by_alias=True)

    from_: datetime = Field(alias="from", description="start of the period, on the street's clock")
    to: datetime = Field(description="end of the period (excluded)")
    group_by: Literal[GROUPINGS] | None
    department: str | None = Field(description="set when a department user sees its own department only")
    zone: str | None
    totals: StatsFigures
    groups: list[StatsGroup] = Field(description="by department: ranked by 排名分 (ranking_score), best first; else "
                                                 "config order")
    generated_at: datetime


class TrendPoint(BaseModel):
    """One local day: tickets reported (duplicates excluded) and closed that day."""

    date: date
    reported: int
    closed: int


class TrendReport(BaseModel):
    """Reported and closed tickets per local day, oldest first, today last."""

    days: int
    data: list[TrendPoint]
    generated_at: datetime
