"""The sweep of assist tasks (协办超期升级): each 报到 and task deadline of a joint case climbs the ticket ladder.

Like the ticket sweep (``escalation.sweep``), an explicit query that is harmless to run twice: each open task
carries, per deadline, its next level due (``assist_tasks.checkin_next_at`` / ``task_next_at``, indexed), so
a pass starts with two range queries. In one transaction per batch it locks the tasks (SQLite: BEGIN
IMMEDIATE; PostgreSQL: FOR UPDATE), plans every level due with the tickets' ``clock.Planner`` (the same
ladder, steps and calendar), writes the schedules back only where they are still the ones read, and
records each level once — INSERT … ON CONFLICT DO NOTHING on ``assist_escalations`` (task, deadline,
level) — with its timeline entry on the ticket and its outbox messages. The first pass after downtime
records every level passed meanwhile, each marked 补记 (caught_up) as the ticket sweep does.

A task of a ticket that no longer escalates (挂账, ended) waits: its levels are recorded once the ticket
runs again.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlmodel import Session, col, select

from dispatch import bulk
from dispatch.escalation.models import OutboxMessage
from dispatch.escalation.sweep import (BATCH, OUTBOX_COLUMNS, ScheduleChanged, is_caught_up, named_level,
                                       outbox_rows, recipients)
from dispatch.street.config import StreetConfig
from dispatch.street.schemas import EscalationLevel
from dispatch.tickets import clock, joint_clock
from dispatch.tickets import service as ticket_service
from dispatch.tickets.clock import NEVER_ESCALATE
from dispatch.tickets.models import AssistEscalation, AssistTask, Ticket

log = logging.getLogger(__name__)

ACTION = "assist_escalate"  # the timeline step (留痕) of a level reached by an assist task's deadline


def level_note(kind: str, level: EscalationLevel, department_name: str) -> str:
    """The timeline note of a level, e.g. "派出所报到预警", "房管办协办超期 一级"."""
    return named_level(f"{department_name}{joint_clock.KIND_LABELS[kind]}", level)


def due_task_ids(*, session: Session, now: datetime) -> list[int]:
    """Ids of the open tasks with a level due by `now` on either deadline."""
    ids: dict[int, None] = {}
    for kind in joint_clock.KINDS:
        rows = session.exec(select(AssistTask.id).where(joint_clock.due_clause(kind, now))
                            .order_by(col(AssistTask.id))).all()
        ids.update(dict.fromkeys(rows))
    return sorted(ids)


def sweep(*, session: Session, config: StreetConfig, now: datetime, batch: int = BATCH) -> list[dict]:
    """Record every assist-task level due by `now`; what was recorded."""
    now = now.astimezone(UTC)
    ids = due_task_ids(session=session, now=now)
    session.rollback()
    results: list[dict] = []
    for start in range(0, len(ids), batch):
        results.extend(_sweep_batch(session, config, ids[start:start + batch], now=now))
    if results:
        log.info("assist sweep at %s recorded %d level(s)", now.isoformat(), len(results))
    return results


def _sweep_batch(session: Session, config: StreetConfig, ids: list[int], *, now: datetime) -> list[dict]:
    """One batch in one transaction; if it fails, its tasks one at a time (a bad one is logged, skipped)."""
    try:
        results = _escalate(session, config, ids, now=now)
        session.commit()
        return results
    except Exception:
        session.rollback()
        if len(ids) > 1:
            log.warning("assist escalation of %d tasks failed; sweeping them one at a time", len(ids), exc_info=True)
            return [r for task_id in ids for r in _sweep_batch(session, config, [task_id], now=now)]
        log.exception("assist escalation of task id %s failed; continuing with the others", ids[0])
        return []


def _load(session: Session, ids: list[int]) -> list:
    """The tasks of `ids` whose ticket still escalates, with the ticket's number, category, zone and status,
    locked in id order."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    query = (select(*joint_clock.ladder_columns(), Ticket.number, Ticket.category, Ticket.zone,
                    Ticket.status.label("ticket_status"))
             .join(Ticket, Ticket.id == AssistTask.ticket_id)
             .where(col(AssistTask.id).in_(ids), col(Ticket.status).not_in(NEVER_ESCALATE))
             .order_by(col(AssistTask.id)).with_for_update(of=AssistTask.__table__))
    return list(session.execute(query).all())


