"""The query string of GET /api/v1/tickets: one model validates it and documents it (OpenAPI).

`TicketsQuery` checks numbers, yes/no flags and date-times (in UTC; one without offset is local time
in the street's time zone, given as validation context) and splits the comma lists. `service_filters`
then checks the comma lists against the street's config (statuses, zone, department and category
codes) and gives the filters `ticket_service.query` takes. Every refusal is 400 `invalid_filter`.

>>> from dispatch.query import validate
>>> query = validate(TicketsQuery, {"status": "dispatched, in_progress", "overdue": "1", "limit": "20"})
>>> query.status, query.overdue, query.limit, query.offset
(('dispatched', 'in_progress'), True, 20, 0)
>>> validate(TicketsQuery, {"supervised": "yes"})
Traceback (most recent call last):
dispatch.errors.ApiError: supervised must be 1, true, 0 or false
>>> validate(TicketsQuery, {"limit": "501"})
Traceback (most recent call last):
dispatch.errors.ApiError: limit must be between 1 and 500
>>> from zoneinfo import ZoneInfo
>>> days = validate(TicketsQuery, {"created_from": "2026-11-26", "created_to": "2026-11-26"},
...                 context={"timezone": ZoneInfo("Asia/Shanghai")})
>>> days.created_from, days.created_to  # a date alone: the whole local day
(datetime.datetime(2026, 11, 25, 16, 0, tzinfo=datetime.timezone.utc), datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.timezone.utc))
"""
from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, WithJsonSchema

from dispatch.errors import ApiError
from dispatch.query import QueryModel, Refusal, parse_date_time
from dispatch.tickets import search
from dispatch.tickets.models import Status

if TYPE_CHECKING:
    from dispatch.street.config import StreetConfig

MAX_LIMIT = 500
FLAG_VALUES = ("1", "true", "0", "false")


def _refused(message: str, out_of_range: str | None = None) -> Refusal:
    return Refusal("invalid_filter", message, out_of_range)


def _comma_list(raw):
    """"a, b," → ("a", "b"): each value stripped, empty ones dropped."""
    return tuple(value.strip() for value in raw.split(",") if value.strip()) if isinstance(raw, str) else raw


def _yes_no(raw):
    if raw in ("1", "true"):
        return True
    if raw in ("0", "false"):
        return False
    raise ValueError(f"not one of {', '.join(FLAG_VALUES)}")


def _whole_number(raw):
    """int() of the text, as Python reads it ("+5", "５" too); a ValueError for anything else ("5.0")."""
    return int(raw) if isinstance(raw, str) else raw


def _date_time(raw, info: ValidationInfo):
    """An ISO-8601 date-time in UTC (`parse_date_time`), naive read in the context's "timezone"; a date alone
    is the start of that local day, or for an end (created_to) the end of it: the day is included."""
    end = info.field_name == "created_to"
    return parse_date_time(raw, info.context["timezone"], end_of_day=end) if isinstance(raw, str) else raw


def _search_text(raw):
    """The search text as sent (stripped); control characters (NUL included) are refused."""
    if isinstance(raw, str) and any(unicodedata.category(c) == "Cc" for c in raw):
        raise ValueError("control characters")
    return raw


def _codes(what: str):
    return Annotated[tuple[str, ...] | None, BeforeValidator(_comma_list), WithJsonSchema({"type": "string"}),
                     Field(description=f"{what}, comma-separated")]


def _flag(name: str, what: str):
    return Annotated[bool | None, BeforeValidator(_yes_no), WithJsonSchema({"type": "string", "enum": [*FLAG_VALUES]}),
                     _refused(f"{name} must be 1, true, 0 or false"), Field(description=what)]


def _number(name: str, lo: int, hi: int, what: str, *, optional: bool = False):
    return Annotated[int | None if optional else int, Field(ge=lo, le=hi), BeforeValidator(_whole_number),
                     _refused(f"{name} must be an integer", f"{name} must be between {lo} and {hi}"),
                     Field(description=what)]


def _instant(name: str, what: str):
    return Annotated[datetime | None, BeforeValidator(_date_time),
                     _refused(f"{name} must be an ISO-8601 date-time"), Field(description=what)]


