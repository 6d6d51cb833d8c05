"""Turn ticket rows into their public shape."""
from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlmodel import Session, col, select

from dispatch.street.config import StreetConfig
from dispatch.tickets import clock, joint, joint_clock
from dispatch.tickets import service as ticket_service
from dispatch.tickets.models import AssistTask, DeadlineChange, Photo, Ticket
from dispatch.tickets.schemas import (AnswerPublic, AssistDeadlinePublic, AssistTaskPublic, DeadlineChangePublic,
                                      DeadlinePublic, OriginalPoint, PhotoPublic, Point, TicketEmergency, TicketPublic,
                                      TimelineEntryPublic)
from dispatch.users.models import Role, User

def _deadline(ticket: Ticket, kind: str, *, config: StreetConfig, now: datetime) -> DeadlinePublic:
    remaining = clock.shown_remaining(ticket, kind, now=now, calendar=config.calendar)
    return DeadlinePublic(limit=clock.limit_text(ticket, kind), due_at=clock.due(ticket, kind),
                          met_at=clock.met_at(ticket, kind), overdue=clock.missed(ticket, kind, now=now),
                          remaining_minutes=None if remaining is None else round(remaining, 1),
                          provisional=clock.provisional(ticket, kind, calendar=config.calendar))


def _assist_deadline(task: AssistTask, kind: str, *, config: StreetConfig, now: datetime) -> AssistDeadlinePublic:
    left = joint_clock.remaining_minutes(task, kind, now=now, calendar=config.calendar)
    return AssistDeadlinePublic(limit=joint_clock.limit_text(task, kind), due_at=joint_clock.due(task, kind),
                                met_at=joint_clock.met_at(task, kind), late=joint_clock.missed(task, kind, now=now),
                                remaining_minutes=None if left is None else round(left, 1))


def assist_public(task: AssistTask, *, config: StreetConfig, now: datetime) -> dict:
    """An assist task (协办) as the API shows it."""
    department = config.departments.get(task.department)
    return AssistTaskPublic(
        id=task.id, department=task.department, department_name=department.name if department else task.department,
        task=task.task, state=task.state, state_label=joint.STATE_LABELS[task.state], created_at=task.created_at,
        checked_in_at=task.checked_in_at, done_at=task.done_at, done_note=task.done_note, photo_id=task.photo_id,
        closed_at=task.closed_at, close_reason=task.close_reason,
        checkin=_assist_deadline(task, "checkin", config=config, now=now),
        deadline=_assist_deadline(task, "task", config=config, now=now)).model_dump(mode="json")


def _in_words(question, value) -> str:
    """An answer as a page shows it: a list key by its name, several joined with 、, 12.0 as 12."""
    names = {v.key: v.name for v in question.values} if question else {}
    values = value if isinstance(value, list) else [value]
    return "、".join(names.get(v, v) if isinstance(v, str) else f"{v:g}" if isinstance(v, float) else str(v)
                    for v in values)


def _answers(category, attributes: dict) -> list[AnswerPublic]:
    """The answered questions in the category's order (a question since removed from config: by its code)."""
    questions = {a.code: a for a in category.attributes} if category else {}
    order = [code for code in questions if code in attributes] + [c for c in attributes if c not in questions]
    return [AnswerPublic(code=code, question=questions[code].description if code in questions else code,
                         text=_in_words(questions.get(code), attributes[code])) for code in order]


def _actor_departments(session: Session, config: StreetConfig, entries) -> dict[int, str]:
    """The department name of each department user among the timeline's actors (李师傅 → 绿化市容所)."""
    ids = {e.actor_id for e in entries if e.actor_id is not None and e.actor_role == Role.department}
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.department).where(col(User.id).in_(ids))).all()
    return {uid: config.departments[code].name for uid, code in rows if code in config.departments}


