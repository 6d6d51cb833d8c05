"""/m/ QA fixes: 核查任务 leaves out what the inspector resolved on the spot, checks before uploading, says
when a 核查 failed after its photo went up; Chinese error texts; 重复 shows where it was merged; the toast
keeps clear of the tab bar; 核查照片 in the timeline; no 404 for the icon on any page."""
from __future__ import annotations

import io
import json

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (PHONE, PHOTO, SCREENSHOTS, fill_report, login, png_bytes, resolved_ticket, shot,
                                   wait_ready)

XIANGYI = {"lng": 121.4288, "lat": 31.2551}


@pytest.fixture
def checker(live_server):
    return live_server.create_user("xy_zhao", "inspector", zone="xiangyi", display_name="赵巡查")


def phone_for(new_page, user):
    page = new_page(**PHONE)
    login(page, user["username"])
    wait_ready(page)
    return page


def report(live_server, user, description, **extra) -> dict:
    return live_server.api("POST", "/api/v1/events", user, expect=201, json={
        "category": "exposed_garbage", "location": XIANGYI, "description": description, **extra})["ticket"]


def upload(live_server, user, ticket_id, stage="after"):
    live_server.api("POST", f"/api/v1/tickets/{ticket_id}/photos", user, expect=201,
                    data={"stage": stage, "photo": (io.BytesIO(png_bytes(rgb=(200, 120, 40))), "p.png")})


def photos(live_server, user, ticket_id) -> list[str]:
    ticket = live_server.api("GET", f"/api/v1/tickets/{ticket_id}", user, expect=200)["ticket"]
    return [p["stage"] for p in ticket["photos"]]


def self_resolved(live_server, user) -> dict:
    """A ticket `user` reported at a spot of its own and resolved there (自行处置, with the photo it needs)."""
    ticket = live_server.api("POST", "/api/v1/events", user, expect=201, json={
        "category": "bin_overflow", "location": {"lng": 121.4275, "lat": 31.2568}, "description": "垃圾箱满溢，已自行清理"})["ticket"]
    upload(live_server, user, ticket["id"])
    return live_server.api("POST", f"/api/v1/tickets/{ticket['id']}/actions", user, expect=200,
                           json={"action": "self_resolve"})["ticket"]


def open_check(page, ticket):
    page.click(".tabs [data-tab=verify]")
    card = page.locator(f"#verify-list .verify-item[data-id='{ticket['id']}']")
    card.get_by_role("button", name="现场核查").click()
    card.locator("input[type=file]").set_input_files(files=[PHOTO])
    return card


def test_my_own_self_resolved_ticket_is_not_in_my_verify_list(new_page, live_server, inspector, checker):
    mine = self_resolved(live_server, inspector)
    other = resolved_ticket(live_server, checker)
    assert mine["status"] == "resolved"

    page = phone_for(new_page, inspector)
    expect(page.locator("#verify-count")).to_have_text("1")
    page.click(".tabs [data-tab=verify]")
    expect(page.locator("#verify-list .verify-item")).to_have_count(1)
    expect(page.locator(f"#verify-list .verify-item[data-id='{other['id']}']")).to_be_visible()
    expect(page.locator("#verify-scope")).to_contain_text("已处置待核查 1 条")

    colleague = phone_for(new_page, checker)  # another inspector of the zone checks it
    expect(colleague.locator("#verify-count")).to_have_text("2")
    colleague.click(".tabs [data-tab=verify]")
    expect(colleague.locator(f"#verify-list .verify-item[data-id='{mine['id']}']")).to_be_visible()


def test_a_check_refused_before_the_photo_uploads_nothing(new_page, live_server, inspector, checker):
    ticket = resolved_ticket(live_server, inspector)
    page = phone_for(new_page, checker)
    card = open_check(page, ticket)
    command = live_server.create_user("zhang_cmd", "command")
    live_server.api("POST", f"/api/v1/tickets/{ticket['id']}/actions", command, expect=200,
                    json={"action": "verify", "passed": True})  # the command center was faster
    # the list reloads (刷新, the tab, another 核查): the open form keeps the photo taken, though the
    # ticket has left the list
    with page.expect_response(lambda r: "/api/v1/tickets?status=resolved" in r.url):
        page.click("#verify-refresh")
    expect(page.locator("#verify-scope")).to_contain_text("已处置待核查 0 条")
    expect(card.locator(".photo-preview")).to_be_visible()
    card.get_by_role("button", name="通过", exact=True).click()
    expect(card.locator(".form-error")).to_contain_text("当前状态为「已结案」")
    assert photos(live_server, checker, ticket["id"]) == ["after"]  # only the department's: no stray photo


