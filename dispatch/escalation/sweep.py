"""The escalation sweep (超期升级): an explicit, idempotent query over the tickets whose next level is due.

Each ticket carries, per deadline, the next escalation due (`<kind>_next_level`, `<kind>_next_at`,
indexed), so one sweep starts with two range queries (`<kind>_next_at <= now`): its cost grows with
the number of tickets due, not with the table.

For each due (ticket, deadline) the sweep records every level whose time has come, in order, so the
first pass after downtime reaches the right level and leaves a record of each level it passed.

Set-based: the due tickets are swept in batches of BATCH, each one transaction of a fixed number of
statements whatever its size —
  1. lock the batch's rows and read what the ladder needs (PostgreSQL: SELECT … FOR UPDATE in id
     order; SQLite: BEGIN IMMEDIATE first, so the read sees the last committed schedule and no other
     writer can change it before the commit);
  2. plan every due level in Python (`tickets.clock.Planner`: a working-time instant needs the
     calendar), each category's steps and each limit looked up once;
  3. record every due level of the batch at once: INSERT … ON CONFLICT DO NOTHING … RETURNING on the
     Escalation unique key (ticket, deadline, level, round) — a level another sweep (or an earlier
     round of an extension's reschedule) already recorded returns no row and is told to nobody;
  4. write back, in one UPDATE per ticket and one statement for the batch (`clock.advance_tickets`), both
     deadlines' schedules — each only where it is still the one planned from — with the escalation_level
     and 督办 flag of the levels that were new (one new row version per ticket);
  5. for the levels that were new: the timeline entries and the outbox messages, one bulk statement each
     (each level's payload encoded once for all its recipients).

Exactly once, also with two sweeps at the same time (two processes or threads; SQLite or PostgreSQL):
the second sweep waits for the first one's lock, then reads the schedule the first one wrote, so it
finds nothing due; the unique key catches anything else. A batch that fails is swept again one
ticket at a time, so a failing ticket is logged and skipped without holding up the others.

A record is marked `caught_up` (补记) when it is made more than LATE_AFTER_INTERVALS sweep
intervals after its due time: a running scheduler sweeps every interval, so a later record means
the sweep was not running (downtime) when the level fell due. The slack of a second interval keeps
ordinary scheduler jitter from marking on-time records as late.
"""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from dispatch import bulk
from dispatch.escalation.models import OutboxMessage
from dispatch.street.config import StreetConfig
from dispatch.street.schemas import EscalationLevel
from dispatch.tickets import clock
from dispatch.tickets import service as ticket_service
from dispatch.tickets.clock import KIND_LABELS, KINDS, NEVER_ESCALATE, Plan
from dispatch.tickets.models import Escalation, Ticket

log = logging.getLogger(__name__)

LATE_AFTER_INTERVALS = 2
BATCH = 2000  # tickets per transaction
_NUMERALS = "零一二三四五六七八九"


class ScheduleChanged(RuntimeError):
    """A locked ticket's schedule was not the one read: the batch is undone and swept again ticket by ticket."""


def named_level(prefix: str, level: EscalationLevel) -> str:
    """A level in words after what reached it ("签收", "房管办报到", "回访"): "签收预警", "签收超期 一级" — the notes
    of every ladder (tickets, assist tasks, 回访)."""
    note = f"{prefix}{level.name}"
    if 0 < level.level < len(_NUMERALS):
        note += f" {_NUMERALS[level.level]}级"
    return note


def level_note(kind: str, level: EscalationLevel) -> str:
    """The timeline note of a ticket's level, e.g. "处置预警", "签收超期 一级"."""
    return named_level(KIND_LABELS.get(kind, kind), level)


def is_caught_up(*, due_at: datetime, now: datetime, interval_seconds: float) -> bool:
    """True when a level is recorded so late that the sweep cannot have been running when it fell due."""
    return now - due_at > timedelta(seconds=LATE_AFTER_INTERVALS * interval_seconds)


