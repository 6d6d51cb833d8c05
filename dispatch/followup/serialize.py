"""Turn 回访 rows into their public shape (schemas.FollowupPublic, ReopenRequestPublic)."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from dispatch.followup import service
from dispatch.followup.models import Followup, FollowupVisit
from dispatch.followup.schemas import FollowupPublic, ReopenRequestPublic, VisitPublic
from dispatch.street.config import StreetConfig
from dispatch.tickets.models import ReopenRequest, Ticket
from dispatch.users.models import User


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.display_name, User.username).where(col(User.id).in_(ids))).all()
    return {uid: display or username for uid, display, username in rows}


def _requests(session: Session, visit_ids: set[int]) -> dict[int, str]:
    if not visit_ids:
        return {}
    rows = session.exec(select(ReopenRequest.visit_id, ReopenRequest.status)
                        .where(col(ReopenRequest.visit_id).in_(visit_ids))).all()
    return dict(rows)


def _name(mapping: dict, code: str | None) -> str | None:
    found = mapping.get(code) if code else None
    return found.name if found is not None else None


def followups_public(rows: list[tuple[Followup, Ticket, FollowupVisit | None]], *, session: Session,
                     config: StreetConfig, now: datetime) -> list[dict]:
    """The 回访 of `rows` (each with its ticket and visit), JSON-ready."""
    names = _names(session, {v.actor_id for _, _, v in rows if v is not None})
    requests = _requests(session, {v.id for _, _, v in rows if v is not None})
    zones = config.zone_names()
    found = []
    for task, ticket, visit in rows:
        left = service.time_left(task, now=now, config=config)
        category = config.categories.get(ticket.category)
        found.append(FollowupPublic(
            id=task.id, ticket_id=ticket.id, number=ticket.number, status=ticket.status, category=ticket.category,
            category_name=category.name if category else ticket.category, description=ticket.description,
            address=ticket.address, zone=task.zone, zone_name=zones.get(task.zone) if task.zone else None,
            department=ticket.department, department_name=_name(config.departments, ticket.department),
            source=ticket.source, closure=task.closure, reason=task.reason, opened_at=task.opened_at,
            due_at=task.due_at, limit=task.due_limit, remaining_minutes=None if left is None else round(left, 1),
            overdue=task.done_at is None and now > task.due_at, escalation_level=task.escalation_level,
            done_at=task.done_at,
            visit=None if visit is None else VisitPublic(
                id=visit.id, at=visit.at, actor=names.get(visit.actor_id, ""), actor_role=visit.actor_role,
                reached=visit.reached, rating=visit.rating, note=visit.note),
            reopen_request=requests.get(visit.id) if visit is not None else None,
        ).model_dump(mode="json"))
    return found


def of_ticket(ticket: Ticket, *, session: Session, config: StreetConfig, now: datetime) -> list[dict]:
    """A ticket's 回访, oldest first."""
    return followups_public([(task, ticket, visit) for task, visit in service.of_ticket(session=session,
                                                                                       ticket_id=ticket.id)],
                            session=session, config=config, now=now)


def reopen_requests_public(rows: list[tuple[ReopenRequest, Ticket]], *, session: Session,
                           config: StreetConfig) -> list[dict]:
    """The waiting reopen requests, JSON-ready."""
    names = _names(session, {r.requested_by for r, _ in rows})
    zones = config.zone_names()
    return [ReopenRequestPublic(
        id=r.id, ticket_id=t.id, number=t.number,
        category_name=_name(config.categories, t.category) or t.category,
        zone_name=zones.get(t.zone) if t.zone else None, department_name=_name(config.departments, t.department),
        reason=r.reason, requested_at=r.requested_at, requested_by=names.get(r.requested_by, ""),
        visit_id=r.visit_id).model_dump(mode="json") for r, t in rows]
