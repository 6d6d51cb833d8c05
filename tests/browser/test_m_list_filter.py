"""/m/'s task lists have a filter too (issue 12: search on every list): 核查任务, 回访, 待评价 and 待发送 narrow their
cards to those whose words (number, address, description, category) contain every word typed, say so when none
do, keep it while the list reloads, and clear with Esc."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.helpers import PHONE, login, shot, wait_ready


def test_the_verify_tasks_are_filtered_on_the_phone(new_page, desk):
    for ticket in (desk.working, desk.late):  # two resolved tickets of 香溢片区: two 核查 tasks
        if ticket is desk.late:
            desk.act(ticket, "accept")
        desk.photo(ticket, desk.sanitation, "after")
        desk.act(ticket, "resolve", note="已清运")
    desk.server.create_user("xy_wang", "inspector", zone="xiangyi", display_name="王巡查")
    page = new_page(**PHONE)
    login(page, "xy_wang")
    wait_ready(page)
    page.click(".tabs [data-tab=verify]")
    cards = page.locator("#verify-list > li")
    expect(cards).to_have_count(2)
    box = page.get_by_label("筛选核查任务：编号、地址、描述、类别")
    box.fill("绿化带")  # desk.working's description: 绿化带内垃圾
    expect(page.locator("#verify-list > li:not([hidden])")).to_have_count(1)
    expect(page.locator("#verify-list > li:not([hidden])")).to_contain_text(desk.working["number"])
    box.fill(desk.late["number"][-4:])  # a number's tail
    expect(page.locator("#verify-list > li:not([hidden])")).to_contain_text(desk.late["number"])
    box.fill("绿化带 多日")  # every word must match: none does
    none = page.locator("#tab-verify [data-testid=list-find-none]")
    expect(none).to_have_text("无匹配：2 项均不含“绿化带 多日”")
    shot(page, "m-verify-filter-375")
    page.click("#verify-refresh")  # the list reloads: the filter stays
    expect(none).to_be_visible()
    box.press("Escape")
    expect(page.locator("#verify-list > li:not([hidden])")).to_have_count(2)
    expect(none).to_be_hidden()
