"""What the three front ends share, in a real browser: one zone map (the same shape on /m/, the desk and the
cockpit, at phone and desktop widths) and the Chinese labels the server renders into every page."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dispatch.tickets.models import Status
from dispatch.web import labels
from tests.browser.helpers import login, shot, wait_ready

ROOT = Path(__file__).resolve().parents[2]
IN_XIANGYI = {"lng": 121.4288, "lat": 31.2551}
WIDTHS = (375, 1366, 1920)
# How a page's map is found, and the picture's name.
PAGES = (("m", "/m/", "#map"), ("desk", "/desk/tickets/{id}", "#ticket-map"), ("cockpit", "/cockpit/", "#map"))

# The zone map's ECharts option and the on-screen size of the zones' bounding box (lng/lat → pixels).
MAP_SHAPE = """([selector, [west, south, east, north]]) => {
  const chart = echarts.getInstanceByDom(document.querySelector(selector));
  const [x0, y0] = chart.convertToPixel({ geoIndex: 0 }, [west, south]);
  const [x1, y1] = chart.convertToPixel({ geoIndex: 0 }, [east, north]);
  return { aspectScale: chart.getOption().geo[0].aspectScale, width: Math.abs(x1 - x0), height: Math.abs(y1 - y0) };
}"""


def zone_bounds() -> tuple[float, float, float, float]:
    """West, south, east, north of the street's zones (config/zones.geojson)."""
    fc = json.loads((ROOT / "config" / "zones.geojson").read_text(encoding="utf-8"))
    points = [p for f in fc["features"] if not f["properties"].get("parent")
              for ring in f["geometry"]["coordinates"] for p in ring]
    lngs, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lngs), min(lats), max(lngs), max(lats)


@pytest.fixture
def command(live_server):
    """A command-center user: may open all three pages (/m/ too)."""
    return live_server.create_user("zhx", "command", display_name="值班长")


@pytest.fixture
def ticket(live_server, command) -> dict:
    """A report in 香溢片区, dispatched at once to 绿化市容所 (status dispatched)."""
    return live_server.api("POST", "/api/v1/events", command, expect=201, json={
        "category": "exposed_garbage", "location": IN_XIANGYI, "description": "路边垃圾"})["ticket"]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_zone_map_has_the_same_shape_on_every_page(new_page, command, ticket, width):
    west, south, east, north = bounds = zone_bounds()
    cos_lat = math.cos(math.radians((south + north) / 2))  # a degree east is this much of a degree north
    true_ratio = (east - west) * cos_lat / (north - south)
    page = new_page(viewport={"width": width, "height": 812 if width < 1000 else 1080})
    login(page, command["username"])
    seen = {}
    for name, path, selector in PAGES:
        page.goto(path.format(id=ticket["id"]))
        wait_ready(page)
        page.locator(selector).scroll_into_view_if_needed()
        seen[name] = page.evaluate(MAP_SHAPE, [selector, list(bounds)])
        shot(page, f"zonemap-{name}-{width}")
    # One setting on every page: cos(latitude), not ECharts' default 0.75 …
    assert len({s["aspectScale"] for s in seen.values()}) == 1, seen
    assert seen["m"]["aspectScale"] == pytest.approx(cos_lat, abs=1e-4)
    # … so the zones keep their true proportions on screen, whatever the map's size on the page.
    for name, s in seen.items():
        assert s["width"] / s["height"] == pytest.approx(true_ratio, rel=0.01), (name, s)


def test_status_names_on_the_pages_come_from_the_server(new_page, live_server, command, ticket, monkeypatch):
    # Rename 已派遣 on the server only: every page shows the new name, so none keeps a copy of its own.
    monkeypatch.setitem(labels.STATUS_LABELS, Status.dispatched, "已派遣（服务器）")
    monkeypatch.setitem(labels.DEADLINE_KIND_LABELS, "response", "签收期限（服务器）")
    page = new_page(viewport={"width": 1366, "height": 900})
    login(page, command["username"])

    page.goto("/desk/")
    wait_ready(page)
    row = page.locator(f"#queue-list tr:has([data-ticket='{ticket['id']}'])")
    expect(row.locator(".chip.status")).to_have_text("已派遣（服务器）")

    page.goto(f"/desk/tickets/{ticket['id']}")
    wait_ready(page)
    expect(page.locator("#ticket-badges .chip.status")).to_have_text("已派遣（服务器）")
    expect(page.locator("#ticket-deadlines [data-kind=response] .k")).to_contain_text("签收期限（服务器）")
    expect(page.locator("#ticket-timeline .moved").first).to_contain_text("已派遣（服务器）")

    page.goto("/m/")
    wait_ready(page)
    page.click(".tabs [data-tab=mine]")
    expect(page.locator(f"#mine-list [data-id='{ticket['id']}'] .chip")).to_have_text("已派遣（服务器）")
    assert page.evaluate("YC.labelOf('statuses', 'dispatched')") == "已派遣（服务器）"


def test_a_button_is_held_while_its_request_runs_and_a_refusal_is_told_in_chinese(new_page, live_server, ticket):
    # YC.busy: a second click while 签收 is on its way sends nothing; the answer's refusal comes back as a toast
    # in Chinese and the button can be used again.
    live_server.create_user("lh_li", "department", department="sanitation", display_name="李师傅")
    page = new_page(viewport={"width": 1366, "height": 900})
    login(page, "lh_li", next_path=f"/desk/tickets/{ticket['id']}")
    wait_ready(page)
    held, sent = [], []
    page.route("**/api/v1/tickets/*/actions",
               lambda route: (sent.append(route.request.post_data_json), held.append(route)))
    accept = page.locator("#ticket-actions button[data-action=accept]")
    accept.click()
    expect(accept).to_be_disabled()
    accept.click(force=True)  # a second click on the held button
    page.wait_for_timeout(300)  # time enough for a second request to leave, were it sent
    assert len(sent) == 1 and sent[0]["action"] == "accept"
    held.pop().fulfill(status=409, content_type="application/json", body=json.dumps({"error": {
        "code": "illegal_transition", "message": "accept is not allowed from in_progress", "status": "in_progress"}}))
    expect(page.locator("#toast")).to_have_text("工单当前状态（处置中）不允许此操作，请刷新后查看")
    expect(accept).to_be_enabled()
    page.unroute("**/api/v1/tickets/*/actions")
    accept.click()
    expect(page.locator("#ticket-badges .chip.status")).to_have_text("处置中")
    assert len(sent) == 1  # the route was gone: the second 签收 went to the server
