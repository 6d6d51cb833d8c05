"""Find the zone (and nested areas) a WGS-84 point belongs to, with a GPS-jitter tolerance.

One immutable shapely ``STRtree`` per set of siblings (the top-level zones, and the children of each
area that has any). Trees hold geometries in a parallel array sorted by code, so a tree index maps
straight back to a zone, and "smallest index" means "smallest code".

Rules, applied at the top level and again inside each matched area:

1. covered: a zone that covers the point (``covers``, so a point on a boundary counts). A point on
   a shared edge or vertex is covered by several zones; it goes to the one whose ``code`` sorts
   first — deterministic, and independent of file order.
2. tolerance: otherwise, the nearest zone if it is within ``tolerance_m`` true metres (ties again
   to the smallest code). Candidates come from the tree, queried with a degree box that safely
   holds the tolerance circle.
3. outside: otherwise no zone, with the distance to the nearest one (top level only).

>>> from geo.zones import Zone
>>> sq = lambda x0: shapely.box(x0, 31.25, x0 + 0.01, 31.26)
>>> index = ZoneIndex([Zone("b", "B", None, "zone", None, {}, sq(121.43)),
...                    Zone("a", "A", None, "zone", None, {}, sq(121.42))])
>>> index.locate(121.43, 31.255).zone.code  # on the shared edge: smallest code wins
'a'
>>> loc = index.locate(121.4401, 31.255)  # ~10 m east of "b"
>>> loc.zone.code, loc.how, round(loc.distance_m)
('b', 'tolerance', 10)
>>> index.locate(121.45, 31.255).how
'outside'
>>> [loc.how for loc in index.locate_many([121.425, 121.4401, 121.45], [31.255] * 3)]
['inside', 'tolerance', 'outside']
"""

import math
from dataclasses import dataclass

import numpy as np
import shapely

from geo.crs import to_wgs84_many
from geo.distance import degree_box, distances_m
from geo.zones import Zone


@dataclass(frozen=True)
class Location:
    """Where a point fell: the top-level zone, how it was matched, and the nested path."""

    zone: Zone | None
    how: str  # "inside" | "tolerance" | "outside"
    distance_m: float  # 0 when inside; metres to the nearest zone otherwise
    path: tuple[Zone, ...] = ()  # top level first, down to the finest nested match


class _Siblings:
    """Areas sharing one parent, sorted by code, with an STRtree over their geometries, and a bucket grid
    of their bounding boxes for one point at a time."""

    def __init__(self, zones):
        self.zones = tuple(sorted(zones, key=lambda z: z.code))
        self.geometries = np.array([z.geometry for z in self.zones], dtype=object)
        shapely.prepare(self.geometries)
        self.tree = shapely.STRtree(self.geometries)
        self._grid = _Grid(shapely.bounds(self.geometries)) if self.zones else None

    def covering(self, lng: float, lat: float) -> int | None:
        """The index (= smallest code) of the area covering the point, or None — ``covers``, exactly as the
        tree's query decides it. Pure Python down to one GEOS call per area whose box holds the point: the
        grid gives the areas in code order; ``contains_xy`` (no Point made) accepts an interior point, and
        only a point on an outline (or in a box but outside its area) is tested with ``covers``."""
        if self._grid is None:
            return None
        point = None
        geometries = self.geometries
        for i in self._grid.candidates(lng, lat):
            if _contains_xy(geometries[i], lng, lat):
                return i
            if point is None:
                point = shapely.Point(lng, lat)
            if _covers(geometries[i], point):
                return i
        return None


_contains_xy = shapely.lib.contains_xy  # the ufuncs themselves: no wrapper, no array for one geometry
_covers = shapely.lib.covers
_GRID_MAX = 1024  # buckets per side at most


