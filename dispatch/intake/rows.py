"""The rows a report writes (intake.flows' lean path): the new ticket as a plain object, its first timeline rows
hash-chained from nothing, its deadline history and dispatch round — inserted one statement per table (SQLite) or
all in one statement (PostgreSQL, where the ticket's id is known before the insert)."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from pydantic_core import PydanticUndefined
from sqlmodel import Session

from dispatch import bulk
from dispatch.tickets import service as ticket_service
from dispatch.tickets.models import DeadlineChange, Ticket, TicketDepartment


class NewTicket(SimpleNamespace):
    """A ticket intake has just written: every column as stored, read without a session (the answer's body)."""

    def __init__(self, **given):
        super().__init__(**{**{name: make() for name, make in _DEFAULTS.items()}, **given})


def _field_default(field):
    if field.default_factory is not None:
        return field.default_factory
    default = None if field.default is PydanticUndefined else field.default
    return lambda: default


_DEFAULTS = {name: _field_default(field) for name, field in Ticket.model_fields.items()}
TICKET_COLUMNS = tuple(column.name for column in Ticket.__table__.columns)
_TICKETS = Ticket.__table__
_DEADLINE_CHANGES, _TICKET_DEPARTMENTS = DeadlineChange.__table__, TicketDepartment.__table__


def deadline_rows(ticket: NewTicket, moved: list, *, now: datetime) -> list[dict]:
    return [{"ticket_id": ticket.id, "deadline": kind, "old_at": old_at, "new_at": new_at, "reason": "dispatch",
             "at": now, "actor_id": None} for kind, old_at, new_at in moved]


def holder_rows(ticket: NewTicket, moved: list, *, now: datetime) -> list[dict]:
    """tickets.holders' row of this dispatch round, when the report was dispatched."""
    return [{"ticket_id": ticket.id, "department": ticket.department, "round": ticket.dispatch_round,
             "dispatched_at": now}] if moved else []


def insert_each(connection, ticket: NewTicket, steps: list[tuple], moved: list, *, now: datetime) -> None:
    values = {name: getattr(ticket, name) for name in TICKET_COLUMNS if name != "id"}
    ticket.id = connection.execute(_TICKETS.insert(), values).inserted_primary_key[0]
    timeline, rows = ticket_service.first_steps(ticket.id, steps, now=now)
    connection.execute(timeline.insert(), rows)
    if moved:
        connection.execute(_DEADLINE_CHANGES.insert(), deadline_rows(ticket, moved, now=now))
        connection.execute(_TICKET_DEPARTMENTS.insert(), holder_rows(ticket, moved, now=now))


def insert_in_one(session: Session, ticket: NewTicket, steps: list[tuple], moved: list, *, now: datetime) -> None:
    def part(table, rows: list[dict]):
        columns = tuple(rows[0]) if rows else ()
        return table, columns, [tuple(row[c] for c in columns) for row in rows]

    bulk.insert_together(session, [
        (_TICKETS, TICKET_COLUMNS, [tuple(getattr(ticket, name) for name in TICKET_COLUMNS)]),
        part(*ticket_service.first_steps(ticket.id, steps, now=now)),
        part(_DEADLINE_CHANGES, deadline_rows(ticket, moved, now=now)),
        part(_TICKET_DEPARTMENTS, holder_rows(ticket, moved, now=now))])
