"""Ticket storage: numbering, lookups, the filtered list, duplicates, the timeline."""
from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import Table, bindparam, func, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from dispatch import bulk
from dispatch.tickets import clock, search, visibility
from dispatch.tickets import record as ledger
from dispatch.tickets.models import OPEN_STATUSES, Ticket, TicketCounter, TimelineEntry
from dispatch.users.models import Role, User
from dispatch.street.config import StreetConfig
from geo.distance import haversine_m
from geo.problems import Problem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Numbered:
    """A new ticket's number and, on PostgreSQL, the id it is to be inserted with (None: the insert gives it)."""

    number: str
    ticket_id: int | None = None


_SEQUENCE = "pg_get_serial_sequence('tickets', 'id')"
_NUMBER_OF_DAY = text(f"SELECT nextval({_SEQUENCE}) AS id, base FROM ticket_number_days WHERE day = :day")
_NUMBER_OF_DAY_HOLDING = text(f"SELECT nextval({_SEQUENCE}) AS id, base, (SELECT count(pg_advisory_xact_lock(k)) "
                              "FROM unnest(CAST(:keys AS bigint[])) AS k) AS held "
                              "FROM ticket_number_days WHERE day = :day")
_START_DAY = text(f"INSERT INTO ticket_number_days (day, base) VALUES (:day, COALESCE(pg_sequence_last_value("
                  f"{_SEQUENCE}::regclass), 0)) ON CONFLICT (day) DO NOTHING")
_COUNTERS = TicketCounter.__table__
_COUNT_DAY = (sqlite_insert(_COUNTERS).values(day=bindparam("day"), last=1)
              .on_conflict_do_update(index_elements=["day"], set_={"last": _COUNTERS.c.last + 1})
              .returning(_COUNTERS.c.last))


def take_number(*, session: Session, prefix: str, now: datetime, tz: tzinfo, hold: list[int] | None = None) -> Numbered:
    """The number of a new ticket of the day of `now` in `tz`: PREFIX-YYYYMMDD-NNNN, e.g. YC-20261128-0007.

    PostgreSQL: no counter row. The ticket's id is taken from the tickets' id sequence (never blocks, never
    rolls back) and NNNN = id − the day's base (ticket_number_days, written by the day's first report). Numbers
    are unique and increase within a day; a gap (a number never shown) is left by a report whose transaction
    failed after taking its id (an Idempotency-Key race) and by ids taken for tickets of another day meanwhile
    (reports a moment apart around midnight). Only the day's very first reports wait, for the one that
    writes the base to commit.

    SQLite: one writer at a time anyway, so a counter row per day (atomic upsert) gives gapless numbers; it
    is also the report's first write, which takes the database's write lock before the duplicate check reads.

    `hold`: the duplicate check's area (`area_keys`), locked on PostgreSQL in the same round trip.
    """
    day = now.astimezone(tz).strftime("%Y%m%d")
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        row = (connection.execute(_NUMBER_OF_DAY_HOLDING, {"day": day, "keys": hold}) if hold else
               connection.execute(_NUMBER_OF_DAY, {"day": day})).first()
        if row is None:  # the day's first report (or one of the first, which waits for it here)
            connection.execute(_START_DAY, {"day": day})
            row = connection.execute(_NUMBER_OF_DAY, {"day": day}).one()
            hold_area(session=session, keys=hold or [])
        return Numbered(f"{prefix}-{day}-{row.id - row.base:04d}", row.id)
    seq = connection.execute(_COUNT_DAY, {"day": day}).scalar_one()
    return Numbered(f"{prefix}-{day}-{seq:04d}")


