"""The working-time calendar (工作时/工作日): which days are workdays and how working time adds up.

Everything here is a pure function of the instants passed in; nothing reads the clock.
Instants in and out are timezone-aware; results are returned in UTC. Working periods are read in
the calendar's own timezone (Asia/Shanghai for the street), and durations are measured between
real instants (UTC), so a DST zone would still count real elapsed time.

A working period is half-open, ``[start, end)``: 12:00 is not inside 08:30–12:00. That matters in
exactly one place, a zero-length advance (see :meth:`WorkCalendar.add_working_minutes`).

Where a year's days come from (:meth:`WorkCalendar.source`), first found wins: the street's own
``[years.YYYY]`` in config/calendar.toml ("config"), else the chinesecalendar package, which ships
the State Council's schedules up to 2026 ("chinesecalendar"), else the provisional calendar
computed from the 放假办法 ("provisional", 预计: statutory holidays and weekends off, no 调休; see
:mod:`dispatch.deadlines.holidays`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar

from dispatch.deadlines import holidays

logger = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_WORKING_HOURS: tuple[tuple[time, time], ...] = (
    (time(8, 30), time(12, 0)),
    (time(13, 0), time(17, 30)),
)

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
# A year's days off depend only on where they come from (and, for a config year, its table): shared by every
# calendar of the process, so a reload or a test's new calendar does not walk the year again.
_SHARED_DAYS_OFF: dict[tuple, frozenset[date]] = {}
_DAY_CACHE_SIZE = 20_000  # days of working periods kept per calendar (about 55 years)

Source = Literal["config", "chinesecalendar", "provisional"]


@dataclass(frozen=True)
class YearOverride:
    """A year's statutory schedule from local config: holidays (放假) and 调休 make-up workdays."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))


def require_aware(instant: datetime, name: str = "instant") -> datetime:
    """Return ``instant`` unchanged, or raise ValueError if it is naive (has no UTC offset)."""
    if not isinstance(instant, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(instant).__name__}")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {instant.isoformat()}")
    return instant


