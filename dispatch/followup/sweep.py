"""Overdue 回访 escalate (回访超期升级): the ladder of config/escalation.toml, each level recorded once.

The same shape as the tickets' sweep (dispatch.escalation.sweep), over the 回访 not yet visited whose next
level is due (`followups.next_at <= now`, indexed): in one transaction, lock them (SQLite: BEGIN IMMEDIATE;
PostgreSQL: FOR UPDATE), plan every level due with ``tickets.clock.Planner`` (window_levels_due: the 回访's
due time and limit as a ``Window``, the ladder's working-time or natural steps), write the schedules back
only where they are still the ones planned from, insert the levels ON CONFLICT DO NOTHING on the unique
(回访, level) key, and for the levels that were new write the ticket's timeline and the outbox messages (delivered by the
escalation domain's delivery job). Exactly once, also with two sweeps at the same time.

Who is told: the recipients of each level as for a ticket (``escalation.sweep.recipients``), where
"department" is the one who owes the visit: the zone's station (its inspectors), else the command center.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import update
from sqlmodel import Session, col, select

from dispatch import bulk
from dispatch.escalation.models import OutboxMessage
from dispatch.escalation.sweep import OUTBOX_COLUMNS, is_caught_up, named_level, outbox_rows, recipients
from dispatch.followup.models import Followup, FollowupEscalation
from dispatch.followup.service import window
from dispatch.street.config import StreetConfig
from dispatch.tickets import clock as ticket_clock
from dispatch.tickets import service as ticket_service
from dispatch.tickets.models import Ticket

log = logging.getLogger(__name__)

BATCH = 500
KIND = "followup"


def level_note(level) -> str:
    """The timeline note of a 回访's level, e.g. "回访预警", "回访超期 一级"."""
    return named_level("回访", level)


def sweep(*, session: Session, config: StreetConfig, now: datetime) -> list[dict]:
    """Record every level of an overdue 回访 due by `now`, once; what was recorded."""
    now = now.astimezone(UTC)
    results: list[dict] = []
    while True:
        done = _batch(session, config, now=now)
        results += done
        if len(done) < BATCH:
            break
    if results:
        log.info("回访 sweep at %s recorded %d level(s)", now.isoformat(), len(results))
    return results


def _batch(session: Session, config: StreetConfig, *, now: datetime) -> list[dict]:
    try:
        found = _escalate(session, config, now=now)
        session.commit()
        return found
    except Exception:
        session.rollback()
        log.exception("回访 escalation failed; the next pass tries again")
        return []


def _escalate(session: Session, config: StreetConfig, *, now: datetime) -> list[dict]:
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    query = (select(Followup, Ticket.number, Ticket.category, Ticket.status)
             .join(Ticket, Ticket.id == Followup.ticket_id)
             .where(col(Followup.next_at) <= now, col(Followup.done_at).is_(None))
             .order_by(col(Followup.id)).limit(BATCH).with_for_update(of=Followup))
    rows = session.execute(query).all()
    if not rows:
        return []
    planner = ticket_clock.Planner(config, now)
    levels = {lv.level: lv for lv in config.escalation.level}
    interval = config.escalation.sweep_interval_seconds
    wanted = []
    for task, number, category, status in rows:
        due, new_level, new_at = planner.window_levels_due(window(task), KIND, task.next_level, task.next_at)
        moved = session.execute(update(Followup).where(Followup.id == task.id, Followup.next_level == task.next_level,
                                                       Followup.next_at == task.next_at)
                                .values(next_level=new_level, next_at=new_at)).rowcount
        if moved != 1:
            continue  # another sweep moved it first
        for item in due:
            if item.level in levels:
                wanted.append((task, number, category, status, item, levels[item.level],
                               is_caught_up(due_at=item.due_at, now=now, interval_seconds=interval)))
    rows_new = bulk.insert_new(session, FollowupEscalation.__table__,
                               ("followup_id", "ticket_id", "level", "due_at", "created_at", "caught_up"),
                               [(task.id, task.ticket_id, item.level, item.due_at, now, caught_up)
                                for task, _, _, _, item, _, caught_up in wanted],
                               unique=("followup_id", "level"), returning=("id", "followup_id", "level"))
    new = {(followup_id, level): escalation_id for escalation_id, followup_id, level in rows_new}
    timeline, messages, results = [], [], []
    for task, number, category, status, item, level, caught_up in wanted:
        escalation_id = new.get((task.id, item.level))
        if escalation_id is None:
            continue
        note = level_note(level) + ("（补记）" if caught_up else "")
        timeline.append((task.ticket_id, now, None, "system", "system", "followup_escalate", status, status, note,
                         {"followup": task.id, "level": item.level, "level_name": level.name,
                          "due_at": item.due_at.isoformat(), "caught_up": caught_up,
                          "followup_escalation_id": escalation_id}))
        zone = config.zone(task.zone)
        owes = SimpleNamespace(department=(zone.station if zone is not None and zone.station else None),
                               zone=task.zone)
        payload = {"kind": KIND, "ticket_id": task.ticket_id, "number": number, "category": category, "zone": task.zone,
                   "followup": task.id, "followup_due_at": task.due_at.isoformat(), "level": item.level,
                   "level_name": level.name, "note": note, "colour": level.colour, "due_at": item.due_at.isoformat(),
                   "caught_up": caught_up, "followup_escalation_id": escalation_id}
        told = recipients(level, ticket=owes, config=config)
        messages += outbox_rows(config, KIND, ticket_id=task.ticket_id, recipients=told, payload=payload, now=now)
        top = max(task.escalation_level, item.level)
        session.execute(update(Followup).where(Followup.id == task.id).values(escalation_level=top))
        task.escalation_level = top
        results.append({"followup": task.id, "ticket": task.ticket_id, "number": number, "level": item.level,
                        "name": level.name, "due_at": item.due_at.isoformat(), "caught_up": caught_up})
    ticket_service.record_many(session=session, rows=timeline)
    bulk.insert_many(session, OutboxMessage.__table__, OUTBOX_COLUMNS, messages)
    return results
