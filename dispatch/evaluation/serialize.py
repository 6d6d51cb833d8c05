"""Evaluations (评价) and 复核 requests in their public shape."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from dispatch.evaluation import service as evaluation_service
from dispatch.evaluation.models import Evaluation, ReviewRequest
from dispatch.evaluation.schemas import AwaitingTicket, EvaluationPublic, ReviewPublic, TicketEvaluation
from dispatch.street.config import StreetConfig
from dispatch.tickets import visibility
from dispatch.tickets.models import Ticket
from dispatch.users.models import User


def _committee_name(config: StreetConfig, code: str | None) -> str | None:
    committee = config.committees.by_code.get(code) if code else None
    return committee.name if committee else None


def evaluation_public(evaluation: Evaluation, *, session: Session, config: StreetConfig) -> dict:
    evaluator = session.get(User, evaluation.evaluator_id)
    return EvaluationPublic(
        id=evaluation.id, ticket_id=evaluation.ticket_id, committee=evaluation.committee,
        committee_name=_committee_name(config, evaluation.committee), department=evaluation.department,
        responsiveness=evaluation.responsiveness, handling=evaluation.handling, note=evaluation.note,
        evaluator=(evaluator.display_name or evaluator.username) if evaluator else "", at=evaluation.at,
    ).model_dump(mode="json")


def review_public(review: ReviewRequest, *, config: StreetConfig, ticket: Ticket | None = None) -> dict:
    department = config.departments.get(ticket.department) if ticket is not None and ticket.department else None
    return ReviewPublic(
        id=review.id, ticket_id=review.ticket_id, ticket_number=ticket.number if ticket is not None else None,
        committee=review.committee, committee_name=_committee_name(config, review.committee),
        department=ticket.department if ticket is not None else None,
        department_name=department.name if department else None, note=review.note, status=review.status,
        requested_at=review.requested_at, decided_at=review.decided_at, decision_reason=review.decision_reason,
    ).model_dump(mode="json")


def ticket_evaluation(ticket: Ticket, *, session: Session, config: StreetConfig, user: User, now: datetime) -> dict:
    """The evaluation state of one ticket as GET /api/v1/tickets/{id}/evaluation shows it."""
    evaluation = evaluation_service.of_ticket(session=session, ticket_id=ticket.id)
    state = evaluation_service.state(ticket, evaluation, config=config, now=now)
    remaining = evaluation_service.remaining_minutes(ticket, config=config, now=now)
    review = evaluation_service.latest_review(session=session, ticket_id=ticket.id)
    return TicketEvaluation(
        ticket_id=ticket.id, committee=ticket.committee, state=state,
        window_ends_at=evaluation_service.window_ends(ticket, config=config),
        remaining_minutes=None if remaining is None else round(remaining, 1),
        may_evaluate=state == evaluation_service.AWAITING and visibility.can_evaluate(user, ticket),
        evaluation=None if evaluation is None else evaluation_public(evaluation, session=session, config=config),
        review=None if review is None else review_public(review, config=config, ticket=ticket),
    ).model_dump(mode="json")


def awaiting_public(ticket: Ticket, *, config: StreetConfig, now: datetime) -> dict:
    category = config.categories.get(ticket.category)
    department = config.departments.get(ticket.department) if ticket.department else None
    return AwaitingTicket(
        id=ticket.id, number=ticket.number, category_name=category.name if category else ticket.category,
        department_name=department.name if department else None, description=ticket.description,
        address=ticket.address, source=ticket.source, closed_at=ticket.closed_at,
        window_ends_at=evaluation_service.window_ends(ticket, config=config),
        remaining_minutes=round(evaluation_service.remaining_minutes(ticket, config=config, now=now), 1),
    ).model_dump(mode="json")
