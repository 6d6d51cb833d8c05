"""Emergency actions: declare, change the level, end, pull tickets in and release them, 到岗, flag a report.

Each writes the emergency's record (`service.record`) and, where people must know at once, outbox messages
(delivered by the escalation domain's delivery job). The ticket's deadlines are changed by its clock only
(`tickets.clock.join_emergency`, `leave_emergency`); each ticket step is on its own timeline too.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from dispatch.deadlines.limits import deadline_after
from dispatch.emergency import service
from dispatch.emergency.models import (LOG_ACTION_LABELS, Emergency, EmergencyCheckin, EmergencyStatus,
                                       EmergencyTicket)
from dispatch.emergency.schemas import Declare
from dispatch.errors import ApiError
from dispatch.street.config import StreetConfig
from dispatch.street.emergencies import LEVEL_NAMES
from dispatch.tickets import clock
from dispatch.tickets import service as ticket_service
from dispatch.tickets.models import OPEN_STATUSES, Status, Ticket
from dispatch.users.models import Role, User

log = logging.getLogger(__name__)

# who is told of a declaration, a level change and the end, besides the 预案's departments
LEADERS = ["command_center", "command_supervisor", "street_leader"]
LATE_CHECKIN = ["command_center", "command_supervisor"]  # … and the late department itself


def title(emergency: Emergency, config: StreetConfig) -> str:
    """"防汛防台 Ⅱ级" — the 预案's name and the level."""
    plan = config.emergencies.get(emergency.plan)
    return f"{plan.name if plan else emergency.plan} {LEVEL_NAMES.get(emergency.level, emergency.level)}"


# the messages' name of a step of the record that is told (log action → payload "event"; others keep theirs)
_EVENTS = {"declare": "declared", "end": "ended"}


def _payload(emergency: Emergency, config: StreetConfig, action: str, note: str | None) -> dict:
    """What a message of the emergency's step `action` (a record action) says, to every channel."""
    return {"kind": "emergency", "emergency_id": emergency.id, "event": _EVENTS.get(action, action),
            "event_name": LOG_ACTION_LABELS[action], "plan": emergency.plan, "title": title(emergency, config),
            "level": emergency.level, "zones": emergency.zones, "note": note}


def _require_active(emergency: Emergency) -> None:
    if emergency.status != EmergencyStatus.active:
        raise ApiError(409, "emergency_ended", "the emergency has ended", status=emergency.status)


def declare(*, session: Session, config: StreetConfig, actor: User, body: Declare, now: datetime) -> Emergency:
    """启动应急: the emergency, its 到岗 list with each department's limit, its record, the messages."""
    plan = config.emergencies.get(body.plan)
    if plan is None:
        raise ApiError(422, "unknown_plan", f"unknown 预案 {body.plan!r}; see GET /api/v1/emergencies/plans")
    zones = None
    if body.zones is not None:
        known = config.zone_names()
        unknown = [z for z in body.zones if z not in known]
        if unknown:
            raise ApiError(422, "unknown_zone", f"unknown zone(s) {', '.join(unknown)}; expected {', '.join(known)}")
        zones = [z for z in known if z in body.zones]  # the file's order, each once
    emergency = Emergency(plan=plan.code, level=body.level, zones=zones, note=body.note or "", declared_at=now,
                          declared_by=actor.id, updated_at=now)
    session.add(emergency)
    session.flush()
    due = deadline_after(now, plan.checkin_limit, config.calendar)
    for code in plan.departments:
        session.add(EmergencyCheckin(emergency_id=emergency.id, department=code, due_at=due))
    service.record(session=session, emergency=emergency, action="declare", now=now, actor=actor, note=body.note,
                   data={"plan": plan.code, "zones": zones, "checkin_due_at": due.isoformat()})
    service.notify(session=session, config=config, recipients=[*plan.departments, *LEADERS], now=now,
                   payload={**_payload(emergency, config, "declare", body.note), "checkin_due_at": due.isoformat()})
    session.commit()
    log.info("emergency %s declared: %s, zones %s, by %s", emergency.id, title(emergency, config),
             zones or "all", actor.username)
    return emergency


