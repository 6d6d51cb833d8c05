"""When each escalation level of a deadline falls due (pure: config + calendar + instants).

The steps after the deadline are in the units of the deadline's own kind of limit: a category with
working-time limits (WH/WD) escalates in working time, one with natural-time limits (NH/NM: 消防通道,
积水 …) on the clock (``EscalationFile.steps``), so a 30-minute case does not wait for Monday.
"""
from __future__ import annotations

from datetime import datetime

from dispatch.deadlines.calendar import WorkCalendar
from dispatch.deadlines.limits import Limit, deadline_after, fraction_point
from dispatch.street.schemas import EscalationLevel


def due_at(level: EscalationLevel, *, start: datetime, deadline: datetime, limit: Limit,
           calendar: WorkCalendar, after: Limit | None = None) -> datetime:
    """The instant `level` is reached for a deadline whose window opened at `start` (`after`: its step)."""
    if level.at_fraction is not None:
        return fraction_point(start, deadline, level.at_fraction, limit.unit, calendar)
    if after is None:
        return deadline
    return deadline_after(deadline, after, calendar)


def next_level(levels: list[EscalationLevel], *, reached: int | None, start: datetime, deadline: datetime,
               limit: Limit, calendar: WorkCalendar,
               steps: dict[int, Limit | None] | None = None) -> tuple[int, datetime] | None:
    """The first configured level above `reached` (None: nothing reached yet) and when it is due.

    `steps` (level → its step after the deadline) defaults to each level's working-time `after`.
    """
    for level in sorted(levels, key=lambda lv: lv.level):
        if reached is None or level.level > reached:
            after = steps[level.level] if steps is not None and level.level in steps else level.after_limit
            return level.level, due_at(level, start=start, deadline=deadline, limit=limit, calendar=calendar,
                                       after=after)
    return None
