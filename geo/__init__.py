"""Zones (片区), coordinate systems and point location for the grid: plain Python + shapely."""

from geo.crs import SUPPORTED_CRS, to_wgs84
from geo.distance import haversine_m
from geo.index import Location, ZoneIndex
from geo.problems import Problem
from geo.zones import (
    Zone,
    ZoneConfigError,
    load_zones,
    to_feature_collection,
    validate_feature_collection,
)

__all__ = [
    "SUPPORTED_CRS",
    "Location",
    "Problem",
    "Zone",
    "ZoneConfigError",
    "ZoneIndex",
    "haversine_m",
    "load_zones",
    "to_feature_collection",
    "to_wgs84",
    "validate_feature_collection",
]
