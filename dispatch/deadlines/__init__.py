"""Working-time calendar (工作时/工作日) and deadline arithmetic: pure functions of passed-in time."""

from dispatch.deadlines.calendar import WorkCalendar, YearOverride
from dispatch.deadlines.config import CalendarConfigError, calendar_from_dict, load_calendar
from dispatch.deadlines.limits import (
    Limit,
    Unit,
    deadline_after,
    elapsed_fraction,
    fraction_point,
    offset,
    remaining,
    resume_deadline,
)

__all__ = [
    "CalendarConfigError",
    "Limit",
    "Unit",
    "WorkCalendar",
    "YearOverride",
    "calendar_from_dict",
    "deadline_after",
    "elapsed_fraction",
    "fraction_point",
    "load_calendar",
    "offset",
    "remaining",
    "resume_deadline",
]