def test_a_check_failing_after_the_upload_says_so_and_retries_without_a_second_photo(
        new_page, live_server, inspector, checker):
    ticket = resolved_ticket(live_server, inspector)
    page = phone_for(new_page, checker)
    card = open_check(page, ticket)
    conflict = {"error": {"code": "version_conflict", "message": "ticket changed (version 4); reload and retry",
                          "status": "resolved", "version": 4}}
    page.route("**/api/v1/tickets/*/actions", lambda route: route.fulfill(
        status=409, content_type="application/json", body=json.dumps(conflict)))
    card.get_by_role("button", name="通过", exact=True).click()
    error = card.locator(".form-error")
    expect(error).to_contain_text("核查未完成：记录已被他人修改，请刷新后重试")
    expect(error).to_contain_text("核查照片已上传")
    expect(error).not_to_contain_text("reload")
    expect(page.locator("#toast")).not_to_contain_text("核查通过")
    shot(page, "m-verify-failed")
    assert photos(live_server, checker, ticket["id"]) == ["after", "after"]
    assert live_server.api("GET", f"/api/v1/tickets/{ticket['id']}", checker, expect=200)["ticket"]["status"] == "resolved"

    page.unroute("**/api/v1/tickets/*/actions")
    card.get_by_role("button", name="通过", exact=True).click()
    expect(page.locator("#verify-empty")).to_be_visible()
    assert photos(live_server, checker, ticket["id"]) == ["after", "after"]  # the photo was not sent twice


def test_api_errors_are_shown_in_chinese(phone):
    texts = phone.evaluate("""() => {
        const E = (status, code, message, body) => YC.describeError(new YC.ApiError(status, code, message, body));
        return {
          forbidden: E(403, 'forbidden', "role 'inspector' may not cancel (作废)"),
          self: E(403, 'forbidden', 'a self-resolved ticket is verified by another inspector or the command center'),
          illegal: E(409, 'illegal_transition', 'cannot verify (核查) a ticket that is closed',
                     {error: {code: 'illegal_transition', status: 'closed'}}),
          version: E(409, 'version_conflict', 'ticket changed (version 3); reload and retry'),
          validation: E(422, 'validation_error', 'stage must be one of before, after'),
          photo: E(422, 'after_photo_required', 'this category needs an `after` photo first'),
          csrf: E(403, 'csrf', 'missing or wrong X-CSRF-Token header'),
          too_long: E(422, 'validation_error', 'days: Input should be less than or equal to 250'),
          unknown: E(418, 'teapot', '服务器自己的说明'),
          offline: YC.describeError(new YC.NetworkError()),
        };
    }""")
    assert texts == {
        "forbidden": "您无权执行此操作",
        "self": "您自行处置的事件须由其他巡查员或城运中心核查",
        "illegal": "工单当前状态（已结案）不允许此操作，请刷新后查看",
        "version": "记录已被他人修改，请刷新后重试",
        "validation": "填写的内容有误，请检查后重试",
        "photo": "请先上传处置后照片",
        "csrf": "页面已过期，请刷新页面后重试",
        "too_long": "一次最多延期 250 个工作日",  # the bound itself, not only "something is wrong"
        "unknown": "服务器自己的说明",
        "offline": "网络不可用，请检查网络后重试",
    }


@pytest.fixture
def phone(new_page, inspector):
    return phone_for(new_page, inspector)


def test_a_duplicate_shows_the_ticket_it_was_merged_into(new_page, live_server, inspector):
    original = report(live_server, inspector, "小区门口垃圾一堆")
    duplicate = report(live_server, inspector, "小区门口又有垃圾")
    assert (duplicate["status"], duplicate["duplicate_of"]) == ("duplicate", original["id"])
    # An inspector of another zone reporting the same pile cannot see the original: just 已合并.
    outsider = live_server.create_user("zy_sun", "inspector", zone="zhongyuan")
    report(live_server, outsider, "路过看到垃圾")

    page = phone_for(new_page, inspector)
    page.click(".tabs [data-tab=mine]")
    card = page.locator(f"#mine-list .ticket[data-id='{duplicate['id']}']")
    expect(card.locator(".status-duplicate")).to_have_text("重复")
    expect(card.locator(".dept")).to_have_text(f"已合并至 {original['number']}")
    expect(page.locator(f"#mine-list .ticket[data-id='{original['id']}'] .dept")).to_have_text("绿化市容所")
    shot(page, "m-mine-duplicate")
    card.locator(".ticket-open").click()
    expect(page.locator("#detail .fields")).to_contain_text(f"已合并至 {original['number']}")

    other = phone_for(new_page, outsider)
    other.click(".tabs [data-tab=mine]")
    expect(other.locator("#mine-list .ticket .dept")).to_have_text("已合并")
    expect(other.locator("#mine-list .ticket .dept")).not_to_contain_text("待派遣")


