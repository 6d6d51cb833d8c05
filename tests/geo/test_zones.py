"""Loading and validating zone files: every problem named by file, key and reason, all at once."""

import copy
import json
import math
from pathlib import Path

import pytest
import shapely

from geo.zones import (
    Problem,
    Zone,
    ZoneConfigError,
    load_zones,
    to_feature_collection,
    validate_feature_collection,
)

ZONES_FILE = Path(__file__).resolve().parents[2] / "config" / "zones.geojson"
SRC = "test.geojson"


def square(x0, y0, size=0.01):
    """A closed counter-clockwise ring, as GeoJSON coordinates of a Polygon."""
    return [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]]


def feature(code, coordinates, kind="Polygon", **props):
    return {
        "type": "Feature",
        "properties": {"code": code, "name": code.upper(), **props},
        "geometry": {"type": kind, "coordinates": coordinates},
    }


def good():
    """Two squares side by side in Shanghai, sharing the edge x = 121.43."""
    return {
        "type": "FeatureCollection",
        "features": [feature("a", square(121.42, 31.25)), feature("b", square(121.43, 31.25))],
    }


def with_change(change):
    data = good()
    change(data)
    return data


def set_coords(i, coordinates, kind="Polygon"):
    def change(data):
        data["features"][i]["geometry"] = {"type": kind, "coordinates": coordinates}
    return change


def set_prop(i, key, value):
    def change(data):
        data["features"][i]["properties"][key] = value
    return change


def del_prop(i, key):
    def change(data):
        del data["features"][i]["properties"][key]
    return change


BOWTIE = [[[121.42, 31.25], [121.43, 31.26], [121.43, 31.25], [121.42, 31.26], [121.42, 31.25]]]
URUMQI_SWAPPED = [[[43.80, 87.60], [43.80, 87.61], [43.81, 87.61], [43.81, 87.60], [43.80, 87.60]]]

# (what is wrong, how to make it so, expected key, words expected in the reason)
BAD_CASES = [
    # the whole document is something else
    ("not a collection", lambda d: d.update(type="Feature"), "type", "FeatureCollection"),
    # features must be a list
    ("features not a list", lambda d: d.update(features={}), "features", "list"),
    # an entry of features that is not even an object
    ("feature not an object", lambda d: d["features"].__setitem__(0, "a"), "features[0]", "Feature"),
    # properties missing altogether
    ("no properties", lambda d: d["features"][0].pop("properties"), "features[0].properties", "missing"),
    # geometry missing
    ("no geometry", lambda d: d["features"][1].pop("geometry"), "features[1].geometry", "Polygon"),
    # a Point is not an area
    ("point geometry", set_coords(1, [121.43, 31.25], kind="Point"), "features[1].geometry.type", "Point"),
    # code missing, empty, blank
    ("no code", del_prop(0, "code"), "features[0].properties.code", "missing or empty"),
    ("empty code", set_prop(0, "code", ""), "features[0].properties.code", "missing or empty"),
    ("blank code", set_prop(1, "code", "  "), "features[1].properties.code", "missing or empty"),
    # the same code twice: reported on the second, naming the first
    ("duplicate code", set_prop(1, "code", "a"), "features[1].properties.code", "features[0]"),
    # name missing
    ("no name", del_prop(1, "name"), "features[1].properties.name", "missing or empty"),
    # level / station / parent of the wrong type
    ("numeric level", set_prop(0, "level", 3), "features[0].properties.level", "level"),
    ("numeric station", set_prop(0, "station", 7), "features[0].properties.station", "station"),
    # longitude beyond 180
    ("lon out of range", set_coords(0, [[[200.0, 31.25], [121.43, 31.25], [121.43, 31.26], [200.0, 31.25]]]),
     "features[0].geometry.coordinates", "longitude 200.0"),
    # latitude beyond 90, first value not a plausible latitude so not "swapped"
    ("lat out of range", set_coords(0, [[[121.42, 95.0], [121.43, 31.25], [121.43, 31.26], [121.42, 95.0]]]),
     "features[0].geometry.coordinates", "latitude 95.0"),
    # NaN (Python's json accepts it)
    ("nan", set_coords(0, [[[math.nan, 31.25], [121.43, 31.25], [121.43, 31.26], [math.nan, 31.25]]]),
     "features[0].geometry.coordinates", "not a finite number"),
    # [lat, lon]: first value a latitude, second beyond 90
    ("swapped per point", set_coords(0, [[[y, x] for x, y in square(121.42, 31.25)[0]]]),
     "features[0].geometry.coordinates", "[lat, lon]"),
    # [lat, lon] in western China, where both values are valid latitudes: caught by the ring rule
    ("swapped ring", set_coords(1, URUMQI_SWAPPED), "features[1].geometry.coordinates", "[lat, lon]"),
    # self-intersecting: shapely's explain_validity is the reason
    ("bowtie", set_coords(0, BOWTIE), "features[0].geometry.coordinates", "Self-intersection"),
    # last position not equal to the first
    ("unclosed", set_coords(0, [square(121.42, 31.25)[0][:-1]]), "features[0].geometry.coordinates", "not closed"),
    # too short to be a ring
    ("too few", set_coords(0, [[[121.42, 31.25], [121.43, 31.25], [121.42, 31.25]]]),
     "features[0].geometry.coordinates", "at least 4"),
    # coordinates that are not number pairs at all
    ("strings", set_coords(0, [[["121.42", "31.25"]]]), "features[0].geometry.coordinates", "number pairs"),
    # a MultiPolygon whose second part is broken: the reason names the part
    ("bad multipolygon part", set_coords(0, [square(121.40, 31.25), [square(121.41, 31.25)[0][:-1]]],
                                         kind="MultiPolygon"),
     "features[0].geometry.coordinates", "coordinates[1][0]"),
    # parent names a code that does not exist
    ("unknown parent", set_prop(1, "parent", "nowhere"), "features[1].properties.parent", "'nowhere'"),
    # a parent chain that loops
    ("parent loop", lambda d: (set_prop(0, "parent", "b")(d), set_prop(1, "parent", "a")(d)),
     "features[0].properties.parent", "loops"),
    # b slid 0.001° (~95 m) west over a, same level: ~0.1 km² overlap, reported on the later one
    ("overlap", set_coords(1, square(121.429, 31.25)), "features[1].geometry", "overlaps features[0] ('a')"),
]


