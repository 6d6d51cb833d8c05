"""/m/, the inspector's phone page, in a real browser at 375 × 812 with a faked GPS."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, PHOTO, fill_report, login, my_tickets, resolved_ticket, shot, wait_ready


@pytest.fixture
def phone(new_page, inspector):
    """A signed-in inspector's phone on /m/, first data loaded."""
    page = new_page(**PHONE)
    login(page, inspector["username"])
    assert page.url.endswith("/m/")
    wait_ready(page)
    return page


def test_report_with_gps_shows_the_zone_before_sending_and_routes_it(phone, live_server, inspector):
    expect(phone.locator(".navbar .who-name")).to_have_text("王巡查")
    expect(phone.locator(".navbar .who-role")).to_contain_text("网格巡查员")
    expect(phone.locator("#categories .cat-group h3").first).to_be_visible()
    # The page asks the (faked) GPS on load and shows the zone before anything is sent.
    expect(phone.locator("#zone-name")).to_have_text("香溢片区")
    expect(phone.locator("#loc-text")).to_contain_text("经度 121.42880，纬度 31.25510")
    shot(phone, "m-report")
    fill_report(phone)
    expect(phone.locator("#category-picked")).to_have_text("暴露垃圾")
    phone.fill("#address", "宜川路 300 号门口")
    assert my_tickets(live_server, inspector) == []  # nothing sent yet
    shot(phone, "m-report-filled")

    phone.click("#submit-btn")
    result = phone.locator("#last-report")
    expect(result).to_contain_text("上报成功")
    expect(result).to_contain_text("绿化市容所")

    [ticket] = my_tickets(live_server, inspector)
    assert (ticket["zone"], ticket["department"], ticket["status"]) == ("xiangyi", "sanitation", "dispatched")
    assert ticket["original_location"] == {"lng": 121.4288, "lat": 31.2551, "crs": "wgs84"}
    assert ticket["address"] == "宜川路 300 号门口"
    expect(result).to_contain_text(ticket["number"])
    detail = live_server.api("GET", f"/api/v1/tickets/{ticket['id']}", inspector, expect=200)["ticket"]
    assert [p["stage"] for p in detail["photos"]] == ["before"]
    shot(phone, "m-report-sent")


def test_a_category_with_its_own_question_asks_it_before_sending(phone, live_server, inspector):
    # 群租 asks 居住户数 (required, 1–99, config/categories.toml); 暴露垃圾 asks nothing.
    phone.click("#categories .cat[data-slug=exposed_garbage]")
    expect(phone.locator("#category-questions")).to_be_hidden()
    phone.click("#category-change")
    fill_report(phone, slug="group_rental", description="一套房住了六户", photo=False)
    question = phone.locator("#category-questions .question")
    expect(question).to_have_count(1)
    expect(question.locator("label")).to_have_text("居住户数 *")
    phone.click("#submit-btn")
    expect(phone.locator("#report-error")).to_have_text("请填写“居住户数”")
    phone.fill("#q-households", "0")
    phone.click("#submit-btn")
    expect(phone.locator("#report-error")).to_have_text("“居住户数”不能小于 1")
    assert my_tickets(live_server, inspector) == []
    phone.fill("#q-households", "6")
    shot(phone, "m-report-question")
    phone.click("#submit-btn")
    expect(phone.locator("#last-report")).to_contain_text("上报成功")
    [ticket] = my_tickets(live_server, inspector)
    assert ticket["attributes"] == {"households": 6}
    expect(phone.locator("#category-questions")).to_be_hidden()  # the next report starts clean
    phone.click(".tabs [data-tab=mine]")
    phone.locator("#mine-list .ticket").first.click()
    expect(phone.locator("#detail .fields")).to_contain_text("居住户数")
    expect(phone.locator("#detail .field", has_text="居住户数").locator("dd")).to_have_text("6")


