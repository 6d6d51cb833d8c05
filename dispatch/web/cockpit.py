"""Command-center cockpit (驾驶舱) /cockpit/: the big screen, and the JSON feed it redraws from.

``GET /cockpit/feed.json?zone=`` returns everything the page draws, built by ``cockpit_service.feed``
(which documents where the figures come from) at most once per ``COCKPIT_SNAPSHOT_SECONDS`` by one worker and
shared by every screen (dispatch.cockpit.snapshot). The page polls every few seconds; the feed is answered with
the snapshot's version as its ETag, and ``304 Not Modified`` on a matching If-None-Match before anything is read
but the snapshot's head (web.conditional).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from dispatch import clock, db
from dispatch.cockpit import snapshot
from dispatch.auth import require_user, roles_required
from dispatch.emergency import review as emergency_review
from dispatch.emergency import service as emergency_service
from dispatch.errors import ApiError
from dispatch.street.config import StreetConfig
from dispatch.users.models import Role
from dispatch.web import cockpit_service
from dispatch.web.conditional import json_with_known_etag
from dispatch.web.guard import page_for_roles

bp = Blueprint("cockpit", __name__, url_prefix="/cockpit")


@bp.record_once
def _strict_csp(state) -> None:
    """These pages load only same-origin scripts: opt in to the strict Content-Security-Policy."""
    state.app.config.setdefault("CSP_BLUEPRINTS", set()).add(bp.name)

COCKPIT_ROLES = (Role.command, Role.admin)


def _zone_arg(config: StreetConfig) -> str | None:
    zone = request.args.get("zone") or None
    if zone is not None and zone not in cockpit_service.zone_names(config=config):
        raise ApiError(400, "invalid_filter", f"zone: unknown value {zone}")
    return zone


@bp.get("/")
@page_for_roles(*COCKPIT_ROLES)
def index():
    """The big screen (1920×1080, dark); it draws from feed.json."""
    return render_template("cockpit/index.html", user=require_user())


@bp.get("/feed.json")
@roles_required(*COCKPIT_ROLES)
def feed_json():
    """Everything the cockpit draws: ?zone= limits figures, charts, lists and points to one zone."""
    config = current_app.extensions["street_config"]
    zone, now, session = _zone_arg(config), clock.now(), db.session()
    found, built = snapshot.current(
        session=session, config=config, now=now, zone=zone,
        interval=current_app.config.get("COCKPIT_SNAPSHOT_SECONDS", snapshot.DEFAULT_INTERVAL),
        build=lambda: cockpit_service.feed_and_stats(session=session, config=config, now=now, zone=zone))
    return json_with_known_etag(found.version, lambda: built or snapshot.body(session=session, zone=zone))


@bp.get("/emergencies/<int:emergency_id>/review")
@page_for_roles(*COCKPIT_ROLES)
def emergency_review_page(emergency_id: int):
    """复盘 of an emergency as a printable page (A4 print CSS); a draft while it is still active."""
    emergency = emergency_service.get(session=db.session(), emergency_id=emergency_id) \
        if emergency_id <= 2**31 - 1 else None
    if emergency is None:
        abort(404)
    data = emergency_review.build(emergency, session=db.session(), config=current_app.extensions["street_config"],
                                  now=clock.now())
    headers = {"log": emergency_review.LOG_HEADERS, "checkins": emergency_review.CHECKIN_HEADERS,
               "tickets": emergency_review.TICKET_HEADERS}
    return render_template("cockpit/review.html", review=data, headers=headers)
