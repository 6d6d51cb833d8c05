"""A report becomes a ticket: geolocate, deduplicate, route, number, dispatch — idempotently."""
from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from dispatch.emergency import flows as emergency_flows
from dispatch.emergency import service as emergency_service
from dispatch.emergency.models import Emergency, EmergencyStatus
from dispatch.errors import ApiError
from dispatch.intake import attributes as attribute_checks
from dispatch.intake import rows
from dispatch.intake.models import EventCreate, Location
from dispatch.routing import service as routing_service
from dispatch.street.config import StreetConfig
from dispatch.tickets import clock as ticket_clock
from dispatch.tickets import transitions
from dispatch.tickets import service as ticket_service
from dispatch.tickets.models import Status, Ticket
from dispatch.users.models import Role, User
from geo.crs import to_wgs84

log = logging.getLogger(__name__)

COMMITTEE_SOURCE = "committee"  # a 居委's report: an 约请 (the joint handling and 回访 rely on this value)
UNLOCATED = "unlocated"  # locate_how of a report without coordinates (Open311 address_string only)
_AWAIT_NOTES = {  # why a report waits for the command center (待城运中心派遣)
    "no_location": "仅有地址、无坐标，待城运中心定位派遣",
    "out_of_area": "超出片区范围，待城运中心派遣",
    "no_routing_rule": "无匹配派遣规则，待城运中心派遣",
}


@dataclass(frozen=True)
class IntakeResult:
    ticket: Ticket | rows.NewTicket  # rows.NewTicket: written by the lean path, read-only
    created: bool  # False when an Idempotency-Key replayed an earlier report


def resolve_category(config: StreetConfig, value: str):
    """The category named by slug or by GB/T code; 422 when unknown."""
    category = config.categories.get(value) or config.category_by_code(value)
    if category is None:
        raise ApiError(422, "unknown_category", f"unknown category {value!r}; see GET /api/v1/categories")
    return category


def _refuse(field: str, problem: str) -> ApiError:
    return ApiError(422, "validation_error", f"{field}: {problem}", details=[{"field": field, "problem": problem}])


def _check_limits(config: StreetConfig, event: EventCreate) -> None:
    """The street's own limits on a report (the schema checked the types).

    `occurred_at` is kept as the phone sent it, even ahead of the server's clock: a phone with a wrong
    clock must not lose its report.
    """
    if len(event.description) > config.intake.description_max_chars:
        raise _refuse("description", f"at most {config.intake.description_max_chars} characters")


def _answers(category, given: dict | None) -> dict:
    """The category's questions answered in a JSON report; 422 naming every bad or missing answer."""
    values, problems = attribute_checks.check_json(category, given)
    if problems:
        details = [{"field": f"attributes.{code}", "problem": problem} for code, problem in problems]
        raise ApiError(422, "validation_error", "; ".join(f"{d['field']}: {d['problem']}" for d in details),
                       details=details)
    return values


def report_event(*, session: Session, config: StreetConfig, reporter: User, event: EventCreate, now: datetime,
                 idempotency_key: str | None = None, source: str = "api", media_url: str | None = None,
                 attributes: dict | None = None) -> IntakeResult:
    """Create the ticket for a report (or return the one this Idempotency-Key already made).

    A report by a 居委 (role committee) is an 约请, an invitation to the departments: its source is "committee"
    whatever the caller says.

    `event.location` is None only for an Open311 address-only report: no zone, no dedup, pending_dispatch.
    `attributes`: answers already checked (Open311's form); None checks `event.attributes` (JSON).
    """
    if idempotency_key:
        existing = ticket_service.get_by_idempotency_key(session=session, reporter_id=reporter.id,
                                                         key=idempotency_key)
        if existing:
            return IntakeResult(existing, created=False)
    if reporter.role == Role.committee:
        source = COMMITTEE_SOURCE
    category = resolve_category(config, event.category)
    _check_limits(config, event)
    if attributes is None:
        attributes = _answers(category, event.attributes)
    placement = _placement(config, event.location)  # before the day's number is taken: it may refuse the point
    placement["committee"] = _committee(config, placement, event.committee, reporter)
    under_emergency = _under_emergency(session, config, category.slug, placement.get("zone"))
    draft = rows.NewTicket(status=transitions.REPORTED, category=category.slug, description=event.description,
                      address=event.address, source=source, media_url=media_url, attributes=attributes,
                      reporter_id=reporter.id, idempotency_key=idempotency_key, occurred_at=event.occurred_at,
                      created_at=now, updated_at=now, **placement)
    routed = None if under_emergency else _routed(config, draft, now=now)  # worked out before any write
    with _one_writer(session):
        return _write(session, config, category, draft, routed, reporter=reporter, now=now,
                      idempotency_key=idempotency_key)


