"""The case record (留痕) below the app: append-only tables and the timeline's hash chain.

Two guards, each checkable on its own:

- **append-only.** The record tables (`APPEND_ONLY_TABLES`: a ticket's timeline, deadline history, escalations,
  photos' metadata, the 居委's evaluations, the assist tasks' escalations, the follow-up visits and their
  escalations — `RECORD_TABLES` — and the street's own records, `STREET_RECORD_TABLES`: each emergency's steps and
  the stored monthly reports) refuse UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) by triggers of the database itself,
  so neither the app nor someone at its database prompt can rewrite what happened. `install` creates them
  (revision 0005 on an upgraded database, `dispatch.db` on a new one: both call it); the app's database
  role owns no table (`python run.py db grant ROLE`), so it cannot drop them either.
- **hash chain.** Each timeline row carries `hash` = sha256(previous row's hash of the same ticket,
  the row's canonical content). `dispatch.tickets.service.record` writes it; `verify` recomputes every
  chain and names the first row of each ticket that does not match — an edit made behind the triggers'
  back (a superuser with them disabled) shows as a break.

A later revision that rebuilds one of these tables on SQLite (`batch_alter_table` copies it) drops its
triggers with the old table: it must call `install` again (`audit verify` reports a table left unprotected).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

# a ticket's record: each row names its ticket (the last two: 回访, dispatch.followup, 0008)
RECORD_TABLES = ("timeline", "deadline_changes", "escalations", "photos", "evaluations", "assist_escalations",
                 "followup_visits", "followup_escalations")
# the street's own record: each emergency's steps (dispatch.emergency, 0009), the stored monthly reports
# (dispatch.reports, 0010)
STREET_RECORD_TABLES = ("emergency_log", "monthly_reports")
APPEND_ONLY_TABLES = RECORD_TABLES + STREET_RECORD_TABLES
FUNCTION = "dispatch_record_append_only"  # PostgreSQL's trigger function
REFUSED = "the case record (留痕) is append-only"


def _triggers(table: str) -> dict[str, str]:
    """Trigger name → the operation(s) it refuses, on `table`."""
    return {f"{table}_no_update": "UPDATE", f"{table}_no_delete": "DELETE"}


def install(connection: Connection, tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> None:
    """Create (or re-create) the triggers that refuse UPDATE and DELETE on `tables`; the table owner runs it."""
    remove(connection, tables)
    if connection.dialect.name == "postgresql":
        _execute(connection, 
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{REFUSED}: % on % refused', TG_OP, TG_TABLE_NAME "
            "USING ERRCODE = 'insufficient_privilege'; END $$")
        for table in tables:
            for name, operation in _triggers(table).items():
                _execute(connection, f'CREATE TRIGGER "{name}" BEFORE {operation} ON "{table}" '
                                           f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()")
            _execute(connection, f'CREATE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
                                       f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()")
        return
    for table in tables:
        for name, operation in _triggers(table).items():
            _execute(connection, f'CREATE TRIGGER "{name}" BEFORE {operation} ON "{table}" BEGIN '
                                       f"SELECT RAISE(ABORT, '{REFUSED}: {operation} on {table} refused'); END")


def _execute(connection: Connection, statement: str) -> None:
    connection.execute(sa.text(statement))  # text(): psycopg would read the function's % as a placeholder


def remove(connection: Connection, tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> None:
    """Drop the triggers `install` creates (revision 0005's downgrade; nothing else should)."""
    postgresql = connection.dialect.name == "postgresql"
    for table in tables:
        names = [*_triggers(table), *([f"{table}_no_truncate"] if postgresql else [])]
        for name in names:
            _execute(connection, f'DROP TRIGGER IF EXISTS "{name}"' + (f' ON "{table}"' if postgresql else ""))


def unprotected(connection: Connection, tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> list[str]:
    """The record tables missing one of their triggers (or whose trigger is disabled), in order."""
    if connection.dialect.name == "postgresql":
        rows = connection.execute(sa.text(
            "SELECT tgname FROM pg_trigger WHERE tgenabled <> 'D' AND tgrelid = ANY("
            "SELECT to_regclass(name) FROM unnest(CAST(:tables AS text[])) AS name)"), {"tables": list(tables)}).scalars()
    else:
        rows = connection.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
    present = set(rows)
    return [table for table in tables if not set(_triggers(table)) <= present]


# --- the hash chain ---

def content(*, ticket_id: int, at: datetime, actor_id: int | None, actor_name: str, actor_role: str, action: str,
            from_status: str | None, to_status: str | None, note: str | None, data: dict | None) -> bytes:
    """A timeline row's canonical content: the bytes its hash covers (JSON, keys sorted, UTC microseconds).

    >>> content(ticket_id=7, at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC), actor_id=None, actor_name="system",
    ...         actor_role="system", action="dispatch", from_status="pending_dispatch", to_status="dispatched",
    ...         note=None, data={"department": "sanitation"})[:59]
    b'{"action":"dispatch","actor_id":null,"actor_name":"system",'
    """
    when = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)  # SQLite loads it naive
    fields = {"ticket": ticket_id, "at": when.isoformat(timespec="microseconds"), "actor_id": actor_id,
              "actor_name": str(actor_name), "actor_role": str(actor_role), "action": str(action),
              "from_status": None if from_status is None else str(from_status),
              "to_status": None if to_status is None else str(to_status), "note": note, "data": data or {}}
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def chain(previous: str | None, row_content: bytes) -> str:
    """sha256 over the previous row's hash (empty for a ticket's first row) and this row's content."""
    return hashlib.sha256((previous or "").encode() + b"\n" + row_content).hexdigest()


TIMELINE = sa.table("timeline", *(sa.column(name) for name in (
    "id", "ticket_id", "actor_id", "actor_name", "actor_role", "action", "from_status", "to_status", "note",
    "hash")), sa.column("at", sa.DateTime(timezone=True)), sa.column("data", sa.JSON()))
TICKETS = sa.table("tickets", sa.column("id"), sa.column("number"))


def row_content(row) -> bytes:
    """`content` of a row read from the timeline table."""
    return content(ticket_id=row.ticket_id, at=_instant(row.at), actor_id=row.actor_id, actor_name=row.actor_name,
                   actor_role=row.actor_role, action=row.action, from_status=row.from_status,
                   to_status=row.to_status, note=row.note, data=row.data)


def _instant(value) -> datetime:
    """A stored instant as a datetime (SQLite hands an untyped column back as text)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def rows(connection: Connection, ticket_id: int | None = None):
    """Timeline rows in chain order (ticket, then insertion), streamed."""
    query = sa.select(TIMELINE).order_by(TIMELINE.c.ticket_id, TIMELINE.c.id)
    if ticket_id is not None:
        query = query.where(TIMELINE.c.ticket_id == ticket_id)
    return connection.execute(query.execution_options(yield_per=1000))


def fill(connection: Connection) -> int:
    """Write the chain of every timeline row (revision 0005, before the triggers exist); how many rows."""
    previous: dict[int, str] = {}
    updates = []
    for row in rows(connection):
        previous[row.ticket_id] = digest = chain(previous.get(row.ticket_id), row_content(row))
        updates.append({"row_id": row.id, "digest": digest})
    if updates:
        connection.execute(sa.update(TIMELINE).where(TIMELINE.c.id == sa.bindparam("row_id"))
                           .values(hash=sa.bindparam("digest")), updates)
    return len(updates)


@dataclass(frozen=True)
class Break:
    """The first timeline row of a ticket whose hash does not follow from its content and the row before."""

    ticket_id: int
    number: str | None
    entry_id: int | None
    reason: str

    def public(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    tickets: int
    entries: int
    breaks: list[Break]
    unprotected: list[str]

    @property
    def intact(self) -> bool:
        return not self.breaks and not self.unprotected

    def public(self) -> dict:
        return {"intact": self.intact, "tickets": self.tickets, "entries": self.entries,
                "breaks": [b.public() for b in self.breaks], "unprotected_tables": self.unprotected}


def verify(connection: Connection, ticket_id: int | None = None) -> Verdict:
    """Recompute every ticket's chain (or one ticket's): the first break of each, and the unguarded tables."""
    numbers_query = sa.select(TICKETS.c.id, TICKETS.c.number)
    if ticket_id is not None:
        numbers_query = numbers_query.where(TICKETS.c.id == ticket_id)
    numbers = dict(connection.execute(numbers_query).all())
    breaks: dict[int, Break] = {}
    previous: dict[int, str | None] = {}
    entries = 0
    for row in rows(connection, ticket_id):
        entries += 1
        if row.ticket_id in breaks:
            continue
        expected = chain(previous.get(row.ticket_id), row_content(row))
        if row.hash != expected:
            reason = ("no hash: written outside the app" if row.hash is None else
                      "its hash does not follow from its content and the entry before it: changed, "
                      "or an entry before it removed")
            breaks[row.ticket_id] = Break(row.ticket_id, numbers.get(row.ticket_id), row.id, reason)
        previous[row.ticket_id] = row.hash
    for missing in sorted(set(numbers) - set(previous)):
        breaks[missing] = Break(missing, numbers[missing], None, "the ticket has no timeline entry at all")
    return Verdict(tickets=len(numbers), entries=entries, breaks=[breaks[k] for k in sorted(breaks)],
                   unprotected=unprotected(connection))
