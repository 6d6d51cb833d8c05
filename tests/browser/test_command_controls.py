"""The command center's controls in the pages: 改派 and 催办 on a ticket, the desk's 催办 mark and its
new-待签收 alert (badge, title, chime, mute), and the cockpit's bulk 派遣/督办/催办 with clickable rows.

Screenshots at 375, 1366 and 1920 px wide go to test-artifacts/screenshots/ (command-*.png).
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP, XIANGYI, copy_to_docs, login, rows, shot, tab, wait_ready

PHONE = {"viewport": {"width": 375, "height": 812}}
BIG_SCREEN = {"viewport": {"width": 1920, "height": 1080}}
WIDTHS = {"375": PHONE, "1366": DESKTOP, "1920": BIG_SCREEN}


def no_overflow(page) -> None:
    """Nothing sticks out past the right edge (a phone would scroll sideways)."""
    width, viewport = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"page is {width} px wide in a {viewport} px viewport"


def command_act(desk, ticket, action, **body):
    return desk.server.api("POST", f"/api/v1/tickets/{ticket['id']}/actions", desk.command, expect=200,
                           json={"action": action, **body})["ticket"]


# --- 改派 and 催办 on the ticket page ----------------------------------------------------------------


def test_reassign_and_urge_from_the_ticket_page(new_page, desk, live_server):
    page = new_page(**DESKTOP)
    login(page, desk.command["username"], next_path=f"/desk/tickets/{desk.working['id']}")  # 处置中 at 绿化市容所
    wait_ready(page)

    page.click("#ticket-actions button[data-action=urge]")
    form = page.locator("form[data-form=urge]")
    expect(form).to_contain_text("1 小时内只能催办一次")
    form.locator("textarea").fill("居民再次来电，请今日处理完毕")
    form.locator("button[type=submit]").click()
    expect(page.locator("#ticket-timeline li[data-action=urge]")).to_contain_text("居民再次来电，请今日处理完毕")
    page.click("#ticket-actions button[data-action=urge]")  # again at once: refused, and the page says why
    page.locator("form[data-form=urge] button[type=submit]").click()
    expect(page.locator("form[data-form=urge] .form-error")).to_be_visible()
    assert [e["action"] for e in desk.get(desk.working)["timeline"]].count("urge") == 1

    page.click("#ticket-actions button[data-action=reassign]")
    form = page.locator("form[data-form=reassign]")
    options = form.locator("select option").all_inner_texts()
    assert "绿化市容所" not in options and "城管执法中队" in options and "街道城运中心" not in options
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-error")).to_have_text("请选择新的处置部门")
    form.locator("select").select_option("chengguan")
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-error")).to_have_text("请填写改派原因")
    form.locator("textarea").fill("渣土偷倒，属城管执法")
    form.locator("button[type=submit]").click()
    expect(page.locator("#ticket-badges .status")).to_have_text("已派遣")
    expect(page.locator("#ticket-info")).to_contain_text("城管执法中队")
    expect(page.locator("#ticket-timeline li[data-action=reassign]")).to_contain_text(
        "绿化市容所 → 城管执法中队：渣土偷倒，属城管执法")
    expect(page.locator(".deadline[data-kind=response]")).to_contain_text("剩余")  # a fresh 签收 clock
    after = desk.get(desk.working)
    assert (after["status"], after["department"]) == ("dispatched", "chengguan")
    shot(page, "command-reassigned-1366")

    # 绿化市容所 still reads it, and is told plainly that it was reassigned
    li = new_page(**PHONE)
    login(li, desk.sanitation["username"], next_path=f"/desk/tickets/{desk.working['id']}")
    wait_ready(li)
    expect(li.locator("[data-testid=former-holder-notice]")).to_contain_text("城运中心已于")
    expect(li.locator("[data-testid=former-holder-notice]")).to_contain_text("改派")
    no_overflow(li)
    shot(li, "command-reassigned-former-holder-375")


# --- the desk: 催办 mark, new 待签收 badge and chime ------------------------------------------------


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_new_ticket_raises_the_badge_and_a_chime_and_the_urge_shows(new_page, desk, width):
    command_act(desk, desk.late, "urge", note="已超期，请立即签收")
    page = new_page(**WIDTHS[width])
    login(page, desk.sanitation["username"])
    wait_ready(page)
    row = rows(page).filter(has_text=desk.late["number"])
    expect(row.locator("[data-testid=urged]")).to_have_text("催办")
    expect(row.locator("[data-testid=urged]")).to_have_attribute("title", "城运中心 张指挥 11/25 10:30 催办：已超期，请立即签收")
    expect(page.locator("[data-testid=new-pending]")).to_be_hidden()
    title = page.title()

    page.locator(".desk-head h1").click()  # a first touch lets the page make sound (browsers' autoplay rule)
    lng, lat = XIANGYI[0]
    desk.server.api("POST", "/api/v1/events", desk.command, expect=201, json={
        "category": "exposed_garbage", "location": {"lng": lng + 0.0012, "lat": lat}, "description": "新的暴露垃圾"})
    page.evaluate("() => window.deskList.refresh()")  # the next poll, now
    expect(page.locator("[data-testid=new-pending]")).to_have_text("新 1")
    expect(page).to_have_title("(1) 新待签收 · " + title)
    expect(page.locator("body")).to_have_attribute("data-chimes", "1")
    expect(tab(page, "pending").locator(".count")).to_have_text("4")
    expect(rows(page).filter(has_text="新的暴露垃圾")).to_have_class("fresh")
    no_overflow(page)
    path = shot(page, f"command-desk-new-pending-{width}")
    if width == "1366":
        copy_to_docs(path, "desk-new-pending.png")

    page.locator(".desk-head h1").click()  # looked: the count goes, the new row stays highlighted
    expect(page).to_have_title(title)
    expect(page.locator("[data-testid=new-pending]")).to_be_hidden()

    page.click("[data-testid=sound-toggle]")  # muted: the badge still comes, the chime does not
    expect(page.locator("[data-testid=sound-toggle]")).to_have_text("提示音：关")
    desk.server.api("POST", "/api/v1/events", desk.command, expect=201, json={
        "category": "exposed_garbage", "location": {"lng": lng - 0.0012, "lat": lat}, "description": "又一处垃圾"})
    page.evaluate("() => window.deskList.refresh()")
    expect(page.locator("[data-testid=new-pending]")).to_have_text("新 1")
    expect(page.locator("body")).to_have_attribute("data-chimes", "1")
    page.reload()
    wait_ready(page)
    expect(page.locator("[data-testid=sound-toggle]")).to_have_text("提示音：关")  # the choice is kept


def test_no_chime_and_no_error_before_the_user_touched_the_page(new_page, desk):
    page = new_page(**DESKTOP)  # new_page fails the test on any uncaught page error
    login(page, desk.sanitation["username"])
    wait_ready(page)
    desk.server.api("POST", "/api/v1/events", desk.command, expect=201, json={
        "category": "exposed_garbage", "location": {"lng": XIANGYI[1][0] + 0.001, "lat": XIANGYI[1][1]},
        "description": "无人点击时到达"})
    page.evaluate("() => window.deskList.refresh()")
    expect(page.locator("[data-testid=new-pending]")).to_have_text("新 1")
    assert page.locator("body").get_attribute("data-chimes") is None


# --- the cockpit: bulk actions and clickable rows --------------------------------------------------


@pytest.fixture
def waiting(desk):
    """Three 其他 reports nobody routes (待派遣), and 城管's sweep: the late ticket escalated (超期)."""
    found = []
    for i, text in enumerate(["井盖松动", "树枝折断挡路", "路灯不亮"]):
        lng, lat = XIANGYI[i]
        found.append(desk.server.api("POST", "/api/v1/events", desk.command, expect=201, json={
            "category": "other", "location": {"lng": lng + 0.0006, "lat": lat + 0.0006},
            "description": text})["ticket"])
    with desk.server.app.app_context():
        from dispatch import db
        from dispatch.escalation import sweep
        sweep.sweep(session=db.session(), config=desk.server.app.extensions["street_config"], now=desk.clock())
    return found