_WRITERS: dict = {}  # SQLite: one lock per engine (database) of this process
_WRITERS_GUARD = threading.Lock()


def _one_writer(session: Session):
    """SQLite: the reports of this process write one at a time, the next waiting on a lock that wakes it at the
    previous commit — not in SQLite's busy handler, which sleeps (up to 100 ms a try) while the database's
    write lock is held. PostgreSQL: nothing (reports of different spots proceed together)."""
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(engine, threading.Lock())


def _write(session: Session, config: StreetConfig, category, draft: rows.NewTicket, routed: Routed | None, *,
           reporter: User, now: datetime, idempotency_key: str | None) -> IntakeResult:
    """Number, check for a duplicate, write. `routed` None: an active emergency covers the report."""
    # The number is the report's first write: on SQLite it takes the database's write lock, on PostgreSQL it
    # waits for nothing (tickets.service.take_number) but holds the duplicate check's area (hold_area), which
    # orders concurrent reports of one spot: the check below sees every such report committed before it, so
    # one pile is never dispatched twice.
    dup_cfg = config.intake.duplicates
    radius_m = dup_cfg.radius_m if category.duplicate_radius_m is None else category.duplicate_radius_m
    check = dup_cfg.enabled and radius_m > 0 and draft.lng is not None
    area = (ticket_service.area_keys(category=category.slug, lng=draft.lng, lat=draft.lat, radius_m=radius_m)
            if check else None)
    numbered = ticket_service.take_number(session=session, prefix=config.intake.number_prefix, now=now,
                                          tz=config.calendar.timezone, hold=area)
    draft.number, draft.id = numbered.number, numbered.ticket_id
    duplicate = None
    if check:
        duplicate = ticket_service.find_duplicate(
            session=session, category=category.slug, lng=draft.lng, lat=draft.lat, now=now,
            radius_m=radius_m, window=timedelta(hours=dup_cfg.window_hours))
    if routed is None and duplicate is None:  # rare: the emergency's own steps, through the ORM
        fields = {name: getattr(draft, name) for name in rows.TICKET_COLUMNS if name != "id"}
        return _report_under_emergency(session, config, Ticket(id=draft.id, **fields), now=now,
                                       reporter=reporter, idempotency_key=idempotency_key)
    if duplicate is not None:
        transitions.apply(draft, "link_duplicate")
        draft.duplicate_of = duplicate.id
        routed = Routed(draft, ("link_duplicate", None, Status.pending_dispatch, Status.duplicate,
                                f"与 {duplicate.number} 重复，合并处理", {"duplicate_of": duplicate.id}), [])
    else:
        routed.ticket.number, routed.ticket.id = draft.number, draft.id
    return _report(session, routed, duplicate, now=now, reporter=reporter, idempotency_key=idempotency_key)


@dataclass
class Routed:
    """A report as it will be written: the ticket, its timeline step after the report's, its deadlines' moves."""

    ticket: rows.NewTicket
    step: tuple  # (action, actor, from_status, to_status, note, data)
    moved: list  # (kind, old_at, new_at) of each deadline started


def _routed(config: StreetConfig, draft: rows.NewTicket, *, now: datetime) -> Routed:
    """Where routing.toml sends the report if it is no duplicate: dispatched with both deadlines, or waiting for
    the command center (a copy of the draft; the draft stays as reported)."""
    ticket = rows.NewTicket(**vars(draft))
    department, reason = _department(config, ticket, now=now)
    if department is None:
        return Routed(ticket, ("await_dispatch", None, Status.pending_dispatch, Status.pending_dispatch,
                               _AWAIT_NOTES[reason], {"reason": reason}), [])
    transitions.apply(ticket, "auto_dispatch")
    ticket.department = department
    moved = ticket_clock.clocks_started(ticket, config=config, now=now)
    return Routed(ticket, ("dispatch", None, Status.pending_dispatch, Status.dispatched,
                           f"自动派遣至 {config.departments[department].name}",
                           {"department": department, "auto": True}), moved)