def due_ticket_ids(*, session: Session, now: datetime) -> list[int]:
    """Ids of the tickets with a level due by `now` on either deadline (two indexed range queries)."""
    ids: dict[int, None] = {}
    for kind in KINDS:
        _, next_at = clock.schedule_columns(kind)
        rows = session.exec(select(Ticket.id).where(clock.due_clause(kind, now))
                            .order_by(col(next_at), col(Ticket.id))).all()
        ids.update(dict.fromkeys(rows))
    return list(ids)


def sweep(*, session: Session, config: StreetConfig, now: datetime, dry_run: bool = False,
          batch: int = BATCH) -> list[dict]:
    """Record every escalation level due by `now`; return what was recorded (or, dry run, what would be)."""
    now = now.astimezone(UTC)
    ids = due_ticket_ids(session=session, now=now)
    session.rollback()  # ends the read; each batch is its own transaction
    results: list[dict] = []
    for start in range(0, len(ids), batch):
        results.extend(_sweep_batch(session, config, ids[start:start + batch], now=now, dry_run=dry_run))
    if results and not dry_run:
        log.info("escalation sweep at %s recorded %d level(s)", now.isoformat(), len(results))
    return results


def _sweep_batch(session: Session, config: StreetConfig, ids: list[int], *, now: datetime,
                 dry_run: bool) -> list[dict]:
    """One batch in one transaction; if it fails, its tickets one at a time (a bad one is logged, skipped)."""
    try:
        results = _preview(session, config, ids, now=now) if dry_run else _escalate(session, config, ids, now=now)
        session.rollback() if dry_run else session.commit()
        return results
    except Exception:
        session.rollback()
        if len(ids) > 1:
            log.warning("escalation of a batch of %d tickets failed; sweeping them one at a time", len(ids),
                        exc_info=True)
            return [r for ticket_id in ids for r in _sweep_batch(session, config, [ticket_id], now=now,
                                                                   dry_run=dry_run)]
        log.exception("escalation of ticket id %s failed; continuing with the others", ids[0])
        return []


