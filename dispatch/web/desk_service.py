"""Department desk (部门工作台) data: the queues, a ticket's deadline state and the actions a user may take.

Queues (tabs), for a department (the command center may look at any department):
  pending      待签收    dispatched, waiting for 签收
  in_progress  处置中    signed for, being handled
  warning      即将超期  a running deadline reached its 预警 (level 0 recorded, or ≥ 80 % of the window
                         gone by the configured fraction) and nothing is overdue yet
  overdue      已超期    past a running deadline now (the same test as ``?overdue=1`` and the stats)
  returned     已退回    tickets this department returned (退单) in the last RETURNED_DAYS days (it may still
                         open them, read only: a former holder)
  suspended    挂账      suspended tickets (command center and admins only: they alone may 恢复 or 作废 them)

The state of a ticket's deadlines (``deadline_state``) is shared with the cockpit's map colours.
No Flask here: the session, the street config, ``now`` and the user are passed in.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from dispatch.errors import ApiError
from dispatch.street.config import StreetConfig
from dispatch.tickets import flows as ticket_flows
from dispatch.tickets import holders as ticket_holders
from dispatch.tickets import service as ticket_service
from dispatch.tickets.models import ExtensionRequest, Status, Ticket, TimelineEntry
from dispatch.tickets.serialize import ticket_public
from dispatch.tickets.transitions import TRANSITIONS, actions_for
from dispatch.users.models import Role, User

QUEUES = {"pending": "待签收", "in_progress": "处置中", "warning": "即将超期", "overdue": "已超期",
          "returned": "已退回"}
COMMAND_QUEUES = {"suspended": "挂账"}  # tabs only the command center (and admins) get
RETURNED_DAYS = 30
MAX_ROWS = 200  # per queue on the page; the tab count is the full number
WARNING_LEVEL = 0
# Actions the desk offers (the transition table decides which of them apply to a ticket and a user).
DESK_ACTIONS = ("accept", "return", "resolve", "request_extension", "dispatch", "approve_extension",
                "reject_extension", "supervise", "suspend", "resume", "cancel")


# --- deadline state (also used by the cockpit) ------------------------------------------------------


def running_kinds(ticket: Ticket) -> list[str]:
    """The deadlines whose clock runs: response until 签收 (dispatched), resolve until 处置完成."""
    kinds = []
    if ticket.status == Status.dispatched and ticket.response_deadline is not None:
        kinds.append("response")
    if ticket.status in (Status.dispatched, Status.in_progress) and ticket.resolve_deadline is not None:
        kinds.append("resolve")
    return kinds


def _warned(ticket: Ticket, kind: str, *, now: datetime, has_warning_level: bool) -> bool:
    """True when this deadline's 预警 is due (80 % gone) or was already passed on its escalation ladder."""
    if not has_warning_level:
        return False
    level = getattr(ticket, f"{kind}_next_level")
    at = getattr(ticket, f"{kind}_next_at")
    if level == WARNING_LEVEL:
        return at is not None and at <= now
    return level is not None and level > WARNING_LEVEL


def deadline_state(ticket: Ticket, *, now: datetime, config: StreetConfig) -> str:
    """"overdue", "warning" or "normal" for a ticket's running deadlines at `now`."""
    kinds = running_kinds(ticket)
    if any(now > getattr(ticket, f"{kind}_deadline") for kind in kinds):
        return "overdue"
    has_warning = any(level.level == WARNING_LEVEL for level in config.escalation.level)
    if any(_warned(ticket, kind, now=now, has_warning_level=has_warning) for kind in kinds):
        return "warning"
    return "normal"


# --- queries ------------------------------------------------------------------------------------------


def visible_ticket(*, session: Session, ticket_id: int, user: User) -> Ticket | None:
    """The ticket if it exists and `user` may read it (a department also one it held before), else None."""
    ticket = ticket_service.get(session=session, ticket_id=ticket_id)
    if ticket is None or not ticket_service.can_read(session=session, user=user, ticket=ticket):
        return None
    return ticket


def active_tickets(*, session: Session, department: str | None) -> list[Ticket]:
    """Dispatched and in-progress tickets of `department` (None: of every department)."""
    query = select(Ticket).where(col(Ticket.status).in_([Status.dispatched, Status.in_progress]))
    if department:
        query = query.where(Ticket.department == department)
    return list(session.exec(query.order_by(col(Ticket.id))))


