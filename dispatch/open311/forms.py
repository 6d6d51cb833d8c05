"""The POST requests form (application/x-www-form-urlencoded) checked and turned into a report.

Every problem found is reported at once (the error list of the spec). An empty parameter counts as
absent ("Optional Arguments"). email, first_name, last_name, phone, device_id and account_id are
accepted and ignored: the reporter is the holder of the api_key.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import Field, ValidationError
from werkzeug.datastructures import MultiDict

from dispatch.intake import attributes
from dispatch.intake.models import EventCreate, Location
from dispatch.open311.errors import bad_request, not_found
from dispatch.street.config import StreetConfig
from dispatch.street.schemas import CategoryConfig

ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
ADDRESS_MAX = 500
MEDIA_URL_MAX = 2048


class Open311Event(EventCreate):
    """A report as GeoReport v2 allows it: the description is optional, and so is the location when an
    address_string is given (it is then kept unlocated; see intake.flows)."""

    location: Location | None = None
    description: str = Field("", max_length=100_000)

    @classmethod
    def _not_blank(cls, value: str) -> str:  # replaces EventCreate's check: an Open311 description is optional
        return value


@dataclass(frozen=True)
class Report:
    category: CategoryConfig
    event: Open311Event
    attributes: dict
    media_url: str | None


def optional(form: MultiDict, name: str) -> str | None:
    """The parameter's value, or None when it is missing or empty."""
    value = form.get(name)
    return value if value not in (None, "") else None


def parse_report(form: MultiDict, *, config: StreetConfig) -> Report:
    """The report a POST requests form describes; Open311Error 404 for an unknown service, else 400."""
    code = optional(form, "service_code")
    if code is None:
        raise bad_request("service_code was not provided; see services.json")
    category = config.category_by_code(code)
    if category is None:
        raise not_found(f"service_code {code!r} not found; see services.json")
    problems = [f"{key}: NUL characters are not allowed" for key in form.keys()
                if any("\x00" in value for value in form.getlist(key))]
    location = _location(form, problems)
    address = optional(form, "address_string")
    if address is not None and len(address) > ADDRESS_MAX:
        problems.append(f"address_string: at most {ADDRESS_MAX} characters")
    description = form.get("description", "")
    limit = config.intake.description_max_chars
    if len(description) > limit:
        problems.append(f"description: at most {limit:,} characters")
    media_url = optional(form, "media_url")
    if media_url is not None and not _is_web_url(media_url):
        problems.append(f"media_url must be an http(s) URL of at most {MEDIA_URL_MAX} characters")
    attributes = parse_attributes(form, category, problems)
    if problems:
        raise bad_request(*problems)
    try:
        event = Open311Event(category=category.slug, location=location, description=description, address=address)
    except ValidationError as exc:  # a safety net: the checks above cover the model's constraints
        raise bad_request(*(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None
    return Report(category=category, event=event, attributes=attributes, media_url=media_url)


def _location(form: MultiDict, problems: list[str]) -> Location | None:
    """lat & long (WGS-84) when given; None for an address_string only; a problem when neither."""
    lat, lng = optional(form, "lat"), optional(form, "long")
    if lat is None and lng is None:
        if optional(form, "address_string") is None:
            problems.append("a location is required: lat & long (WGS-84), or address_string"
                            + (" (address_id is not supported: there is no address repository)"
                               if optional(form, "address_id") else ""))
        return None
    if lat is None or lng is None:
        problems.append("lat & long must be sent together")
        return None
    parsed = {}
    for name, raw, bound in (("lat", lat, 90), ("long", lng, 180)):
        value = float(raw) if attributes.NUMBER.match(raw.strip()) else math.nan
        if math.isfinite(value) and abs(value) <= bound:
            parsed[name] = value
        else:
            problems.append(f"{name} must be a number between -{bound} and {bound} (WGS-84 degrees)")
    return Location(lng=parsed["long"], lat=parsed["lat"], crs="wgs84") if len(parsed) == 2 else None


def _is_web_url(value: str) -> bool:
    if len(value) > MEDIA_URL_MAX or any(c.isspace() for c in value):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def parse_attributes(form: MultiDict, category: CategoryConfig, problems: list[str]) -> dict:
    """attribute[code]=value (attribute[code][]=… for a multivaluelist) checked against the definition."""
    given: dict[str, list[str]] = {}
    for key in form.keys():
        match = ATTRIBUTE.match(key)
        if match:
            given.setdefault(match.group(1), []).extend(v for v in form.getlist(key) if v != "")
        elif key.startswith("attribute"):
            problems.append(f"{key}: expected attribute[code]=value")
    values, found = attributes.check_form(category, given)
    descriptions = {a.code: a.description for a in category.attributes}
    for code, problem in found:
        if problem.startswith(attributes.REQUIRED):
            problems.append(f"attribute[{code}] ({descriptions[code]}) is required")
        else:
            problems.append(f"attribute[{code}]: {problem}")
    return values
