"""A department's work queues (the desk's tabs), most urgent first.

  pending      待签收    dispatched, waiting for 签收
  in_progress  处置中    signed for, being handled
  assists      协办      the department's open assist tasks (吹哨报到: 待报到, 已报到), the next deadline
                         (报到, else 完成) first — it acts on its task there, not on the ticket
  warning      即将超期  a running deadline reached its 预警 and nothing is late yet (``clock.state``)
  overdue      已超期    past a running deadline now (``clock.state``: the test of ``?overdue=1`` and the stats)
  returned     已退回    tickets the department returned (退单) in the last RETURNED_DAYS days (a former
                         holder may still open them, read only)
  suspended    挂账      suspended tickets (for the command center and admins: they alone 恢复 or 作废 them)
  extensions   延期待批  tickets whose department asked for more time (申请延期), waiting for the command center

``department=None`` means every department (the command center's view).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from dispatch.street.config import StreetConfig
from dispatch.tickets import clock, joint, joint_clock
from dispatch.tickets import service as ticket_service
from dispatch.tickets.models import (OPEN_STATUSES, AssistTask, Escalation, ExtensionRequest, Status, Ticket,
                                     TimelineEntry)
from dispatch.users.models import Role, User

QUEUES = ("pending", "in_progress", "assists", "warning", "overdue", "returned")
COMMAND_QUEUES = ("suspended", "extensions")  # only the command center (and admins) get these
RETURNED_DAYS = 30


def active_tickets(*, session: Session, department: str | None, where: tuple = ()) -> list[Ticket]:
    """Dispatched and in-progress tickets of `department` (None: of every department)."""
    query = select(Ticket).where(col(Ticket.status).in_([Status.dispatched, Status.in_progress]), *where)
    if department:
        query = query.where(Ticket.department == department)
    return list(session.exec(query.order_by(col(Ticket.id))))


def returned_entries(*, session: Session, department: str | None, since: datetime,
                     where: tuple = ()) -> list[tuple[Ticket, TimelineEntry]]:
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
                        .where(*where)
                        .order_by(col(TimelineEntry.at).desc(), col(TimelineEntry.id).desc())).all()
    return [(ticket, entry) for ticket, entry in rows]


def suspended_entries(*, session: Session, department: str | None,
                      where: tuple = ()) -> list[tuple[Ticket, TimelineEntry | None]]:
    """Suspended (挂账) tickets of `department` (None: all, also those never dispatched), longest waiting first,
    each with its latest 挂账 timeline entry (who, when, why)."""
    query = select(Ticket).where(Ticket.status == Status.suspended, *where)
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


def extension_requests(*, session: Session, department: str | None,
                       where: tuple = ()) -> list[tuple[Ticket, ExtensionRequest]]:
    """Extension requests (申请延期) waiting for the command center, of `department` (None: all), oldest first."""
    query = (select(Ticket, ExtensionRequest).join(ExtensionRequest, ExtensionRequest.ticket_id == Ticket.id)
             .where(ExtensionRequest.status == "pending", *where))
    if department:
        query = query.where(Ticket.department == department)
    return list(session.exec(query.order_by(col(ExtensionRequest.requested_at), col(ExtensionRequest.id))).all())


def assist_tasks(*, session: Session, department: str | None, where: tuple = ()) -> list[tuple[Ticket, AssistTask]]:
    """Open assist tasks (协办) of `department` (None: of every department) with their tickets, the task whose
    running deadline comes first first; `where` narrows them to the tickets matching it."""
    found = joint.listed(session=session, department=department, open_only=True)
    if where and found:
        keep = _matching(session=session, ids=[t.id for t, _ in found], where=where)
        found = [(t, a) for t, a in found if t.id in keep]
    return found


def _matching(*, session: Session, ids: list[int], where: tuple) -> set[int]:
    if not where:
        return set(ids)
    if not ids:
        return set()
    return set(session.exec(select(Ticket.id).where(col(Ticket.id).in_(ids), *where)).all())


def matching_ids(*, session: Session, ids: list[int], filters: dict | None) -> set[int]:
    """Those of these tickets that match `filters` (``ticket_service.list_conditions``; none: all of them)."""
    return _matching(session=session, ids=ids, where=tuple(ticket_service.list_conditions(filters or {})))


def open_joint_cases(*, session: Session, zone: str | None, limit: int) -> list[tuple[Ticket, list[AssistTask]]]:
    """Open tickets with an open assist task (the cockpit's 吹哨报到 list), each with all its tasks, the one
    which was whistled on first first."""
    query = _in_zone(select(Ticket).where(col(Ticket.status).in_([s.value for s in OPEN_STATUSES]),
                                          col(Ticket.id).in_(select(AssistTask.ticket_id).where(
                                              col(AssistTask.state).in_(joint_clock.OPEN)))), zone)
    tickets = list(session.exec(query.order_by(col(Ticket.id)).limit(limit)))
    if not tickets:
        return []
    tasks = session.exec(select(AssistTask).where(col(AssistTask.ticket_id).in_([t.id for t in tickets]))
                         .order_by(col(AssistTask.id))).all()
    by_ticket: dict[int, list[AssistTask]] = {}
    for task in tasks:
        by_ticket.setdefault(task.ticket_id, []).append(task)
    return [(ticket, by_ticket.get(ticket.id, [])) for ticket in tickets]


def names_for(user: User) -> tuple[str, ...]:
    """The queues this user gets: everyone's, and 挂账 for the command center and admins."""
    return QUEUES + COMMAND_QUEUES if user.role in (Role.command, Role.admin) else QUEUES


def queues(*, session: Session, config: StreetConfig, department: str | None, now: datetime,
           suspended: bool = False, filters: dict | None = None) -> dict[str, list]:
    """Each queue's tickets, most urgent first; returned tickets as (ticket, return entry) pairs, and with
    `suspended` the 挂账 queue as (ticket, suspend entry) pairs. `filters` (search, zone, category, created
    range: ``ticket_service.list_conditions``) narrow every queue."""
    where = tuple(ticket_service.list_conditions(filters or {}))
    found: dict[str, list] = {name: [] for name in QUEUES}
    for ticket in active_tickets(session=session, department=department, where=where):
        found["pending" if ticket.status == Status.dispatched else "in_progress"].append(ticket)
        state = clock.state(ticket, now=now, config=config)
        if state in ("warning", "overdue"):
            found[state].append(ticket)
    far = datetime.max.replace(tzinfo=now.tzinfo)

    def due(kind):
        return lambda t: (clock.due(t, kind) or far, t.id)

    found["pending"].sort(key=due("response"))
    found["in_progress"].sort(key=due("resolve"))
    for name in ("warning", "overdue"):
        found[name].sort(key=lambda t: (clock.earliest_running_due(t) or far, t.id))
    found["assists"] = assist_tasks(session=session, department=department, where=where)
    found["returned"] = returned_entries(session=session, department=department,
                                         since=now - timedelta(days=RETURNED_DAYS), where=where)
    if suspended:
        found["suspended"] = suspended_entries(session=session, department=department, where=where)
        found["extensions"] = extension_requests(session=session, department=department, where=where)
    return found


# --- the command center's lists (驾驶舱) ---------------------------------------------------------------


def _in_zone(query, zone: str | None):
    return query.where(Ticket.zone == zone) if zone else query


def open_located(*, session: Session, zone: str | None, limit: int) -> list[Ticket]:
    """Open tickets with a location (the map's points), newest first."""
    query = _in_zone(select(Ticket).where(col(Ticket.status).in_([s.value for s in OPEN_STATUSES]),
                                          col(Ticket.lng).is_not(None)), zone)
    return list(session.exec(query.order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc()).limit(limit)))


