"""The monthly 研判 and 巡查通报: build a month's report, store it once, read it back; the live hotspots.

A month is a local (Asia/Shanghai) calendar month ``YYYY-MM``, ``[1st 00:00, next 1st 00:00)``.

The report (``build``) holds
    - ``totals`` and ``groups`` (by 片区 zone, 类别 category, 部门 department — and any other grouping
      ``dispatch.stats`` offers among ``GROUPINGS``, e.g. 居民区 once tickets carry one): the evaluation
      (评价) of the tickets reported in the month, computed by ``dispatch.stats.service.summary`` — the one
      owner of every formula — as of the moment the report is made;
    - ``previous`` and ``changes``: the previous month's figures and the difference of each key figure
      (this month − previous; rates in fractions, so 0.05 is 5 percentage points). The previous month's
      figures are taken from its stored report when there is one (both then measured at the same age: on
      the first working day after their month), else computed now (``previous.source``);
    - ``bulletin`` (巡查通报): the departments' overdue and returned tickets (``dispatch.reports.bulletin``);
    - ``hotspots`` (顽症) of the month (``dispatch.reports.hotspots``: the rule and its parameters).

Stored, never recomputed (``generate``)
    A month's report is stored once (table monthly_reports, append-only). Asking again for a month that
    has one is refused (``ReportExists``) unless a new version is asked for with a reason: version 2, 3 …
    is then stored beside the earlier ones, which stay readable. Pages, API and exports read the stored
    ``data``; nothing recomputes a stored month.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dispatch.deadlines.calendar import require_aware
from dispatch.reports import bulletin
from dispatch.reports import hotspots as hotspot_rule
from dispatch.reports.models import MonthlyReport
from dispatch.stats import export as stats_export
from dispatch.stats import service as stats_service
from dispatch.street.config import StreetConfig
from dispatch.tickets.models import Status, Ticket

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# The report's groupings, in the order shown; a grouping dispatch.stats does not offer (yet) is left out.
REPORT_GROUPINGS = ("zone", "category", "department", "committee")
# Figures compared with the previous month (环比).
CHANGE_FIELDS = ("reported", "due_to_close", "closed", "close_rate", "on_time_close_rate", "handle_rate",
                 "on_time_handle_rate", "rework_rate", "composite", "avg_handling_hours")
NOT_HOTSPOT_REPORTS = (Status.duplicate, Status.cancelled)
SCHEDULER = "scheduler"


class ReportError(ValueError):
    """A month that cannot be reported (malformed, not over yet)."""


class ReportExists(Exception):
    """The month already has a stored report: making it again needs a new version and a reason."""

    def __init__(self, report: MonthlyReport):
        super().__init__(f"the report of {report.month} exists (version {report.version}, made "
                         f"{report.generated_at.isoformat()}); ask for a new version with a reason")
        self.report = report


# --- months -----------------------------------------------------------------------------------------------


def parse_month(text: str) -> date:
    """`YYYY-MM` → the month's first day; ReportError otherwise."""
    found = MONTH.match(text or "")
    if not found or not 2000 <= int(found.group(1)) <= 2100:
        raise ReportError(f"month must be YYYY-MM (2000–2100), got {text!r}")
    return date(int(found.group(1)), int(found.group(2)), 1)


def month_text(first: date) -> str:
    """The month of `first` as YYYY-MM."""
    return f"{first.year:04d}-{first.month:02d}"


