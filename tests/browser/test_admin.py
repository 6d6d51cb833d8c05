"""系统管理 /admin/ in Chromium: an admin adds a user, ends a lost phone's session, disables an account and
checks a broken config — with the keyboard, on a phone (375 px) and on office screens (1366, 1920 px)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import copy_to_docs, login, shot, wait_ready

WIDTHS = {375: {"width": 375, "height": 812}, 1366: {"width": 1366, "height": 900}, 1920: {"width": 1920, "height": 1080}}


def overflow_x(page) -> int:
    """How many pixels the page is wider than the window (0: nothing to scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def office(live_server):
    """An admin and three users of the street, one of them signed in on a phone."""
    live_server.create_user("root", "admin", display_name="系统管理员")
    live_server.create_user("zhx", "command", display_name="张值班")
    live_server.create_user("lh_li", "department", department="sanitation", display_name="李师傅")
    live_server.create_user("wang", "inspector", zone="xiangyi", display_name="王巡查")
    return live_server


@pytest.mark.parametrize("width", WIDTHS)
def test_the_admin_pages_fit_every_screen(new_page, office, width):
    phone = new_page(viewport=WIDTHS[375], user_agent="Mozilla/5.0 (iPhone; wang-phone)")
    login(phone, "wang")
    page = new_page(viewport=WIDTHS[width])
    login(page, "root")
    page.get_by_role("link", name="系统管理").click()
    page.wait_for_url("**/admin/users")
    assert page.locator("[data-testid=users-table] tbody tr").count() == 4
    assert overflow_x(page) == 0
    users = shot(page, f"admin-users-{width}")
    page.get_by_role("link", name="wang").click()
    assert page.locator("[data-testid=sessions-table]").inner_text().count("wang-phone") == 1
    assert overflow_x(page) == 0
    shot(page, f"admin-user-{width}")
    page.get_by_role("link", name="部门、类别与配置").click()
    assert page.locator("[data-testid=categories-table] tbody tr").count() == 25
    assert overflow_x(page) == 0
    shot(page, f"admin-config-{width}")
    if width == 1366:
        copy_to_docs(users, "admin.png")


def test_add_a_user_with_the_keyboard_and_the_token_is_shown_once(new_page, office):
    page = new_page(viewport=WIDTHS[1366])
    login(page, "root", next_path="/admin/users")
    page.locator("input[name=username]").focus()
    page.keyboard.type("zhao")
    page.keyboard.press("Tab")
    page.keyboard.type("赵巡查")
    page.keyboard.press("Tab")
    page.keyboard.press("Home")  # 网格巡查员, the first role
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the first zone
    page.keyboard.press("Tab")  # 居民区: for 居委 accounts only
    page.keyboard.press("Tab")
    page.keyboard.type("zhao-password-1")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    token = page.locator("[data-testid=new-token] code.token").inner_text()
    assert token.startswith("yc_")
    assert office.api("GET", "/api/v1/tickets", {"headers": {"Authorization": f"Bearer {token}"}}, expect=200)
    page.get_by_role("link", name="← 全部用户").click()
    row = page.locator("tr[data-username=zhao]")
    assert "网格巡查员" in row.inner_text() and "香溢" in row.inner_text()
    assert token not in page.content()
    other = new_page(viewport=WIDTHS[375])
    login(other, "zhao", "zhao-password-1")
    assert other.url.endswith("/m/")


def test_end_a_lost_phones_session_then_disable_the_account(new_page, office):
    phone = new_page(viewport=WIDTHS[375])
    login(phone, "wang")
    page = new_page(viewport=WIDTHS[375])
    login(page, "root", next_path="/admin/users/wang")
    page.get_by_role("button", name="结束", exact=True).click()
    assert "已结束 wang 的一个登录会话" in page.locator("[data-testid=admin-message]").inner_text()
    phone.goto("/m/")
    assert "/login" in phone.url
    page.get_by_role("button", name="停用账号").click()
    assert "已停用" in page.locator("[data-testid=user-state]").inner_text()
    shot(page, "admin-user-disabled-375")
    phone.goto("/login")
    phone.fill("input[name=username]", "wang")
    phone.fill("input[name=password]", "correct-horse-42")
    phone.click("button[type=submit]")
    assert "用户名或密码错误" in phone.locator("[data-testid=login-error]").inner_text()


def test_a_broken_config_is_shown_by_file_key_and_reason_and_nothing_changes(new_page, office):
    path = Path(office.app.config["CONFIG_DIR"]) / "routing.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[[rule]]\ncategories = ["no_such_category"]\n'
                    'department = "sanitation"\n', encoding="utf-8")
    page = new_page(viewport=WIDTHS[1366])
    login(page, "root", next_path="/admin/config")
    page.get_by_role("button", name="重新加载配置").click()
    problems = page.locator("[data-testid=config-problems]")
    assert "未重新加载" in problems.inner_text() and "routing.toml" in problems.inner_text()
    shot(page, "admin-config-problems-1366")
    assert overflow_x(page) == 0


@pytest.mark.parametrize("width", [1366, 1920])
def test_the_admins_cockpit_header_fits_with_search_and_the_admin_link(new_page, office, width):
    # the admin's header holds 查找, 导出评价 and 系统管理 besides the others' links: nothing scrolls sideways
    page = new_page(viewport={"width": width, "height": 768 if width == 1366 else 1080})
    login(page, "root", via_form=True)
    page.goto("/cockpit/")
    head = page.locator(".ck-head")
    wait_ready(page)  # measured with the header full: the first feed has answered and filled in the clock
    assert page.locator("#clock").inner_text().strip()
    assert page.get_by_test_id("admin-link").is_visible() and page.get_by_test_id("cockpit-search").is_visible()
    assert head.evaluate("h => h.scrollWidth - h.clientWidth") == 0
    assert overflow_x(page) == 0
    shot(page, f"admin-cockpit-head-{width}")
