"""The street's 居民区 (residential committees, 居委会): config/committees.toml, validated.

The codes and names are the National Bureau of Statistics' (统计用区划代码: the street's 9 digits and three
more); which 片区 each belongs to, an optional point and an optional boundary are the street's own data, to
be corrected like the zone polygons. A point must lie in its committee's zone (the same index and tolerance
intake uses); a boundary (one WGS-84 ring) must be a valid polygon inside its committee's zone (up to the
zones' overlap tolerance) and must not overlap another committee's. A ticket whose point a boundary covers
belongs to that 居民区 (`Committees.locate`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, field_validator
from shapely.geometry import Point, Polygon
from shapely.strtree import STRtree

from geo.distance import area_m2
from geo.index import ZoneIndex
from geo.problems import Problem
from geo.zones import Zone

FILE = "committees.toml"


class CommitteeConfig(BaseModel):
    """One 居民委员会: its 12-digit code, official name, the 片区 it belongs to, an optional WGS-84 point."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^\d{12}$")
    name: str = Field(min_length=1, max_length=64)
    zone: str = Field(min_length=1)
    point: tuple[float, float] | None = None
    boundary: list[tuple[float, float]] | None = Field(None, min_length=3)  # one ring of [lng, lat]

    @field_validator("point")
    @classmethod
    def _wgs84(cls, value):
        if value is not None and not (-180 <= value[0] <= 180 and -90 <= value[1] <= 90):
            raise ValueError("point is [lng, lat] in WGS-84 degrees")
        return value

    @field_validator("boundary")
    @classmethod
    def _ring(cls, value):
        if value is not None and not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in value):
            raise ValueError("boundary is a ring of [lng, lat] in WGS-84 degrees")
        return value


class CommitteesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    street_code: str = Field("", pattern=r"^(\d{9})?$")  # required once there is a committee
    committee: list[CommitteeConfig] = []


@dataclass(frozen=True)
class Committees:
    """The committees by code, in the file's order, with the street's code and the boundaries' index."""

    street_code: str
    by_code: dict[str, CommitteeConfig]
    boundaries: dict[str, Polygon] = field(default_factory=dict, repr=False)  # code → polygon

    def in_zone(self, zone: str) -> list[CommitteeConfig]:
        """The committees of one 片区, in the file's order."""
        return [c for c in self.by_code.values() if c.zone == zone]

    def in_zone_of(self, code: str | None, zone: str | None) -> bool:
        """True when `code` is a committee of the 片区 `zone`."""
        committee = self.by_code.get(code) if code else None
        return committee is not None and zone is not None and committee.zone == zone

    def locate(self, lng: float | None, lat: float | None) -> str | None:
        """The committee whose boundary covers the point (the smallest code on a shared edge), else None."""
        if lng is None or lat is None or not self.boundaries:
            return None
        point = Point(lng, lat)
        return next((code for code, shape in sorted(self.boundaries.items()) if shape.covers(point)), None)


NONE = Committees(street_code="", by_code={})


def check(data: CommitteesFile, *, zones: list[Zone], zone_index: ZoneIndex | None,
          overlap_tolerance_m2: float = 1.0) -> tuple[Committees, list[Problem]]:
    """The committees and every problem: codes of another street, repeats, unknown zones, points elsewhere,
    boundaries that are no polygon, leave their zone or overlap another committee's."""
    problems: list[Problem] = []
    zone_codes = {z.code for z in zones if z.level == "zone"}
    seen_codes: set[str] = set()
    seen_names: set[str] = set()
    if data.committee and not data.street_code:
        problems.append(Problem(FILE, "street_code", "the street's 9-digit code is needed to check the committees' codes"))
    for i, c in enumerate(data.committee):
        where = f"committee.{i}"
        label = f" — in [[committee]] no. {i + 1} ({c.code} {c.name})"
        if not c.code.startswith(data.street_code):
            problems.append(Problem(FILE, f"{where}.code", f"{c.code} is not a code of street {data.street_code}{label}"))
        if c.code in seen_codes:
            problems.append(Problem(FILE, f"{where}.code", f"{c.code} appears twice{label}"))
        if c.name in seen_names:
            problems.append(Problem(FILE, f"{where}.name", f"{c.name!r} appears twice{label}"))
        seen_codes.add(c.code)
        seen_names.add(c.name)
        if zone_codes and c.zone not in zone_codes:
            problems.append(Problem(FILE, f"{where}.zone", f"unknown zone {c.zone!r}; expected one of "
                                    f"{', '.join(sorted(zone_codes))}{label}"))
        elif c.point is not None and zone_index is not None:
            found = zone_index.locate(*c.point).zone
            if found is None or found.code != c.zone:
                problems.append(Problem(FILE, f"{where}.point", f"{list(c.point)} lies in "
                                        f"{found.code if found else 'no zone'}, not in {c.zone}{label}"))
    boundaries = _boundaries(data.committee, zones, overlap_tolerance_m2, problems)
    return Committees(data.street_code, {c.code: c for c in data.committee}, boundaries), problems


def _boundaries(committees: list[CommitteeConfig], zones: list[Zone], tolerance_m2: float,
                problems: list[Problem]) -> dict[str, Polygon]:
    """The committees' boundary polygons; a problem for each that is invalid, outside its zone or overlapping."""
    zone_shapes = {z.code: z.geometry for z in zones if z.level == "zone"}
    shapes: dict[str, Polygon] = {}
    where: dict[str, str] = {}
    for i, c in enumerate(committees):
        if c.boundary is None:
            continue
        key, label = f"committee.{i}.boundary", f" — in [[committee]] no. {i + 1} ({c.code} {c.name})"
        polygon = Polygon(c.boundary)
        if not polygon.is_valid or polygon.area == 0:
            problems.append(Problem(FILE, key, f"is not a valid polygon (a ring that crosses itself or has no area){label}"))
            continue
        zone_shape = zone_shapes.get(c.zone)
        if zone_shape is not None:
            outside = area_m2(polygon.difference(zone_shape))
            if outside > tolerance_m2:
                problems.append(Problem(FILE, key, f"~{outside:.0f} m² of it lie outside its zone {c.zone}{label}"))
                continue
        shapes[c.code], where[c.code] = polygon, key
    codes = list(shapes)
    tree = STRtree([shapes[code] for code in codes])
    for i, code in enumerate(codes):
        for j in tree.query(shapes[code]):
            if j <= i:
                continue
            overlap = area_m2(shapes[code].intersection(shapes[codes[j]]))
            if overlap > tolerance_m2:
                problems.append(Problem(FILE, where[codes[j]], f"overlaps the boundary of {code} by ~{overlap:.0f} m² "
                                        f"(tolerance {tolerance_m2:g} m²)"))
    return shapes


def public(committees: Committees, *, zone_names: dict[str, str], zone: str | None = None) -> list[dict]:
    """The committees as the API lists them (one 片区's when `zone` is given)."""
    rows = committees.in_zone(zone) if zone else list(committees.by_code.values())
    return [{"code": c.code, "name": c.name, "zone": c.zone, "zone_name": zone_names.get(c.zone),
             "point": None if c.point is None else {"lng": c.point[0], "lat": c.point[1]},
             "boundary": None if c.boundary is None else [list(p) for p in c.boundary]} for c in rows]


