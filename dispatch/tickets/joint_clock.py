"""An assist task's clock (协办时限): its two deadlines, which run, which is late, what is next on the ladder.

The one owner of an assist task's per-deadline columns (``checkin_due``/``_limit``/``_next_level``/``_next_at``,
``task_due`` …), as ``tickets.clock`` is of a ticket's. Two deadlines (``KINDS``), both counted from the
whistle (吹哨): ``checkin`` (报到) and ``task`` (协办完成).

Running
    The 报到 clock runs while the task waits for its 报到 (pending); the task clock until it is done
    (pending or checked_in). A closed task (关闭, by the command center) runs no clock.
Late
    A running deadline is late at ``now`` when ``now > due``; ``missed`` is what the pages mark: met after
    the deadline, or not met and past it (a closed task: when it was closed).
The ladder
    The ticket's ladder (config/escalation.toml, the category's steps for its kind of limit), climbed by the
    same ``clock.Planner`` through a ``clock.Window``; each deadline carries its next level and when.

Time is passed in (``now``); nothing here reads the clock.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, or_, update
from sqlmodel import Session, col, func, select

from dispatch.deadlines.calendar import WorkCalendar
from dispatch.deadlines.limits import Limit, deadline_after, remaining
from dispatch.street.config import StreetConfig
from dispatch.tickets.clock import Plan, Planner, Window
from dispatch.tickets.models import AssistEscalation, AssistTask

KINDS = ("checkin", "task")
KIND_LABELS = {"checkin": "报到", "task": "协办"}
PENDING, CHECKED_IN, DONE, CLOSED = "pending", "checked_in", "done", "closed"
OPEN = (PENDING, CHECKED_IN)
RUNS = {"checkin": (PENDING,), "task": (PENDING, CHECKED_IN)}
_MET = {"checkin": "checked_in_at", "task": "done_at"}
_DUE = {"checkin": "checkin_due", "task": "task_due"}
_LIMIT = {"checkin": "checkin_limit", "task": "task_limit"}
_NEXT = {"checkin": ("checkin_next_level", "checkin_next_at"), "task": ("task_next_level", "task_next_at")}


def due(task: AssistTask, kind: str) -> datetime:
    """The deadline's instant."""
    return getattr(task, _DUE[kind])


def limit_text(task: AssistTask, kind: str) -> str:
    return getattr(task, _LIMIT[kind])


def met_at(task: AssistTask, kind: str) -> datetime | None:
    """When the deadline was met: 报到 (checked_in_at), 完成 (done_at)."""
    return getattr(task, _MET[kind])


def runs(task: AssistTask, kind: str) -> bool:
    """True while this deadline's clock runs (the task's state is one of ``RUNS[kind]``)."""
    return task.state in RUNS[kind]


def is_late(task: AssistTask, kind: str, *, now: datetime) -> bool:
    """True when the deadline runs and `now` is past it."""
    return runs(task, kind) and now > due(task, kind)


def missed(task: AssistTask, kind: str, *, now: datetime) -> bool:
    """Met after the deadline, or not met and past it (a closed task: past it when closed)."""
    met = met_at(task, kind)
    if met is not None:
        return met > due(task, kind)
    until = task.closed_at if task.state == CLOSED else now
    return until is not None and until > due(task, kind)


def remaining_minutes(task: AssistTask, kind: str, *, now: datetime, calendar: WorkCalendar) -> float | None:
    """Time left on a running deadline in its own measure (negative when late); None once met or closed."""
    if not runs(task, kind):
        return None
    return remaining(now, due(task, kind), Limit.parse(limit_text(task, kind)), calendar)


def start(task: AssistTask, *, category: str, checkin: Limit, work: Limit, config: StreetConfig,
          now: datetime) -> None:
    """At the whistle: both deadlines counted from `now`, each ladder scheduled from its first level."""
    for kind, lim in (("checkin", checkin), ("task", work)):
        setattr(task, _LIMIT[kind], str(lim))
        setattr(task, _DUE[kind], deadline_after(now, lim, config.calendar))
        _set_next(task, kind, Planner(config).window_next(window(task, kind, category=category), reached=None))


def reached(session: Session, task: AssistTask, kind: str) -> int | None:
    """The highest escalation level this deadline of the task reached (None: none yet)."""
    return session.exec(select(func.max(AssistEscalation.level)).where(
        AssistEscalation.task_id == task.id, AssistEscalation.deadline == kind)).one()


def recount(session: Session, task: AssistTask, kind: str, *, category: str, config: StreetConfig) -> datetime | None:
    """Count a running deadline again from the whistle under `config`'s calendar (节假日数据更新): the new instant
    when it moves — set, with the ladder scheduled again above the level it reached — else None."""
    if not runs(task, kind):
        return None
    new = deadline_after(task.created_at, Limit.parse(limit_text(task, kind)), config.calendar)
    if abs((new - due(task, kind)).total_seconds()) <= 1:
        return None
    setattr(task, _DUE[kind], new)
    _set_next(task, kind, Planner(config).window_next(window(task, kind, category=category),
                                                      reached=reached(session, task, kind)))
    return new


