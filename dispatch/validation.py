"""Parse request bodies into pydantic models, turning every failure into a clear 4xx."""
from __future__ import annotations

from typing import TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from dispatch.errors import ApiError

M = TypeVar("M", bound=BaseModel)


def describe(exc: ValidationError) -> tuple[str, list[dict]]:
    """A one-line message and a list of {field, problem} for a validation error."""
    details = [{"field": ".".join(str(p) for p in err["loc"]) or "(body)", "problem": err["msg"]}
               for err in exc.errors(include_url=False)]
    first = details[0]
    more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
    return f"{first['field']}: {first['problem']}{more}", details


def parse_json(model: type[M]) -> M:
    """The JSON body validated as `model`; malformed JSON → 400, wrong fields → 422."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ApiError(400, "invalid_json", "request body must be a JSON object")
    try:
        parsed = model.model_validate_json(raw)
    except ValidationError as exc:
        if any(err["type"] == "json_invalid" for err in exc.errors()):
            raise ApiError(400, "invalid_json", "request body is not valid JSON") from None
        if any(err["type"] == "model_type" and not err["loc"] for err in exc.errors()):
            raise ApiError(400, "invalid_json", "request body must be a JSON object") from None
        message, details = describe(exc)
        raise ApiError(422, "validation_error", message, details=details) from None
    field = _nul_field(parsed.model_dump())
    if field is not None:  # PostgreSQL text cannot hold NUL: refuse it here rather than fail on INSERT
        raise ApiError(422, "validation_error", f"{field}: NUL characters are not allowed",
                       details=[{"field": field, "problem": "NUL characters are not allowed"}])
    return parsed


def _nul_field(value, path: str = "") -> str | None:
    """The dotted path of the first string holding a NUL character, or None."""
    if isinstance(value, str):
        return (path or "(body)") if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        found = _nul_field(child, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None
