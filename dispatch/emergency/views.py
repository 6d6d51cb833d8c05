"""The emergency API (应急指挥): /api/v1/emergencies …"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from dispatch import clock, db
from dispatch.auth import require_user, roles_required
from dispatch.emergency import flows, review, service
from dispatch.emergency.schemas import (Declare, EmergenciesQuery, EndRequest, LevelChange, PullIn,
                                        ReleaseRequest)
from dispatch.emergency.serialize import checkin_public, emergency_public, plan_public
from dispatch.errors import ApiError
from dispatch.query import parse_query
from dispatch.tickets import service as ticket_service
from dispatch.users.models import Role
from dispatch.validation import parse_json

bp = Blueprint("emergency", __name__, url_prefix="/api/v1")

COMMAND = (Role.command, Role.admin)
MAX_ID = 2**31 - 1


def _config():
    return current_app.extensions["street_config"]


def _emergency(emergency_id: int):
    found = service.get(session=db.session(), emergency_id=emergency_id) if emergency_id <= MAX_ID else None
    if found is None:
        raise ApiError(404, "not_found", f"no emergency {emergency_id}")
    return found


def _envelope(emergency, *, status: int = 200):
    user = require_user()
    commands = user.role in COMMAND
    body = emergency_public(emergency, session=db.session(), config=_config(), now=clock.now(), detail=commands,
                            candidates=commands)
    return jsonify({"emergency": body}), status


@bp.get("/emergencies/plans")
def plans():
    """The 预案 of config/emergencies.toml."""
    require_user()
    config = _config()
    return jsonify({"data": [plan_public(p, config).model_dump(mode="json") for p in config.emergencies.values()]})


@bp.get("/emergencies")
def listing():
    """Emergencies, newest first (?status=active|ended): their level, area, counts and 到岗 state."""
    require_user()
    query = parse_query(EmergenciesQuery)
    session, config, now = db.session(), _config(), clock.now()
    rows = [emergency_public(e, session=session, config=config, now=now)
            for e in service.listing(session=session, status=query.status)]
    return jsonify({"data": rows, "count": len(rows)})


@bp.post("/emergencies")
@roles_required(*COMMAND)
def declare():
    """启动应急 (command center, admin)."""
    body = parse_json(Declare)
    emergency = flows.declare(session=db.session(), config=_config(), actor=require_user(), body=body,
                              now=clock.now())
    return _envelope(emergency, status=201)


@bp.get("/emergencies/<int:emergency_id>")
def detail(emergency_id: int):
    """One emergency; the command center and admins also get its record, tickets and what may be pulled in."""
    return _envelope(_emergency(emergency_id))


@bp.post("/emergencies/<int:emergency_id>/level")
@roles_required(*COMMAND)
def level(emergency_id: int):
    """升级 / 降级."""
    body = parse_json(LevelChange)
    emergency = flows.change_level(session=db.session(), config=_config(), emergency=_emergency(emergency_id),
                                   actor=require_user(), level=body.level, note=body.note, now=clock.now())
    return _envelope(emergency)


@bp.post("/emergencies/<int:emergency_id>/end")
@roles_required(*COMMAND)
def end(emergency_id: int):
    """结束应急: the 复盘 becomes final (page and xlsx)."""
    body = parse_json(EndRequest)
    emergency = flows.end(session=db.session(), config=_config(), emergency=_emergency(emergency_id),
                          actor=require_user(), note=body.note, now=clock.now())
    return _envelope(emergency)


def _ticket(ticket_id: int):
    ticket = ticket_service.get(session=db.session(), ticket_id=ticket_id) if ticket_id <= MAX_ID else None
    if ticket is None:
        raise ApiError(404, "not_found", f"no ticket {ticket_id}")
    return ticket


@bp.post("/emergencies/<int:emergency_id>/tickets")
@roles_required(*COMMAND)
def pull_in(emergency_id: int):
    """纳入应急: an open ticket of the 预案's categories in the area takes the 预案's limits from now."""
    body = parse_json(PullIn)
    emergency = _emergency(emergency_id)
    flows.pull_in(session=db.session(), config=_config(), emergency=emergency, ticket=_ticket(body.ticket),
                  actor=require_user(), now=clock.now())
    return _envelope(emergency)


@bp.post("/emergencies/<int:emergency_id>/tickets/<int:ticket_id>/release")
@roles_required(*COMMAND)
def release(emergency_id: int, ticket_id: int):
    """移出应急: the ticket's deadlines are counted again under its category's limits."""
    body = parse_json(ReleaseRequest)
    emergency = _emergency(emergency_id)
    flows.release(session=db.session(), config=_config(), emergency=emergency, ticket=_ticket(ticket_id),
                  actor=require_user(), note=body.note, now=clock.now())
    return _envelope(emergency)


@bp.post("/emergencies/<int:emergency_id>/checkin")
@roles_required(Role.department)
def checkin(emergency_id: int):
    """到岗: the signed-in department user reports the department on duty."""
    now = clock.now()
    done = flows.check_in(session=db.session(), config=_config(), emergency=_emergency(emergency_id), actor=require_user(), now=now)
    return jsonify({"checkin": checkin_public(done, _config(), now=now).model_dump(mode="json")})


@bp.get("/emergencies/<int:emergency_id>/review.xlsx")
@roles_required(*COMMAND)
def review_xlsx(emergency_id: int):
    """复盘 as a workbook: the record, the tickets and their times, the 到岗."""
    emergency = _emergency(emergency_id)
    data = review.build(emergency, session=db.session(), config=_config(), now=clock.now())
    return Response(review.xlsx(data), mimetype=review.XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="emergency-{emergency.id}-review.xlsx"'})
