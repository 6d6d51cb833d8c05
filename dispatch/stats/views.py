"""GET /api/v1/stats (评价, JSON / xlsx / csv) and GET /api/v1/stats/trend over HTTP."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, Response, current_app, jsonify

from dispatch import clock, db
from dispatch.auth import require_user, roles_required
from dispatch.cockpit import snapshot as cockpit_snapshot
from dispatch.errors import ApiError
from dispatch.query import YearOutOfRange, parse_date_time, parse_query
from dispatch.stats import export
from dispatch.stats import service as stats_service
from dispatch.stats.schemas import StatsQuery, StatsReport, TrendQuery, TrendReport
from dispatch.users.models import Role, User

bp = Blueprint("stats", __name__, url_prefix="/api/v1")

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100  # outside this, a bound is a typo (and would overflow)


def _invalid(message: str) -> ApiError:
    return ApiError(400, "invalid_parameter", message)


def _period_bound(name: str, raw: str | None, *, end_of_day: bool) -> datetime | None:
    """`YYYY-MM-DD` (a local day: its start, or for `to` its end) or an ISO-8601 date-time, in UTC."""
    if not raw:
        return None
    tz = current_app.extensions["street_config"].calendar.timezone
    try:
        return parse_date_time(raw, tz, end_of_day=end_of_day, years=(EARLIEST_YEAR, LATEST_YEAR))
    except YearOutOfRange as exc:
        raise _invalid(f"{name}: {exc}") from None
    except ValueError:
        raise _invalid(f"{name} must be a date YYYY-MM-DD or an ISO-8601 date-time") from None


def period(query: StatsQuery, now: datetime) -> tuple[datetime, datetime]:
    """[from, to) of the query; by default the last 30 days up to now. A date `to` includes that day."""
    start = _period_bound("from", query.from_, end_of_day=False)
    end = _period_bound("to", query.to, end_of_day=True)
    if end is None:
        end = now if start is None or start < now else start + stats_service.DEFAULT_PERIOD
    if start is None:
        start = end - stats_service.DEFAULT_PERIOD
    if end <= start:
        raise _invalid("to must be after from")
    return start, end


def _department_scope(user: User, asked: str | None) -> str | None:
    """The department to count: a department user's own only; the command center and admins any or all."""
    if asked is not None and asked not in current_app.extensions["street_config"].departments:
        raise _invalid(f"unknown department {asked!r}")
    if user.role == Role.department:
        if not user.department:
            raise ApiError(403, "forbidden", "this department user has no department")
        if asked not in (None, user.department):
            raise ApiError(403, "forbidden", "a department sees its own figures only")
        return user.department
    return asked


def _zone(zone: str | None) -> str | None:
    """The zone asked for, if it is one of the street's zones (片区)."""
    zones = tuple(current_app.extensions["street_config"].zone_names())
    if zone is not None and zone not in zones:
        raise _invalid(f"zone must be one of {', '.join(zones)}")
    return zone


@bp.get("/stats")
@roles_required(Role.command, Role.admin, Role.department)
def get_stats():
    """The evaluation (评价): ?from=&to=&group_by=department|zone|category&zone=&format=json|xlsx|csv"""
    query = parse_query(StatsQuery)
    zone = _zone(query.zone)
    now = clock.now()
    start, end = period(query, now)
    config = current_app.extensions["street_config"]
    group_by = None if query.group_by == "none" else query.group_by
    department = _department_scope(require_user(), query.department)
    summary = None
    if query.from_ is None and query.to is None and group_by is None and department is None:
        # the default parameters: the cockpit's shared snapshot holds these very figures while it is current
        summary = cockpit_snapshot.current_stats(
            session=db.session(), config=config, now=now, zone=zone,
            interval=current_app.config.get("COCKPIT_SNAPSHOT_SECONDS", cockpit_snapshot.DEFAULT_INTERVAL))
    if summary is None:
        summary = stats_service.summary(session=db.session(), config=config, now=now, start=start, end=end,
                                        group_by=group_by, department=department, zone=zone)
    report = StatsReport.model_validate(summary).model_dump(mode="json")  # exactly what the document says
    fmt = query.format
    if fmt == "json":
        return jsonify(report)
    tz = config.calendar.timezone
    last_day = (end - timedelta(microseconds=1)).astimezone(tz)
    filename = f"yichuan-stats-{start.astimezone(tz):%Y%m%d}-{last_day:%Y%m%d}.{fmt}"
    if fmt == "xlsx":  # its 说明 sheet states the 综合指标 formula with the street's weights
        body, content_type = export.to_xlsx(report, evaluation=config.evaluation), export.XLSX_MIMETYPE
    else:
        body, content_type = export.to_csv(report), export.CSV_MIMETYPE
    return Response(body, content_type=content_type,  # as is: `mimetype=` would add a second charset
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/stats/trend")
@roles_required(Role.command, Role.admin, Role.department)
def get_trend():
    """Reported and closed tickets per local day: ?days=30 (1–366)&zone=, oldest first, today last."""
    query = parse_query(TrendQuery)
    zone = _zone(query.zone)
    now = clock.now()
    config = current_app.extensions["street_config"]
    data = stats_service.trend(session=db.session(), config=config, now=now, days=query.days,
                               department=_department_scope(require_user(), query.department), zone=zone)
    report = TrendReport(days=query.days, data=data, generated_at=now.astimezone(config.calendar.timezone))
    return jsonify(report.model_dump(mode="json"))
