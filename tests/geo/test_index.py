"""Locating reports in zones: inside, on shared borders, GPS jitter just outside, out of area, nesting."""

import math
import random
from pathlib import Path

import pytest
import shapely

from geo.distance import M_PER_DEGREE, haversine_m
from geo.index import Location, ZoneIndex
from geo.zones import Zone, load_zones, validate_feature_collection

ZONES_FILE = Path(__file__).resolve().parents[2] / "config" / "zones.geojson"


@pytest.fixture(scope="module")
def zones():
    return load_zones(ZONES_FILE)


@pytest.fixture(scope="module")
def index(zones):
    return ZoneIndex(zones)


def by_code(zones):
    return {z.code: z for z in zones}


def offset(lng, lat, east_m, north_m):
    """The point east_m / north_m metres from (lng, lat)."""
    return (
        lng + east_m / (M_PER_DEGREE * math.cos(math.radians(lat))),
        lat + north_m / M_PER_DEGREE,
    )


# --- inside ----------------------------------------------------------------------------------------

# Literal points checked by hand against config/zones.geojson.
LITERAL_INSIDE = [
    (121.4300, 31.2550, "xiangyi"),  # middle of 香溢, west of the 中远 border at ~121.4338
    (121.4400, 31.2550, "zhongyuan"),  # middle of 中远两湾城
    (121.4350, 31.2640, "jiaoxi"),  # middle of 交西, north of the 121.4342,31.2595 – 121.445,31.2608 border
]


@pytest.mark.parametrize("lng, lat, code", LITERAL_INSIDE)
def test_literal_points_land_in_their_zone(index, lng, lat, code):
    assert index.locate(lng, lat) == Location(index.get(code), "inside", 0.0, (index.get(code),))


@pytest.mark.parametrize("code", ["xiangyi", "zhongyuan", "jiaoxi"])
def test_each_zone_interior_point_lands_in_that_zone(index, zones, code):
    # shapely's representative_point is guaranteed strictly inside the polygon
    p = by_code(zones)[code].geometry.representative_point()
    loc = index.locate(p.x, p.y)
    assert (loc.zone.code, loc.how, loc.distance_m, [z.code for z in loc.path]) == (code, "inside", 0.0, [code])


# --- shared borders ----------------------------------------------------------------------------------

# (point, zones that share it, the one it must resolve to: the smallest code among those covering it)
SHARED_VERTICES = [
    ((121.4342, 31.2595), {"xiangyi", "zhongyuan", "jiaoxi"}, "jiaoxi"),  # the one vertex all three share
    ((121.4335, 31.2505), {"xiangyi", "zhongyuan"}, "xiangyi"),  # south end of the 香溢|中远 border
    ((121.4245, 31.2578), {"xiangyi", "jiaoxi"}, "jiaoxi"),  # west end of the 香溢|交西 border
    ((121.4450, 31.2608), {"zhongyuan", "jiaoxi"}, "jiaoxi"),  # east end of the 中远|交西 border
]


@pytest.mark.parametrize("point, sharing, expected", SHARED_VERTICES)
def test_shared_vertex_resolves_to_one_zone_by_smallest_code(zones, index, point, sharing, expected):
    assert {z.code for z in zones if z.geometry.covers(shapely.Point(point))} == sharing
    assert index.locate(*point).zone.code == expected
    assert index.locate(*point).how == "inside"


def shared_edge_points(zones):
    """Points along every shared border (at 1/4, 1/2, 3/4 of it), with the pair of zones sharing it."""
    out = []
    for i, a in enumerate(zones):
        for b in zones[i + 1:]:
            border = a.geometry.intersection(b.geometry)
            if border.length > 0:
                for f in (0.25, 0.5, 0.75):
                    p = border.interpolate(f, normalized=True)
                    out.append(((p.x, p.y), {a.code, b.code}))
    return out


