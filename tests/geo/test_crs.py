"""GCJ-02 / BD-09 conversions, and why they matter: a misread crs lands a report in the wrong zone."""

import math
from pathlib import Path

import pytest

from geo.crs import (
    SUPPORTED_CRS,
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from geo.distance import haversine_m
from geo.index import ZoneIndex
from geo.zones import load_zones

ZONES_FILE = Path(__file__).resolve().parents[2] / "config" / "zones.geojson"

# Published pairs for 天安门 (116.404, 39.915) from wandergis/coordtransform's own test (test/app.js).
TIANANMEN = (116.404, 39.915)
PUBLISHED = [
    # WGS-84 → GCJ-02, forward formula: must agree to the last printed digit.
    (wgs84_to_gcj02, (116.41024449916938, 39.91640428150164), 1e-12),
    # GCJ-02 → BD-09, forward formula: same.
    (gcj02_to_bd09, (116.41036949371029, 39.92133699351021), 1e-12),
    # BD-09 → GCJ-02: coordtransform prints its one-step closed form; ours polishes that to the exact
    # inverse, so it may differ by the closed form's own error (< 1e-6°).
    (bd09_to_gcj02, (116.39762729119315, 39.90865673957631), 1e-6),
]


@pytest.mark.parametrize("convert, expected, tol", PUBLISHED, ids=lambda v: getattr(v, "__name__", None))
def test_published_pairs(convert, expected, tol):
    lng, lat = convert(*TIANANMEN)
    assert abs(lng - expected[0]) < tol and abs(lat - expected[1]) < tol


ROUND_TRIP_POINTS = [
    (121.4300, 31.2550),  # 宜川, inside 香溢片区
    (116.404, 39.915),  # Beijing, 天安门
    (87.6168, 43.8256),  # Urumqi: west of 90°E, where lon and lat are close in size
    (110.3312, 20.0311),  # Haikou, far south
    (126.5350, 45.8038),  # Harbin, far north
    (-0.1276, 51.5072),  # London: outside China, GCJ-02 == WGS-84
    (139.6917, 35.6895),  # Tokyo: east of the out_of_china box
]


@pytest.mark.parametrize("lng, lat", ROUND_TRIP_POINTS)
def test_inverses_return_the_original_within_1e_6_degree(lng, lat):
    # each iterative inverse undoes its forward formula to well under 1e-6°
    for forward, inverse in [
        (wgs84_to_gcj02, gcj02_to_wgs84),
        (gcj02_to_bd09, bd09_to_gcj02),
        (wgs84_to_bd09, bd09_to_wgs84),
    ]:
        back = inverse(*forward(lng, lat))
        assert abs(back[0] - lng) < 1e-6 and abs(back[1] - lat) < 1e-6, forward.__name__


@pytest.mark.parametrize("lng, lat", [(-0.1276, 51.5072), (139.6917, 35.6895), (-74.006, 40.7128)])
def test_outside_china_gcj02_is_wgs84(lng, lat):
    # the out_of_china rule: no offset abroad, in either direction
    assert wgs84_to_gcj02(lng, lat) == (lng, lat)
    assert gcj02_to_wgs84(lng, lat) == (lng, lat)


def test_offsets_at_yichuan_are_the_size_the_domain_warns_about():
    # docs/domain.md "Zones and coordinates": GCJ-02 is ~480 m off WGS-84 at 宜川, BD-09 another ~930 m
    lng, lat = 121.43, 31.255
    gcj = wgs84_to_gcj02(lng, lat)
    bd = gcj02_to_bd09(*gcj)
    assert 450 < haversine_m(lng, lat, *gcj) < 520
    assert 900 < haversine_m(*gcj, *bd) < 960


@pytest.mark.parametrize(
    "crs, encode",
    [
        ("wgs84", lambda lng, lat: (lng, lat)),  # stored as is
        ("cgcs2000", lambda lng, lat: (lng, lat)),  # 天地图: taken as WGS-84
        ("gcj02", wgs84_to_gcj02),  # 高德/腾讯/微信
        ("bd09", wgs84_to_bd09),  # 百度
    ],
)
def test_to_wgs84_undoes_each_supported_crs(crs, encode):
    lng, lat = to_wgs84(*encode(121.43, 31.255), crs)
    assert abs(lng - 121.43) < 1e-6 and abs(lat - 31.255) < 1e-6
    assert isinstance(lng, float) and isinstance(lat, float)


def test_supported_crs_are_exactly_the_four_phones_send():
    assert SUPPORTED_CRS == ("wgs84", "gcj02", "bd09", "cgcs2000")


@pytest.mark.parametrize("crs", ["epsg:3857", "WGS-84", "", None])
def test_unknown_crs_is_a_value_error(crs):
    # the API turns this into a 400 naming the allowed values
    with pytest.raises(ValueError, match="gcj02"):
        to_wgs84(121.43, 31.255, crs)


def test_integers_in_floats_out():
    assert all(isinstance(v, float) for v in wgs84_to_gcj02(121, 31) + gcj02_to_bd09(121, 31))


# A WGS-84 point well inside each zone (checked by hand: > 100 m from its boundary) whose GCJ-02 and
# BD-09 encodings, if mistaken for WGS-84, fall outside that zone.
ZONE_POINTS = [
    ("xiangyi", 121.4311, 31.2523),  # misread lands in 中远两湾城 (east-south-east)
    ("zhongyuan", 121.4424, 31.2544),  # misread lands east of the street, out of area
    ("jiaoxi", 121.4423, 31.2654),  # misread lands east of the street, out of area
]


@pytest.fixture(scope="module")
def index():
    return ZoneIndex(load_zones(ZONES_FILE))


@pytest.mark.parametrize("code, lng, lat", ZONE_POINTS)
@pytest.mark.parametrize("crs, encode", [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_converting_the_crs_keeps_a_report_in_its_zone(index, code, lng, lat, crs, encode):
    assert index.locate(lng, lat).zone.code == code
    sent = encode(lng, lat)
    # converted properly: back in the same zone
    assert index.locate(*to_wgs84(*sent, crs)).zone.code == code
    # taken as WGS-84 by mistake: ~480 m (GCJ-02) or ~1.2 km (BD-09) off, and not in the zone
    off = haversine_m(lng, lat, *sent)
    assert (450 < off < 520) if crs == "gcj02" else (1100 < off < 1250)
    wrong = index.locate(*sent)
    assert wrong.zone is None or wrong.zone.code != code


def test_nan_passes_through_without_hanging():
    # garbage in must not loop forever; the API rejects non-finite input before this
    lng, lat = to_wgs84(math.nan, 31.0, "gcj02")
    assert math.isnan(lng)
