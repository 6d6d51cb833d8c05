"""The 居委's page (/m/ for role committee): its 居民区's tickets, 待评价 with the time left, the evaluation form,
an 约请 report; the command center's 复核 on the desk; the cockpit's per-居委 table — at 375, 1366 and 1920 px."""
from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (DESKTOP, PHONE, copy_to_docs, fill_report, login, png_bytes, resize, shot,
                                   wait_ready)

HUACHENG = "310107020018"  # 香溢花城社区居委会, 香溢片区
SICUN = "310107020004"     # 宜川四村居委会, 香溢片区
SPOTS = [(121.4262, 31.2540), (121.4285, 31.2552), (121.4300, 31.2530), (121.4318, 31.2560)]
WIDTHS = {"phone": PHONE, "desktop": DESKTOP, "wide": {"viewport": {"width": 1920, "height": 1080}}}


class Area:
    """香溢花城's 居委, an inspector, 绿化市容所 and the command center; tickets of the 居民区 in each state."""

    def __init__(self, live_server):
        self.server = live_server
        self.committee = live_server.create_user("jw_hc", "committee", committee=HUACHENG, display_name="香溢花城居委")
        self.inspector = live_server.create_user("xy_wang", "inspector", zone="xiangyi", display_name="王巡查")
        self.sanitation = live_server.create_user("lh_li", "department", department="sanitation", display_name="李师傅")
        self.command = live_server.create_user("zhx", "command", display_name="城运中心")

    def report(self, i: int, description: str, committee: str = HUACHENG) -> dict:
        lng, lat = SPOTS[i]
        return self.server.api("POST", "/api/v1/events", self.inspector, expect=201, json={
            "category": "exposed_garbage", "location": {"lng": lng, "lat": lat}, "description": description,
            "committee": committee})["ticket"]

    def closed(self, i: int, description: str) -> dict:
        ticket = self.report(i, description)
        path = f"/api/v1/tickets/{ticket['id']}"
        self.server.api("POST", path + "/actions", self.sanitation, expect=200, json={"action": "accept"})
        self.server.api("POST", path + "/photos", self.sanitation, expect=201,
                        data={"stage": "after", "photo": (io.BytesIO(png_bytes(rgb=(60, 160, 90))), "a.png")})
        self.server.api("POST", path + "/actions", self.sanitation, expect=200, json={"action": "resolve"})
        return self.server.api("POST", path + "/actions", self.command, expect=200,
                               json={"action": "verify", "passed": True})["ticket"]


@pytest.fixture
def area(live_server) -> Area:
    return Area(live_server)


def signed_in(new_page, user, size="phone"):
    page = new_page(**WIDTHS[size])
    login(page, user["username"])
    wait_ready(page)
    return page


@pytest.mark.parametrize("size", ["phone", "desktop", "wide"])
def test_the_committee_sees_what_awaits_its_evaluation_and_evaluates_it(new_page, area, size):
    first = area.closed(0, "小区门口暴露垃圾")
    second = area.closed(1, "楼道口垃圾堆放")
    area.report(2, "绿化带内有建筑垃圾")                 # open: listed, not awaiting
    area.report(3, "隔壁居民区的垃圾", committee=SICUN)  # another 居民区: not shown
    page = signed_in(new_page, area.committee, size)
    assert page.url.endswith("/m/")
    expect(page.locator(".tabs [data-tab=report]")).to_have_text("约请上报")
    expect(page.locator("#evaluate-count")).to_have_text("2")
    page.click(".tabs [data-tab=evaluate]")
    cards = page.locator("#evaluate-list .evaluate-item")
    expect(cards).to_have_count(2)
    expect(cards.first.locator(".window")).to_contain_text("剩余")
    expect(page.locator("#evaluate-scope")).to_contain_text("香溢花城社区居委会")
    shot(page, f"committee-evaluate-{size}")
    if size == "phone":
        copy_to_docs(shot(page, "committee-evaluate-phone"), "committee-evaluate-phone.png")
    card = page.locator(f"#evaluate-list .evaluate-item[data-id='{first['id']}']")
    card.locator("[data-question=responsiveness] input[value=satisfied]").check()
    card.locator("[data-question=handling] input[value=dissatisfied]").check()
    card.locator("textarea").fill("垃圾清运后第二天又堆满")
    card.get_by_role("button", name="提交评价").click()
    expect(page.locator("#evaluate-list .evaluate-item")).to_have_count(1)
    expect(page.locator("#evaluate-count")).to_have_text("1")
    evaluated = area.server.api("GET", f"/api/v1/tickets/{first['id']}/evaluation", area.committee, expect=200)
    assert (evaluated["state"], evaluated["evaluation"]["handling"], evaluated["review"]["status"]) == (
        "evaluated", "dissatisfied", "pending")
    # 本居民区: the 居民区's three tickets (not the other one); the evaluated one shows its evaluation
    page.click(".tabs [data-tab=mine]")
    expect(page.locator("#mine-list .ticket")).to_have_count(3)
    page.locator(f"#mine-list .ticket[data-id='{first['id']}'] .ticket-open").click()
    expect(page.locator("#detail [data-testid=evaluation]")).to_contain_text("响应度满意，处置不满意")
    expect(page.locator("#detail [data-testid=review]")).to_contain_text("待复核")
    page.locator("#detail-back").click()
    page.locator(f"#mine-list .ticket[data-id='{second['id']}'] .ticket-open").click()
    expect(page.locator("#detail .evaluate-form")).to_be_visible()
    shot(page, f"committee-detail-{size}")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_committee_report_is_an_invitation(new_page, area):
    page = signed_in(new_page, area.committee)
    expect(page.locator("[data-testid=invite-note]")).to_contain_text("约请")
    page.click("#locate-btn")
    expect(page.locator("#zone-name")).to_contain_text("香溢")
    expect(page.locator("#committee")).to_have_value(HUACHENG)  # its own 居民区, preselected
    fill_report(page, description="小区内群租扰民，约请相关部门")
    page.click("#submit-btn")
    expect(page.locator("#last-report")).to_contain_text("上报成功")
    shot(page, "committee-report-phone")
    ticket = area.server.api("GET", "/api/v1/tickets", area.committee, expect=200)["data"][0]
    assert (ticket["source"], ticket["committee"]) == ("committee", HUACHENG)
    page.click(".tabs [data-tab=mine]")
    expect(page.locator(f"#mine-list .ticket[data-id='{ticket['id']}'] .chip-invite")).to_have_text("约请")