def load_zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; ValueError if there is no such zone."""
    if not isinstance(name, str):
        raise ValueError(f"a timezone must be a name like 'Asia/Shanghai', got {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc


def _require_date(d: date, name: str) -> None:
    if isinstance(d, datetime):
        raise TypeError(f"{name} takes a date; convert an instant to the calendar's timezone first")


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year, 12, 31) - first).days + 1)]


def _check_periods(periods: tuple[tuple[time, time], ...]) -> None:
    if not periods:
        raise ValueError("working_hours must have at least one period")
    previous_end: time | None = None
    for start, end in periods:
        if end <= start:
            raise ValueError(f"working period {start:%H:%M}-{end:%H:%M} ends before it starts")
        if previous_end is not None and start < previous_end:
            raise ValueError(f"working period {start:%H:%M}-{end:%H:%M} overlaps or precedes the one before")
        previous_end = end


class WorkCalendar:
    """Statutory workdays (local per-year overrides, chinesecalendar, the provisional calendar) and working hours.

    >>> cal = WorkCalendar()
    >>> cal.minutes_per_workday
    480
    >>> monday = datetime(2026, 3, 16, 11, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    >>> cal.add_working_minutes(monday, 60).astimezone(cal.timezone).strftime("%H:%M")
    '13:30'
    """

    def __init__(
        self,
        *,
        timezone: str = DEFAULT_TIMEZONE,
        working_hours: Iterable[tuple[time, time]] = DEFAULT_WORKING_HOURS,
        years: Mapping[int, YearOverride] | None = None,
    ) -> None:
        self._timezone_name = timezone
        self._zone = load_zone(timezone)
        self._periods = tuple((start, end) for start, end in working_hours)
        _check_periods(self._periods)
        overrides = dict(years or {})
        for year, override in overrides.items():
            for d in override.holidays | override.workdays:
                if d.year != year:
                    raise ValueError(f"{d.isoformat()} is listed under year {year}")
            both = override.holidays & override.workdays
            if both:
                raise ValueError(f"{min(both).isoformat()} is both a holiday and a workday")
        self._years = MappingProxyType(overrides)
        self._package_years: dict[int, bool] = {}
        self._provisional_years: set[int] = set()
        self._lock = threading.Lock()
        self._day_cache: dict[date, tuple[tuple[datetime, datetime], ...]] = {}
        self._days_off: dict[int, frozenset[date]] = {}

    def __repr__(self) -> str:
        hours = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self._periods)
        return f"WorkCalendar(timezone={self._timezone_name!r}, hours=[{hours}], years={sorted(self._years)})"

    # --- configuration, read-only -------------------------------------------------------------

    @property
    def timezone(self) -> ZoneInfo:
        """The zone working hours are read in."""
        return self._zone

    @property
    def timezone_name(self) -> str:
        """The IANA name of the calendar's zone, e.g. "Asia/Shanghai"."""
        return self._timezone_name

    @property
    def working_hours(self) -> tuple[tuple[time, time], ...]:
        """The working periods of a workday, in order."""
        return self._periods

    @property
    def years(self) -> Mapping[int, YearOverride]:
        """The per-year overrides from local config (authoritative for their year)."""
        return self._years

    @property
    def minutes_per_workday(self) -> int:
        """Working minutes in one workday (1 WD); 480 with 08:30–12:00 + 13:00–17:30."""
        total = 0
        for start, end in self._periods:
            total += (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        return total

    @property
    def provisional_years(self) -> frozenset[int]:
        """Years whose days is_workday has taken from the provisional calendar (no official schedule)."""
        with self._lock:
            return frozenset(self._provisional_years)

    @property
    def fallback_years(self) -> frozenset[int]:
        """The former name of :attr:`provisional_years`."""
        return self.provisional_years

    # --- days ---------------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        """True if ``d`` is a statutory workday (override, else chinesecalendar, else provisional)."""
        _require_date(d, "is_workday")
        if self.source(d.year) == "provisional":
            self._note_provisional(d.year)
        return self._is_workday(d)

    def _is_workday(self, d: date) -> bool:
        override = self._years.get(d.year)
        if override is not None:
            return d in override.workdays or (d.weekday() < 5 and d not in override.holidays)
        if self._package_knows(d.year):
            try:
                return chinese_calendar.is_workday(d)
            except NotImplementedError:  # pragma: no cover - the probe said the year is known
                pass
        return d.weekday() < 5 and d not in holidays.provisional_holidays(d.year)

    def source(self, year: int) -> Source:
        """Where the days of ``year`` come from: "config", "chinesecalendar" or "provisional" (预计)."""
        if year in self._years:
            return "config"
        if self._package_knows(year):
            return "chinesecalendar"
        return "provisional"

    def is_provisional(self, d: date) -> bool:
        """True if ``d`` is counted by the provisional calendar: its year has no official schedule yet."""
        _require_date(d, "is_provisional")
        return self.source(d.year) == "provisional"

    def spans_provisional(self, start: datetime, end: datetime) -> bool:
        """True if a local day from ``start``'s to ``end``'s (either order) is in a provisional year.

        A deadline counted across such a day is provisional (预计): the year's 调休 may still move it.
        """
        first = self._local_date(require_aware(start, "start")).year
        last = self._local_date(require_aware(end, "end")).year
        return any(self.source(year) == "provisional" for year in range(min(first, last), max(first, last) + 1))

    def days_off(self, year: int) -> frozenset[date]:
        """Every day of ``year`` that is not a workday (weekends, holidays), by this calendar's source.

        Two calendars' ``days_off`` of a year differ exactly where a deadline counted over that year
        could differ (see :meth:`changed_days`). Cached per year; logs nothing.
        """
        found = self._days_off.get(year)
        if found is None:
            source = self.source(year)
            key = (year, source, self._years.get(year) if source == "config" else None)
            found = _SHARED_DAYS_OFF.get(key)
            if found is None:
                found = frozenset(d for d in _days_of(year) if not self._is_workday(d))
                if len(_SHARED_DAYS_OFF) < 1000:
                    _SHARED_DAYS_OFF[key] = found
            self._days_off[year] = found
        return found

    def workdays(self, year: int) -> frozenset[date]:
        """Every workday of ``year`` (including 调休 make-up weekend days)."""
        return frozenset(_days_of(year)) - self.days_off(year)

    def changed_days(self, other: WorkCalendar, year: int) -> frozenset[date]:
        """The days of ``year`` that are a workday in one calendar and a day off in the other."""
        return self.days_off(year) ^ other.days_off(year)

    def has_data(self, year: int) -> bool:
        """True if the year has an official schedule: a local override or chinesecalendar's own."""
        return year in self._years or self._package_knows(year)

    def missing_years(self, years: Iterable[int]) -> list[int]:
        """The given years without an official schedule (counted provisionally), sorted (cockpit banner)."""
        return sorted({year for year in years if not self.has_data(year)})

    def _package_knows(self, year: int) -> bool:
        known = self._package_years.get(year)
        if known is None:
            if not 1 <= year <= 9999:
                return False
            try:
                chinese_calendar.is_workday(date(year, 6, 15))
                known = True
            except NotImplementedError:
                known = False
            self._package_years[year] = known
        return known

    def _note_provisional(self, year: int) -> None:
        with self._lock:
            if year in self._provisional_years:
                return
            self._provisional_years.add(year)
        logger.warning(
            "no official holiday schedule for %d: counting it provisionally (预计) with the statutory holidays "
            "of the 放假办法 and weekends off, without 调休; add [years.%d] from the State Council's notice "
            "to the calendar config",
            year,
            year,
        )

    # --- instants -----------------------------------------------------------------------------

    def _periods_of(self, d: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working periods of day ``d`` as UTC instants (none if ``d`` is not a workday)."""
        periods = self._day_cache.get(d)
        if periods is None:
            if not self.is_workday(d):
                periods = ()
            else:
                periods = tuple(
                    (
                        datetime.combine(d, start, tzinfo=self._zone).astimezone(UTC),
                        datetime.combine(d, end, tzinfo=self._zone).astimezone(UTC),
                    )
                    for start, end in self._periods
                )
            if len(self._day_cache) >= _DAY_CACHE_SIZE:
                self._day_cache.clear()
            self._day_cache[d] = periods
        return periods

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self._zone).date()

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant ``minutes`` of working time after ``start`` (before it if negative), in UTC.

        Only working periods count; a start outside them (lunch, evening, weekend, holiday) begins
        at the next period start. A result exactly at a period end stays there (12:00, not 13:00).
        Zero minutes from a non-working instant (including exactly 12:00 or 17:30) gives the next
        period start; from a working instant it gives ``start`` itself. Negative minutes walk
        backwards symmetrically: a non-working start begins at the previous period end, and a
        result exactly at a period start stays there.
        """
        require_aware(start, "start")
        amount = timedelta(minutes=minutes)
        cursor = start.astimezone(UTC)
        if amount < _ZERO:
            return self._walk_back(cursor, -amount)
        day = self._local_date(cursor)
        while True:
            for period_start, period_end in self._periods_of(day):
                if period_end <= cursor:
                    continue
                begin = max(cursor, period_start)
                available = period_end - begin
                if amount <= available:
                    return begin + amount
                amount -= available
            day += _ONE_DAY

    def _walk_back(self, cursor: datetime, amount: timedelta) -> datetime:
        day = self._local_date(cursor)
        while True:
            for period_start, period_end in reversed(self._periods_of(day)):
                if period_start >= cursor:
                    continue
                finish = min(cursor, period_end)
                available = finish - period_start
                if amount <= available:
                    return finish - amount
                amount -= available
            day -= _ONE_DAY

    def working_minutes_between(self, start: datetime, end: datetime) -> float:
        """Working minutes in ``[start, end)`` (fractional, second precision); 0 if end <= start."""
        require_aware(start, "start")
        require_aware(end, "end")
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return 0.0
        total = _ZERO
        day, last_day = self._local_date(start), self._local_date(end)
        while day <= last_day:
            for period_start, period_end in self._periods_of(day):
                overlap = min(end, period_end) - max(start, period_start)
                if overlap > _ZERO:
                    total += overlap
            day += _ONE_DAY
        return total.total_seconds() / 60
