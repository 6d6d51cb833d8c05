"""The monthly report pages, the cockpit's 顽症 layer and the desk's "此处 30 天内第 N 次上报", in Chromium."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import copy_to_docs, local, login, shot, wait_ready
from tests.dispatch.helpers import INTERIOR, offset
from tests.helpers import Clock

WIDTHS = {"phone": 375, "laptop": 1366, "wide": 1920}
A4 = {"width": 794, "height": 1123}  # 210 × 297 mm at 96 px per inch


class November:
    """A November on the live server: a hotspot of four reports, other reports, an overdue and a returned ticket;
    the clock on Tuesday 1 December 2026, 10:00, the first working day after it."""

    def __init__(self, live_server):
        self.server = live_server
        self.clock = Clock(local(2026, 10, 12, 9, 0))
        live_server.app.config["CLOCK"] = self.clock
        self.command = live_server.create_user("zhang_cmd", "command", display_name="张指挥")
        self.inspector = live_server.create_user("xy_wang", "inspector", zone="xiangyi", display_name="王巡查")
        self.sanitation = live_server.create_user("lv_san", "department", department="sanitation",
                                                  display_name="绿化市容所")
        categories = ["public_clutter", "bike_misparking", "stairwell_clutter", "street_vending"]
        october = [self.report(categories[i], offset(*INTERIOR["zhongyuan"], north_m=-200 + 90 * i), (10, 12 + i, 10),
                               "十月的上报") for i in range(3)]  # first: intake's duplicate check looks back from now
        self.hotspot = [self.report("exposed_garbage", offset(*INTERIOR["jiaoxi"], east_m=m), (11, d, 9),
                                    f"交西片区垃圾又堆起来了({i + 1})", address="宜川路 300 弄口")
                        for i, (m, d) in enumerate(((0, 3), (15, 10), (25, 18), (35, 26)))]
        spots = [(zone, east) for zone in ("xiangyi", "zhongyuan") for east in (-240, -120, 0, 120)]
        self.others = [self.report(categories[i % 4], offset(*INTERIOR[zone], east_m=east), (11, 4 + 3 * i, 14),
                                   "现场发现问题，请处理") for i, (zone, east) in enumerate(spots)]
        self.returned = self.report("exposed_garbage", offset(*INTERIOR["xiangyi"], north_m=150), (11, 20, 10),
                                    "路边建筑垃圾")
        self.clock.set(local(2026, 11, 20, 10, 30))
        live_server.api("POST", f"/api/v1/tickets/{self.returned['id']}/actions", self.sanitation, expect=200,
                        json={"action": "return", "reason": "建筑垃圾，属城管执法"})
        self.overdue(self.others[0])
        for i, ticket in enumerate(self.others[1:6] + october[:2]):  # handled: four on time, the fifth late
            self.close(ticket, hours=1 if i != 4 else 24 * 6)
        self.clock.set(local(2026, 12, 1, 10, 0))

    def report(self, category, at, day, description, address=None) -> dict:
        self.clock.set(local(2026, *day))
        body = {"category": category, "location": {"lng": at[0], "lat": at[1]}, "description": description}
        if address:
            body["address"] = address
        return self.server.api("POST", "/api/v1/events", self.inspector, expect=201, json=body)["ticket"]

    def close(self, ticket: dict, *, hours: float) -> None:
        """Resolved `hours` after it was reported and closed an hour later (what the actions would have written)."""
        from datetime import datetime, timedelta

        from dispatch import db
        from dispatch.tickets import clock
        from dispatch.tickets.models import Ticket

        with self.server.app.app_context():
            row = db.session().get(Ticket, ticket["id"])
            reported = datetime.fromisoformat(ticket["created_at"])
            for name, value in (("status", "closed"), ("accepted_at", reported + timedelta(minutes=20)),
                                ("resolved_at", reported + timedelta(hours=hours)),
                                ("closed_at", reported + timedelta(hours=hours + 1))):
                setattr(row, name, value)
            row.handling_minutes = clock.handling_minutes(row, calendar=self.server.app.extensions["street_config"]
                                                          .calendar)  # as the resolve flow stores it
            db.session().commit()

    def overdue(self, ticket: dict) -> None:
        """What the sweep records when a deadline passes: the 超期 level of its resolve deadline."""
        from dispatch import db
        from dispatch.tickets.models import Escalation

        with self.server.app.app_context():
            due = local(2026, 11, 9, 17, 30)
            db.session().add(Escalation(ticket_id=ticket["id"], deadline="resolve", level=1, round=1, due_at=due,
                                        created_at=due))
            db.session().commit()


@pytest.fixture
def november(live_server) -> November:
    return November(live_server)


def test_the_list_and_the_report_page_at_each_width_and_on_a4(new_page, november):
    made = november.server.api("POST", "/api/v1/reports/monthly", november.command, expect=201,
                               json={"month": "2026-11"})
    totals = made["report"]["totals"]
    assert (totals["reported"], totals["closed"], made["report"]["previous"]["totals"]["reported"]) == (13, 5, 3)
    assert len(made["report"]["hotspots"]) == 1
    for name, width in WIDTHS.items():
        page = new_page(viewport={"width": width, "height": 900})
        login(page, "zhang_cmd", next_path="/cockpit/reports/")
        wait_ready(page)
        row = page.locator('[data-month="2026-11"][data-version="1"]')
        expect(row).to_contain_text("13")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing spills at 375
        shot(page, f"reports-list-{name}")
        page.goto("/cockpit/reports/2026-11")
        wait_ready(page)
        expect(page.locator("h1").last).to_contain_text("2026 年 11 月")
        expect(page.locator('[data-figure="reported"]')).to_contain_text("13")
        expect(page.get_by_test_id("hotspots")).to_contain_text("暴露垃圾")
        expect(page.get_by_test_id("bulletin")).to_contain_text("绿化市容所")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        path = shot(page, f"report-{name}")
        if name == "laptop":
            copy_to_docs(path, "monthly-report.png")
    page = new_page(viewport=A4)
    login(page, "zhang_cmd", next_path="/cockpit/reports/2026-11")
    page.emulate_media(media="print")
    expect(page.locator(".navbar")).to_be_hidden()
    expect(page.get_by_test_id("print")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= A4["width"]
    shot(page, "report-a4-print")
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 1


def test_making_a_month_from_the_page(new_page, november):
    page = new_page(viewport={"width": 1366, "height": 900})
    login(page, "zhang_cmd", next_path="/cockpit/reports/")
    expect(page.get_by_test_id("due-month")).to_have_text("2026-11")
    page.locator('input[name="month"]').fill("2026-11")
    with page.expect_navigation():
        page.get_by_role("button", name="生成报告").click()
    assert page.url.endswith("/cockpit/reports/2026-11?version=1")
    page.goto("/cockpit/reports/")
    page.locator('input[name="month"]').fill("2026-11")
    with page.expect_navigation():
        page.get_by_role("button", name="生成报告").click()
    expect(page.get_by_test_id("message")).to_contain_text("已有报告")


def test_the_cockpit_shows_the_hotspots_as_a_layer_that_can_be_hidden(new_page, november):
    november.clock.set(local(2026, 11, 26, 15, 0))  # the fourth report is from this morning
    page = new_page(viewport={"width": 1920, "height": 1080})
    login(page, "zhang_cmd", next_path="/cockpit/")
    wait_ready(page)
    expect(page.locator("body")).to_have_attribute("data-hotspots", "1")
    copy_to_docs(shot(page, "cockpit-hotspots"), "cockpit-hotspots.png")
    toggle = page.get_by_test_id("hotspot-toggle")
    toggle.click()
    expect(page.locator("body")).to_have_attribute("data-hotspots", "0")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(page.locator("body")).to_have_attribute("data-hotspots", "1")


@pytest.mark.parametrize("width", [375, 1366])
def test_the_desk_says_this_is_the_fourth_report_here(new_page, november, width):
    fourth = november.hotspot[-1]
    november.clock.set(local(2026, 11, 26, 15, 0))
    page = new_page(viewport={"width": width, "height": 900})
    login(page, "zhang_cmd", next_path=f"/desk/tickets/{fourth['id']}")
    page.goto(f"/desk/tickets/{fourth['id']}")
    wait_ready(page)
    banner = page.get_by_test_id("recurrence")
    expect(banner).to_contain_text("此处 30 天内第 4 次上报")
    links = banner.locator("a")
    expect(links).to_have_count(3)
    assert [links.nth(i).inner_text() for i in range(3)] == [t["number"] for t in november.hotspot[:3]]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    path = shot(page, f"desk-recurrence-{width}")
    if width == 375:
        copy_to_docs(path, "desk-recurrence.png")
    with page.expect_navigation():
        links.first.click()
    assert page.url.endswith(f"/desk/tickets/{november.hotspot[0]['id']}")
    wait_ready(page)
    expect(page.get_by_test_id("recurrence")).to_have_count(0)  # the first report: no recurrence yet