def shift(first: date, months: int) -> date:
    """The first day of the month `months` after (or before) the month of `first`."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def bounds(first: date, config: StreetConfig) -> tuple[datetime, datetime]:
    """[start, end) of the local month beginning on `first`."""
    tz = config.calendar.timezone
    return (datetime.combine(first, time(0), tzinfo=tz), datetime.combine(shift(first, 1), time(0), tzinfo=tz))


def first_workday(first: date, config: StreetConfig) -> date:
    """The month's first working day (the deadlines' calendar: weekends, 法定节假日 and 调休 days)."""
    day = first
    while not config.calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def due_month(*, config: StreetConfig, now: datetime) -> date:
    """The month whose report is due at `now`: the one before the latest month whose first working day,
    at `generate_after`, has come (so after 国庆 the September report waits for the first working day)."""
    require_aware(now, "now")
    tz = config.calendar.timezone
    local = now.astimezone(tz)
    this = local.date().replace(day=1)
    hour, minute = (int(part) for part in config.reports.monthly.generate_after.split(":"))
    starts = datetime.combine(first_workday(this, config), time(hour, minute), tzinfo=tz)
    return shift(this, -1) if local >= starts else shift(this, -2)


def last_finished(*, config: StreetConfig, now: datetime) -> date:
    """The latest month that is over at `now` (the default of `report monthly`)."""
    return shift(now.astimezone(config.calendar.timezone).date().replace(day=1), -1)


# --- building --------------------------------------------------------------------------------------------


def hotspot_reports(*, session: Session, start: datetime, end: datetime) -> list[hotspot_rule.Report]:
    """The reports the hotspot rule looks at, made in [start, end): located, not duplicate or cancelled."""
    rows = session.exec(select(Ticket.id, Ticket.category, Ticket.lng, Ticket.lat, Ticket.created_at)
                        .where(Ticket.created_at >= start, Ticket.created_at < end,
                               col(Ticket.lng).is_not(None), col(Ticket.lat).is_not(None),
                               col(Ticket.status).notin_(NOT_HOTSPOT_REPORTS))).all()
    return [hotspot_rule.Report(*row) for row in rows]


def hotspots(*, session: Session, config: StreetConfig, start: datetime, end: datetime) -> list[dict]:
    """The hotspots (顽症) whose hotspot reports were made in [start, end), with their tickets, JSON-ready."""
    rule = config.reports.hotspots
    reports = hotspot_reports(session=session, start=start - hotspot_rule.lookback(rule.window_days), end=end)
    found = hotspot_rule.find(reports, radius_m=rule.radius_m, min_reports=rule.min_reports,
                              window_days=rule.window_days, start=start, end=end)
    ids = [r.id for h in found for r in h.reports]
    tickets = {t.id: t for t in session.exec(select(Ticket).where(col(Ticket.id).in_(ids)))} if ids else {}
    tz = config.calendar.timezone
    categories = config.categories
    answer = []
    for spot in found:
        members = [tickets[r.id] for r in spot.reports]
        zones = [t.zone for t in members if t.zone]
        answer.append({
            "category": spot.category,
            "category_name": categories[spot.category].name if spot.category in categories else spot.category,
            "lng": round(spot.lng, 6), "lat": round(spot.lat, 6),
            "zone": max(sorted(set(zones)), key=zones.count) if zones else None,
            "count": len(members), "peak": spot.peak,
            "first_at": members[0].created_at.astimezone(tz).isoformat(),
            "last_at": members[-1].created_at.astimezone(tz).isoformat(),
            "tickets": [{"id": t.id, "number": t.number, "status": t.status, "address": t.address,
                         "lng": t.lng, "lat": t.lat, "created_at": t.created_at.astimezone(tz).isoformat()}
                        for t in members],
        })
    return answer


def recurrence(*, session: Session, config: StreetConfig, ticket: Ticket) -> dict:
    """This report's recurrences (the hotspot rule for one report): N, whether that makes a hotspot, the others."""
    rule = config.reports.hotspots
    answer = {"count": 0, "hotspot": False, "radius_m": rule.radius_m, "window_days": rule.window_days,
              "min_reports": rule.min_reports, "others": []}
    if ticket.lng is None or ticket.lat is None or ticket.status in NOT_HOTSPOT_REPORTS:
        return answer
    from geo.distance import degree_box

    west, south, east, north = degree_box(ticket.lng, ticket.lat, rule.radius_m)
    since = ticket.created_at - hotspot_rule.lookback(rule.window_days)
    rows = session.exec(select(Ticket.id, Ticket.category, Ticket.lng, Ticket.lat, Ticket.created_at)
                        .where(Ticket.category == ticket.category, Ticket.created_at > since,
                               Ticket.created_at <= ticket.created_at, Ticket.lng >= west, Ticket.lng <= east,
                               Ticket.lat >= south, Ticket.lat <= north,
                               col(Ticket.status).notin_(NOT_HOTSPOT_REPORTS))).all()
    reports = [hotspot_rule.Report(*row) for row in rows]
    position = next(i for i, r in enumerate(reports) if r.id == ticket.id)
    found = hotspot_rule.recurrences(reports, radius_m=rule.radius_m, window_days=rule.window_days).get(position, [])
    ids = [reports[i].id for i in found if reports[i].id != ticket.id]
    tz = config.calendar.timezone
    others = sorted(session.exec(select(Ticket).where(col(Ticket.id).in_(ids))), key=lambda t: (t.created_at, t.id))
    answer.update(count=len(found), hotspot=len(found) >= rule.min_reports,
                  others=[{"id": t.id, "number": t.number, "status": t.status,
                           "created_at": t.created_at.astimezone(tz).isoformat()} for t in others])
    return answer


def _changes(current: dict, previous: dict | None) -> dict:
    """this − previous for each CHANGE_FIELDS figure (None when either is missing)."""
    result = {}
    for name in CHANGE_FIELDS:
        now_value, before = current.get(name), (previous or {}).get(name)
        result[name] = None if now_value is None or before is None else round(now_value - before, 4)
    return result


