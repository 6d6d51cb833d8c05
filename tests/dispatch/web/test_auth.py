"""Sign-in, sign-out, CSRF, role landing pages and page guards, through the Flask test client."""
from __future__ import annotations

import re

import pytest

from tests.dispatch.web.helpers import EVENT, PASSWORD, csrf_of, sign_in

def page_token(html: bytes) -> str:
    return re.search(rb'name="csrf-token" content="([^"]+)"', html).group(1).decode()


@pytest.fixture
def inspector_client(client, user_with_password):
    user_with_password("xy1", "inspector", zone="xiangyi")
    assert sign_in(client, "xy1").status_code == 302
    return client


# --- signing in and out ------------------------------------------------------------------------


def test_sign_in_starts_a_fresh_session_and_lands_on_the_role_page(client, user_with_password):
    user_with_password("xy1", "inspector", zone="xiangyi")
    token_before = csrf_of(client)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"  # whatever was in the session before sign-in…
    response = sign_in(client, "xy1")
    assert response.status_code == 302 and response.headers["Location"] == "/m/"
    with client.session_transaction() as session:
        assert "planted" not in session  # …is gone (no session fixation)
        assert session["sid"] and session["csrf_token"] != token_before
    assert client.get("/m/").status_code == 200


@pytest.mark.parametrize("username,password", [
    ("xy1", "wrong-password"),     # wrong password
    ("nobody", PASSWORD),          # unknown user: the same message, nothing revealed
    ("xy1", ""),                   # empty password
    ("nopass", "anything-at-all"),  # a user without a password (API token only) cannot sign in
])
def test_sign_in_failures_say_the_same_thing_and_sign_nobody_in(client, user_with_password, make_user,
                                                                username, password):
    user_with_password("xy1", "inspector", zone="xiangyi")
    make_user("nopass", "inspector")
    response = sign_in(client, username, password)
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "sid" not in session


def test_sign_in_without_the_form_token_is_refused(client, user_with_password):
    user_with_password("xy1", "inspector", zone="xiangyi")
    client.get("/login")
    response = client.post("/login", data={"username": "xy1", "password": PASSWORD})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "sid" not in session


def test_logout_needs_the_form_token_then_ends_the_session(inspector_client):
    assert inspector_client.post("/logout").status_code == 400
    assert inspector_client.get("/m/").status_code == 200  # still signed in
    with inspector_client.session_transaction() as session:
        token = session["csrf_token"]
    response = inspector_client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert inspector_client.get("/m/").headers["Location"] == "/login?next=/m/"


@pytest.mark.parametrize("next_path,landing", [
    ("/m/?tab=verify", "/m/?tab=verify"),  # a path on this site is honoured
    ("//evil.example/", "/m/"),            # another host is not (open redirect)
    ("https://evil.example/m/", "/m/"),
    ("/\\evil.example", "/m/"),
])
def test_next_is_only_followed_on_this_site(client, user_with_password, next_path, landing):
    user_with_password("xy1", "inspector", zone="xiangyi")
    assert sign_in(client, "xy1", next=next_path).headers["Location"] == landing


# --- landing pages and guards ---------------------------------------------------------------------


