"""Coordinate systems phones send: WGS-84, GCJ-02 (高德/腾讯/微信), BD-09 (百度), CGCS2000 (天地图).

GCJ-02 is WGS-84 plus a published, deliberately non-invertible offset (~480 m at 宜川); BD-09 is
GCJ-02 with a further rotation and shift (~930 m more). The forward formulas are the widely used
ones (e.g. wandergis/coordtransform); the inverses are solved iteratively to better than 1e-6°.
Outside China's bounding box GCJ-02 is WGS-84 (the usual ``out_of_china`` rule). CGCS2000 differs
from WGS-84 by centimetres and is taken as WGS-84.

>>> lng, lat = wgs84_to_gcj02(121.43, 31.255)
>>> round(lng, 4), round(lat, 4)
(121.4346, 31.2532)
>>> back = gcj02_to_wgs84(lng, lat)
>>> abs(back[0] - 121.43) < 1e-6 and abs(back[1] - 31.255) < 1e-6
True
"""

import math

import numpy as np

SUPPORTED_CRS = ("wgs84", "gcj02", "bd09", "cgcs2000")

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
_INVERSE_EPS = 1e-9  # degrees; stop iterating well below the promised 1e-6
_INVERSE_MAX_ITER = 30
# gcj02_to_wgs84 stops once a correction it applied was below this (degrees): the fixed point converges by a
# factor of ~1/150 per step over China, so the error left is then below ~1e-9° (0.1 mm) — three offsets
# computed for most points instead of four or five
_STEP_EPS = 1e-7


def out_of_china(lng: float, lat: float) -> bool:
    """True when (lng, lat) is outside the box where GCJ-02 applies (there GCJ-02 == WGS-84)."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x, y, m=math):
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * m.sqrt(abs(x))
    ret += (20.0 * m.sin(6.0 * x * math.pi) + 20.0 * m.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * m.sin(y * math.pi) + 40.0 * m.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * m.sin(y / 12.0 * math.pi) + 320.0 * m.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x, y, m=math):
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * m.sqrt(abs(x))
    ret += (20.0 * m.sin(6.0 * x * math.pi) + 20.0 * m.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * m.sin(x * math.pi) + 40.0 * m.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * m.sin(x / 12.0 * math.pi) + 300.0 * m.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """WGS-84 → GCJ-02 (the standard forward formula)."""
    lng, lat = float(lng), float(lat)
    if out_of_china(lng, lat):
        return lng, lat
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → WGS-84, inverted iteratively to < 1e-6° (no closed form exists).

    A fixed-point iteration p ← p − (wgs84_to_gcj02(p) − target) (the offset varies slowly), the forward
    formula written out in the loop with the math functions bound locally (the same operations in the same
    order), stopping at ``_STEP_EPS``: every report in GCJ-02 pays for it."""
    lng, lat = float(lng), float(lat)
    if out_of_china(lng, lat):
        return lng, lat
    sin, cos, sqrt, pi = math.sin, math.cos, math.sqrt, math.pi
    a, ee = _A, _EE
    px, py = lng, lat
    for _ in range(_INVERSE_MAX_ITER):
        if 72.004 <= px <= 137.8347 and 0.8293 <= py <= 55.8271:
            x, y = px - 105.0, py - 35.0
            dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(abs(x))
            dlat += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
            dlat += (20.0 * sin(y * pi) + 40.0 * sin(y / 3.0 * pi)) * 2.0 / 3.0
            dlat += (160.0 * sin(y / 12.0 * pi) + 320.0 * sin(y * pi / 30.0)) * 2.0 / 3.0
            dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(abs(x))
            dlng += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
            dlng += (20.0 * sin(x * pi) + 40.0 * sin(x / 3.0 * pi)) * 2.0 / 3.0
            dlng += (150.0 * sin(x / 12.0 * pi) + 300.0 * sin(x / 30.0 * pi)) * 2.0 / 3.0
            radlat = py / 180.0 * pi
            magic = 1.0 - ee * sin(radlat) ** 2
            sqrtmagic = sqrt(magic)
            dlat = (dlat * 180.0) / ((a * (1.0 - ee)) / (magic * sqrtmagic) * pi)
            dlng = (dlng * 180.0) / (a / sqrtmagic * cos(radlat) * pi)
            fx, fy = px + dlng, py + dlat
        else:
            fx, fy = px, py
        dx, dy = fx - lng, fy - lat
        px, py = px - dx, py - dy
        if abs(dx) < _STEP_EPS and abs(dy) < _STEP_EPS:
            break
    return px, py


