"""评价 and 复核 over HTTP: a 居委 evaluates a closed ticket; the command center decides a 复核 request."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from dispatch import clock, db
from dispatch.auth import require_user, roles_required
from dispatch.errors import ApiError
from dispatch.evaluation import flows
from dispatch.evaluation import service as evaluation_service
from dispatch.evaluation.schemas import EvaluationCreate, ReviewDecision, ReviewsQuery
from dispatch.evaluation.serialize import awaiting_public, evaluation_public, review_public, ticket_evaluation
from dispatch.query import parse_query
from dispatch.tickets import service as ticket_service
from dispatch.tickets.views import MAX_TICKET_ID, visible_ticket
from dispatch.users.models import Role
from dispatch.validation import parse_json

bp = Blueprint("evaluation", __name__, url_prefix="/api/v1")


@bp.get("/tickets/<int:ticket_id>/evaluation")
def get_evaluation(ticket_id: int):
    """The ticket's evaluation state: awaiting (with the time left), evaluated, 未评价, or not due."""
    user = require_user()
    ticket = visible_ticket(ticket_id)
    config = current_app.extensions["street_config"]
    return jsonify(ticket_evaluation(ticket, session=db.session(), config=config, user=user, now=clock.now()))


@bp.post("/tickets/<int:ticket_id>/evaluation")
@roles_required(Role.committee)
def evaluate(ticket_id: int):
    """评价: 响应度 and 处置, once, within the window; 201 with the evaluation and the 复核 it opened (or null)."""
    user = require_user()
    body = parse_json(EvaluationCreate)
    ticket = visible_ticket(ticket_id)
    config = current_app.extensions["street_config"]
    session = db.session()
    evaluation, review = flows.evaluate(session=session, config=config, ticket=ticket, actor=user, body=body,
                                        now=clock.now())
    return jsonify({"evaluation": evaluation_public(evaluation, session=session, config=config),
                    "review": None if review is None else review_public(review, config=config, ticket=ticket)}), 201


@bp.get("/evaluations/pending")
@roles_required(Role.committee)
def pending():
    """The closed tickets of the caller's 居民区 awaiting its evaluation, the window closing soonest first."""
    user = require_user()
    config, now = current_app.extensions["street_config"], clock.now()
    tickets = evaluation_service.awaiting(session=db.session(), config=config, committee=user.committee or "",
                                          now=now)
    return jsonify({"data": [awaiting_public(t, config=config, now=now) for t in tickets], "count": len(tickets),
                    "window": config.evaluation.committee_window})


@bp.get("/reviews")
@roles_required(Role.command, Role.admin)
def list_reviews():
    """复核 requests for the command center: ?status=pending (default), rework, dismissed or all."""
    query = parse_query(ReviewsQuery)
    config = current_app.extensions["street_config"]
    rows = evaluation_service.reviews(session=db.session(), status=None if query.status == "all" else query.status)
    return jsonify({"data": [review_public(r, config=config, ticket=t) for r, t in rows], "count": len(rows)})


@bp.post("/reviews/<int:review_id>/decision")
@roles_required(Role.command, Role.admin)
def decide(review_id: int):
    """Decide a 复核: rework (复核返工: closed → in_progress, the same department) or dismiss, with a reason."""
    user = require_user()
    body = parse_json(ReviewDecision)
    session = db.session()
    review = evaluation_service.review(session=session, review_id=review_id) if review_id <= MAX_TICKET_ID else None
    if review is None:
        raise ApiError(404, "not_found", f"no 复核 request {review_id}")
    ticket = ticket_service.get(session=session, ticket_id=review.ticket_id)
    config = current_app.extensions["street_config"]
    decided = flows.decide_review(session=session, config=config, review=review, ticket=ticket, actor=user,
                                  body=body, now=clock.now())
    return jsonify({"review": review_public(decided, config=config, ticket=ticket)})
