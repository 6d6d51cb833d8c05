"""A day's work without friction: what a 街道 office stumbled on, each seen in a real browser.

Returned tickets say so in 待派遣; a duplicate names (and links) the ticket it joined; the cockpit's map
tells what a point is and shows every ticket; pending extensions have a queue; the desk works on a phone;
rework and long limits read plainly; one word for one deadline; pages print as a 工单.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (DESKTOP, PHONE, XIANGYI_GPS, fill_report, login, open_ticket, rows, shot, tab,
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
