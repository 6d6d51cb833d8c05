"""Zones files in the wrong coordinate system: a declared non-WGS-84 crs, and 高德/百度 map coordinates."""

import json
from pathlib import Path

import pytest

from geo.crs import wgs84_to_bd09, wgs84_to_gcj02
from geo.zones import Problem, load_zones, shift_problems, validate_feature_collection
from tests.geo.helpers import moved_copy

ZONES_FILE = Path(__file__).resolve().parents[2] / "config" / "zones.geojson"
SRC = "zones.geojson"


def shipped() -> dict:
    return json.loads(ZONES_FILE.read_text(encoding="utf-8"))


def with_crs(name) -> dict:
    data = shipped()
    data["crs"] = {"type": "name", "properties": {"name": name}}
    return data


# --- a declared crs ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "urn:ogc:def:crs:OGC:1.3:CRS84",  # what GDAL/QGIS write for WGS-84 lon/lat
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "http://www.opengis.net/def/crs/EPSG/0/4326",
    "urn:ogc:def:crs:EPSG::4490",  # CGCS2000 (天地图): centimetres from WGS-84
])
def test_a_declared_wgs84_crs_is_accepted(name):
    zones, problems = validate_feature_collection(with_crs(name), source=SRC)
    assert problems == []
    assert len(zones) == 3


@pytest.mark.parametrize("crs", [
    {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},  # web mercator, metres
    {"type": "name", "properties": {"name": "EPSG:4549"}},  # CGCS2000 / 3-degree Gauss-Kruger CM 120E
    {"type": "name", "properties": {"name": "GCJ-02"}},  # no EPSG code exists for it
    {"type": "EPSG", "properties": {"code": 3857}},  # the 2008 draft's EPSG form
    {"type": "link", "properties": {"href": "http://example.org/crs", "type": "proj4"}},  # cannot be checked
])
def test_a_declared_other_crs_is_refused_with_that_problem_only(crs):
    data = shipped()
    data["crs"] = crs
    zones, problems = validate_feature_collection(data, source=SRC)
    assert zones == []
    [problem] = problems  # not also one "out of range" per position
    assert problem.file == SRC and problem.key == "crs"
    assert problem.reason.startswith("declares the coordinate system ")
    assert "must be WGS-84 longitude/latitude (RFC 7946, CRS84 / EPSG:4326)" in problem.reason


def test_a_crs_on_a_feature_is_checked_too():
    data = shipped()
    data["features"][1]["crs"] = {"type": "name", "properties": {"name": "EPSG:3857"}}
    _, problems = validate_feature_collection(data, source=SRC)
    assert [p.key for p in problems] == ["features[1].crs"]


def test_a_null_crs_declares_nothing():
    data = shipped()
    data["crs"] = None
    assert validate_feature_collection(data, source=SRC)[1] == []


# --- coordinates from 高德 / 百度 maps ---------------------------------------------------------------

@pytest.mark.parametrize(("convert", "reason"), [
    (wgs84_to_gcj02, "the zones lie ~480 m from the current ones, as GCJ-02 (高德/腾讯) coordinates would; "
                     "convert them to WGS-84 first"),
    (wgs84_to_bd09, "the zones lie ~1.2 km from the current ones, as BD-09 (百度) coordinates would; "
                    "convert them to WGS-84 first"),
], ids=["gcj02", "bd09"])
def test_zones_in_map_coordinates_are_found(convert, reason):
    current = load_zones(ZONES_FILE)
    zones, problems = validate_feature_collection(moved_copy(shipped(), convert), source=SRC)
    assert problems == []  # each file is fine on its own: only the comparison tells
    assert shift_problems(zones, current, source=SRC) == [Problem(SRC, "features", reason)]


M_PER_DEGREE_LAT = 111_195.0


@pytest.mark.parametrize(("convert", "why"), [
    (lambda lng, lat: (lng, lat), "the same zones"),
    (lambda lng, lat: (lng + 0.0003, lat - 0.0002), "redrawn ~35 m away: not a map system's offset"),
    (lambda lng, lat: (lng, lat + 480 / M_PER_DEGREE_LAT), "moved 480 m due north: not GCJ-02's direction"),
    (lambda lng, lat: (lng - 0.01, lat - 0.01), "moved ~1.5 km south-west: another place, not BD-09"),
], ids=["same", "redrawn", "north", "elsewhere"])
def test_other_moves_are_not_taken_for_map_coordinates(convert, why):
    current = load_zones(ZONES_FILE)
    zones, _ = validate_feature_collection(moved_copy(shipped(), convert), source=SRC)
    assert shift_problems(zones, current, source=SRC) == [], why


def test_correcting_map_coordinates_back_to_wgs84_is_not_refused():
    # the street loaded a GCJ-02 file by mistake (no previous zones to compare with); the WGS-84 one replaces it
    wrong, _ = validate_feature_collection(moved_copy(shipped(), wgs84_to_gcj02), source=SRC)
    assert shift_problems(load_zones(ZONES_FILE), wrong, source=SRC) == []


def test_nothing_to_compare_is_no_problem():
    assert shift_problems(load_zones(ZONES_FILE), [], source=SRC) == []
    assert shift_problems([], load_zones(ZONES_FILE), source=SRC) == []
