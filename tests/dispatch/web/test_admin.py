"""系统管理 /admin/: an admin manages users, their sessions and the config in the browser, with the command
line's rules (users.service, check-config, the reload) and CSRF on every form."""
from __future__ import annotations

import re

import pytest

from dispatch import db
from dispatch.users import service as user_service
from tests.dispatch.web.helpers import PASSWORD, csrf_of, sign_in


@pytest.fixture
def admin(client, user_with_password):
    """The admin `root`, signed in on `client`."""
    user_with_password("root", "admin", display_name="管理员")
    assert sign_in(client, "root").status_code == 302
    return client


def post(client, url: str, **form):
    return client.post(url, data={"csrf_token": csrf_of(client), **form})


def stored(app, username: str):
    with app.app_context():
        return user_service.get_by_username(session=db.session(), username=username)


@pytest.mark.parametrize("role, expected", [("inspector", 403), ("department", 403), ("command", 403)])
def test_only_the_admin_role_opens_the_admin_pages(app, client, user_with_password, role, expected):
    user_with_password("someone", role, **({"department": "sanitation"} if role == "department" else {}))
    sign_in(client, "someone")
    for url in ("/admin/users", "/admin/config", "/admin/users/someone"):
        assert client.get(url).status_code == expected
    assert post(client, "/admin/users/someone/active", active="0").status_code == expected
    assert stored(app, "someone").active


def test_signed_out_the_admin_page_asks_to_sign_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login?next=/admin/users" in response.headers["Location"]


def test_the_users_list_shows_every_user_with_role_state_and_sessions(admin, user_with_password, client):
    user_with_password("san1", "department", department="sanitation")
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'data-username="san1"' in page and "绿化市容所" in page and "处置部门" in page
    row = re.search(r'data-username="root".*?</tr>', page, re.S).group(0)
    assert "✓ 启用" in row and "<td>1</td>" in row  # the admin's own session


def test_adding_a_user_shows_the_token_once_and_the_user_can_sign_in(app, admin, client):
    response = post(client, "/admin/users", username="wang", display_name="王巡查", role="inspector",
                    zone="xiangyi", department="sanitation", password="a-long-password")
    assert response.status_code == 201
    token = re.search(r'<code class="token">(yc_[^<]+)</code>', response.get_data(as_text=True)).group(1)
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    user = stored(app, "wang")
    assert (user.role, user.zone, user.department, user.display_name) == ("inspector", "xiangyi", None, "王巡查")
    assert token not in client.get("/admin/users/wang").get_data(as_text=True)  # shown once
    other = app.test_client()
    assert sign_in(other, "wang", "a-long-password").headers["Location"] == "/m/"


def test_a_committee_user_is_added_with_its_juminqu_and_lands_on_the_phone_page(app, admin, client):
    page = client.get("/admin/users").get_data(as_text=True)
    assert '<option value="310107020018">香溢花城社区居委会</option>' in page  # the 居民区 of committees.toml
    response = post(client, "/admin/users", username="huacheng", role="committee", committee="310107020018",
                    zone="xiangyi", password="a-long-password")
    assert response.status_code == 201
    user = stored(app, "huacheng")
    assert (user.role, user.committee, user.zone) == ("committee", "310107020018", None)
    assert "香溢花城社区居委会" in client.get("/admin/users").get_data(as_text=True)
    assert sign_in(app.test_client(), "huacheng", "a-long-password").headers["Location"] == "/m/"