@pytest.mark.parametrize("label, change, key, words", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_each_problem_is_named_by_key(label, change, key, words):
    _, problems = validate_feature_collection(with_change(change), source=SRC)
    matching = [p for p in problems if p.key == key]
    assert matching, f"no problem at {key}; got {[str(p) for p in problems]}"
    assert any(words in p.reason for p in matching), [p.reason for p in matching]
    assert all(p.file == SRC for p in problems)


# (what is fine, how to make it so)
GOOD_CASES = [
    # the fixture itself: two squares sharing an edge is not an overlap
    ("touching", lambda d: None),
    # an overlap of ~0.1 m² (a 0.1 mm digitising sliver) is within the default 1 m² tolerance
    ("sliver", set_coords(1, square(121.43 - 1e-9, 31.25))),
    # different levels may overlap: a cell inside its zone
    ("nested cell", lambda d: d["features"].append(
        feature("a1", square(121.421, 31.251, 0.002), level="cell", parent="a"))),
    # a MultiPolygon with a hole in its first part
    ("multipolygon", set_coords(0, [square(121.40, 31.25) + [square(121.402, 31.252, 0.001)[0][::-1]],
                                    square(121.415, 31.25, 0.005)], kind="MultiPolygon")),
    # altitude as a third value is allowed by RFC 7946 and ignored
    ("altitude", set_coords(0, [[p + [4.0] for p in square(121.42, 31.25)[0]]])),
    # a clockwise ring is accepted (RFC 7946 says "should", not "must"); output is re-oriented
    ("clockwise", set_coords(0, [square(121.42, 31.25)[0][::-1]])),
]


@pytest.mark.parametrize("label, change", GOOD_CASES, ids=[c[0] for c in GOOD_CASES])
def test_valid_collections_have_no_problems(label, change):
    zones, problems = validate_feature_collection(with_change(change), source=SRC)
    assert problems == []
    assert {"a", "b"} <= {z.code for z in zones}


def test_overlap_tolerance_is_configurable():
    # the same ~0.1 m² sliver is a problem once the tolerance is tighter than it
    data = with_change(set_coords(1, square(121.43 - 1e-9, 31.25)))
    _, problems = validate_feature_collection(data, source=SRC, overlap_tolerance_m2=0.01)
    assert [p.key for p in problems] == ["features[1].geometry"]
    area = float(problems[0].reason.split(" by ")[1].split(" m²")[0])
    assert 0.05 < area < 0.2


def test_every_problem_is_reported_together():
    data = good()
    data["features"] += [
        feature("a", square(121.44, 31.25)),  # duplicate code
        feature("d", [[[121.45, 31.25], [121.46, 31.25], [121.46, 31.26]]]),  # unclosed and too short
        feature("e", BOWTIE, parent="zzz"),  # invalid and unknown parent
        {"type": "Feature", "properties": {"code": "f"}, "geometry": None},  # no name, no geometry
    ]
    _, problems = validate_feature_collection(data, source=SRC)
    keys = [p.key for p in problems]
    assert keys.count("features[2].properties.code") == 1
    assert keys.count("features[3].geometry.coordinates") == 1  # 3 positions: "at least 4"
    assert "features[4].geometry.coordinates" in keys
    assert "features[4].properties.parent" in keys
    assert "features[5].properties.name" in keys
    assert "features[5].geometry" in keys
    assert len(problems) == 6
    # listed in file order, so a person can fix the file top to bottom
    order = [int(k.split("]")[0].split("[")[1]) for k in keys]
    assert order == sorted(order)


def test_load_zones_raises_with_all_problems_and_the_file_name(tmp_path):
    path = tmp_path / "zones.geojson"
    data = good()
    data["features"][0]["properties"]["code"] = ""
    data["features"][1]["geometry"]["coordinates"] = BOWTIE
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ZoneConfigError) as caught:
        load_zones(path)
    assert [p.key for p in caught.value.problems] == [
        "features[0].properties.code",
        "features[1].geometry.coordinates",
    ]
    message = str(caught.value)
    assert "2 problem(s)" in message
    assert f"{path}: features[0].properties.code: missing or empty code" in message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "content, key",
    [
        (None, "(file)"),  # missing file
        ('{"type": "FeatureCollection", "features": [', "line 1 column 44"),  # truncated JSON: where it ends
        (b"\xff\xfe{}", "(file)"),  # not UTF-8
    ],
)
def test_unreadable_files_name_the_file(tmp_path, content, key):
    path = tmp_path / "zones.geojson"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ZoneConfigError) as caught:
        load_zones(path)
    [problem] = caught.value.problems
    assert problem.file == str(path) and problem.key == key


