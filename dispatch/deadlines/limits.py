"""Time limits ("4 WH", "20 WD", "30 NM") and the deadline arithmetic built on them.

Working units (WH 工作时, WD 工作日) count only the calendar's working periods; natural units
(NH, NM — urgent categories) are clock time and ignore the calendar.

``remaining`` is a float number of minutes *in the limit's own measure*: working minutes for
WH/WD, natural (clock) minutes for NH/NM, fractional down to the second. It is what a suspended
(挂账) ticket stores, and what :func:`resume_deadline` takes back when the clock restarts.
All functions take the current instant as an argument; none reads the clock.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from dispatch.deadlines.calendar import WorkCalendar, require_aware


class Unit(str, Enum):
    """The unit of a time limit."""

    WH = "WH"  # 工作时: a working hour
    WD = "WD"  # 工作日: a workday's worth of working minutes (calendar.minutes_per_workday)
    NH = "NH"  # natural (clock) hour
    NM = "NM"  # natural (clock) minute

    @property
    def is_natural(self) -> bool:
        """True for clock-time units (NH, NM), which ignore the working calendar."""
        return self in (Unit.NH, Unit.NM)

    def minutes(self, calendar: WorkCalendar) -> float:
        """How many minutes (working or natural, per the unit) one of this unit is."""
        if self is Unit.WD:
            return float(calendar.minutes_per_workday)
        if self is Unit.NM:
            return 1.0
        return 60.0

    def __str__(self) -> str:
        return self.value


_LIMIT_TEXT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*")


@dataclass(frozen=True)
class Limit:
    """A positive amount of time in one unit, e.g. ``Limit(4, Unit.WH)`` for "4 WH".

    >>> Limit.parse("30NM")
    Limit(amount=30.0, unit=<Unit.NM: 'NM'>)
    >>> str(Limit.parse("1.5 wh"))
    '1.5 WH'
    """

    amount: float
    unit: Unit

    def __post_init__(self) -> None:
        amount = self.amount
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            raise ValueError(f"limit amount must be a number, got {amount!r}")
        if not math.isfinite(amount) or amount <= 0:
            raise ValueError(f"limit amount must be a positive number, got {amount!r}")
        try:
            unit = Unit(self.unit)
        except ValueError:
            raise ValueError(f"unknown limit unit {self.unit!r}; expected one of WH, WD, NH, NM") from None
        object.__setattr__(self, "amount", float(amount))
        object.__setattr__(self, "unit", unit)

    @classmethod
    def parse(cls, text: str) -> Limit:
        """Parse "4 WH", "30NM", "1.5 wd" (unit case-insensitive); ValueError on anything else."""
        if not isinstance(text, str):
            raise ValueError(f"a limit must be text like '4 WH', got {text!r}")
        match = _LIMIT_TEXT.fullmatch(text)
        if match is None:
            raise ValueError(f"not a limit: {text!r}; expected e.g. '4 WH', '20 WD', '2 NH', '30 NM'")
        return cls(float(match.group(1)), match.group(2).upper())

    def __str__(self) -> str:
        amount = str(int(self.amount)) if self.amount.is_integer() else repr(self.amount)
        return f"{amount} {self.unit.value}"

    @property
    def is_natural(self) -> bool:
        """True for clock-time limits (NH, NM), which ignore the working calendar."""
        return self.unit.is_natural

    def minutes(self, calendar: WorkCalendar) -> float:
        """The limit in minutes of its own measure (working for WH/WD, natural for NH/NM)."""
        return self.amount * self.unit.minutes(calendar)


class HasLimits:
    """A config entry with a 签收 `response` and a 处置 `resolve` limit in the limit syntax ("2 WH", "30 NM"), read
    as `Limit`s: a category of categories.toml and an emergency's 预案 of emergencies.toml."""

    response: str
    resolve: str

    @property
    def response_limit(self) -> Limit:
        return Limit.parse(self.response)

    @property
    def resolve_limit(self) -> Limit:
        return Limit.parse(self.resolve)


def _unit_of(unit: Unit | Limit | str) -> Unit:
    if isinstance(unit, Limit):
        return unit.unit
    return Unit(unit)


def _advance(start: datetime, minutes: float, unit: Unit, calendar: WorkCalendar) -> datetime:
    require_aware(start, "start")
    if unit.is_natural:
        return (start + timedelta(minutes=minutes)).astimezone(UTC)
    return calendar.add_working_minutes(start, minutes)


def _measure(start: datetime, end: datetime, unit: Unit, calendar: WorkCalendar) -> float:
    """Signed minutes from ``start`` to ``end`` in the unit's measure (negative if end < start)."""
    require_aware(start, "start")
    require_aware(end, "end")
    if unit.is_natural:
        return (end - start).total_seconds() / 60
    if end >= start:
        return calendar.working_minutes_between(start, end)
    return -calendar.working_minutes_between(end, start)


def deadline_after(start: datetime, limit: Limit, calendar: WorkCalendar) -> datetime:
    """The deadline ``limit`` after ``start`` (UTC); natural units are plain clock arithmetic."""
    return _advance(start, limit.minutes(calendar), limit.unit, calendar)


def offset(deadline: datetime, limit: Limit, calendar: WorkCalendar) -> datetime:
    """An escalation point ``limit`` after a deadline (e.g. +1 WD for 督办); same as deadline_after."""
    return deadline_after(deadline, limit, calendar)


def remaining(now: datetime, deadline: datetime, unit: Unit | Limit | str, calendar: WorkCalendar) -> float:
    """Minutes left until ``deadline`` in the unit's measure; zero or negative once overdue.

    Working units count working minutes only, so at 12:30 a 12:00 deadline has 0 (not -30) left;
    whether a ticket is overdue is ``now >= deadline``, not the sign of this number.
    """
    return _measure(now, deadline, _unit_of(unit), calendar)


def resume_deadline(now: datetime, remaining: float, unit: Unit | Limit | str, calendar: WorkCalendar) -> datetime:
    """The new deadline when a suspended (挂账) clock restarts at ``now`` with ``remaining`` minutes.

    A negative ``remaining`` (suspended while overdue) keeps the ticket overdue by that much.
    """
    return _advance(now, remaining, _unit_of(unit), calendar)


def elapsed_fraction(
    start: datetime, now: datetime, deadline: datetime, unit: Unit | Limit | str, calendar: WorkCalendar
) -> float:
    """Share of the window ``start``→``deadline`` gone at ``now``: 0 before start, 1 at the deadline, >1 after."""
    unit = _unit_of(unit)
    total = _measure(start, deadline, unit, calendar)
    if total <= 0:
        return 1.0 if now >= deadline else 0.0
    return max(0.0, _measure(start, now, unit, calendar) / total)


def fraction_point(
    start: datetime, deadline: datetime, fraction: float, unit: Unit | Limit | str, calendar: WorkCalendar
) -> datetime:
    """The instant (UTC) when ``fraction`` of the window is gone, e.g. 0.8 for the 预警 warning."""
    if not math.isfinite(fraction) or fraction < 0:
        raise ValueError(f"fraction must be a non-negative number, got {fraction!r}")
    unit = _unit_of(unit)
    total = _measure(start, deadline, unit, calendar)
    if total <= 0:
        return require_aware(deadline, "deadline").astimezone(UTC)
    return _advance(start, total * fraction, unit, calendar)
