"""Zones (片区) and nested areas (e.g. grid cells) read from a GeoJSON FeatureCollection.

Each feature is one area: ``properties.code`` (unique), ``name``, optional ``station``, optional
``level`` (default "zone") and optional ``parent`` (the code of the area it sits in). Validation
collects every problem in the file, each naming the file, the key and the reason, so a street's IT
person can fix a new boundaries file in one pass.

Coordinates are WGS-84 longitude/latitude (RFC 7946). A file that declares another coordinate system
in a ``crs`` member (the 2008 GeoJSON spec's) is refused; CRS84, EPSG:4326 and CGCS2000's geographic
EPSG:4490 (centimetres from WGS-84, as 天地图 uses) are accepted. Coordinates copied from 高德/腾讯
(GCJ-02) or 百度 (BD-09) maps declare nothing; :func:`shift_problems` finds them by comparing a new
file's zones with the previous ones.

>>> data = {"type": "FeatureCollection", "features": [{"type": "Feature",
...     "properties": {"code": "a", "name": "A"},
...     "geometry": {"type": "Polygon", "coordinates": [[[121.0, 31.0], [121.01, 31.0],
...                                                      [121.01, 31.01], [121.0, 31.0]]]}}]}
>>> zones, problems = validate_feature_collection(data, source="demo.geojson")
>>> [z.code for z in zones], problems
(['a'], [])
"""

import gc
import json
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.polygon import orient
from shapely.validation import explain_validity

from geo.crs import bd09_to_wgs84, gcj02_to_wgs84
from geo.distance import area_m2, haversine_m
from geo.problems import ConfigProblemsError, Problem

logger = logging.getLogger(__name__)

DEFAULT_LEVEL = "zone"
# China's bounding box for the swapped-coordinates heuristic (lon 73.66–135.05, lat 3.86–53.55).
_CHINA_LNG = (73.66, 135.05)
_CHINA_LAT = (3.86, 53.55)

# The coordinate systems a zones file may declare: WGS-84 longitude/latitude, and CGCS2000's (same to cm).
_ACCEPTED_EPSG = {4326: "WGS-84", 4490: "CGCS2000"}
_EPSG_CODE = re.compile(r"EPSG(?::+|/+)(?:[\d.]*(?::+|/+))?(\d+)$", re.IGNORECASE)
_CRS84 = re.compile(r"(?:^|[:/])CRS:?84$", re.IGNORECASE)
_WGS84_NAMES = {"wgs84", "wgs 84", "wgs-84", "wgs_84", "cgcs2000"}

# A new zones file whose zones moved at least SHIFT_MIN_M from the previous ones, and which a conversion
# from a Chinese map system to WGS-84 brings back within SHIFT_MATCH_M of them, is in that system.
SHIFT_MIN_M = 150.0
SHIFT_MATCH_M = 50.0
_MAP_SYSTEMS = (("GCJ-02", "高德/腾讯", gcj02_to_wgs84), ("BD-09", "百度", bd09_to_wgs84))


@dataclass(frozen=True)
class Zone:
    """One area: a 片区 zone, or a nested area such as a grid cell (level "cell", parent = zone code)."""

    code: str
    name: str
    station: str | None
    level: str
    parent: str | None
    properties: dict = field(compare=False, repr=False)
    geometry: object = field(compare=False, repr=False)  # shapely Polygon or MultiPolygon


class ZoneConfigError(ConfigProblemsError):
    """A zones file that cannot be used; ``.problems`` lists everything wrong with it."""

    heading = "{count} problem(s) in zone configuration"


@dataclass
class _Feature:
    index: int
    props: dict
    code: str | None = None
    rings: list = field(default_factory=list)  # [(label like "[0]" or "[1][0]", [(x, y), ...])]
    parts: list = field(default_factory=list)  # polygons as lists of ring indices into rings
    ok: bool = True  # False once anything about this feature itself is wrong
    geometry: object = None


