"""Distances and areas in metres for WGS-84 lon/lat geometries at street scale.

Areas and nearest points use a local equirectangular projection centred on the place of interest
(x = R·Δλ·cos φ0, y = R·Δφ): within a few kilometres its error is far below a metre. Point-to-point
distances are haversine on a sphere of the mean Earth radius.

>>> round(haversine_m(121.43, 31.25, 121.43, 31.26))
1112
"""

import math

import numpy as np
import shapely

EARTH_RADIUS_M = 6371008.8
M_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180.0  # along a meridian, ~111.2 km
_BOX_SAFETY = 1.01  # widen degree boxes by 1 % so a box never misses a point it should hold


def haversine_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres between two lon/lat points (R = 6371008.8 m)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _haversine_np(lng1, lat1, lng2, lat2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lng2) - lng1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def to_local_metres(geometry, lng0: float, lat0: float):
    """Project a geometry (or array of them) to metres east/north of (lng0, lat0).

    >>> p = to_local_metres(shapely.Point(121.431, 31.25), 121.43, 31.25)
    >>> round(p.x), round(p.y)
    (95, 0)
    """
    scale = np.array([M_PER_DEGREE * math.cos(math.radians(lat0)), M_PER_DEGREE])
    origin = np.array([lng0, lat0])
    return shapely.transform(geometry, lambda xy: (xy - origin) * scale)


def area_m2(geometry) -> float:
    """Area in square metres of a lon/lat geometry, projected around its own centroid."""
    if geometry.is_empty:
        return 0.0
    c = geometry.centroid
    return float(to_local_metres(geometry, c.x, c.y).area)


def degree_box(lng: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    """A lon/lat box (minx, miny, maxx, maxy) holding every point within ``metres`` of (lng, lat).

    Safe (never too small) but not tight; clamped to the world. A box that would cross the
    antimeridian (or reach a pole) spans every longitude instead of wrapping.

    >>> box = degree_box(121.43, 31.25, 30.0)
    >>> round((box[3] - box[1]) / 2 * M_PER_DEGREE, 1)
    30.3
    >>> degree_box(-180.0, 0.0, 6.6e6)[::2]  # 121°E is nearer westward, across the antimeridian
    (-180.0, 180.0)
    """
    dlat = metres / M_PER_DEGREE * _BOX_SAFETY
    far_lat = min(90.0, abs(lat) + dlat)
    cos_far = math.cos(math.radians(far_lat))
    dlng = math.inf if cos_far < 1e-9 else dlat / cos_far
    if not -180.0 <= lng - dlng <= lng + dlng <= 180.0:
        return (-180.0, max(-90.0, lat - dlat), 180.0, min(90.0, lat + dlat))
    return (lng - dlng, max(-90.0, lat - dlat), lng + dlng, min(90.0, lat + dlat))


def distances_m(lng: float, lat: float, geometries) -> np.ndarray:
    """Metres from (lng, lat) to each geometry in an array: 0 when covered, else to its nearest point.

    The nearest point is found in a plane scaled by cos(lat) around the point (so east-west and
    north-south metres weigh the same), then measured with haversine.

    >>> sq = shapely.box(121.43, 31.25, 121.44, 31.26)
    >>> [round(d) for d in distances_m(121.4301, 31.255, [sq])]  # inside
    [0]
    >>> [round(d) for d in distances_m(121.4299, 31.255, [sq])]  # ~10 m west of it
    [10]
    """
    geometries = np.asarray(geometries, dtype=object)
    if geometries.size == 0:
        return np.empty(0)
    scale = np.array([max(math.cos(math.radians(lat)), 1e-12), 1.0])
    origin = np.array([lng, lat])
    scaled = shapely.transform(geometries, lambda xy: (xy - origin) * scale)
    lines = shapely.shortest_line(scaled, shapely.Point(0.0, 0.0))
    near = shapely.get_coordinates(lines).reshape(-1, 2, 2)[:, 0, :] / scale + origin
    return _haversine_np(lng, lat, near[:, 0], near[:, 1])


def distance_m(lng: float, lat: float, geometry) -> float:
    """Metres from (lng, lat) to one geometry (0 when the geometry covers the point)."""
    return float(distances_m(lng, lat, [geometry])[0])
