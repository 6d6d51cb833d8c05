"""A day's work without friction: what a 街道 office stumbled on, each seen in a real browser.

Returned tickets say so in 待派遣; a duplicate names (and links) the ticket it joined; the cockpit's map
tells what a point is and shows every ticket; pending extensions have a queue; the desk works on a phone;
rework and long limits read plainly; one word for one deadline; pages print as a 工单.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (DESKTOP, PHONE, XIANGYI, XIANGYI_GPS, fill_report, login, open_ticket, rows, shot, tab,
                                   wait_ready)

BIG_SCREEN = {"viewport": {"width": 1920, "height": 1080}}


def signed_in(new_page, user, path=None, **context):
    page = new_page(**(context or DESKTOP))
    login(page, user["username"], next_path=path)
    wait_ready(page)
    return page


# --- 2. a returned ticket is not a new one ---------------------------------------------------------------

def test_a_returned_ticket_says_so_in_the_cockpit_and_opens_from_the_list(new_page, desk):
    cockpit = signed_in(new_page, desk.command, "/cockpit/", **BIG_SCREEN)
    row = cockpit.locator(f"#pending-list .pending-row[data-id='{desk.returned['id']}']")
    expect(row.locator(".chip-returned")).to_have_text("退单")
    expect(row.locator("[data-testid=returned]")).to_have_text("绿化市容所 李师傅 11/25 10:20 退单：建筑垃圾属城管执法范围")
    link = row.locator("a.num")
    expect(link).to_have_text(desk.returned["number"])
    expect(link).to_have_attribute("href", f"/desk/tickets/{desk.returned['id']}")
    shot(cockpit, "cockpit-returned")

    cockpit.goto(f"/desk/tickets/{desk.returned['id']}")  # where the link leads: the ticket, with the return
    wait_ready(cockpit)
    expect(cockpit.locator("[data-testid=returned-notice]")).to_have_text(
        "绿化市容所（李师傅）已于 11/25 10:20 退单，原因：建筑垃圾属城管执法范围。请核实后重新派遣。")


# --- 3. a duplicate names the ticket it joined -------------------------------------------------------------

def test_a_duplicate_report_names_and_links_the_ticket_it_joined(new_page, live_server, inspector):
    at = {"lng": XIANGYI_GPS["longitude"], "lat": XIANGYI_GPS["latitude"]}
    original = live_server.api("POST", "/api/v1/events", inspector, expect=201, json={
        "category": "exposed_garbage", "location": at, "description": "路边有一堆生活垃圾"})["ticket"]
    phone = signed_in(new_page, inspector, **PHONE)
    expect(phone.locator("#zone-name")).to_have_text("香溢片区")  # the faked GPS is in
    fill_report(phone, description="同一堆垃圾")
    phone.click("#submit-btn")
    result = phone.locator("#last-report")
    expect(result).to_contain_text(f"与已有事件重复，已合并至 {original['number']}")
    shot(phone, "m-report-duplicate")
    result.locator(".merged-link").click()
    expect(phone.locator("#detail h2")).to_have_text(original["number"])

    phone.click(".tabs [data-tab=mine]")
    card = phone.locator("#mine-list .ticket").filter(has_text="同一堆垃圾")
    expect(card.locator(".merged-link")).to_have_text(f"查看合并到的工单 {original['number']}")
    card.locator(".merged-link").click()
    expect(phone.locator("#detail h2")).to_have_text(original["number"])


# --- 4. the cockpit's map tells what a point is, and shows every ticket -------------------------------------

def test_the_map_names_each_point_separates_near_ones_and_shows_the_out_of_area_ticket(new_page, desk):
    west = min(lng for lng, _ in zone_vertices())
    outside = desk.server.api("POST", "/api/v1/events", desk.command, expect=201, json={
        "category": "other", "location": {"lng": west - 0.003, "lat": 31.2552}, "description": "片区西侧路口"})["ticket"]
    assert outside["zone"] is None
    desk.at(10, 35)
    page = signed_in(new_page, desk.command, "/cockpit/", viewport={"width": 1366, "height": 768})
    expect(page.locator("#outside-list")).to_contain_text(outside["number"])
    expect(page.locator("#outside-list")).to_contain_text("片区外 1 件")
    # the five 暴露垃圾 reports of the desk's morning, 150–300 m apart: five dots, not one
    spots = [page.evaluate("([lng, lat]) => window.cockpit.pixelOf(lng, lat)", p) for p in XIANGYI]
    gaps = [((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** .5 for i, a in enumerate(spots) for b in spots[i + 1:]]
    assert min(gaps) >= 14, gaps  # the largest dot (预警, 超期) is 10 px across
    near = page.evaluate("([lng, lat]) => window.cockpit.pixelOf(lng, lat)", [west - 0.003, 31.2552])
    box = page.locator("#map").bounding_box()
    assert box["x"] < near["x"] < box["x"] + box["width"] and box["y"] < near["y"] < box["y"] + box["height"]
    # hovering a point tells its category and state, not the zone filter's hint
    page.mouse.move(spots[2]["x"], spots[2]["y"])
    tip = page.locator("#map > div").last
    expect(tip).to_contain_text(desk.working["number"])
    expect(tip).to_contain_text("暴露垃圾")
    expect(tip).to_contain_text("处置中 · 正常")
    expect(tip).not_to_contain_text("取消筛选")
    # the 按片区 bars add up to the 上报 of the period, 片区外 included
    bars = page.evaluate("""() => {
        const option = window.echarts.getInstanceByDom(document.getElementById('chart-zone')).getOption();
        return [option.xAxis[0].data, option.series[0].data.map((d) => d.value)];
    }""")
    assert "片区外" in bars[0] and sum(bars[1]) == 6
    page.mouse.move(5, 5)
    shot(page, "cockpit-1366")


def zone_vertices():
    import json

    from tests.browser.helpers import ROOT
    with open(ROOT / "config" / "zones.geojson", encoding="utf-8") as f:
        features = json.load(f)["features"]
    return [tuple(p) for feat in features for ring in feat["geometry"]["coordinates"] for p in ring]
