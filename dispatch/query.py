"""Query strings validated as pydantic models, which also document the parameters (OpenAPI).

A parameter given empty counts as absent (its default applies); values are stripped; one the model does
not name is refused (400 invalid_parameter), as the document allows no other. A refused
parameter answers 400 with the code and words its field declares with a `Refusal`:

>>> from typing import Annotated
>>> from pydantic import Field
>>> class Page(QueryModel):
...     limit: Annotated[int, Field(ge=1, le=500),
...                      Refusal("invalid_filter", "limit must be an integer", "limit must be between 1 and 500")] = 50
>>> Page.model_validate({"limit": " "}).limit
50
>>> try:
...     validate(Page, {"limit": "0"})
... except ApiError as exc:
...     print(exc.http_status, exc.code, exc.message)
400 invalid_filter limit must be between 1 and 500
>>> validate(Page, {"limit": "ten"})
Traceback (most recent call last):
dispatch.errors.ApiError: limit must be an integer
>>> validate(Page, {"limit": "5", "page": "2"})
Traceback (most recent call last):
dispatch.errors.ApiError: unknown parameter 'page'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from dispatch.errors import ApiError

Q = TypeVar("Q", bound="QueryModel")

# pydantic's error types for a value of the right type outside its bounds (nan and inf, a text too long included)
OUT_OF_RANGE = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal", "finite_number",
                          "string_too_long", "too_long"})


@dataclass(frozen=True)
class Refusal:
    """How a bad value of one parameter is answered (400): its error code, and the words for it."""

    code: str
    message: str
    out_of_range: str | None = None  # the words when the value parsed but is outside the field's bounds

    def words(self, error_type: str) -> str:
        return self.out_of_range if self.out_of_range and error_type in OUT_OF_RANGE else self.message


class QueryModel(BaseModel):
    """The parameters of one GET route; an unknown parameter is refused (400 invalid_parameter: the OpenAPI
    document lists each route's parameters and no others), empty ones are absent."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data):
        if not isinstance(data, dict):
            return data
        stripped = {name: value.strip() if isinstance(value, str) else value for name, value in data.items()}
        return {name: value for name, value in stripped.items() if value != ""}


def _error(model: type[QueryModel], error: dict) -> ApiError:
    name = str(error["loc"][0]) if error["loc"] else ""
    if error["type"] == "extra_forbidden":
        return ApiError(400, "invalid_parameter", f"unknown parameter {name!r}")
    for field_name, field in model.model_fields.items():
        if name in (field_name, field.alias):
            found = next((m for m in field.metadata if isinstance(m, Refusal)), None)
            if found is not None:
                return ApiError(400, found.code, found.words(error["type"]))
            break
    return ApiError(400, "invalid_parameter", f"{name}: {error['msg']}" if name else error["msg"])


def validate(model: type[Q], args: dict, *, context: dict[str, Any] | None = None) -> Q:
    """`args` (a query string as a dict) as `model`; an ApiError (400) naming the first bad parameter.

    `context` reaches the validators that ask for it (e.g. the street's time zone).
    """
    try:
        return model.model_validate(args, context=context)
    except ValidationError as exc:
        raise _error(model, exc.errors(include_url=False)[0]) from None


def parse_query(model: type[Q], *, context: dict[str, Any] | None = None, page_args: tuple[str, ...] = ()) -> Q:
    """The request's query string as `model` (the first value of a repeated parameter); `page_args` are a page's
    own parameters beside the model's (e.g. the desk's `tab`), read by the page and left out here."""
    args = request.args.to_dict()
    for name in page_args:
        args.pop(name, None)
    return validate(model, args, context=context)


_UNENCODED_PLUS = re.compile(r"^(.*[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def restore_plus(raw: str) -> str:
    """Put back the "+" of a UTC offset that arrived unencoded in a query string (it became a space).

    >>> restore_plus("2026-11-25T10:00:00 08:00")
    '2026-11-25T10:00:00+08:00'
    >>> restore_plus("2026-11-25 10:00")
    '2026-11-25 10:00'
    """
    return _UNENCODED_PLUS.sub(r"\1+\2", raw)


class NoTimeZone(ValueError):
    """A date-time without a UTC offset where one is required."""


class YearOutOfRange(ValueError):
    """A date or date-time outside the years allowed."""


class OutsideCalendar(ValueError):
    """A valid date-time with no UTC form (local midnight of year 1, 9999-12-31 late at +14:00)."""


def parse_date_time(raw: str, tz: tzinfo, *, end_of_day: bool = False, naive: bool = True,
                    years: tuple[int, int] | None = None) -> datetime:
    """An ISO-8601 date or date-time of a query string as an aware UTC datetime; a ValueError saying why not.

    The unencoded "+" of an offset is put back (`restore_plus`). A date alone is a local day in `tz`:
    its start, or with `end_of_day` the start of the next day (the end of a half-open period). A
    date-time without offset is local time in `tz`, or refused with `naive=False` (NoTimeZone).
    `years` bounds the year as written (YearOutOfRange).

    >>> from zoneinfo import ZoneInfo
    >>> shanghai = ZoneInfo("Asia/Shanghai")
    >>> parse_date_time("2026-11-25T10:00:00 08:00", shanghai).isoformat()
    '2026-11-25T02:00:00+00:00'
    >>> parse_date_time("2026-11-25T10:00", shanghai).isoformat()  # naive: Shanghai time
    '2026-11-25T02:00:00+00:00'
    >>> [parse_date_time("2026-11-25", shanghai, end_of_day=end).isoformat() for end in (False, True)]
    ['2026-11-24T16:00:00+00:00', '2026-11-25T16:00:00+00:00']
    >>> parse_date_time("2026-11-25T10:00", shanghai, naive=False)
    Traceback (most recent call last):
    dispatch.query.NoTimeZone: no UTC offset
    >>> parse_date_time("2026-11-25", shanghai, naive=False).isoformat()  # a day is always local
    '2026-11-24T16:00:00+00:00'
    >>> parse_date_time("1999-12-31", shanghai, years=(2000, 2100))
    Traceback (most recent call last):
    dispatch.query.YearOutOfRange: year must be between 2000 and 2100
    >>> parse_date_time("0001-01-01", shanghai)  # local midnight of year 1 has no UTC form
    Traceback (most recent call last):
    dispatch.query.OutsideCalendar: outside the calendar
    >>> parse_date_time("2026-11-26T25:00", shanghai)
    Traceback (most recent call last):
    ValueError: hour must be in 0..23
    """
    text = restore_plus(raw)
    try:
        day, value = date.fromisoformat(text), None
    except ValueError:
        day, value = None, datetime.fromisoformat(text)  # neither a date nor a date-time: its ValueError
    if years is not None and not years[0] <= (day or value).year <= years[1]:
        raise YearOutOfRange(f"year must be between {years[0]} and {years[1]}")
    try:
        if day is not None:
            value = datetime.combine(day + timedelta(days=1) if end_of_day else day, time(0), tzinfo=tz)
        elif value.tzinfo is None:
            if not naive:
                raise NoTimeZone("no UTC offset")
            value = value.replace(tzinfo=tz)
        return value.astimezone(UTC)
    except OverflowError:
        raise OutsideCalendar("outside the calendar") from None