def test_a_number_the_phone_cannot_read_is_refused_not_dropped(phone, live_server, inspector):
    # 私搭乱建 asks 面积(平方米), optional. A range like "10-20" leaves a number field's value empty
    # (validity.badInput): the page must say so rather than send the report without the answer.
    fill_report(phone, slug="illegal_construction", description="屋顶加建一间", photo=False)
    phone.focus("#q-area_m2")
    phone.keyboard.type("10-20")
    phone.click("#submit-btn")
    expect(phone.locator("#report-error")).to_have_text("“面积(平方米)”须为数字")
    assert my_tickets(live_server, inspector) == []
    phone.fill("#q-area_m2", "12.5")
    phone.click("#submit-btn")
    expect(phone.locator("#last-report")).to_contain_text("上报成功")
    [ticket] = my_tickets(live_server, inspector)
    assert ticket["attributes"] == {"area_m2": 12.5}


def test_a_file_that_is_not_a_photo_is_refused_at_once(phone):
    # "选择照片" can reach any file on some phones: no broken preview, no report sent with it.
    phone.set_input_files("#photo", files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}])
    expect(phone.locator("#toast")).to_contain_text("照片格式不支持")
    expect(phone.locator("#photo-preview")).to_be_hidden()
    expect(phone.locator("#photo-clear")).to_be_hidden()
    phone.set_input_files("#photo", files=[PHOTO])  # a real photo is still taken after that
    expect(phone.locator("#photo-preview")).to_be_visible()


def test_a_tap_on_the_map_sets_the_location(new_page, live_server, inspector):
    page = new_page(viewport={"width": 375, "height": 812})  # no GPS permission: the map is the way
    login(page, inspector["username"])
    wait_ready(page)
    page.locator("#map").scroll_into_view_if_needed()
    x, y = page.evaluate("""() => echarts.getInstanceByDom(document.getElementById('map'))
                                  .convertToPixel('geo', [121.4288, 31.2551])""")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page.locator("#loc-text")).to_contain_text("地图点选")
    expect(page.locator("#zone-name")).to_have_text("香溢片区")
    lng, lat = (float(v) for v in re.findall(r"\d+\.\d+", page.locator("#loc-text").inner_text())[:2])
    assert abs(lng - 121.4288) < 2e-4 and abs(lat - 31.2551) < 2e-4


def test_offline_report_waits_in_the_outbox_and_is_sent_once(phone, live_server, inspector):
    phone.context.set_offline(True)
    expect(phone.locator("#offline-banner")).to_be_visible()
    fill_report(phone, slug="bin_overflow", description="离线上报：垃圾箱满溢")
    phone.click("#submit-btn")
    expect(phone.locator("#last-report")).to_contain_text("待发送")
    expect(phone.locator("#outbox-count")).to_have_text("1")
    phone.click(".tabs [data-tab=outbox]")
    expect(phone.locator("#outbox-list .outbox-item")).to_have_count(1)
    expect(phone.locator("#outbox-list")).to_contain_text("离线上报：垃圾箱满溢")
    shot(phone, "m-outbox")
    assert my_tickets(live_server, inspector) == []

    phone.context.set_offline(False)  # the `online` event sends it
    expect(phone.locator("#outbox-count")).to_be_hidden()
    expect(phone.locator("#outbox-empty")).to_be_visible()
    phone.reload()  # a page load retries the outbox too: nothing is left to send twice
    wait_ready(phone)
    phone.click(".tabs [data-tab=mine]")
    expect(phone.locator("#mine-list .ticket")).to_have_count(1)
    [ticket] = my_tickets(live_server, inspector)
    assert ticket["description"] == "离线上报：垃圾箱满溢"
    detail = live_server.api("GET", f"/api/v1/tickets/{ticket['id']}", inspector, expect=200)["ticket"]
    assert [p["stage"] for p in detail["photos"]] == ["before"]


def test_a_lost_answer_is_retried_with_the_same_key_and_makes_one_ticket(phone, live_server, inspector):
    """The server made the ticket but the phone never heard back: the retry must not make a second one."""
    keys = []

    def lose_the_answer(route):
        keys.append(route.request.headers.get("idempotency-key"))
        route.fetch()  # reaches the server: the ticket is created…
        route.abort("connectionreset")  # …but the phone sees a network error

    phone.route("**/api/v1/events", lose_the_answer)
    fill_report(phone, photo=False, description="回复丢失的上报")
    phone.click("#submit-btn")
    expect(phone.locator("#outbox-count")).to_have_text("1")
    assert len(my_tickets(live_server, inspector)) == 1

    phone.unroute("**/api/v1/events")
    with phone.expect_request("**/api/v1/events") as retry:
        phone.click(".tabs [data-tab=outbox]")
        phone.click("#outbox-send")
    assert retry.value.headers["idempotency-key"] == keys[0]
    expect(phone.locator("#outbox-count")).to_be_hidden()
    assert len(my_tickets(live_server, inspector)) == 1


