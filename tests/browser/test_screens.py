"""Issue 12's features at the three screens it names — a 375 px phone, 1366 × 768 and 1920 × 1080 — one role
each, as the README shows them (docs/screenshots/<page>-<width>.png, refreshed with UPDATE_DOCS_SCREENSHOTS=1).
Each screen must show its feature and never scroll sideways."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SCREENSHOTS, XIANGYI, copy_to_docs, login, rows, wait_ready

WIDTHS = {375: {"width": 375, "height": 812}, 1366: {"width": 1366, "height": 768}, 1920: {"width": 1920, "height": 1080}}


@pytest.fixture
def office(desk):
    """The desk's morning, three 其他 reports with addresses in 待派遣, a 督办 and the sweep; an admin, an inspector."""
    for i, (text, address) in enumerate([("井盖松动，有人绊倒", "宜川路 300 号门口"), ("树枝折断挡路", "中山北路 2000 弄"),
                                         ("路灯不亮", "宜川路 128 弄")]):
        desk.server.api("POST", "/api/v1/events", desk.command, expect=201, json={
            "category": "other", "location": {"lng": XIANGYI[i][0] + 0.0006, "lat": XIANGYI[i][1] + 0.0006},
            "description": text, "address": address})
    desk.server.api("POST", f"/api/v1/tickets/{desk.warning['id']}/actions", desk.command, expect=200,
                    json={"action": "supervise"})
    with desk.server.app.app_context():
        from dispatch import db
        from dispatch.escalation import sweep
        sweep.sweep(session=db.session(), config=desk.server.app.extensions["street_config"], now=desk.clock())
    desk.server.create_user("root", "admin", display_name="管理员")
    desk.server.create_user("xy_wang", "inspector", zone="xiangyi", display_name="王巡查")
    return desk


def screen(page, name: str, width: int) -> None:
    """The screen as the user sees it (the viewport), saved for the README; it must not scroll sideways."""
    scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{name} is {scroll} px wide in a {inner} px screen"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"screen-{name}-{width}.png"
    page.screenshot(path=str(path))
    copy_to_docs(path, f"{name}-{width}.png")


def signed_in(new_page, username: str, width: int, path: str | None = None, *, ready: bool = True):
    page = new_page(viewport=WIDTHS[width])
    login(page, username, next_path=path)
    if ready:  # the pages drawn by a script say when they are (the admin pages are drawn by the server)
        wait_ready(page)
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_the_cockpit_lists_filtered_and_searched(new_page, office, width):
    page = signed_in(new_page, office.command["username"], width)
    page.get_by_label("筛选：编号、地址或描述的字词").fill("宜川路")
    expect(page.locator("#pending-list .row:not([hidden])")).to_have_count(2)
    screen(page, "cockpit-find", width)
    page.get_by_label("筛选：编号、地址或描述的字词").fill("绿化带")
    page.get_by_label("筛选：编号、地址或描述的字词").press("Enter")
    expect(page.locator("[data-testid=find-results] li")).to_have_count(1)
    screen(page, "cockpit-search-all", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_cockpit_map_as_a_list(new_page, office, width):
    page = signed_in(new_page, office.command["username"], width)
    page.locator("#map-list-toggle").click()
    expect(page.locator("#map-list tbody tr")).to_have_count(8)
    page.locator("#map-list").scroll_into_view_if_needed()
    screen(page, "cockpit-map-list", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_desk_searched(new_page, office, width):
    page = signed_in(new_page, office.sanitation["username"], width, "/desk/?q=%E5%9E%83%E5%9C%BE#all")
    expect(rows(page).first).to_be_visible()
    screen(page, "desk-search", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_ticket_page_of_the_command_center(new_page, office, width):
    page = signed_in(new_page, office.command["username"], width, f"/desk/tickets/{office.working['id']}")
    expect(page.get_by_role("button", name="改派")).to_be_visible()
    expect(page.get_by_role("button", name="催办")).to_be_visible()
    expect(page.locator("[data-testid=place-text]")).to_contain_text("香溢片区")
    screen(page, "desk-ticket", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_phone_page_with_a_location_typed(new_page, office, width):
    page = signed_in(new_page, "xy_wang", width)
    page.get_by_text("不用地图：输入坐标").click()
    page.get_by_label("经度").fill("121.4288,31.2551")
    page.get_by_role("button", name="使用此坐标").click()
    expect(page.locator("#zone-name")).to_have_text("香溢片区")
    page.locator("#loc-manual").scroll_into_view_if_needed()
    screen(page, "m-location", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_admin_users(new_page, office, width):
    page = signed_in(new_page, "root", width, "/admin/users", ready=False)
    expect(page.locator("[data-testid=users-table] tbody tr")).to_have_count(4)  # 张指挥, 李师傅, 管理员, 王巡查
    screen(page, "admin-users", width)