def _lock_for_writing(session: Session) -> None:
    """SQLite: take the database's write lock before reading, so the rows read stay as read until the commit
    (PostgreSQL locks the rows themselves: SELECT … FOR UPDATE)."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")


def _load(session: Session, ids: list[int], *, lock: bool) -> list:
    """The rows of `ids` that still escalate, with what the ladder, the timeline and the messages need, in
    the order of `ids`; `lock`: FOR UPDATE, in id order (two sweeps lock in the same order: no deadlock)."""
    query = (select(Ticket.id, Ticket.number, Ticket.status, Ticket.zone, Ticket.department, Ticket.dispatch_round,
                    *clock.ladder_columns())
             .where(col(Ticket.id).in_(ids), col(Ticket.status).not_in(NEVER_ESCALATE))
             .order_by(col(Ticket.id)))
    if lock:
        query = query.with_for_update()
    position = {ticket_id: i for i, ticket_id in enumerate(ids)}
    return sorted(session.execute(query).all(), key=lambda row: position[row.id])


def _plans(config: StreetConfig, rows: list, *, now: datetime) -> list[tuple[object, list[Plan]]]:
    """Each row with the plans of its deadlines that have levels due; a row that cannot be planned (a
    broken limit …) is logged and left out."""
    planner = clock.Planner(config, now)
    found = []
    for row in rows:
        try:
            plans = [plan for kind in KINDS if (plan := planner.plan(row, kind)) is not None]
        except Exception:
            log.exception("escalation of ticket id %s failed; continuing with the others", row.id)
            continue
        if plans:
            found.append((row, plans))
    return found


def _escalate(session: Session, config: StreetConfig, ids: list[int], *, now: datetime) -> list[dict]:
    """Record the due levels of both deadlines of a batch of tickets (one transaction; the caller commits)."""
    _lock_for_writing(session)
    planned = _plans(config, _load(session, ids, lock=True), now=now)
    levels = {lv.level: lv for lv in config.escalation.level}
    interval = config.escalation.sweep_interval_seconds
    wanted = []  # (row, item, level, caught_up), in order: ticket, deadline, level
    for row, plans in planned:
        for plan in plans:
            for item in plan.due:
                level = levels.get(item.level)
                if level is None:  # scheduled under an older config/escalation.toml
                    log.warning("ticket %s %s: level %d is no longer configured; skipped", row.number, item.kind,
                                item.level)
                    continue
                wanted.append((row, item, level, is_caught_up(due_at=item.due_at, now=now, interval_seconds=interval)))
    new = _insert_escalations(session, wanted, now=now)
    recorded = [(row, item, level, caught_up, new[row.id, item.kind, item.level])
                for row, item, level, caught_up in wanted if (row.id, item.kind, item.level) in new]
    for row, item, _, _ in wanted:
        if (row.id, item.kind, item.level) not in new:
            log.info("ticket %s %s level %d already recorded", row.number, item.kind, item.level)
    raised: dict[int, tuple[int, bool]] = {}  # ticket → (highest level just recorded, 督办)
    for row, item, level, _, _ in recorded:
        top, supervise = raised.get(row.id, (-1, False))
        raised[row.id] = (max(top, item.level), supervise or bool(level.supervise))
    plans = [plan for _, row_plans in planned for plan in row_plans]
    if clock.advance_tickets(session, plans, raised=raised, now=now) != len(planned):
        raise ScheduleChanged("a locked ticket's schedule changed under the sweep")
    if recorded:
        _write_consequences(session, config, recorded, now=now)
    return [_result(row, item, level, caught_up) for row, item, level, caught_up, _ in recorded]


_ESCALATION_COLUMNS = ("ticket_id", "deadline", "level", "round", "due_at", "created_at", "caught_up")
# the columns of an outbox row as the sweeps insert them in bulk (each sweep's messages: tuples in this order)
OUTBOX_COLUMNS = ("escalation_id", "ticket_id", "recipient", "channel", "payload", "created_at",
                  "next_attempt_at", "attempts", "gave_up")


def outbox_rows(config: StreetConfig, kind: str, *, ticket_id: int, recipients: list[str], payload: dict,
                now: datetime) -> list[tuple]:
    """The rows (OUTBOX_COLUMNS) of a `kind` message: one per recipient and channel (``channels_for``), due at
    `now`, each payload naming its recipient. (This sweep's own rows are made with their payloads encoded once,
    ``_write_consequences``.)"""
    delivery = config.escalation.delivery
    return [(None, ticket_id, recipient, channel, {**payload, "recipient": recipient}, now, now, 0, False)
            for recipient in recipients for channel in delivery.channels_for(recipient, kind)]


def _insert_escalations(session: Session, wanted: list, *, now: datetime) -> dict[tuple[int, str, int], int]:
    """INSERT every wanted level at once, ON CONFLICT DO NOTHING … RETURNING; the ids of those that were
    new, by (ticket, deadline, level)."""
    rows = bulk.insert_new(session, Escalation.__table__, _ESCALATION_COLUMNS,
                           [(row.id, item.kind, item.level, row.dispatch_round, item.due_at, now, caught_up)
                            for row, item, _, caught_up in wanted],
                           unique=("ticket_id", "deadline", "level", "round"),
                           returning=("id", "ticket_id", "deadline", "level"))
    return {(ticket_id, kind, level): escalation_id for escalation_id, ticket_id, kind, level in rows}


def _write_consequences(session: Session, config: StreetConfig, recorded: list, *, now: datetime) -> None:
    """For the levels just recorded: timeline entries and outbox messages (one bulk statement each; the
    tickets' level and 督办 flag went with their schedules, ``clock.advance_tickets``). A level's payload is encoded once for all its recipients and channels, and
    who a level tells is worked out once per (level, department, zone)."""
    timeline, messages = [], []
    encode = bulk.json_encoder(session)
    addressed: dict[tuple, list[tuple[str, str, str]]] = {}  # (level, department, zone) → (recipient, channel, tail)
    notes: dict[tuple[str, int, bool], tuple[str, str]] = {}
    delivery = config.escalation.delivery
    for row, item, level, caught_up, escalation_id in recorded:
        noted = notes.get((item.kind, level.level, caught_up))
        if noted is None:
            note = level_note(item.kind, level)
            noted = notes[item.kind, level.level, caught_up] = (note, note + ("（补记）" if caught_up else ""))
        note, timeline_note = noted
        due_at = item.due_at.isoformat()
        timeline.append((row.id, now, None, "system", "system", "escalate", row.status, row.status, timeline_note,
                         {"deadline": item.kind, "level": item.level, "level_name": level.name, "due_at": due_at,
                          "caught_up": caught_up, "escalation_id": escalation_id}))
        payload = {"kind": "escalation", "ticket_id": row.id, "number": row.number, "category": row.category,
                   "zone": row.zone, "department": row.department, "deadline": item.kind,
                   "deadline_at": _iso(clock.due(row, item.kind)), "level": item.level, "level_name": level.name,
                   "note": note, "colour": level.colour, "due_at": due_at, "caught_up": caught_up,
                   "escalation_id": escalation_id}
        key = (level.level, row.department, row.zone)
        targets = addressed.get(key)
        if targets is None:
            targets = addressed[key] = [
                (recipient, channel, ', "recipient": ' + encode(recipient) + "}")
                for recipient in recipients(level, ticket=row, config=config)
                for channel in delivery.channels_for(recipient, "escalation")]
        body = _encoded_prefix(encode, payload)
        for recipient, channel, tail in targets:
            text = body + tail if body is not None else encode({**payload, "recipient": recipient})
            messages.append((escalation_id, row.id, recipient, channel, text, now, now, 0, False))
        if log.isEnabledFor(logging.DEBUG):
            log.debug("ticket %s: %s%s", row.number, timeline_note, " (督办)" if level.supervise else "")
    ticket_service.record_many(session=session, rows=timeline)  # chained like every step (tickets.record)
    bulk.insert_many(session, OutboxMessage.__table__, OUTBOX_COLUMNS, messages, encoded=("payload",))


def _encoded_prefix(encode, payload: dict) -> str | None:
    """`payload` encoded without its closing brace, so that `prefix + ', "recipient": "…"}'` is exactly
    encode({**payload, "recipient": …}) — when `encode` is json.dumps with its default separators (None:
    another encoder; each message is then encoded whole)."""
    if encode is not json.dumps:
        return None
    return encode(payload)[:-1]


def _result(row, item, level: EscalationLevel, caught_up: bool) -> dict:
    return {"ticket": row.id, "number": row.number, "deadline": item.kind, "level": item.level, "name": level.name,
            "due_at": item.due_at.isoformat(), "caught_up": caught_up}


def recipients(level: EscalationLevel, *, ticket, config: StreetConfig) -> list[str]:
    """Who a level tells: "department" → the ticket's department code, "zone_station" → the zone's
    station code (the command center when there is none), other role names as they are; no repeats."""
    found: list[str] = []
    for name in level.notify:
        if name == "department":
            code = ticket.department or "command_center"
        elif name == "zone_station":
            zone = config.zone(ticket.zone)
            code = zone.station if zone is not None and zone.station else "command_center"
        else:
            code = name
        if code not in found:
            found.append(code)
    return found


def _preview(session: Session, config: StreetConfig, ids: list[int], *, now: datetime) -> list[dict]:
    """What `sweep` would record for a batch of tickets, writing nothing."""
    planned = _plans(config, _load(session, ids, lock=False), now=now)
    levels = {lv.level: lv for lv in config.escalation.level}
    recorded = set(session.exec(select(Escalation.ticket_id, Escalation.deadline, Escalation.level, Escalation.round)
                                .where(col(Escalation.ticket_id).in_([row.id for row, _ in planned]))).all())
    interval = config.escalation.sweep_interval_seconds
    results = []
    for row, plans in planned:
        for plan in plans:
            for item in plan.due:
                if (row.id, item.kind, item.level, row.dispatch_round) in recorded or item.level not in levels:
                    continue
                caught_up = is_caught_up(due_at=item.due_at, now=now, interval_seconds=interval)
                results.append(_result(row, item, levels[item.level], caught_up))
    return results


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
