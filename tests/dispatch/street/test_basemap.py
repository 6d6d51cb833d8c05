"""底图 (config/map.toml): off as shipped; a tile layer and GeoJSON base layers checked like the rest of config/,
GCJ-02 offsets from geo/crs.py, and the pages' Content-Security-Policy opened to the tile server only when named."""
from __future__ import annotations

import json
import math

import pytest

from dispatch.street import basemap
from dispatch.street import service as street_service
from dispatch.street.config import ConfigError, load_config
from geo.crs import wgs84_to_gcj02

ROADS = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {
    "type": "LineString", "coordinates": [[121.42, 31.256], [121.445, 31.256]]}}]}


def write_map(config_dir, text: str, **files) -> None:
    (config_dir / "map.toml").write_text(text, encoding="utf-8")
    for name, data in files.items():
        (config_dir / name).write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


def test_the_shipped_config_draws_no_base_map_and_allows_no_other_host(app, client, config_dir):
    page_data = basemap.page_config(app.extensions["street_config"])
    assert page_data == {"tiles": None, "layers": []}
    login_page = client.get("/login")
    block = login_page.get_data(as_text=True).split('id="yc-basemap">', 1)[1].split("</script>", 1)[0]
    assert json.loads(block) == {"tiles": None, "layers": []}
    assert "img-src 'self' blob: data:;" in login_page.headers["Content-Security-Policy"]


@pytest.mark.parametrize("text, files, where", [
    ('[tiles]\nurl = "ftp://x/{z}/{x}/{y}.png"\n', {}, ("map.toml", "tiles.url")),
    ('[tiles]\nurl = "https://x/{z}/{x}.png"\n', {}, ("map.toml", "tiles.url")),            # no {y}
    ('[tiles]\nurl = "https://x/{z}/{x}/{y}.png"\ncrs = "bd09"\n', {}, ("map.toml", "tiles.crs")),
    ('[tiles]\nurl = "https://t{s}.x/{z}/{x}/{y}.png"\n', {}, ("map.toml", "tiles.subdomains")),
    ('[[layer]]\nname = "roads"\nfile = "roads.geojson"\nkind = "roads"\n', {}, ("map.toml", "layer.0.file")),
    ('[[layer]]\nname = "roads"\nfile = "roads.geojson"\nkind = "buildings"\n', {"roads.geojson": ROADS},
     ("roads.geojson", "features")),                                                            # lines as buildings
    ('[[layer]]\nname = "roads"\nfile = "roads.geojson"\nkind = "roads"\n', {"roads.geojson": "{"},
     ("roads.geojson", "(file)")),
])
def test_map_toml_problems_name_file_and_key(config_dir, text, files, where):
    write_map(config_dir, text, **files)
    with pytest.raises(ConfigError) as error:
        load_config(config_dir)
    assert where in {(p.file, p.key) for p in error.value.problems}


def test_a_tile_server_and_a_roads_layer_reach_the_pages(app, client, config_dir):
    write_map(config_dir, '[tiles]\nurl = "https://t{s}.tiles.example/{z}/{x}/{y}.png"\nsubdomains = ["0", "1"]\n'
              'attribution = "天地图"\n\n[[layer]]\nname = "roads"\ntitle = "道路"\nfile = "roads.geojson"\nkind = "roads"\n',
              **{"roads.geojson": ROADS})
    street_service.reload(app)
    data = basemap.page_config(app.extensions["street_config"])
    assert data["tiles"]["url"].endswith("/{z}/{x}/{y}.png") and "shift" not in data["tiles"]  # WGS-84: no shift
    assert data["layers"] == [{"name": "roads", "title": "道路", "kind": "roads", "url": "/basemap/roads.geojson"}]
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' https://t0.tiles.example https://t1.tiles.example blob: data:;" in csp
    layer = client.get("/basemap/roads.geojson")
    assert layer.status_code == 200 and layer.mimetype == "application/geo+json" and layer.get_json() == ROADS
    assert client.get("/basemap/buildings.geojson").status_code == 404


def test_gcj02_tiles_get_offsets_from_geo_crs_that_interpolate_to_under_20_cm(app, config_dir):
    write_map(config_dir, '[tiles]\nurl = "https://tiles.example/{z}/{x}/{y}.png"\ncrs = "gcj02"\n')
    street_service.reload(app)
    grid = basemap.page_config(app.extensions["street_config"])["tiles"]["shift"]
    w, s, e, n = grid["bounds"]
    k = grid["size"] - 1
    assert grid["offsets"][0][0] == pytest.approx([a - b for a, b in zip(wgs84_to_gcj02(w, s), (w, s))], abs=1e-9)

    def interpolated(lng, lat):  # what static/js/zonemap.js's shiftAt does
        fx, fy = (lng - w) / (e - w) * k, (lat - s) / (n - s) * k
        i, j = min(k - 1, int(fx)), min(k - 1, int(fy))
        tx, ty = fx - i, fy - j
        o = grid["offsets"]
        return [(o[j][i][c] * (1 - tx) + o[j][i + 1][c] * tx) * (1 - ty)
                + (o[j + 1][i][c] * (1 - tx) + o[j + 1][i + 1][c] * tx) * ty for c in (0, 1)]

    worst = 0.0
    for lng, lat in [(121.4288, 31.2551), (121.44, 31.255), (121.436, 31.264), (w + 0.013, s + 0.007)]:
        gx, gy = wgs84_to_gcj02(lng, lat)
        dx, dy = interpolated(lng, lat)
        metres = math.hypot((lng + dx - gx) * 111320 * math.cos(math.radians(lat)), (lat + dy - gy) * 110540)
        worst = max(worst, metres)
    assert worst < 0.2
