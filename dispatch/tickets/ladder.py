"""When each escalation level of a deadline falls due (pure: config + calendar + instants)."""
from __future__ import annotations

from datetime import datetime

from dispatch.deadlines.calendar import WorkCalendar
from dispatch.deadlines.limits import Limit, deadline_after, fraction_point
from dispatch.street.schemas import EscalationLevel


def due_at(level: EscalationLevel, *, start: datetime, deadline: datetime, limit: Limit,
           calendar: WorkCalendar) -> datetime:
    """The instant `level` is reached for a deadline whose window opened at `start`."""
    if level.at_fraction is not None:
        return fraction_point(start, deadline, level.at_fraction, limit.unit, calendar)
    if level.after_limit is None:
        return deadline
    return deadline_after(deadline, level.after_limit, calendar)


def next_level(levels: list[EscalationLevel], *, reached: int | None, start: datetime, deadline: datetime,
               limit: Limit, calendar: WorkCalendar) -> tuple[int, datetime] | None:
    """The first configured level above `reached` (None: nothing reached yet) and when it is due."""
    for level in sorted(levels, key=lambda lv: lv.level):
        if reached is None or level.level > reached:
            return level.level, due_at(level, start=start, deadline=deadline, limit=limit, calendar=calendar)
    return None
