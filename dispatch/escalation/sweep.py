"""The escalation sweep (超期升级): an explicit, idempotent query over the tickets whose next level is due.

Each ticket carries, per deadline, the next escalation due (`<kind>_next_level`, `<kind>_next_at`,
indexed), so one sweep is two range queries (`<kind>_next_at <= now`): its cost grows with the
number of tickets due, not with the table.

For each due (ticket, deadline) the sweep records every level whose time has come, in order, so the
first pass after downtime reaches the right level and leaves a record of each level it passed.

Exactly once, also with two sweeps at the same time (two processes or threads; SQLite or PostgreSQL):
  1. the schedule is advanced with a conditional UPDATE on the old `<kind>_next_level/_next_at`
     (and on a status that still escalates): of two sweeps that read the same schedule one updates
     the row, the other gets 0 rows (PostgreSQL re-checks the row after the winner commits; SQLite
     has one writer at a time), re-reads the ticket and plans again from the winner's schedule;
  2. each level is an INSERT ... ON CONFLICT DO NOTHING on the Escalation unique key
     (ticket, deadline, level); only the sweep whose insert returned a row writes the timeline,
     bumps the ticket and queues notifications — so a level is never told twice, even if the
     schedule was reset (e.g. by an extension) to a level that was already reached.
Each ticket is one transaction, committed on its own: a failing ticket is logged and skipped.

A record is marked `caught_up` (补记) when it is made more than LATE_AFTER_INTERVALS sweep
intervals after its due time: a running scheduler sweeps every interval, so a later record means
the sweep was not running (downtime) when the level fell due. The slack of a second interval keeps
ordinary scheduler jitter from marking on-time records as late.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from dispatch.escalation.models import OutboxMessage
from dispatch.street.config import StreetConfig
from dispatch.street.schemas import EscalationLevel
from dispatch.tickets import clock
from dispatch.tickets import service as ticket_service
from dispatch.tickets.clock import KIND_LABELS, KINDS, NEVER_ESCALATE, Due
from dispatch.tickets.models import Escalation, Ticket

log = logging.getLogger(__name__)

LATE_AFTER_INTERVALS = 2
_NUMERALS = "零一二三四五六七八九"
_CLAIM_TRIES = 3


def level_note(kind: str, level: EscalationLevel) -> str:
    """The timeline note of a level, e.g. "处置预警", "响应超期 一级"."""
    note = f"{KIND_LABELS.get(kind, kind)}{level.name}"
    if 0 < level.level < len(_NUMERALS):
        note += f" {_NUMERALS[level.level]}级"
    return note


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


def sweep(*, session: Session, config: StreetConfig, now: datetime, dry_run: bool = False) -> list[dict]:
    """Record every escalation level due by `now`; return what was recorded (or, dry run, what would be)."""
    now = now.astimezone(UTC)
    levels = {lv.level: lv for lv in config.escalation.level}
    results: list[dict] = []
    for ticket_id in due_ticket_ids(session=session, now=now):
        try:
            if dry_run:
                results.extend(_preview(session, config, ticket_id, now=now))
                session.rollback()  # ends the read transaction; nothing was written
            else:
                results.extend(_escalate_ticket(session, config, levels, ticket_id, now=now))
                session.commit()
        except Exception:
            session.rollback()
            log.exception("escalation of ticket id %s failed; continuing with the others", ticket_id)
    if results and not dry_run:
        log.info("escalation sweep at %s recorded %d level(s)", now.isoformat(), len(results))
    return results


def _load(session: Session, ticket_id: int) -> Ticket | None:
    """The ticket as the database has it now (not a stale copy from the identity map)."""
    return session.exec(select(Ticket).where(Ticket.id == ticket_id)
                        .execution_options(populate_existing=True)).first()


def _claim(session: Session, ticket: Ticket, kind: str, *, new_level: int | None, new_at: datetime | None) -> bool:
    """Advance one deadline's schedule only if no one else has since the ticket was read."""
    level_col, at_col = clock.schedule_columns(kind)
    old_level, old_at = clock.next_step(ticket, kind)
    stmt = (update(Ticket)
            .where(Ticket.id == ticket.id, level_col == old_level, at_col == old_at,
                   col(Ticket.status).not_in(NEVER_ESCALATE))
            .values({level_col: new_level, at_col: new_at})
            .execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount != 1:
        return False
    set_committed_value(ticket, level_col.key, new_level)
    set_committed_value(ticket, at_col.key, new_at)
    return True


def _escalate_ticket(session: Session, config: StreetConfig, levels: dict[int, EscalationLevel], ticket_id: int,
                     *, now: datetime) -> list[dict]:
    """Record the due levels of both deadlines of one ticket (one transaction; the caller commits)."""
    results: list[dict] = []
    for kind in KINDS:
        for _ in range(_CLAIM_TRIES):
            ticket = _load(session, ticket_id)
            if ticket is None or ticket.status in NEVER_ESCALATE:
                return results
            due, new_level, new_at = clock.plan(ticket, kind, config=config, now=now)
            if not due:
                break
            if _claim(session, ticket, kind, new_level=new_level, new_at=new_at):
                for item in due:
                    level = levels.get(item.level)
                    if level is None:  # scheduled under an older config/escalation.toml
                        log.warning("ticket %s %s: level %d is no longer configured; skipped", ticket.number,
                                    kind, item.level)
                        continue
                    result = _record(session, config, ticket, level, item, now=now)
                    if result is not None:
                        results.append(result)
                break
            log.info("ticket %s %s: schedule changed by another sweep or action; re-reading", ticket.number, kind)
    return results


def _insert_escalation(session: Session, *, ticket: Ticket, item: Due, now: datetime, caught_up: bool) -> int | None:
    """INSERT the escalation unless it exists (ON CONFLICT DO NOTHING); its id, or None if it existed."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (insert(Escalation)
            .values(ticket_id=ticket.id, deadline=item.kind, level=item.level, round=ticket.dispatch_round,
                    due_at=item.due_at, created_at=now, caught_up=caught_up)
            .on_conflict_do_nothing(index_elements=["ticket_id", "deadline", "level", "round"])
            .returning(Escalation.id))
    return session.execute(stmt).scalar_one_or_none()


def _record(session: Session, config: StreetConfig, ticket: Ticket, level: EscalationLevel, item: Due, *,
            now: datetime) -> dict | None:
    """Record one level once: escalation row, then (only if it was new) timeline, ticket flags, outbox."""
    caught_up = is_caught_up(due_at=item.due_at, now=now, interval_seconds=config.escalation.sweep_interval_seconds)
    escalation_id = _insert_escalation(session, ticket=ticket, item=item, now=now, caught_up=caught_up)
    if escalation_id is None:
        log.info("ticket %s %s level %d already recorded", ticket.number, item.kind, item.level)
        return None
    note = level_note(item.kind, level) + ("（补记）" if caught_up else "")
    ticket_service.record(session=session, ticket=ticket, action="escalate", now=now, actor=None,
                          from_status=ticket.status, to_status=ticket.status, note=note,
                          data={"deadline": item.kind, "level": item.level, "level_name": level.name,
                                "due_at": item.due_at.isoformat(), "caught_up": caught_up,
                                "escalation_id": escalation_id})
    values = {"escalation_level": case((col(Ticket.escalation_level) < item.level, item.level),
                                       else_=col(Ticket.escalation_level)),
              "updated_at": now}
    if level.supervise:
        values["supervised"] = True  # 督办
    session.execute(update(Ticket).where(Ticket.id == ticket.id).values(values)
                    .execution_options(synchronize_session=False))
    set_committed_value(ticket, "escalation_level", max(ticket.escalation_level, item.level))
    if level.supervise:
        set_committed_value(ticket, "supervised", True)
    payload = {"ticket_id": ticket.id, "number": ticket.number, "category": ticket.category, "zone": ticket.zone,
               "department": ticket.department, "deadline": item.kind,
               "deadline_at": _iso(clock.due(ticket, item.kind)), "level": item.level,
               "level_name": level.name, "note": level_note(item.kind, level), "colour": level.colour,
               "due_at": item.due_at.isoformat(), "caught_up": caught_up, "escalation_id": escalation_id}
    for recipient in recipients(level, ticket=ticket, config=config):
        session.add(OutboxMessage(escalation_id=escalation_id, ticket_id=ticket.id, recipient=recipient,
                                  payload={**payload, "recipient": recipient}, created_at=now, next_attempt_at=now))
    log.info("ticket %s: %s%s", ticket.number, note, "" if not level.supervise else " (督办)")
    return {"ticket": ticket.id, "number": ticket.number, "deadline": item.kind, "level": item.level,
            "name": level.name, "due_at": item.due_at.isoformat(), "caught_up": caught_up}


def recipients(level: EscalationLevel, *, ticket: Ticket, config: StreetConfig) -> list[str]:
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


def _preview(session: Session, config: StreetConfig, ticket_id: int, *, now: datetime) -> list[dict]:
    """What `sweep` would record for one ticket, writing nothing."""
    ticket = _load(session, ticket_id)
    if ticket is None or ticket.status in NEVER_ESCALATE:
        return []
    levels = {lv.level: lv for lv in config.escalation.level}
    recorded = set(session.exec(select(Escalation.deadline, Escalation.level)
                                .where(Escalation.ticket_id == ticket_id)).all())
    results = []
    for kind in KINDS:
        due, _, _ = clock.plan(ticket, kind, config=config, now=now)
        for item in due:
            if (item.kind, item.level) in recorded or item.level not in levels:
                continue
            caught_up = is_caught_up(due_at=item.due_at, now=now,
                                     interval_seconds=config.escalation.sweep_interval_seconds)
            results.append({"ticket": ticket.id, "number": ticket.number, "deadline": item.kind,
                            "level": item.level, "name": levels[item.level].name,
                            "due_at": item.due_at.isoformat(), "caught_up": caught_up})
    return results


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