def test_shipped_config_validates_with_zero_problems():
    data = json.loads(ZONES_FILE.read_text(encoding="utf-8"))
    zones, problems = validate_feature_collection(data, source=str(ZONES_FILE))
    assert problems == []
    assert {(z.code, z.station, z.level, z.parent) for z in zones} == {
        ("xiangyi", "station_xiangyi", "zone", None),
        ("jiaoxi", "station_jiaoxi", "zone", None),
        ("zhongyuan", "station_zhongyuan", "zone", None),
    }
    assert {z.name for z in zones} == {"香溢片区", "交西片区", "中远两湾城片区"}


def test_shipped_zones_touch_but_do_not_overlap():
    # the placeholders were drawn edge to edge: zero shared area, every pair shares a border
    zones = load_zones(ZONES_FILE, overlap_tolerance_m2=0.0)
    for i, a in enumerate(zones):
        for b in zones[i + 1:]:
            assert a.geometry.touches(b.geometry), (a.code, b.code)


def test_to_feature_collection_round_trips():
    zones = load_zones(ZONES_FILE)
    out = to_feature_collection(zones)
    json.dumps(out)  # serialisable as is
    again, problems = validate_feature_collection(copy.deepcopy(out), source="api")
    assert problems == []
    assert [z.code for z in again] == [z.code for z in zones]
    assert all(a.geometry.equals(b.geometry) for a, b in zip(zones, again))
    first = out["features"][0]
    assert first["id"] == "xiangyi"
    assert first["properties"] == {
        "code": "xiangyi", "name": "香溢片区", "station": "station_xiangyi", "level": "zone",
        "parent": None, "name_en": "Xiangyi",
    }


def test_to_feature_collection_makes_exterior_rings_counter_clockwise():
    # RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise
    data = with_change(set_coords(0, [square(121.42, 31.25)[0][::-1]]))
    zones, _ = validate_feature_collection(data, source=SRC)
    ring = to_feature_collection(zones)["features"][0]["geometry"]["coordinates"][0]
    assert shapely.LinearRing(ring).is_ccw


def test_zone_is_frozen_and_hashable():
    zone = Zone("a", "A", None, "zone", None, {"code": "a"}, shapely.box(0, 0, 1, 1))
    with pytest.raises(AttributeError):
        zone.code = "b"
    assert {zone: 1}[zone] == 1


def test_problem_reads_file_key_reason():
    assert str(Problem("z.geojson", "features[0].properties.code", "missing")) == (
        "z.geojson: features[0].properties.code: missing"
    )
