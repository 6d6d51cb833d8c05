"""底图: what the zone maps draw under the zones — off by default, so nothing is asked of the internet.

`config/map.toml` (optional; the shipped one leaves it off) may name

- a tile layer: `[tiles] url = "…{z}…{x}…{y}…"` (`{s}` takes one of `subdomains`), with the coordinate system of
  its pictures: `crs = "wgs84"` (天地图: CGCS2000, centimetres from WGS-84 — drawn as is) or `"gcj02"` (高德 / 腾讯
  tiles: their pictures are ~480 m off at 宜川; every tile is drawn shifted back, so a WGS-84 point lands on
  its building). The shift comes from geo/crs.py, the one place the formulas live: `page_config` samples
  WGS-84 → GCJ-02 offsets on a grid over the zones (plus a margin) and the pages interpolate between samples
  (under 0.2 m from the formula across the street; the offset itself varies by ~5 m from one end to the other).
- local GeoJSON base layers (`[[layer]]`: roads as lines, buildings as polygons), WGS-84 files in config/, drawn
  under the zones. They are served at `/basemap/<name>.geojson` (dispatch/web/basemap.py).

The pages get `page_config(config)` in every page (base.html, `#yc-basemap`); static/js/zonemap.js draws it.

>>> MapFile().tiles.enabled, MapFile().layer
(False, [])
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from geo.crs import wgs84_to_gcj02
from geo.problems import Problem

FILE = "map.toml"
GRID = 9  # offset samples per side over the zones' box
MARGIN_DEG = 0.02  # ~2 km around the zones: the part of the map a page may pan to
GEOMETRIES = {"roads": ("LineString", "MultiLineString"), "buildings": ("Polygon", "MultiPolygon")}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TilesConfig(_Strict):
    """The tile layer; an empty `url` (the default) means no tiles at all."""

    url: str = ""
    crs: Literal["wgs84", "cgcs2000", "gcj02"] = "wgs84"
    subdomains: list[str] = []
    attribution: str = ""
    min_zoom: int = Field(10, ge=0, le=22)
    max_zoom: int = Field(18, ge=0, le=22)

    @field_validator("url")
    @classmethod
    def _template(cls, url: str) -> str:
        if url and not url.startswith(("http://", "https://", "/")):
            raise ValueError("a tile URL starts with https://, http:// or / (a path on this server)")
        missing = [part for part in ("{z}", "{x}", "{y}") if url and part not in url]
        if missing:
            raise ValueError(f"a tile URL template needs {', '.join(missing)}")
        return url

    @property
    def enabled(self) -> bool:
        return bool(self.url)


class LayerConfig(_Strict):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str = ""
    file: str = Field(pattern=r"^[\w.-]+\.(geo)?json$")
    kind: Literal["roads", "buildings"]


class MapFile(_Strict):
    """config/map.toml."""

    tiles: TilesConfig = TilesConfig()
    layer: list[LayerConfig] = []


def check(file: MapFile, directory: Path) -> tuple[dict[str, dict], list[Problem]]:
    """The base layers' GeoJSON by name, and every problem of the file (file, key, reason)."""
    problems, layers = [], {}
    if file.tiles.enabled and file.tiles.min_zoom > file.tiles.max_zoom:
        problems.append(Problem(FILE, "tiles.min_zoom", "is above max_zoom"))
    if file.tiles.enabled and "{s}" in file.tiles.url and not file.tiles.subdomains:
        problems.append(Problem(FILE, "tiles.subdomains", "the URL has {s}: list the subdomains it takes"))
    for i, layer in enumerate(file.layer):
        key = f"layer.{i}"
        if layer.name in layers:
            problems.append(Problem(FILE, f"{key}.name", f"{layer.name!r} is named twice"))
            continue
        try:
            data = json.loads((directory / layer.file).read_text(encoding="utf-8"))
        except FileNotFoundError:
            problems.append(Problem(FILE, f"{key}.file", f"{layer.file} does not exist in config/"))
            continue
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(Problem(layer.file, "(file)", f"not JSON: {exc}"))
            continue
        reason = _layer_problem(data, layer.kind)
        if reason:
            problems.append(Problem(layer.file, "features", reason))
            continue
        layers[layer.name] = data
    return layers, problems


def _layer_problem(data, kind: str) -> str | None:
    """Why `data` is no WGS-84 FeatureCollection of `kind` (lines for roads, polygons for buildings), or None."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        return "a base layer is a GeoJSON FeatureCollection"
    for n, feature in enumerate(data["features"]):
        geometry = (feature or {}).get("geometry") or {}
        if geometry.get("type") not in GEOMETRIES[kind]:
            return f"feature {n}: a {kind} layer holds {' or '.join(GEOMETRIES[kind])}, not {geometry.get('type')}"
        for lng, lat, *_ in _points(geometry.get("coordinates")):
            if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                return f"feature {n}: ({lng}, {lat}) is no WGS-84 longitude/latitude"
    return None


def _points(coordinates):
    if isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], (int, float)):
        yield coordinates
    elif isinstance(coordinates, list):
        for part in coordinates:
            yield from _points(part)


def offset_grid(bounds: tuple[float, float, float, float], *, size: int = GRID) -> dict:
    """WGS-84 → GCJ-02 offsets sampled on a size × size grid over `bounds` (w, s, e, n), from geo/crs.py."""
    w, s, e, n = bounds
    lngs = [w + (e - w) * i / (size - 1) for i in range(size)]
    lats = [s + (n - s) * j / (size - 1) for j in range(size)]
    offsets = [[[round(gx - lng, 9), round(gy - lat, 9)] for lng in lngs for gx, gy in [wgs84_to_gcj02(lng, lat)]]
               for lat in lats]
    return {"bounds": [w, s, e, n], "size": size, "offsets": offsets}


def page_config(config) -> dict:
    """What the pages draw under the zones: the tiles (or None), the layers' names and URLs, the GCJ-02 grid."""
    file: MapFile = config.basemap
    tiles = None
    if file.tiles.enabled:
        tiles = file.tiles.model_dump()
        if file.tiles.crs == "gcj02":
            tiles["shift"] = offset_grid(_zones_box(config))
    return {"tiles": tiles,
            "layers": [{"name": layer.name, "title": layer.title or layer.name, "kind": layer.kind,
                        "url": f"/basemap/{layer.name}.geojson"} for layer in file.layer]}


def tile_origins(config) -> list[str]:
    """The origins the pages load tiles from (for the Content-Security-Policy's img-src); none when off or local."""
    tiles: TilesConfig = config.basemap.tiles
    if not tiles.enabled or tiles.url.startswith("/"):
        return []
    scheme, rest = tiles.url.split("://", 1)
    host = rest.split("/", 1)[0]
    hosts = [host.replace("{s}", s) for s in tiles.subdomains] if "{s}" in host else [host]
    return [f"{scheme}://{h}" for h in hosts]


def _zones_box(config) -> tuple[float, float, float, float]:
    bounds = [zone.geometry.bounds for zone in config.zones if zone.geometry is not None]
    if not bounds:
        return (121.40, 31.24, 121.46, 31.28)
    return (min(b[0] for b in bounds) - MARGIN_DEG, min(b[1] for b in bounds) - MARGIN_DEG,
            max(b[2] for b in bounds) + MARGIN_DEG, max(b[3] for b in bounds) + MARGIN_DEG)