def validate_feature_collection(
    data: dict, *, source: str, overlap_tolerance_m2: float = 1.0
) -> tuple[list[Zone], list[Problem]]:
    """Check a parsed zones FeatureCollection; return (zones that could be built, every problem).

    Swapped coordinates are detected two ways: a position whose first value is a valid latitude
    while its second is not (e.g. ``[31.25, 121.43]``); and, when most of the collection lies in
    China's bounding box (read either way round), a ring in which every position has
    ``|first| < |second|`` — in China longitude always exceeds latitude, so such a ring is [lat, lon].
    """
    problems: list[Problem] = []

    def report(key: str, reason: str) -> None:
        problems.append(Problem(source, key, reason))

    if not isinstance(data, dict):
        report("(root)", f"expected a GeoJSON FeatureCollection object, got {type(data).__name__}")
        return [], problems
    if data.get("type") != "FeatureCollection":
        report("type", f"expected 'FeatureCollection', got {data.get('type')!r}")
    raw_features = data.get("features")
    if not isinstance(raw_features, list):
        report("features", "expected a list of features")
        return [], problems
    declared = [("crs", data)] + [(f"features[{i}].crs", f) for i, f in enumerate(raw_features) if isinstance(f, dict)]
    for key, member in declared:
        if member.get("crs") is not None:
            reason = _crs_refusal(member["crs"])
            if reason:
                report(key, reason)
    if problems:
        return [], problems  # in another system every position would be "wrong": say only why

    features = [_read_feature(i, f, report) for i, f in enumerate(raw_features)]
    features = [f for f in features if f is not None]
    _check_codes(features, report)
    in_china = _collection_in_china(features)
    for f in features:
        _check_rings(f, in_china, report)
        _build_geometry(f, report)
    _check_parents(features, report)
    _check_overlaps(features, overlap_tolerance_m2, report)

    zones = [_to_zone(f) for f in features if f.ok and f.geometry is not None]
    return zones, sorted(problems, key=_feature_order)  # stable: file-level first, then by feature


def _crs_name(crs) -> str | None:
    """The name a GeoJSON 2008 ``crs`` member gives (named or EPSG-typed), or None if it gives none."""
    if isinstance(crs, str):
        return crs
    if not isinstance(crs, dict) or not isinstance(crs.get("properties"), dict):
        return None
    props = crs["properties"]
    if crs.get("type") == "name" and isinstance(props.get("name"), str):
        return props["name"]
    if str(crs.get("type")).upper() == "EPSG" and isinstance(props.get("code"), (int, str)):
        return f"EPSG:{props['code']}"
    return None


def _crs_refusal(crs) -> str | None:
    """Why a declared ``crs`` is refused, or None when it is WGS-84 longitude/latitude.

    >>> _crs_refusal({"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}) is None
    True
    >>> _crs_refusal({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326"}}) is None
    True
    >>> _crs_refusal({"type": "name", "properties": {"name": "EPSG:3857"}}).split(";")[0]
    "declares the coordinate system 'EPSG:3857'"
    """
    name = _crs_name(crs)
    if name is not None:
        text = name.strip()
        epsg = _EPSG_CODE.search(text)
        if (_CRS84.search(text) or text.lower() in _WGS84_NAMES
                or (epsg is not None and int(epsg.group(1)) in _ACCEPTED_EPSG)):
            return None
    shown = repr(name) if name is not None else json.dumps(crs, ensure_ascii=False)[:120]
    return (f"declares the coordinate system {shown}; zones.geojson must be WGS-84 longitude/latitude "
            "(RFC 7946, CRS84 / EPSG:4326): convert the file to WGS-84 and remove the crs member")


