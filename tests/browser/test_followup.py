"""跟踪回访 in a real browser: the inspector's 回访 tab on the phone, the command center's 回访 and 返工待批
tabs on the desk, the ticket page's 回访 card and 回访返工 — at 375, 1366 and 1920 px."""
from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (DESKTOP, PHONE, XIANGYI, copy_to_docs, local, login, open_ticket, png_bytes, rows,
                                   shot, tab, wait_ready)
from tests.helpers import Clock

BIG_SCREEN = {"viewport": {"width": 1920, "height": 1080}}
PHONE_DESK = {"viewport": {"width": 375, "height": 812}}


class Closings:
    """Three tickets of the public (open311: always visited) closed in 香溢片区 on the settable clock:
      old     closed Fri 11-20 10:00: its 回访 was due Wed 11-25 10:00 — overdue at 10:30
      fresh   closed Wed 11-25 10:00: due Mon 11-30 10:00
      unhappy closed Wed 11-25 10:05, visited at 10:20 by the inspector: 不满意 → waits for the command center
    """

    def __init__(self, live_server, inspector):
        from dispatch import db
        from dispatch.tickets.models import Ticket

        self.server, self.inspector = live_server, inspector
        self.clock = Clock(local(2026, 11, 20, 9, 0))
        live_server.app.config["CLOCK"] = self.clock
        self.command = live_server.create_user("zhang_cmd", "command", display_name="张指挥")
        self.sanitation = live_server.create_user("lh_li", "department", department="sanitation", display_name="李师傅")
        self._db, self._ticket = db, Ticket
        self.old = self.closed(0, "小区门口垃圾堆放", (2026, 11, 20, 10, 0))
        self.fresh = self.closed(1, "路口垃圾满地", (2026, 11, 25, 10, 0))
        self.unhappy = self.closed(2, "绿化带内垃圾", (2026, 11, 25, 10, 5))
        self.clock.set(local(2026, 11, 25, 10, 20))
        task = self.followup(self.unhappy)
        live_server.api("POST", f"/api/v1/followups/{task['id']}/visit", inspector, expect=201,
                        json={"reached": True, "rating": "dissatisfied", "note": "垃圾又堆回来了，居民不满意"})
        self.clock.set(local(2026, 11, 25, 10, 30))

    def closed(self, i: int, description: str, when: tuple) -> dict:
        self.clock.set(local(*when[:3], when[3], when[4] - 5 if when[4] >= 5 else 0))
        lng, lat = XIANGYI[i]
        ticket = self.server.api("POST", "/api/v1/events", self.inspector, expect=201, json={
            "category": "exposed_garbage", "location": {"lng": lng, "lat": lat}, "description": description})["ticket"]
        with self.server.app.app_context():
            row = self._db.session().get(self._ticket, ticket["id"])
            row.source = "open311"
            self._db.session().commit()
        path = f"/api/v1/tickets/{ticket['id']}"
        self.server.api("POST", path + "/actions", self.sanitation, expect=200, json={"action": "accept"})
        self.server.api("POST", path + "/photos", self.sanitation, expect=201,
                        data={"stage": "after", "photo": (io.BytesIO(png_bytes()), "a.png")})
        self.server.api("POST", path + "/actions", self.sanitation, expect=200, json={"action": "resolve"})
        self.clock.set(local(*when))
        return self.server.api("POST", path + "/actions", self.command, expect=200,
                               json={"action": "verify", "passed": True})["ticket"]

    def followup(self, ticket: dict) -> dict:
        return self.server.api("GET", f"/api/v1/tickets/{ticket['id']}/followups", self.command, expect=200)["data"][0]


@pytest.fixture
def closings(live_server, inspector) -> Closings:
    return Closings(live_server, inspector)