_E = Emergency.__table__.c
_ACTIVE_EMERGENCIES = select(_E.plan, _E.zones).where(_E.status == EmergencyStatus.active.value)


def _under_emergency(session: Session, config: StreetConfig, category: str, zone: str | None) -> bool:
    """True when an active emergency covers this category and zone (its 预案's limits then apply): one small
    read of the active emergencies, as plain rows."""
    active = session.connection().execute(_ACTIVE_EMERGENCIES).all()
    return any(emergency_service.covers(row, config, category=category, zone=zone) for row in active)


def _report(session: Session, routed: Routed, duplicate: Ticket | None, *, now: datetime, reporter: User,
            idempotency_key: str | None) -> IntakeResult:
    """The report's rows, each table in one statement (PostgreSQL: all of them in one): the ticket as it ends
    up (linked to its duplicate, or routed: dispatched with both deadlines, or waiting for the command
    center), its timeline chained from nothing (a new ticket has no earlier step), and on dispatch its
    deadline history and dispatch round. Nothing is read back: every value is known here."""
    ticket, moved = routed.ticket, routed.moved
    steps = [("report", reporter, None, Status.pending_dispatch, None,
              {"source": ticket.source, "crs": ticket.original_crs, "locate": ticket.locate_how,
               "distance_m": ticket.zone_distance_m}), routed.step]
    connection = session.connection()
    try:
        if ticket.id is not None:  # PostgreSQL: the id came with the number, so every row goes in one round trip
            rows.insert_in_one(session, ticket, steps, moved, now=now)
        else:  # SQLite (in-process: a statement costs no round trip)
            rows.insert_each(connection, ticket, steps, moved, now=now)
    except IntegrityError as exc:  # a concurrent report with the same Idempotency-Key made it first
        return _replayed(session, reporter, idempotency_key, exc)
    if duplicate is not None:  # the original's own step, chained after its latest (read under its row's lock)
        ticket_service.record(session=session, ticket=duplicate, action="duplicate_reported", now=now,
                              actor=reporter, from_status=duplicate.status, to_status=duplicate.status,
                              note=f"重复上报 {ticket.number}", data={"duplicate": ticket.id})
    try:
        session.commit()
    except IntegrityError as exc:
        return _replayed(session, reporter, idempotency_key, exc)
    log.info("ticket %s created: %s zone=%s department=%s", ticket.number, ticket.status, ticket.zone,
             ticket.department)
    return IntakeResult(ticket, created=True)


def _report_under_emergency(session: Session, config: StreetConfig, ticket: Ticket, *, now: datetime,
                            reporter: User, idempotency_key: str | None) -> IntakeResult:
    """A report an active emergency covers, through the ORM: flagged 应急 (the emergency's record, its
    member row), then routed under its 预案's limits."""
    session.add(ticket)
    try:
        session.flush()  # the INSERT: a concurrent request with the same Idempotency-Key fails here
    except IntegrityError as exc:
        return _replayed(session, reporter, idempotency_key, exc)
    ticket_service.record(session=session, ticket=ticket, action="report", now=now, actor=reporter,
                          from_status=None, to_status=Status.pending_dispatch, note=None,
                          data={"source": ticket.source, "crs": ticket.original_crs, "locate": ticket.locate_how,
                                "distance_m": ticket.zone_distance_m})
    emergency_flows.flag_report(session=session, config=config, ticket=ticket, now=now)  # 应急: the 预案's limits
    _route(session, config, ticket, now=now)
    try:
        session.commit()
    except IntegrityError as exc:
        return _replayed(session, reporter, idempotency_key, exc)
    log.info("ticket %s created: %s zone=%s department=%s (under an emergency)", ticket.number, ticket.status,
             ticket.zone, ticket.department)
    return IntakeResult(ticket, created=True)


