"""Our categories and tickets in GeoReport v2 terms (pure: no Flask, no database).

Statuses: GeoReport knows only `open` and `closed`. closed (核查结案), cancelled (作废/不予立案) and
duplicate (merged into another ticket) are `closed`; every other status is still `open`, including
resolved (处置完成, waiting for 核查) and suspended (挂账). `status_notes` says which one it is.

Privacy: a request read without an api_key is the public view (`public=True`): what a civic map may show.
Its description, address and media_url are withheld (null / empty element, as in the spec's examples) and
its point is coarsened to a ~100 m grid; see docs/open311.md "Privacy".
"""
from __future__ import annotations

from datetime import datetime, tzinfo

from dispatch.deadlines.limits import Limit
from dispatch.street.config import StreetConfig
from dispatch.street.schemas import CategoryConfig
from dispatch.tickets import clock as ticket_clock
from dispatch.tickets.models import Status, Ticket

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CLOSED = (Status.closed, Status.cancelled, Status.duplicate)
OPEN = tuple(s for s in Status if s not in CLOSED)
STATUS_NOTES = {
    Status.pending_dispatch: "已受理，待城运中心派遣",
    Status.dispatched: "已派遣，待处置部门签收",
    Status.in_progress: "处置中",
    Status.resolved: "处置完成，待核查",
    Status.closed: "已核查结案",
    Status.cancelled: "已作废(不予立案)",
    Status.suspended: "挂账(暂缓处置)",
    Status.duplicate: "重复上报，已并入 {original}",
}
_UNITS = {"WH": "工作时", "WD": "工作日", "NH": "小时", "NM": "分钟"}
PUBLIC_DECIMALS = 3  # public lat/long: 0.001° ≈ 111 m of latitude, ≈ 95 m of longitude at 31°N
WITHHELD = ("description", "address", "address_id", "media_url")  # never in the public view


def open311_status(status: str) -> str:
    """`open` or `closed` for one of our statuses.

    >>> open311_status("resolved"), open311_status("duplicate")
    ('open', 'closed')
    """
    return "closed" if status in CLOSED else "open"


def statuses_for(open311: str) -> list[str]:
    """Our statuses that GeoReport calls `open311` (open | closed)."""
    return [s.value for s in (CLOSED if open311 == "closed" else OPEN)]


def w3c(value: datetime | None, tz: tzinfo) -> str | None:
    """A W3C-profile ISO 8601 instant with its offset, on the street's clock.

    >>> from datetime import UTC; from zoneinfo import ZoneInfo
    >>> w3c(datetime(2026, 11, 28, 2, 0, tzinfo=UTC), ZoneInfo("Asia/Shanghai"))
    '2026-11-28T10:00:00+08:00'
    """
    return value.astimezone(tz).isoformat(timespec="seconds") if value is not None else None


def limit_text(limit: str) -> str:
    """A time limit in words: "4 WH" → "4 工作时".

    >>> limit_text("30 NM"), limit_text("1.5 WD")
    ('30 分钟', '1.5 工作日')
    """
    parsed = Limit.parse(limit)
    return f"{parsed.amount:g} {_UNITS[parsed.unit.value]}"


def service(category: CategoryConfig) -> dict:
    """One entry of GET services: the category as a GeoReport service type."""
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": (f"{category.name}（{category.group}）：签收时限 {limit_text(category.response)}，"
                        f"处置时限 {limit_text(category.resolve)}"),
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": ", ".join(category.keywords),
        "group": category.group,
    }


def _with_range(attribute) -> str:
    """The datatype description, with the range a number answer must fall in (the spec has no field for it)."""
    bounds = (["整数"] if attribute.integer else []) + [
        f"{word}{int(b) if float(b).is_integer() else b}" for word, b in
        (("最小 ", attribute.minimum), ("最大 ", attribute.maximum)) if b is not None]
    return "；".join(filter(None, [attribute.datatype_description, "，".join(bounds)]))


def service_definition(category: CategoryConfig) -> dict:
    """GET services/<code>: the category's attributes, in the order they are asked (order from 1)."""
    return {
        "service_code": category.code,
        "attributes": [
            {"variable": True, "code": a.code, "datatype": a.datatype, "required": a.required,
             "datatype_description": _with_range(a) or None, "order": i, "description": a.description,
             **({"values": [{"key": v.key, "name": v.name} for v in a.values]} if a.values else {})}
            for i, a in enumerate(category.attributes, start=1)
        ],
    }


def service_notice(ticket: Ticket, *, config: StreetConfig, original: str | None = None) -> str:
    """What happens next to this request, in words (who handles it and by when)."""
    if ticket.status == Status.duplicate:
        return f"与 {original or '已有工单'} 为同一事件，合并处理"
    if ticket.status == Status.pending_dispatch:
        return "已受理，由街道城运中心派遣"
    if ticket.status in (Status.closed, Status.cancelled):
        return STATUS_NOTES[Status(ticket.status)]
    department = config.departments.get(ticket.department) if ticket.department else None
    notice = f"已派遣至{department.name}" if department else "已派遣"
    resolve_limit = ticket_clock.limit_text(ticket, "resolve")
    if resolve_limit:
        notice += f"，处置时限 {limit_text(resolve_limit)}"
    return notice


def status_notes(ticket: Ticket, *, original: str | None = None) -> str:
    """The status in words; a duplicate names the request it was merged into."""
    return STATUS_NOTES[Status(ticket.status)].format(original=original or "已有工单")


def coarse(degrees: float | None) -> float | None:
    """A coordinate rounded to the public ~100 m grid (3 decimals).

    >>> coarse(31.25518), coarse(121.42962), coarse(None)
    (31.255, 121.43, None)
    """
    return round(degrees, PUBLIC_DECIMALS) if degrees is not None else None


def public_categories(config: StreetConfig) -> list[str]:
    """The slugs of the categories whose reports the public may read (config `public`, default true)."""
    return [slug for slug, category in config.categories.items() if category.public]


def service_request(ticket: Ticket, *, config: StreetConfig, zipcode: str, original: str | None = None,
                    public: bool = True) -> dict:
    """One entry of GET requests. Nothing about the reporter (no name, no account, no original CRS point).

    `original` is the number of the ticket a duplicate was merged into; `zipcode` is given only for a
    located report (an address-only one may be anywhere). `public` (no api_key): the fields of WITHHELD
    are null and lat/long coarsened; otherwise (a key whose user may see the ticket) every field.
    """
    category = config.categories.get(ticket.category)
    department = config.departments.get(ticket.department) if ticket.department else None
    tz = config.calendar.timezone
    updated = (ticket.closed_at or ticket.cancelled_at) if ticket.status in CLOSED else None
    fields = {
        "service_request_id": ticket.number,
        "status": open311_status(ticket.status),
        "status_notes": status_notes(ticket, original=original),
        "service_name": category.name if category else ticket.category,
        "service_code": category.code if category else None,
        "description": ticket.description or None,
        "agency_responsible": department.name if department else None,
        "service_notice": service_notice(ticket, config=config, original=original),
        "requested_datetime": w3c(ticket.created_at, tz),
        "updated_datetime": w3c(updated or ticket.updated_at, tz),
        "expected_datetime": w3c(ticket_clock.due(ticket, "resolve"), tz),
        "address": ticket.address or None,
        "address_id": None,
        "zipcode": zipcode if ticket.zone is not None else None,
        "lat": ticket.lat,
        "long": ticket.lng,
        "media_url": ticket.media_url or None,
    }
    if public:
        fields.update(dict.fromkeys(WITHHELD), lat=coarse(ticket.lat), long=coarse(ticket.lng))
    return fields