def test_the_report_toast_does_not_cover_the_tab_bar(phone):
    fill_report(phone)
    phone.click("#submit-btn")
    toast = phone.locator("#toast")
    expect(toast).to_contain_text("上报成功")
    box, tabs = toast.bounding_box(), phone.locator(".tabs").bounding_box()
    assert box["y"] >= tabs["y"] + tabs["height"] or box["y"] + box["height"] <= tabs["y"], (box, tabs)
    assert box["y"] + box["height"] <= 812  # on the screen
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "m-report-toast.png"))  # the viewport, as the phone shows it


def test_a_check_photo_is_labelled_as_such(new_page, live_server, inspector, checker):
    ticket = resolved_ticket(live_server, inspector)
    page = phone_for(new_page, checker)
    card = open_check(page, ticket)
    card.locator("textarea").fill("现场已清理")
    card.get_by_role("button", name="通过", exact=True).click()
    expect(page.locator("#verify-empty")).to_be_visible()

    reporter = phone_for(new_page, inspector)  # the reporter follows it in 我的上报
    reporter.click(".tabs [data-tab=mine]")
    reporter.locator(f"#mine-list .ticket[data-id='{ticket['id']}'] .ticket-open").click()
    detail = reporter.locator("#detail")
    expect(detail.locator(".photos figcaption")).to_have_text(["处置后", "核查"])
    notes = detail.locator(".timeline .note")
    expect(notes.filter(has_text="核查照片")).to_have_count(1)
    expect(notes.filter(has_text="处置后照片")).to_have_count(1)  # the department's own
    shot(reporter, "m-detail-checked")

    desk = new_page(viewport={"width": 1366, "height": 900})
    login(desk, "lh_li", next_path=f"/desk/tickets/{ticket['id']}")
    wait_ready(desk)
    expect(desk.locator("#ticket-photos [data-stage=after] img.thumb")).to_have_count(1)
    expect(desk.locator("#ticket-photos [data-stage=verify] img.thumb")).to_have_count(1)
    expect(desk.locator("#ticket-photos [data-stage=verify]")).to_be_visible()
    expect(desk.locator("#ticket-timeline .note").filter(has_text="核查照片")).to_have_count(1)
    shot(desk, "desk-ticket-checked")


def test_a_self_resolve_photo_stays_a_handling_photo(new_page, live_server, inspector):
    ticket = self_resolved(live_server, inspector)
    page = phone_for(new_page, inspector)
    page.click(".tabs [data-tab=mine]")
    page.locator(f"#mine-list .ticket[data-id='{ticket['id']}'] .ticket-open").click()
    expect(page.locator("#detail .photos figcaption")).to_have_text(["处置后"])
    expect(page.locator("#detail .timeline")).not_to_contain_text("核查照片")


def test_no_page_asks_for_something_missing(new_page, live_server, inspector):
    """Every page links its icon; /favicon.ico answers too: no 404 in the console."""
    command = live_server.create_user("zhang_cmd", "command")
    missing = []
    for user, path in [(None, "/login"), (inspector, "/m/"), (command, "/desk/"), (command, "/cockpit/")]:
        page = new_page(viewport={"width": 1366, "height": 900})
        page.on("response", lambda r: r.status == 404 and missing.append(r.url))
        page.on("console", lambda m: m.type == "error" and missing.append(m.text))
        if user:
            login(page, user["username"], next_path=path)
            wait_ready(page)
        else:
            page.goto(path)
        page.wait_for_timeout(300)  # the icon is fetched after load
        icon = page.request.get("/favicon.ico")
        assert icon.status == 200 and icon.headers["content-type"] == "image/vnd.microsoft.icon"
    assert missing == []