def gcj02_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → BD-09 (Baidu's published forward formula)."""
    lng, lat = float(lng), float(lat)
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def _bd09_to_gcj02_approx(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def bd09_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """BD-09 → GCJ-02: the usual closed-form inverse, polished iteratively to < 1e-6°."""
    lng, lat = float(lng), float(lat)
    px, py = _bd09_to_gcj02_approx(lng, lat)
    for _ in range(_INVERSE_MAX_ITER):
        fx, fy = gcj02_to_bd09(px, py)
        dx, dy = fx - lng, fy - lat
        if abs(dx) < _INVERSE_EPS and abs(dy) < _INVERSE_EPS:
            break
        px, py = px - dx, py - dy
    return px, py


def wgs84_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    """WGS-84 → BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """BD-09 → WGS-84 (through GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


_TO_WGS84 = {
    "wgs84": lambda lng, lat: (float(lng), float(lat)),
    "cgcs2000": lambda lng, lat: (float(lng), float(lat)),
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}


def to_wgs84(lng: float, lat: float, crs: str) -> tuple[float, float]:
    """Convert a (lng, lat) pair in ``crs`` (one of SUPPORTED_CRS) to WGS-84; ValueError otherwise."""
    try:
        convert = _TO_WGS84[crs]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown crs {crs!r}; expected one of {', '.join(SUPPORTED_CRS)}"
        ) from None
    return convert(lng, lat)


# --- many points at once (numpy): the same formulas, element-wise -----------------------------------------


def _wgs84_to_gcj02_np(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dlat = _transform_lat(lng - 105.0, lat - 35.0, np)
    dlng = _transform_lng(lng - 105.0, lat - 35.0, np)
    radlat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * np.cos(radlat) * math.pi)
    inside = ~_out_of_china_np(lng, lat)
    return np.where(inside, lng + dlng, lng), np.where(inside, lat + dlat, lat)


def _out_of_china_np(lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return ~((72.004 <= lng) & (lng <= 137.8347) & (0.8293 <= lat) & (lat <= 55.8271))


def _gcj02_to_bd09_np(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.sqrt(lng * lng + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lng) + 0.000003 * np.cos(lng * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _solve_np(forward, x: np.ndarray, y: np.ndarray, px: np.ndarray, py: np.ndarray):
    """Fixed-point iteration of forward(p) == (x, y) for every point, until all are within _INVERSE_EPS."""
    for _ in range(_INVERSE_MAX_ITER):
        fx, fy = forward(px, py)
        dx, dy = fx - x, fy - y
        if np.all((np.abs(dx) < _INVERSE_EPS) & (np.abs(dy) < _INVERSE_EPS)):
            break
        px, py = px - dx, py - dy
    return px, py


def _gcj02_to_wgs84_np(lng, lat):
    return _solve_np(_wgs84_to_gcj02_np, lng, lat, lng, lat)


def _bd09_to_wgs84_np(lng, lat):
    x, y = lng - 0.0065, lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    gx, gy = _solve_np(_gcj02_to_bd09_np, lng, lat, z * np.cos(theta), z * np.sin(theta))
    return _gcj02_to_wgs84_np(gx, gy)


_TO_WGS84_NP = {"wgs84": None, "cgcs2000": None, "gcj02": _gcj02_to_wgs84_np, "bd09": _bd09_to_wgs84_np}


def to_wgs84_many(lngs, lats, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """``to_wgs84`` for arrays of longitudes and latitudes (numpy, element-wise; within 1e-6° of it).

    >>> lngs, lats = to_wgs84_many([121.4346, 121.43], [31.2532, 31.255], "gcj02")
    >>> [round(float(v), 4) for v in lngs], [round(float(v), 4) for v in lats]
    ([121.43, 121.4254], [31.255, 31.2568])
    """
    if crs not in _TO_WGS84_NP:
        raise ValueError(f"unknown crs {crs!r}; expected one of {', '.join(SUPPORTED_CRS)}")
    lngs, lats = np.asarray(lngs, dtype=float), np.asarray(lats, dtype=float)
    convert = _TO_WGS84_NP[crs]
    return (lngs.copy(), lats.copy()) if convert is None else convert(lngs, lats)
