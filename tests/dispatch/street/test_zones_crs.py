"""A zones file in the wrong coordinate system is refused: at reload, at start-up and by check-config."""
from __future__ import annotations

import json

import pytest

from dispatch.cli import main
from dispatch.street.config import ConfigError
from geo.crs import wgs84_to_bd09, wgs84_to_gcj02
from tests.dispatch.helpers import INTERIOR, report, ticket_of
from tests.geo.helpers import moved_copy
from tests.helpers import make_test_app

MAP_COPIES = [
    pytest.param(wgs84_to_gcj02, "the zones lie ~480 m from the current ones, as GCJ-02 (高德/腾讯) coordinates "
                                 "would; convert them to WGS-84 first", id="gcj02"),
    pytest.param(wgs84_to_bd09, "the zones lie ~1.2 km from the current ones, as BD-09 (百度) coordinates "
                                "would; convert them to WGS-84 first", id="bd09"),
]


@pytest.fixture
def admin(make_user):
    return make_user("admin1", "admin")[1]


def write_zones(config_dir, data: dict) -> None:
    (config_dir / "zones.geojson").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def shipped_zones(config_dir) -> dict:
    return json.loads((config_dir / "zones.geojson").read_text(encoding="utf-8"))


def reload_problems(client, headers) -> list[dict]:
    response = client.post("/api/v1/admin/reload-config", headers=headers)
    assert response.status_code == 422, response.get_json()
    return response.get_json()["error"]["problems"]


@pytest.mark.parametrize(("convert", "reason"), MAP_COPIES)
def test_zones_pasted_from_a_web_map_are_refused_at_reload(client, admin, inspector, config_dir, convert, reason):
    write_zones(config_dir, moved_copy(shipped_zones(config_dir), convert))
    assert reload_problems(client, admin) == [{"file": "zones.geojson", "key": "features", "reason": reason}]
    # nothing changed: a report inside 交西 is still placed in 交西, not ~500 m away
    assert ticket_of(report(client, inspector, at=INTERIOR["jiaoxi"]))["zone"] == "jiaoxi"


@pytest.mark.parametrize(("convert", "reason"), MAP_COPIES)
def test_zones_pasted_from_a_web_map_stop_the_start(app, tmp_path, clock, database_url, config_dir, convert, reason):
    # the database was seeded with the WGS-84 zones (by `app`); a restart with a map copy is refused
    write_zones(config_dir, moved_copy(shipped_zones(config_dir), convert))
    with pytest.raises(ConfigError) as info:
        make_test_app(database_url, tmp_path=tmp_path, clock=clock, config_dir=config_dir)
    assert [str(p) for p in info.value.problems] == [f"zones.geojson: features: {reason}"]


def test_redrawn_zones_in_wgs84_are_taken(client, admin, config_dir):
    # the district's real boundaries replace the placeholders: a few tens of metres different, same system
    write_zones(config_dir, moved_copy(shipped_zones(config_dir), lambda lng, lat: (lng + 0.0003, lat - 0.0002)))
    response = client.post("/api/v1/admin/reload-config", headers=admin)
    assert response.status_code == 200, response.get_json()


def declare(config_dir, name: str) -> None:
    data = shipped_zones(config_dir)
    data["crs"] = {"type": "name", "properties": {"name": name}}
    write_zones(config_dir, data)


def test_a_declared_other_crs_is_refused_at_reload(client, admin, config_dir):
    declare(config_dir, "urn:ogc:def:crs:EPSG::3857")
    [problem] = reload_problems(client, admin)
    assert (problem["file"], problem["key"]) == ("zones.geojson", "crs")
    assert problem["reason"].startswith("declares the coordinate system 'urn:ogc:def:crs:EPSG::3857'; "
                                        "zones.geojson must be WGS-84 longitude/latitude")


def test_check_config_names_a_declared_other_crs(config_dir, monkeypatch, capsys):
    monkeypatch.setenv("DISPATCH_CONFIG_DIR", str(config_dir))
    declare(config_dir, "EPSG:3857")
    assert main(["check-config"]) == 1
    assert capsys.readouterr().out.strip().splitlines() == [
        "zones.geojson: crs: declares the coordinate system 'EPSG:3857'; zones.geojson must be WGS-84 "
        "longitude/latitude (RFC 7946, CRS84 / EPSG:4326): convert the file to WGS-84 and remove the crs member"]


def test_a_declared_wgs84_crs_is_taken(client, admin, config_dir):
    declare(config_dir, "urn:ogc:def:crs:OGC:1.3:CRS84")
    assert client.post("/api/v1/admin/reload-config", headers=admin).status_code == 200
