"""Category attributes (补充信息): the extra questions a category asks on report, answered the same way
whether they come as JSON (POST /api/v1/events `attributes`) or as Open311 form fields (`attribute[code]`).

An answer is checked against its question's datatype (config/categories.toml) and becomes the value
stored on the ticket: a number (int when whole), a one-line string, a text, an ISO 8601 date-time, a
key of a single-value list, or the keys of a multi-value list.

>>> from dispatch.street.schemas import AttributeConfig, CategoryConfig
>>> rental = CategoryConfig(code="L0003", slug="group_rental", name="群租", response="1 WD", resolve="5 WD",
...     attributes=[AttributeConfig(code="households", description="居住户数", datatype="number",
...                                 required=True, minimum=1)])
>>> check_json(rental, {"households": 5})
({'households': 5}, [])
>>> check_json(rental, {"households": 0, "rooms": 3})[1]
[('rooms', 'L0003 (群租) has no such attribute'), ('households', 'must be at least 1')]
>>> check_json(rental, {})[1]
[('households', 'required (居住户数)')]
"""
from __future__ import annotations

import math
import re
from datetime import datetime

from dispatch.street.schemas import AttributeConfig, CategoryConfig
from dispatch.text import is_blank

NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
STRING_MAX = 500  # a `string` answer: one line
TEXT_MAX = 4000   # a `text` answer
REQUIRED = "required"

Problem = tuple[str, str]  # (attribute code, what is wrong)


def check_form(category: CategoryConfig, given: dict[str, list[str]]) -> tuple[dict, list[Problem]]:
    """Answers sent as strings (Open311 `attribute[code]`, empty ones already dropped): values and problems."""
    return _check(category, given)


def check_json(category: CategoryConfig, given: dict | None) -> tuple[dict, list[Problem]]:
    """Answers sent as JSON values (null = not answered): values and problems, one per attribute at most."""
    as_text: dict[str, list[str]] = {}
    problems: list[Problem] = []
    defined = {a.code: a for a in category.attributes}
    for code, value in (given or {}).items():
        attribute = defined.get(code)
        if attribute is None or value is None:
            as_text[code] = [] if value is None else ["?"]  # unknown codes are reported by _check
            continue
        try:
            as_text[code] = _json_as_text(attribute, value)
        except ValueError as exc:
            problems.append((code, str(exc)))
    refused = {code for code, _ in problems}  # answered, wrongly: not "required" on top
    values, more = _check(category, {code: raw for code, raw in as_text.items() if code not in refused},
                          answered=refused)
    return values, problems + more


def _json_as_text(attribute: AttributeConfig, value) -> list[str]:
    """A JSON answer of the right JSON type as the strings a form would have sent; ValueError otherwise."""
    if attribute.datatype == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("must be a JSON number")
        return [repr(value)]
    if attribute.datatype == "multivaluelist":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("must be a list of keys (strings)")
        return [v for v in value if v != ""]
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return [value] if value.strip() else []


def _check(category: CategoryConfig, given: dict[str, list[str]],
           answered: set[str] = frozenset()) -> tuple[dict, list[Problem]]:
    defined = {a.code: a for a in category.attributes}
    problems: list[Problem] = [
        (code, f"{category.code} ({category.name}) has no such attribute" + ("" if defined else "; it asks none"))
        for code in given if code not in defined]
    values = {}
    for attribute in category.attributes:
        raw = [v for v in given.get(attribute.code) or [] if not is_blank(v)]  # a blank answer is no answer
        if not raw:
            if attribute.required and attribute.code not in answered:
                problems.append((attribute.code, f"{REQUIRED} ({attribute.description})"))
            continue
        try:
            values[attribute.code] = answer(attribute, raw)
        except ValueError as exc:
            problems.append((attribute.code, str(exc)))
    return values, problems


def answer(attribute: AttributeConfig, raw: list[str]):
    """One attribute's value in its datatype, from the strings sent; ValueError with the reason."""
    if attribute.datatype == "multivaluelist":
        keys = {v.key for v in attribute.values}
        unknown = [v for v in raw if v not in keys]
        if unknown:
            raise ValueError(f"{', '.join(unknown)} not among {', '.join(sorted(keys))}")
        return list(dict.fromkeys(raw))
    if len(raw) > 1:
        raise ValueError("give one value")
    value = raw[0]
    if attribute.datatype == "number":
        return _number(attribute, value)
    if attribute.datatype == "datetime":
        try:
            return datetime.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise ValueError("must be an ISO 8601 date-time, e.g. 2026-11-28T10:00:00+08:00") from None
    if attribute.datatype == "singlevaluelist":
        keys = [v.key for v in attribute.values]
        if value not in keys:
            raise ValueError(f"must be one of {', '.join(keys)}")
        return value
    if attribute.datatype == "string" and ("\n" in value or "\r" in value or len(value) > STRING_MAX):
        raise ValueError(f"one line of at most {STRING_MAX} characters")
    if len(value) > TEXT_MAX:  # text
        raise ValueError(f"at most {TEXT_MAX:,} characters")
    return value


def _number(attribute: AttributeConfig, text: str) -> int | float:
    number = float(text) if NUMBER.match(text.strip()) else math.nan
    if not math.isfinite(number):
        raise ValueError("must be a number")
    if attribute.integer and not number.is_integer():
        raise ValueError("must be a whole number")
    if attribute.minimum is not None and number < attribute.minimum:
        raise ValueError(f"must be at least {_plain(attribute.minimum)}")
    if attribute.maximum is not None and number > attribute.maximum:
        raise ValueError(f"must be at most {_plain(attribute.maximum)}")
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _plain(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)