@pytest.mark.parametrize("role,kwargs,home", [
    ("inspector", {"zone": "xiangyi"}, "/m/"),
    ("department", {"department": "sanitation"}, "/desk/"),
    ("command", {}, "/cockpit/"),
    ("admin", {}, "/cockpit/"),
])
def test_each_role_lands_on_its_own_page(client, user_with_password, role, kwargs, home):
    user_with_password("u1", role, **kwargs)
    assert sign_in(client, "u1").headers["Location"] == home
    assert client.get("/").headers["Location"] == home
    assert client.get("/login").headers["Location"] == home  # already signed in


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/").headers["Location"] == "/login"
    response = client.get("/m/?tab=mine")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/m/?tab%3Dmine"
    login_page = client.get("/login?next=/m/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in login_page and '<meta charset="utf-8">' in login_page
    assert 'name="viewport"' in login_page


def test_another_roles_page_is_a_403_html_page_with_a_way_home(client, user_with_password):
    user_with_password("cg1", "department", department="chengguan", display_name="陈队长")
    sign_in(client, "cg1")
    response = client.get("/m/")
    assert response.status_code == 403 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "无权访问" in html and 'href="/desk/"' in html and "陈队长" in html and "退出" in html


def test_unknown_pages_get_a_chinese_404_page_but_the_api_stays_json(client):
    page = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "页面不存在" in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"


def test_the_inspector_page_has_the_user_csrf_meta_and_a_strict_policy(inspector_client):
    response = inspector_client.get("/m/")
    html = response.get_data(as_text=True)
    with inspector_client.session_transaction() as session:
        assert page_token(response.data) == session["csrf_token"]
    assert "网格巡查员" in html and "香溢片区" in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in html  # no inline script: everything comes from /static
    assert response.headers["Cache-Control"] == "no-store"


# --- cookie flags ---------------------------------------------------------------------------------------


def session_cookie(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_the_session_cookie_is_httponly_and_samesite_lax(client):
    cookie = session_cookie(client.get("/login"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_the_session_cookie_is_secure_over_tls(app):
    cookie = session_cookie(app.test_client().get("/login", base_url="https://localhost"))
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_the_session_cookie_is_secure_when_configured(app):
    app.config["SESSION_COOKIE_SECURE"] = True  # TLS ends at a proxy
    assert "Secure" in session_cookie(app.test_client().get("/login"))


# --- CSRF on the JSON API -------------------------------------------------------------------------------


def test_session_api_posts_need_the_csrf_header(inspector_client):
    with inspector_client.session_transaction() as session:
        token = session["csrf_token"]
    refused = inspector_client.post("/api/v1/events", json=EVENT)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "csrf"
    wrong = inspector_client.post("/api/v1/events", json=EVENT, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403 and wrong.get_json()["error"]["code"] == "csrf"
    assert inspector_client.get("/api/v1/tickets?mine=1").get_json()["count"] == 0  # reads need no token
    accepted = inspector_client.post("/api/v1/events", json=EVENT, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 201


def test_session_photo_uploads_need_the_token_too(inspector_client):
    with inspector_client.session_transaction() as session:
        token = session["csrf_token"]
    ticket = inspector_client.post("/api/v1/events", json=EVENT, headers={"X-CSRF-Token": token}).get_json()["ticket"]
    url = f"/api/v1/tickets/{ticket['id']}/photos"
    import io

    from tests.dispatch.helpers import PNG as png

    refused = inspector_client.post(url, data={"stage": "before", "photo": (io.BytesIO(png), "a.png")})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "csrf"
    ok = inspector_client.post(url, data={"stage": "before", "photo": (io.BytesIO(png), "a.png")},
                               headers={"X-CSRF-Token": token})
    assert ok.status_code == 201


def test_bearer_clients_need_no_csrf_header(client, inspector):
    assert client.post("/api/v1/events", json=EVENT, headers=inspector).status_code == 201


def test_a_bad_bearer_token_is_still_401(client):
    response = client.post("/api/v1/events", json=EVENT, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_five_wrong_passwords_pause_sign_in_for_fifteen_minutes(client, user_with_password, clock):
    # a guessing attack stalls: after 5 misses even the right password is refused, with the same message
    from datetime import timedelta

    user_with_password("xy1", "inspector", zone="xiangyi")
    for _ in range(5):
        assert sign_in(client, "xy1", "guess-guess").status_code == 401
    locked = sign_in(client, "xy1")
    assert locked.status_code == 401 and "用户名或密码错误" in locked.get_data(as_text=True)
    clock.set(clock.now + timedelta(minutes=14))
    assert sign_in(client, "xy1").status_code == 401  # still paused
    clock.set(clock.now + timedelta(minutes=2))
    assert sign_in(client, "xy1").status_code == 302  # the pause is over; the count starts again


def test_a_success_resets_the_count_of_wrong_passwords(client, user_with_password):
    user_with_password("xy1", "inspector", zone="xiangyi")
    for _ in range(4):
        sign_in(client, "xy1", "guess-guess")
    assert sign_in(client, "xy1").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    for _ in range(4):
        sign_in(client, "xy1", "guess-guess")
    assert sign_in(client, "xy1").status_code == 302  # 4 + 4 misses with a success between: never locked
