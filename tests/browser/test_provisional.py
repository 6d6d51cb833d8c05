"""预计: a deadline counted over a year with no official holiday schedule says so on every page that shows it —
the desk's list and ticket page, the phone's 我的上报 and its detail — and the cockpit says how many there are."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (PHONE, XIANGYI, Clock, local, login, open_ticket, rows, shot, tab,
                                   wait_ready)

WIDTHS = {"phone": {"width": 375, "height": 812}, "laptop": {"width": 1366, "height": 900},
          "wall": {"width": 1920, "height": 1080}}


@pytest.fixture
def provisional(live_server, inspector):
    """A 私搭乱建 case reported on Sunday 2026-12-20 by 王巡查: 20 WD to clear, into January 2027."""
    if live_server.app.extensions["street_config"].calendar.source(2027) != "provisional":
        pytest.skip("the installed chinesecalendar knows 2027: nothing is provisional")
    live_server.app.config["CLOCK"] = Clock(local(2026, 12, 20, 10, 0))
    lng, lat = XIANGYI[0]
    ticket = live_server.api("POST", "/api/v1/events", inspector, expect=201, json={
        "category": "illegal_construction", "location": {"lng": lng, "lat": lat}, "description": "屋顶搭建彩钢棚"})["ticket"]
    assert ticket["deadlines"]["resolve"]["provisional"] is True
    return ticket


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_desk_marks_a_provisional_deadline(new_page, live_server, provisional, width):
    chengguan = live_server.create_user("cg_zhao", "department", department="chengguan", display_name="赵队")
    page = new_page(viewport=WIDTHS[width])
    login(page, chengguan["username"])
    wait_ready(page)
    expect(tab(page, "pending").locator(".count")).to_have_text("1")
    expect(rows(page).first).to_contain_text("（预计）")  # the resolve column: time left, counted provisionally
    open_ticket(page, provisional)
    due = page.locator(".deadline[data-kind=resolve] .due")
    expect(due).to_have_text("截止 01/18 17:30（预计）")
    expect(due).to_have_attribute("title", "预计：该年度节假日安排尚未公布，按放假办法推算，公布后自动重算")
    expect(page.locator(".deadline[data-kind=response] .due")).not_to_contain_text("预计")  # Monday: 2026 is known
    # the marked deadline fits the screen, a phone's too
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
    shot(page, f"desk-ticket-provisional-{width}")


def test_the_phone_marks_it_in_the_list_and_the_detail(new_page, live_server, inspector, provisional):
    phone = new_page(**PHONE)
    login(phone, inspector["username"])
    wait_ready(phone)
    phone.click("[data-tab=mine]")
    card = phone.locator("#mine-list li").first
    expect(card).to_contain_text("01/18 17:30（预计）")
    card.locator(".ticket-open").click()
    expect(phone.locator("#detail")).to_contain_text("2027/01/18 17:30（预计）")
    shot(phone, "m-detail-provisional")


def test_the_cockpit_counts_the_tickets_with_provisional_deadlines(new_page, live_server, provisional):
    command = live_server.create_user("zhang_cmd", "command", display_name="张指挥")
    page = new_page(viewport=WIDTHS["wall"])
    login(page, command["username"])
    wait_ready(page)
    expect(page.locator("#banner")).to_have_text(
        "⚠ 2027年节假日尚无官方安排：1 张在办工单的时限为预计（按放假办法推算，未含调休），补充日历后自动重算")
    shot(page, "cockpit-provisional")