def test_the_inspector_records_the_zones_visits_on_the_phone(new_page, live_server, closings):
    page = new_page(**PHONE)
    login(page, closings.inspector["username"])
    wait_ready(page)
    expect(page.locator("#followup-count")).to_have_text("2")
    expect(page.locator("#followup-count")).to_have_class("badge badge-warn")  # one is overdue
    page.click(".tabs [data-tab=followup]")
    items = page.locator("#followup-list .followup-item")
    expect(items).to_have_count(2)
    # soonest due first: the overdue one, 30 working minutes late; then the fresh one, closed 30 minutes ago
    expect(items.nth(0)).to_have_attribute("data-number", closings.old["number"])
    expect(items.nth(0).locator("[data-testid=due]")).to_have_text("已超期 30分")
    expect(items.nth(1).locator("[data-testid=due]")).to_have_text("剩余 2个工作日7小时")  # 3 WD less 30 min
    expect(page.locator("#followup-scope")).to_have_text("香溢片区 · 待回访 2 条，其中已超期 1 条")
    card = items.nth(0)
    card.get_by_role("button", name="记录回访").click()
    card.get_by_role("button", name="不满意").click()
    card.get_by_role("button", name="提交回访").click()
    expect(card.locator(".form-error")).to_have_text("不满意时请填写原因")
    card.get_by_role("button", name="基本满意").click()
    card.locator("textarea").fill("电话回访，居民认可处理结果")
    shot(page, "m-followup-375")
    copy_to_docs(shot(page, "m-followup"), "m-followup.png")
    card.get_by_role("button", name="提交回访").click()
    expect(page.locator("#toast")).to_contain_text(f"{closings.old['number']} 回访已记录")
    expect(items).to_have_count(1)
    expect(page.locator("#followup-count")).to_have_text("1")
    visit = closings.followup(closings.old)["visit"]
    assert (visit["rating"], visit["note"]) == ("basically_satisfied", "电话回访，居民认可处理结果")
    # 未联系上: no rating asked
    card = items.nth(0)
    card.get_by_role("button", name="记录回访").click()
    card.get_by_text("未联系上").click()
    expect(card.locator(".ratings")).to_be_hidden()
    card.get_by_role("button", name="提交回访").click()
    expect(page.locator("#followup-empty")).to_be_visible()
    assert closings.followup(closings.fresh)["visit"]["reached"] is False


@pytest.mark.parametrize("viewport, name", [(DESKTOP, "1366"), (BIG_SCREEN, "1920"), (PHONE_DESK, "375")])
def test_the_command_center_sees_the_queues_and_reopens_the_unhappy_ticket(new_page, live_server, closings,
                                                                           viewport, name):
    page = new_page(**viewport)
    login(page, closings.command["username"], next_path="/desk/%23followups")  # lands on /desk/#followups
    wait_ready(page)
    expect(tab(page, "followups").locator(".count")).to_have_text("2")
    expect(tab(page, "followups")).to_have_class("has-items has-overdue")
    expect(tab(page, "reopen_requests").locator(".count")).to_have_text("1")
    expect(rows(page)).to_have_count(2)
    expect(rows(page).nth(0).locator("[data-testid=due]")).to_contain_text("已超期 30分")
    shot(page, f"desk-followups-{name}")
    if name == "1366":
        copy_to_docs(shot(page, "desk-followups"), "desk-followups.png")
    tab(page, "reopen_requests").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).nth(0)).to_contain_text("垃圾又堆回来了，居民不满意")
    shot(page, f"desk-reopen-requests-{name}")

    open_ticket(page, closings.unhappy)
    expect(page.locator("[data-testid=pending-reopen]")).to_contain_text("垃圾又堆回来了")
    expect(page.locator("#ticket-followups [data-testid=visit]")).to_contain_text("不满意：垃圾又堆回来了，居民不满意")
    expect(page.locator("#ticket-followups [data-testid=visit]")).to_contain_text("返工申请待审批")
    shot(page, f"desk-ticket-followup-{name}")
    page.locator("#ticket-actions [data-action=reopen]").click()
    page.locator("form[data-form=reopen] textarea").fill("同意返工，请绿化市容所再次清理")
    page.locator("form[data-form=reopen] button[type=submit]").click()
    expect(page.locator("[data-page=desk-ticket]")).to_have_attribute("data-status", "in_progress")
    expect(page.locator("#ticket-followups [data-testid=visit]")).to_contain_text("已批准返工")
    expect(page.locator("#ticket-timeline li[data-action=reopen]")).to_contain_text("回访返工")
    # the old one is recorded from the ticket page by the command center
    open_ticket(page, closings.old)
    form = page.locator("#ticket-followups .followup-form")
    form.get_by_role("button", name="满意", exact=True).click()
    form.get_by_role("button", name="提交回访").click()
    expect(page.locator("#ticket-followups [data-testid=visit]")).to_contain_text("满意（张指挥")


def test_declining_the_request_keeps_the_ticket_closed(new_page, live_server, closings):
    page = new_page(**DESKTOP)
    login(page, closings.command["username"], next_path=f"/desk/tickets/{closings.unhappy['id']}")
    wait_ready(page)
    page.locator("#ticket-actions [data-action=decline_reopen]").click()
    page.locator("form[data-form=decline_reopen] button[type=submit]").click()
    expect(page.locator("form[data-form=decline_reopen] .form-error")).to_have_text("请填写驳回理由")
    page.locator("form[data-form=decline_reopen] textarea").fill("已现场复核，系新投放垃圾，另行立案")
    page.locator("form[data-form=decline_reopen] button[type=submit]").click()
    expect(page.locator("#ticket-followups [data-testid=visit]")).to_contain_text("返工申请已驳回")
    expect(page.locator("[data-page=desk-ticket]")).to_have_attribute("data-status", "closed")
    expect(page.locator("[data-testid=pending-reopen]")).to_have_count(0)
