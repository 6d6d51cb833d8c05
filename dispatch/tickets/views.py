"""Ticket reading over HTTP: list with filters, one ticket with its timeline."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from dispatch import clock, db
from dispatch.auth import require_user
from dispatch.errors import ApiError
from dispatch.query import parse_query
from dispatch.tickets import service as ticket_service
from dispatch.tickets import visibility
from dispatch.tickets.filters import TicketsQuery, service_filters
from dispatch.tickets.models import Ticket
from dispatch.tickets.serialize import ticket_public

bp = Blueprint("tickets", __name__, url_prefix="/api/v1")

MAX_TICKET_ID = 2**31 - 1  # ids are INTEGER columns; a larger id in the URL cannot exist


@bp.get("/tickets")
def list_tickets():
    """Tickets the caller may see, filtered and paged as `TicketsQuery` says (dispatch/tickets/filters.py)."""
    user = require_user()
    config, now = current_app.extensions["street_config"], clock.now()
    query = parse_query(TicketsQuery, context={"timezone": config.calendar.timezone})
    filters = service_filters(query, config=config, user_id=user.id, now=now)
    rows, total = ticket_service.query(session=db.session(), user=user, filters=filters,
                                       limit=query.limit, offset=query.offset)
    return jsonify({"data": [ticket_public(t, config=config, now=now) for t in rows], "count": total,
                    "limit": query.limit, "offset": query.offset})


def visible_ticket(ticket_id: int) -> Ticket:
    """The ticket if the caller may read it (a department also one it held before); 404 otherwise."""
    user = require_user()
    ticket = (visibility.readable(session=db.session(), ticket_id=ticket_id, user=user)
              if ticket_id <= MAX_TICKET_ID else None)
    if ticket is None:
        raise ApiError(404, "not_found", f"no ticket {ticket_id}")
    return ticket


@bp.get("/tickets/<int:ticket_id>")
def get_ticket(ticket_id: int):
    """One ticket with its timeline (留痕), deadline history and photos."""
    ticket = visible_ticket(ticket_id)
    config = current_app.extensions["street_config"]
    return jsonify({"ticket": ticket_public(ticket, config=config, now=clock.now(), session=db.session(),
                                            detail=True)})
