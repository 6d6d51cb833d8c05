"""底图: with config/map.toml naming a tile server, all three maps draw its tiles under the zones, in the right
place — WGS-84 tiles as they are, GCJ-02 tiles shifted back so a ticket's point lands on the tile spot it
belongs to — and a local GeoJSON roads layer; a local tile server (a tiny PNG for every z/x/y) stands in for
天地图 / 高德."""
from __future__ import annotations

import http.server
import json
import math
import re
import threading

import pytest

from dispatch.street import service as street_service
from geo.crs import wgs84_to_gcj02
from tests.browser.helpers import PHONE, copy_to_docs, login, png_bytes, shot, wait_ready

TILE = png_bytes(256, 256, (235, 225, 200))
POINT = (121.4288, 31.2551)  # a ticket in 香溢片区
WIDTHS = {375: {"width": 375, "height": 812}, 1366: {"width": 1366, "height": 768}, 1920: {"width": 1920, "height": 1080}}
ROADS = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "宜川路"}, "geometry": {
    "type": "LineString", "coordinates": [[121.420, 31.2560], [121.445, 31.2560]]}}]}


@pytest.fixture
def tile_server():
    """A tile server on a free loopback port: a 256 px PNG for /z/x/y.png, every path asked noted."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 — http.server's name
            asked.append(self.path)
            if not re.fullmatch(r"/\d+/\d+/\d+\.png", self.path):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(TILE)))
            self.end_headers()
            self.wfile.write(TILE)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_address[1]}", "asked": asked}
    server.shutdown()
    server.server_close()


def configure(live_server, tile_server, crs: str) -> None:
    """Write config/map.toml naming the tile server (and a roads layer) and reload, as an admin would."""
    from pathlib import Path

    config = Path(live_server.app.config["CONFIG_DIR"])
    (config / "roads.geojson").write_text(json.dumps(ROADS), encoding="utf-8")
    (config / "map.toml").write_text(
        f'[tiles]\nurl = "{tile_server["url"]}/{{z}}/{{x}}/{{y}}.png"\ncrs = "{crs}"\nattribution = "测试底图"\n'
        'min_zoom = 10\nmax_zoom = 19\n\n[[layer]]\nname = "roads"\ntitle = "道路"\nfile = "roads.geojson"\n'
        'kind = "roads"\n', encoding="utf-8")
    street_service.reload(live_server.app)


def tile_under(page, x: float, y: float) -> dict | None:
    """The tile <img> drawn under page pixel (x, y): its z/x/y and where in it the pixel is (0..1)."""
    return page.evaluate("""([x, y]) => {
        for (const img of document.querySelectorAll('img.zm-tile')) {
            const r = img.getBoundingClientRect();
            if (x >= r.left && x < r.right && y >= r.top && y < r.bottom && img.complete && img.naturalWidth)
                return {tile: img.dataset.tile, fx: (x - r.left) / r.width, fy: (y - r.top) / r.height};
        }
        return null;
    }""", [x, y])


def expected_tile(lng: float, lat: float, z: int) -> tuple[str, float, float]:
    """The web Mercator tile z/x/y holding (lng, lat), and the point's place in it (0..1)."""
    n = 2 ** z
    fx = (lng + 180) / 360 * n
    fy = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * n
    return f"{z}/{int(fx)}/{int(fy)}", fx - int(fx), fy - int(fy)


@pytest.mark.parametrize("crs", ["wgs84", "gcj02"])
def test_the_cockpit_draws_tiles_under_the_points_in_the_right_place(new_page, live_server, tile_server, crs):
    configure(live_server, tile_server, crs)
    command = live_server.create_user("zhx", "command", display_name="张值班")
    live_server.api("POST", "/api/v1/events", command, expect=201, json={
        "category": "exposed_garbage", "location": {"lng": POINT[0], "lat": POINT[1]}, "description": "底图"})
    page = new_page(viewport=WIDTHS[1920])
    login(page, "zhx")
    wait_ready(page)
    page.locator("img.zm-tile").first.wait_for()
    page.locator("img.zm-tile").last.evaluate("img => img.decode()")
    assert any(re.fullmatch(r"/\d+/\d+/\d+\.png", path) for path in tile_server["asked"])
    xy = page.evaluate("([lng, lat]) => window.cockpit.pixelOf(lng, lat)", list(POINT))
    under = tile_under(page, xy["x"], xy["y"])
    path = shot(page, f"basemap-cockpit-{crs}-1920")
    if crs == "gcj02":
        copy_to_docs(path, "basemap.png")
    assert under is not None, (xy, page.evaluate("() => [...document.querySelectorAll('img.zm-tile')].slice(0, 3).map((i) => [i.dataset.tile, i.style.cssText, i.complete, i.naturalWidth])"))
    z = int(under["tile"].split("/")[0])
    on_tiles = wgs84_to_gcj02(*POINT) if crs == "gcj02" else POINT  # where the point is on the tiles' pictures
    tile, fx, fy = expected_tile(*on_tiles, z)
    assert under["tile"] == tile
    size = page.locator(f"img.zm-tile[data-tile='{tile}']").evaluate("img => img.getBoundingClientRect().width")
    assert abs(under["fx"] - fx) * size < 2 and abs(under["fy"] - fy) * size < 2  # within 2 px of its spot
    assert page.locator(".zm-attribution").inner_text() == "测试底图"
    assert page.locator("canvas.zm-layers").count() == 1, page.evaluate(
        "() => [...document.querySelectorAll('canvas')].map((c) => [c.className, c.style.cssText, c.parentNode.className])")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_phone_and_the_desk_draw_the_base_map_too(new_page, live_server, tile_server, inspector, width):
    configure(live_server, tile_server, "wgs84")
    live_server.create_user("lh_li", "department", department="sanitation", display_name="李师傅")
    ticket = live_server.api("POST", "/api/v1/events", inspector, expect=201, json={
        "category": "exposed_garbage", "location": {"lng": POINT[0], "lat": POINT[1]}, "description": "底图"})["ticket"]
    if width == 375:
        page = new_page(**PHONE)
        login(page, "xy_wang")
    else:
        page = new_page(viewport=WIDTHS[width])
        login(page, "lh_li", next_path=f"/desk/tickets/{ticket['id']}")
    wait_ready(page)
    page.locator("img.zm-tile").first.wait_for()
    page.locator("img.zm-tile").first.evaluate("img => img.decode()")
    page.locator("canvas.zm-layers[data-layers='1']").wait_for(state="attached")  # the roads file fetched, drawn
    road_drawn = page.locator("canvas.zm-layers").evaluate("""c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
        return false; }""")
    assert road_drawn  # the roads layer from config/roads.geojson
    shot(page, f"basemap-{'m' if width == 375 else 'desk'}-{width}")


def test_map_toml_problems_are_named_by_file_key_and_reason(live_server, tile_server):
    from pathlib import Path

    from dispatch.street.config import ConfigError, load_config

    config = Path(live_server.app.config["CONFIG_DIR"])
    (config / "map.toml").write_text('[tiles]\nurl = "ftp://tiles/{z}/{x}.png"\ncrs = "bd09"\n\n[[layer]]\n'
                                     'name = "roads"\nfile = "missing.geojson"\nkind = "roads"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(config)
    found = {(p.file, p.key) for p in error.value.problems}
    assert ("map.toml", "tiles.url") in found and ("map.toml", "tiles.crs") in found