def _placement(config: StreetConfig, loc: Location | None) -> dict:
    """The ticket's point (WGS-84), original point and zone; all empty when the report has no location.

    Only an Open311 report with an address_string and no lat/long comes without a location (no geocoding
    offline): it is kept unlocated and waits for the command center.
    """
    if loc is None:
        return {"locate_how": UNLOCATED}
    lng, lat = to_wgs84(loc.lng, loc.lat, loc.crs)
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):  # BD-09/GCJ-02 near the poles or the antimeridian
        problem = (f"{loc.crs} ({loc.lng}, {loc.lat}) converts to ({lng:.6f}, {lat:.6f}), outside WGS-84's "
                   f"longitude -180..180 / latitude -90..90")
        raise ApiError(422, "validation_error", f"location: {problem}",
                       details=[{"field": "location", "problem": problem}])
    where = config.zone_index.locate(lng, lat)
    return {"lng": lng, "lat": lat, "original_lng": loc.lng, "original_lat": loc.lat, "original_crs": loc.crs,
            "zone": where.zone.code if where.zone else None,
            "cell": where.path[-1].code if len(where.path) > 1 else None,
            "locate_how": where.how, "zone_distance_m": round(where.distance_m, 2)}


def _committee(config: StreetConfig, placement: dict, given: str | None, reporter: User) -> str | None:
    """The ticket's 居民区: the committee whose boundary covers the point, else the one the report names (a
    committee of the point's zone, else 422), else a 居委 reporter's own when it is of that zone, else none."""
    located = config.committees.locate(placement.get("lng"), placement.get("lat"))
    if located is not None:
        return located
    zone = placement.get("zone")
    if given is not None:
        if not config.committees.in_zone_of(given, zone):
            known = config.committees.by_code.get(given)
            problem = (f"{given} is not a committee of zone {zone}" + (f" ({known.name} is in {known.zone})" if known else "")
                       if zone else "the point lies in no zone, so it has no committee")
            raise ApiError(422, "committee_not_in_zone", f"committee: {problem}",
                           details=[{"field": "committee", "problem": problem}])
        return given
    if reporter.role == Role.committee and config.committees.in_zone_of(reporter.committee, zone):
        return reporter.committee
    return None


def _replayed(session: Session, reporter: User, idempotency_key: str | None, exc: IntegrityError) -> IntakeResult:
    """After a unique-key clash: the ticket a concurrent request with the same Idempotency-Key made."""
    session.rollback()
    if idempotency_key:
        existing = ticket_service.get_by_idempotency_key(session=session, reporter_id=reporter.id,
                                                         key=idempotency_key)
        if existing:
            return IntakeResult(existing, created=False)
    raise exc


def _department(config: StreetConfig, ticket, *, now: datetime) -> tuple[str | None, str | None]:
    """The department routing.toml sends the ticket to, else None and why it waits (a key of _AWAIT_NOTES)."""
    zone = config.zone(ticket.zone)
    department = routing_service.route(
        rules=config.routing.rule, category=ticket.category, zone=ticket.zone,
        station=zone.station if zone else None, local_time=now.astimezone(config.calendar.timezone).time())
    if department is not None:
        return department, None
    return None, ("no_location" if ticket.lng is None else "out_of_area" if ticket.zone is None else
                  "no_routing_rule")


def _route(session: Session, config: StreetConfig, ticket: Ticket, *, now: datetime) -> None:
    department, reason = _department(config, ticket, now=now)
    if department is None:
        ticket_service.record(session=session, ticket=ticket, action="await_dispatch", now=now, actor=None,
                              from_status=Status.pending_dispatch, to_status=Status.pending_dispatch,
                              note=_AWAIT_NOTES[reason], data={"reason": reason})
        return
    transitions.apply(ticket, "auto_dispatch")
    ticket.department = department
    ticket_clock.start_clocks(session, ticket, config=config, now=now, actor_id=None)
    ticket_service.record(session=session, ticket=ticket, action="dispatch", now=now, actor=None,
                          from_status=Status.pending_dispatch, to_status=Status.dispatched,
                          note=f"自动派遣至 {config.departments[department].name}",
                          data={"department": department, "auto": True})
