"""Department desk (部门工作台) /desk/: a department's queues and the ticket page with its actions.

The views here parse the request and answer it; the queues, the deadline state and the rows they are
drawn from are built in ``desk_service`` (which also documents the queues).
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request

from dispatch import clock, db, spreadsheet
from dispatch.auth import require_user, roles_required
from dispatch.errors import ApiError
from dispatch.query import parse_query
from dispatch.tickets import search, visibility
from dispatch.tickets import service as ticket_service
from dispatch.tickets.filters import TicketsQuery, service_filters
from dispatch.tickets.models import Ticket
from dispatch.tickets.views import MAX_TICKET_ID
from dispatch.users.models import Role, User
from dispatch.web import desk_service, list_export
from dispatch.web.conditional import json_with_etag
from dispatch.web.guard import page_for_roles, render_error_page

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


QUEUE_FILTERS = ("q", "zone", "category", "created_from", "created_to")  # what narrows a queue
PAGE_ARGS = ("tab", "format")  # the desk's own parameters beside the API's list filters


def _filters(user: User) -> tuple[TicketsQuery, dict]:
    """The list's query string (?q=&zone=&category=&status=&created_from=&created_to=&limit=&offset=, the
    API's own: dispatch/tickets/filters.py) and its filters; 400 invalid_filter for a bad one."""
    config = current_app.extensions["street_config"]
    query = parse_query(TicketsQuery, context={"timezone": config.calendar.timezone}, page_args=PAGE_ARGS)
    return query, service_filters(query, config=config, user_id=user.id, now=clock.now())


def _queue_filters(filters: dict) -> dict:
    return {name: filters[name] for name in QUEUE_FILTERS if filters.get(name)}


def _tab(user: User) -> str:
    """?tab=: one of this user's queues, or 历史 / 全部; 400 otherwise."""
    tab = request.args.get("tab") or "pending"
    if tab not in (*desk_service.queue_labels(user=user), *desk_service.LIST_TABS):
        raise ApiError(400, "invalid_filter", f"tab: unknown value {tab}")
    return tab


@bp.get("/")
@page_for_roles(*DESK_ROLES)
def index():
    """The desk: queue tabs with counts, 历史 and 全部; the lists are drawn from queues.json and list.json."""
    user = require_user()
    config = current_app.extensions["street_config"]
    chosen = request.args.get("department") if user.role != Role.department else None
    return render_template("desk/index.html", user=user, departments=desk_service.departments_public(config=config),
                           queues=desk_service.queue_labels(user=user), list_tabs=desk_service.LIST_TABS,
                           zones=config.zone_names(), categories=desk_service.categories_public(config=config),
                           history_statuses=desk_service.HISTORY_STATUSES,
                           department=chosen if chosen in config.departments else None)


@bp.get("/queues.json")
@roles_required(*DESK_ROLES)
def queues_json():
    """Every queue of the desk: ?department= (command center only; a department always sees its own), narrowed
    by ?q=&zone=&category=&created_from=&created_to=."""
    user = require_user()
    config = current_app.extensions["street_config"]
    _, filters = _filters(user)
    return json_with_etag(desk_service.queues_public(session=db.session(), config=config, department=_scope(user),
                                                     now=clock.now(), user=user, filters=_queue_filters(filters)))


@bp.get("/list.json")
@roles_required(*DESK_ROLES)
def list_json():
    """A page of 历史 (?tab=history: closed and cancelled) or 全部 (?tab=all): the tickets the user may read,
    newest first, filtered like GET /api/v1/tickets (?q=&status=&zone=&category=&created_from=&created_to=
    &limit=&offset=)."""
    user = require_user()
    tab = request.args.get("tab")
    if tab not in desk_service.LIST_TABS:
        raise ApiError(400, "invalid_filter", f"tab must be one of {', '.join(desk_service.LIST_TABS)}")
    query, filters = _filters(user)
    filters = desk_service.list_filters(filters, tab=tab, user=user, department=_scope(user))
    rows, total = desk_service.list_page(session=db.session(), config=current_app.extensions["street_config"],
                                         now=clock.now(), user=user, filters=filters, limit=query.limit,
                                         offset=query.offset)
    return json_with_etag({"tab": tab, "tickets": rows, "count": total, "limit": query.limit,
                           "offset": query.offset, "workday_minutes": None})


@bp.get("/export")
@roles_required(*DESK_ROLES)
def export():
    """The desk's current list as a file: ?tab= (a queue, history or all) &format=xlsx|csv, with the list's
    filters; at most list_export.MAX_ROWS tickets."""
    user = require_user()
    tab, fmt = _tab(user), request.args.get("format") or "xlsx"
    if fmt not in spreadsheet.FORMATS:
        raise ApiError(400, "invalid_filter", "format must be xlsx or csv")
    config, now = current_app.extensions["street_config"], clock.now()
    _, filters = _filters(user)
    department = _scope(user)
    if tab in desk_service.LIST_TABS:
        filters = desk_service.list_filters(filters, tab=tab, user=user, department=department)
        rows, total = desk_service.list_page(session=db.session(), config=config, now=now, user=user,
                                             filters=filters, limit=list_export.MAX_ROWS, offset=0)
        label = desk_service.LIST_TABS[tab]
    else:
        rows, total = desk_service.queue_rows(session=db.session(), config=config, department=department, now=now,
                                              user=user, filters=_queue_filters(filters),
                                              limit=list_export.MAX_ROWS)[tab]
        label = desk_service.queue_labels(user=user)[tab]
    body = list_export.to_file(rows, fmt=fmt, config=config, total=total, now=now,
                               title=list_export.title(label, request.args, config=config, department=department))
    name = list_export.filename(tab, now, fmt, config.calendar.timezone)
    return Response(body, content_type=spreadsheet.FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/open")
@page_for_roles(*DESK_ROLES)
def open_number():
    """按编号打开: ?number= a whole ticket number opens its page; anything else is searched in 全部."""
    text = (request.args.get("number") or "").strip()
    number = search.whole_number(text)
    if number is not None:
        return redirect(f"/desk/tickets/{number}")
    return redirect(f"/desk/?q={quote(text[:search.MAX_LENGTH])}#all" if text else "/desk/")


@bp.get("/tickets/<int:ticket_id>")
@page_for_roles(*DESK_ROLES)
def ticket_page(ticket_id: int):
    """One ticket: map, photos, timeline (留痕), deadlines and the allowed actions."""
    user = require_user()
    ticket = _desk_ticket(ticket_id, user)
    if ticket is None:
        return render_error_page(404, message=f"工单 {ticket_id} 不存在，或您无权查看。")
    return _ticket_page(user, ticket)


@bp.get("/tickets/<string:number>")
@page_for_roles(*DESK_ROLES)
def ticket_page_by_number(number: str):
    """One ticket by its number (/desk/tickets/YC-20261204-0001; any case or width), as by its id."""
    user = require_user()
    wanted = search.whole_number(number)
    found = ticket_service.get_by_number(session=db.session(), number=wanted) if wanted else None
    ticket = _desk_ticket(found.id, user) if found is not None else None
    if ticket is None:
        return render_error_page(404, message=f"没有编号为 {number[:40]} 的工单，或您无权查看。")
    return _ticket_page(user, ticket)


def _ticket_page(user: User, ticket):
    """The ticket page (its data comes from ticket_json)."""
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