def config_in_use(*, session: Session, config: StreetConfig) -> list[Problem]:
    """What a new config may not drop: a category or department tickets still use (a street guard).

    Zone codes may change (the district's real boundaries replace the placeholders): tickets keep
    the zone they were reported in, and a warning is logged.
    """
    problems = []
    for column, known, file, what in ((Ticket.category, config.categories, "categories.toml", "category"),
                                      (Ticket.department, config.departments, "departments.toml", "department")):
        used = session.exec(select(column, func.count()).where(col(column).is_not(None)).group_by(column)).all()
        problems += [Problem(file, what, f"{code!r} is used by {count} ticket(s) and cannot be removed")
                     for code, count in used if code not in known]
    if problems:
        return problems
    zone_codes = {z.code for z in config.zones}
    for code, count in session.exec(select(Ticket.zone, func.count()).where(col(Ticket.zone).is_not(None))
                                    .group_by(Ticket.zone)).all():
        if code not in zone_codes:
            log.warning("zone %r is no longer configured; its %d ticket(s) keep it", code, count)
    return []


def get(*, session: Session, ticket_id: int) -> Ticket | None:
    return session.get(Ticket, ticket_id)


def get_by_number(*, session: Session, number: str) -> Ticket | None:
    """The ticket numbered `number` exactly (YC-20261204-0001; `search.whole_number` normalises typing)."""
    return session.exec(select(Ticket).where(Ticket.number == number)).first()


_T = Ticket.__table__.c
_BY_IDEMPOTENCY_KEY = select(_T.id).where(_T.reporter_id == bindparam("reporter_id"),
                                          _T.idempotency_key == bindparam("key"))


def get_by_idempotency_key(*, session: Session, reporter_id: int, key: str) -> Ticket | None:
    """The ticket this reporter's Idempotency-Key made, if any (a plain id lookup first: most keys are new)."""
    found = session.connection().execute(_BY_IDEMPOTENCY_KEY, {"reporter_id": reporter_id, "key": key}).scalar()
    return None if found is None else session.get(Ticket, found)


def _box(lng: float, lat: float, radius_m: float) -> tuple[float, float]:
    """Half the width and height, in degrees, of the box the duplicate check reads around a point."""
    dlat = radius_m / 111_000 * 1.5
    return dlat / max(math.cos(math.radians(lat)), 0.01), dlat


_DUPLICATE_CANDIDATES = select(_T.id, _T.lng, _T.lat).where(  # Core, compiled once: most reports find none
    _T.category == bindparam("category"), _T.created_at >= bindparam("since"),
    _T.status.in_(bindparam("statuses", expanding=True)), _T.duplicate_of.is_(None),
    _T.lng.between(bindparam("lng_min"), bindparam("lng_max")),
    _T.lat.between(bindparam("lat_min"), bindparam("lat_max")))


def find_duplicate(*, session: Session, category: str, lng: float, lat: float, now: datetime,
                   radius_m: float, window: timedelta) -> Ticket | None:
    """The nearest open, non-duplicate ticket of this category within radius_m reported in `window`.

    The candidates are read as plain rows (most reports have none); only the one chosen is loaded as a Ticket.
    """
    dlng, dlat = _box(lng, lat, radius_m)
    candidates = session.connection().execute(_DUPLICATE_CANDIDATES, {
        "category": category, "since": now - window, "statuses": [s.value for s in OPEN_STATUSES],
        "lng_min": lng - dlng, "lng_max": lng + dlng, "lat_min": lat - dlat, "lat_max": lat + dlat}).all()
    scored = sorted((haversine_m(lng, lat, c_lng, c_lat), c_id) for c_id, c_lng, c_lat in candidates)
    nearest = next((c_id for dist, c_id in scored if dist <= radius_m), None)
    return None if nearest is None else session.get(Ticket, nearest)


AREA_LOCK_DEGREES = 0.01  # the cells (~1 km) the PostgreSQL duplicate check locks, per category
_LOCK_AREA = text("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:keys AS bigint[])) AS k")


def area_keys(*, category: str, lng: float, lat: float, radius_m: float) -> list[int]:
    """The advisory lock keys of the area the duplicate check of a report at (lng, lat) reads (`hold_area`)."""
    dlng, dlat = _box(lng, lat, radius_m)
    cells = {(x, y) for x in range(math.floor((lng - dlng) / AREA_LOCK_DEGREES),
                                   math.floor((lng + dlng) / AREA_LOCK_DEGREES) + 1)
             for y in range(math.floor((lat - dlat) / AREA_LOCK_DEGREES),
                            math.floor((lat + dlat) / AREA_LOCK_DEGREES) + 1)}
    return sorted(_lock_key(category, x, y) for x, y in cells)


