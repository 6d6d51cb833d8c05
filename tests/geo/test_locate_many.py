"""ZoneIndex.locate_many: the same answers as locate, point by point, for many points at once."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo.crs import to_wgs84, wgs84_to_bd09, wgs84_to_gcj02
from geo.index import ZoneIndex
from geo.zones import Zone

CELL = 0.002  # degrees, ~190 m × 220 m


def _grid() -> ZoneIndex:
    """Two zones side by side, each split into 3 × 3 cells, one cell of "a" split again (three levels);
    a gap in the grid ("b"'s middle cell missing) and a shared edge between the zones."""
    zones = []
    for z, x0 in (("a", 121.420), ("b", 121.426)):
        zones.append(Zone(z, z, None, "zone", None, {}, shapely.box(x0, 31.250, x0 + 3 * CELL, 31.250 + 3 * CELL)))
        for i in range(3):
            for j in range(3):
                if z == "b" and (i, j) == (1, 1):
                    continue
                box = shapely.box(x0 + i * CELL, 31.250 + j * CELL, x0 + (i + 1) * CELL, 31.250 + (j + 1) * CELL)
                zones.append(Zone(f"{z}{i}{j}", f"{z}{i}{j}", None, "grid", z, {}, box))
    x0, y0 = 121.420, 31.250
    for k, (dx, dy) in enumerate(((0, 0), (1, 0), (0, 1), (1, 1))):
        half = CELL / 2
        zones.append(Zone(f"a00{k}", f"a00{k}", None, "cell", "a00", {},
                          shapely.box(x0 + dx * half, y0 + dy * half, x0 + (dx + 1) * half, y0 + (dy + 1) * half)))
    return ZoneIndex(zones, tolerance_m=30.0)


def _same(one, many, *, metres: float = 1e-6) -> bool:
    """Same zone, match, path, and distance within `metres`."""
    return ((one.zone.code if one.zone else None, one.how, tuple(z.code for z in one.path))
            == (many.zone.code if many.zone else None, many.how, tuple(z.code for z in many.path))
            and abs(one.distance_m - many.distance_m) <= metres)


def test_random_points_get_the_answers_of_locate():
    index = _grid()
    rng = np.random.default_rng(7)
    # inside, on the edges and vertices (snapped to the grid), within 30 m of the outline, far outside
    lngs = rng.uniform(121.4195, 121.4325, 3000)
    lats = rng.uniform(31.2495, 31.2565, 3000)
    snapped = rng.random(3000) < 0.1
    lngs[snapped] = np.round(lngs[snapped] / (CELL / 2)) * (CELL / 2)
    lats[snapped] = np.round(lats[snapped] / (CELL / 2)) * (CELL / 2)
    many = index.locate_many(lngs, lats)
    hows = {loc.how for loc in many}
    assert hows == {"inside", "tolerance", "outside"}  # every case is exercised
    assert any(len(loc.path) == 3 for loc in many)  # and the third level
    mismatches = [i for i, loc in enumerate(many) if not _same(index.locate(lngs[i], lats[i]), loc)]
    assert mismatches == []


@pytest.mark.parametrize("crs, forward", [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_points_in_map_coordinates_are_converted_like_locate_does(crs, forward):
    index = _grid()
    rng = np.random.default_rng(3)
    sent = [forward(x, y) for x, y in zip(rng.uniform(121.4195, 121.4325, 300), rng.uniform(31.2495, 31.2565, 300))]
    many = index.locate_many([p[0] for p in sent], [p[1] for p in sent], crs)
    # numpy's conversion agrees with the scalar one to ~1e-10° (~0.01 mm)
    assert all(_same(index.locate(*to_wgs84(x, y, crs)), loc, metres=1e-3) for (x, y), loc in zip(sent, many))


def test_no_points_and_bad_input():
    index = _grid()
    assert index.locate_many([], []) == []
    with pytest.raises(ValueError, match="finite"):
        index.locate_many([121.42, float("nan")], [31.25, 31.25])
    with pytest.raises(ValueError, match="unknown crs"):
        index.locate_many([121.42], [31.25], "epsg3857")


def test_locate_and_locate_many_agree_with_a_brute_force_scan_on_irregular_shapes():
    """Overlapping, non-rectangular zones of very different sizes (a big one spans many buckets of the
    index's grid): a covered point goes to the smallest code covering it, edges and vertices included,
    one point at a time and in bulk; points outside every zone get the same answer both ways."""
    rng = np.random.default_rng(11)
    zones = [Zone("big", "big", None, "zone", None, {}, shapely.Polygon(
        [(121.40, 31.24), (121.46, 31.24), (121.46, 31.28), (121.43, 31.26), (121.40, 31.28)]))]
    for k in range(300):
        x, y = rng.uniform(121.40, 121.46), rng.uniform(31.24, 31.28)
        zones.append(Zone(f"t{k:03d}", f"t{k:03d}", None, "zone", None, {},
                          shapely.Polygon([(x, y), (x + 0.002, y), (x, y + 0.0015)])))
    index = ZoneIndex(zones, tolerance_m=30.0)
    corners = np.array([c for z in zones for c in z.geometry.exterior.coords])
    lngs = np.concatenate([rng.uniform(121.395, 121.465, 1500), corners[:, 0],
                           (corners[:-1, 0] + corners[1:, 0]) / 2])
    lats = np.concatenate([rng.uniform(31.235, 31.285, 1500), corners[:, 1],
                           (corners[:-1, 1] + corners[1:, 1]) / 2])
    ordered = sorted(zones, key=lambda z: z.code)
    many = index.locate_many(lngs, lats)
    # the brute force: every zone's covers for every point (one matrix, zones by code × points)
    covers = shapely.covers(np.array([z.geometry for z in ordered], dtype=object)[:, np.newaxis],
                            shapely.points(lngs, lats)[np.newaxis, :])
    for i, (lng, lat) in enumerate(zip(lngs.tolist(), lats.tolist())):
        one = index.locate(lng, lat)
        hits = [ordered[k].code for k in np.flatnonzero(covers[:, i])]
        if hits:
            assert (one.how, one.zone.code) == ("inside", hits[0]), (lng, lat)
        else:
            assert one.how != "inside", (lng, lat)
        assert _same(one, many[i]), (lng, lat)
