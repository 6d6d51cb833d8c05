"""Ticket reading over HTTP: list with filters, one ticket with its timeline."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request

from dispatch import clock, db
from dispatch.auth import require_user
from dispatch.errors import ApiError
from dispatch.query import restore_plus
from dispatch.tickets import service as ticket_service
from dispatch.tickets.models import Status, Ticket
from dispatch.tickets.serialize import ticket_public

bp = Blueprint("tickets", __name__, url_prefix="/api/v1")

MAX_LIMIT = 500
MAX_TICKET_ID = 2**31 - 1  # ids are INTEGER columns; a larger id in the URL cannot exist


def _csv_arg(name: str, allowed: set[str] | None = None) -> list[str] | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    values = [v.strip() for v in raw.split(",") if v.strip()]
    if allowed is not None:
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ApiError(400, "invalid_filter", f"{name}: unknown value(s) {', '.join(unknown)}")
    return values


def _int_arg(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "invalid_filter", f"{name} must be an integer") from None
    if not lo <= value <= hi:
        raise ApiError(400, "invalid_filter", f"{name} must be between {lo} and {hi}")
    return value


def _time_arg(name: str) -> datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(restore_plus(raw))
        if value.tzinfo is None:
            config = current_app.extensions["street_config"]
            value = value.replace(tzinfo=config.calendar.timezone)  # naive: local (Asia/Shanghai) time
        value = value.astimezone(UTC)  # OverflowError at the ends of the calendar (year 1 / 9999)
    except (ValueError, OverflowError):
        raise ApiError(400, "invalid_filter", f"{name} must be an ISO-8601 date-time") from None
    return value


def _flag_arg(name: str) -> bool:
    """A yes/no filter: 1/true or 0/false (absent: false); anything else → 400."""
    raw = request.args.get(name)
    if raw is None or raw in ("0", "false"):
        return False
    if raw in ("1", "true"):
        return True
    raise ApiError(400, "invalid_filter", f"{name} must be 1, true, 0 or false")


def filters_from_request() -> dict:
    """Ticket list filters from the query string, each validated."""
    config = current_app.extensions["street_config"]
    filters = {
        "status": _csv_arg("status", {s.value for s in Status}),
        "zone": _csv_arg("zone", {z.code for z in config.zones}),
        "department": _csv_arg("department", set(config.departments)),
        "category": _csv_arg("category", set(config.categories)),
        "created_from": _time_arg("created_from"),
        "created_to": _time_arg("created_to"),
    }
    if _flag_arg("overdue"):
        filters["overdue_at"] = clock.now()
    if _flag_arg("supervised"):
        filters["supervised"] = True
    if _flag_arg("mine"):
        filters["reporter_id"] = require_user().id
    if _flag_arg("held"):
        filters["held"] = True
    if request.args.get("min_escalation_level") is not None:
        filters["min_escalation_level"] = _int_arg("min_escalation_level", 0, 0, 9)
    return filters


@bp.get("/tickets")
def list_tickets():
    """Tickets the caller may see: ?status=&zone=&department=&category=&created_from=&created_to=&limit=&offset="""
    user = require_user()
    limit = _int_arg("limit", 50, 1, MAX_LIMIT)
    offset = _int_arg("offset", 0, 0, 10**9)
    rows, total = ticket_service.query(session=db.session(), user=user, filters=filters_from_request(),
                                       limit=limit, offset=offset)
    config, now = current_app.extensions["street_config"], clock.now()
    return jsonify({"data": [ticket_public(t, config=config, now=now) for t in rows], "count": total,
                    "limit": limit, "offset": offset})


def visible_ticket(ticket_id: int) -> Ticket:
    """The ticket if the caller may read it (a department also one it held before); 404 otherwise."""
    user = require_user()
    ticket = ticket_service.get(session=db.session(), ticket_id=ticket_id) if ticket_id <= MAX_TICKET_ID else None
    if ticket is None or not ticket_service.can_read(session=db.session(), user=user, ticket=ticket):
        raise ApiError(404, "not_found", f"no ticket {ticket_id}")
    return ticket


@bp.get("/tickets/<int:ticket_id>")
def get_ticket(ticket_id: int):
    """One ticket with its timeline (留痕), deadline history and photos."""
    ticket = visible_ticket(ticket_id)
    config = current_app.extensions["street_config"]
    return jsonify({"ticket": ticket_public(ticket, config=config, now=clock.now(), session=db.session(),
                                            detail=True)})
