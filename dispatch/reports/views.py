"""The monthly reports and the hotspots over HTTP (/api/v1/reports/monthly…, /api/v1/hotspots, …/recurrence)."""
from __future__ import annotations

import re
from datetime import timedelta

from flask import Blueprint, Response, current_app, jsonify

from dispatch import clock, db
from dispatch.auth import require_user, roles_required
from dispatch.errors import ApiError
from dispatch.query import parse_query
from dispatch.reports import export, service
from dispatch.reports.schemas import (MONTH_PATTERN, HotspotsLive, MonthlyReportCreate, MonthlyReportLine,
                                      MonthlyReportPublic, MonthlyReportQuery, MonthlyReportsList, Recurrence)
from dispatch.stats.export import XLSX_MIMETYPE
from dispatch.tickets import visibility
from dispatch.users.models import Role
from dispatch.validation import parse_json

bp = Blueprint("reports", __name__, url_prefix="/api/v1")

REPORT_ROLES = (Role.command, Role.admin)


def _config():
    return current_app.extensions["street_config"]


def public(report, *, session) -> dict:
    """A stored report as GET /reports/monthly/{month} answers it."""
    return MonthlyReportPublic(month=report.month, version=report.version,
                               versions=service.versions(session=session, month=report.month),
                               generated_at=report.data["generated_at"], generated_by=report.generated_by,
                               reason=report.reason, report=report.data).model_dump(mode="json")


@bp.get("/reports/monthly")
@roles_required(*REPORT_ROLES)
def list_reports():
    """Every stored monthly report, newest month first, with the month due now."""
    session, config = db.session(), _config()
    lines = [MonthlyReportLine(**service.summary_line(r)) for r in service.listing(session=session)]
    due = service.month_text(service.due_month(config=config, now=clock.now()))
    return jsonify(MonthlyReportsList(data=lines, count=len(lines), due=due).model_dump(mode="json"))


@bp.post("/reports/monthly")
@roles_required(*REPORT_ROLES)
def create_report():
    """Make and store a month's report now; 409 report_exists when it has one and no new version was asked."""
    body = parse_json(MonthlyReportCreate)
    session, config, user = db.session(), _config(), require_user()
    try:
        report = service.generate(session=session, config=config, month=service.parse_month(body.month),
                                  now=clock.now(), by=user.username, new_version=body.new_version,
                                  reason=body.reason)
    except service.ReportExists as exc:
        raise ApiError(409, "report_exists", str(exc), version=exc.report.version) from None
    except service.ReportError as exc:
        raise ApiError(400, "invalid_month", str(exc)) from None
    return jsonify(public(report, session=session)), 201


@bp.get("/reports/monthly/<month>")
@roles_required(*REPORT_ROLES)
def get_report(month: str):
    """A stored report (?version=, default the newest) as JSON or xlsx (?format=xlsx)."""
    if not re.fullmatch(MONTH_PATTERN, month):
        raise ApiError(400, "invalid_month", "month must be YYYY-MM")
    query = parse_query(MonthlyReportQuery)
    session = db.session()
    report = service.get(session=session, month=month, version=query.version)
    if report is None:
        raise ApiError(404, "not_found", f"no stored report of {month}"
                       + (f" version {query.version}" if query.version else ""))
    if query.format == "xlsx":
        filename = f"yichuan-monthly-{report.month}-v{report.version}.xlsx"
        return Response(export.to_xlsx(report.data), content_type=XLSX_MIMETYPE,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return jsonify(public(report, session=session))


@bp.get("/hotspots")
@roles_required(*REPORT_ROLES)
def live_hotspots():
    """The hotspots (顽症) now: those with a hotspot report in the last window_days days."""
    session, config, now = db.session(), _config(), clock.now()
    rule = config.reports.hotspots
    start = now - timedelta(days=rule.window_days)
    data = service.hotspots(session=session, config=config, start=start, end=now + timedelta(microseconds=1))
    tz = config.calendar.timezone
    answer = HotspotsLive(radius_m=rule.radius_m, min_reports=rule.min_reports, window_days=rule.window_days,
                          from_=start.astimezone(tz).isoformat(), to=now.astimezone(tz).isoformat(), data=data)
    return jsonify(answer.model_dump(mode="json", by_alias=True))


@bp.get("/tickets/<int:ticket_id>/recurrence")
@roles_required(Role.inspector, Role.department, Role.command, Role.admin)
def ticket_recurrence(ticket_id: int):
    """此处 30 天内第 N 次上报: this report's recurrences (the hotspot rule), to whoever may read the ticket."""
    session, user = db.session(), require_user()
    ticket = visibility.readable(session=session, ticket_id=ticket_id, user=user)
    if ticket is None:
        raise ApiError(404, "not_found", "no such ticket")
    found = service.recurrence(session=session, config=_config(), ticket=ticket)
    for other in found["others"]:
        seen = visibility.readable(session=session, ticket_id=other["id"], user=user)
        other["visible"] = seen is not None
    return jsonify(Recurrence(**found).model_dump(mode="json"))
