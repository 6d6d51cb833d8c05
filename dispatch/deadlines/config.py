"""Read and validate the street's calendar config (config/calendar.toml) into a WorkCalendar.

Validation collects every problem before failing, each a ``geo.problems.Problem`` (file, key, reason;
the key empty for the whole file), so the street's IT person can fix the whole file in one go.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from os import PathLike
from pathlib import Path
from typing import Any

from dispatch.deadlines.calendar import WorkCalendar, YearOverride, load_zone
from geo.problems import ConfigProblemsError, Problem

_TOP_LEVEL_KEYS = ("timezone", "working_hours", "years")
_YEAR_KEYS = ("holidays", "workdays")
_HH_MM = re.compile(r"(\d{2}):(\d{2})")
_YYYY_MM_DD = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR = re.compile(r"\d{4}")


class CalendarConfigError(ConfigProblemsError):
    """The calendar config is invalid; ``problems`` lists every problem found."""

    heading = "invalid calendar config"


Report = Callable[[str, str], None]


def load_calendar(path: str | PathLike[str]) -> WorkCalendar:
    """Read the TOML file at ``path`` and return its WorkCalendar; CalendarConfigError if invalid."""
    source = str(path)
    try:
        with Path(path).open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise CalendarConfigError([Problem(source, "", f"cannot read the file: {exc.strerror or exc}")]) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CalendarConfigError([Problem(source, "", f"not valid TOML: {exc}")]) from exc
    return calendar_from_dict(data, source=source)


def calendar_from_dict(data: Mapping[str, Any], *, source: str = "<dict>") -> WorkCalendar:
    """Validate already-parsed config ``data`` (named ``source`` in problems) into a WorkCalendar."""
    problems: list[Problem] = []

    def report(key: str, reason: str) -> None:
        problems.append(Problem(source, key, reason))

    if not isinstance(data, Mapping):
        raise CalendarConfigError([Problem(source, "", "expected a table of settings")])
    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            report(str(key), f"unknown key; expected one of {', '.join(_TOP_LEVEL_KEYS)}")
    timezone = _timezone(data, report)
    periods = _working_hours(data, report)
    years = _years(data, report)
    if problems:
        raise CalendarConfigError(problems)
    return WorkCalendar(timezone=timezone, working_hours=periods, years=years)


def _timezone(data: Mapping[str, Any], report: Report) -> str:
    if "timezone" not in data:
        report("timezone", 'missing; expected an IANA name such as "Asia/Shanghai"')
        return ""
    name = data["timezone"]
    try:
        load_zone(name)
    except ValueError:
        report("timezone", f'unknown timezone {name!r}; expected an IANA name such as "Asia/Shanghai"')
    return name


def _parse_hh_mm(value: Any) -> time | None:
    if isinstance(value, time) and value.tzinfo is None and value.second == 0 and value.microsecond == 0:
        return value
    if not isinstance(value, str):
        return None
    match = _HH_MM.fullmatch(value)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _working_hours(data: Mapping[str, Any], report: Report) -> list[tuple[time, time]]:
    example = '[["08:30", "12:00"], ["13:00", "17:30"]]'
    if "working_hours" not in data:
        report("working_hours", f"missing; expected e.g. {example}")
        return []
    raw = data["working_hours"]
    if not isinstance(raw, list) or not raw:
        report("working_hours", f"expected a non-empty list of periods, e.g. {example}")
        return []
    periods: list[tuple[time, time]] = []
    for i, item in enumerate(raw):
        key = f"working_hours[{i}]"
        if not isinstance(item, list) or len(item) != 2:
            report(key, f'expected a period ["HH:MM", "HH:MM"], got {item!r}')
            continue
        bounds = []
        for j, value in enumerate(item):
            parsed = _parse_hh_mm(value)
            if parsed is None:
                report(f"{key}[{j}]", f'not a time "HH:MM" (00:00-23:59): {value!r}')
            bounds.append(parsed)
        start, end = bounds
        if start is None or end is None:
            continue
        if end <= start:
            report(key, f"ends at {end:%H:%M}, not after its start {start:%H:%M}")
            continue
        if periods and start < periods[-1][1]:
            previous_start, previous_end = periods[-1]
            report(
                key,
                f"{start:%H:%M}-{end:%H:%M} overlaps or comes before the previous period "
                f"{previous_start:%H:%M}-{previous_end:%H:%M}; list periods in order, without overlap",
            )
            continue
        periods.append((start, end))
    return periods


def _parse_date(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or _YYYY_MM_DD.fullmatch(value) is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _years(data: Mapping[str, Any], report: Report) -> dict[int, YearOverride]:
    raw = data.get("years", {})
    if not isinstance(raw, Mapping):
        report("years", "expected tables [years.YYYY] with holidays and workdays")
        return {}
    years: dict[int, YearOverride] = {}
    for year_key, table in raw.items():
        key = f"years.{year_key}"
        if _YEAR.fullmatch(str(year_key)) is None:
            report(key, "not a four-digit year")
            continue
        if not isinstance(table, Mapping):
            report(key, "expected a table with holidays and workdays")
            continue
        year = int(year_key)
        for sub in table:
            if sub not in _YEAR_KEYS:
                report(f"{key}.{sub}", f"unknown key; expected {' or '.join(_YEAR_KEYS)}")
        holidays = _year_dates(table, year, f"{key}.holidays", "holidays", report)
        workdays = _year_dates(table, year, f"{key}.workdays", "workdays", report)
        for day in sorted(holidays.keys() & workdays.keys()):
            report(f"{key}.workdays[{workdays[day]}]", f"{day.isoformat()} is listed both as a holiday and as a workday")
        if table.get("holidays", []) == []:
            report(f"{key}.holidays", f"no holidays listed; every year has statutory holidays (元旦 {year}-01-01 at least)")
        years[year] = YearOverride(holidays=frozenset(holidays), workdays=frozenset(workdays.keys() - holidays.keys()))
    return years


def _year_dates(table: Mapping[str, Any], year: int, key: str, name: str, report: Report) -> dict[date, int]:
    """The valid dates of list ``name``, each mapped to its index in the list."""
    raw = table.get(name, [])
    if not isinstance(raw, list):
        report(key, 'expected a list of dates "YYYY-MM-DD"')
        return {}
    found: dict[date, int] = {}
    for i, value in enumerate(raw):
        day = _parse_date(value)
        if day is None:
            report(f"{key}[{i}]", f'not a date "YYYY-MM-DD": {value!r}')
        elif day.year != year:
            report(f"{key}[{i}]", f"{day.isoformat()} is not in {year}; list it under [years.{day.year}]")
        elif day in found:
            report(f"{key}[{i}]", f"{day.isoformat()} is listed twice")
        else:
            found[day] = i
    return found
