"""Search and export outside the desk: the cockpit's 查找 and 导出评价, /m/'s 我的上报 search; the printable 工单."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, copy_to_docs, login, shot, wait_ready

SIZES = {"phone": {"width": 375, "height": 812}, "laptop": {"width": 1366, "height": 768},
         "wide": {"width": 1920, "height": 1080}}
REPORTS = (("exposed_garbage", (121.4288, 31.2551), "垃圾桶满溢 3号楼"),
           ("exposed_garbage", (121.4300, 31.2530), "黑色垃圾袋若干"),
           ("other", (121.4360, 31.2640), "路灯不亮"))


@pytest.fixture
def cast(live_server, inspector):
    command = live_server.create_user("zhang_cmd", "command", display_name="张指挥")
    tickets = [live_server.api("POST", "/api/v1/events", inspector, expect=201, json={
        "category": category, "location": {"lng": lng, "lat": lat}, "description": text})["ticket"]
        for category, (lng, lat), text in REPORTS]
    return {"command": command, "inspector": inspector, "tickets": tickets}


def test_the_cockpit_finds_a_ticket_by_number_or_words(new_page, cast):
    page = new_page(viewport=SIZES["wide"])
    login(page, cast["command"]["username"])
    wait_ready(page)
    number = cast["tickets"][1]["number"]
    page.get_by_test_id("cockpit-search").fill(number.lower())
    with page.expect_navigation():
        page.get_by_test_id("cockpit-search").press("Enter")
    assert page.url.endswith(f"/desk/tickets/{number}")
    page.goto("/cockpit/")
    wait_ready(page)
    page.get_by_test_id("cockpit-search").fill("垃圾")
    with page.expect_navigation():
        page.get_by_test_id("cockpit-search").press("Enter")
    wait_ready(page)
    expect(page.locator(".desk-tabs [data-queue=all]")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#queue-list tbody tr")).to_have_count(2)
    expect(page.get_by_label("搜索", exact=True)).to_have_value("垃圾")


def test_the_cockpit_downloads_the_evaluation_of_the_zone_it_shows(new_page, cast):
    page = new_page(viewport=SIZES["wide"])
    login(page, cast["command"]["username"])
    wait_ready(page)
    with page.expect_download() as download:
        page.get_by_test_id("stats-xlsx").click()
    assert "zone=" not in download.value.url
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert book["评价"]["A1"].value == "部门" and book["说明"]["A1"].value == "统计期间(起)"
    assert [c.value for c in list(book["评价"].iter_rows())[-1]][:2] == ["合计", 3]
    page.locator("#zone-bar [data-zone=xiangyi]").click()
    expect(page.locator("body")).to_have_attribute("data-zone", "xiangyi")
    with page.expect_download() as download:
        page.get_by_test_id("stats-xlsx").click()
    assert "zone=xiangyi" in download.value.url and download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    total = [c.value for c in list(book["评价"].iter_rows())[-1]]
    assert total[:2] == ["合计", 2]  # 香溢片区's two reports, not the street's three


@pytest.mark.parametrize("size", ["laptop", "wide"])
def test_cockpit_header_screenshots(new_page, cast, size):
    page = new_page(viewport=SIZES[size])
    login(page, cast["command"]["username"])
    wait_ready(page)
    expect(page.get_by_test_id("cockpit-search")).to_be_visible()
    expect(page.get_by_test_id("stats-xlsx")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]  # nothing past the edge
    shot(page, f"cockpit-tools-{size}")


def test_my_reports_on_the_phone_are_searchable(new_page, cast):
    page = new_page(**PHONE)
    login(page, cast["inspector"]["username"])
    wait_ready(page)
    page.click(".tabs [data-tab=mine]")
    items = page.locator("#mine-list .ticket")
    expect(items).to_have_count(3)
    page.get_by_label("搜索我的上报").fill("路灯")
    page.get_by_label("搜索我的上报").press("Enter")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("路灯不亮")
    expect(page.locator("#mine-total")).to_have_text("查到 1 条")
    page.get_by_label("搜索我的上报").fill(cast["tickets"][0]["number"][-4:] + " 3号楼")
    page.get_by_label("搜索我的上报").press("Enter")
    expect(items).to_have_count(1)
    page.get_by_label("搜索我的上报").fill("")
    page.get_by_label("状态", exact=True).select_option("pending_dispatch")  # 路灯不亮: 其他 waits for dispatch
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("待派遣")
    page.get_by_label("状态", exact=True).select_option("closed")
    expect(items).to_have_count(0)
    expect(page.locator("#mine-empty")).to_have_text("没有符合条件的上报")
    page.get_by_label("状态", exact=True).select_option("")
    expect(items).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    copy_to_docs(shot(page, "m-mine-search"), "m-mine-search.png")


@pytest.mark.parametrize("size", list(SIZES))
def test_a_ticket_prints_as_an_a4_work_order(new_page, cast, size):
    ticket = cast["tickets"][0]
    page = new_page(viewport=SIZES[size])
    login(page, cast["command"]["username"], next_path=f"/desk/tickets/{ticket['number']}")
    wait_ready(page)
    expect(page.get_by_test_id("print")).to_be_visible()
    page.emulate_media(media="print")
    for hidden in (".navbar", "#print-btn", "#ticket-actions"):
        for node in page.locator(hidden).all():
            expect(node).to_be_hidden()
    expect(page.locator(".print-title")).to_be_visible()
    for part in ("#ticket-info", "#ticket-deadlines", "#ticket-photos", "#ticket-timeline"):
        expect(page.locator(part)).to_be_visible()
    expect(page.locator("#ticket-info")).to_contain_text("垃圾桶满溢 3号楼")
    expect(page.locator("#ticket-timeline")).to_contain_text("上报")
    shot(page, f"ticket-print-{size}")
    if size == "wide":
        pdf = page.pdf(format="A4", print_background=False)
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