class _Grid:
    """A uniform grid over the areas' bounding boxes: bucket → the areas whose box meets it, in index order.

    A point's bucket and a box's buckets come from the same monotonic formula, so an area whose box holds
    the point (edges included) is always listed in the point's bucket."""

    def __init__(self, bounds: np.ndarray):
        self.bounds = bounds.tolist()
        ids = np.flatnonzero(np.isfinite(bounds).all(axis=1))  # an empty geometry covers nothing
        known = bounds[ids] if ids.size else np.zeros((1, 4))
        x0, y0 = float(known[:, 0].min()), float(known[:, 1].min())
        x1, y1 = float(known[:, 2].max()), float(known[:, 3].max())
        side = max(1, min(_GRID_MAX, math.ceil(math.sqrt(len(bounds)))))
        self.x0, self.y0, self.nx, self.ny = x0, y0, side, side
        self.kx = side / (x1 - x0) if x1 > x0 else 0.0
        self.ky = side / (y1 - y0) if y1 > y0 else 0.0
        ix0, iy0 = self._buckets(bounds[ids, 0], bounds[ids, 1])
        ix1, iy1 = self._buckets(bounds[ids, 2], bounds[ids, 3])
        # every (bucket, area) pair, enumerated with numpy: area k covers (ix1-ix0+1) × (iy1-iy0+1) buckets
        wide, high = ix1 - ix0 + 1, iy1 - iy0 + 1
        counts = wide * high
        owner = np.repeat(np.arange(len(ids)), counts)
        offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        keys = (iy0[owner] + offset // wide[owner]) * side + ix0[owner] + offset % wide[owner]
        order = np.lexsort((ids[owner], keys))  # by bucket, then area index
        keys, areas = keys[order], ids[owner][order]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        areas_list = areas.tolist()
        ends = np.r_[starts[1:], len(keys)].tolist()
        self.buckets = {key: tuple(areas_list[a:b]) for key, a, b in zip(keys[starts].tolist(), starts.tolist(), ends)}

    def _buckets(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``_bucket`` for arrays (the same float operations, so the same buckets)."""
        ix = np.clip(np.trunc((xs - self.x0) * self.kx), 0, self.nx - 1).astype(np.int64)
        iy = np.clip(np.trunc((ys - self.y0) * self.ky), 0, self.ny - 1).astype(np.int64)
        return ix, iy

    def _bucket(self, x: float, y: float) -> tuple[int, int]:
        ix = min(self.nx - 1, max(0, int((x - self.x0) * self.kx)))
        iy = min(self.ny - 1, max(0, int((y - self.y0) * self.ky)))
        return ix, iy

    def candidates(self, x: float, y: float):
        """The areas whose bounding box holds (x, y), in index order."""
        ix, iy = self._bucket(x, y)
        bounds = self.bounds
        for i in self.buckets.get(iy * self.nx + ix, ()):
            minx, miny, maxx, maxy = bounds[i]
            if minx <= x <= maxx and miny <= y <= maxy:
                yield i


class ZoneIndex:
    """Immutable spatial index over zones and their nested areas; see the module doc for the rules."""

    def __init__(self, zones, *, tolerance_m: float = 30.0):
        self._zones = tuple(zones)
        self._by_code = {}
        for zone in self._zones:
            if zone.code in self._by_code:
                raise ValueError(f"duplicate zone code {zone.code!r}")
            self._by_code[zone.code] = zone
        children: dict[str | None, list[Zone]] = {}
        for zone in self._zones:
            if zone.parent is not None and zone.parent not in self._by_code:
                raise ValueError(f"zone {zone.code!r} names unknown parent {zone.parent!r}")
            children.setdefault(zone.parent, []).append(zone)
        self._top = _Siblings(children.pop(None, []))
        self._children = {code: _Siblings(kids) for code, kids in children.items()}
        self._tolerance_m = float(tolerance_m)
        self._leaf: dict[str, Location] = {}  # the Locations of covered points, shared (they are immutable)
        self._nested: dict[tuple[str, ...], Location] = {}  # by the path's codes
        self._leaf_array: np.ndarray | None = None

    @property
    def zones(self) -> tuple[Zone, ...]:
        """Every zone and nested area, in the order given."""
        return self._zones

    @property
    def tolerance_m(self) -> float:
        """How far outside every zone (metres) a point may be and still be matched."""
        return self._tolerance_m

    def get(self, code: str) -> Zone | None:
        """The zone or nested area with this code, or None."""
        return self._by_code.get(code)

    def locate(self, lng: float, lat: float) -> Location:
        """Locate a WGS-84 point: top-level zone, how it matched, distance, and nested path."""
        lng, lat = float(lng), float(lat)
        if not (math.isfinite(lng) and math.isfinite(lat)):
            raise ValueError(f"not a finite coordinate: ({lng}, {lat})")
        top = self._top.covering(lng, lat)
        if top is not None:  # the usual case: covered, found without making a Point
            return self._inside(self._top.zones[top], lng, lat)
        point = shapely.Point(lng, lat)
        zone, how, distance = self._match(self._top, point, lng, lat, want_distance=True)
        if zone is None:
            return Location(None, "outside", distance, ())
        path = self._path(zone, lng, lat)
        return Location(zone, how, distance, path)

    def _path(self, zone: Zone, lng: float, lat: float) -> tuple[Zone, ...]:
        """`zone` and, level by level, the nested area matching the point (covered, else within tolerance)."""
        path = [zone]
        point = None
        while (siblings := self._children.get(path[-1].code)) is not None:
            found = siblings.covering(lng, lat)
            if found is not None:
                path.append(siblings.zones[found])
                continue
            if point is None:
                point = shapely.Point(lng, lat)
            child, _, _ = self._match(siblings, point, lng, lat, want_distance=False)
            if child is None:
                break
            path.append(child)
        return tuple(path)

    def _inside(self, zone: Zone, lng: float, lat: float) -> Location:
        """The Location of a point covered by top-level `zone` (one shared, immutable object per path)."""
        if zone.code not in self._children:
            return self._leaf_location(zone)
        return self._nested_location(self._path(zone, lng, lat))

    def locate_many(self, lngs, lats, crs: str = "wgs84") -> list[Location]:
        """``locate`` for many points at once (each in `crs`, converted with numpy): the same answers.

        Covered points are found by one bulk STRtree query per set of siblings (the top level, then each
        area's children for the points it holds), the smallest code per point picked with numpy; the
        points covered by no area go through ``locate``'s tolerance and distance rules one by one. Points
        with the same path share one (immutable) Location.
        """
        lngs, lats = to_wgs84_many(lngs, lats, crs)
        if lngs.shape != lats.shape or lngs.ndim != 1:
            raise ValueError("lngs and lats must be two sequences of the same length")
        if not (np.isfinite(lngs).all() and np.isfinite(lats).all()):
            bad = int(np.flatnonzero(~(np.isfinite(lngs) & np.isfinite(lats)))[0])
            raise ValueError(f"not a finite coordinate: ({lngs[bad]}, {lats[bad]})")
        if not len(lngs):
            return []
        points = shapely.points(lngs, lats)
        top = self._top
        covered = _smallest_covering(top, points)  # index into top.zones, -1: none
        found: list[Location | None] = self._leaves()[covered].tolist()  # -1: the last slot, None
        paths = {i: [top.zones[covered[i]]] for i in np.flatnonzero(covered >= 0).tolist() if found[i] is None}
        pending = list(paths)
        while pending:  # covered by an area with nested areas: one bulk query per area, level by level
            by_parent: dict[str, list[int]] = {}
            for i in pending:
                code = paths[i][-1].code
                if code in self._children:
                    by_parent.setdefault(code, []).append(i)
            pending = []
            for code, members in by_parent.items():
                siblings = self._children[code]
                inside = _smallest_covering(siblings, points[np.array(members)])
                for i, child in zip(members, inside.tolist()):
                    if child >= 0:
                        zone = siblings.zones[child]
                    else:  # not covered: the tolerance rule, as locate applies it
                        zone, _, _ = self._match(siblings, points[i], float(lngs[i]), float(lats[i]),
                                                 want_distance=False)
                    if zone is not None:
                        paths[i].append(zone)
                        pending.append(i)
        for i, path in paths.items():
            found[i] = self._nested_location(tuple(path))
        for i in np.flatnonzero(covered < 0).tolist():  # tolerance or outside: the scalar rules
            found[i] = self.locate(lngs[i], lats[i])
        return found

    def _leaves(self) -> np.ndarray:
        """Each top-level zone's Location of a covered point (None for a zone with nested areas), and a last
        None for "not covered": an object array made at the first ``locate_many``, kept with the index."""
        if self._leaf_array is None:
            leaves = np.empty(len(self._top.zones) + 1, dtype=object)
            leaves[:-1] = [None if zone.code in self._children else self._leaf_location(zone)
                           for zone in self._top.zones]
            self._leaf_array = leaves
        return self._leaf_array

    def _leaf_location(self, zone: Zone) -> Location:
        found = self._leaf.get(zone.code)
        if found is None:
            found = self._leaf[zone.code] = Location(zone, "inside", 0.0, (zone,))
        return found

    def _nested_location(self, path: tuple[Zone, ...]) -> Location:
        key = tuple(z.code for z in path)
        found = self._nested.get(key)
        if found is None:
            found = self._nested[key] = Location(path[0], "inside", 0.0, path)
        return found

    def _match(self, siblings: _Siblings, point, lng, lat, *, want_distance: bool):
        candidates = siblings.tree.query(point)
        if candidates.size:
            hits = candidates[shapely.covers(siblings.geometries[candidates], point)]
            if hits.size:
                return siblings.zones[hits.min()], "inside", 0.0
        if self._tolerance_m > 0:
            candidates = siblings.tree.query(shapely.box(*degree_box(lng, lat, self._tolerance_m)))
            if candidates.size:
                metres = distances_m(lng, lat, siblings.geometries[candidates])
                best = np.lexsort((candidates, metres))[0]  # nearest, then smallest code
                if metres[best] <= self._tolerance_m:
                    return siblings.zones[candidates[best]], "tolerance", float(metres[best])
        distance = self._nearest_m(siblings, point, lng, lat) if want_distance else math.inf
        return None, "outside", distance

    @staticmethod
    def _nearest_m(siblings: _Siblings, point, lng, lat) -> float:
        if not siblings.zones:
            return math.inf
        # Nearest in degrees is only a first guess (a degree of longitude is shorter than one of
        # latitude); every zone that could be nearer in metres lies inside the box of that radius.
        guess = distances_m(lng, lat, siblings.geometries[siblings.tree.query_nearest(point)]).min()
        candidates = siblings.tree.query(shapely.box(*degree_box(lng, lat, guess)))
        return float(distances_m(lng, lat, siblings.geometries[candidates]).min())


def _smallest_covering(siblings: _Siblings, points) -> np.ndarray:
    """For each of `points`, the index (= smallest code) of the area of `siblings` covering it, -1 for none:
    one bulk query, the smallest per point picked by numpy."""
    best = np.full(len(points), -1, dtype=np.intp)
    if not siblings.zones or not len(points):
        return best
    which, tree = siblings.tree.query(points, predicate="covered_by")
    if not which.size:
        return best
    if not (which[1:] >= which[:-1]).all():  # GEOS answers point by point; if it ever does not, sort
        order = np.argsort(which, kind="stable")
        which, tree = which[order], tree[order]
    starts = np.flatnonzero(np.r_[True, which[1:] != which[:-1]])
    best[which[starts]] = np.minimum.reduceat(tree, starts)  # the smallest index (= smallest code) per point
    return best
