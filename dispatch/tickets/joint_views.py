"""吹哨报到 over HTTP: GET /api/v1/assists, the assist tasks a department works on (its 协办 queue) or the
command center watches. The actions themselves are POST /tickets/<id>/actions (tickets.actions_views)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from dispatch import clock, db
from dispatch.auth import require_user, roles_required
from dispatch.errors import ApiError
from dispatch.query import parse_query
from dispatch.tickets import joint
from dispatch.tickets.filters import AssistsQuery
from dispatch.tickets.serialize import assist_public
from dispatch.users.models import Role

bp = Blueprint("assists", __name__, url_prefix="/api/v1")


@bp.get("/assists")
@roles_required(Role.department, Role.command, Role.admin)
def list_assists():
    """A department's assist tasks (its own), or the command center's view of all (?department= narrows)."""
    user = require_user()
    config, now = current_app.extensions["street_config"], clock.now()
    query = parse_query(AssistsQuery)
    if query.department is not None and not config.has_desk(query.department):
        raise ApiError(400, "invalid_parameter", f"department: {query.department!r} is not a department with a desk")
    department = user.department if user.role == Role.department else query.department  # a department: its own
    rows = joint.listed(session=db.session(), department=department, open_only=query.state == "open")
    data = []
    for ticket, task in rows:
        lead = config.departments.get(ticket.department) if ticket.department else None
        data.append({**assist_public(task, config=config, now=now), "ticket_id": ticket.id, "number": ticket.number,
                     "ticket_status": ticket.status, "lead": ticket.department,
                     "lead_name": lead.name if lead else None})
    return jsonify({"data": data, "count": len(data)})
