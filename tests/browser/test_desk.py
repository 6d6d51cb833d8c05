"""/desk/, the department's desk: queue tabs with counts, the ticket page and its actions, in a real browser."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (DESKTOP, EVIL, XIANGYI, action_buttons, copy_to_docs, login, open_ticket, png_bytes,
                                   rows, shot, tab, wait_ready)

AFTER_PHOTO = {"name": "after.png", "mimeType": "image/png", "buffer": png_bytes(rgb=(60, 160, 90))}


@pytest.fixture
def page(new_page, desk):
    """The sanitation department's desk, signed in, queues loaded."""
    page = new_page(**DESKTOP)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login(page, desk.sanitation["username"])
    assert page.url.endswith("/desk/")
    wait_ready(page)
    yield page
    assert dialogs == [], "user text was run as script"


def test_queues_are_tabs_with_counts(page, desk):
    expected = {"pending": 3, "in_progress": 1, "warning": 1, "overdue": 1, "returned": 1}
    for queue, count in expected.items():
        expect(tab(page, queue).locator(".count")).to_have_text(str(count))
    # 待签收, most urgent first; the overdue one is flagged, the one about to be overdue shows its minutes
    expect(rows(page)).to_have_count(3)
    expect(rows(page).nth(0)).to_contain_text(desk.late["number"])
    expect(rows(page).nth(0)).to_contain_text("已超期")
    expect(rows(page).nth(1)).to_contain_text("剩余 10分(工作时)")
    expect(rows(page).nth(1)).to_contain_text("即将超期")
    description = rows(page).nth(2).locator("td.desc")  # text, never markup (clipped; whole in the tooltip)
    expect(description).to_have_text(EVIL[:40] + "…")
    expect(description).to_have_attribute("title", EVIL)
    assert page.locator("#queue-list img").count() == 0
    shot(page, "desk-list")

    tab(page, "in_progress").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(desk.working["number"])
    expect(rows(page).first).to_contain_text("按期完成")         # signed for in time
    expect(rows(page).first).to_contain_text("剩余 3小时30分(工作时)")  # dispatched 10:00 + 4 WH = 15:00
    tab(page, "warning").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(desk.warning["number"])
    tab(page, "overdue").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(desk.late["number"])
    tab(page, "returned").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("建筑垃圾属城管执法范围")
    expect(rows(page).first).to_contain_text("待派遣")
    expect(rows(page).first.locator("a")).to_have_text(desk.returned["number"])  # ours to read, no longer to act on
    shot(page, "desk-returned")


def test_accept_then_resolve_with_an_after_photo(page, desk):
    open_ticket(page, desk.warning)
    expect(page.locator("[data-testid=ticket-number]")).to_have_text(desk.warning["number"])
    expect(page.locator("#ticket-info")).to_contain_text("路口垃圾满地")
    expect(page.locator("#ticket-info")).to_contain_text("香溢片区")
    expect(page.locator("#ticket-map canvas").first).to_be_visible()
    expect(page.locator("#ticket-photos [data-stage=before] img.thumb")).to_have_count(1)
    expect(page.locator("#ticket-photos [data-stage=after]")).to_contain_text("无")
    # the limits in words, not the API's units (1 WH / 4 WH)
    expect(page.locator(".deadline[data-kind=response] .k")).to_have_text("签收时限（1 工作时）")
    expect(page.locator(".deadline[data-kind=resolve] .k")).to_have_text("处置时限（4 工作时）")
    expect(page.locator(".deadline[data-kind=response]")).to_contain_text("剩余 10分(工作时)")
    # dispatched 09:40: 4 WH to 处置 → 14:40 (lunch excluded); at 10:30 that is 90 + 100 minutes
    expect(page.locator(".deadline[data-kind=resolve]")).to_contain_text("剩余 3小时10分(工作时)")
    expect(page.locator("#ticket-badges")).to_contain_text("即将超期")
    # only what the transition table allows a department on a dispatched ticket
    assert action_buttons(page) == ["签收", "退单", "申请延期"]

    page.click("#ticket-actions button[data-action=accept]")
    expect(page.locator("#ticket-badges .status")).to_have_text("处置中")
    assert action_buttons(page) == ["退单", "处置完成", "申请延期"]
    expect(page.locator(".deadline[data-kind=response]")).to_contain_text("按期完成")

    page.click("#ticket-actions button[data-action=resolve]")
    form = page.locator("form[data-form=resolve]")
    expect(form).to_be_visible()
    page.wait_for_timeout(200)  # the map's first paint
    copy_to_docs(shot(page, "desk-ticket-in-progress"), "desk.png")
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-error")).to_have_text("请上传处置后照片")
    form.locator("input[type=file]").set_input_files(files=[AFTER_PHOTO])
    form.locator("textarea").fill("已清运完毕")
    form.locator("button[type=submit]").click()
    expect(page.locator("#ticket-badges .status")).to_have_text("已处置待核查")
    expect(page.locator("[data-testid=no-actions]")).to_be_visible()
    expect(page.locator("#ticket-photos [data-stage=after] img.thumb")).to_have_count(1)
    timeline = page.locator("#ticket-timeline li")
    expect(timeline.last).to_contain_text("处置完成")
    expect(timeline.last).to_contain_text("已清运完毕")
    expect(page.locator("#ticket-timeline")).to_contain_text("签收")
    expect(page.locator("#ticket-timeline")).to_contain_text("李师傅（绿化市容所）")
    page.wait_for_timeout(200)
    shot(page, "desk-ticket")
    after = desk.get(desk.warning)
    assert after["status"] == "resolved" and [p["stage"] for p in after["photos"]] == ["before", "after"]


