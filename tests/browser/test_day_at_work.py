"""A day's work without friction: what a 街道 office stumbled on, each seen in a real browser.

Returned tickets say so in 待派遣; a duplicate names (and links) the ticket it joined; the cockpit's map
tells what a point is and shows every ticket; pending extensions have a queue; the desk works on a phone;
rework and long limits read plainly; one word for one deadline; pages print as a 工单.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (DESKTOP, PHONE, XIANGYI, XIANGYI_GPS, fill_report, login, open_ticket, rows, shot, tab,
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


# --- 4. the cockpit's map tells what a point is, and shows every ticket -------------------------------------

def test_the_map_names_each_point_separates_near_ones_and_shows_the_out_of_area_ticket(new_page, desk):
    west = min(lng for lng, _ in zone_vertices())
    outside = desk.server.api("POST", "/api/v1/events", desk.command, expect=201, json={
        "category": "other", "location": {"lng": west - 0.003, "lat": 31.2552}, "description": "片区西侧路口"})["ticket"]
    assert outside["zone"] is None
    desk.at(10, 35)
    page = signed_in(new_page, desk.command, "/cockpit/", viewport={"width": 1366, "height": 768})
    expect(page.locator("#outside-list")).to_contain_text(outside["number"])
    expect(page.locator("#outside-list")).to_contain_text("片区外 1 件")
    # the five 暴露垃圾 reports of the desk's morning, 150–300 m apart: five dots, not one
    spots = [page.evaluate("([lng, lat]) => window.cockpit.pixelOf(lng, lat)", p) for p in XIANGYI]
    gaps = [((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** .5 for i, a in enumerate(spots) for b in spots[i + 1:]]
    assert min(gaps) >= 14, gaps  # the largest dot (预警, 超期) is 10 px across
    near = page.evaluate("([lng, lat]) => window.cockpit.pixelOf(lng, lat)", [west - 0.003, 31.2552])
    box = page.locator("#map").bounding_box()
    assert box["x"] < near["x"] < box["x"] + box["width"] and box["y"] < near["y"] < box["y"] + box["height"]
    # hovering a point tells its category and state, not the zone filter's hint
    page.mouse.move(spots[2]["x"], spots[2]["y"])
    tip = page.locator("#map > div").last
    expect(tip).to_contain_text(desk.working["number"])
    expect(tip).to_contain_text("暴露垃圾")
    expect(tip).to_contain_text("处置中 · 正常")
    expect(tip).not_to_contain_text("取消筛选")
    # the 按片区 bars add up to the 上报 of the period, 片区外 included
    bars = page.evaluate("""() => {
        const option = window.echarts.getInstanceByDom(document.getElementById('chart-zone')).getOption();
        return [option.xAxis[0].data, option.series[0].data.map((d) => d.value)];
    }""")
    assert "片区外" in bars[0] and sum(bars[1]) == 6
    page.mouse.move(5, 5)
    shot(page, "cockpit-1366")


def zone_vertices():
    import json

    from tests.browser.helpers import ROOT
    with open(ROOT / "config" / "zones.geojson", encoding="utf-8") as f:
        features = json.load(f)["features"]
    return [tuple(p) for feat in features for ring in feat["geometry"]["coordinates"] for p in ring]


# --- 5. extensions wait in a queue the command center sees ---------------------------------------------------

def test_a_pending_extension_has_a_queue_with_a_badge_and_its_approval_shows_the_new_limit(new_page, desk):
    desk.act(desk.working, "request_extension", days=1, reason="需物业配合开门")
    cockpit = signed_in(new_page, desk.command, "/cockpit/", **BIG_SCREEN)
    badge = cockpit.locator("[data-testid=extensions-link] #extensions-count")
    expect(badge).to_have_text("1")
    with cockpit.expect_navigation():
        cockpit.click("[data-testid=extensions-link]")
    wait_ready(cockpit)
    expect(tab(cockpit, "extensions")).to_have_attribute("aria-selected", "true")
    expect(tab(cockpit, "extensions").locator(".count")).to_have_text("1")
    row = rows(cockpit).first
    expect(row).to_contain_text(desk.working["number"])
    expect(row).to_contain_text("延长 1 工作日")
    expect(row).to_contain_text("需物业配合开门")
    shot(cockpit, "desk-extensions")
    with cockpit.expect_navigation():
        row.locator("a.btn").click()
    wait_ready(cockpit)
    cockpit.click("#ticket-actions button[data-action=approve_extension]")
    resolve = cockpit.locator(".deadline[data-kind=resolve] .k")
    expect(resolve).to_have_text("处置时限（4 工作时 + 延期 1 工作日）")
    step = cockpit.locator("#ticket-timeline li[data-action=approve_extension]")
    expect(step).to_contain_text("延长 1 工作日")
    expect(cockpit.locator("#ticket-timeline li[data-action=request_extension]")).to_contain_text("延长 1 工作日：需物业配合开门")
    expect(cockpit.locator("#ticket-timeline li[data-action=accept]")).to_contain_text("李师傅（绿化市容所）")
    cockpit.goto("/desk/#extensions")
    wait_ready(cockpit)
    expect(tab(cockpit, "extensions").locator(".count")).to_have_text("0")


# --- 6. the desk on a phone, 7. rework and long limits, 8. one word, the login page, printing -------------------

def no_overflow(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375 px phone"


def test_the_desk_works_on_a_phone(new_page, desk):
    page = signed_in(new_page, desk.sanitation, viewport={"width": 375, "height": 812})
    no_overflow(page)
    first = tab(page, "pending").bounding_box()
    assert first["height"] < 60, first  # one line, not one character per line
    row = rows(page).first  # a card: every value named, nothing cut
    expect(row.locator("td[data-label=签收时限]")).to_be_visible()
    box = row.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
    shot(page, "desk-list-375")
    tab(page, "returned").click()
    no_overflow(page)
    open_ticket(page, desk.working)
    no_overflow(page)
    left = page.locator(".deadline[data-kind=resolve] .left")
    expect(left).to_be_visible()
    lbox = left.bounding_box()
    assert lbox["x"] + lbox["width"] <= 375, lbox
    shot(page, "desk-ticket-375")


@pytest.mark.parametrize("width", [1366, 1920])
def test_the_desk_list_and_ticket_at_desk_widths(new_page, desk, width):
    page = signed_in(new_page, desk.sanitation, viewport={"width": width, "height": 900})
    expect(page.locator("#queue-list thead")).to_be_visible()  # a table on a desk's screen
    shot(page, f"desk-list-{width}")
    open_ticket(page, desk.working)
    shot(page, f"desk-ticket-{width}")


def test_rework_is_marked_and_a_long_limit_reads_in_working_days(new_page, desk):
    # 私搭乱建: 20 WD to resolve; 城管 signs for it; 绿化市容所's 处置中 ticket goes back for rework twice
    chengguan = desk.server.create_user("cg_zhao", "department", department="chengguan", display_name="赵队")
    big = desk.server.api("POST", "/api/v1/events", desk.command, expect=201, json={
        "category": "illegal_construction", "location": {"lng": 121.4290, "lat": 31.2545},
        "description": "屋顶加盖"})["ticket"]
    desk.server.api("POST", f"/api/v1/tickets/{big['id']}/actions", chengguan, expect=200, json={"action": "accept"})
    for round_ in range(2):
        desk.photo(desk.working, desk.sanitation, "after")
        desk.act(desk.working, "resolve")
        desk.server.api("POST", f"/api/v1/tickets/{desk.working['id']}/actions", desk.command, expect=200,
                        json={"action": "verify", "passed": False, "note": f"仍有垃圾 {round_ + 1}"})
    page = signed_in(new_page, desk.sanitation)
    tab(page, "in_progress").click()
    row = rows(page).filter(has_text=desk.working["number"])
    expect(row.locator("[data-testid=rework]")).to_have_text("返工 ×2")
    page = signed_in(new_page, chengguan)
    tab(page, "in_progress").click()
    expect(rows(page).first.locator("td[data-label=处置时限]")).to_have_text("剩余 20个工作日")
    desk.at(11, 30)  # an hour of work gone: 19 days and 7 hours left
    page.reload()
    wait_ready(page)
    tab(page, "in_progress").click()
    expect(rows(page).first.locator("td[data-label=处置时限]")).to_have_text("剩余 19个工作日7小时")


def test_one_word_for_the_response_deadline_and_the_check_outcome_on_the_phone(new_page, live_server, desk):
    # the escalation list on the cockpit names the deadline as the desk does: 签收
    desk.at(11, 0)
    from dispatch import db
    from dispatch.escalation import sweep
    with live_server.app.app_context():  # one pass, as the scheduler would
        sweep.sweep(session=db.session(), config=live_server.app.extensions["street_config"], now=desk.clock())
    cockpit = signed_in(new_page, desk.command, "/cockpit/", **BIG_SCREEN)
    expect(cockpit.locator("#escalation-list")).to_contain_text("签收超期")
    expect(cockpit.locator("#escalation-list")).not_to_contain_text("响应")
    desk_page = signed_in(new_page, desk.sanitation)
    expect(desk_page.locator("#queue-list thead")).to_contain_text("签收时限")

    # /m/: a 核查 says whether it passed, and a department's step names the department
    inspector = live_server.create_user("xy_wang", "inspector", zone="xiangyi", display_name="王巡查")
    desk.photo(desk.working, desk.sanitation, "after")
    desk.act(desk.working, "resolve")
    desk.server.api("POST", f"/api/v1/tickets/{desk.working['id']}/actions", desk.command, expect=200,
                    json={"action": "verify", "passed": False, "note": "仍有垃圾"})
    phone = signed_in(new_page, inspector, **PHONE)
    phone.evaluate("(id) => window.YC.m.lists.openDetail({ id })", desk.working["id"])
    timeline = phone.locator("#detail .timeline")
    expect(timeline).to_contain_text("核查（不通过）")
    expect(timeline).to_contain_text("李师傅（绿化市容所）")
    shot(phone, "m-detail-rework")


def test_the_login_page_shows_no_command_line(new_page):
    page = new_page(viewport={"width": 375, "height": 812})
    page.goto("/login")
    expect(page.locator("body")).not_to_contain_text("python")
    expect(page.locator("code")).to_have_count(0)


def test_a_ticket_prints_as_an_a4_work_order(new_page, desk):
    page = signed_in(new_page, desk.sanitation)
    open_ticket(page, desk.working)
    page.emulate_media(media="print")
    for hidden in (".navbar", "#ticket-actions .action-buttons", "[data-testid=print]"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(".print-title")).to_have_text("宜川路街道城市网格化管理 · 工单")
    expect(page.locator("[data-testid=ticket-number]")).to_have_text(desk.working["number"])
    expect(page.locator("#ticket-timeline")).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    shot(page, "desk-ticket-print")