def _emergency(ticket: Ticket, config: StreetConfig) -> TicketEmergency | None:
    if ticket.emergency_id is None:
        return None
    plan = config.emergencies.get(ticket.emergency_plan or "")
    return TicketEmergency(id=ticket.emergency_id, plan=ticket.emergency_plan or "",
                           plan_name=plan.name if plan else (ticket.emergency_plan or "应急"))


def ticket_public(ticket: Ticket, *, config: StreetConfig, now: datetime, session: Session | None = None,
                  detail: bool = False) -> dict:
    """The ticket as the API shows it; `detail` adds timeline, deadline history and photos."""
    category = config.categories.get(ticket.category)
    department = config.departments.get(ticket.department) if ticket.department else None
    committee = config.committees.by_code.get(ticket.committee) if ticket.committee else None
    body = TicketPublic(
        id=ticket.id, number=ticket.number, status=ticket.status, category=ticket.category,
        category_name=category.name if category else ticket.category, zone=ticket.zone, cell=ticket.cell,
        committee=ticket.committee, committee_name=committee.name if committee else None,
        department=ticket.department, department_name=department.name if department else None,
        description=ticket.description, address=ticket.address, attributes=ticket.attributes or {},
        answers=_answers(category, ticket.attributes or {}),
        location=Point(lng=ticket.lng, lat=ticket.lat) if ticket.lng is not None else None,
        original_location=(OriginalPoint(lng=ticket.original_lng, lat=ticket.original_lat, crs=ticket.original_crs)
                           if ticket.original_lng is not None else None),
        locate_how=ticket.locate_how, zone_distance_m=ticket.zone_distance_m, source=ticket.source,
        reporter_id=ticket.reporter_id, duplicate_of=ticket.duplicate_of, version=ticket.version,
        rework_count=ticket.rework_count, supervised=ticket.supervised, extension_count=ticket.extension_count,
        escalation_level=ticket.escalation_level, occurred_at=ticket.occurred_at, created_at=ticket.created_at,
        updated_at=ticket.updated_at, dispatched_at=ticket.dispatched_at, accepted_at=ticket.accepted_at,
        resolved_at=ticket.resolved_at, closed_at=ticket.closed_at, suspended_at=ticket.suspended_at,
        deadlines={kind: _deadline(ticket, kind, config=config, now=now) for kind in clock.KINDS},
        emergency=_emergency(ticket, config),
    )
    if detail and session is not None:
        entries = ticket_service.timeline(session=session, ticket_id=ticket.id)
        departments = _actor_departments(session, config, entries)
        body.timeline = [TimelineEntryPublic(at=e.at, action=e.action, actor=e.actor_name, actor_role=e.actor_role,
                                             actor_department_name=departments.get(e.actor_id),
                                             from_status=e.from_status, to_status=e.to_status, note=e.note,
                                             data=e.data)
                         for e in entries]
        changes = session.exec(select(DeadlineChange).where(DeadlineChange.ticket_id == ticket.id)
                               .order_by(col(DeadlineChange.id))).all()
        body.deadline_history = [DeadlineChangePublic(deadline=c.deadline, old_at=c.old_at, new_at=c.new_at,
                                                      reason=c.reason, at=c.at) for c in changes]
        photos = session.exec(select(Photo).where(Photo.ticket_id == ticket.id).order_by(col(Photo.id))).all()
        body.photos = [PhotoPublic(id=p.id, stage=p.stage, content_type=p.content_type, size=p.size,
                                   sha256=p.sha256, uploaded_at=p.uploaded_at,
                                   url=url_for("ticket_actions.get_photo", ticket_id=ticket.id, photo_id=p.id),
                                   thumb_url=url_for("ticket_actions.get_thumbnail", ticket_id=ticket.id,
                                                     photo_id=p.id))
                       for p in photos]
        body.assists = [AssistTaskPublic(**assist_public(t, config=config, now=now))
                        for t in joint.tasks_of(session=session, ticket_id=ticket.id)]
    exclude = None if detail else {"timeline", "deadline_history", "photos", "assists"}
    return body.model_dump(mode="json", exclude=exclude)
