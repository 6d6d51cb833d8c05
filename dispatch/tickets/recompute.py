"""Deadlines counted again when the holiday data of a year changes (节假日数据更新).

A deadline in working time is only as right as the calendar it was counted with. When a year's days
change — the street adds ``[years.2027]`` from the State Council's notice and reloads, or a newer
chinesecalendar package arrives — every open ticket whose running deadline lies in or after the changed
year is counted again from its own history (``clock.replay``: its dispatch or resume instant and its
approved 延期) under the new calendar, and so is each open assist task's (协办) 报到 and 完成 deadline, from its
whistle. A ticket's deadline that moves gets a ``deadline_history`` entry (reason ``calendar``, shown as
节假日数据更新); either kind gets a timeline entry saying from what to what, and its next escalation
rescheduled above the level already reached. An escalation already recorded is never deleted: one the new calendar says came early is
noted on the timeline.

Which calendar the deadlines were counted with is kept per year in ``calendar_years`` (a digest of the
year's days off and the working hours); ``sync`` compares, recomputes from the first changed year and
records the new digests. It runs after a config reload in the reloading process, and as a scheduler job
at start and every SYNC_SECONDS (a newer chinesecalendar package, a reload made in another process).
``recompute`` is also run on demand (``python run.py deadlines recompute [--dry-run] [--json]``).
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlmodel import Session, col, select

from dispatch import clock as app_clock
from dispatch import db
from dispatch.deadlines.calendar import WorkCalendar
from dispatch.street import service as street_service
from dispatch.street.config import StreetConfig
from dispatch.tickets import clock, joint_clock
from dispatch.tickets import service as ticket_service
from dispatch.tickets.models import AssistTask, CalendarYear, Escalation, Status, Ticket

log = logging.getLogger(__name__)

REASON = "calendar"  # deadline_history reason: 节假日数据更新
NOTE = "节假日数据更新"
YEARS_BEHIND, YEARS_AHEAD = 1, 2  # the years whose calendar is watched, around the current one
SYNC_JOB_ID = "deadline_calendar_sync"
SYNC_SECONDS = 600  # how often the scheduler compares the calendar with the one the deadlines were counted with
_TOLERANCE_SECONDS = 1


@dataclass(frozen=True)
class Change:
    """One deadline the new calendar moves."""

    ticket_id: int
    number: str
    kind: str
    old: datetime
    new: datetime
    department: str | None = None  # an assist task's (协办) deadline: its department; None: the ticket's own

    def public(self, tz) -> dict:
        found = {"ticket": self.ticket_id, "number": self.number, "deadline": self.kind,
                 "old": self.old.astimezone(tz).isoformat(), "new": self.new.astimezone(tz).isoformat()}
        if self.department is not None:
            found["department"] = self.department
        return found


def _local(at: datetime, calendar: WorkCalendar) -> str:
    return at.astimezone(calendar.timezone).strftime("%Y-%m-%d %H:%M")


def digest(calendar: WorkCalendar, year: int) -> str:
    """What a year's deadlines depend on: its days off, the working hours and the time zone."""
    text = ";".join([calendar.timezone_name, repr(calendar.working_hours),
                     *sorted(d.isoformat() for d in calendar.days_off(year))])
    return hashlib.sha256(text.encode()).hexdigest()


def watched_years(calendar: WorkCalendar, now: datetime) -> range:
    year = now.astimezone(calendar.timezone).year
    return range(year - YEARS_BEHIND, year + YEARS_AHEAD + 1)


def _candidates(session: Session, since: datetime | None) -> list[Ticket]:
    """Tickets with a running deadline (at or after `since`), oldest first."""
    conditions = [col(Ticket.status).in_([Status.dispatched, Status.in_progress])]
    if since is not None:
        conditions.append(clock.running_from_clause(since))
    return list(session.exec(select(Ticket).where(*conditions).order_by(col(Ticket.id))))


