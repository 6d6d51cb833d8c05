"""Department desk (部门工作台) page data: the queues, a ticket and its actions, shaped for the desk's JSON.

The rules are the tickets domain's: the queues and their order (``tickets.queues``), a ticket's deadline
state (``tickets.clock``), who may read it (``tickets.visibility``), which actions a user may take
(``tickets.flows.permitted``). This module names the tabs, picks the actions the desk offers, and says
in words where a ticket went. No Flask here: the session, the street config, ``now`` and the user are
passed in.
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from dispatch.evaluation import serialize as evaluation_serialize
from dispatch.evaluation import service as evaluation_service
from dispatch.followup import serialize as followup_serialize
from dispatch.followup import service as followup_service
from dispatch.street.config import StreetConfig
from dispatch.tickets import clock
from dispatch.tickets import flows as ticket_flows
from dispatch.tickets import holders as ticket_holders
from dispatch.tickets import queues as ticket_queues
from dispatch.tickets import service as ticket_service
from dispatch.tickets import visibility
from dispatch.tickets.models import Status, Ticket, TimelineEntry
from dispatch.tickets import joint as ticket_joint
from dispatch.tickets.serialize import assist_public, ticket_public
from dispatch.tickets.transitions import TRANSITIONS
from dispatch.users.models import Role, User

QUEUES = {"pending": "待签收", "in_progress": "处置中", "assists": "协办", "warning": "即将超期", "overdue": "已超期",
          "returned": "已退回"}  # the tabs' names, in the order of tickets.queues.QUEUES
COMMAND_QUEUES = {"suspended": "挂账", "extensions": "延期待批"}  # tabs only the command center (and admins) get
# The 复核 requests of the 居委 (dispatch.evaluation), a tab of the command center's desk after its own queues.
REVIEW_QUEUE = {"reviews": "复核"}
# 跟踪回访 (dispatch.followup), the command center's too: 回访 not yet recorded (soonest due first; overdue ones
# marked), and the 不满意 回访's requests to reopen their tickets (回访返工), waiting for its decision
FOLLOWUP_QUEUES = {"followups": "回访", "reopen_requests": "返工待批"}
# Tabs that page through every ticket the user may read (not a queue): 历史 closed and cancelled ones, 全部 any.
LIST_TABS = {"history": "历史", "all": "全部"}
HISTORY_STATUSES = ("closed", "cancelled")
MAX_ROWS = 200  # per queue on the page; the tab count is the full number
# Actions the desk offers, in this order (the tickets domain decides which of them a user may take).
DESK_ACTIONS = ("accept", "return", "resolve", "request_extension", "check_in", "finish_task", "dispatch", "whistle",
                "approve_extension", "reject_extension", "reopen", "decline_reopen", "urge", "reassign", "supervise",
                "suspend", "resume", "cancel")


def queue_labels(*, user: User) -> dict[str, str]:
    """The desk's tabs for this user: everyone's queues, and 挂账, 延期待批, 复核, 回访 and 返工待批 for the command
    center and admins."""
    labels = {**QUEUES, **COMMAND_QUEUES}
    tabs = {name: labels[name] for name in ticket_queues.names_for(user)}
    if user.role in (Role.command, Role.admin):
        tabs.update(REVIEW_QUEUE)
        tabs.update(FOLLOWUP_QUEUES)
    return tabs


def allowed_actions(ticket: Ticket, *, user: User, extension, tasks: list | None = None, reopen=None) -> list[dict]:
    """The desk actions this user may take on this ticket now, in the desk's order (`tasks`: its assist tasks;
    `reopen`: the 回访's reopen request waiting, if any)."""
    permitted = set(ticket_flows.permitted(ticket, user=user, extension=extension, tasks=tasks, reopen=reopen))
    return [{"action": name, "label": TRANSITIONS[name].label} for name in DESK_ACTIONS if name in permitted]


# --- serialization ----------------------------------------------------------------------------------


def _row(ticket: Ticket, *, config: StreetConfig, now: datetime, user: User) -> dict:
    body = ticket_public(ticket, config=config, now=now)
    body["state"] = clock.state(ticket, now=now, config=config)
    body["zone_name"] = _zone_name(config, ticket.zone)
    body["visible"] = visibility.can_see(user, ticket)
    return body


def _zone_name(config: StreetConfig, code: str | None) -> str | None:
    zone = config.zone(code)
    return zone.name if zone else None


def return_public(entry: TimelineEntry, *, config: StreetConfig) -> dict:
    """A 退单 as the pages show it: when, why, who and which department."""
    returned_by = (entry.data or {}).get("returned_by")
    department = config.departments.get(returned_by) if returned_by else None
    return {"at": entry.at.isoformat(), "reason": entry.note, "by": entry.actor_name,
            "department": returned_by, "department_name": department.name if department else None}