def build(*, session: Session, config: StreetConfig, month: date, now: datetime) -> dict:
    """The report of `month` as of `now` (not stored): figures, 环比, 通报, hotspots."""
    require_aware(now, "now")
    start, end = bounds(month, config)
    if end > now:
        raise ReportError(f"{month_text(month)} is not over yet (it ends {end.isoformat()})")
    tz = config.calendar.timezone
    groupings = [g for g in REPORT_GROUPINGS if g in stats_service.GROUPINGS]
    summaries = {g: stats_service.summary(session=session, config=config, now=now, start=start, end=end, group_by=g)
                 for g in groupings}
    totals = summaries[groupings[0]]["totals"]
    before = shift(month, -1)
    stored = latest(session=session, month=month_text(before))
    if stored is not None:
        previous_data = {"totals": stored.data["totals"], "groups": stored.data["groups"]}
        source = "snapshot"
    else:
        p_start, p_end = bounds(before, config)
        previous_summaries = {g: stats_service.summary(session=session, config=config, now=now, start=p_start,
                                                       end=p_end, group_by=g) for g in groupings}
        previous_data = {"totals": previous_summaries[groupings[0]]["totals"],
                         "groups": {g: s["groups"] for g, s in previous_summaries.items()}}
        source = "computed"
    groups = {}
    for g in groupings:
        earlier = {row["key"]: row for row in previous_data["groups"].get(g, [])}
        groups[g] = [{**row, "changes": _changes(row, earlier.get(row["key"]))} for row in summaries[g]["groups"]]
    overdue_rows = bulletin.overdue(session=session, start=start, end=end, tz=tz)
    returned_rows = bulletin.returned(session=session, start=start, end=end, tz=tz)
    rule = config.reports.hotspots
    return {
        "month": month_text(month),
        "from": start.isoformat(), "to": end.isoformat(),
        "generated_at": now.astimezone(tz).isoformat(),
        "groupings": groupings,
        "totals": {**totals, "changes": _changes(totals, previous_data["totals"])},
        "groups": groups,
        "previous": {"month": month_text(before), "source": source, "totals": previous_data["totals"]},
        "bulletin": {"departments": bulletin.by_department(config=config, overdue_rows=overdue_rows,
                                                           returned_rows=returned_rows),
                     "overdue": overdue_rows, "returned": returned_rows},
        "hotspots": hotspots(session=session, config=config, start=start, end=end),
        "names": {"departments": {code: d.name for code, d in config.departments.items()},
                  "categories": {slug: c.name for slug, c in config.categories.items()},
                  "zones": config.zone_names()},  # as they were called when the report was made
        "rules": {"hotspots": {"radius_m": rule.radius_m, "min_reports": rule.min_reports,
                               "window_days": rule.window_days},
                  "composite": stats_export.composite_formula(config.evaluation)},
    }


# --- storing and reading ---------------------------------------------------------------------------------


def latest(*, session: Session, month: str) -> MonthlyReport | None:
    """The newest stored version of `month`'s report, or None."""
    return session.exec(select(MonthlyReport).where(MonthlyReport.month == month)
                        .order_by(col(MonthlyReport.version).desc()).limit(1)).first()


def get(*, session: Session, month: str, version: int | None = None) -> MonthlyReport | None:
    """A stored report: `version` of `month`, or its newest."""
    if version is None:
        return latest(session=session, month=month)
    return session.exec(select(MonthlyReport).where(MonthlyReport.month == month,
                                                    MonthlyReport.version == version)).first()


def listing(*, session: Session) -> list[MonthlyReport]:
    """Every stored report, newest month first, newest version first."""
    return list(session.exec(select(MonthlyReport).order_by(col(MonthlyReport.month).desc(),
                                                           col(MonthlyReport.version).desc())))


def versions(*, session: Session, month: str) -> list[int]:
    """The stored versions of `month`, oldest first."""
    return list(session.exec(select(MonthlyReport.version).where(MonthlyReport.month == month)
                             .order_by(col(MonthlyReport.version))))


def generate(*, session: Session, config: StreetConfig, month: date, now: datetime, by: str,
             new_version: bool = False, reason: str | None = None) -> MonthlyReport:
    """Build and store `month`'s report; ReportExists if it has one and no new version (with a reason) was asked."""
    name = month_text(month)
    existing = latest(session=session, month=name)
    if existing is not None and not new_version:
        raise ReportExists(existing)
    reason = (reason or "").strip() or None
    if existing is not None and reason is None:
        raise ReportError("a new version of a stored report needs a reason")
    data = build(session=session, config=config, month=month, now=now)
    version = (existing.version + 1) if existing is not None else 1
    data["version"] = version
    report = MonthlyReport(month=name, version=version, generated_at=now, generated_by=by[:64], reason=reason,
                           data=data)
    session.add(report)
    try:
        session.commit()
    except IntegrityError:  # another process stored the same version meanwhile (two schedulers)
        session.rollback()
        raise ReportExists(latest(session=session, month=name)) from None
    session.refresh(report)
    return report


def summary_line(report: MonthlyReport) -> dict:
    """A stored report as one row of the list (the page and GET /reports/monthly)."""
    data = report.data
    totals = data["totals"]
    return {"month": report.month, "version": report.version, "generated_at": data["generated_at"],
            "generated_by": report.generated_by, "reason": report.reason,
            "reported": totals["reported"], "composite": totals["composite"],
            "close_rate": totals["close_rate"], "overdue": len(data["bulletin"]["overdue"]),
            "returned": len(data["bulletin"]["returned"]), "hotspots": len(data["hotspots"])}