def _centre(zones) -> tuple[float, float]:
    """The area-weighted mean of the zones' centroids (lon, lat): where the zones lie as a whole."""
    geoms = np.array([getattr(z, "geometry", z) for z in zones], dtype=object)
    weights = np.array([area_m2(g) for g in geoms])
    points = shapely.get_coordinates(shapely.centroid(geoms))
    if weights.sum() <= 0:
        weights = np.ones(len(geoms))
    lng, lat = (points * weights[:, None]).sum(axis=0) / weights.sum()
    return float(lng), float(lat)


def _distance_words(metres: float) -> str:
    return f"~{metres / 1000:.1f} km" if metres >= 1000 else f"~{round(metres, -1):.0f} m"


def shift_problems(zones, previous, *, source: str) -> list[Problem]:
    """A problem if ``zones`` lie where ``previous`` would in GCJ-02 (高德/腾讯) or BD-09 (百度) coordinates.

    Both are Zones or shapely geometries, as read (lon, lat). The zones as a whole (area-weighted
    centre) must have moved at least SHIFT_MIN_M, and converting that centre from the map system to
    WGS-84 must bring it within SHIFT_MATCH_M of the previous centre. Redrawn boundaries move the
    centre too, but not by a map system's offset to within metres. Empty lists: nothing to compare.
    """
    zones, previous = list(zones), list(previous)
    if not zones or not previous:
        return []
    new_lng, new_lat = _centre(zones)
    old_lng, old_lat = _centre(previous)
    moved = haversine_m(new_lng, new_lat, old_lng, old_lat)
    if moved < SHIFT_MIN_M:
        return []
    for system, maps, to_wgs84 in _MAP_SYSTEMS:
        back = to_wgs84(new_lng, new_lat)
        if haversine_m(*back, old_lng, old_lat) <= SHIFT_MATCH_M:
            return [Problem(source, "features", (
                f"the zones lie {_distance_words(moved)} from the current ones, as {system} ({maps}) "
                f"coordinates would; convert them to WGS-84 first"))]
    return []


def _feature_order(problem: Problem) -> int:
    match = re.match(r"features\[(\d+)\]", problem.key)
    return int(match.group(1)) if match else -1


def _read_feature(i: int, feature, report) -> "_Feature | None":
    key = f"features[{i}]"
    if not isinstance(feature, dict):
        report(key, f"expected a GeoJSON Feature object, got {type(feature).__name__}")
        return None
    if feature.get("type") != "Feature":
        report(f"{key}.type", f"expected 'Feature', got {feature.get('type')!r}")
    props = feature.get("properties")
    f = _Feature(index=i, props=props if isinstance(props, dict) else {})
    if not isinstance(props, dict):
        report(f"{key}.properties", "missing properties object")
        f.ok = False
    _read_properties(f, report)
    _read_geometry(f, feature.get("geometry"), report)
    return f


def _read_properties(f: _Feature, report) -> None:
    key = f"features[{f.index}].properties"
    code = f.props.get("code")
    if isinstance(code, str) and code.strip():
        f.code = code
    else:
        report(f"{key}.code", "missing or empty code")
        f.ok = False
    name = f.props.get("name")
    if not (isinstance(name, str) and name.strip()):
        report(f"{key}.name", "missing or empty name")
        f.ok = False
    level = f.props.get("level", DEFAULT_LEVEL)
    if not (isinstance(level, str) and level.strip()):
        report(f"{key}.level", f"level must be a non-empty string, got {level!r}")
        f.ok = False
    for optional in ("parent", "station"):
        value = f.props.get(optional)
        if value is not None and not (isinstance(value, str) and value.strip()):
            report(f"{key}.{optional}", f"{optional} must be a non-empty string or null, got {value!r}")
            f.ok = False