def test_points_on_shared_edges_resolve_to_exactly_one_zone_always_the_same(zones, index):
    points = shared_edge_points(zones)
    assert len(points) == 9  # three borders, three points each
    shuffled = list(zones)
    random.Random(7).shuffle(shuffled)
    other_order = ZoneIndex(reversed(shuffled))
    for point, pair in points:
        loc = index.locate(*point)
        # one of the two neighbours; a float on the border may be a hair inside one of them, so
        # "inside" or a sub-millimetre "tolerance" — never out of area, never a third zone
        assert loc.zone.code in pair
        assert loc.distance_m < 1e-3
        covering = {z.code for z in zones if z.geometry.covers(shapely.Point(point))}
        if covering:
            assert loc.zone.code == min(covering)
        # same answer every time, and whatever order the file lists the zones in
        assert all(index.locate(*point) == loc for _ in range(3))
        assert other_order.locate(*point).zone.code == loc.zone.code


# --- just outside, and out of area -----------------------------------------------------------------

def outer_edge(zones, code):
    """Midpoint of the zone's longest edge on the street's outer boundary, and the outward normal."""
    union = shapely.union_all([z.geometry for z in zones])
    zone = by_code(zones)[code]
    best = None
    coords = list(zone.geometry.exterior.coords)
    for (x1, y1), (x2, y2) in zip(coords, coords[1:]):
        mid = ((x1 + x2) / 2, (y1 + y2) / 2)
        if any(z.code != code and z.geometry.distance(shapely.Point(mid)) < 1e-9 for z in zones):
            continue  # a shared border, not the outside
        length = haversine_m(x1, y1, x2, y2)
        if best is None or length > best[0]:
            best = (length, mid, (x1, y1, x2, y2))
    _, mid, (x1, y1, x2, y2) = best
    east = (x2 - x1) * math.cos(math.radians(mid[1]))
    north = y2 - y1
    norm = math.hypot(east, north)
    normal = (north / norm, -east / norm)
    if union.covers(shapely.Point(offset(*mid, normal[0] * 5, normal[1] * 5))):
        normal = (-normal[0], -normal[1])
    return mid, normal


@pytest.mark.parametrize("code", ["xiangyi", "zhongyuan", "jiaoxi"])
@pytest.mark.parametrize(
    "metres, how, found",
    [
        (10.0, "tolerance", True),  # GPS jitter: the nearest zone, within 30 m
        (29.0, "tolerance", True),  # still within the 30 m tolerance
        (31.0, "outside", False),  # just beyond it: out of area
        (200.0, "outside", False),  # clearly out of area
    ],
)
def test_points_outside_the_street(zones, index, code, metres, how, found):
    mid, normal = outer_edge(zones, code)
    point = offset(*mid, normal[0] * metres, normal[1] * metres)
    loc = index.locate(*point)
    assert loc.how == how
    assert (loc.zone.code if found else loc.zone) == (code if found else None)
    assert loc.path == ((index.get(code),) if found else ())
    assert loc.distance_m == pytest.approx(metres, abs=0.05 + metres * 0.01)


@pytest.mark.parametrize(
    "lng, lat, code",
    [
        (121.4230, 31.2525, "xiangyi"),  # 香溢's west corner
        (121.4458, 31.2560, "zhongyuan"),  # 中远's east tip
        (121.4468, 31.2685, "jiaoxi"),  # 交西's north-east corner
    ],
)
def test_outer_boundary_vertices_are_inside(index, lng, lat, code):
    # covered_by semantics: a point exactly on the boundary belongs to the zone, distance 0
    assert index.locate(lng, lat) == Location(index.get(code), "inside", 0.0, (index.get(code),))


@pytest.mark.parametrize(
    "lng, lat, zone, how, metres",
    [
        (121.4229, 31.2525, "xiangyi", "tolerance", 9.5),  # ~10 m west of 香溢's west corner edge
        (121.4200, 31.2525, None, "outside", 285.2),  # ~285 m west of it
        (121.4459, 31.2560, "zhongyuan", "tolerance", 9.5),  # ~10 m east of 中远's east tip
        (121.4000, 31.2000, None, "outside", 6234.0),  # ~6 km south-west, elsewhere in Shanghai
    ],
)
def test_literal_points_outside(index, lng, lat, zone, how, metres):
    loc = index.locate(lng, lat)
    assert (loc.zone.code if loc.zone else None, loc.how) == (zone, how)
    assert loc.distance_m == pytest.approx(metres, rel=0.01)


