"""Reading the 居委's evaluations (评价) and 复核 requests: the window, what awaits evaluation, the queues.

The window (config/evaluation.toml `committee_window`, e.g. "5 WD") runs from a ticket's 结案 (`closed_at`),
counted like the deadlines (working time on the street's calendar, or natural time); `now` is passed in.
A closed ticket of a 居民区 is *awaiting* evaluation inside its window, *未评价* (unevaluated) after it.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from dispatch.deadlines.limits import deadline_after
from dispatch.evaluation.models import Evaluation, ReviewRequest
from dispatch.street.config import StreetConfig
from dispatch.tickets.models import Status, Ticket

AWAITING, EVALUATED, UNEVALUATED, NOT_DUE = "awaiting", "evaluated", "unevaluated", "not_due"
MAX_AWAITING = 200  # tickets listed as awaiting evaluation on one page


def window_end(closed_at: datetime, *, config: StreetConfig) -> datetime:
    """`committee_window` after a 结案 at `closed_at`."""
    return deadline_after(closed_at, config.evaluation.window_limit, config.calendar)


MAX_WINDOW = timedelta(days=800)  # a longer window than this is not a street's


def last_closing_past_window(*, config: StreetConfig, now: datetime) -> datetime | None:
    """The latest 结案 instant (to the microsecond) whose window has ended by `now`: the tickets closed at or before
    it are 未评价 if nobody evaluated them. The window's end only grows with the closing instant, so the closings
    divide at one instant, found by bisection on the calendar; None when no closing within MAX_WINDOW qualifies."""
    if _last_closing[0] is config and _last_closing[1] == now:  # the figures of one poll ask several times for the same instant
        return _last_closing[2]
    found = _bisect_window(config, now)
    _last_closing[:] = [config, now, found]
    return found


_last_closing: list = [None, None, None]  # the last (config, now, answer) of last_closing_past_window


def _bisect_window(config: StreetConfig, now: datetime) -> datetime | None:
    def ended(closed_at: datetime) -> bool:
        return window_end(closed_at, config=config) <= now

    if ended(now):
        return now
    span = timedelta(days=1)
    while not ended(now - span):
        span *= 2
        if span > MAX_WINDOW:
            return None
    low, high = now - span, now  # ended(low), not ended(high)
    step = timedelta(microseconds=1)
    while high - low > step:
        middle = low + (high - low) // 2
        middle = middle.replace(microsecond=middle.microsecond)  # whole microseconds
        if ended(middle):
            low = middle
        else:
            high = middle
    return low


def window_ends(ticket: Ticket, *, config: StreetConfig) -> datetime | None:
    """When the 居委 may no longer evaluate the ticket: `committee_window` after its 结案 (None: not closed)."""
    if ticket.status != Status.closed or ticket.closed_at is None:
        return None
    return window_end(ticket.closed_at, config=config)


def remaining_minutes(ticket: Ticket, *, config: StreetConfig, now: datetime) -> float | None:
    """Time left in the window, in the window's own measure (working minutes for WH/WD, else natural)."""
    ends = window_ends(ticket, config=config)
    if ends is None:
        return None
    limit = config.evaluation.window_limit
    if limit.is_natural:
        return (ends - now).total_seconds() / 60
    if now >= ends:
        return -config.calendar.working_minutes_between(ends, now)
    return config.calendar.working_minutes_between(now, ends)


def of_ticket(*, session: Session, ticket_id: int) -> Evaluation | None:
    """The ticket's evaluation, if it has one (there is at most one)."""
    return session.exec(select(Evaluation).where(Evaluation.ticket_id == ticket_id)).first()


def state(ticket: Ticket, evaluation: Evaluation | None, *, config: StreetConfig, now: datetime) -> str:
    """evaluated, awaiting (closed, in its window), unevaluated (未评价: the window passed) or not_due."""
    if evaluation is not None:
        return EVALUATED
    ends = window_ends(ticket, config=config)
    if ticket.committee is None or ends is None:
        return NOT_DUE
    return AWAITING if now < ends else UNEVALUATED


def awaiting(*, session: Session, config: StreetConfig, committee: str, now: datetime) -> list[Ticket]:
    """The closed tickets of a 居民区 it may still evaluate, the window closing soonest first.

    The window's end grows with `closed_at`, so the newest closings are read until the first whose window
    has passed: every older one has passed too.
    """
    rows = session.exec(select(Ticket).outerjoin(Evaluation, col(Evaluation.ticket_id) == Ticket.id)
                        .where(Ticket.committee == committee, Ticket.status == Status.closed,
                               col(Evaluation.id).is_(None))
                        .order_by(col(Ticket.closed_at).desc(), col(Ticket.id).desc())
                        .execution_options(yield_per=100))
    found = []
    for ticket in rows:
        if window_ends(ticket, config=config) <= now or len(found) >= MAX_AWAITING:
            break
        found.append(ticket)
    return found[::-1]


def pending_review(*, session: Session, ticket_id: int) -> ReviewRequest | None:
    """The ticket's 复核 request waiting for the command center, if any."""
    return session.exec(select(ReviewRequest).where(ReviewRequest.ticket_id == ticket_id,
                                                    ReviewRequest.status == "pending")).first()


def latest_review(*, session: Session, ticket_id: int) -> ReviewRequest | None:
    """The ticket's latest 复核 request, whatever its status."""
    return session.exec(select(ReviewRequest).where(ReviewRequest.ticket_id == ticket_id)
                        .order_by(col(ReviewRequest.id).desc())).first()


def reviews(*, session: Session, status: str | None = "pending", limit: int = 200) -> list[tuple[ReviewRequest, Ticket]]:
    """复核 requests (waiting ones by default), oldest first, with their tickets."""
    query = select(ReviewRequest, Ticket).join(Ticket, col(Ticket.id) == ReviewRequest.ticket_id)
    if status is not None:
        query = query.where(ReviewRequest.status == status)
    return list(session.exec(query.order_by(col(ReviewRequest.requested_at), col(ReviewRequest.id)).limit(limit)).all())


def pending_review_count(*, session: Session) -> int:
    """How many 复核 requests wait for the command center (the desk's badge)."""
    return session.exec(select(func.count()).select_from(ReviewRequest).where(ReviewRequest.status == "pending")).one()


def review(*, session: Session, review_id: int) -> ReviewRequest | None:
    return session.get(ReviewRequest, review_id)