def _read_geometry(f: _Feature, geometry, report) -> None:
    key = f"features[{f.index}].geometry"
    if not isinstance(geometry, dict):
        report(key, "missing geometry (expected a Polygon or MultiPolygon)")
        f.ok = False
        return
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        report(f"{key}.type", f"expected 'Polygon' or 'MultiPolygon', got {kind!r}")
        f.ok = False
        return
    polygons = [("", coords)] if kind == "Polygon" else None
    if kind == "MultiPolygon":
        if not isinstance(coords, (list, tuple)) or not coords:
            report(f"{key}.coordinates", "a MultiPolygon needs a non-empty list of polygons")
            f.ok = False
            return
        polygons = [(f"[{p}]", poly) for p, poly in enumerate(coords)]
    for prefix, poly in polygons:
        if not isinstance(poly, (list, tuple)) or not poly:
            report(f"{key}.coordinates",
                   f"coordinates{prefix}: a polygon needs a non-empty list of rings")
            f.ok = False
            continue
        part = []
        for r, ring in enumerate(poly):
            label = f"{prefix}[{r}]"
            points = _read_ring(ring)
            if points is None:
                report(f"{key}.coordinates",
                       f"coordinates{label}: a ring must be a list of [lon, lat] number pairs")
                f.ok = False
                continue
            part.append(len(f.rings))
            f.rings.append((label, points))
        f.parts.append(part)


def _read_ring(ring) -> "list[tuple[float, float]] | None":
    if not isinstance(ring, (list, tuple)):
        return None
    points = []
    for pos in ring:
        if not isinstance(pos, (list, tuple)) or len(pos) < 2:
            return None
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos[:2]):
            return None
        points.append((float(pos[0]), float(pos[1])))
    return points


def _check_codes(features: list[_Feature], report) -> None:
    first_seen: dict[str, int] = {}
    for f in features:
        if f.code is None:
            continue
        if f.code in first_seen:
            report(
                f"features[{f.index}].properties.code",
                f"duplicate code {f.code!r} (also features[{first_seen[f.code]}])",
            )
            f.ok = False
        else:
            first_seen[f.code] = f.index


def _in_china(x: float, y: float) -> bool:
    return _CHINA_LNG[0] <= x <= _CHINA_LNG[1] and _CHINA_LAT[0] <= y <= _CHINA_LAT[1]


def _collection_in_china(features: list[_Feature]) -> bool:
    points = [p for f in features for _, ring in f.rings for p in ring if math.isfinite(p[0] + p[1])]
    near = sum(1 for x, y in points if _in_china(x, y) or _in_china(y, x))
    return bool(points) and near * 2 > len(points)


def _check_rings(f: _Feature, in_china: bool, report) -> None:
    key = f"features[{f.index}].geometry.coordinates"
    for label, ring in f.rings:
        found: dict[str, list[int]] = {}
        for k, (x, y) in enumerate(ring):
            kind = _classify(x, y)
            if kind:
                found.setdefault(kind, []).append(k)
        finite = [(x, y) for x, y in ring if math.isfinite(x) and math.isfinite(y)]
        if not found and in_china and finite and all(abs(x) < abs(y) for x, y in finite):
            report(key, f"coordinates{label} looks like [lat, lon] order: every position has "
                        f"|first| < |second|, e.g. {list(ring[0])}; GeoJSON wants [lon, lat]")
            f.ok = False
        for kind, where in found.items():
            k = where[0]
            more = f" (and {len(where) - 1} more in this ring)" if len(where) > 1 else ""
            report(key, f"coordinates{label}[{k}] = {list(ring[k])}: {kind}{more}")
            f.ok = False
        if len(ring) < 4:
            report(key, f"coordinates{label}: a ring needs at least 4 positions, got {len(ring)}")
            f.ok = False
        elif ring[0] != ring[-1]:
            report(key, f"coordinates{label}: ring is not closed "
                        f"(first {list(ring[0])} != last {list(ring[-1])})")
            f.ok = False


