"""The cockpit's map has a list alternative (accessibility): 列表 shows every point drawn as a table a keyboard
and a screen reader can use — number (opens the ticket), category, status and deadline state in words, zone."""
from __future__ import annotations

import pytest

from tests.browser.helpers import login, shot, wait_ready

WIDTHS = {375: {"width": 375, "height": 812}, 1366: {"width": 1366, "height": 768}, 1920: {"width": 1920, "height": 1080}}
REPORTS = [  # (category, lng, lat): two in 香溢, one in 中远两湾城, one outside every zone
    ("exposed_garbage", 121.4288, 31.2551), ("road_unclean", 121.4300, 31.2540),
    ("exposed_garbage", 121.4400, 31.2550), ("exposed_garbage", 121.5000, 31.3000),
]


@pytest.fixture
def street(live_server):
    command = live_server.create_user("zhx", "command", display_name="张值班")
    tickets = [live_server.api("POST", "/api/v1/events", command, expect=201, json={
        "category": category, "location": {"lng": lng, "lat": lat}, "description": "地图列表"})["ticket"]
        for category, lng, lat in REPORTS]
    return tickets


@pytest.mark.parametrize("width", WIDTHS)
def test_the_map_opens_as_a_list_from_the_keyboard(new_page, street, width):
    page = new_page(viewport=WIDTHS[width])
    login(page, "zhx")
    wait_ready(page)
    toggle = page.locator("#map-list-toggle")
    assert toggle.inner_text() == "列表"
    toggle.focus()
    page.keyboard.press("Enter")
    listing = page.get_by_role("region", name="地图上的工单（列表）")
    listing.wait_for()
    assert toggle.get_attribute("aria-expanded") == "true"
    rows = listing.locator("tbody tr")
    assert rows.count() == 4
    numbers = rows.locator("th a").all_inner_texts()
    assert numbers == sorted(t["number"] for t in street)
    out_of_area = listing.locator(f"tr[data-id='{street[3]['id']}']").inner_text()
    assert "片区外" in out_of_area and "待派遣" in out_of_area and "正常" in out_of_area  # in words, not colour alone
    assert "香溢" in listing.locator(f"tr[data-id='{street[0]['id']}']").inner_text()
    first = listing.locator("a").first
    assert first.evaluate("a => document.activeElement === a")  # the focus moves into the list
    by_number = {t["number"]: t["id"] for t in street}
    assert first.get_attribute("href") == f"/desk/tickets/{by_number[numbers[0]]}"  # opens the ticket
    shot(page, f"cockpit-map-list-{width}")
    page.keyboard.press("Escape")
    assert not listing.is_visible()
    assert toggle.evaluate("b => document.activeElement === b") and toggle.get_attribute("aria-expanded") == "false"