def test_return_needs_a_reason_and_lands_in_the_returned_tab(page, desk):
    open_ticket(page, desk.evil)
    expect(page.locator("[data-testid=description]")).to_have_text(EVIL)
    page.click("#ticket-actions button[data-action=return]")
    form = page.locator("form[data-form=return]")
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-error")).to_have_text("请填写退单原因")
    form.locator("textarea").fill("非本部门职责")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    wait_ready(page)
    assert page.url.endswith("/desk/#returned")
    expect(tab(page, "returned")).to_have_attribute("aria-selected", "true")
    expect(tab(page, "returned").locator(".count")).to_have_text("2")
    expect(rows(page).first).to_contain_text("非本部门职责")
    assert desk.get(desk.evil)["status"] == "pending_dispatch"


def test_a_returned_ticket_opens_from_its_row_to_read_only(page, desk):
    # 城运中心 has since given it to 城管: the row says so, and the page shows the record, not the buttons
    city = desk.server.create_user("cg_zhao", "department", department="chengguan")
    desk.server.api("POST", f"/api/v1/tickets/{desk.returned['id']}/actions", desk.command, expect=200,
                    json={"action": "dispatch", "department": "chengguan"})
    desk.server.api("POST", f"/api/v1/tickets/{desk.returned['id']}/actions", city, expect=200,
                    json={"action": "accept"})
    page.reload()
    wait_ready(page)
    tab(page, "returned").click()
    row = rows(page).first
    expect(row).to_contain_text("城管执法中队")
    with page.expect_navigation():
        row.locator("a").click()
    wait_ready(page)
    assert page.url.endswith(f"/desk/tickets/{desk.returned['id']}")
    expect(page.locator("[data-testid=ticket-number]")).to_have_text(desk.returned["number"])
    expect(page.locator("[data-testid=former-holder-notice]")).to_have_text(
        "本部门已于 11/25 10:20 退单（原因：建筑垃圾属城管执法范围），现由城管执法中队承办。"
        "本部门可查看工单和处置留痕，不能再办理。")
    assert action_buttons(page) == []
    assert page.locator("#ticket-actions form").count() == 0
    expect(page.locator("[data-testid=no-actions]")).to_have_count(0)
    # the time limits shown are 城管's round, and the page says whose
    expect(page.locator("[data-testid=deadlines-of]")).to_have_text("以下为现承办部门（城管执法中队）的时限")
    timeline = page.locator("#ticket-timeline")
    expect(timeline.locator("li[data-action=return]")).to_contain_text("李师傅（绿化市容所）")
    expect(timeline.locator("li[data-action=return]")).to_contain_text("建筑垃圾属城管执法范围")
    expect(page.locator("#ticket-info")).to_contain_text("城管执法中队")
    page.wait_for_timeout(200)  # the map's first paint
    shot(page, "desk-ticket-former-holder")


def test_request_extension_then_wait_for_the_command_center(page, desk):
    open_ticket(page, desk.working)
    page.click("#ticket-actions button[data-action=request_extension]")
    form = page.locator("form[data-form=request_extension]")
    form.locator("input[name=amount]").fill("2")
    form.locator("select[name=unit]").select_option("hours")
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-error")).to_have_text("请填写延期理由")
    form.locator("textarea[name=reason]").fill("需物业配合开门")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=pending-extension]")).to_contain_text("延长 2 工作时")  # not "2 WH"
    assert action_buttons(page) == ["退单", "处置完成"]  # one request at a time
    timeline = desk.get(desk.working)["timeline"]
    assert (timeline[-1]["action"], timeline[-1]["note"]) == ("request_extension", "需物业配合开门")


