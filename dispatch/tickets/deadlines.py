"""Setting a ticket's two deadlines (签收 response, 处置完成 resolve) and their escalation schedule."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from dispatch.deadlines.limits import Limit, deadline_after, remaining
from dispatch.escalation.ladder import next_level
from dispatch.street.config import StreetConfig
from dispatch.tickets import holders
from dispatch.tickets.models import DeadlineChange, Ticket

KINDS = ("response", "resolve")


def schedule_next(ticket: Ticket, kind: str, *, config: StreetConfig, start: datetime,
                  reached: int | None) -> None:
    """Set `<kind>_next_level/_next_at` to the next escalation due for that deadline (or clear them)."""
    deadline = getattr(ticket, f"{kind}_deadline")
    limit_text = getattr(ticket, f"{kind}_limit")
    nxt = None
    if deadline is not None and limit_text:
        nxt = next_level(config.escalation.level, reached=reached, start=start, deadline=deadline,
                         limit=Limit.parse(limit_text), calendar=config.calendar)
    setattr(ticket, f"{kind}_next_level", nxt[0] if nxt else None)
    setattr(ticket, f"{kind}_next_at", nxt[1] if nxt else None)


def clear_schedule(ticket: Ticket, kind: str) -> None:
    """Nothing more escalates on this deadline (met, suspended, or the ticket ended)."""
    setattr(ticket, f"{kind}_next_level", None)
    setattr(ticket, f"{kind}_next_at", None)


def move_deadline(session: Session, ticket: Ticket, kind: str, new_at: datetime | None, *, reason: str,
                  now: datetime, actor_id: int | None) -> None:
    """Change one deadline and record the change in its history."""
    old = getattr(ticket, f"{kind}_deadline")
    setattr(ticket, f"{kind}_deadline", new_at)
    session.add(DeadlineChange(ticket_id=ticket.id, deadline=kind, old_at=old, new_at=new_at, reason=reason,
                               at=now, actor_id=actor_id))


def start_clocks(session: Session, ticket: Ticket, *, config: StreetConfig, now: datetime,
                 actor_id: int | None) -> None:
    """On dispatch: a new round, recorded for the ticket's (new) department, and both deadlines from the
    category's limits, counted from `now`."""
    category = config.categories[ticket.category]
    ticket.dispatched_at = now
    ticket.dispatch_round += 1
    holders.record(session=session, ticket=ticket, now=now)
    ticket.escalation_level = -1  # a new department, a new ladder (督办 flags stay)
    for kind, limit in (("response", category.response_limit), ("resolve", category.resolve_limit)):
        setattr(ticket, f"{kind}_limit", str(limit))
        move_deadline(session, ticket, kind, deadline_after(now, limit, config.calendar), reason="dispatch",
                      now=now, actor_id=actor_id)
        schedule_next(ticket, kind, config=config, start=now, reached=None)


def remaining_minutes(ticket: Ticket, kind: str, *, now: datetime, calendar) -> float | None:
    """Time left on a deadline in its own measure (working or natural minutes); negative when overdue."""
    due = getattr(ticket, f"{kind}_deadline")
    limit_text = getattr(ticket, f"{kind}_limit")
    if due is None or not limit_text:
        return None
    return remaining(now, due, Limit.parse(limit_text), calendar)
