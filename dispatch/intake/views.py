"""POST /api/v1/events: an inspector reports an event (事件上报)."""
from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, request

from dispatch import clock, db
from dispatch.auth import current_user, roles_required
from dispatch.errors import ApiError
from dispatch.intake import flows
from dispatch.intake.models import IDEMPOTENCY_KEY_PATTERN, EventCreate
from dispatch.tickets.serialize import ticket_public
from dispatch.users.models import Role
from dispatch.validation import parse_json

bp = Blueprint("intake", __name__, url_prefix="/api/v1")


def idempotency_key() -> str | None:
    """The Idempotency-Key header, checked (1–200 printable ASCII characters, none blank at an end) or None."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
        raise ApiError(400, "invalid_idempotency_key",
                       "Idempotency-Key must be 1–200 printable ASCII characters (no space at either end)")
    return key


@bp.post("/events")
@roles_required(Role.inspector, Role.command, Role.committee)
def create_event():
    """Report an event (a 居委's report is an 约请); 201 with the new ticket, 200 with the same ticket on an
    Idempotency-Key replay."""
    key = idempotency_key()
    event = parse_json(EventCreate)
    config = current_app.extensions["street_config"]
    now = clock.now()
    result = flows.report_event(session=db.session(), config=config, reporter=current_user(), event=event,
                                now=now, idempotency_key=key)
    body = {"ticket": ticket_public(result.ticket, config=config, now=now)}
    return jsonify(body), 201 if result.created else 200
