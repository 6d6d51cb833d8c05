"""Emergencies in their public shape: the API, the cockpit and the 复盘 use the same."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from dispatch.emergency import service
from dispatch.emergency.flows import title
from dispatch.emergency.models import Emergency, EmergencyCheckin, EmergencyTicket
from dispatch.emergency.schemas import (CheckinPublic, Counts, EmergencyPublic, EmergencyTicketPublic, LogEntryPublic,
                                        PlanPublic)
from dispatch.street.config import StreetConfig
from dispatch.street.emergencies import LEVEL_NAMES, EmergencyPlan
from dispatch.tickets import clock
from dispatch.tickets.models import OPEN_STATUSES, Status, Ticket
from dispatch.users import service as user_service

_STILL_OPEN = {s.value for s in OPEN_STATUSES} - {Status.resolved.value}


def plan_public(plan: EmergencyPlan, config: StreetConfig) -> PlanPublic:
    return PlanPublic(code=plan.code, name=plan.name, categories=plan.categories,
                      category_names=[config.categories[c].name if c in config.categories else c
                                      for c in plan.categories],
                      response=plan.response, resolve=plan.resolve,
                      ladder={str(level): after for level, after in sorted(plan.ladder.items())},
                      departments=plan.departments,
                      department_names=[config.departments[d].name if d in config.departments else d
                                        for d in plan.departments], checkin=plan.checkin)


def checkin_public(checkin: EmergencyCheckin, config: StreetConfig, *, now: datetime) -> CheckinPublic:
    department = config.departments.get(checkin.department)
    late = (checkin.checked_in_at > checkin.due_at) if checkin.checked_in_at else now > checkin.due_at
    return CheckinPublic(department=checkin.department, department_name=department.name if department else
                         checkin.department, due_at=checkin.due_at, checked_in_at=checkin.checked_in_at, late=late,
                         escalated_at=checkin.escalated_at)


def ticket_public(member: EmergencyTicket | None, ticket: Ticket, config: StreetConfig, *,
                  now: datetime) -> EmergencyTicketPublic:
    category = config.categories.get(ticket.category)
    department = config.departments.get(ticket.department) if ticket.department else None
    return EmergencyTicketPublic(
        id=ticket.id, number=ticket.number, status=ticket.status, category=ticket.category,
        category_name=category.name if category else ticket.category, zone=ticket.zone,
        department=ticket.department, department_name=department.name if department else None,
        location={"lng": ticket.lng, "lat": ticket.lat} if ticket.lng is not None else None,
        how=member.how if member else "candidate", joined_at=member.joined_at if member else ticket.created_at,
        released_at=member.released_at if member else None, created_at=ticket.created_at,
        dispatched_at=ticket.dispatched_at, accepted_at=ticket.accepted_at, resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at, state=clock.state(ticket, now=now, config=config),
        handled=ticket.status not in _STILL_OPEN)


def emergency_public(emergency: Emergency, *, session: Session, config: StreetConfig, now: datetime,
                     detail: bool = False, candidates: bool = False) -> dict:
    """The emergency as the API shows it; `detail` adds its record and tickets, `candidates` what may be pulled in."""
    plan = config.emergencies.get(emergency.plan)
    zone_names = config.zone_names()
    declarer = user_service.get(session=session, user_id=emergency.declared_by)
    until = emergency.ended_at or now
    body = EmergencyPublic(
        id=emergency.id, plan=emergency.plan, plan_name=plan.name if plan else emergency.plan,
        title=title(emergency, config), level=emergency.level, level_name=LEVEL_NAMES.get(emergency.level, ""),
        zones=emergency.zones,
        zone_names=[zone_names.get(z, z) for z in emergency.zones] if emergency.zones else ["全街道"],
        note=emergency.note, status=emergency.status, declared_at=emergency.declared_at,
        declared_by=(declarer.display_name or declarer.username) if declarer else "",
        ended_at=emergency.ended_at, elapsed_minutes=round((until - emergency.declared_at).total_seconds() / 60, 1),
        counts=Counts(**service.counts(session=session, emergency_id=emergency.id)),
        checkins=[checkin_public(c, config, now=until) for c in service.checkins(session=session,
                                                                                emergency_id=emergency.id)])
    if detail:
        body.log = [LogEntryPublic(at=e.at, action=e.action, actor=e.actor_name, actor_role=e.actor_role,
                                   level=e.level, note=e.note, data=e.data)
                    for e in service.log(session=session, emergency_id=emergency.id)]
        body.tickets = [ticket_public(m, t, config, now=now)
                        for m, t in service.tickets(session=session, emergency_id=emergency.id)]
    if candidates and plan is not None and emergency.status == "active":
        body.candidates = [ticket_public(None, t, config, now=now) for t in service.open_candidates(
            session=session, categories=plan.categories, zones=emergency.zones, emergency_id=emergency.id)]
    return body.model_dump(mode="json", exclude_none=False)
