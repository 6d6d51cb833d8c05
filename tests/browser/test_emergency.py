"""应急指挥 in a real browser: the cockpit's emergency layout and its switch, declaring from the cockpit, the
desk's 到岗 banner, and the 复盘 page on screen and as printed (A4) — screenshots at 375, 1366 and 1920 px."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import copy_to_docs, local, login, next_poll, shot, wait_ready
from tests.helpers import Clock

NOW = local(2026, 11, 25, 9, 0)  # a Wednesday morning: the rain starts
XIANGYI = [(121.4287, 31.2553), (121.4300, 31.2545), (121.4276, 31.2560)]
ZHONGYUAN = (121.440, 31.255)
WIDTHS = {"1920": {"width": 1920, "height": 1080}, "1366": {"width": 1366, "height": 768},
          "375": {"width": 375, "height": 812}}


class Flood:
    """A command center, 城建中心 and an inspector; the clock; reports and the emergency made through the API."""

    def __init__(self, server):
        self.server = server
        self.clock = Clock(NOW)
        server.app.config["CLOCK"] = self.clock
        self.command = server.create_user("zhang_cmd", "command", display_name="张指挥")
        self.city_works = server.create_user("cw_chen", "department", department="city_works", display_name="陈工")
        self.inspector = server.create_user("xy_wang", "inspector", zone="xiangyi", display_name="王巡查")

    def later(self, minutes: float) -> None:
        self.clock.set(self.clock() + timedelta(minutes=minutes))

    def report(self, category: str, at, description: str) -> dict:
        return self.server.api("POST", "/api/v1/events", self.inspector, expect=201, json={
            "category": category, "location": {"lng": at[0], "lat": at[1]}, "description": description})["ticket"]

    def declare(self, **body) -> dict:
        return self.server.api("POST", "/api/v1/emergencies", self.command, expect=201, json={
            "plan": "flood", "level": 3, "zones": ["xiangyi"], "note": "台风过境，启动防汛三级响应", **body})["emergency"]

    def sweep(self) -> None:
        from dispatch.emergency.scheduled import checkin_sweep

        checkin_sweep(self.server.app, now=self.clock())


@pytest.fixture
def flood(live_server) -> Flood:
    return Flood(live_server)


def an_hour_of_rain(flood: Flood) -> dict:
    """A flooded underpass reported before the declaration, the emergency, three reports in it, one outside."""
    earlier = flood.report("road_flooding", XIANGYI[0], "宜川路下立交积水约 20 厘米")
    flood.later(10)
    emergency = flood.declare()
    flood.later(5)
    flood.report("road_flooding", XIANGYI[1], "香溢花城南门积水")
    flood.later(12)
    flood.report("fallen_cable", XIANGYI[2], "大风吹落架空线，垂至人行道")
    flood.report("road_flooding", ZHONGYUAN, "中远两湾城积水（不在应急范围）")
    flood.later(8)
    flood.server.api("POST", f"/api/v1/emergencies/{emergency['id']}/checkin", flood.city_works, expect=200)
    flood.later(22)
    flood.sweep()  # the other four departments are late: escalated
    return {"emergency": emergency, "earlier": earlier}


def open_cockpit(new_page, flood, viewport, query: str = "", *, fake_timers: bool = False):
    page = new_page(viewport=viewport)
    if fake_timers:  # the page's timers on page.clock: a test runs its polls instead of waiting for them
        page.clock.install()
    login(page, flood.command["username"], next_path="/cockpit/" + query)
    wait_ready(page)
    return page


def test_the_cockpit_switches_to_the_emergency_layout_and_back(new_page, flood):
    data = an_hour_of_rain(flood)
    emergency = data["emergency"]
    page = open_cockpit(new_page, flood, WIDTHS["1920"])
    body = page.locator("body")
    expect(body).to_have_attribute("data-mode", "emergency")
    expect(page.locator("#em-view")).to_be_visible()
    expect(page.locator("#kpis")).to_be_hidden()
    expect(page.locator("#em-title")).to_have_text("防汛防台 Ⅲ级")
    expect(page.locator("#em-area")).to_have_text("范围：香溢片区")
    expect(page.locator("#em-elapsed")).to_have_text("47分")  # declared at 09:10, the clock says 09:57
    expect(page.locator("#em-total")).to_have_text("2")
    # its tickets by age, oldest first; the one outside its area is not there, the earlier one may be pulled in
    rows = page.locator("#em-tickets .em-ticket")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("道路/小区积水")
    expect(rows.first.locator(".age")).to_have_text("已42分")
    expect(page.locator("#em-candidates .em-ticket")).to_have_count(1)
    expect(page.locator("#em-candidates")).to_contain_text(data["earlier"]["number"])
    # 到岗: 城建中心 in time, the others late and escalated
    checkins = page.locator("#em-checkins .em-checkin")
    expect(checkins).to_have_count(5)
    expect(page.locator("#em-checkins [data-department=city_works]")).to_contain_text("已到岗 11/25 09:35")
    expect(page.locator("#em-checkins [data-department=river_office]")).to_contain_text("未到岗 · 已超时升级")
    expect(page.locator("#em-log .em-log-row").first).to_contain_text("到岗超时升级")
    expect(page.locator("#em-map canvas").first).to_be_visible()
    expect(body).to_have_attribute("data-em-points", "2")
    assert page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]") \
        == [1920, 1080]
    page.wait_for_timeout(300)
    copy_to_docs(shot(page, "cockpit-emergency-1920"), "cockpit-emergency.png")

    # 纳入: the earlier report joins, with the 预案's limits
    page.locator("#em-candidates .em-mini").click()
    expect(rows).to_have_count(3)
    expect(page.locator("#em-candidates .em-ticket")).to_have_count(0)
    pulled = flood.server.api("GET", f"/api/v1/tickets/{data['earlier']['id']}", flood.command, expect=200)["ticket"]
    assert pulled["emergency"]["id"] == emergency["id"]
    assert pulled["deadlines"]["resolve"]["limit"] == "2 NH"

    # the daily layout is one click away, and back
    page.click("#mode-switch")
    expect(body).to_have_attribute("data-mode", "daily")
    expect(page.locator("#kpis")).to_be_visible()
    expect(page.locator("#em-view")).to_be_hidden()
    expect(page.locator("#mode-switch")).to_contain_text("应急视图")
    page.wait_for_timeout(200)
    expect(page.locator("#map canvas").first).to_be_visible()
    page.click("#mode-switch")
    expect(body).to_have_attribute("data-mode", "emergency")


def test_a_second_screen_keeps_the_daily_view(new_page, flood):
    an_hour_of_rain(flood)
    page = open_cockpit(new_page, flood, WIDTHS["1920"], "?mode=daily", fake_timers=True)
    expect(page.locator("body")).to_have_attribute("data-mode", "daily")
    expect(page.locator("#kpis")).to_be_visible()
    expect(page.locator("#mode-switch")).to_be_hidden()
    next_poll(page).response()
    next_poll(page)  # timed once the poll before has been drawn: a poll later it still does not switch
    expect(page.locator("body")).to_have_attribute("data-mode", "daily")


@pytest.mark.parametrize("width", ["1366", "375"])
def test_the_emergency_layout_fits_smaller_screens(new_page, flood, width):
    an_hour_of_rain(flood)
    page = open_cockpit(new_page, flood, WIDTHS[width])
    expect(page.locator("body")).to_have_attribute("data-mode", "emergency")
    expect(page.locator("#em-tickets .em-ticket")).to_have_count(2)
    page.wait_for_timeout(300)
    # nothing wider than the screen
    assert page.evaluate("() => document.documentElement.scrollWidth") == WIDTHS[width]["width"]
    for locator in ("#em-title", "#em-end", "#em-checkins", "#em-tickets"):
        box = page.locator(locator).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS[width]["width"] + 1, locator
    shot(page, f"cockpit-emergency-{width}")


def test_declaring_from_the_cockpit(new_page, flood):
    page = open_cockpit(new_page, flood, WIDTHS["1366"])
    expect(page.locator("body")).to_have_attribute("data-mode", "daily")
    expect(page.locator("#mode-switch")).to_be_hidden()
    page.click("#declare-open")
    page.select_option("#declare-plan", "fire")
    expect(page.locator("#declare-plan-info")).to_contain_text("占用消防通道")
    page.select_option("select[name=level]", "2")
    page.uncheck("#declare-all")
    page.check("#declare-zones input[data-zone=jiaoxi]")
    page.fill("textarea[name=note]", "交西片区居民楼火情")
    shot(page, "cockpit-declare-1366")
    page.click("#declare-submit")
    expect(page.locator("body")).to_have_attribute("data-mode", "emergency")
    expect(page.locator("#em-title")).to_have_text("火灾 Ⅱ级")
    expect(page.locator("#em-area")).to_have_text("范围：交西片区")
    expect(page.locator("#em-checkins .em-checkin")).to_have_count(3)
    # 升级 to Ⅰ级 from the header
    page.select_option("#em-level", "1")
    page.click("#em-level-set")
    expect(page.locator("#em-title")).to_have_text("火灾 Ⅰ级")


@pytest.mark.parametrize("width", ["375", "1366"])
def test_a_department_reports_on_duty_from_its_desk(new_page, flood, width):
    flood.declare()
    flood.report("road_flooding", XIANGYI[1], "香溢花城南门积水")
    page = new_page(viewport=WIDTHS[width])
    login(page, flood.city_works["username"])
    expect(page.locator("#queue-list [data-testid=emergency-chip]")).to_have_count(1)  # its ticket, flagged 应急
    banner = page.locator("#checkin-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("防汛防台 Ⅲ级 应急响应中（香溢片区）：请城建中心于 11/25 09:30 前到岗")
    assert page.evaluate("() => document.documentElement.scrollWidth") == WIDTHS[width]["width"]
    path = shot(page, f"desk-checkin-{width}")
    if width == "375":
        copy_to_docs(path, "desk-checkin.png")
    flood.later(7)
    page.click("[data-testid=checkin-button]")
    expect(banner).to_be_hidden()
    shown = flood.server.api("GET", "/api/v1/emergencies?status=active", flood.command, expect=200)["data"][0]
    done = next(c for c in shown["checkins"] if c["department"] == "city_works")
    assert done["checked_in_at"] and done["late"] is False


def test_the_review_page_prints_as_an_a4_sheet(new_page, flood):
    data = an_hour_of_rain(flood)
    emergency = data["emergency"]
    flood.later(60)
    flood.server.api("POST", f"/api/v1/emergencies/{emergency['id']}/end", flood.command, expect=200,
                     json={"note": "降雨结束，解除防汛三级响应"})
    page = new_page(viewport=WIDTHS["1366"])
    login(page, flood.command["username"], next_path=f"/cockpit/emergencies/{emergency['id']}/review")
    expect(page.locator("h1")).to_have_text("应急处置复盘 · 防汛防台 Ⅲ级")
    expect(page.locator(".review-state")).to_have_text("复盘（最终）")
    expect(page.locator("[data-testid=review-tickets] tbody tr")).to_have_count(2)
    expect(page.locator("[data-testid=review-checkins] tbody tr")).to_have_count(5)
    expect(page.locator("[data-testid=review-log] tbody tr").last).to_contain_text("结束应急")
    expect(page.locator(".review-facts")).to_contain_text("1小时47分")
    shot(page, "emergency-review-1366")
    phone = new_page(viewport=WIDTHS["375"])
    login(phone, flood.command["username"], next_path=f"/cockpit/emergencies/{emergency['id']}/review")
    assert phone.evaluate("() => document.documentElement.scrollWidth") == 375
    shot(phone, "emergency-review-375")
    # printed: A4, no buttons, no navigation bar, Chinese text rendered (fonts-noto-cjk)
    page.emulate_media(media="print")
    expect(page.locator(".review-tools")).to_be_hidden()
    expect(page.locator(".navbar")).to_be_hidden()
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    copy_to_docs(shot(page, "emergency-review-print"), "emergency-review.png")
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    xlsx = page.request.get(f"/api/v1/emergencies/{emergency['id']}/review.xlsx")
    assert xlsx.ok and xlsx.body()[:2] == b"PK"