def test_tolerance_is_configurable(zones):
    # 10 m outside: matched with the default 30 m, out of area with a 5 m tolerance, and 0 disables it
    assert ZoneIndex(zones).locate(121.4229, 31.2525).how == "tolerance"
    assert ZoneIndex(zones, tolerance_m=5.0).locate(121.4229, 31.2525).how == "outside"
    assert ZoneIndex(zones, tolerance_m=0.0).locate(121.4229, 31.2525).how == "outside"


def test_empty_index_puts_everything_out_of_area():
    assert ZoneIndex([]).locate(121.43, 31.25) == Location(None, "outside", math.inf, ())


@pytest.mark.parametrize("lng, lat", [(math.nan, 31.25), (121.43, math.inf)])
def test_non_finite_points_are_rejected(index, lng, lat):
    with pytest.raises(ValueError):
        index.locate(lng, lat)


def test_zones_and_get(zones, index):
    assert index.zones == tuple(zones)
    assert index.get("jiaoxi").name == "交西片区"
    assert index.get("nowhere") is None


def test_bad_zone_sets_are_refused(zones):
    # duplicate codes and unknown parents would make answers ambiguous or unreachable
    with pytest.raises(ValueError, match="duplicate"):
        ZoneIndex(list(zones) + [zones[0]])
    orphan = Zone("c1", "C1", None, "cell", "nowhere", {}, shapely.box(0, 0, 1, 1))
    with pytest.raises(ValueError, match="parent"):
        ZoneIndex(list(zones) + [orphan])


# --- nested areas ------------------------------------------------------------------------------------

def nested_collection(zones):
    """The real zones plus: 香溢 split into two cells at x = 121.43 (one with a block inside), and one
    cell covering only the western part of 交西 (so its east is a zone without a cell)."""
    z = by_code(zones)
    features = [
        {"type": "Feature", "properties": dict(zone.properties), "geometry": shapely.geometry.mapping(zone.geometry)}
        for zone in zones
    ]

    def add(code, geometry, parent, level):
        features.append({
            "type": "Feature",
            "properties": {"code": code, "name": code, "level": level, "parent": parent},
            "geometry": shapely.geometry.mapping(geometry),
        })

    xg = z["xiangyi"].geometry
    add("xiangyi-w", xg.intersection(shapely.box(121.0, 31.0, 121.43, 32.0)), "xiangyi", "cell")
    add("xiangyi-e", xg.intersection(shapely.box(121.43, 31.0, 122.0, 32.0)), "xiangyi", "cell")
    add("xiangyi-w-1", shapely.box(121.425, 31.253, 121.427, 31.255), "xiangyi-w", "block")
    add("jiaoxi-w", z["jiaoxi"].geometry.intersection(shapely.box(121.0, 31.0, 121.435, 32.0)), "jiaoxi", "cell")
    return {"type": "FeatureCollection", "features": features}


@pytest.fixture(scope="module")
def nested_index(zones):
    nested, problems = validate_feature_collection(nested_collection(zones), source="nested")
    assert problems == []  # cells overlap their zone (other level) but not each other
    return ZoneIndex(nested)


@pytest.mark.parametrize(
    "lng, lat, path",
    [
        (121.4280, 31.2560, ["xiangyi", "xiangyi-w"]),  # west cell of 香溢
        (121.4260, 31.2540, ["xiangyi", "xiangyi-w", "xiangyi-w-1"]),  # in the block inside it
        (121.4320, 31.2550, ["xiangyi", "xiangyi-e"]),  # east cell of 香溢
        (121.4300, 31.2550, ["xiangyi", "xiangyi-e"]),  # on the cell border: smallest code, "-e" < "-w"
        (121.4229, 31.2525, ["xiangyi", "xiangyi-w"]),  # ~10 m outside 香溢: tolerance, then its cell
        (121.4340, 31.2640, ["jiaoxi", "jiaoxi-w"]),  # western 交西, in its cell
        (121.4352, 31.2640, ["jiaoxi", "jiaoxi-w"]),  # ~19 m east of that cell: tolerance within 交西
        (121.4420, 31.2650, ["jiaoxi"]),  # eastern 交西, far from any cell: the path stops at the zone
        (121.4400, 31.2550, ["zhongyuan"]),  # a zone with no cells at all
        (121.4200, 31.2525, []),  # out of area: empty path
    ],
)
def test_nested_path_goes_zone_to_cell(nested_index, lng, lat, path):
    loc = nested_index.locate(lng, lat)
    assert [z.code for z in loc.path] == path
    assert (loc.zone.code if loc.zone else None) == (path[0] if path else None)