def urge_public(count: int, entry: TimelineEntry) -> dict:
    """The 催办 mark of a desk row: how many this round, and the latest one's time, author and note."""
    return {"count": count, "at": entry.at.isoformat(), "by": entry.actor_name, "note": entry.note}


def _returned_row(ticket: Ticket, entry: TimelineEntry, *, config: StreetConfig, now: datetime,
                  user: User, held: set[int]) -> dict:
    body = _row(ticket, config=config, now=now, user=user)
    body["visible"] = body["visible"] or ticket.id in held  # a former holder opens it, read only
    body["returned"] = return_public(entry, config=config)
    return body


def _suspended_row(ticket: Ticket, entry: TimelineEntry | None, *, config: StreetConfig, now: datetime,
                   user: User) -> dict:
    body = _row(ticket, config=config, now=now, user=user)
    body["suspended"] = {"at": ticket.suspended_at.isoformat() if ticket.suspended_at else None,
                         "from": ticket.suspended_from,
                         "reason": entry.note if entry else None, "by": entry.actor_name if entry else None}
    return body


def _assist_row(ticket: Ticket, task, *, config: StreetConfig, now: datetime, user: User) -> dict:
    body = _row(ticket, config=config, now=now, user=user)
    body["visible"] = True  # the assisting department reads the ticket (tickets.visibility.can_read)
    body["assist"] = assist_public(task, config=config, now=now)
    return body


def _extension_row(ticket: Ticket, request, *, config: StreetConfig, now: datetime, user: User) -> dict:
    body = _row(ticket, config=config, now=now, user=user)
    body["extension"] = {"amount": request.amount, "reason": request.reason,
                         "requested_at": request.requested_at.isoformat()}
    return body


def _review_row(ticket: Ticket, review, *, config: StreetConfig, now: datetime, user: User) -> dict:
    body = _row(ticket, config=config, now=now, user=user)
    body["review"] = evaluation_serialize.review_public(review, config=config, ticket=ticket)
    return body


def queue_rows(*, session: Session, config: StreetConfig, department: str | None, now: datetime, user: User,
               filters: dict | None = None, limit: int = MAX_ROWS) -> dict[str, tuple[list[dict], int]]:
    """Each queue of this user's desk: its first `limit` tickets in the desk's row shape, and its full count;
    narrowed by `filters` (search, zone, category, created range)."""
    return {name: (body["tickets"], body["count"])
            for name, body in _queue_bodies(session=session, config=config, department=department, now=now,
                                            user=user, filters=filters, limit=limit).items()}


def _queue_bodies(*, session: Session, config: StreetConfig, department: str | None, now: datetime, user: User,
                  filters: dict | None, limit: int) -> dict[str, dict]:
    """Each queue of this user's desk as {label, count, tickets} (the 回访 tab also with `overdue`)."""
    labels = queue_labels(user=user)
    found = ticket_queues.queues(session=session, config=config, department=department, now=now,
                                 suspended="suspended" in labels, filters=filters)
    if "reviews" in labels:
        reviews = [(t, r) for r, t in evaluation_service.reviews(session=session)
                   if department is None or t.department == department]
        keep = ticket_queues.matching_ids(session=session, ids=[t.id for t, _ in reviews], filters=filters)
        found["reviews"] = [(t, r) for t, r in reviews if t.id in keep]
    followups = (_followup_queues(session=session, config=config, department=department, now=now, user=user,
                                  filters=filters, limit=limit)
                 if "followups" in labels else {})
    result = {}
    for name, label in labels.items():
        if name in FOLLOWUP_QUEUES:
            result[name] = followups[name]
            continue
        items = found[name][:limit]
        if name == "returned":
            held = (ticket_holders.held_among(session=session, department=user.department,
                                              ticket_ids=[t.id for t, _ in items])
                    if user.role == Role.department else set())
            rows = [_returned_row(t, e, config=config, now=now, user=user, held=held) for t, e in items]
        elif name == "suspended":
            rows = [_suspended_row(t, e, config=config, now=now, user=user) for t, e in items]
        elif name == "reviews":
            rows = [_review_row(t, r, config=config, now=now, user=user) for t, r in items]
        elif name == "assists":
            rows = [_assist_row(t, a, config=config, now=now, user=user) for t, a in items]
        elif name == "extensions":
            rows = [_extension_row(t, r, config=config, now=now, user=user) for t, r in items]
        else:
            rows = [_row(t, config=config, now=now, user=user) for t in items]
            urged = ticket_queues.urges(session=session, tickets=items)
            for row in rows:
                row["urged"] = urge_public(*urged[row["id"]]) if row["id"] in urged else None
        result[name] = {"label": label, "count": len(found[name]), "tickets": rows}
    return result