def returned_entries(*, session: Session, department: str | None, since: datetime) -> list[tuple[Ticket, TimelineEntry]]:
    """The latest 退单 by `department` (None: by any department) of each ticket since `since`, newest first."""
    latest = (select(TimelineEntry.ticket_id, func.max(TimelineEntry.id).label("entry_id"))
              .join(User, User.id == TimelineEntry.actor_id)
              .where(TimelineEntry.action == "return", TimelineEntry.at >= since,
                     User.role == Role.department))
    if department:
        latest = latest.where(User.department == department)
    latest = latest.group_by(TimelineEntry.ticket_id).subquery()
    rows = session.exec(select(Ticket, TimelineEntry)
                        .join(latest, latest.c.ticket_id == Ticket.id)
                        .join(TimelineEntry, TimelineEntry.id == latest.c.entry_id)
                        .order_by(col(TimelineEntry.at).desc(), col(TimelineEntry.id).desc())).all()
    return [(ticket, entry) for ticket, entry in rows]


def suspended_entries(*, session: Session, department: str | None) -> list[tuple[Ticket, TimelineEntry | None]]:
    """Suspended (挂账) tickets of `department` (None: all, also those never dispatched), longest waiting first,
    each with its latest 挂账 timeline entry (who, when, why)."""
    query = select(Ticket).where(Ticket.status == Status.suspended)
    if department:
        query = query.where(Ticket.department == department)
    tickets = list(session.exec(query.order_by(col(Ticket.suspended_at), col(Ticket.id))))
    if not tickets:
        return []
    latest = session.exec(select(TimelineEntry)
                          .where(col(TimelineEntry.ticket_id).in_([t.id for t in tickets]),
                                 TimelineEntry.action == "suspend")
                          .order_by(col(TimelineEntry.id))).all()
    entries = {entry.ticket_id: entry for entry in latest}  # the last one per ticket wins
    return [(ticket, entries.get(ticket.id)) for ticket in tickets]


def queue_labels(*, user: User) -> dict[str, str]:
    """The desk's tabs for this user: everyone's queues, and 挂账 for the command center and admins."""
    return {**QUEUES, **COMMAND_QUEUES} if user.role in (Role.command, Role.admin) else dict(QUEUES)


def queues(*, session: Session, config: StreetConfig, department: str | None, now: datetime,
           suspended: bool = False) -> dict[str, list]:
    """Each queue's tickets, most urgent first; returned tickets as (ticket, return entry) pairs, and with
    `suspended` the 挂账 queue as (ticket, suspend entry) pairs."""
    found: dict[str, list] = {name: [] for name in QUEUES}
    for ticket in active_tickets(session=session, department=department):
        found["pending" if ticket.status == Status.dispatched else "in_progress"].append(ticket)
        state = deadline_state(ticket, now=now, config=config)
        if state in ("warning", "overdue"):
            found[state].append(ticket)
    far = datetime.max.replace(tzinfo=now.tzinfo)

    def due(kind):
        return lambda t: (getattr(t, f"{kind}_deadline") or far, t.id)

    found["pending"].sort(key=due("response"))
    found["in_progress"].sort(key=due("resolve"))
    for name in ("warning", "overdue"):
        found[name].sort(key=lambda t: (min((getattr(t, f"{k}_deadline") for k in running_kinds(t)),
                                            default=far), t.id))
    found["returned"] = returned_entries(session=session, department=department,
                                         since=now - timedelta(days=RETURNED_DAYS))
    if suspended:
        found["suspended"] = suspended_entries(session=session, department=department)
    return found


def pending_extension(*, session: Session, ticket_id: int) -> ExtensionRequest | None:
    """The extension request (申请延期) waiting for the command center, if any."""
    return session.exec(select(ExtensionRequest).where(ExtensionRequest.ticket_id == ticket_id,
                                                       ExtensionRequest.status == "pending")).first()


def allowed_actions(ticket: Ticket, *, user: User, extension: ExtensionRequest | None) -> list[dict]:
    """The desk actions this user may take on this ticket now: the transition table, then the actor check."""
    allowed = []
    for name in actions_for(ticket.status):
        if name not in DESK_ACTIONS:
            continue
        try:
            ticket_flows.check_actor(ticket, user, name)
        except ApiError:
            continue
        if name == "request_extension" and extension is not None:
            continue  # one request at a time
        if name in ("approve_extension", "reject_extension") and extension is None:
            continue
        if name == "supervise" and ticket.supervised:
            continue
        allowed.append({"action": name, "label": TRANSITIONS[name].label})
    return sorted(allowed, key=lambda a: DESK_ACTIONS.index(a["action"]))


# --- serialization ----------------------------------------------------------------------------------