class TicketsQuery(QueryModel):
    """?q=&status=&zone=&committee=&department=&category=&created_from=&created_to=&overdue=&…&limit=&offset= of GET /api/v1/tickets.

    Filters combine with AND; a yes/no filter given 0 or false filters nothing.
    """

    q: Annotated[str | None, BeforeValidator(_search_text), Field(max_length=search.MAX_LENGTH),
                 _refused("q must be text without control characters",
                          f"q must be at most {search.MAX_LENGTH} characters"),
                 Field(description="search: every word (split at spaces) is found in the number, the address or "
                                   "the description; ASCII case and full/half width are ignored; a whole number "
                                   "(YC-20261204-0001) or its tail (0001) finds the ticket")] = None
    status: _codes("statuses") = None
    zone: _codes("zone codes") = None
    committee: _codes("居民区 committee codes (12 digits)") = None
    department: _codes("department codes") = None
    category: _codes("category slugs") = None
    created_from: _instant("created_from", "reported at or after (ISO 8601; without offset: Asia/Shanghai)") = None
    created_to: _instant("created_to", "reported before (ISO 8601; without offset: Asia/Shanghai); a date alone "
                                       "(YYYY-MM-DD) includes that day") = None
    overdue: _flag("overdue", "1 or true: only tickets past a deadline not met") = None
    supervised: _flag("supervised", "1 or true: only tickets under 督办") = None
    mine: _flag("mine", "1 or true: only the tickets I reported") = None
    held: _flag("held", "1 or true: match departments by every dispatch round, not only the current one: a "
                        "department also gets the tickets it held before (退单, 自行处置; read only)") = None
    min_escalation_level: _number("min_escalation_level", 0, 9, "escalated at least this far: 0 (预警), then the overdue "
                                  "levels of config/escalation.toml; a ticket never escalated has none",
                                  optional=True) = None
    limit: _number("limit", 1, MAX_LIMIT, "at most this many tickets (a page)") = 50
    offset: _number("offset", 0, 10**9, "skip this many (the next page: offset + limit)") = 0


class PhotoQuery(QueryModel):
    """?original= of GET /api/v1/tickets/<id>/photos/<pid>."""

    original: Annotated[bool | None, BeforeValidator(_yes_no),
                        WithJsonSchema({"type": "string", "enum": [*FLAG_VALUES]}),
                        Refusal("invalid_parameter", "original must be 1, true, 0 or false"),
                        Field(description="1 or true: the photo as uploaded, its EXIF (GPS included) kept — the "
                                          "record, for the command center and admins (403 for other roles); "
                                          "without it: the served copy, without location metadata")] = None


def allowed_codes(config: StreetConfig) -> dict[str, list[str]]:
    """What each comma list may hold: the statuses, and the street's zone, department and category codes."""
    return {"status": [s.value for s in Status], "zone": [z.code for z in config.zones],
            "committee": list(config.committees.by_code), "department": list(config.departments), "category": list(config.categories)}


def described_codes(config: StreetConfig) -> dict[str, dict]:
    """`query_params` overrides: each comma list's description ends with the values it may hold."""
    return {name: {"description": f"{TicketsQuery.model_fields[name].description}: {', '.join(sorted(values))}"}
            for name, values in allowed_codes(config).items()}


def service_filters(query: TicketsQuery, *, config: StreetConfig, user_id: int, now: datetime) -> dict:
    """The filters of `ticket_service.query`; 400 invalid_filter for a code the street does not have."""
    filters = {}
    for name, allowed in allowed_codes(config).items():
        filters[name] = list(getattr(query, name) or ())  # empty: no filter
        unknown = [value for value in filters[name] if value not in allowed]
        if unknown:
            raise ApiError(400, "invalid_filter", f"{name}: unknown value(s) {', '.join(unknown)}")
    filters["created_from"], filters["created_to"] = query.created_from, query.created_to
    if query.created_from and query.created_to and query.created_to <= query.created_from:
        raise ApiError(400, "invalid_filter", "created_to must be after created_from")
    if query.q:
        filters["q"] = query.q
    if query.overdue:
        filters["overdue_at"] = now
    if query.supervised:
        filters["supervised"] = True
    if query.mine:
        filters["reporter_id"] = user_id
    if query.held:
        filters["held"] = True
    if query.min_escalation_level is not None:
        filters["min_escalation_level"] = query.min_escalation_level
    return filters


class AssistsQuery(QueryModel):
    """?department=&state= of GET /api/v1/assists (吹哨报到's tasks)."""

    department: str | None = Field(None, max_length=64, description=(
        "the command center's filter: one assisting department's tasks (a department always gets its own)"))
    state: Annotated[Literal["open", "all"], Refusal("invalid_parameter", "state must be open or all")] = Field(
        "open", description="open (待报到, 已报到; the default) or all")
