"""Reference data over HTTP: zones as GeoJSON, categories, departments."""
from __future__ import annotations

import json

import shapely
from shapely.geometry import shape

from tests.dispatch.helpers import INTERIOR


def test_zones_are_an_rfc7946_feature_collection(client):
    # A map page can draw the zones straight from this: GeoJSON media type, three features,
    # each with code, name and station, coordinates as [lon, lat].
    response = client.get("/api/v1/zones")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    fc = json.loads(response.data)
    assert fc["type"] == "FeatureCollection"
    assert "crs" not in fc  # RFC 7946: WGS-84 is implied, no crs member
    by_code = {f["properties"]["code"]: f for f in fc["features"]}
    assert set(by_code) == {"xiangyi", "jiaoxi", "zhongyuan"}
    assert {c: f["properties"]["name"] for c, f in by_code.items()} == {
        "xiangyi": "香溢片区", "jiaoxi": "交西片区", "zhongyuan": "中远两湾城片区"}
    assert {c: f["properties"]["station"] for c, f in by_code.items()} == {
        "xiangyi": "station_xiangyi", "jiaoxi": "station_jiaoxi", "zhongyuan": "station_zhongyuan"}
    for code, feature in by_code.items():
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        ring = feature["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1]  # closed ring
        # lon first: 121.4x east, 31.2x north (Shanghai)
        assert all(121.4 < lon < 121.5 and 31.2 < lat < 31.3 for lon, lat in ring)
        # RFC 7946: exterior rings counter-clockwise
        assert shapely.LinearRing(ring).is_ccw
        # the zone drawn contains the point our tests call its interior
        assert shape(feature["geometry"]).contains(shapely.Point(*INTERIOR[code]))


def test_zones_need_no_login(client):
    # The public map and the phone's first screen load zones before anyone signs in.
    assert client.get("/api/v1/zones").status_code == 200
    assert client.get("/api/v1/categories").status_code == 200
    assert client.get("/api/v1/departments").status_code == 200


def test_categories_list_all_25_with_chinese_names(client):
    # The report form's category picker: code, slug, Chinese name and deadlines of each.
    body = client.get("/api/v1/categories").get_json()
    assert body["count"] == len(body["data"]) == 25
    by_slug = {c["slug"]: c for c in body["data"]}
    assert by_slug["exposed_garbage"]["name"] == "暴露垃圾"
    assert by_slug["exposed_garbage"]["code"] == "06010"
    assert by_slug["fire_lane_blocked"]["name"] == "占用消防通道"
    assert by_slug["fire_lane_blocked"]["urgent"] is True
    assert (by_slug["fire_lane_blocked"]["response_limit"], by_slug["fire_lane_blocked"]["resolve_limit"]) == \
        ("30 NM", "2 NH")
    assert by_slug["other"]["name"] == "其他"
    # every name carries Chinese characters (the street works in Chinese)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c["name"]) for c in body["data"])


def test_chinese_is_sent_as_utf8_not_escaped(client):
    # The raw body carries 暴露垃圾 itself, not \\u66b4...: readable in curl and logs.
    assert "暴露垃圾".encode() in client.get("/api/v1/categories").data


def test_departments_list_all_12(client):
    # The dispatch picker: 12 departments including the three zone stations and 城建中心.
    body = client.get("/api/v1/departments").get_json()
    assert body["count"] == len(body["data"]) == 12
    by_code = {d["code"]: d for d in body["data"]}
    assert by_code["sanitation"]["name"] == "绿化市容所"
    assert by_code["command_center"]["kind"] == "command"
    assert {c for c, d in by_code.items() if d["kind"] == "station"} == {
        "station_xiangyi", "station_jiaoxi", "station_zhongyuan"}