def _row(ticket: Ticket, *, config: StreetConfig, now: datetime, user: User) -> dict:
    body = ticket_public(ticket, config=config, now=now)
    body["state"] = deadline_state(ticket, now=now, config=config)
    body["zone_name"] = _zone_name(config, ticket.zone)
    body["visible"] = ticket_service.can_see(user, ticket)
    return body


def _zone_name(config: StreetConfig, code: str | None) -> str | None:
    zone = config.zone(code)
    return zone.name if zone else None


def _returned_row(ticket: Ticket, entry: TimelineEntry, *, config: StreetConfig, now: datetime,
                  user: User, held: set[int]) -> dict:
    body = _row(ticket, config=config, now=now, user=user)
    body["visible"] = body["visible"] or ticket.id in held  # a former holder opens it, read only
    returned_by = (entry.data or {}).get("returned_by")
    department = config.departments.get(returned_by) if returned_by else None
    body["returned"] = {"at": entry.at.isoformat(), "reason": entry.note, "by": entry.actor_name,
                        "department": returned_by, "department_name": department.name if department else None}
    return body


def _suspended_row(ticket: Ticket, entry: TimelineEntry | None, *, config: StreetConfig, now: datetime,
                   user: User) -> dict:
    body = _row(ticket, config=config, now=now, user=user)
    body["suspended"] = {"at": ticket.suspended_at.isoformat() if ticket.suspended_at else None,
                         "from": ticket.suspended_from,
                         "reason": entry.note if entry else None, "by": entry.actor_name if entry else None}
    return body


def queues_public(*, session: Session, config: StreetConfig, department: str | None, now: datetime,
                  user: User) -> dict:
    """The desk's JSON: each queue with its full count and its first MAX_ROWS tickets."""
    labels = queue_labels(user=user)
    found = queues(session=session, config=config, department=department, now=now,
                   suspended="suspended" in labels)
    body = {}
    for name, label in labels.items():
        items = found[name]
        if name == "returned":
            held = (ticket_holders.held_among(session=session, department=user.department,
                                              ticket_ids=[t.id for t, _ in items[:MAX_ROWS]])
                    if user.role == Role.department else set())
            rows = [_returned_row(t, e, config=config, now=now, user=user, held=held) for t, e in items[:MAX_ROWS]]
        elif name == "suspended":
            rows = [_suspended_row(t, e, config=config, now=now, user=user) for t, e in items[:MAX_ROWS]]
        else:
            rows = [_row(t, config=config, now=now, user=user) for t in items[:MAX_ROWS]]
        body[name] = {"label": label, "count": len(items), "tickets": rows}
    dept = config.departments.get(department) if department else None
    return {"department": department, "department_name": dept.name if dept else None,
            "queues": body, "returned_days": RETURNED_DAYS}  # no request time: unchanged queues → 304


def departments_public(*, config: StreetConfig) -> list[dict]:
    """The street's departments as code and name (the desk's department picker and dispatch targets)."""
    return [{"code": d.code, "name": d.name} for d in config.departments.values()]


# --- a former holder: read only, and told plainly where the ticket went -----------------------------

_RELEASED_BY = {"return": "returned_by", "self_resolve": "relieved_department"}  # action → data key of the department


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
    releases = session.exec(select(TimelineEntry).where(TimelineEntry.ticket_id == ticket.id,
                                                        col(TimelineEntry.action).in_(list(_RELEASED_BY)))
                            .order_by(col(TimelineEntry.at).desc(), col(TimelineEntry.id).desc())).all()
    left = next((e for e in releases if (e.data or {}).get(_RELEASED_BY[e.action]) == user.department), None)
    if left is None:
        how = "本工单已不由本部门承办"
    elif left.action == "return":
        how = f"本部门已于 {_local(left.at, config)} 退单" + (f"（原因：{left.note}）" if left.note else "")
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
    extension = pending_extension(session=session, ticket_id=ticket.id)
    body = ticket_public(ticket, config=config, now=now, session=session, detail=True)
    body["state"] = deadline_state(ticket, now=now, config=config)
    body["zone_name"] = _zone_name(config, ticket.zone)
    category = config.categories.get(ticket.category)
    return {
        "ticket": body,
        "actions": allowed_actions(ticket, user=user, extension=extension),
        "after_photo_required": bool(category and category.after_photo_required),
        "pending_extension": None if extension is None else {
            "id": extension.id, "amount": extension.amount, "reason": extension.reason,
            "requested_at": extension.requested_at.isoformat()},
        "departments": departments_public(config=config),
        "former_holder": former_holder(ticket, session=session, config=config, user=user),
    }