def window(task, kind: str, *, category: str) -> Window:
    """The deadline as the ladder reads it (`task`: an AssistTask or a row with the same columns)."""
    return Window(category=category, start=task.created_at, deadline=getattr(task, _DUE[kind]),
                  limit=getattr(task, _LIMIT[kind]))


def _set_next(task: AssistTask, kind: str, step: tuple[int, datetime] | None) -> None:
    level, at = _NEXT[kind]
    setattr(task, level, step[0] if step else None)
    setattr(task, at, step[1] if step else None)


def clear(task: AssistTask, kind: str) -> None:
    """Nothing more escalates on this deadline (met, or the task closed)."""
    _set_next(task, kind, None)


def next_step(task, kind: str) -> tuple[int | None, datetime | None]:
    """The next level of this deadline and when (None, None: nothing scheduled)."""
    level, at = _NEXT[kind]
    return getattr(task, level), getattr(task, at)


# --- the sweep ---------------------------------------------------------------------------------------


def due_clause(kind: str, now: datetime):
    """SQL: this deadline of an open task has a level due by `now`."""
    _, at = _NEXT[kind]
    return and_(col(getattr(AssistTask, at)) <= now, col(AssistTask.state).in_(RUNS[kind]))


def ladder_columns() -> tuple:
    """The columns the sweep reads of a task: where its windows opened and each deadline's instant, limit
    and schedule."""
    found = [AssistTask.id, AssistTask.ticket_id, AssistTask.department, AssistTask.task, AssistTask.state,
             AssistTask.created_at]
    for kind in KINDS:
        found += [getattr(AssistTask, _DUE[kind]), getattr(AssistTask, _LIMIT[kind]),
                  *(getattr(AssistTask, name) for name in _NEXT[kind])]
    return tuple(found)


def plan(planner: Planner, task, kind: str, *, category: str) -> Plan | None:
    """What the sweep does to this deadline of `task` (a row of ``ladder_columns``); None: nothing due."""
    if task.state not in RUNS[kind]:
        return None
    old_level, old_at = next_step(task, kind)
    found, level, at = planner.window_levels_due(window(task, kind, category=category), kind, old_level, old_at)
    if not found:
        return None
    return Plan(task.id, kind, found, old_level, old_at, level, at)


def advance_many(session, kind: str, plans: list[Plan]) -> int:
    """Write the schedules after `plans` (one deadline, many tasks), each only where the schedule is still the
    one planned from and the deadline still runs; how many were written."""
    if not plans:
        return 0
    table = AssistTask.__table__
    level, at = _NEXT[kind]
    stmt = (update(table)
            .where(table.c.id == bindparam("p_id"), table.c[level] == bindparam("p_old_level"),
                   table.c[at] == bindparam("p_old_at"),
                   or_(*(table.c.state == state for state in RUNS[kind])))
            .values({level: bindparam("p_new_level"), at: bindparam("p_new_at")}))
    result = session.execute(stmt, [{"p_id": p.row_id, "p_old_level": p.old_level, "p_old_at": p.old_at,
                                     "p_new_level": p.new_level, "p_new_at": p.new_at} for p in plans])
    return result.rowcount


# --- the statistics ------------------------------------------------------------------------------------


def passed_clause(kind: str, now: datetime):
    """SQL: the deadline is past at `now`, or was met (the task is due to have met it)."""
    met = getattr(AssistTask, _MET[kind])
    return or_(met.is_not(None), getattr(AssistTask, _DUE[kind]) < now)


def not_waived_clause(kind: str):
    """SQL: not closed by the command center before the deadline while unmet (such a task is no longer owed)."""
    met, deadline = getattr(AssistTask, _MET[kind]), getattr(AssistTask, _DUE[kind])
    return or_(AssistTask.state != CLOSED, met.is_not(None), col(AssistTask.closed_at) > deadline)


def met_clause(kind: str):
    """SQL: the deadline was met (报到 made; task done)."""
    return getattr(AssistTask, _MET[kind]).is_not(None)


def met_on_time_clause(kind: str):
    """SQL: the deadline was met by its instant."""
    met, deadline = getattr(AssistTask, _MET[kind]), getattr(AssistTask, _DUE[kind])
    return and_(met.is_not(None), met <= deadline)


def late_clause(now: datetime):
    """SQL: a running deadline of the task that `now` is past (the cockpit's 迟到)."""
    return or_(*(and_(col(AssistTask.state).in_(RUNS[kind]), getattr(AssistTask, _DUE[kind]) < now)
                 for kind in KINDS))
