"""Helpers shared by the HTTP tests of dispatch/: known points, Shanghai times, reporting, listing, images.

Plain functions and constants only; the fixtures are in the conftest.py files.
"""
from __future__ import annotations

import io
import math
import struct
import zlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PIL import Image

from geo.distance import M_PER_DEGREE

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """The instant of a Shanghai wall-clock time, in UTC (what the app's clock hands out)."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def at_local(text: str | None) -> str | None:
    """An API timestamp shown as Shanghai wall-clock "YYYY-MM-DD HH:MM"."""
    if text is None:
        return None
    return datetime.fromisoformat(text).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


# A point well inside each zone of config/zones.geojson (WGS-84 lon, lat).
INTERIOR = {
    "xiangyi": (121.429, 31.255),
    "zhongyuan": (121.440, 31.255),
    "jiaoxi": (121.436, 31.264),
}
STATIONS = {"xiangyi": "station_xiangyi", "zhongyuan": "station_zhongyuan", "jiaoxi": "station_jiaoxi"}
# The easternmost vertex of zhongyuan: nothing of any zone lies east of it at this latitude.
ZHONGYUAN_EAST_VERTEX = (121.4458, 31.256)


def offset(lng: float, lat: float, east_m: float = 0.0, north_m: float = 0.0) -> tuple[float, float]:
    """The point east_m / north_m metres from (lng, lat)."""
    return (lng + east_m / (M_PER_DEGREE * math.cos(math.radians(lat))), lat + north_m / M_PER_DEGREE)


# Valid answers for the categories that ask a required question (config/categories.toml attributes).
REQUIRED_ANSWERS = {"group_rental": {"households": 3}, "L0003": {"households": 3}}


def event(category: str = "exposed_garbage", at: tuple[float, float] = INTERIOR["xiangyi"], crs: str | None = None,
          description: str = "路边有一堆垃圾", **extra) -> dict:
    """A valid POST /api/v1/events body (required questions answered unless `attributes` is given)."""
    location = {"lng": at[0], "lat": at[1]}
    if crs is not None:
        location["crs"] = crs
    if category in REQUIRED_ANSWERS:
        extra.setdefault("attributes", REQUIRED_ANSWERS[category])
    return {"category": category, "location": location, "description": description, **extra}


def report(client, headers: dict, body: dict | None = None, *, key: str | None = None, expect: int | None = 201,
           **kwargs):
    """POST an event; asserts the status when `expect` is given; returns the response."""
    headers = dict(headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    response = client.post("/api/v1/events", json=body if body is not None else event(**kwargs), headers=headers)
    if expect is not None:
        assert response.status_code == expect, response.get_json()
    return response


def ticket_of(response) -> dict:
    return response.get_json()["ticket"]


def list_tickets(client, headers: dict, query: str = "", expect: int = 200) -> dict:
    """GET /api/v1/tickets?query as the given user; returns the JSON body."""
    response = client.get(f"/api/v1/tickets{'?' + query if query else ''}", headers=headers)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def ticket_count(client, command_headers: dict) -> int:
    """How many tickets exist (the command center sees all)."""
    return list_tickets(client, command_headers)["count"]


# --- image bytes (only the content decides the type; the server sniffs magic bytes) -----------------

def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _saved(fmt: str, size: tuple[int, int] = (1, 1), **options) -> bytes:
    """A small green image as Pillow writes it (the server decodes every photo: the bytes must be real)."""
    out = io.BytesIO()
    Image.new("RGB", size, (0, 160, 60)).save(out, fmt, **options)
    return out.getvalue()


PNG = _png()
JPEG = _saved("JPEG", quality=50, optimize=True)  # ~300 bytes
WEBP = _saved("WEBP", lossless=True)
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00" \
      b"\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
