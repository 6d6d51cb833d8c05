"""The closed loop end to end, each step in its own browser: report on /m/ → 签收 and 处置完成 on /desk/ →
核查 on /m/, with the cockpit open the whole time and changing without a reload."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.helpers import login, next_poll, png_bytes, shot, wait_ready

SHANGHAI = ZoneInfo("Asia/Shanghai")
XIANGYI_GPS = {"latitude": 31.2551, "longitude": 121.4288}  # inside 香溢片区
PHONE = {"viewport": {"width": 375, "height": 812}, "geolocation": XIANGYI_GPS, "permissions": ["geolocation"]}
PHOTO = {"name": "scene.png", "mimeType": "image/png", "buffer": png_bytes()}
AFTER = {"name": "after.png", "mimeType": "image/png", "buffer": png_bytes(rgb=(60, 160, 90))}
LIVE = 10_000  # the cockpit must show a change within 10 s


class TickingClock:
    """Wednesday 2026-11-25 10:00 in Shanghai (working hours) when the test starts, then real time."""

    def __init__(self, start: datetime):
        self.start, self.t0 = start, time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.t0)


def test_report_handle_verify_while_the_cockpit_watches(live_server, new_page):
    live_server.app.config["CLOCK"] = TickingClock(datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI).astimezone(UTC))
    reporter = live_server.create_user("xy_wang", "inspector", zone="xiangyi", display_name="王巡查")
    checker = live_server.create_user("xy_zhao", "inspector", zone="xiangyi", display_name="赵巡查")
    sanitation = live_server.create_user("lh_li", "department", department="sanitation", display_name="李师傅")
    command = live_server.create_user("zhang_cmd", "command", display_name="张指挥")

    # The big screen, open from the start; it must never reload.
    cockpit = new_page(viewport={"width": 1920, "height": 1080})
    cockpit.clock.install()  # its polls run on Playwright's clock: next_poll() brings the next one at once
    login(cockpit, command["username"])
    wait_ready(cockpit)
    navigations = []
    cockpit.on("framenavigated", lambda frame: navigations.append(frame.url))
    cockpit.evaluate("() => { window.__sameDocument = true; }")
    kpi = {name: cockpit.locator(f"[data-kpi={name}]") for name in
           ("reported_today", "open", "close_rate", "on_time_close_rate", "pending_dispatch")}
    expect(kpi["reported_today"].locator(".v")).to_have_text("0")
    expect(kpi["close_rate"].locator(".v")).to_have_text("—")
    shot(cockpit, "loop-1-cockpit-empty")

    # 1. The inspector reports 暴露垃圾 with the phone's (faked) GPS: 香溢片区 → 绿化市容所.
    phone = new_page(**PHONE)
    login(phone, reporter["username"])
    wait_ready(phone)
    expect(phone.locator("#zone-name")).to_have_text("香溢片区")
    phone.click("#categories .cat[data-slug=exposed_garbage]")
    phone.set_input_files("#photo", files=[PHOTO])
    phone.fill("#description", "宜川路小区门口暴露垃圾一堆")
    phone.click("#submit-btn")
    expect(phone.locator("#last-report")).to_contain_text("上报成功")
    expect(phone.locator("#last-report")).to_contain_text("绿化市容所")
    [ticket] = live_server.api("GET", "/api/v1/tickets?mine=1", reporter, expect=200)["data"]
    assert (ticket["zone"], ticket["department"], ticket["status"]) == ("xiangyi", "sanitation", "dispatched")
    shot(phone, "loop-2-m-reported")

    next_poll(cockpit).response()  # the cockpit's next poll, sent after the report, shows it
    expect(kpi["reported_today"].locator(".v")).to_have_text("1", timeout=LIVE)
    expect(kpi["open"].locator(".v")).to_have_text("1", timeout=LIVE)
    expect(cockpit.locator("body")).to_have_attribute("data-points", "1", timeout=LIVE)

    # 2. 绿化市容所 finds it in 待签收, signs for it and reports it done with an after photo.
    desk = new_page(viewport={"width": 1366, "height": 900})
    login(desk, sanitation["username"])
    wait_ready(desk)
    pending = desk.locator(".desk-tabs [data-queue=pending]")
    expect(pending.locator(".count")).to_have_text("1")
    row = desk.locator("#queue-list tbody tr").first
    expect(row).to_contain_text("宜川路小区门口暴露垃圾一堆")
    shot(desk, "loop-3-desk-list")
    row.locator(f"a[data-ticket='{ticket['id']}']").click()
    wait_ready(desk)
    expect(desk.locator("[data-testid=ticket-number]")).to_have_text(ticket["number"])
    expect(desk.locator("#ticket-photos [data-stage=before] img.thumb")).to_have_count(1)
    desk.click("#ticket-actions button[data-action=accept]")
    expect(desk.locator("#ticket-badges .status")).to_have_text("处置中")
    desk.click("#ticket-actions button[data-action=resolve]")
    form = desk.locator("form[data-form=resolve]")
    form.locator("input[type=file]").set_input_files(files=[AFTER])
    form.locator("textarea").fill("已清运，地面冲洗干净")
    form.locator("button[type=submit]").click()
    expect(desk.locator("#ticket-badges .status")).to_have_text("已处置待核查")
    expect(desk.locator("#ticket-photos [data-stage=after] img.thumb")).to_have_count(1)
    shot(desk, "loop-4-desk-resolved")

    # 3. Another inspector of 香溢片区 checks it on site and passes it: 结案.
    verifier = new_page(**PHONE)
    login(verifier, checker["username"])
    wait_ready(verifier)
    expect(verifier.locator("#verify-count")).to_have_text("1")
    verifier.click(".tabs [data-tab=verify]")
    card = verifier.locator(f"#verify-list .verify-item[data-id='{ticket['id']}']")
    card.get_by_role("button", name="现场核查").click()
    card.locator("input[type=file]").set_input_files(files=[AFTER])
    card.locator("textarea").fill("现场已清理干净")
    shot(verifier, "loop-5-m-verify")
    card.get_by_role("button", name="通过", exact=True).click()
    expect(verifier.locator("#verify-empty")).to_be_visible()

    closed = live_server.api("GET", f"/api/v1/tickets/{ticket['id']}", command, expect=200)["ticket"]
    assert closed["status"] == "closed"
    assert [e["action"] for e in closed["timeline"] if e["action"] != "photo"] == [
        "report", "dispatch", "accept", "resolve", "verify"]

    # 4. The cockpit, never reloaded, shows the closure at its next poll: 结案率 and 按期结案率 100 %, nothing open.
    next_poll(cockpit).response()
    expect(kpi["close_rate"].locator(".v")).to_have_text("100.0", timeout=LIVE)
    expect(kpi["on_time_close_rate"].locator(".v")).to_have_text("100.0", timeout=LIVE)
    expect(kpi["close_rate"].locator(".kpi-sub")).to_have_text("结案 1 / 应结案 1")
    expect(kpi["reported_today"].locator(".kpi-sub")).to_have_text("今日结案 1 件")
    expect(kpi["open"].locator(".v")).to_have_text("0")
    expect(cockpit.locator("body")).to_have_attribute("data-points", "0")
    assert cockpit.evaluate("() => window.__sameDocument") is True
    assert navigations == [], f"the cockpit navigated: {navigations}"
    stats = live_server.api("GET", "/api/v1/stats", command, expect=200)["totals"]
    assert (stats["close_rate"], stats["on_time_close_rate"], stats["closed_today"]) == (1.0, 1.0, 1)
    shot(cockpit, "loop-6-cockpit-closed")