def _classify(x: float, y: float) -> str | None:
    if not (math.isfinite(x) and math.isfinite(y)):
        return "not a finite number"
    if -90.0 <= x <= 90.0 and 90.0 < abs(y) <= 180.0:
        return "looks like [lat, lon] order (swapped); GeoJSON wants [lon, lat]"
    if not -180.0 <= x <= 180.0:
        return f"longitude {x} out of range [-180, 180]"
    if not -90.0 <= y <= 90.0:
        return f"latitude {y} out of range [-90, 90]"
    return None


def _build_geometry(f: _Feature, report) -> None:
    if not f.ok or not f.parts:
        return
    polygons = [
        shapely.Polygon(f.rings[part[0]][1], [f.rings[r][1] for r in part[1:]])
        for part in f.parts
    ]
    geometry = polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)
    if not geometry.is_valid:
        report(f"features[{f.index}].geometry.coordinates",
               f"invalid polygon: {explain_validity(geometry)}")
        f.ok = False
        return
    f.geometry = geometry


def _check_parents(features: list[_Feature], report) -> None:
    parent_of = {f.code: f.props.get("parent") for f in features if f.code is not None}
    for f in features:
        parent = f.props.get("parent")
        if not isinstance(parent, str) or f.code is None:
            continue
        key = f"features[{f.index}].properties.parent"
        if parent not in parent_of:
            report(key, f"parent {parent!r} is not the code of any feature")
            continue
        chain, node = [f.code], parent
        while isinstance(node, str) and node in parent_of and node not in chain:
            chain.append(node)
            node = parent_of[node]
        if node in chain:
            report(key, f"parent chain loops: {' → '.join(chain + [node])}")


def _check_overlaps(features: list[_Feature], tolerance_m2: float, report) -> None:
    by_level: dict[str, list[_Feature]] = {}
    for f in features:
        if f.geometry is not None:
            by_level.setdefault(f.props.get("level", DEFAULT_LEVEL), []).append(f)
    for group in by_level.values():
        geoms = np.array([f.geometry for f in group], dtype=object)
        left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
        keep = left < right
        left, right = left[keep], right[keep]
        shared = shapely.intersection(geoms[left], geoms[right])
        for i, j, piece in zip(left, right, shared):
            if shapely.area(piece) <= 0.0:
                continue  # touching along an edge or at a vertex is fine
            area = area_m2(piece)
            if area > tolerance_m2:
                a, b = sorted((group[i], group[j]), key=lambda f: f.index)
                report(
                    f"features[{b.index}].geometry",
                    f"overlaps features[{a.index}] ({a.code!r}) by {area:.1f} m² "
                    f"(tolerance {tolerance_m2:g} m²)",
                )


def _to_zone(f: _Feature) -> Zone:
    return Zone(
        code=f.code,
        name=f.props["name"],
        station=f.props.get("station"),
        level=f.props.get("level", DEFAULT_LEVEL),
        parent=f.props.get("parent"),
        properties=dict(f.props),
        geometry=f.geometry,
    )