def awaiting_dispatch(*, session: Session, zone: str | None, limit: int) -> list[Ticket]:
    """Tickets waiting for the command center to dispatch (待派遣), oldest first."""
    query = _in_zone(select(Ticket).where(Ticket.status == Status.pending_dispatch), zone)
    return list(session.exec(query.order_by(col(Ticket.created_at), col(Ticket.id)).limit(limit)))


def returns_awaiting(*, session: Session, ticket_ids: list[int]) -> dict[int, TimelineEntry]:
    """For tickets waiting for dispatch: the 退单 that sent each back (its latest return, when no dispatch
    came after it), by ticket id."""
    if not ticket_ids:
        return {}

    def latest(actions):
        return dict(session.exec(select(TimelineEntry.ticket_id, func.max(TimelineEntry.id))
                                 .where(col(TimelineEntry.ticket_id).in_(ticket_ids),
                                        col(TimelineEntry.action).in_(actions))
                                 .group_by(TimelineEntry.ticket_id)).all())

    returns, dispatches = latest(("return",)), latest(("dispatch", "auto_dispatch"))
    wanted = [entry_id for ticket_id, entry_id in returns.items() if entry_id > dispatches.get(ticket_id, 0)]
    if not wanted:
        return {}
    return {e.ticket_id: e for e in session.exec(select(TimelineEntry).where(col(TimelineEntry.id).in_(wanted)))}


def supervised_open(*, session: Session, zone: str | None, limit: int) -> list[Ticket]:
    """Open tickets flagged 督办, most recently changed first."""
    query = _in_zone(select(Ticket).where(col(Ticket.status).in_([s.value for s in OPEN_STATUSES]),
                                          col(Ticket.supervised).is_(True)), zone)
    return list(session.exec(query.order_by(col(Ticket.updated_at).desc(), col(Ticket.id).desc()).limit(limit)))


def latest_escalations(*, session: Session, zone: str | None, limit: int) -> list[tuple[Escalation, Ticket]]:
    """The latest escalation records (超期升级) with their tickets, newest first."""
    query = _in_zone(select(Escalation, Ticket).join(Ticket, Ticket.id == Escalation.ticket_id), zone)
    return list(session.exec(query.order_by(col(Escalation.created_at).desc(), col(Escalation.id).desc())
                             .limit(limit)))


def provisional_count(*, session: Session, since: datetime) -> int:
    """Open tickets holding a running working-time deadline at or after `since` (预计: a year not yet official)."""
    return session.exec(select(func.count()).select_from(Ticket).where(clock.provisional_clause(since))).one()


def urges(*, session: Session, tickets: list[Ticket]) -> dict[int, tuple[int, TimelineEntry]]:
    """催办 of each ticket's current dispatch round, by ticket id: how many, and the latest (who, when, note)."""
    rounds = {t.id: t.dispatched_at for t in tickets if t.dispatched_at is not None}
    if not rounds:
        return {}
    found: dict[int, tuple[int, TimelineEntry]] = {}
    for entry in session.exec(select(TimelineEntry).where(col(TimelineEntry.ticket_id).in_(list(rounds)),
                                                          TimelineEntry.action == "urge")
                              .order_by(col(TimelineEntry.id))):
        if entry.at >= rounds[entry.ticket_id]:
            count = found.get(entry.ticket_id, (0, None))[0]
            found[entry.ticket_id] = (count + 1, entry)
    return found