def test_the_command_center_may_look_at_a_desk(new_page, desk):
    page = new_page(**DESKTOP)
    login(page, desk.command["username"], next_path="/desk/")
    wait_ready(page)
    page.select_option("#dept-filter", "sanitation")
    expect(tab(page, "pending").locator(".count")).to_have_text("3")
    page.select_option("#dept-filter", "chengguan")
    expect(tab(page, "pending").locator(".count")).to_have_text("0")
    page.reload()  # the choice is in the URL: a reload keeps it
    wait_ready(page)
    expect(page.locator("#dept-filter")).to_have_value("chengguan")
    expect(tab(page, "pending").locator(".count")).to_have_text("0")
    open_ticket(page, desk.late)
    expect(page.locator(".deadline[data-kind=response]")).to_contain_text("已超期")
    assert action_buttons(page) == ["吹哨", "催办", "改派", "督办", "挂账", "作废"]  # 签收 and 退单 are the department's


def test_a_late_answer_for_the_previous_department_is_not_drawn(new_page, desk):
    page = new_page(**DESKTOP)
    login(page, desk.command["username"], next_path="/desk/")
    wait_ready(page)
    held = []
    page.route("**/desk/queues.json?department=sanitation", lambda route: held.append(route))
    page.select_option("#dept-filter", "sanitation")
    for _ in range(100):  # the sanitation request is out and held before the next change
        if held:
            break
        page.wait_for_timeout(20)
    page.select_option("#dept-filter", "chengguan")
    expect(tab(page, "pending").locator(".count")).to_have_text("0")
    assert len(held) == 1  # chengguan's answer came first
    with page.expect_response("**/desk/queues.json?department=sanitation"):
        held[0].continue_()
    page.wait_for_timeout(100)
    expect(tab(page, "pending").locator(".count")).to_have_text("0")


def test_the_ticket_page_shows_the_answers_to_the_categorys_questions(new_page, live_server, desk):
    # 群租 goes to the housing office with 居住户数 answered: the desk shows the question and the answer.
    housing = live_server.create_user("fg_zhou", "department", department="housing")
    ticket = live_server.api("POST", "/api/v1/events", desk.command, expect=201, json={
        "category": "group_rental", "location": {"lng": XIANGYI[0][0], "lat": XIANGYI[0][1]},
        "description": "一套房住了六户", "attributes": {"households": 6}})["ticket"]
    assert ticket["department"] == "housing"
    page = new_page(**DESKTOP)
    login(page, housing["username"], next_path=f"/desk/tickets/{ticket['id']}")
    wait_ready(page)
    row = page.locator(".kv", has=page.locator(".k", has_text="居住户数"))
    expect(row.locator(".v")).to_have_text("6")


@pytest.mark.parametrize(("occurred_at", "shown"), [
    ("2026-11-25T08:15:00+08:00", "2026/11/25 08:15（晚于发现时间送达，如离线上报）"),  # sent from the outbox later
    ("2026-11-26T10:30:00+08:00", "晚于上报时间：上报手机的时钟可能不准"),  # "seen" a day after the server got it
    ("1970-01-01T08:00:00+08:00", "早于上报时间过久：上报手机的时钟可能不准"),  # a phone clock reset to 1970
    ("2026-11-25T10:28:00+08:00", None),  # sent at once: 上报时间 says it all
])
def test_the_ticket_page_shows_when_it_was_seen_if_that_tells_something(page, live_server, desk, occurred_at, shown):
    ticket = live_server.api("POST", "/api/v1/events", desk.command, expect=201, json={
        "category": "exposed_garbage", "location": {"lng": XIANGYI[1][0], "lat": XIANGYI[1][1] + 0.002},
        "description": "离线时发现的垃圾", "occurred_at": occurred_at})["ticket"]
    open_ticket(page, ticket)
    expect(page.locator(".kv", has=page.locator(".k", has_text="上报时间"))).to_be_visible()
    row = page.locator(".kv", has=page.locator(".k", has_text="发现时间"))
    if shown is None:
        expect(row).to_have_count(0)
    else:
        expect(row.locator(".v")).to_contain_text(shown)


def test_an_inspector_may_not_open_the_desk(new_page, live_server, desk):
    inspector = live_server.create_user("xy_wang", "inspector", zone="xiangyi")
    page = new_page(**DESKTOP)
    login(page, inspector["username"])
    response = page.goto("/desk/")
    assert response.status == 403
    expect(page.locator(".error-card")).to_contain_text("无权访问")
