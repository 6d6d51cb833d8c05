"""The street's 居民区 (residential committees, 居委会): config/committees.toml, validated.

The codes and names are the National Bureau of Statistics' (统计用区划代码: the street's 9 digits and three
more); which 片区 each belongs to and an optional point are the street's own data, to be corrected like
the zone polygons. A point must lie in its committee's zone (the same index and tolerance intake uses).
"""
from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

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

    @field_validator("point")
    @classmethod
    def _wgs84(cls, value):
        if value is not None and not (-180 <= value[0] <= 180 and -90 <= value[1] <= 90):
            raise ValueError("point is [lng, lat] in WGS-84 degrees")
        return value


class CommitteesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    street_code: str = Field("", pattern=r"^(\d{9})?$")  # required once there is a committee
    committee: list[CommitteeConfig] = []


@dataclass(frozen=True)
class Committees:
    """The committees by code, in the file's order, with the street's code."""

    street_code: str
    by_code: dict[str, CommitteeConfig]

    def in_zone(self, zone: str) -> list[CommitteeConfig]:
        """The committees of one 片区, in the file's order."""
        return [c for c in self.by_code.values() if c.zone == zone]


NONE = Committees(street_code="", by_code={})


def check(data: CommitteesFile, *, zones: list[Zone], zone_index: ZoneIndex | None) -> tuple[Committees, list[Problem]]:
    """The committees and every problem: codes of another street, repeats, unknown zones, points elsewhere."""
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
    return Committees(data.street_code, {c.code: c for c in data.committee}), problems


def public(committees: Committees, *, zone_names: dict[str, str], zone: str | None = None) -> list[dict]:
    """The committees as the API lists them (one 片区's when `zone` is given)."""
    rows = committees.in_zone(zone) if zone else list(committees.by_code.values())
    return [{"code": c.code, "name": c.name, "zone": c.zone, "zone_name": zone_names.get(c.zone),
             "point": None if c.point is None else {"lng": c.point[0], "lat": c.point[1]}} for c in rows]