def list_filters(filters: dict, *, tab: str, user: User, department: str | None) -> dict:
    """The filters of a 历史 / 全部 tab: the user's own, restricted to closed and cancelled tickets for 历史
    (a status asked outside them finds nothing), to the desk's department, and for a department user
    matched over every dispatch round (a ticket it held, then returned, is its history too)."""
    filters = dict(filters)
    if tab == "history":
        asked = filters.get("status") or list(HISTORY_STATUSES)
        filters["status"] = [s for s in asked if s in HISTORY_STATUSES] or ["-"]  # "-": no status, no ticket
    if user.role == Role.department:
        filters["held"] = True
    elif department:
        filters["department"] = [department]
    return filters


def list_page(*, session: Session, config: StreetConfig, now: datetime, user: User, filters: dict,
              limit: int, offset: int) -> tuple[list[dict], int]:
    """One page of the tickets `user` may read under `filters` (``list_filters``), newest first, as desk rows;
    and how many there are in all."""
    tickets, total = ticket_service.query(session=session, user=user, filters=filters, limit=limit, offset=offset)
    rows = []
    for ticket in tickets:
        body = _row(ticket, config=config, now=now, user=user)
        body["visible"] = True  # the list holds only what the user may read
        rows.append(body)
    return rows, total


def queues_public(*, session: Session, config: StreetConfig, department: str | None, now: datetime,
                  user: User, filters: dict | None = None) -> dict:
    """The desk's JSON: each queue with its full count and its first MAX_ROWS tickets, narrowed by `filters`."""
    body = _queue_bodies(session=session, config=config, department=department, now=now, user=user,
                         filters=filters, limit=MAX_ROWS)
    dept = config.departments.get(department) if department else None
    # no request time in the body: unchanged queues → 304
    return {"department": department, "department_name": dept.name if dept else None,
            "queues": body, "returned_days": ticket_queues.RETURNED_DAYS, "filtered": bool(filters),
            "workday_minutes": float(config.calendar.minutes_per_workday)}


def _followup_queues(*, session: Session, config: StreetConfig, department: str | None, now: datetime,
                     user: User, filters: dict | None = None, limit: int = MAX_ROWS) -> dict:
    """The command center's 回访 tabs: the 回访 not yet recorded and the reopen requests, as desk rows (the
    ticket, and its 回访 or request); `department` narrows them to that department's tickets, `filters` (as
    the other queues') to the tickets matching them."""
    rows, _ = followup_service.listing(session=session, user=user, state="due", now=now, limit=10_000)
    rows = [row for row in rows if department is None or row[1].department == department]
    requests = [(r, t) for r, t in followup_service.reopen_requests(session=session)
                if department is None or t.department == department]
    if filters:
        keep = ticket_queues.matching_ids(session=session, filters=filters,
                                          ids=[row[1].id for row in rows] + [t.id for _, t in requests])
        rows = [row for row in rows if row[1].id in keep]
        requests = [(r, t) for r, t in requests if t.id in keep]
    visits = followup_serialize.followups_public(rows[:limit], session=session, config=config, now=now)
    due = [{**_row(ticket, config=config, now=now, user=user), "followup": visit}
           for (_, ticket, _), visit in zip(rows[:limit], visits)]
    asked = followup_serialize.reopen_requests_public(requests[:limit], session=session, config=config)
    reopen = [{**_row(ticket, config=config, now=now, user=user), "reopen": request}
              for (_, ticket), request in zip(requests[:limit], asked)]
    return {"followups": {"label": FOLLOWUP_QUEUES["followups"], "count": len(rows), "tickets": due,
                          "overdue": sum(1 for task, _, _ in rows if now > task.due_at)},
            "reopen_requests": {"label": FOLLOWUP_QUEUES["reopen_requests"], "count": len(requests),
                                "tickets": reopen}}


def categories_public(*, config: StreetConfig) -> list[dict]:
    """The street's categories as code and name, for the lists' 类别 filter."""
    return [{"code": slug, "name": c.name} for slug, c in config.categories.items()]


def departments_public(*, config: StreetConfig) -> list[dict]:
    """The street's departments with a desk, as code and name (the desk's department picker and the 派遣
    targets: the command center itself is none of them)."""
    return [{"code": d.code, "name": d.name} for d in config.departments.values() if config.has_desk(d.code)]


# --- a former holder: read only, and told plainly where the ticket went -----------------------------


def _local(at: datetime, config: StreetConfig) -> str:
    """An instant as Shanghai wall-clock time, as the pages show it ("11/25 10:20")."""
    return at.astimezone(config.calendar.timezone).strftime("%m/%d %H:%M")


