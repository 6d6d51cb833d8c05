"""吹哨报到 in a real browser: the command center whistles from the ticket page, an assisting department
checks in and finishes its part from the desk's 协办 queue, a late one is marked on the ticket page and the
cockpit, the command center closes a task. Screenshots at 375, 1366 and 1920 px wide."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP, copy_to_docs, login, open_ticket, rows, shot, tab, wait_ready

PHONE = {"viewport": {"width": 375, "height": 812}}
WIDE = {"viewport": {"width": 1920, "height": 1080}}


@pytest.fixture
def joint(live_server, desk):
    """The desk's morning plus 派出所 and 房管办 users."""
    desk.police = live_server.create_user("pcs_zhao", "department", department="police", display_name="赵警官")
    desk.housing = live_server.create_user("fgb_qian", "department", department="housing", display_name="钱科员")
    return desk


def signed_in(new_page, user: dict, path: str, **options):
    page = new_page(**(options or DESKTOP))
    login(page, user["username"], next_path=path)
    wait_ready(page)
    return page


def whistle(page, assists: list[tuple[str, str]]) -> None:
    """Fill and send the 吹哨 form of the open ticket page."""
    page.click("#ticket-actions button[data-action=whistle]")
    form = page.locator("form[data-form=whistle]")
    for i, (department, task) in enumerate(assists):
        if i:
            form.locator("[data-testid=add-assist]").click()
        row = form.locator(".assist-row").nth(i)
        row.locator("select").select_option(label=department)
        row.locator("input").fill(task)
    form.locator("button[type=submit]").click()


def test_whistle_check_in_finish_and_close_from_the_pages(new_page, joint, live_server):
    desk = joint
    page = signed_in(new_page, desk.command, "/desk/")
    open_ticket(page, desk.working)  # 处置中 at 绿化市容所: it leads
    page.click("#ticket-actions button[data-action=whistle]")
    form = page.locator("form[data-form=whistle]")
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-error")).to_have_text("请至少选择一个协办部门")
    page.click("#ticket-actions button[data-action=whistle]")  # closes the form; whistle() opens it again
    whistle(page, [("派出所", "核查租住人员身份"), ("房管办", "核查房屋租赁备案")])
    card = page.locator("[data-testid=joint]")
    expect(card.locator(".participant")).to_have_count(3)
    expect(card.locator(".participant.lead")).to_contain_text("绿化市容所")
    expect(card.locator(".participant[data-department=police]")).to_contain_text("待报到")
    expect(card.locator(".participant[data-department=housing]")).to_contain_text("核查房屋租赁备案")
    expect(page.locator("#ticket-timeline")).to_contain_text("吹哨：绿化市容所牵头，派出所、房管办协办")

    # 派出所's desk: the task in 协办 with its time left; 报到, then 完成 with a note
    police = signed_in(new_page, desk.police, "/desk/")
    police.click(".desk-tabs [data-queue=assists]")
    expect(tab(police, "assists").locator(".count")).to_have_text("1")
    row = rows(police).first
    expect(row).to_contain_text(desk.working["number"])
    expect(row).to_contain_text("核查租住人员身份")
    expect(row.locator("[data-deadline=checkin]")).to_contain_text("剩余 2小时0分(工作时)")
    expect(row.locator("[data-deadline=task]")).to_contain_text("剩余 3个工作日")
    expect(row).to_contain_text("派出所（牵头：绿化市容所）")
    copy_to_docs(shot(police, "desk-assists-1366"), "desk-assists.png")
    row.locator("button[data-action=check_in]").click()
    expect(rows(police).first.locator("[data-state=checked_in]")).to_have_text("已报到")
    rows(police).first.locator("button[data-action=finish_task]").click()
    finish = rows(police).first.locator("form[data-form=finish_task]")
    finish.locator("button[type=submit]").click()
    expect(finish.locator(".form-error")).to_have_text("请填写完成情况")
    finish.locator("textarea").fill("已核查 6 名租住人员身份")
    finish.locator("button[type=submit]").click()
    expect(police.locator("#queue-list .empty")).to_have_text("没有待办的协办任务")

    # 房管办 does not check in: at 14:00 its 报到 (due 13:30, lunch not counted) is late
    desk.at(14, 0)
    open_ticket(page, desk.working)
    housing = page.locator("[data-testid=joint] .participant[data-department=housing]")
    expect(housing.locator("[data-testid=late-checkin]")).to_have_text("报到迟到")
    expect(page.locator("[data-testid=joint] .participant[data-department=police]")).to_contain_text("已完成")
    copy_to_docs(shot(page, "desk-joint-ticket-1366"), "desk-joint.png")
    cockpit = signed_in(new_page, desk.command, "/cockpit/", **WIDE)
    case = cockpit.locator("[data-testid=joint-list] .joint-row").first
    expect(case).to_contain_text(desk.working["number"])
    expect(case.locator("[data-department=police]")).to_contain_text("派出所 已完成")
    expect(case.locator("[data-department=housing]")).to_contain_text("房管办 待报到 · 报到迟到")
    shot(cockpit, "cockpit-joint-1920")

    # the lead cannot finish while 房管办's task is open; the command center closes it with a reason
    answer = live_server.api("POST", f"/api/v1/tickets/{desk.working['id']}/actions", desk.sanitation,
                             json={"action": "resolve"})
    assert answer["error"]["code"] == "assist_tasks_open" and "房管办" in answer["error"]["message"]
    housing.locator("button[data-action=close_task]").click()
    close = housing.locator("form[data-form=close_task]")
    close.locator("input").fill("房屋未备案，转区房管局处理")
    close.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=joint] .participant[data-department=housing]")).to_contain_text("已关闭")
    expect(page.locator("[data-testid=joint] .participant[data-department=housing]")).to_contain_text(
        "关闭原因：房屋未备案，转区房管局处理")
    assert all(t["state"] in ("done", "closed") for t in desk.get(desk.working)["assists"])


def test_the_joint_pages_fit_a_phone_and_a_wide_screen(new_page, joint, live_server):
    desk = joint
    live_server.api("POST", f"/api/v1/tickets/{desk.working['id']}/actions", desk.command, expect=200, json={
        "action": "whistle", "assists": [{"department": "police", "task": "核查租住人员身份，登记在册人员信息"},
                                         {"department": "housing", "task": "核查房屋租赁备案"}]})
    for name, options in (("375", PHONE), ("1920", WIDE)):
        police = signed_in(new_page, desk.police, "/desk/", **options)
        police.click(".desk-tabs [data-queue=assists]")
        expect(rows(police)).to_have_count(1)
        expect(rows(police).first.locator("button[data-action=check_in]")).to_be_visible()
        width = police.evaluate("document.documentElement.scrollWidth")
        assert width <= options["viewport"]["width"], f"the desk is {width} px wide at {name}"
        shot(police, f"desk-assists-{name}")
        open_ticket(police, desk.working)  # it reads the ticket; its only controls are its task's
        expect(police.locator("[data-testid=assist-only]")).to_be_visible()
        expect(police.locator("#ticket-actions .action-buttons button")).to_have_count(0)
        expect(police.locator("[data-testid=joint] .participant[data-department=police] button[data-action=check_in]")
               ).to_be_visible()
        expect(police.locator("[data-testid=joint] button[data-action=close_task]")).to_have_count(0)
        page = signed_in(new_page, desk.command, "/desk/", **options)
        open_ticket(page, desk.working)
        expect(page.locator("[data-testid=joint] .participant")).to_have_count(3)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= options["viewport"]["width"], f"the ticket page is {width} px wide at {name}"
        shot(page, f"desk-joint-ticket-{name}")