def _escalate(session: Session, config: StreetConfig, ids: list[int], *, now: datetime) -> list[dict]:
    rows = _load(session, ids)
    planner = clock.Planner(config, now)
    planned = [(row, plan) for row in rows for kind in joint_clock.KINDS
               if (plan := joint_clock.plan(planner, row, kind, category=row.category)) is not None]
    for kind in joint_clock.KINDS:
        plans = [plan for _, plan in planned if plan.kind == kind]
        if joint_clock.advance_many(session, kind, plans) != len(plans):
            raise ScheduleChanged(f"{kind}: a locked task's schedule changed under the sweep")
    levels = {lv.level: lv for lv in config.escalation.level}
    interval = config.escalation.sweep_interval_seconds
    wanted = [(row, item, levels[item.level], is_caught_up(due_at=item.due_at, now=now, interval_seconds=interval))
              for row, plan in planned for item in plan.due if item.level in levels]
    new = bulk.insert_new(session, AssistEscalation.__table__,
                          ("task_id", "ticket_id", "deadline", "level", "due_at", "created_at", "caught_up"),
                          [(row.id, row.ticket_id, item.kind, item.level, item.due_at, now, caught_up)
                           for row, item, _, caught_up in wanted],
                          unique=("task_id", "deadline", "level"), returning=("id", "task_id", "deadline", "level"))
    made = {(task_id, kind, level): escalation_id for escalation_id, task_id, kind, level in new}
    recorded = [(row, item, level, caught_up, made[row.id, item.kind, item.level])
                for row, item, level, caught_up in wanted if (row.id, item.kind, item.level) in made]
    if recorded:
        _write_consequences(session, config, recorded, now=now)
    return [{"task": row.id, "ticket": row.ticket_id, "number": row.number, "department": row.department,
             "deadline": item.kind, "level": item.level, "name": level.name, "due_at": item.due_at.isoformat(),
             "caught_up": caught_up} for row, item, level, caught_up, _ in recorded]


def _write_consequences(session: Session, config: StreetConfig, recorded: list, *, now: datetime) -> None:
    """For the levels just recorded: the tickets' timeline entries and the outbox messages, one per recipient and
    channel (bulk statements)."""
    timeline, messages = [], []
    for row, item, level, caught_up, escalation_id in recorded:
        department = config.departments.get(row.department)
        note = level_note(item.kind, level, department.name if department else row.department)
        due_at = item.due_at.isoformat()
        timeline.append((row.ticket_id, now, None, "system", "system", ACTION, row.ticket_status, row.ticket_status,
                         note + ("（补记）" if caught_up else ""),
                         {"task_id": row.id, "department": row.department, "deadline": item.kind,
                          "level": item.level, "level_name": level.name, "due_at": due_at, "caught_up": caught_up,
                          "assist_escalation_id": escalation_id}))
        payload = {"kind": "assist", "ticket_id": row.ticket_id, "number": row.number, "category": row.category,
                   "zone": row.zone, "department": row.department, "task_id": row.id, "task": row.task,
                   "deadline": item.kind, "deadline_at": joint_clock.due(row, item.kind).isoformat(),
                   "level": item.level, "level_name": level.name, "note": note, "colour": level.colour,
                   "due_at": due_at, "caught_up": caught_up, "assist_escalation_id": escalation_id}
        # "department" is the assisting department: it is its deadline
        told = recipients(level, ticket=SimpleNamespace(department=row.department, zone=row.zone), config=config)
        messages += outbox_rows(config, "assist", ticket_id=row.ticket_id, recipients=told, payload=payload, now=now)
    ticket_service.record_many(session=session, rows=timeline)
    bulk.insert_many(session, OutboxMessage.__table__, OUTBOX_COLUMNS, messages)
