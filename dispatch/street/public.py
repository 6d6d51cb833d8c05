"""Shapes of the street's API answers (zones/locate, admin/reload-config), also their OpenAPI schema.

(dispatch/street/schemas.py holds the shapes of the config files; these are the API's.)
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from dispatch.query import QueryModel, Refusal
from geo.crs import SUPPORTED_CRS


def _coordinate(name: str, bound: int) -> Refusal:
    return Refusal("invalid_coordinate", f"{name} must be a number", f"{name} must be between {-bound} and {bound}")


class LocateQuery(QueryModel):
    """?lng=&lat=&crs= of GET /api/v1/zones/locate."""

    crs: Annotated[Literal[SUPPORTED_CRS], Refusal("invalid_crs", f"crs must be one of {', '.join(SUPPORTED_CRS)}")] = (
        Field("wgs84", description="the coordinates' reference system: gcj02 (高德/腾讯), bd09 (百度), "
                                   "wgs84 or cgcs2000 (GPS, 天地图)"))
    lng: Annotated[float, Field(ge=-180, le=180), _coordinate("lng", 180)] = Field(description="longitude")
    lat: Annotated[float, Field(ge=-90, le=90), _coordinate("lat", 90)] = Field(description="latitude")


class CommitteesQuery(QueryModel):
    """?zone= of GET /api/v1/committees."""

    zone: str | None = Field(None, description="only this 片区's committees: a zone code")


class CommitteePoint(BaseModel):
    lng: float
    lat: float


class CommitteePublic(BaseModel):
    """A 居民区 (居民委员会): 12-digit 统计用区划代码, official name, its 片区, an optional WGS-84 point."""

    code: str = Field(description="统计用区划代码, e.g. 310107020018")
    name: str
    zone: str
    zone_name: str | None
    point: CommitteePoint | None = Field(description="preselects the committee on /m/ (nearest point)")
    boundary: list[list[float]] | None = Field(
        None, description="the 居民区's boundary, one WGS-84 ring of [lng, lat] (local data): a report inside it "
                          "gets this committee")


class CommitteesPublic(BaseModel):
    data: list[CommitteePublic]
    count: int


class LocatedZone(BaseModel):
    code: str
    name: str
    station: str | None = Field(description="the zone's 居民区/工作站 department code")


class WgsPoint(BaseModel):
    lng: float
    lat: float
    crs: Literal["wgs84"]


class ZoneLocation(BaseModel):
    """The zone (片区) a point falls in, by the index intake uses; zone null when out of area."""

    zone: LocatedZone | None
    cell: str | None = Field(description="the nested area (网格) within the zone, if any")
    how: Literal["inside", "tolerance", "outside"] = Field(
        description="inside; within the tolerance of a boundary; or outside every zone")
    distance_m: float | None = Field(description="metres to the zone: 0 inside")
    location: WgsPoint = Field(description="the point in WGS-84, after converting from `crs`")


class ConfigReloaded(BaseModel):
    """POST /api/v1/admin/reload-config: what the running system now uses."""

    status: Literal["reloaded"]
    departments: int
    categories: int
    routing_rules: int
    zones: int
