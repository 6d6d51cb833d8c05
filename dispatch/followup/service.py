"""Follow-up visits (跟踪回访): a closing opens its 回访, the lists of who visits what, recording a visit.

- **Falling due.** When an action closes a ticket (核查 passed), `open_for` (connected to the tickets'
  ``flows.moved`` signal, in the action's own transaction) asks `rules.reason`: the ticket's source's rate
  in config/followup.toml, drawn from its number, or always after an 不满意 reopening. A selected closing
  gets a `Followup` due `limit` after it (working time for WH/WD, on the calendar of the deadlines) and its
  escalation ladder scheduled (``tickets.clock.Planner``), and the timeline says so.
- **Who.** The zone's inspectors (the ticket's 片区) and the command center (and admins) see and record
  the 回访 (`can_visit`); no one else.
- **Recording.** One visit per 回访 (the second: 409): reached (联系上) with a rating 满意 / 基本满意 / 不满意,
  or not reached (未联系上, no rating); a note (required with 不满意). The visit is kept append-only
  (留痕) and written on the ticket's timeline. An 不满意 visit asks the command center to reopen the
  ticket as rework (``tickets.flows.request_reopen``): 回访返工 or 驳回返工 on the ticket decide it.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from dispatch.deadlines.limits import Limit, deadline_after, remaining
from dispatch.errors import ApiError
from dispatch.followup import rules
from dispatch.followup.models import Followup, FollowupVisit, Rating
from dispatch.street.config import StreetConfig
from dispatch.text import is_blank
from dispatch.tickets import clock as ticket_clock
from dispatch.tickets import flows as ticket_flows
from dispatch.tickets import service as ticket_service
from dispatch.tickets.models import ReopenRequest, Status, Ticket
from dispatch.users.models import Role, User

log = logging.getLogger(__name__)

LADDER = ""  # the category the ladder's steps are looked up for: none (a 回访 takes no category's override)
RATING_LABELS = {Rating.satisfied: "满意", Rating.basically_satisfied: "基本满意", Rating.dissatisfied: "不满意"}
REASON_LABELS = {rules.ALWAYS: "按来源回访", rules.SAMPLE: "抽样回访", rules.REOPENED: "返工后回访"}


def init_app(app) -> None:
    """Open a 回访 whenever an action closes a ticket (the tickets' `moved` signal)."""
    ticket_flows.moved.connect(_on_moved)


def _on_moved(ticket: Ticket, *, session: Session, config: StreetConfig, action: str, actor, now: datetime,
              **_) -> None:
    if ticket.status == Status.closed and action == "verify":
        open_for(session=session, config=config, ticket=ticket, now=now)


def open_for(*, session: Session, config: StreetConfig, ticket: Ticket, now: datetime) -> Followup | None:
    """The 回访 of the ticket's closing at `now`, if its rule selects it (the caller commits); else None."""
    earlier, last = session.exec(select(func.count(), func.max(Followup.opened_at))
                                 .where(Followup.ticket_id == ticket.id)).one()
    # reopened as rework since its last 回访 (an 不满意 visit the command center approved)
    reopened = last is not None and session.exec(select(func.count()).select_from(ReopenRequest).where(
        ReopenRequest.ticket_id == ticket.id, ReopenRequest.status == "approved",
        col(ReopenRequest.decided_at) >= last)).one() > 0
    why = rules.reason(number=ticket.number, source=ticket.source, reopened=reopened, rules=config.followup)
    if why is None:
        return None
    limit = config.followup.due_limit
    due_at = deadline_after(now, limit, config.calendar)
    task = Followup(ticket_id=ticket.id, closure=earlier + 1, zone=ticket.zone, reason=why, opened_at=now,
                    due_limit=str(limit), due_at=due_at)
    schedule(task, config=config, reached=None)
    session.add(task)
    session.flush()
    ticket_service.record(session=session, ticket=ticket, action="followup_due", now=now, actor=None,
                          from_status=ticket.status, to_status=ticket.status,
                          note=f"{REASON_LABELS[why]}，截止 {due_at.astimezone(config.calendar.timezone):%m/%d %H:%M}",
                          data={"followup": task.id, "reason": why, "due_at": due_at.isoformat()})
    log.info("ticket %s: 回访 due by %s (%s)", ticket.number, due_at.isoformat(), why)
    return task


def window(task: Followup) -> ticket_clock.Window:
    """The 回访's due time as a deadline the ladder climbs: from its opening to its due time."""
    return ticket_clock.Window(category=LADDER, start=task.opened_at, deadline=task.due_at, limit=task.due_limit)


def schedule(task: Followup, *, config: StreetConfig, reached: int | None, planner=None) -> None:
    """Set the 回访's next escalation level above `reached` on the ladder of escalation.toml (None: the first)."""
    planner = planner or ticket_clock.Planner(config)
    step = planner.window_next(window(task), reached=reached)
    task.next_level, task.next_at = step if step else (None, None)


# --- who, and what they see -------------------------------------------------------------------------------


def can_visit(user: User, task: Followup) -> bool:
    """The command center and admins: every 回访; an inspector: the 回访 of its zone's tickets."""
    if user.role in (Role.command, Role.admin):
        return True
    return user.role == Role.inspector and user.zone is not None and task.zone == user.zone


def scope_clause(user: User):
    """SQL: the 回访 `user` may see (None: all); 403 for a role that does none."""
    if user.role in (Role.command, Role.admin):
        return None
    if user.role == Role.inspector and user.zone:
        return Followup.zone == user.zone
    raise ApiError(403, "forbidden", "回访 are recorded by the zone's inspectors and the command center")


def get(*, session: Session, followup_id: int) -> Followup | None:
    return session.get(Followup, followup_id)


STATES = ("due", "overdue", "done", "all")


def listing(*, session: Session, user: User, state: str, now: datetime, zone: str | None = None,
            limit: int = 200, ids: tuple[int, ...] = ()) -> tuple[list[tuple[Followup, Ticket, FollowupVisit | None]],
                                                                  int]:
    """The 回访 `user` may see in `state` — due (not yet visited), overdue (not visited, past due), done —
    soonest due first (done: latest first), with their tickets and visits; and how many there are in all."""
    where = [clause] if (clause := scope_clause(user)) is not None else []
    if ids:
        where.append(col(Followup.id).in_(ids))
    if zone:
        where.append(Followup.zone == zone)
    if state in ("due", "overdue"):
        where.append(col(Followup.done_at).is_(None))
    if state == "overdue":
        where.append(col(Followup.due_at) < now)
    if state == "done":
        where.append(col(Followup.done_at).is_not(None))
    total = session.exec(select(func.count()).select_from(Followup).where(*where)).one()
    order = col(Followup.done_at).desc() if state == "done" else col(Followup.due_at)
    rows = session.exec(select(Followup, Ticket, FollowupVisit).join(Ticket, Ticket.id == Followup.ticket_id)
                        .outerjoin(FollowupVisit, FollowupVisit.followup_id == Followup.id)
                        .where(*where).order_by(order, col(Followup.id)).limit(limit)).all()
    return list(rows), total


def of_ticket(*, session: Session, ticket_id: int) -> list[tuple[Followup, FollowupVisit | None]]:
    """A ticket's 回访, oldest first, each with its visit."""
    return list(session.exec(select(Followup, FollowupVisit)
                             .outerjoin(FollowupVisit, FollowupVisit.followup_id == Followup.id)
                             .where(Followup.ticket_id == ticket_id).order_by(col(Followup.id))).all())


def reopen_requests(*, session: Session) -> list[tuple[ReopenRequest, Ticket]]:
    """The reopen requests (回访不满意) waiting for the command center, oldest first, with their tickets."""
    return list(session.exec(select(ReopenRequest, Ticket).join(Ticket, Ticket.id == ReopenRequest.ticket_id)
                             .where(ReopenRequest.status == "pending")
                             .order_by(col(ReopenRequest.requested_at), col(ReopenRequest.id))).all())


def time_left(task: Followup, *, now: datetime, config: StreetConfig) -> float | None:
    """Minutes left until the 回访 is due, in its limit's measure (working minutes for WH/WD); < 0 overdue;
    None once visited."""
    if task.done_at is not None:
        return None
    return remaining(now, task.due_at, Limit.parse(task.due_limit), config.calendar)


# --- recording a visit -------------------------------------------------------------------------------------


def record_visit(*, session: Session, config: StreetConfig, task: Followup, actor: User, reached: bool,
                 rating: str | None, note: str | None, now: datetime) -> FollowupVisit:
    """Record the 回访 (once) and commit; an 不满意 visit also asks the command center to reopen the ticket."""
    if not can_visit(actor, task):
        raise ApiError(403, "forbidden", "回访 are recorded by the zone's inspectors and the command center")
    note = None if note is None or is_blank(note) else note.strip()
    if reached and rating is None:
        raise ApiError(422, "validation_error", "a visit that reached someone needs a `rating`")
    if not reached and rating is not None:
        raise ApiError(422, "validation_error", "a visit that reached no one (未联系上) has no `rating`")
    if rating == Rating.dissatisfied and note is None:
        raise ApiError(422, "validation_error", "不满意 needs a `note` saying what is wrong")
    ticket = session.get(Ticket, task.ticket_id)
    if task.done_at is not None:
        raise ApiError(409, "followup_done", "this 回访 was recorded already", status=ticket.status)
    # claim the task: of two visits recorded at once, one wins
    claimed = session.execute(update(Followup).where(Followup.id == task.id, col(Followup.done_at).is_(None))
                              .values(done_at=now, next_level=None, next_at=None)).rowcount
    if claimed != 1:
        session.rollback()
        raise ApiError(409, "followup_done", "this 回访 was recorded already", status=ticket.status)
    visit = FollowupVisit(followup_id=task.id, ticket_id=ticket.id, at=now, actor_id=actor.id,
                          actor_role=actor.role, reached=reached, rating=rating, note=note)
    session.add(visit)
    session.flush()
    data = {"followup": task.id, "visit": visit.id, "reached": reached, "rating": rating}
    request = None
    if rating == Rating.dissatisfied:
        request = ticket_flows.request_reopen(session=session, ticket=ticket, visit_id=visit.id, reason=note,
                                              actor=actor, now=now)
        data["reopen_request"] = request.id
    said = RATING_LABELS[Rating(rating)] if rating else "未联系上"
    ticket_service.record(session=session, ticket=ticket, action="followup_visit", now=now, actor=actor,
                          from_status=ticket.status, to_status=ticket.status,
                          note=f"回访：{said}" + (f"。{note}" if note else "") + ("；申请返工，待城运中心审批" if request else ""),
                          data=data)
    session.commit()
    session.refresh(task)
    log.info("ticket %s: 回访 recorded by %s (%s)", ticket.number, actor.username, said)
    return visit