@pytest.mark.parametrize("width", list(WIDTHS))
def test_bulk_dispatch_and_supervise_from_the_cockpit(new_page, desk, waiting, width):
    page = new_page(**WIDTHS[width])
    login(page, desk.command["username"])
    wait_ready(page)
    pending = page.locator("#pending-list")
    for ticket in waiting:
        pending.locator(f".pick[data-ticket='{ticket['id']}']").check()
    expect(page.locator(".bulk-count[data-count=pending]")).to_have_text("已选 3 件")
    # meanwhile someone dispatches the first one by hand: that one fails, the others go
    command_act(desk, waiting[0], "dispatch", department="sanitation")
    page.locator(".bulk-btn[data-bulk=dispatch]").click()
    expect(page.locator(".toast")).to_contain_text("请选择派遣部门")
    page.select_option("#bulk-dept", "city_works")
    page.locator(".bulk-btn[data-bulk=dispatch]").click()
    result = page.locator("[data-testid=pending-result]")
    expect(result).to_contain_text("批量派遣：成功 2 件，失败 1 件")
    expect(result.locator(f".bulk-fail[data-ticket='{waiting[0]['id']}']")).to_contain_text(
        waiting[0]["number"] + "当前状态不允许（已派遣）")
    assert [desk.get(t)["department"] for t in waiting] == ["sanitation", "city_works", "city_works"]
    # the two dispatched leave the list and the selection; so does the one dispatched by hand
    expect(page.locator(".bulk-count[data-count=pending]")).to_have_text("已选 0 件")
    expect(pending.locator(".pending-row")).to_have_count(1)  # what is left: the desk's returned ticket
    expect(pending.locator(".pending-row")).to_contain_text(desk.returned["number"])

    escalations = page.locator("#escalation-list .esc-row")
    expect(escalations.first).to_be_visible()
    page.locator("[data-all=escalations]").check()
    page.locator(".bulk-btn[data-bulk=supervise][data-list=escalations]").click()
    expect(page.locator("[data-testid=escalations-result]")).to_contain_text("批量督办：成功")
    expect(page.locator("#supervised-list .sup-row").first).to_be_visible()
    assert desk.get(desk.late)["supervised"] is True
    no_overflow(page)  # on a phone too: below 1000 px the cockpit is one column (cockpit.css)
    path = shot(page, f"command-cockpit-bulk-{width}")
    if width == "1920":
        copy_to_docs(path, "cockpit-bulk.png")

    # a 督办 row opens its ticket (the number is a link; a click on the row does the same)
    with page.context.expect_page() as opened:
        page.locator("#supervised-list .sup-row .dept").first.click()
    ticket_page = opened.value
    ticket_page.wait_for_load_state()
    assert "/desk/tickets/" in ticket_page.url
    link = page.locator("#escalation-list .esc-row", has_text=desk.late["number"]).locator("a.num").first
    expect(link).to_have_attribute("href", f"/desk/tickets/{desk.late['id']}")