def test_nested_levels_need_no_code_change(nested_index):
    cell = nested_index.get("xiangyi-w")
    assert (cell.level, cell.parent) == ("cell", "xiangyi")
    assert nested_index.get("xiangyi-w-1").level == "block"


# --- 10,000 polygons ------------------------------------------------------------------------------

ROWS = COLS = 100
SIZE = 0.001  # ~95 m × 111 m cells
X0, Y0 = 121.38, 31.21


def grid_collection():
    """A 100 × 100 grid of square cells, codes r{row:03d}c{col:03d}."""
    xs = [X0 + i * SIZE for i in range(COLS + 1)]
    ys = [Y0 + j * SIZE for j in range(ROWS + 1)]
    features = []
    for r in range(ROWS):
        for c in range(COLS):
            ring = [[xs[c], ys[r]], [xs[c + 1], ys[r]], [xs[c + 1], ys[r + 1]], [xs[c], ys[r + 1]], [xs[c], ys[r]]]
            features.append({
                "type": "Feature",
                "properties": {"code": f"r{r:03d}c{c:03d}", "name": f"cell {r},{c}"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            })
    return {"type": "FeatureCollection", "features": features}, xs, ys


@pytest.fixture(scope="module")
def grid():
    data, xs, ys = grid_collection()
    cells, problems = validate_feature_collection(data, source="grid")
    assert problems == [] and len(cells) == ROWS * COLS  # 10,000 touching cells: no overlaps
    return ZoneIndex(cells), xs, ys


def test_grid_cell_centres_land_in_their_cell(grid):
    index, xs, ys = grid
    rng = random.Random(42)
    for _ in range(2000):
        r, c = rng.randrange(ROWS), rng.randrange(COLS)
        loc = index.locate((xs[c] + xs[c + 1]) / 2, (ys[r] + ys[r + 1]) / 2)
        assert (loc.zone.code, loc.how) == (f"r{r:03d}c{c:03d}", "inside")


def test_grid_corners_go_to_the_smallest_code_of_the_four_cells(grid):
    index, xs, ys = grid
    rng = random.Random(43)
    for _ in range(500):
        r, c = rng.randrange(1, ROWS), rng.randrange(1, COLS)
        # the vertex shared by cells (r-1, c-1), (r-1, c), (r, c-1), (r, c)
        assert index.locate(xs[c], ys[r]).zone.code == f"r{r - 1:03d}c{c - 1:03d}"


@pytest.mark.parametrize(
    "side, metres, code, how",
    [
        ("west", 10.0, "r050c000", "tolerance"),  # 10 m west of the grid, beside row 50
        ("south", 25.0, "r000c050", "tolerance"),  # 25 m south of the grid, below column 50
        ("west", 100.0, None, "outside"),  # 100 m west: out of area
    ],
)
def test_grid_edges_use_the_tolerance(grid, side, metres, code, how):
    index, xs, ys = grid
    if side == "west":  # beside the middle of row 50
        point = offset(xs[0], (ys[50] + ys[51]) / 2, -metres, 0.0)
    else:  # below the middle of column 50
        point = offset((xs[50] + xs[51]) / 2, ys[0], 0.0, -metres)
    loc = index.locate(*point)
    assert (loc.zone.code if loc.zone else None, loc.how) == (code, how)
    assert loc.distance_m == pytest.approx(metres, rel=0.01)