def _where_now(ticket: Ticket, config: StreetConfig) -> str:
    """Where the ticket stands now, seen from a department that no longer holds it."""
    dept = config.departments.get(ticket.department) if ticket.department else None
    name = dept.name if dept else None
    if ticket.status in (Status.dispatched, Status.in_progress) and name:
        return f"现由{name}承办"
    return {
        Status.pending_dispatch: "现待城运中心重新派遣",
        Status.resolved: f"现已由{name}处置完成，待核查" if name else "现待核查",
        Status.closed: f"已由{name}处置并结案" if name else "现已核查结案",
        Status.cancelled: "现已由城运中心作废",
        Status.suspended: "现由城运中心挂账",
    }.get(ticket.status, "")


def former_holder(ticket: Ticket, *, session: Session, config: StreetConfig, user: User) -> dict | None:
    """For a department reading a ticket it held before (not now): how it left, and a notice saying so.

    The department's latest 退单, or the 自行处置 that relieved it, ended its latest round (the only
    ways a department loses a ticket); without one the notice still says the ticket is no longer its.
    """
    if user.role != Role.department or ticket.department == user.department:
        return None
    if not ticket_holders.held(session=session, ticket_id=ticket.id, department=user.department):
        return None  # an assisting department (协办): it never held the ticket
    left = ticket_holders.departure(session=session, ticket_id=ticket.id, department=user.department)
    if left is None:
        how = "本工单已不由本部门承办"
    elif left.action == "return":
        how = f"本部门已于 {_local(left.at, config)} 退单" + (f"（原因：{left.note}）" if left.note else "")
    elif left.action == "reassign":
        how = f"城运中心已于 {_local(left.at, config)} 将本工单改派" + (f"（原因：{left.note}）" if left.note else "")
    else:
        how = f"网格巡查员{left.actor_name}已于 {_local(left.at, config)} 自行处置，本部门不再承办"
    where = _where_now(ticket, config)
    return {
        "department": user.department,
        "left": None if left is None else {"action": left.action, "at": left.at.isoformat(), "by": left.actor_name,
                                           "note": left.note},
        "notice": f"{how}{'，' + where if where else ''}。本部门可查看工单和处置留痕，不能再办理。",
    }


def ticket_detail(ticket: Ticket, *, session: Session, config: StreetConfig, now: datetime, user: User) -> dict:
    """The desk's ticket JSON: the ticket in detail with its deadline state, the actions `user` may take now,
    and for a department that held it before, `former_holder` (read only: no actions)."""
    extension = ticket_flows.pending_extension(session=session, ticket_id=ticket.id)
    tasks = ticket_joint.tasks_of(session=session, ticket_id=ticket.id)
    reopen = ticket_flows.pending_reopen(session=session, ticket_id=ticket.id)
    body = ticket_public(ticket, config=config, now=now, session=session, detail=True)
    body["state"] = clock.state(ticket, now=now, config=config)
    body["zone_name"] = _zone_name(config, ticket.zone)
    category = config.categories.get(ticket.category)
    returned = (ticket_queues.returns_awaiting(session=session, ticket_ids=[ticket.id]).get(ticket.id)
                if ticket.status == Status.pending_dispatch else None)
    return {
        "ticket": body,
        "returned": None if returned is None else return_public(returned, config=config),
        "extensions_approved": ticket_flows.approved_extensions(session=session, ticket=ticket),
        "workday_minutes": float(config.calendar.minutes_per_workday),
        "actions": allowed_actions(ticket, user=user, extension=extension, tasks=tasks, reopen=reopen),
        "can_close_tasks": "close_task" in ticket_flows.permitted(ticket, user=user, extension=extension, tasks=tasks),
        "own_task": next((t.id for t in tasks if t.department == user.department and t.state in ticket_joint.OPEN),
                         None) if user.role == Role.department else None,
        "followups": followup_serialize.of_ticket(ticket, session=session, config=config, now=now),
        "can_record_followup": user.role in (Role.command, Role.admin),
        "pending_reopen": None if reopen is None else {
            "id": reopen.id, "reason": reopen.reason, "requested_at": reopen.requested_at.isoformat()},
        "after_photo_required": bool(category and category.after_photo_required),
        "pending_extension": None if extension is None else {
            "id": extension.id, "amount": extension.amount, "reason": extension.reason,
            "requested_at": extension.requested_at.isoformat()},
        "departments": departments_public(config=config),
        "former_holder": former_holder(ticket, session=session, config=config, user=user),
        "evaluation": evaluation_serialize.ticket_evaluation(ticket, session=session, config=config, user=user, now=now),
    }