def test_tickets_that_come_into_view_when_the_search_is_cleared_are_not_new(new_page, desk):
    # the alert compares answers of the same view: narrowing the desk by a search and clearing it again
    # shows 待签收 tickets that were there all along — no badge, no chime; a real arrival still rings
    page = new_page(**DESKTOP)
    login(page, desk.sanitation["username"])
    wait_ready(page)
    page.locator(".desk-head h1").click()  # a first touch lets the page make sound
    page.fill("[data-testid=filter-q]", desk.late["number"])
    page.press("[data-testid=filter-q]", "Enter")
    expect(tab(page, "pending").locator(".count")).to_have_text("1")
    page.click("[data-testid=filter-reset]")
    expect(tab(page, "pending").locator(".count")).to_have_text("3")
    expect(page.locator("[data-testid=new-pending]")).to_be_hidden()
    assert page.locator("body").get_attribute("data-chimes") is None
    lng, lat = XIANGYI[0]
    desk.server.api("POST", "/api/v1/events", desk.command, expect=201, json={
        "category": "exposed_garbage", "location": {"lng": lng + 0.0012, "lat": lat}, "description": "新的暴露垃圾"})
    page.evaluate("() => window.deskList.refresh()")
    expect(page.locator("[data-testid=new-pending]")).to_have_text("新 1")
    expect(page.locator("body")).to_have_attribute("data-chimes", "1")
