"""Checks of a new config/ against what the database was seeded with, before it is used (at start, at reload).

Each is a guard, ``guard(session=, config=) -> [Problem]`` (see ``service.check``): no problem, no change.
"""
from __future__ import annotations

from shapely.geometry import shape
from sqlmodel import Session, select

from dispatch.street.config import StreetConfig
from dispatch.street.models import Zone
from geo.problems import Problem
from geo.zones import shift_problems


def zones_in_map_coordinates(*, session: Session, config: StreetConfig) -> list[Problem]:
    """A zones file in 高德/腾讯 (GCJ-02) or 百度 (BD-09) map coordinates instead of WGS-84, as a problem.

    The previous zones are those the database was seeded with: the ones of the new file's codes, or all
    of them when the codes changed (the district's real boundaries replacing the placeholders).
    """
    stored = session.exec(select(Zone)).all()
    codes = {zone.code for zone in config.zones}
    previous = [row for row in stored if row.code in codes] or stored
    return shift_problems(config.zones, [shape(row.geometry) for row in previous], source="zones.geojson")
