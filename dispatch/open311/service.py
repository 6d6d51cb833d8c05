"""Ticket lookups for GET requests, by number or id, window and filters, limited to what the reader may read.

`readable` is that limit as one SQL condition: the role visibility of /api/v1
(`tickets.visibility.clause`) for the holder of an api_key, the public categories without one.
"""
from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, col, false, or_, select

from dispatch.tickets.models import Ticket
from dispatch.tickets import visibility
from dispatch.users.models import User

NUMBER = re.compile(r"^[A-Z]{1,6}-\d{8}-\d{4,}$")  # YC-20261128-0007
MAX_ID = 2**31 - 1  # ids are INTEGER columns (32-bit on PostgreSQL)
MAX_ID_DIGITS = len(str(MAX_ID))


def _split_ids(request_ids: list[str]) -> tuple[list[str], list[int]]:
    """Ticket numbers and numeric ids among `request_ids`; anything else can match nothing."""
    numbers, ids = [], []
    for value in request_ids:
        if NUMBER.match(value):
            numbers.append(value)
        elif value.isascii() and value.isdigit() and 0 < len(digits := value.lstrip("0")) <= MAX_ID_DIGITS \
                and int(digits) <= MAX_ID:  # the length first: int() refuses strings over 4300 digits
            ids.append(int(digits))
    return numbers, ids


def readable(*, user: User | None, public_categories: list[str]):
    """The SQL condition for the tickets a reader may read (None: all).

    With an api_key (`user`): exactly what /api/v1 shows that user. Without one: the tickets of the
    public categories (a category missing from config is not public).
    """
    if user is not None:
        return visibility.clause(user)
    return col(Ticket.category).in_(public_categories) if public_categories else false()


def by_request_ids(*, session: Session, request_ids: list[str], readable) -> list[Ticket]:
    """The readable tickets named by number (YC-20261128-0007) or id (42), in the order asked, each once."""
    numbers, ids = _split_ids(request_ids)
    if not numbers and not ids:
        return []
    query = select(Ticket).where(or_(col(Ticket.number).in_(numbers), col(Ticket.id).in_(ids)))
    if readable is not None:
        query = query.where(readable)
    rows = session.exec(query).all()
    by_key = {**{t.number: t for t in rows}, **{str(t.id): t for t in rows}}
    found, seen = [], set()
    for value in request_ids:
        ticket = by_key.get(value.lstrip("0") if value.isdigit() else value)
        if ticket is not None and ticket.id not in seen:
            seen.add(ticket.id)
            found.append(ticket)
    return found


def search(*, session: Session, start: datetime, end: datetime, categories: list[str] | None,
           statuses: list[str] | None, limit: int, readable) -> list[Ticket]:
    """Readable tickets requested in [start, end], optionally of these categories and statuses, newest first."""
    query = select(Ticket).where(Ticket.created_at >= start, Ticket.created_at <= end)
    if readable is not None:
        query = query.where(readable)
    if categories:
        query = query.where(col(Ticket.category).in_(categories))
    if statuses:
        query = query.where(col(Ticket.status).in_(statuses))
    return list(session.exec(query.order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc()).limit(limit)))


def numbers(*, session: Session, ticket_ids: set[int]) -> dict[int, str]:
    """The numbers of these tickets by id (to name the original of a duplicate)."""
    if not ticket_ids:
        return {}
    rows = session.exec(select(Ticket.id, Ticket.number).where(col(Ticket.id).in_(ticket_ids))).all()
    return dict(rows)
