"""/desk/ as the command center: 挂账 with a reason, the 挂账 tab, 恢复, 作废 with a reason and a confirmation."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP, action_buttons, login, open_ticket, rows, shot, tab, wait_ready


@pytest.fixture
def command_page(new_page, desk):
    page = new_page(**DESKTOP)
    login(page, desk.command["username"], next_path="/desk/")
    wait_ready(page)
    return page


def test_suspend_find_in_the_suspended_tab_and_resume(command_page, desk):
    page = command_page
    open_ticket(page, desk.working)  # 处置中 at 绿化市容所
    assert action_buttons(page) == ["吹哨", "催办", "改派", "督办", "挂账", "作废"]
    page.click("#ticket-actions button[data-action=suspend]")
    form = page.locator("form[data-form=suspend]")
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-error")).to_have_text("请填写挂账原因")
    form.locator("textarea").fill("需园林部门会商后处置")
    form.locator("button[type=submit]").click()
    expect(page.locator("#ticket-badges .status")).to_have_text("挂账")
    expect(page.locator("[data-testid=suspended-notice]")).to_contain_text("需园林部门会商后处置")
    expect(page.locator(".deadline[data-kind=resolve]")).to_contain_text("挂账暂停")
    assert action_buttons(page) == ["恢复", "作废"]
    assert desk.get(desk.working)["status"] == "suspended"
    shot(page, "desk-ticket-suspended")

    # The ticket has left 处置中; the command center finds it in 挂账 (linked from the cockpit too).
    page.goto("/cockpit/")
    with page.expect_navigation():
        page.click("[data-testid=suspended-link]")
    wait_ready(page)
    expect(tab(page, "suspended")).to_have_attribute("aria-selected", "true")
    expect(tab(page, "suspended").locator(".count")).to_have_text("1")
    row = rows(page).first
    expect(row).to_contain_text(desk.working["number"])
    expect(row).to_contain_text("需园林部门会商后处置")
    expect(row).to_contain_text("处置中 · 绿化市容所")
    shot(page, "desk-suspended")
    with page.expect_navigation():
        row.get_by_role("link", name="恢复 / 作废").click()
    wait_ready(page)
    page.click("#ticket-actions button[data-action=resume]")
    expect(page.locator("#ticket-badges .status")).to_have_text("处置中")
    assert desk.get(desk.working)["status"] == "in_progress"
    expect(page.locator("#ticket-timeline")).to_contain_text("恢复")

    page.goto("/desk/#suspended")
    wait_ready(page)
    expect(page.locator("#queue-list .empty")).to_have_text("没有挂账的工单")


def test_cancel_needs_a_reason_and_a_confirmation(command_page, desk):
    page = command_page
    dialogs = []
    open_ticket(page, desk.late)
    page.click("#ticket-actions button[data-action=cancel]")
    form = page.locator("form[data-form=cancel]")
    expect(form).to_contain_text("作废后工单结束，不能恢复")
    form.get_by_role("button", name="确认作废").click()
    expect(form.locator(".form-error")).to_have_text("请填写作废原因")
    form.locator("textarea").fill("现场核实无此问题")

    page.once("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))  # 取消: nothing happens
    form.get_by_role("button", name="确认作废").click()
    page.wait_for_timeout(300)
    assert dialogs and desk.late["number"] in dialogs[0]
    assert desk.get(desk.late)["status"] == "dispatched"

    page.once("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    form.get_by_role("button", name="确认作废").click()
    expect(page.locator("#ticket-badges .status")).to_have_text("已作废")
    expect(page.locator("[data-testid=no-actions]")).to_be_visible()
    cancelled = desk.get(desk.late)
    assert cancelled["status"] == "cancelled"
    assert cancelled["timeline"][-1]["action"] == "cancel" and cancelled["timeline"][-1]["note"] == "现场核实无此问题"


def test_a_department_sees_no_command_actions_and_no_suspended_tab(new_page, desk):
    desk.server.api("POST", f"/api/v1/tickets/{desk.working['id']}/actions", desk.command, expect=200,
                    json={"action": "suspend", "reason": "待会商"})
    page = new_page(**DESKTOP)
    login(page, desk.sanitation["username"])
    page.goto("/desk/#suspended")
    wait_ready(page)
    expect(page.locator(".desk-tabs [data-queue=suspended]")).to_have_count(0)
    expect(tab(page, "pending")).to_have_attribute("aria-selected", "true")
    open_ticket(page, desk.working)
    expect(page.locator("[data-testid=no-actions]")).to_be_visible()
    expect(page.locator("[data-testid=suspended-notice]")).to_contain_text("待会商")
