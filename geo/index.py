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
    """Areas sharing one parent, sorted by code, with an STRtree over their geometries."""

    def __init__(self, zones):
        self.zones = tuple(sorted(zones, key=lambda z: z.code))
        self.geometries = np.array([z.geometry for z in self.zones], dtype=object)
        shapely.prepare(self.geometries)
        self.tree = shapely.STRtree(self.geometries)


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
        point = shapely.Point(lng, lat)
        zone, how, distance = self._match(self._top, point, lng, lat, want_distance=True)
        if zone is None:
            return Location(None, "outside", distance, ())
        path = [zone]
        while (siblings := self._children.get(path[-1].code)) is not None:
            child, _, _ = self._match(siblings, point, lng, lat, want_distance=False)
            if child is None:
                break
            path.append(child)
        return Location(zone, how, distance, tuple(path))

    def locate_many(self, lngs, lats, crs: str = "wgs84") -> list[Location]:
        """``locate`` for many points at once (each in `crs`, converted with numpy): the same answers.

        Covered points are found by one bulk STRtree query per set of siblings (the top level, then each
        area's children for the points it holds); only points covered by no area go through ``locate``'s
        tolerance and distance rules one by one.
        """
        lngs, lats = to_wgs84_many(lngs, lats, crs)
        if lngs.shape != lats.shape or lngs.ndim != 1:
            raise ValueError("lngs and lats must be two sequences of the same length")
        if not (np.isfinite(lngs).all() and np.isfinite(lats).all()):
            bad = int(np.flatnonzero(~(np.isfinite(lngs) & np.isfinite(lats)))[0])
            raise ValueError(f"not a finite coordinate: ({lngs[bad]}, {lats[bad]})")
        points = shapely.points(lngs, lats)
        found: list[Location | None] = [None] * len(points)
        paths: dict[int, list[Zone]] = {}
        hits = self._covered(self._top, points, np.arange(len(points)))
        for i in range(len(points)):
            if i in hits:
                paths[i] = [hits[i]]
            else:  # tolerance or outside: the scalar rules
                found[i] = self.locate(lngs[i], lats[i])
        pending = dict(paths)
        while pending:  # one level down for every point whose last area has children
            by_parent: dict[str, list[int]] = {}
            for i, path in pending.items():
                if path[-1].code in self._children:
                    by_parent.setdefault(path[-1].code, []).append(i)
            pending = {}
            for code, members in by_parent.items():
                siblings = self._children[code]
                members = np.array(members)
                inside = self._covered(siblings, points[members], members)
                for i in members.tolist():
                    child = inside.get(i)
                    if child is None:
                        child, _, _ = self._match(siblings, points[i], float(lngs[i]), float(lats[i]),
                                                  want_distance=False)
                    if child is not None:
                        paths[i].append(child)
                        pending[i] = paths[i]
        for i, path in paths.items():
            found[i] = Location(path[0], "inside", 0.0, tuple(path))
        return found

    @staticmethod
    def _covered(siblings: _Siblings, points, ids: np.ndarray) -> dict[int, Zone]:
        """id → the area (smallest code) covering each of `points`, by one bulk query; uncovered ids absent."""
        if not siblings.zones or not len(points):
            return {}
        which, tree = siblings.tree.query(points, predicate="covered_by")
        if not which.size:
            return {}
        order = np.lexsort((tree, which))  # by point, then smallest index (= smallest code) first
        which, tree = which[order], tree[order]
        first = np.flatnonzero(np.r_[True, which[1:] != which[:-1]])
        return {int(ids[w]): siblings.zones[t] for w, t in zip(which[first], tree[first])}

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
