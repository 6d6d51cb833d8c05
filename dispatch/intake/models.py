"""The shape of an inspector's report, validated strictly (wrong types are refused, not coerced)."""
from __future__ import annotations

from datetime import UTC
from typing import Literal, Union

from pydantic import (AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr,
                      field_validator)

from dispatch.text import VISIBLE, is_blank
from geo.crs import SUPPORTED_CRS

Crs = Literal[SUPPORTED_CRS]  # type: ignore[valid-type]
# an answer to a category's question: checked against its datatype by dispatch/intake/attributes.py
AttributeAnswer = Union[StrictBool, StrictInt, StrictFloat, StrictStr, list[StrictStr], None]


# Idempotency-Key (a header): 1–200 printable ASCII characters, space allowed inside but not at either end
IDEMPOTENCY_KEY_PATTERN = r"^[!-~](?:[ -~]{0,198}[!-~])?$"
IDEMPOTENCY_KEY_MAX = 200


class Location(BaseModel):
    """A point as the phone sent it, in its coordinate system."""

    model_config = ConfigDict(extra="forbid", strict=True)
    lng: float = Field(ge=-180, le=180, allow_inf_nan=False, description="longitude")
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, description="latitude")
    crs: Crs = Field("wgs84", description="wgs84 | gcj02 | bd09 | cgcs2000")


class EventCreate(BaseModel):
    """POST /api/v1/events body: one reported event (事件上报)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    category: str = Field(min_length=1, max_length=64, description="category slug (or GB/T code)")
    location: Location
    # the document's pattern: "somewhere a character that shows" (a JSON Schema pattern is searched, not anchored),
    # written as a lookahead so tools that fold the length bounds into a lone character class (schemathesis turns
    # `[^\s…]` with maxLength into `^[^\s…]{1,100000}$`, "only characters that show") leave it as it means
    description: str = Field(min_length=1, max_length=100_000, json_schema_extra={"pattern": f"(?={VISIBLE})"},
                             description="what the inspector saw (limit in config/intake.toml, 4,000 by default); "
                                         "not blank: whitespace and invisible characters alone are refused")
    address: str | None = Field(None, max_length=500)
    occurred_at: AwareDatetime | None = Field(None, description="ISO-8601 with offset")
    committee: str | None = Field(
        None, pattern=r"^\d{12}$",
        description="居民区: a committee code of the report's zone (GET /api/v1/committees?zone=); ignored when a "
                    "configured committee boundary covers the point, refused (422 committee_not_in_zone) when "
                    "it is not a committee of the zone the point lies in")
    attributes: dict[str, AttributeAnswer] | None = Field(
        None, max_length=50,
        description="answers to the category's questions (补充信息; `attributes` of GET /api/v1/categories), "
                    "by attribute code: a number, a string, or a list of keys for a multivaluelist")

    @field_validator("description")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        """Whitespace and zero-width characters alone say nothing (dispatch/text.py)."""
        if is_blank(value):
            raise ValueError("must say something: it is blank (whitespace or invisible characters only)")
        return value

    @field_validator("occurred_at")
    @classmethod
    def _storable(cls, value):
        """Stored as UTC: an instant that has no UTC form (year 1 / 9999 with an offset) is refused."""
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValueError("date-time out of range") from None
