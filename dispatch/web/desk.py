"""Department desk (部门工作台) /desk/: a department's queues and the ticket page with its actions.

The views here parse the request and answer it; the queues, the deadline state and the rows they are
drawn from are built in ``desk_service`` (which also documents the queues).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from dispatch import clock, db
from dispatch.auth import require_user, roles_required
from dispatch.errors import ApiError
from dispatch.tickets import visibility
from dispatch.tickets.models import Ticket
from dispatch.tickets.views import MAX_TICKET_ID
from dispatch.users.models import Role, User
from dispatch.web import desk_service
from dispatch.web.conditional import json_with_etag
from dispatch.web.guard import page_for_roles

bp = Blueprint("desk", __name__, url_prefix="/desk")


@bp.record_once
def _strict_csp(state) -> None:
    """These pages load only same-origin scripts: opt in to the strict Content-Security-Policy."""
    state.app.config.setdefault("CSP_BLUEPRINTS", set()).add(bp.name)

DESK_ROLES = (Role.department, Role.command, Role.admin)


def _scope(user: User) -> str | None:
    """The department whose desk this is: a department user's own; for the command center ?department= or all."""
    if user.role == Role.department:
        if not user.department:
            raise ApiError(403, "forbidden", "this department user has no department")
        return user.department
    code = request.args.get("department") or None
    if code is not None and code not in current_app.extensions["street_config"].departments:
        raise ApiError(400, "invalid_filter", f"department: unknown value {code}")
    return code


def _desk_ticket(ticket_id: int, user: User) -> Ticket | None:
    """The ticket of the URL if the user may see it (an id no INTEGER column can hold is never looked up)."""
    if ticket_id > MAX_TICKET_ID:
        return None
    return visibility.readable(session=db.session(), ticket_id=ticket_id, user=user)


@bp.get("/")
@page_for_roles(*DESK_ROLES)
def index():
    """The desk: queue tabs with counts; the list is drawn from queues.json."""
    user = require_user()
    config = current_app.extensions["street_config"]
    chosen = request.args.get("department") if user.role != Role.department else None
    return render_template("desk/index.html", user=user, departments=desk_service.departments_public(config=config),
                           queues=desk_service.queue_labels(user=user),
                           department=chosen if chosen in config.departments else None)


@bp.get("/queues.json")
@roles_required(*DESK_ROLES)
def queues_json():
    """Every queue of the desk: ?department= (command center only; a department always sees its own)."""
    user = require_user()
    config = current_app.extensions["street_config"]
    return json_with_etag(desk_service.queues_public(session=db.session(), config=config, department=_scope(user),
                                                     now=clock.now(), user=user))


@bp.get("/tickets/<int:ticket_id>")
@page_for_roles(*DESK_ROLES)
def ticket_page(ticket_id: int):
    """One ticket: map, photos, timeline (留痕), deadlines and the allowed actions."""
    user = require_user()
    ticket = _desk_ticket(ticket_id, user)
    if ticket is None:
        abort(404, description=f"工单 {ticket_id} 不存在或无权查看")
    config = current_app.extensions["street_config"]
    return render_template("desk/ticket.html", user=user, ticket_id=ticket.id, number=ticket.number,
                           departments=desk_service.departments_public(config=config))


@bp.get("/tickets/<int:ticket_id>.json")
@roles_required(*DESK_ROLES)
def ticket_json(ticket_id: int):
    """The ticket in detail, its deadline state, and the actions this user may take on it now."""
    user = require_user()
    ticket = _desk_ticket(ticket_id, user)
    if ticket is None:
        raise ApiError(404, "not_found", f"no ticket {ticket_id}")
    config = current_app.extensions["street_config"]
    return jsonify(desk_service.ticket_detail(ticket, session=db.session(), config=config, now=clock.now(), user=user))
