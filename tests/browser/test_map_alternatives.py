"""Every map has a non-map alternative (issue 12, accessibility): the desk's ticket page says the place in words
under its map (address, zone and 居民区, coordinates, the reported system's), and /m/ takes a location without the
map — coordinates typed or pasted, in the system of the app they came from (GPS, 高德, 百度) — checked like a tap."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHOTO, SCREENSHOTS, copy_to_docs, login, my_tickets, shot, wait_ready

WIDTHS = {375: {"width": 375, "height": 812}, 1366: {"width": 1366, "height": 768}, 1920: {"width": 1920, "height": 1080}}
GCJ02_XIANGYI = (121.43363, 31.25316)  # docs/api.md's example: 121.42900, 31.25500 in WGS-84, in 香溢片区


@pytest.fixture
def tickets(live_server):
    """One ticket reported in GCJ-02 with an address in 香溢片区, one far outside every zone."""
    command = live_server.create_user("zhx", "command", display_name="张值班")
    inside = live_server.api("POST", "/api/v1/events", command, expect=201, json={
        "category": "exposed_garbage", "location": {"lng": GCJ02_XIANGYI[0], "lat": GCJ02_XIANGYI[1], "crs": "gcj02"},
        "description": "宜川路口绿化带边暴露垃圾一堆", "address": "宜川路 300 号旁"})["ticket"]
    outside = live_server.api("POST", "/api/v1/events", command, expect=201, json={
        "category": "exposed_garbage", "location": {"lng": 121.5000, "lat": 31.3000},
        "description": "片区外的垃圾"})["ticket"]
    return inside, outside


@pytest.mark.parametrize("width", WIDTHS)
def test_the_ticket_page_says_its_place_in_words(new_page, tickets, width):
    inside, outside = tickets
    page = new_page(viewport=WIDTHS[width])
    login(page, "zhx", next_path=f"/desk/tickets/{inside['id']}")
    wait_ready(page)
    place = page.locator("[data-testid=place-text]")
    expect(place).to_contain_text("地址宜川路 300 号旁")
    expect(place).to_contain_text("片区香溢片区")
    lng, lat = inside["location"]["lng"], inside["location"]["lat"]
    expect(place).to_contain_text(f"坐标经度 {lng:.5f}，纬度 {lat:.5f}（WGS-84）")
    expect(place).to_contain_text("上报坐标经度 121.43363，纬度 31.25316（GCJ-02）")
    expect(page.locator("#ticket-map")).to_have_attribute("aria-describedby", "ticket-place")
    path = shot(page, f"desk-ticket-place-{width}")
    if width == 1366:
        copy_to_docs(path, "desk-ticket-place.png")
    page.goto(f"/desk/tickets/{outside['id']}")
    wait_ready(page)
    expect(place).to_contain_text("片区片区外（距最近片区")
    expect(place).to_contain_text("地址未填写")


def test_m_takes_a_location_typed_without_the_map(new_page, live_server, inspector):
    page = new_page(viewport=WIDTHS[375])  # no GPS permission and no tap on the map
    login(page, inspector["username"])
    wait_ready(page)
    page.get_by_text("不用地图：输入坐标").click()
    lng = page.get_by_label("经度")
    lng.fill("31.2551")
    page.get_by_label("纬度").fill("121.4288")
    page.get_by_role("button", name="使用此坐标").click()
    expect(page.locator("#manual-error")).to_have_text("经度和纬度填反了：经度约 121，纬度约 31")
    expect(page.locator("#loc-text")).to_have_text("尚未定位")
    # a pair pasted into 经度, from 高德 (GCJ-02), Enter: converted by the server like a report
    page.get_by_label("纬度").fill("")
    lng.fill(f"{GCJ02_XIANGYI[0]},{GCJ02_XIANGYI[1]}")
    page.get_by_label("坐标来源").select_option("gcj02")
    lng.press("Enter")
    expect(page.locator("#manual-error")).to_be_hidden()
    expect(page.locator("#loc-text")).to_have_text("经度 121.43363，纬度 31.25316（手工输入，GCJ-02）")
    expect(page.locator("#zone-name")).to_have_text("香溢片区")
    expect(page.locator("#last-report")).to_be_hidden()  # Enter did not send the report
    shot(page, "m-location-typed-375")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    part = SCREENSHOTS / "m-location-typed-part-375.png"
    page.evaluate("window.scrollTo(0, 0)")  # the 位置 step only, clipped from the whole page (no sticky tabs over it)
    page.screenshot(path=str(part), full_page=True,
                    clip=page.locator("fieldset", has=page.locator("#loc-manual")).bounding_box())
    copy_to_docs(part, "m-location-typed.png")

    page.click("#categories .cat[data-slug=exposed_garbage]")
    page.set_input_files("#photo", files=[PHOTO])
    page.fill("#description", "无地图上报：路边垃圾")
    page.fill("#address", "宜川路 300 号旁")
    page.click("#submit-btn")
    expect(page.locator("#last-report")).to_contain_text("上报成功")
    [ticket] = my_tickets(live_server, inspector)
    assert ticket["original_location"] == {"lng": GCJ02_XIANGYI[0], "lat": GCJ02_XIANGYI[1], "crs": "gcj02"}
    assert ticket["zone"] == "xiangyi"