def change_level(*, session: Session, config: StreetConfig, emergency: Emergency, actor: User, level: int,
                 note: str | None, now: datetime) -> Emergency:
    """升级 / 降级: Ⅰ is the most severe, so raising goes to a smaller number."""
    _require_active(emergency)
    if level == emergency.level:
        raise ApiError(409, "same_level", f"the emergency is already {LEVEL_NAMES[level]}", status=emergency.status)
    action = "raise" if level < emergency.level else "lower"
    before = emergency.level
    emergency.level, emergency.updated_at = level, now
    service.record(session=session, emergency=emergency, action=action, now=now, actor=actor, note=note,
                   data={"from": before, "to": level})
    plan = config.emergencies.get(emergency.plan)
    service.notify(session=session, config=config, now=now,
                   recipients=[*(plan.departments if plan else []), *LEADERS],
                   payload={**_payload(emergency, config, action, note), "from_level": before})
    session.add(emergency)
    session.commit()
    return emergency


def end(*, session: Session, config: StreetConfig, emergency: Emergency, actor: User, note: str | None,
        now: datetime) -> Emergency:
    """结束应急: no new report joins it any more; its tickets keep the 预案's deadlines until released."""
    _require_active(emergency)
    emergency.status, emergency.ended_at, emergency.ended_by, emergency.updated_at = (
        EmergencyStatus.ended, now, actor.id, now)
    counts = service.counts(session=session, emergency_id=emergency.id)
    service.record(session=session, emergency=emergency, action="end", now=now, actor=actor, note=note, data=counts)
    plan = config.emergencies.get(emergency.plan)
    service.notify(session=session, config=config, now=now,
                   recipients=[*(plan.departments if plan else []), *LEADERS],
                   payload={**_payload(emergency, config, "end", note), **counts})
    session.add(emergency)
    session.commit()
    return emergency


def _join(session: Session, config: StreetConfig, emergency: Emergency, ticket: Ticket, *, how: str,
          actor: User | None, now: datetime) -> dict:
    moved = clock.join_emergency(session, config, ticket, emergency_id=emergency.id, plan=emergency.plan, now=now,
                                 actor_id=actor.id if actor else None)
    existing = service.membership(session=session, emergency_id=emergency.id, ticket_id=ticket.id)
    if existing is None:
        session.add(EmergencyTicket(emergency_id=emergency.id, ticket_id=ticket.id, how=how, joined_at=now,
                                    joined_by=actor.id if actor else None))
    else:  # pulled in again after a release
        existing.how, existing.joined_at, existing.joined_by = how, now, actor.id if actor else None
        existing.released_at = existing.released_by = None
        session.add(existing)
    data = {"emergency": emergency.id, "plan": emergency.plan, "how": how, **moved}
    ticket_service.record(session=session, ticket=ticket, action=clock.EMERGENCY_JOIN, now=now, actor=actor,
                          from_status=ticket.status, to_status=ticket.status,
                          note=f"纳入应急：{title(emergency, config)}", data=data)
    return data


def flag_report(*, session: Session, config: StreetConfig, ticket: Ticket, now: datetime) -> Emergency | None:
    """A new report (not yet routed): flagged 应急 when an active emergency covers its category and zone (the
    most severe one, if several), so its dispatch takes the 预案's limits and ladder."""
    for emergency in service.active(session=session):
        if service.covers(emergency, config, category=ticket.category, zone=ticket.zone):
            _join(session, config, emergency, ticket, how="report", actor=None, now=now)
            return emergency
    return None


def pull_in(*, session: Session, config: StreetConfig, emergency: Emergency, ticket: Ticket, actor: User,
            now: datetime) -> dict:
    """纳入应急: an open ticket of the 预案's categories in the area is handled under the emergency from now."""
    _require_active(emergency)
    if ticket.status not in OPEN_STATUSES:
        raise ApiError(409, "ticket_ended", f"the ticket is {ticket.status}", status=ticket.status)
    if ticket.status == Status.suspended:
        raise ApiError(409, "ticket_suspended", "a suspended (挂账) ticket is resumed first", status=ticket.status)
    if ticket.emergency_id == emergency.id:
        raise ApiError(409, "already_in_emergency", "the ticket is already handled under this emergency",
                       status=ticket.status)
    if ticket.emergency_id is not None:
        raise ApiError(409, "in_another_emergency", "the ticket is handled under another emergency; release it "
                                                    "there first", status=ticket.status)
    if not service.covers(emergency, config, category=ticket.category, zone=ticket.zone):
        raise ApiError(422, "not_covered", "the ticket's category or zone is not this emergency's")
    data = _join(session, config, emergency, ticket, how="pulled", actor=actor, now=now)
    service.record(session=session, emergency=emergency, action="pull_in", now=now, actor=actor,
                   note=f"纳入 {ticket.number}", data={"ticket": ticket.id, "number": ticket.number, **data})
    ticket.updated_at = now
    session.add(ticket)
    session.commit()
    return data


