"""Helpers shared by the HTTP tests of the intake slice: known points, reporting, listing."""
from __future__ import annotations

import math

from geo.distance import M_PER_DEGREE

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