def hold_area(*, session: Session, keys: list[int]) -> None:
    """PostgreSQL: hold, until commit, the area the duplicate check of a report reads (`area_keys`), so that two
    reports of one pile made at the same moment are checked one after the other (the second sees the first and
    is linked to it) while reports elsewhere, or of other categories, do not wait for each other.

    The area is every AREA_LOCK_DEGREES cell of this category that the check's box touches, each a
    transaction-scoped advisory lock taken in key order (no deadlock); two reports within radius_m of each other
    share at least the cell of either point. `take_number(hold=keys)` takes them in its own statement. SQLite
    needs none: its one writer at a time (taken by the report's first write, the number) orders them.
    """
    if keys and session.get_bind().dialect.name == "postgresql":
        session.connection().execute(_LOCK_AREA, {"keys": keys})


def _lock_key(category: str, x: int, y: int) -> int:
    """A signed 64-bit advisory lock key for a category's cell (stable across processes, unlike hash())."""
    digest = hashlib.blake2b(f"dup:{category}:{x}:{y}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def list_conditions(filters: dict) -> list:
    """The conditions of the filters every ticket list takes (the API's list, the desk's queues): `q` (search),
    `status`, `zone`, `committee`, `category` (lists; empty: any) and `created_from` / `created_to` (a
    half-open range)."""
    conditions = []
    for name in ("status", "zone", "committee", "category"):
        if filters.get(name):
            conditions.append(col(getattr(Ticket, name)).in_(filters[name]))
    if filters.get("q") and (found := search.clause(filters["q"])) is not None:
        conditions.append(found)
    if filters.get("created_from"):
        conditions.append(Ticket.created_at >= filters["created_from"])
    if filters.get("created_to"):
        conditions.append(Ticket.created_at < filters["created_to"])
    return conditions


def query(*, session: Session, user: User, filters: dict, limit: int, offset: int) -> tuple[list[Ticket], int]:
    """Tickets this user may see, filtered, newest first, with the total count.

    With `held` a department is matched by every dispatch round, not only the current one: a
    department user also gets the tickets it held before, and the `department` filter those
    departments held.
    """
    conditions = []
    held = bool(filters.get("held"))
    visible = visibility.clause(user)
    if held and user.role == Role.department:
        visible = visibility.held_clause([user.department])
    if visible is not None:
        conditions.append(visible)
    if filters.get("department") and held:
        conditions.append(visibility.held_clause(filters["department"]))
    elif filters.get("department"):
        conditions.append(col(Ticket.department).in_(filters["department"]))
    conditions += list_conditions(filters)
    if filters.get("overdue_at"):
        conditions.append(clock.late_clause(filters["overdue_at"]))
    if filters.get("min_escalation_level") is not None:
        conditions.append(Ticket.escalation_level >= filters["min_escalation_level"])
    if filters.get("supervised") is not None:
        conditions.append(Ticket.supervised == filters["supervised"])
    if filters.get("reporter_id") is not None:
        conditions.append(Ticket.reporter_id == filters["reporter_id"])
    total = session.exec(select(func.count()).select_from(Ticket).where(*conditions)).one()
    rows = session.exec(select(Ticket).where(*conditions)
                        .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
                        .offset(offset).limit(limit)).all()
    return list(rows), total


def timeline(*, session: Session, ticket_id: int) -> list[TimelineEntry]:
    return list(session.exec(select(TimelineEntry).where(TimelineEntry.ticket_id == ticket_id)
                             .order_by(col(TimelineEntry.at), col(TimelineEntry.id))))


def record(*, session: Session, ticket: Ticket, action: str, now: datetime, actor: User | None,
           from_status: str | None, to_status: str | None, note: str | None = None,
           data: dict | None = None) -> TimelineEntry:
    """Append one step to the ticket's timeline (留痕), its hash chained to the ticket's previous step.

    The only place timeline rows are made. The ticket's row is held (PostgreSQL: FOR NO KEY UPDATE, which
    a photo's foreign key lock does not block) while the previous hash is read, so two steps written at
    once (two photos) follow each other in the chain instead of both following the same one.
    """
    entry = TimelineEntry(ticket_id=ticket.id, at=now, actor_id=actor.id if actor else None,
                          actor_name=actor.display_name or actor.username if actor else "system",
                          actor_role=actor.role if actor else "system", action=action,
                          from_status=from_status, to_status=to_status, note=note, data=data or {})
    session.flush()  # the steps written before this one in the transaction, and the ticket's id
    session.execute(select(Ticket.id).where(Ticket.id == ticket.id).with_for_update(key_share=True))
    previous = session.exec(select(TimelineEntry.hash).where(TimelineEntry.ticket_id == ticket.id)
                            .order_by(col(TimelineEntry.id).desc()).limit(1)).first()
    entry.ticket_id = ticket.id
    entry.hash = ledger.chain(previous, ledger.content(
        ticket_id=ticket.id, at=now, actor_id=entry.actor_id, actor_name=entry.actor_name,
        actor_role=entry.actor_role, action=action, from_status=from_status, to_status=to_status, note=note,
        data=entry.data))
    session.add(entry)
    return entry


TIMELINE_COLUMNS = ("ticket_id", "at", "actor_id", "actor_name", "actor_role", "action", "from_status",
                    "to_status", "note", "data")


def first_steps(ticket_id: int, steps: list[tuple], *, now: datetime) -> tuple[Table, list[dict]]:
    """A new ticket's first timeline rows, hash-chained as `record` chains them (from nothing), and the table to
    insert them into: intake writes a report's rows in one statement (its lean path), the chain stays here.
    `steps`: (action, actor, from_status, to_status, note, data) in the order they happened."""
    rows, previous = [], None
    for action, actor, from_status, to_status, note, data in steps:
        row = {"ticket_id": ticket_id, "at": now, "actor_id": actor.id if actor else None,
               "actor_name": actor.display_name or actor.username if actor else "system",
               "actor_role": actor.role if actor else "system", "action": action, "from_status": from_status,
               "to_status": to_status, "note": note, "data": data}
        row["hash"] = previous = ledger.chain(previous, ledger.content(**{k: v for k, v in row.items()
                                                                           if k != "hash"}))
        rows.append(row)
    return TimelineEntry.__table__, rows


def record_many(*, session: Session, rows: list[tuple]) -> None:
    """Append many steps at once (the sweep's levels), each chained like `record`'s, in one executemany.

    `rows` are tuples in the order of TIMELINE_COLUMNS, in the order they happened; the caller holds the
    tickets' rows (the sweep locks its batch), so no other step of these tickets is written meanwhile.
    """
    if not rows:
        return
    session.flush()
    ticket_ids = sorted({row[0] for row in rows})
    latest = (select(func.max(TimelineEntry.id)).where(col(TimelineEntry.ticket_id).in_(ticket_ids))
              .group_by(TimelineEntry.ticket_id))
    previous = dict(session.execute(select(TimelineEntry.ticket_id, TimelineEntry.hash)
                                    .where(col(TimelineEntry.id).in_(latest))).all())
    chained = []
    for row in rows:
        values = dict(zip(TIMELINE_COLUMNS, row))
        previous[values["ticket_id"]] = digest = ledger.chain(previous.get(values["ticket_id"]),
                                                              ledger.content(**values))
        chained.append((*row, digest))
    bulk.insert_many(session, TimelineEntry.__table__, (*TIMELINE_COLUMNS, "hash"), chained)


def claim(*, session: Session, ticket: Ticket, expected_version: int) -> bool:
    """Bump the version only if it is still `expected_version` (optimistic lock); False if someone won.

    The UPDATE holds the row (PostgreSQL) or the write lock (SQLite) until commit, so of two
    concurrent actions on one ticket exactly one claims it; the other sees 0 rows and gets 409.
    """
    stmt = (update(Ticket).where(Ticket.id == ticket.id, Ticket.version == expected_version)
            .values(version=expected_version + 1))
    if session.execute(stmt).rowcount != 1:
        return False
    set_committed_value(ticket, "version", expected_version + 1)
    return True
