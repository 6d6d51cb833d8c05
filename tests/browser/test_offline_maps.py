"""The three maps (/m/, a desk ticket, the cockpit) and the admin pages ask nothing of the internet: every
request a page makes goes to the street's own server, so the system works on an office network without one."""
from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser.helpers import PHONE, login, wait_ready


def test_no_page_requests_anything_from_another_host(new_page, live_server, inspector):
    live_server.create_user("lh_li", "department", department="sanitation", display_name="李师傅")
    live_server.create_user("root", "admin", display_name="系统管理员")
    ticket = live_server.api("POST", "/api/v1/events", inspector, expect=201, json={
        "category": "exposed_garbage", "location": {"lng": 121.4288, "lat": 31.2551}, "description": "暴露垃圾"})["ticket"]
    own = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []

    def watch(page):
        page.on("request", lambda request: elsewhere.append(request.url)
                if urlsplit(request.url).scheme in ("http", "https", "ws", "wss")
                and urlsplit(request.url).netloc != own else None)
        return page

    phone = watch(new_page(**PHONE))
    login(phone, "xy_wang")
    wait_ready(phone)
    phone.locator("#zone-map canvas, #map canvas, canvas").first.wait_for()
    desk = watch(new_page(viewport={"width": 1366, "height": 900}))
    login(desk, "lh_li")
    desk.goto(f"/desk/tickets/{ticket['id']}")
    wait_ready(desk)
    cockpit = watch(new_page(viewport={"width": 1920, "height": 1080}))
    login(cockpit, "root")
    wait_ready(cockpit)
    cockpit.goto("/admin/config")
    assert elsewhere == []