def changes_for(session: Session, ticket: Ticket, calendar: WorkCalendar) -> list[Change]:
    """The running deadlines of `ticket` that its history, counted under `calendar`, puts elsewhere."""
    entries = ticket_service.timeline(session=session, ticket_id=ticket.id)
    found = []
    for kind in clock.running_kinds(ticket):
        replayed = clock.replay(ticket, kind, entries, calendar=calendar)
        current = clock.due(ticket, kind)
        if replayed is not None and abs((replayed.due - current).total_seconds()) > _TOLERANCE_SECONDS:
            found.append(Change(ticket.id, ticket.number, kind, current, replayed.due))
    return found


def recompute(*, session: Session, config: StreetConfig, now: datetime, since: datetime | None = None,
              dry_run: bool = False) -> list[Change]:
    """Count every running deadline (at or after `since`) again under the config's calendar; apply the
    changes (each ticket in its own transaction, claimed like an action) unless `dry_run`. What changed."""
    calendar = config.calendar
    changed: list[Change] = []
    for ticket in _candidates(session, since):
        found = changes_for(session, ticket, calendar)
        if not found:
            continue
        if dry_run:
            changed += found
            continue
        if _apply(session, config, ticket, found, now=now):
            changed += found
    changed += _recount_assists(session, config, since, now=now, dry_run=dry_run)
    if not dry_run:
        session.commit()
    if changed and not dry_run:
        log.info("holiday data changed: %d deadline(s) of %d ticket(s) counted again", len(changed),
                 len({c.ticket_id for c in changed}))
    return changed


def _apply(session: Session, config: StreetConfig, ticket: Ticket, found: list[Change], *, now: datetime) -> bool:
    """Move the deadlines of one ticket, reschedule its ladder, note it; False if an action won the ticket."""
    calendar = config.calendar
    if not ticket_service.claim(session=session, ticket=ticket, expected_version=ticket.version):
        session.rollback()
        return False
    entries = ticket_service.timeline(session=session, ticket_id=ticket.id)
    notes = []
    for change in found:
        replayed = clock.replay(ticket, change.kind, entries, calendar=calendar)
        clock.move_deadline(session, ticket, change.kind, change.new, reason=REASON, now=now, actor_id=None)
        clock.reschedule(session, config, ticket, change.kind, start=replayed.window_start)
        notes.append(f"{clock.KIND_LABELS[change.kind]}时限由 {_local(change.old, calendar)} 改为 "
                     f"{_local(change.new, calendar)}")
        notes += _early(session, config, ticket, change.kind, start=replayed.window_start)
    ticket.updated_at = now
    ticket_service.record(session=session, ticket=ticket, action="recompute_deadlines", now=now, actor=None,
                          from_status=ticket.status, to_status=ticket.status, note=f"{NOTE}：" + "；".join(notes),
                          data={"changes": [c.public(calendar.timezone) for c in found]})
    session.add(ticket)
    session.commit()
    return True


def _recount_assists(session: Session, config: StreetConfig, since: datetime | None, *, now: datetime,
                     dry_run: bool) -> list[Change]:
    """The open assist tasks' (协办) 报到 and 完成 deadlines counted again from their whistle; each task that moves
    in its own transaction, its ladder scheduled again above the level reached, a note on the ticket's timeline."""
    calendar = config.calendar
    query = (select(AssistTask, Ticket).join(Ticket, col(Ticket.id) == AssistTask.ticket_id)
             .where(col(AssistTask.state).in_(joint_clock.OPEN)).order_by(col(AssistTask.id)))
    changed: list[Change] = []
    for task, ticket in session.exec(query).all():
        found = []
        for kind in joint_clock.KINDS:
            old = joint_clock.due(task, kind)
            if since is not None and old < since:
                continue
            new = joint_clock.recount(session, task, kind, category=ticket.category, config=config)
            if new is not None:
                found.append(Change(ticket.id, ticket.number, kind, old, new, department=task.department))
        if not found:
            continue
        changed += found
        if dry_run:
            session.expire(task)  # nothing written
            continue
        name = config.departments.get(task.department)
        who = name.name if name else task.department
        ticket_service.record(session=session, ticket=ticket, action="recompute_deadlines", now=now, actor=None,
                              from_status=ticket.status, to_status=ticket.status,
                              note=f"{NOTE}：" + "；".join(
                                  f"{who}{joint_clock.KIND_LABELS[c.kind]}时限由 {_local(c.old, calendar)} 改为 "
                                  f"{_local(c.new, calendar)}" for c in found),
                              data={"changes": [c.public(calendar.timezone) for c in found]})
        session.add(task)
        session.commit()
    return changed