@pytest.mark.parametrize("form, message", [
    ({"username": "a b", "role": "inspector"}, "用户名为 1–64 位字母"),            # the service's username rule
    ({"username": "dep", "role": "department"}, "处置部门账号需要选择所属部门"),      # a department user needs one
    ({"username": "jw", "role": "committee"}, "居委账号需要选择所属居民区"),          # a 居委 needs its 居民区
    ({"username": "jw", "role": "committee", "committee": "310107099999"}, "没有这个居民区"),
    ({"username": "root", "role": "command"}, "该用户名已被使用"),
    ({"username": "pw", "role": "command", "password": "short"}, "密码至少 8 位"),
])
def test_a_refused_user_is_named_in_chinese_and_nothing_is_created(app, admin, client, form, message):
    response = post(client, "/admin/users", **form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert form["username"] == "root" or stored(app, form["username"]) is None


def test_reset_password_ends_the_users_sessions_and_the_new_one_works(app, admin, client, user_with_password):
    user_with_password("xy1", "inspector", zone="xiangyi")
    phone = app.test_client()
    sign_in(phone, "xy1")
    assert phone.get("/m/").status_code == 200
    differ = post(client, "/admin/users/xy1/password", password="new-password-1", password_again="other-password")
    assert differ.status_code == 422 and "两次输入的密码不一致" in differ.get_data(as_text=True)
    done = post(client, "/admin/users/xy1/password", password="new-password-1", password_again="new-password-1")
    assert done.status_code == 302
    assert "已重置 xy1 的密码" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert phone.get("/m/").status_code == 302  # the phone's session ended
    assert sign_in(app.test_client(), "xy1", PASSWORD).status_code == 401
    assert sign_in(app.test_client(), "xy1", "new-password-1").status_code == 302


def test_disable_refuses_token_and_session_at_once_and_enable_lets_the_user_back(app, admin, client,
                                                                                 user_with_password):
    headers = user_with_password("cmd2", "command")
    browser = app.test_client()
    sign_in(browser, "cmd2")
    assert post(client, "/admin/users/cmd2/active", active="0").status_code == 302
    assert "✕ 已停用" in client.get("/admin/users/cmd2").get_data(as_text=True)
    assert client.get("/api/v1/tickets", headers=headers).status_code == 401
    assert browser.get("/cockpit/").status_code == 302
    assert post(client, "/admin/users/cmd2/active", active="1").status_code == 302
    assert client.get("/api/v1/tickets", headers=headers).status_code == 200
    assert browser.get("/cockpit/").status_code == 302  # enabling does not bring the old session back


def test_the_admin_cannot_disable_themself(app, admin, client):
    response = post(client, "/admin/users/root/active", active="0")
    assert response.status_code == 409 and "不能停用自己的账号" in response.get_data(as_text=True)
    assert stored(app, "root").active and client.get("/admin/users").status_code == 200


def test_sessions_are_listed_and_one_or_all_can_be_ended(app, admin, client, user_with_password):
    user_with_password("xy1", "inspector", zone="xiangyi")
    phone, laptop = app.test_client(), app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (iPhone) 巡查手机"
    sign_in(phone, "xy1")
    sign_in(laptop, "xy1")
    page = client.get("/admin/users/xy1").get_data(as_text=True)
    assert "登录会话（2）" in page and "巡查手机" in page
    first = re.search(r'/admin/users/xy1/sessions/(\d+)/end', page).group(1)
    assert post(client, f"/admin/users/xy1/sessions/{first}/end").status_code == 302
    assert [phone.get("/m/").status_code, laptop.get("/m/").status_code].count(302) == 1
    assert post(client, "/admin/users/xy1/sessions/end").status_code == 302
    assert (phone.get("/m/").status_code, laptop.get("/m/").status_code) == (302, 302)
    assert "没有未结束的登录会话" in client.get("/admin/users/xy1").get_data(as_text=True)


def test_a_new_token_replaces_the_old_one(admin, client, user_with_password):
    old = user_with_password("cmd2", "command")
    page = post(client, "/admin/users/cmd2/token").get_data(as_text=True)
    new = re.search(r'<code class="token">(yc_[^<]+)</code>', page).group(1)
    assert client.get("/api/v1/tickets", headers=old).status_code == 401
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {new}"}).status_code == 200


def test_a_form_without_the_csrf_token_changes_nothing(app, admin, client, user_with_password):
    user_with_password("cmd2", "command")
    response = client.post("/admin/users/cmd2/active", data={"active": "0"})
    assert response.status_code == 403
    assert stored(app, "cmd2").active


def test_an_unknown_user_is_404(admin, client):
    assert client.get("/admin/users/nobody").status_code == 404
    assert post(client, "/admin/users/nobody/password", password="x" * 10, password_again="x" * 10).status_code == 404


def test_departments_and_categories_are_shown_as_configured(admin, client):
    page = client.get("/admin/config").get_data(as_text=True)
    assert "绿化市容所" in page and "暴露垃圾" in page and "4 工作时" in page and "城运中心" in page


def test_check_and_reload_report_every_problem_by_file_key_and_reason(app, admin, client, config_dir):
    # The same validation as `python run.py check-config`; a broken config changes nothing.
    (config_dir / "categories.toml").write_text(
        (config_dir / "categories.toml").read_text(encoding="utf-8").replace('response = "4 WH"', 'response = "4 XX"', 1),
        encoding="utf-8")
    for url in ("/admin/config/check", "/admin/config/reload"):
        response = post(client, url)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and "categories.toml" in page and "data-testid=\"config-problems\"" in page
    assert "4 工作时" in client.get("/admin/config").get_data(as_text=True)  # the running config is unchanged


def test_a_good_config_is_checked_then_reloaded(app, admin, client, config_dir):
    path = config_dir / "departments.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('name = "绿化市容所"', 'name = "绿化和市容管理所"', 1),
                    encoding="utf-8")
    checked = post(client, "/admin/config/check").get_data(as_text=True)
    assert "检查通过" in checked and "绿化和市容管理所" not in checked  # checked, not yet in use
    reloaded = post(client, "/admin/config/reload")
    assert reloaded.status_code == 302
    page = client.get(reloaded.headers["Location"]).get_data(as_text=True)
    assert "配置已重新加载" in page and "绿化和市容管理所" in page
    assert app.extensions["street_config"].departments["sanitation"].name == "绿化和市容管理所"