def release(*, session: Session, config: StreetConfig, emergency: Emergency, ticket: Ticket, actor: User,
            note: str | None, now: datetime) -> dict:
    """移出应急: the ticket goes back to its category's limits and the normal ladder (also after the end)."""
    if ticket.emergency_id != emergency.id:
        raise ApiError(409, "not_in_emergency", "the ticket is not handled under this emergency", status=ticket.status)
    if ticket.status == Status.suspended:
        raise ApiError(409, "ticket_suspended", "a suspended (挂账) ticket is resumed first", status=ticket.status)
    entries = ticket_service.timeline(session=session, ticket_id=ticket.id)
    moved = clock.leave_emergency(session, config, ticket, entries, now=now, actor_id=actor.id)
    membership = service.membership(session=session, emergency_id=emergency.id, ticket_id=ticket.id)
    if membership is not None:
        membership.released_at, membership.released_by = now, actor.id
        session.add(membership)
    data = {"emergency": emergency.id, **{f"{kind}_deadline": at.isoformat() for kind, at in moved.items()}}
    ticket_service.record(session=session, ticket=ticket, action=clock.EMERGENCY_RELEASE, now=now, actor=actor,
                          from_status=ticket.status, to_status=ticket.status,
                          note=note or "移出应急，恢复常规时限", data=data)
    service.record(session=session, emergency=emergency, action="release", now=now, actor=actor,
                   note=note or f"移出 {ticket.number}", data={"ticket": ticket.id, "number": ticket.number, **data})
    ticket.updated_at = now
    session.add(ticket)
    session.commit()
    return data


def check_in(*, session: Session, config: StreetConfig, emergency: Emergency, actor: User,
             now: datetime) -> EmergencyCheckin:
    """到岗: a department user reports the department on duty (once; a late one is marked late)."""
    _require_active(emergency)
    if actor.role != Role.department or not actor.department:
        raise ApiError(403, "forbidden", "到岗 is reported by a department's user from its desk")
    checkin = service.checkin_of(session=session, emergency_id=emergency.id, department=actor.department)
    if checkin is None:
        raise ApiError(409, "not_called", "this emergency's 预案 does not call your department to report on duty")
    if checkin.checked_in_at is not None:
        raise ApiError(409, "already_checked_in", "your department already reported on duty", status="checked_in")
    checkin.checked_in_at, checkin.checked_in_by = now, actor.id
    late = now > checkin.due_at
    service.record(session=session, emergency=emergency, action="checkin", now=now, actor=actor,
                   note=f"{_department_name(config, actor.department)} 到岗" + ("（迟到）" if late else ""),
                   data={"department": actor.department, "due_at": checkin.due_at.isoformat(), "late": late})
    session.add(checkin)
    session.commit()
    return checkin


def _department_name(config: StreetConfig, code: str) -> str:
    department = config.departments.get(code)
    return department.name if department else code


def escalate_late_checkins(*, session: Session, config: StreetConfig, now: datetime) -> list[dict]:
    """到岗超时: each department past its 到岗 limit is escalated once (claimed by a conditional UPDATE, so two
    sweeps at once record it once); after downtime the first sweep catches up every one passed."""
    done = []
    for checkin in service.late_checkins(session=session, now=now):
        if not service.claim_escalation(session=session, checkin=checkin, now=now):
            session.rollback()
            continue
        emergency = service.get(session=session, emergency_id=checkin.emergency_id)
        name = _department_name(config, checkin.department)
        note = f"{name} 未按时到岗"
        service.record(session=session, emergency=emergency, action="checkin_late", now=now, actor=None,
                       note=note, data={"department": checkin.department, "due_at": checkin.due_at.isoformat()})
        service.notify(session=session, config=config, recipients=[checkin.department, *LATE_CHECKIN], now=now,
                       payload={**_payload(emergency, config, "checkin_late", note), "department": checkin.department,
                                "department_name": name, "due_at": checkin.due_at.isoformat()})
        session.commit()
        done.append({"emergency": emergency.id, "department": checkin.department,
                     "due_at": checkin.due_at.isoformat()})
    if done:
        log.info("到岗 sweep at %s escalated %d late department(s)", now.isoformat(), len(done))
    return done
