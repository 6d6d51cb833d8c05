"""巡查通报: the departments' overdue (超期) and returned (退单) tickets of a period, from the case record.

Overdue (超期)
    A deadline (签收 or 处置) of a ticket reached the ladder's first overdue level (level 1, 超期) with
    ``due_at`` in the period: the escalation the sweep recorded (table escalations). The department
    charged is the one that held the ticket in that dispatch round (ticket_departments, by round), so a
    ticket later sent elsewhere stays on the list of the department that let it run late. One line per
    ticket, department and deadline.
Returned (退单)
    A department user's ``return`` step on the timeline in the period; the department is the actor's.
    One line per step (a ticket returned twice by the same department counts twice).

Both read append-only tables, so a period's list does not change afterwards (except an overdue level a
stopped sweep records late, as ``caught_up``).
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from dispatch.street.config import StreetConfig
from dispatch.tickets.models import Escalation, Ticket, TicketDepartment, TimelineEntry
from dispatch.users.models import Role, User

OVERDUE_LEVEL = 1  # the ladder's 超期: a deadline passed (docs/domain.md, Escalation)


def _ticket_fields(ticket: Ticket) -> dict:
    return {"ticket": ticket.id, "number": ticket.number, "category": ticket.category, "zone": ticket.zone,
            "address": ticket.address, "status": ticket.status}


def overdue(*, session: Session, start: datetime, end: datetime, tz) -> list[dict]:
    """超期 deadlines with their due time in [start, end), oldest first, each with the department charged."""
    rows = session.exec(
        select(Escalation, TicketDepartment.department, Ticket)
        .join(TicketDepartment, (TicketDepartment.ticket_id == Escalation.ticket_id)
              & (TicketDepartment.round == Escalation.round))
        .join(Ticket, Ticket.id == Escalation.ticket_id)
        .where(Escalation.level == OVERDUE_LEVEL, Escalation.due_at >= start, Escalation.due_at < end)
        .order_by(col(Escalation.due_at), col(Escalation.id))).all()
    return [{**_ticket_fields(ticket), "department": department, "deadline": escalation.deadline,
             "due_at": escalation.due_at.astimezone(tz).isoformat()} for escalation, department, ticket in rows]


def returned(*, session: Session, start: datetime, end: datetime, tz) -> list[dict]:
    """退单 steps by department users in [start, end), oldest first, with the department and the reason."""
    rows = session.exec(
        select(TimelineEntry, User.department, Ticket)
        .join(User, User.id == TimelineEntry.actor_id)
        .join(Ticket, Ticket.id == TimelineEntry.ticket_id)
        .where(TimelineEntry.action == "return", TimelineEntry.at >= start, TimelineEntry.at < end,
               User.role == Role.department)
        .order_by(col(TimelineEntry.at), col(TimelineEntry.id))).all()
    return [{**_ticket_fields(ticket), "department": department, "at": entry.at.astimezone(tz).isoformat(),
             "reason": entry.note} for entry, department, ticket in rows]


def by_department(*, config: StreetConfig, overdue_rows: list[dict], returned_rows: list[dict]) -> list[dict]:
    """Per department: tickets overdue and 退单 steps; departments with any first (most first), in config order."""
    rows = []
    for code, department in config.departments.items():
        late = {row["ticket"] for row in overdue_rows if row["department"] == code}
        back = sum(1 for row in returned_rows if row["department"] == code)
        rows.append({"department": code, "name": department.name, "overdue": len(late), "returned": back})
    known = set(config.departments)
    for code in sorted({r["department"] for r in overdue_rows + returned_rows if r["department"] not in known}):
        late = {row["ticket"] for row in overdue_rows if row["department"] == code}
        back = sum(1 for row in returned_rows if row["department"] == code)
        rows.append({"department": code, "name": code, "overdue": len(late), "returned": back})
    rows.sort(key=lambda r: -(r["overdue"] + r["returned"]))  # stable: config order among equals
    return rows
