"""A report becomes a ticket: geolocate, deduplicate, route, number, dispatch — idempotently."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from dispatch.emergency import flows as emergency_flows
from dispatch.errors import ApiError
from dispatch.intake import attributes as attribute_checks
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
    ticket: Ticket
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
    # next_number's upsert locks the day's counter row until commit, so concurrent reports queue here and
    # the duplicate check below sees every ticket committed before it: one pile is never dispatched twice.
    ticket = Ticket(
        number=ticket_service.next_number(session=session, prefix=config.intake.number_prefix, now=now,
                                          tz=config.calendar.timezone),
        status=transitions.REPORTED, category=category.slug,
        description=event.description, address=event.address, source=source, media_url=media_url,
        attributes=attributes, reporter_id=reporter.id, idempotency_key=idempotency_key,
        occurred_at=event.occurred_at, created_at=now, updated_at=now, **placement)
    duplicate = None
    dup_cfg = config.intake.duplicates
    radius_m = dup_cfg.radius_m if category.duplicate_radius_m is None else category.duplicate_radius_m
    if dup_cfg.enabled and radius_m > 0 and ticket.lng is not None:
        duplicate = ticket_service.find_duplicate(
            session=session, category=category.slug, lng=ticket.lng, lat=ticket.lat, now=now,
            radius_m=radius_m, window=timedelta(hours=dup_cfg.window_hours))
    session.add(ticket)
    try:
        session.flush()  # the INSERT: a concurrent request with the same Idempotency-Key fails here
    except IntegrityError as exc:
        return _replayed(session, reporter, idempotency_key, exc)
    ticket_service.record(session=session, ticket=ticket, action="report", now=now, actor=reporter,
                          from_status=None, to_status=Status.pending_dispatch, note=None,
                          data={"source": source, "crs": ticket.original_crs, "locate": ticket.locate_how,
                                "distance_m": ticket.zone_distance_m})
    if duplicate is not None:
        _link_duplicate(session, ticket, duplicate, now=now, reporter=reporter)
    else:
        emergency_flows.flag_report(session=session, config=config, ticket=ticket, now=now)  # 应急: the 预案's limits
        _route(session, config, ticket, now=now)
    try:
        session.commit()
    except IntegrityError as exc:
        return _replayed(session, reporter, idempotency_key, exc)
    log.info("ticket %s created: %s zone=%s department=%s", ticket.number, ticket.status, ticket.zone,
             ticket.department)
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
                       if zone else f"the point lies in no zone, so it has no committee")
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


def _link_duplicate(session: Session, ticket: Ticket, original: Ticket, *, now: datetime, reporter: User) -> None:
    transitions.apply(ticket, "link_duplicate")
    ticket.duplicate_of = original.id
    ticket_service.record(session=session, ticket=ticket, action="link_duplicate", now=now, actor=None,
                          from_status=Status.pending_dispatch, to_status=Status.duplicate,
                          note=f"与 {original.number} 重复，合并处理", data={"duplicate_of": original.id})
    ticket_service.record(session=session, ticket=original, action="duplicate_reported", now=now, actor=reporter,
                          from_status=original.status, to_status=original.status,
                          note=f"重复上报 {ticket.number}", data={"duplicate": ticket.id})


def _route(session: Session, config: StreetConfig, ticket: Ticket, *, now: datetime) -> None:
    zone = config.zone(ticket.zone)
    department = routing_service.route(
        rules=config.routing.rule, category=ticket.category, zone=ticket.zone,
        station=zone.station if zone else None, local_time=now.astimezone(config.calendar.timezone).time())
    if department is None:
        reason = ("no_location" if ticket.lng is None else
                  "out_of_area" if ticket.zone is None else "no_routing_rule")
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