def test_user_text_is_shown_as_text_never_run(phone, live_server, inspector):
    dialogs = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    live_server.api("POST", "/api/v1/events", inspector, expect=201, json={
        "category": "exposed_garbage", "location": {"lng": 121.4288, "lat": 31.2551}, "description": evil,
        "address": "<b>宜川路</b>"})
    phone.click(".tabs [data-tab=mine]")
    item = phone.locator("#mine-list .ticket").first
    expect(item.locator(".desc")).to_have_text(evil)
    expect(item.locator(".status-dispatched")).to_have_text("已派遣")
    expect(item).to_contain_text("绿化市容所")
    expect(item).to_contain_text("处置时限")
    shot(phone, "m-mine")
    item.locator(".ticket-open").click()
    detail = phone.locator("#detail")
    expect(detail).to_contain_text(evil)
    expect(detail).to_contain_text("<b>宜川路</b>")
    expect(detail.locator(".timeline li")).not_to_have_count(0)
    expect(detail.locator(".timeline")).to_contain_text("上报")
    shot(phone, "m-detail")
    assert phone.locator("#detail img[src=x]").count() == 0
    assert dialogs == []


def test_verify_a_resolved_ticket_on_site_closes_it(new_page, live_server, inspector):
    ticket = resolved_ticket(live_server, inspector)
    checker = live_server.create_user("xy_zhao", "inspector", zone="xiangyi", display_name="赵巡查")
    page = new_page(**PHONE)
    login(page, checker["username"])
    wait_ready(page)
    expect(page.locator("#verify-count")).to_have_text("1")
    page.click(".tabs [data-tab=verify]")
    card = page.locator(f"#verify-list .verify-item[data-id='{ticket['id']}']")
    expect(card).to_contain_text("小区门口暴露垃圾")
    card.get_by_role("button", name="现场核查").click()
    card.get_by_role("button", name="通过", exact=True).click()
    expect(card.locator(".form-error")).to_have_text("请先拍摄核查现场照片")
    card.locator("input[type=file]").set_input_files(files=[PHOTO])
    card.get_by_role("button", name="不通过").click()
    expect(card.locator(".form-error")).to_have_text("不通过时请填写原因")
    card.locator("textarea").fill("已清理干净")
    shot(page, "m-verify")
    card.get_by_role("button", name="通过", exact=True).click()
    expect(page.locator("#verify-empty")).to_be_visible()
    expect(page.locator("#verify-count")).to_be_hidden()

    closed = live_server.api("GET", f"/api/v1/tickets/{ticket['id']}", checker, expect=200)["ticket"]
    assert closed["status"] == "closed"
    assert [p["stage"] for p in closed["photos"]] == ["after", "after"]
    verify = [e for e in closed["timeline"] if e["action"] == "verify"]
    assert verify[0]["actor"] == "赵巡查" and verify[0]["note"] == "已清理干净"


def test_a_department_user_gets_the_403_page_on_m(new_page, live_server):
    live_server.create_user("cg_chen", "department", department="chengguan", display_name="陈队长")
    page = new_page(viewport={"width": 375, "height": 812})
    login(page, "cg_chen")
    response = page.goto("/m/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("无权访问")
    expect(page.get_by_role("link", name="返回我的工作台")).to_have_attribute("href", "/desk/")
    expect(page.locator(".navbar .who-role")).to_contain_text("城管执法中队")
    shot(page, "m-403")


def test_signing_in_from_a_phone(new_page, live_server, inspector):
    page = new_page(viewport={"width": 375, "height": 812})
    page.goto("/m/")
    assert "/login?next=/m/" in page.url
    page.fill("input[name=username]", inspector["username"])
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    expect(page.locator("[data-testid=login-error]")).to_contain_text("用户名或密码错误")
    shot(page, "login")
    login(page, inspector["username"], next_path="/m/", via_form=True)
    assert page.url.endswith("/m/")
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    assert page.goto("/m/").url.endswith("/login?next=/m/")
