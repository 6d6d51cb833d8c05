"""Which departments held a ticket (one row per dispatch round), so a former holder keeps read access.

A department loses a ticket by 退单 (return), when an inspector's 自行处置 relieves it, or when the
command center reassigns it (改派); the timeline
(留痕) keeps what it did, and ``ticket_departments`` answers "did this department ever hold it" with
an index lookup instead of reading timelines. Rows are written at each dispatch; a database made
before the table existed was filled once from the timeline's dispatch entries (migration 0003).
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session, col, select

from dispatch.tickets.models import Ticket, TicketDepartment, TimelineEntry

log = logging.getLogger(__name__)


def record(*, session: Session, ticket: Ticket, now: datetime) -> None:
    """Note that the ticket's current department holds it from `now`, in its current dispatch round.

    No unique key on (ticket, round): the row is added before the action's optimistic claim, so a
    lost race must end in the claim's 409 (and a rollback), not in an integrity error.
    """
    session.add(TicketDepartment(ticket_id=ticket.id, department=ticket.department, round=ticket.dispatch_round,
                                 dispatched_at=now))


def held_ticket_ids(departments: list[str]):
    """A subquery of the ids of the tickets any of `departments` held in some dispatch round."""
    return select(TicketDepartment.ticket_id).where(col(TicketDepartment.department).in_(departments))


def held(*, session: Session, ticket_id: int, department: str) -> bool:
    """True when `department` held this ticket in some dispatch round."""
    return session.exec(held_ticket_ids([department]).where(TicketDepartment.ticket_id == ticket_id)).first() is not None


def held_among(*, session: Session, department: str, ticket_ids: list[int]) -> set[int]:
    """The ids among `ticket_ids` that `department` held in some dispatch round."""
    if not ticket_ids:
        return set()
    return set(session.exec(select(TicketDepartment.ticket_id).where(
        TicketDepartment.department == department, col(TicketDepartment.ticket_id).in_(ticket_ids))).all())


# How a department loses a ticket: the timeline action, and the key of its data naming the department.
RELEASED_BY = {"return": "returned_by", "self_resolve": "relieved_department", "reassign": "reassigned_from"}


def departure(*, session: Session, ticket_id: int, department: str) -> TimelineEntry | None:
    """The entry that ended `department`'s latest round of this ticket: its 退单, the 自行处置 that
    relieved it, or the command center's 改派 (the only ways a department loses a ticket); None when none
    is on the timeline."""
    releases = session.exec(select(TimelineEntry).where(TimelineEntry.ticket_id == ticket_id,
                                                        col(TimelineEntry.action).in_(list(RELEASED_BY)))
                            .order_by(col(TimelineEntry.at).desc(), col(TimelineEntry.id).desc())).all()
    return next((e for e in releases if (e.data or {}).get(RELEASED_BY[e.action]) == department), None)
