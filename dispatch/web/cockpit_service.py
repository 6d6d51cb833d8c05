"""Command-center cockpit (驾驶舱) data: everything the big screen draws, as one feed.

The figures come from the stats module (``summary``/``trend``, the formulas of docs/domain.md "Evaluation") over
the same default period as ``GET /api/v1/stats`` (the last 30 days up to now), so the screen and the API
always agree. ``version`` changes exactly when something drawn changes. A zone filter is passed to the stats
functions (their ``zone=`` scope) and to every list and point. No Flask here: the session, the street config
and ``now`` are passed in.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlmodel import Session

from dispatch.evaluation import service as evaluation_service
from dispatch.emergency import service as emergency_service
from dispatch.emergency.serialize import emergency_public, plan_public
from dispatch.stats import service as stats_service
from dispatch.stats.service import DEFAULT_PERIOD
from dispatch.street.config import StreetConfig
from dispatch.tickets import clock
from dispatch.tickets import queues as ticket_queues
from dispatch.tickets.clock import KIND_LABELS
from dispatch.tickets.models import Ticket
from dispatch.tickets.serialize import assist_public
from dispatch.web import desk_service

TREND_DAYS = 30
MAX_POINTS = 2000
MAX_LIST = 50
MAX_ESCALATIONS = 20
KPI_FIELDS = ("reported_today", "closed_today", "open", "overdue", "pending_dispatch", "on_time_close_rate",
              "close_rate", "rework_rate", "avg_handling_hours", "due_to_close", "closed", "reported")


def banner(*, session: Session, config: StreetConfig, now: datetime) -> dict | None:
    """The provisional-deadline notice: the years (this one, the next) with no official holiday schedule yet and
    how many open tickets hold a deadline counted over them (预计); None while no ticket holds one."""
    calendar = config.calendar
    year = now.astimezone(calendar.timezone).year
    years = [y for y in (year, year + 1) if calendar.source(y) == "provisional"]
    if not years:
        return None
    since = datetime(years[0], 1, 1, tzinfo=calendar.timezone)
    count = ticket_queues.provisional_count(session=session, since=since)
    if not count:
        return None
    names = "、".join(f"{y}年" for y in years)
    return {"missing_years": years, "provisional_tickets": count,
            "text": f"{names}节假日尚无官方安排：{count} 张在办工单的时限为预计（按放假办法推算，未含调休），"
                    "补充日历后自动重算"}


def zone_names(*, config: StreetConfig) -> dict[str, str]:
    """The street's zones (片区), code → name: the cockpit's zone filter takes only these."""
    return config.zone_names()


def _committee_name(config: StreetConfig, code: str | None) -> str | None:
    committee = config.committees.by_code.get(code) if code else None
    return committee.name if committee else None


COMMITTEE_FIELDS = ("reported", "closed", "evaluated", "unevaluated", "responsiveness_satisfied_rate",
                    "handling_satisfied_rate", "reviews_open")


def committee_rows(by_committee: dict, *, config: StreetConfig, zone: str | None) -> list[dict]:
    """The per-居委 table: each 居民区 (of `zone`, when one is chosen) with its tickets, 结案, 已评价/未评价,
    the 满意率 of 响应度 and 处置 and its open 复核 requests, in config order."""
    codes = {c.code for c in (config.committees.in_zone(zone) if zone else config.committees.by_code.values())}
    return _chart_rows([g for g in by_committee["groups"] if g["key"] in codes], COMMITTEE_FIELDS)


def _brief(ticket: Ticket, *, config: StreetConfig, now: datetime) -> dict:
    category = config.categories.get(ticket.category)
    department = config.departments.get(ticket.department) if ticket.department else None
    return {"id": ticket.id, "number": ticket.number, "status": ticket.status, "version": ticket.version,
            "category": ticket.category, "category_name": category.name if category else ticket.category,
            "zone": ticket.zone, "zone_name": zone_names(config=config).get(ticket.zone) if ticket.zone else None,
            "department": ticket.department, "department_name": department.name if department else None,
            "committee": ticket.committee, "committee_name": _committee_name(config, ticket.committee),
            "source": ticket.source,  # "committee": an 约请, labelled so
            "description": ticket.description, "address": ticket.address,
            "created_at": ticket.created_at.isoformat(), "supervised": ticket.supervised,
            "escalation_level": ticket.escalation_level,
            "state": clock.state(ticket, now=now, config=config)}


def _findable(ticket: Ticket, *, config: StreetConfig) -> dict:
    """What the cockpit's list filter matches an escalation row by (its ticket's words, category and status)."""
    category = config.categories.get(ticket.category)
    return {"category_name": category.name if category else ticket.category, "status": ticket.status,
            "zone_name": zone_names(config=config).get(ticket.zone) if ticket.zone else None,
            "address": ticket.address, "description": ticket.description}


def points(*, session: Session, config: StreetConfig, now: datetime, zone: str | None) -> list[dict]:
    """Open tickets with a location, newest first, each with its map state (normal/warning/overdue/supervised)."""
    found = []
    for t in ticket_queues.open_located(session=session, zone=zone, limit=MAX_POINTS):
        state = "supervised" if t.supervised else clock.state(t, now=now, config=config)
        category = config.categories.get(t.category)
        found.append({"id": t.id, "number": t.number, "lng": t.lng, "lat": t.lat, "state": state,
                      "status": t.status, "zone": t.zone,
                      "category_name": category.name if category else t.category})
    return found


def pending_dispatch(*, session: Session, config: StreetConfig, now: datetime, zone: str | None) -> list[dict]:
    """Tickets waiting for the command center to dispatch (待派遣), oldest first; one a department sent back
    carries `returned` (who, which department, why, when), so it is not taken for a new report."""
    tickets = ticket_queues.awaiting_dispatch(session=session, zone=zone, limit=MAX_LIST)
    returns = ticket_queues.returns_awaiting(session=session, ticket_ids=[t.id for t in tickets])
    rows = []
    for t in tickets:
        row = _brief(t, config=config, now=now)
        entry = returns.get(t.id)
        row["returned"] = None if entry is None else desk_service.return_public(entry, config=config)
        rows.append(row)
    return rows


def supervised(*, session: Session, config: StreetConfig, now: datetime, zone: str | None) -> list[dict]:
    """Open tickets flagged 督办, most recently changed first."""
    return [_brief(t, config=config, now=now)
            for t in ticket_queues.supervised_open(session=session, zone=zone, limit=MAX_LIST)]


def joint_cases(*, session: Session, config: StreetConfig, now: datetime, zone: str | None) -> list[dict]:
    """Open joint cases (吹哨报到): each ticket with its lead and every assisting department — checked in or not,
    done, closed, and late (a running 报到 or task deadline past, or met after it)."""
    found = []
    for ticket, tasks in ticket_queues.open_joint_cases(session=session, zone=zone, limit=MAX_LIST):
        row = _brief(ticket, config=config, now=now)
        row["assists"] = []
        for task in tasks:
            public = assist_public(task, config=config, now=now)
            row["assists"].append({**{key: public[key] for key in ("id", "department", "department_name", "state",
                                                                   "state_label", "task")},
                                   "late_checkin": public["checkin"]["late"], "late_task": public["deadline"]["late"]})
        found.append(row)
    return found


def escalations(*, session: Session, config: StreetConfig, zone: str | None) -> list[dict]:
    """The latest escalation records (超期升级) with ticket number, level name and deadline kind."""
    levels = {lv.level: lv for lv in config.escalation.level}
    rows = ticket_queues.latest_escalations(session=session, zone=zone, limit=MAX_ESCALATIONS)
    tz = config.calendar.timezone
    found = []
    for esc, ticket in rows:
        level = levels.get(esc.level)
        found.append({"id": esc.id, "ticket_id": ticket.id, "number": ticket.number, "level": esc.level,
                      "level_name": level.name if level else f"{esc.level}级",
                      "colour": level.colour if level else "red",
                      "deadline": esc.deadline, "deadline_label": KIND_LABELS.get(esc.deadline, esc.deadline),
                      "due_at": esc.due_at.astimezone(tz).isoformat(),
                      "at": esc.created_at.astimezone(tz).isoformat(), "caught_up": esc.caught_up,
                      "zone": ticket.zone, **_findable(ticket, config=config)})
    return found


def emergencies(*, session: Session, config: StreetConfig, now: datetime) -> dict:
    """The emergency layout's data: each active emergency (most severe first) with its record, its tickets,
    its departments' 到岗 and the open tickets that may be pulled in; the 预案 to declare from; and `now` to the
    minute (ages and the time since the declaration, so the feed changes at most once a minute)."""
    active = []
    for emergency in emergency_service.active(session=session):
        body = emergency_public(emergency, session=session, config=config, now=now, detail=True, candidates=True)
        body["elapsed_minutes"] = int(body["elapsed_minutes"])
        active.append(body)
    return {"active": active, "plans": [plan_public(p, config).model_dump(mode="json")
                                        for p in config.emergencies.values()],
            "now": now.replace(second=0, microsecond=0).isoformat() if active else None}


def _chart_rows(groups: list[dict], fields: tuple[str, ...]) -> list[dict]:
    return [{"key": g["key"], "name": g["name"], **{f: g[f] for f in fields}} for g in groups]


def feed(*, session: Session, config: StreetConfig, now: datetime, zone: str | None) -> dict:
    """Everything the cockpit draws, for the whole street or one zone."""
    return feed_and_stats(session=session, config=config, now=now, zone=zone)[0]


def feed_and_stats(*, session: Session, config: StreetConfig, now: datetime, zone: str | None) -> tuple[dict, dict]:
    """The feed, and the zone's evaluation its cards come from: GET /api/v1/stats?zone= with its default period
    (stats.summary, totals only), kept with the shared snapshot (dispatch.cockpit.snapshot)."""
    # stats.summary over the API's default period (the last 30 days up to now), five views counted in one pass
    by_zone, totals, by_category, by_department, by_committee = stats_service.summaries(
        session=session, config=config, now=now, start=now - DEFAULT_PERIOD, end=now,
        views=[("zone", None),  # every zone, always
               (None, zone), ("category", zone), ("department", zone), ("committee", zone)])
    trend = stats_service.trend(session=session, config=config, now=now, days=TREND_DAYS, zone=zone)
    categories = [g for g in by_category["groups"] if g["reported"] or g["open"]]
    categories.sort(key=lambda g: (-g["reported"], -g["open"]))
    departments = [g for g in by_department["groups"]  # ranked by 排名分 (综合指标 and the 居委's evaluations)
                   if g["key"] is not None and (g["reported"] or g["open"] or g["composite"] is not None)]
    names = zone_names(config=config)
    body = {
        "zone": zone,
        "zone_name": names.get(zone) if zone else None,
        "zones": [{"code": code, "name": name} for code, name in names.items()],
        "banner": banner(session=session, config=config, now=now),
        "period": {"days": DEFAULT_PERIOD.days},  # the API's default: the last 30 days up to now
        "kpis": {name: totals["totals"][name] for name in KPI_FIELDS},
        "by_category": _chart_rows(categories, ("reported", "open", "closed")),
        # 片区外 (key None) too, when it holds anything: the bars add up to the cards' totals
        "by_zone": _chart_rows([g for g in by_zone["groups"] if g["key"] is not None or g["reported"] or g["open"]],
                               ("reported", "open", "overdue", "closed", "close_rate")),
        "departments": _chart_rows(departments, ("composite", "ranking_score", "evaluation_score", "reported",
                                                 "closed", "on_time_close_rate", "close_rate", "rework_rate",
                                                 "supervised")),
        "committees": committee_rows(by_committee, config=config, zone=zone),
        # 复核: the 居委's requests waiting for the command center (the desk's tab of that name lists them)
        "pending_reviews": sum(1 for _, t in evaluation_service.reviews(session=session)
                               if zone is None or t.zone == zone),
        "trend": trend,
        "points": points(session=session, config=config, now=now, zone=zone),
        "pending_dispatch": pending_dispatch(session=session, config=config, now=now, zone=zone),
        "escalations": escalations(session=session, config=config, zone=zone),
        "supervised": supervised(session=session, config=config, now=now, zone=zone),
        "joint_cases": joint_cases(session=session, config=config, now=now, zone=zone),
        # 延期待批: extension requests waiting for the command center (the desk's tab of that name lists them)
        "pending_extensions": sum(1 for t, _ in ticket_queues.extension_requests(session=session, department=None)
                                  if zone is None or t.zone == zone),
        "dispatch_departments": desk_service.departments_public(config=config),
        "emergency": emergencies(session=session, config=config, now=now),  # 应急: the cockpit's other layout
    }
    # no timestamp of the request in the body: an unchanged street gives the same bytes (ETag → 304);
    # the page takes the server's time from the Date header
    body["version"] = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
                                     .encode()).hexdigest()[:16]
    return body, totals
