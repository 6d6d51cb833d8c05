"""The GET requests query string checked: service_code, status, start_date..end_date (≤ 90 days).

Every problem found is reported at once, as a 400 error list. An empty parameter counts as absent.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from werkzeug.datastructures import MultiDict

from dispatch.open311 import mapping
from dispatch.open311.errors import bad_request
from dispatch.query import NoTimeZone, OutsideCalendar, parse_date_time
from dispatch.street.config import StreetConfig

WINDOW = timedelta(days=90)  # the default window, and the widest allowed


@dataclass(frozen=True)
class Search:
    start: datetime
    end: datetime
    categories: list[str] | None  # slugs; None: every category
    statuses: list[str] | None    # our statuses; None: every status


def csv(args: MultiDict, name: str) -> list[str]:
    """A parameter given comma-delimited and/or several times, as a list of non-empty values."""
    return [v.strip() for raw in args.getlist(name) for v in raw.split(",") if v.strip()]


def parse_search(args: MultiDict, *, config: StreetConfig, now: datetime) -> Search:
    """The search the query string asks for; Open311Error 400 listing every problem."""
    problems: list[str] = []
    categories = _categories(args, config, problems)
    statuses = _statuses(args, problems)
    start, end = _window(args, config.calendar.timezone, now, problems)
    if problems:
        raise bad_request(*problems)
    return Search(start=start, end=end, categories=categories, statuses=statuses)


def _categories(args: MultiDict, config: StreetConfig, problems: list[str]) -> list[str] | None:
    codes = csv(args, "service_code")
    unknown = [c for c in codes if config.category_by_code(c) is None]
    if unknown:
        problems.append(f"service_code: unknown {', '.join(unknown)}; see services.json")
    return [config.category_by_code(c).slug for c in codes if c not in unknown] or None


def _statuses(args: MultiDict, problems: list[str]) -> list[str] | None:
    wanted = set(csv(args, "status"))
    if wanted - {"open", "closed"}:
        problems.append("status: open and/or closed")
        return None
    if len(wanted) != 1:
        return None  # none or both: every status
    return mapping.statuses_for(wanted.pop())


def _window(args: MultiDict, tz: tzinfo, now: datetime, problems: list[str]) -> tuple[datetime, datetime]:
    """start_date..end_date: the last 90 days by default, 90 days from start_date alone, never wider."""
    start, end = _instant(args, "start_date", tz, problems), _instant(args, "end_date", tz, problems)
    try:
        if start and end:
            if end < start:
                problems.append("end_date is before start_date")
            elif end - start > WINDOW:
                problems.append(f"start_date..end_date may not span more than {WINDOW.days} days")
            return start, end
        if start:
            return start, start + WINDOW
        end = end or now
        return end - WINDOW, end
    except OverflowError:
        problems.append("start_date/end_date out of range")
        return now, now


def _instant(args: MultiDict, name: str, tz: tzinfo, problems: list[str]) -> datetime | None:
    """A W3C date-time with its zone (2010-01-01T00:00:00Z), as UTC; a plain date is local midnight."""
    raw = args.get(name) or None
    if raw is None:
        return None
    try:
        return parse_date_time(raw, tz, naive=False)
    except NoTimeZone:
        problems.append(f"{name} must include a time zone (Z or ±hh:mm), e.g. 2026-11-01T00:00:00+08:00")
    except OutsideCalendar:
        problems.append(f"{name} out of range")  # as for a window that runs off the calendar
    except ValueError:
        problems.append(f"{name} must be a W3C date-time, e.g. 2026-11-01T00:00:00+08:00")
    return None
