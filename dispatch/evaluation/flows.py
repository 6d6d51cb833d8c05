"""The 居委's evaluation (评价) of a closed ticket, and the command center's decision on a 复核 request.

Each writes one timeline step (留痕) through the tickets service; 复核返工 is the transition table's
`review_rework`, taken through `tickets.flows.perform` (which restarts the clock through tickets.clock).
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from dispatch.errors import ApiError
from dispatch.evaluation import service as evaluation_service
from dispatch.evaluation.models import Evaluation, Grade, ReviewRequest
from dispatch.evaluation.schemas import EvaluationCreate, ReviewDecision
from dispatch.street.config import StreetConfig
from dispatch.text import is_blank
from dispatch.tickets import flows as ticket_flows
from dispatch.tickets import service as ticket_service
from dispatch.tickets import visibility
from dispatch.tickets.models import Status, Ticket
from dispatch.tickets.schemas import ActionRequest
from dispatch.users.models import Role, User

log = logging.getLogger(__name__)

GRADE_WORDS = {Grade.satisfied: "满意", Grade.basically_satisfied: "基本满意", Grade.dissatisfied: "不满意"}


def evaluate(*, session: Session, config: StreetConfig, ticket: Ticket, actor: User, body: EvaluationCreate,
             now: datetime) -> tuple[Evaluation, ReviewRequest | None]:
    """Record the 居委's evaluation of `ticket` (once, within the window); an 不满意 处置 with a note opens a 复核.

    403 unless `actor` is a 居委 of the ticket's 居民区; 409 not_closed, already_evaluated or
    evaluation_window_closed (the ticket then counts as 未评价).
    """
    if not visibility.can_evaluate(actor, ticket):
        raise ApiError(403, "forbidden", "only a 居委 of the ticket's 居民区 evaluates it")
    if ticket.status != Status.closed:
        raise ApiError(409, "not_closed", f"only a closed ticket is evaluated; this one is {ticket.status}",
                       status=ticket.status)
    if evaluation_service.of_ticket(session=session, ticket_id=ticket.id) is not None:
        raise ApiError(409, "already_evaluated", "the ticket has been evaluated; an evaluation is given once",
                       status=ticket.status)
    ends = evaluation_service.window_ends(ticket, config=config)
    if now >= ends:
        raise ApiError(409, "evaluation_window_closed",
                       f"the evaluation window ({config.evaluation.committee_window} after 结案) ended "
                       f"{ends.isoformat()}: the ticket counts as 未评价", status=ticket.status,
                       window_ends_at=ends.isoformat())
    note = None if is_blank(body.note) else body.note.strip()
    evaluation = Evaluation(ticket_id=ticket.id, committee=ticket.committee, department=ticket.department,
                            responsiveness=body.responsiveness, handling=body.handling, note=note,
                            evaluator_id=actor.id, at=now)
    session.add(evaluation)
    try:
        session.flush()
    except IntegrityError:  # another evaluation of the same ticket won
        session.rollback()
        raise ApiError(409, "already_evaluated", "the ticket has been evaluated; an evaluation is given once",
                       status=Status.closed) from None
    words = f"响应度{GRADE_WORDS[Grade(body.responsiveness)]}，处置{GRADE_WORDS[Grade(body.handling)]}"
    ticket_service.record(session=session, ticket=ticket, action="evaluate", now=now, actor=actor,
                          from_status=ticket.status, to_status=ticket.status,
                          note=f"{words}" + (f"：{note}" if note else ""),
                          data={"evaluation": evaluation.id, "responsiveness": body.responsiveness,
                                "handling": body.handling, "committee": ticket.committee})
    review = None
    if body.handling == Grade.dissatisfied and note:
        review = ReviewRequest(ticket_id=ticket.id, evaluation_id=evaluation.id, committee=ticket.committee,
                               note=note, requested_at=now)
        session.add(review)
        session.flush()
        ticket_service.record(session=session, ticket=ticket, action="request_review", now=now, actor=actor,
                              from_status=ticket.status, to_status=ticket.status, note=note,
                              data={"review": review.id})
    session.commit()
    log.info("ticket %s evaluated by %s (%s / %s)%s", ticket.number, actor.username, body.responsiveness,
             body.handling, " — 复核 requested" if review else "")
    return evaluation, review


def decide_review(*, session: Session, config: StreetConfig, review: ReviewRequest, ticket: Ticket, actor: User,
                  body: ReviewDecision, now: datetime) -> ReviewRequest:
    """The command center's decision on a 复核: 复核返工 (back to the same department) or dismissed with a reason."""
    if actor.role not in (Role.command, Role.admin):
        raise ApiError(403, "forbidden", "the command center decides a 复核 request")
    if review.status != "pending":
        raise ApiError(409, "review_decided", f"the 复核 request was already decided ({review.status})",
                       status=ticket.status)
    reason = body.reason.strip()
    if is_blank(reason):
        raise ApiError(422, "validation_error", "reason: say why")
    review.decided_by, review.decided_at, review.decision_reason = actor.id, now, reason
    if body.decision == "rework":
        review.status = "rework"
        session.add(review)
        request = ActionRequest.model_construct(action="review_rework", reason=reason, note=None,
                                                version=body.version, department=None, passed=None,
                                                hours=None, days=None)
        ticket_flows.perform(session=session, config=config, ticket=ticket, actor=actor, request=request,
                             now=now, via="review")  # commits the decision with the move
        return review
    review.status = "dismissed"
    session.add(review)
    ticket_service.record(session=session, ticket=ticket, action="dismiss_review", now=now, actor=actor,
                          from_status=ticket.status, to_status=ticket.status, note=reason,
                          data={"review": review.id})
    session.commit()
    log.info("ticket %s: 复核 %d dismissed by %s", ticket.number, review.id, actor.username)
    return review
