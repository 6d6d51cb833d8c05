"""/desk/'s lists in a real browser: search and filters, 历史, export, open by number, the keyboard."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.helpers import copy_to_docs, login, rows, shot, tab, wait_ready

WIDTHS = {"phone": {"width": 375, "height": 812}, "laptop": {"width": 1366, "height": 768},
          "wide": {"width": 1920, "height": 1080}}


def close(desk, ticket) -> None:
    """Sign for, resolve with an after photo and verify `ticket` (as sanitation, then the command center)."""
    if desk.get(ticket)["status"] == "dispatched":
        desk.act(ticket, "accept")
    desk.photo(ticket, desk.sanitation, "after")
    desk.act(ticket, "resolve")
    desk.server.api("POST", f"/api/v1/tickets/{ticket['id']}/actions", desk.command, expect=200,
                    json={"action": "verify", "passed": True})


def open_desk(new_page, desk, size: str, path: str = "/desk/"):
    page = new_page(viewport=WIDTHS[size])
    login(page, desk.sanitation["username"], next_path=path)
    wait_ready(page)
    return page


def test_search_narrows_the_queue_and_survives_a_reload(new_page, desk):
    page = open_desk(new_page, desk, "laptop")
    expect(rows(page)).to_have_count(3)
    page.get_by_label("搜索", exact=True).fill("满地")
    page.get_by_label("搜索", exact=True).press("Enter")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(desk.warning["number"])
    expect(tab(page, "pending").locator(".count")).to_have_text("1")
    expect(page.locator(".filter-note")).to_have_text("按条件筛选，本队列 1 条")
    assert "q=%E6%BB%A1%E5%9C%B0" in page.url
    page.reload()
    wait_ready(page)
    expect(page.get_by_label("搜索", exact=True)).to_have_value("满地")
    expect(rows(page)).to_have_count(1)
    # a filter that matches nothing says so
    page.get_by_label("搜索", exact=True).fill("不存在的词")
    page.get_by_label("搜索", exact=True).press("Enter")
    expect(page.locator("#queue-list .empty")).to_have_text("没有符合条件的工单")
    page.get_by_test_id("filter-reset").click()
    expect(rows(page)).to_have_count(3)
    expect(page.get_by_label("搜索", exact=True)).to_have_value("")


def test_history_tab_lists_closed_tickets_searchable_and_exports_them(new_page, desk):
    close(desk, desk.working)
    page = open_desk(new_page, desk, "laptop")
    tab(page, "history").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(desk.working["number"])
    expect(rows(page).first).to_contain_text("已结案")
    expect(page.get_by_test_id("page-info")).to_have_text("第 1 / 1 页 · 共 1 条")
    expect(page.get_by_label("状态", exact=True)).to_be_visible()
    assert page.locator("#f-status option").all_inner_texts() == ["全部状态", "已结案", "已作废"]
    assert page.url.endswith("#history")
    # the export link carries the tab and the filters
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert download.value.suggested_filename.endswith(".xlsx")
    assert [c.value for c in book["工单清单"]["A"]][1:] == [desk.working["number"]]
    page.get_by_label("搜索", exact=True).fill("没有这个")
    page.get_by_label("搜索", exact=True).press("Enter")
    expect(rows(page)).to_have_count(0)
    expect(page.locator("#queue-list .empty")).to_have_text("没有符合条件的工单")
    href = page.get_by_test_id("export-csv").get_attribute("href")
    assert "tab=history" in href and "format=csv" in href and "q=" in href


def test_rows_and_tabs_work_with_the_keyboard(new_page, desk):
    page = open_desk(new_page, desk, "laptop")
    tab(page, "pending").focus()
    page.keyboard.press("ArrowRight")
    expect(tab(page, "in_progress")).to_be_focused()
    expect(tab(page, "in_progress")).to_have_attribute("aria-selected", "true")
    expect(rows(page)).to_have_count(1)
    row = rows(page).first
    row.focus()
    expect(row).to_be_focused()
    outline = row.evaluate("r => getComputedStyle(r).outlineStyle")
    assert outline != "none"  # focus is visible
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/desk/tickets/{desk.working['id']}")
    wait_ready(page)


def test_open_a_ticket_by_its_number(new_page, desk):
    page = open_desk(new_page, desk, "laptop")
    page.get_by_label("按编号打开", exact=True).fill(desk.late["number"].lower())
    with page.expect_navigation():
        page.get_by_label("按编号打开", exact=True).press("Enter")
    assert page.url.endswith(f"/desk/tickets/{desk.late['number']}")
    wait_ready(page)
    expect(page.get_by_test_id("ticket-number")).to_have_text(desk.late["number"])
    page.goto("/desk/tickets/YC-20261125-0099")
    expect(page.locator("body")).to_contain_text("没有编号为 YC-20261125-0099 的工单")


def test_state_is_told_by_words_and_an_icon_not_colour_alone(new_page, desk):
    page = open_desk(new_page, desk, "laptop")
    late = rows(page).filter(has_text=desk.late["number"])
    expect(late.locator(".chip.state")).to_have_text("⚠已超期")
    expect(late.locator(".chip.status")).to_have_text("已派遣")
    # every input of the filter form has a label
    for control in page.locator("#list-filters input, #list-filters select").all():
        assert control.evaluate("c => c.labels.length") == 1, control.get_attribute("name")


@pytest.mark.parametrize("size", list(WIDTHS))
def test_screenshots(new_page, desk, size):
    close(desk, desk.working)
    page = open_desk(new_page, desk, size)
    page.goto("/desk/?q=%E5%9E%83%E5%9C%BE&zone=xiangyi")  # a shared link: the filters come from the URL
    wait_ready(page)
    expect(page.get_by_label("搜索", exact=True)).to_have_value("垃圾")
    expect(page.get_by_label("片区", exact=True)).to_have_value("xiangyi")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTHS[size]["width"], f"the page is {width} px wide"
    path = shot(page, f"desk-search-{size}")
    if size == "laptop":
        copy_to_docs(path, "desk-search.png")
    tab(page, "history").click()
    expect(rows(page)).to_have_count(1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTHS[size]["width"], f"the history tab is {width} px wide"
    path = shot(page, f"desk-history-{size}")
    if size == "laptop":
        copy_to_docs(path, "desk-history.png")