def load_zones(path, *, overlap_tolerance_m2: float = 1.0) -> list[Zone]:
    """Read and validate a zones GeoJSON file; raise ZoneConfigError listing every problem."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ZoneConfigError([Problem(source, "(file)", f"cannot read file: {exc}")]) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        key = f"line {exc.lineno} column {exc.colno}"
        raise ZoneConfigError([Problem(source, key, f"not valid JSON: {exc.msg}")]) from exc
    zones, problems = validate_feature_collection(
        data, source=source, overlap_tolerance_m2=overlap_tolerance_m2
    )
    if problems:
        raise ZoneConfigError(problems)
    logger.info("loaded %d zones from %s", len(zones), source)
    return zones


def to_feature_collection(zones) -> dict:
    """Zones as an RFC 7946 FeatureCollection (exterior rings counter-clockwise), for the API."""
    features = []
    for zone in zones:
        properties = {
            "code": zone.code,
            "name": zone.name,
            "station": zone.station,
            "level": zone.level,
            "parent": zone.parent,
        }
        properties.update((k, v) for k, v in zone.properties.items() if k not in properties)
        features.append({
            "type": "Feature",
            "id": zone.code,
            "properties": properties,
            "geometry": _as_lists(mapping(_orient_rfc7946(zone.geometry))),
        })
    return {"type": "FeatureCollection", "features": features}


def _orient_rfc7946(geometry):
    if isinstance(geometry, shapely.MultiPolygon):
        return shapely.MultiPolygon([orient(p, 1.0) for p in geometry.geoms])
    return orient(geometry, 1.0)


def _as_lists(value):
    if isinstance(value, dict):
        return {k: _as_lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_lists(v) for v in value]
    return value


# A validated zones file, packed: what a start-up reads instead of parsing and validating the GeoJSON again
# (see dispatch.street.config). The properties as JSON, the geometries as WKB; no pickle.
PACK_MAGIC = b"YCZONES1"


def pack_zones(zones) -> bytes:
    """`zones` (validated) as bytes that :func:`unpack_zones` turns back into equal zones, geometries included.

    >>> zones, _ = validate_feature_collection({"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {"code": "a", "name": "甲", "station": "s1"},
    ...     "geometry": {"type": "Polygon", "coordinates": [[[121.0, 31.0], [121.01, 31.0],
    ...                                                      [121.01, 31.01], [121.0, 31.0]]]}}]}, source="x")
    >>> back = unpack_zones(pack_zones(zones))
    >>> back == zones, back[0].geometry.equals_exact(zones[0].geometry, 0), back[0].properties
    (True, True, {'code': 'a', 'name': '甲', 'station': 's1'})
    """
    patterns: dict[tuple, int] = {}  # the properties' keys, once per distinct set (usually one for the file)
    rows = []
    for z in zones:
        keys = tuple(z.properties)
        rows.append([z.code, z.name, z.station, z.level, z.parent, patterns.setdefault(keys, len(patterns)),
                     *z.properties.values()])
    header = json.dumps({"keys": list(patterns), "rows": rows}, ensure_ascii=False).encode("utf-8")
    blobs = shapely.to_wkb(np.array([z.geometry for z in zones], dtype=object)) if zones else []
    lengths = np.array([len(b) for b in blobs], dtype="<u4")
    count = np.array([len(header), len(zones)], dtype="<u8")
    return b"".join([PACK_MAGIC, count.tobytes(), header, lengths.tobytes(), *blobs])


def unpack_zones(data: bytes) -> list[Zone]:
    """The zones :func:`pack_zones` packed; ValueError when `data` is not such a pack."""
    if not data.startswith(PACK_MAGIC) or len(data) < len(PACK_MAGIC) + 16:
        raise ValueError("not a packed zones file")
    at = len(PACK_MAGIC)
    header_length, count = (int(n) for n in np.frombuffer(data, dtype="<u8", count=2, offset=at))
    at += 16
    header = json.loads(data[at:at + header_length].decode("utf-8"))
    keys, rows = header["keys"], header["rows"]
    at += header_length
    lengths = np.frombuffer(data, dtype="<u4", count=count, offset=at)
    at += 4 * count
    ends = at + np.cumsum(lengths, dtype=np.int64)
    if len(rows) != count or (count and int(ends[-1]) != len(data)):
        raise ValueError("packed zones file is truncated")
    starts = np.concatenate(([at], ends[:-1])) if count else []
    geometries = shapely.from_wkb(np.array([data[s:e] for s, e in zip(starts, ends)], dtype=object)) if count else []
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of new objects, none of them garbage: no collection passes over them meanwhile
    try:
        return [Zone(code=r[0], name=r[1], station=r[2], level=r[3], parent=r[4],
                     properties=dict(zip(keys[r[5]], r[6:])), geometry=g) for r, g in zip(rows, geometries)]
    finally:
        if collecting:
            gc.enable()
