"""GET /api/v1/zones/locate: the zone of a point, as the report page shows it before sending."""
from __future__ import annotations

import pytest

from geo.crs import wgs84_to_gcj02


@pytest.mark.parametrize("lng,lat,crs,zone,how", [
    (121.4288, 31.2551, "wgs84", "xiangyi", "inside"),   # the phone's GPS in 香溢片区
    (121.440, 31.255, "wgs84", "zhongyuan", "inside"),
    (121.436, 31.264, "cgcs2000", "jiaoxi", "inside"),   # 天地图: taken as WGS-84
    (121.50, 31.30, "wgs84", None, "outside"),           # far away: out of area
])
def test_locate_names_the_zone(client, lng, lat, crs, zone, how):
    body = client.get(f"/api/v1/zones/locate?lng={lng}&lat={lat}&crs={crs}").get_json()
    assert (body["zone"] and body["zone"]["code"], body["how"]) == (zone, how)
    if zone == "xiangyi":
        assert body["zone"]["name"] == "香溢片区" and body["distance_m"] == 0


def test_locate_converts_gcj02_first(client):
    lng, lat = wgs84_to_gcj02(121.4288, 31.2551)  # ~480 m off: would land elsewhere if taken raw
    body = client.get(f"/api/v1/zones/locate?lng={lng}&lat={lat}&crs=gcj02").get_json()
    assert body["zone"]["code"] == "xiangyi"
    assert abs(body["location"]["lng"] - 121.4288) < 1e-6 and abs(body["location"]["lat"] - 31.2551) < 1e-6


@pytest.mark.parametrize("query,code", [
    ("lng=abc&lat=31.25", "invalid_coordinate"),
    ("lat=31.25", "invalid_coordinate"),
    ("lng=nan&lat=31.25", "invalid_coordinate"),
    ("lng=121.4&lat=95", "invalid_coordinate"),
    ("lng=121.4&lat=31.25&crs=mars", "invalid_crs"),
])
def test_locate_refuses_bad_input_with_400(client, query, code):
    response = client.get("/api/v1/zones/locate?" + query)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == code
