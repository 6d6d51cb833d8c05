"""Query strings validated as pydantic models, which also document the parameters (OpenAPI).

A parameter given empty counts as absent (its default applies); values are stripped. A refused
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
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from flask import request
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from dispatch.errors import ApiError

Q = TypeVar("Q", bound="QueryModel")

# pydantic's error types for a value of the right type outside its bounds (nan and inf included)
OUT_OF_RANGE = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal", "finite_number"})


@dataclass(frozen=True)
class Refusal:
    """How a bad value of one parameter is answered (400): its error code, and the words for it."""

    code: str
    message: str
    out_of_range: str | None = None  # the words when the value parsed but is outside the field's bounds

    def words(self, error_type: str) -> str:
        return self.out_of_range if self.out_of_range and error_type in OUT_OF_RANGE else self.message


class QueryModel(BaseModel):
    """The parameters of one GET route; unknown parameters are ignored, empty ones are absent."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data):
        if not isinstance(data, dict):
            return data
        stripped = {name: value.strip() if isinstance(value, str) else value for name, value in data.items()}
        return {name: value for name, value in stripped.items() if value != ""}


def _error(model: type[QueryModel], error: dict) -> ApiError:
    name = str(error["loc"][0]) if error["loc"] else ""
    for field_name, field in model.model_fields.items():
        if name in (field_name, field.alias):
            found = next((m for m in field.metadata if isinstance(m, Refusal)), None)
            if found is not None:
                return ApiError(400, found.code, found.words(error["type"]))
            break
    return ApiError(400, "invalid_parameter", f"{name}: {error['msg']}" if name else error["msg"])


def validate(model: type[Q], args: dict) -> Q:
    """`args` (a query string as a dict) as `model`; an ApiError (400) naming the first bad parameter."""
    try:
        return model.model_validate(args)
    except ValidationError as exc:
        raise _error(model, exc.errors(include_url=False)[0]) from None


def parse_query(model: type[Q]) -> Q:
    """The request's query string as `model` (the first value of a repeated parameter)."""
    return validate(model, request.args.to_dict())


_UNENCODED_PLUS = re.compile(r"^(.*[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def restore_plus(raw: str) -> str:
    """Put back the "+" of a UTC offset that arrived unencoded in a query string (it became a space).

    >>> restore_plus("2026-11-25T10:00:00 08:00")
    '2026-11-25T10:00:00+08:00'
    >>> restore_plus("2026-11-25 10:00")
    '2026-11-25 10:00'
    """
    return _UNENCODED_PLUS.sub(r"\1+\2", raw)