def _early(session: Session, config: StreetConfig, ticket: Ticket, kind: str, *, start: datetime) -> list[str]:
    """Escalations of this round the new deadline says came early: noted, never undone."""
    levels = {level.level: level for level in config.escalation.level}
    planner = clock.Planner(config)
    recorded = session.exec(select(Escalation).where(Escalation.ticket_id == ticket.id, Escalation.deadline == kind,
                                                     Escalation.round == ticket.dispatch_round)
                            .order_by(col(Escalation.level))).all()
    notes = []
    for escalation in recorded:
        level = levels.get(escalation.level)
        if level is None:
            continue
        due = planner.level_due(ticket, kind, level, start=start)
        if escalation.due_at < due:
            notes.append(f"已记录的{clock.KIND_LABELS[kind]}{level.name}按新日历应于 {_local(due, config.calendar)}，"
                         "早于应有时间，记录保留")
    return notes


def sync(*, session: Session, config: StreetConfig, now: datetime) -> list[Change]:
    """Recompute when the watched years' calendar differs from the one the deadlines were counted with.

    A year seen for the first time is compared with nothing: its deadlines are counted again once (a
    database from before this check may hold deadlines of the plain Mon–Fri fallback)."""
    calendar = config.calendar
    stored = {row.year: row for row in session.exec(select(CalendarYear)).all()}
    digests = {year: digest(calendar, year) for year in watched_years(calendar, now)}
    changed_years = [year for year, value in digests.items() if year not in stored or stored[year].digest != value]
    if not changed_years:
        return []
    _record(session, calendar, now, {year: digests[year] for year in changed_years})
    since = datetime(min(changed_years), 1, 1, tzinfo=calendar.timezone)
    session.commit()  # the new digests first: a second process finds them and does not start over
    changes = recompute(session=session, config=config, now=now, since=since)
    log.info("calendar of %s changed since the deadlines were counted: %d deadline(s) moved",
             "、".join(map(str, changed_years)), len(changes))
    return changes


def _record(session: Session, calendar: WorkCalendar, now: datetime, digests: dict[int, str]) -> None:
    """Store each year's digest: the calendar its deadlines are now counted with."""
    db.upsert(session, CalendarYear, "year", [{"year": year, "digest": value, "source": calendar.source(year),
                                               "updated_at": now} for year, value in digests.items()])


def stamp_new_database(*, session: Session, config: StreetConfig, now: datetime) -> bool:
    """A database with no ticket yet: every deadline it will hold is counted with this calendar, so its
    digests are recorded now (an older database without them is counted again once by `sync`)."""
    if session.exec(select(CalendarYear.year).limit(1)).first() is not None:
        return False
    if session.exec(select(Ticket.id).limit(1)).first() is not None:
        return False
    _record(session, config.calendar, now,
            {year: digest(config.calendar, year) for year in watched_years(config.calendar, now)})
    session.commit()
    return True


def sync_job(app: Flask) -> None:
    """The scheduler's job (at start, then every SYNC_SECONDS): `sync` in its own app context; errors logged."""
    try:
        with app.app_context():
            sync(session=db.session(), config=app.extensions["street_config"], now=app_clock.now(app))
    except Exception:
        log.exception("checking the calendar of the deadlines failed")


def jobs(config: StreetConfig) -> list:
    """The scheduler's job of this module: `sync_job`, at start and every SYNC_SECONDS."""
    from dispatch.scheduler import JobSpec

    return [JobSpec(SYNC_JOB_ID, "deadlines' calendar check (节假日数据更新)", sync_job, SYNC_SECONDS, at_start=True)]


def init_app(app: Flask) -> None:
    """A new database records the calendar it starts with; after each config reload of this process the
    deadlines are counted again if the calendar changed; the scheduler's `sync_job` covers a start with a
    newer chinesecalendar and reloads made elsewhere."""
    with app.app_context():
        stamp_new_database(session=db.session(), config=app.extensions["street_config"], now=app_clock.now(app))
    street_service.on_reload(app, lambda _config: sync_job(app))
