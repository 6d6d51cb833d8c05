"""Follow-up visits (回访) over HTTP: the lists, recording a visit, a ticket's 回访, the reopen requests.

Approving or declining a reopen request is an action on the ticket (POST /api/v1/tickets/<id>/actions,
`reopen` / `decline_reopen`: the transition table decides it).
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from dispatch import clock, db
from dispatch.auth import require_user, roles_required
from dispatch.errors import ApiError
from dispatch.followup import serialize, service
from dispatch.followup.schemas import FollowupsQuery, VisitRequest
from dispatch.query import parse_query
from dispatch.tickets.views import MAX_TICKET_ID, visible_ticket
from dispatch.users.models import Role
from dispatch.validation import parse_json

bp = Blueprint("followup", __name__, url_prefix="/api/v1")


@bp.get("/followups")
def list_followups():
    """The 回访 the caller records: an inspector its zone's, the command center every zone's (?zone=)."""
    user = require_user()
    config, now = current_app.extensions["street_config"], clock.now()
    query = parse_query(FollowupsQuery)
    if query.zone is not None and query.zone not in config.zone_names():
        raise ApiError(400, "invalid_filter", f"zone: unknown value {query.zone}")
    session = db.session()
    rows, total = service.listing(session=session, user=user, state=query.state, now=now, zone=query.zone)
    return jsonify({"data": serialize.followups_public(rows, session=session, config=config, now=now),
                    "count": total})


@bp.post("/followups/<int:followup_id>/visit")
def record_visit(followup_id: int):
    """Record the 回访 (once): reached or 未联系上, 满意 / 基本满意 / 不满意, a note."""
    user = require_user()
    body = parse_json(VisitRequest)
    session = db.session()
    task = service.get(session=session, followup_id=followup_id) if followup_id <= MAX_TICKET_ID else None
    if task is None:
        raise ApiError(404, "not_found", f"no 回访 {followup_id}")
    config, now = current_app.extensions["street_config"], clock.now()
    service.record_visit(session=session, config=config, task=task, actor=user, reached=body.reached,
                         rating=body.rating, note=body.note, now=now)
    rows = [(t, ticket, v) for t, ticket, v in service.listing(session=session, user=user, state="all", now=now,
                                                                limit=1, ids=(task.id,))[0]]
    return jsonify({"followup": serialize.followups_public(rows, session=session, config=config, now=now)[0]}), 201


@bp.get("/tickets/<int:ticket_id>/followups")
def ticket_followups(ticket_id: int):
    """A ticket's 回访 with their visits, to whoever may read the ticket."""
    ticket = visible_ticket(ticket_id)
    config, now = current_app.extensions["street_config"], clock.now()
    return jsonify({"data": serialize.of_ticket(ticket, session=db.session(), config=config, now=now)})


@bp.get("/reopen-requests")
@roles_required(Role.command, Role.admin)
def reopen_requests():
    """The 不满意 回访's requests to reopen their tickets as rework, waiting for the command center."""
    session = db.session()
    rows = service.reopen_requests(session=session)
    return jsonify({"data": serialize.reopen_requests_public(rows, session=session,
                                                             config=current_app.extensions["street_config"]),
                    "count": len(rows)})
