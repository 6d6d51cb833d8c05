"""Packed zones (geo.zones.pack_zones / unpack_zones): what a later start reads instead of the GeoJSON."""
from __future__ import annotations

import pytest
import shapely

from geo.zones import load_zones, pack_zones, unpack_zones
from tests.helpers import CONFIG_DIR


def test_the_streets_zones_come_back_equal_with_their_geometries_and_properties():
    zones = load_zones(CONFIG_DIR / "zones.geojson")
    back = unpack_zones(pack_zones(zones))
    assert back == zones  # code, name, station, level, parent, in the file's order
    assert [z.properties for z in back] == [z.properties for z in zones]
    assert all(b.geometry.equals_exact(z.geometry, 0) for b, z in zip(back, zones))


def test_holes_multipolygons_and_mixed_properties_survive():
    from geo.zones import Zone

    ring = [(121.40, 31.24), (121.42, 31.24), (121.42, 31.26), (121.40, 31.26)]
    hole = [(121.405, 31.245), (121.41, 31.245), (121.41, 31.25)]
    zones = [
        Zone("a", "甲", "s1", "zone", None, {"code": "a", "name": "甲", "station": "s1", "colour": "#f00"},
             shapely.Polygon(ring, [hole])),
        Zone("b", "乙", None, "cell", "a", {"code": "b", "name": "乙", "parent": "a", "level": "cell"},
             shapely.MultiPolygon([shapely.box(121.0, 31.0, 121.01, 31.01), shapely.box(121.02, 31.0, 121.03, 31.01)])),
    ]
    back = unpack_zones(pack_zones(zones))
    assert [z.properties for z in back] == [z.properties for z in zones]
    assert back[0].geometry.interiors[0].equals(zones[0].geometry.interiors[0])
    assert back[1].geometry.geom_type == "MultiPolygon" and back[1].parent == "a"
    assert unpack_zones(pack_zones([])) == []


@pytest.mark.parametrize("damage", [lambda b: b"not a pack", lambda b: b[:-7], lambda b: b[:20]])
def test_a_damaged_pack_is_refused_not_misread(damage):
    packed = pack_zones(load_zones(CONFIG_DIR / "zones.geojson"))
    with pytest.raises(ValueError):
        unpack_zones(damage(packed))