def test_an_inspector_picks_the_committee_from_the_zones_list(new_page, area):
    page = signed_in(new_page, area.inspector)
    page.click("#locate-btn")
    expect(page.locator("#zone-name")).to_contain_text("香溢")
    select = page.locator("#committee")
    expect(select).to_be_enabled()
    expect(select).to_have_value("")  # no configured points: nothing preselected
    names = select.locator("option").all_inner_texts()
    assert "香溢花城社区居委会" in names and "中远两湾城第一居委会" not in names
    select.select_option(SICUN)
    fill_report(page, photo=False)
    page.click("#submit-btn")
    expect(page.locator("#last-report")).to_contain_text("上报成功")
    mine = area.server.api("GET", "/api/v1/tickets?mine=1", area.inspector, expect=200)["data"]
    assert mine[0]["committee"] == SICUN


@pytest.mark.parametrize("size", ["phone", "desktop", "wide"])
def test_the_command_center_sends_a_reviewed_ticket_back_to_rework(new_page, area, size):
    ticket = area.closed(0, "小区门口暴露垃圾")
    area.server.api("POST", f"/api/v1/tickets/{ticket['id']}/evaluation", area.committee, expect=201,
                    json={"responsiveness": "basically_satisfied", "handling": "dissatisfied", "note": "又堆满了"})
    page = new_page(**WIDTHS[size])
    login(page, area.command["username"], next_path="/desk/")
    tab = page.locator(".desk-tabs [data-queue=reviews]")
    expect(tab.locator(".count")).to_have_text("1")  # the 复核 tab's badge
    tab.click()
    row = page.locator(f"table.tickets[data-list=reviews] tr[data-id='{ticket['id']}']")
    expect(row).to_contain_text("又堆满了")
    expect(row).to_contain_text("香溢花城社区居委会")
    shot(page, f"desk-reviews-{size}")
    if size == "desktop":
        copy_to_docs(shot(page, "desk-reviews"), "desk-reviews.png")
    row.get_by_role("link", name="复核").click()
    review = page.locator("[data-testid=evaluation]")
    expect(review).to_contain_text("响应度基本满意，处置不满意")
    shot(page, f"desk-review-ticket-{size}")
    review.locator("[data-testid=review-reason]").fill("居委反映反复堆放，退回重新处置")
    review.locator("button[data-decision=rework]").click()
    expect(page.locator("[data-page=desk-ticket]")).to_have_attribute("data-status", "in_progress")
    expect(page.locator("#ticket-timeline")).to_contain_text("复核返工")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_the_cockpit_shows_each_committee(new_page, area):
    first = area.closed(0, "小区门口暴露垃圾")
    area.closed(1, "楼道口垃圾堆放")
    area.server.api("POST", f"/api/v1/tickets/{first['id']}/evaluation", area.committee, expect=201,
                    json={"responsiveness": "satisfied", "handling": "dissatisfied", "note": "又堆满了"})
    page = new_page(**WIDTHS["wide"])
    login(page, area.command["username"])
    wait_ready(page)
    row = page.locator(f"#committee-table tr[data-committee='{HUACHENG}']")
    expect(row).to_be_visible()
    cells = row.locator("td").all_inner_texts()
    assert cells == ["香溢花城", "2", "2", "1", "0", "100%", "0%", "1"]
    assert row.locator("td.name").get_attribute("title") == "香溢花城社区居委会"
    expect(page.locator("#reviews-count")).to_have_text("1")
    assert page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]") == [1920, 1080]
    copy_to_docs(shot(page, "cockpit-committees"), "cockpit-committees.png")
    resize(page, 1366, 768)  # the desk monitor: no sideways scrolling (860 px tall by design)
    expect(row).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") == 1366
    shot(page, "cockpit-committees-1366")
