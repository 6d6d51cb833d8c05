"""Plain helpers of the browser tests (the fixtures are in conftest.py): signing in, waiting, screenshots,
photos, and the cast and tickets the phone and desk tests share.

    login(page, username, password)  sign in (the form's requests, or the form itself) and wait for the landing page.
    wait_ready(page)                 wait for the page's own ready signal (body[data-ready="1"]).
    next_poll(page)                  fast-forward the page's timers (page.clock) until it polls its feed again.
    LiveWSGIServer(port, app)        the live server: werkzeug's, ending the connections it holds when it closes.
    shot(page, name)                 full-page screenshot into test-artifacts/screenshots/<name>.png.
    copy_to_docs(path, name)         check a screenshot fits the README; refresh docs/screenshots/ on request.
    png_bytes()                      a small valid PNG, e.g. for photo uploads.
"""
from __future__ import annotations

import html
import io
import os
import re
import shutil
import socket
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from werkzeug.serving import ThreadedWSGIServer

from tests.helpers import Clock

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
MAX_DOC_BYTES = 400 * 1024
PASSWORD = "correct-horse-42"  # the default password of users made by live_server.create_user
SHANGHAI = ZoneInfo("Asia/Shanghai")
HIDDEN_FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')  # the /login form's own fields


def local(*args) -> datetime:
    """The instant of a Shanghai wall-clock time (year, month, day, hour, minute), in UTC."""
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


def login(page, username: str, password: str = PASSWORD, *, next_path: str | None = None,
          via_form: bool = False) -> None:
    """Sign in and wait until the landing page has loaded in `page`.

    By default the page's browser context sends the form's own two requests (GET /login for the form's hidden
    fields, POST /login with them and the credentials; its cookie jar keeps the session) and the page opens where
    the sign-in redirects: the server signs in as it does for the form, without the sign-in page being drawn in
    the browser. via_form=True types into the /login form and submits it, as a user does.
    """
    query = f"?next={next_path}" if next_path else ""
    if via_form:
        page.goto("/login" + query)
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
    else:
        form = page.request.get("/login" + query)
        assert form.ok and urlsplit(form.url).path == "/login", f"no sign-in form: {form.status} {form.url}"
        fields = {name: html.unescape(value) for name, value in HIDDEN_FIELD.findall(form.text())}
        answer = page.request.post("/login", form={**fields, "username": username, "password": password},
                                   max_redirects=0)
        assert answer.status in (302, 303), f"sign-in as {username} failed: {answer.status}"
        page.goto(answer.headers["location"])
    assert "/login" not in page.url, f"sign-in as {username} failed: still on {page.url}"


def wait_ready(page, timeout: float = 10_000) -> None:
    """Wait for the page's own ready signal: document.body.dataset.ready === "1"."""
    # A locator, not wait_for_function: the pages' CSP forbids the eval that a string predicate needs.
    page.locator("body[data-ready='1']").wait_for(state="attached", timeout=timeout)


def resize(page, width: int, height: int) -> None:
    """Set the viewport and wait until the page has laid itself out at that size: right after the change the page
    can measure a few pixels wider for a frame (seen: 1373 px at 1366) until its resize handlers (ECharts'
    resize()) have run."""
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def next_poll(page, path: str = "/cockpit/feed.json", *, step_ms: int = 500, most_ms: int = 60_000):
    """Fast-forward the page's timers until it next requests `path`; returns that Request (`.response()` waits for
    the answer).

    The page's clock must have been installed before it loaded (`page.clock.install()`): the page's own timers then
    run as in real time, and each step jumps `step_ms` ahead, firing the timers due by then once (a page that
    animates is not drawn frame by frame through the jump).
    """
    sent = []

    def seen(request):
        if urlsplit(request.url).path == path:
            sent.append(request)

    page.on("request", seen)
    try:
        waited = 0
        while not sent:
            assert waited < most_ms, f"the page did not request {path} within {most_ms} ms of its time"
            page.clock.fast_forward(step_ms)
            waited += step_ms
    finally:
        page.remove_listener("request", seen)
    return sent[0]


class LiveWSGIServer(ThreadedWSGIServer):
    """Werkzeug's threaded server, which also ends the connections it accepted when it closes.

    werkzeug answers each request with `Connection: close`, but Chromium opens connections ahead of its requests
    (preconnect): one accepted by this server and still idle when the test ends would carry a request of the next
    test, on the same port with a reused page (tests/browser/pages.py), to this test's app and its deleted database.
    """

    def __init__(self, port: int, app):
        self.open_connections: set = set()
        super().__init__("127.0.0.1", port, app)

    def process_request(self, request, client_address):
        self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        self.open_connections.discard(request)
        super().shutdown_request(request)

    def server_close(self):
        super().server_close()
        for connection in list(self.open_connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)  # the handler waiting for a request line reads EOF and ends
            except OSError:
                pass


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.evaluate("window.scrollTo(0, 0)")  # else sticky bars are drawn mid-page in a full-page shot
    page.screenshot(path=str(path), full_page=True)
    return path


def png_bytes(width: int = 64, height: int = 48, rgb: tuple[int, int, int] = (90, 140, 200)) -> bytes:
    """A small valid PNG (a gradient) for photo uploads."""
    rows = b"".join(b"\x00" + b"".join(bytes((min(255, rgb[0] + x), rgb[1], min(255, rgb[2] + y)))
                                       for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def copy_to_docs(path: Path, name: str) -> Path:
    """Refresh the README's screenshot in docs/screenshots/ when UPDATE_DOCS_SCREENSHOTS=1.

    Either way the fresh screenshot must fit the README (under 400 KB); a plain test run leaves the
    tracked file alone.
    """
    assert path.stat().st_size < MAX_DOC_BYTES, f"{path} is {path.stat().st_size} bytes"
    target = DOCS_SCREENSHOTS / name
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return target


# --- the phone (/m/) ------------------------------------------------------------------------------

XIANGYI_GPS = {"latitude": 31.2551, "longitude": 121.4288}  # inside 香溢片区
PHONE = {"viewport": {"width": 375, "height": 812}, "geolocation": XIANGYI_GPS, "permissions": ["geolocation"]}
PHOTO = {"name": "scene.png", "mimeType": "image/png", "buffer": png_bytes()}


def my_tickets(live_server, user) -> list[dict]:
    return live_server.api("GET", "/api/v1/tickets?mine=1", user, expect=200)["data"]


def fill_report(page, *, slug="exposed_garbage", description="路边有一堆生活垃圾", photo=True):
    from playwright.sync_api import expect  # imported here: conftest imports this module before the skip check

    page.click(f"#categories .cat[data-slug={slug}]")
    if photo:
        page.set_input_files("#photo", files=[PHOTO])
        expect(page.locator("#photo-preview")).to_be_visible()
    page.fill("#description", description)


def resolved_ticket(live_server, reporter) -> dict:
    """A ticket in xiangyi taken through accept and resolve (with an after photo) by 绿化市容所."""
    sanitation = live_server.create_user("lh_li", "department", department="sanitation", display_name="李师傅")
    ticket = live_server.api("POST", "/api/v1/events", reporter, expect=201, json={
        "category": "exposed_garbage", "location": {"lng": 121.4288, "lat": 31.2551},
        "description": "小区门口暴露垃圾"})["ticket"]
    path = f"/api/v1/tickets/{ticket['id']}"
    live_server.api("POST", path + "/actions", sanitation, expect=200, json={"action": "accept"})
    live_server.api("POST", path + "/photos", sanitation, expect=201,
                    data={"stage": "after", "photo": (io.BytesIO(png_bytes(rgb=(60, 160, 90))), "a.png")})
    return live_server.api("POST", path + "/actions", sanitation, expect=200,
                           json={"action": "resolve", "note": "已清运"})["ticket"]


# --- the desk (/desk/) ----------------------------------------------------------------------------

DESKTOP = {"viewport": {"width": 1366, "height": 900}}
XIANGYI = [(121.4262, 31.2540), (121.4285, 31.2552), (121.4300, 31.2530), (121.4318, 31.2560), (121.4275, 31.2568)]
EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>垃圾桶旁"


class Desk:
    """The sanitation department's morning: five 暴露垃圾 reports in 香溢片区, one in each queue.

    Each report is dispatched at once to 绿化市容所 (签收 within 1 WH, 处置 within 4 WH). At 10:30:
      late      reported 08:40, not signed for: 签收 was due 09:40            → 待签收 + 已超期
      warning   reported 09:40: 50 of its 60 minutes gone (预警 at 80 %)     → 待签收 + 即将超期
      working   reported 10:00, signed for 10:05                             → 处置中
      evil      reported 10:10, a description with markup                    → 待签收
      returned  reported 10:15, returned (退单) at 10:20 with a reason         → 已退回
    """

    def __init__(self, live_server):
        self.server = live_server
        self.clock = Clock(local(2026, 11, 25, 8, 40))
        live_server.app.config["CLOCK"] = self.clock
        self.command = live_server.create_user("zhang_cmd", "command", display_name="张指挥")
        self.sanitation = live_server.create_user("lh_li", "department", department="sanitation", display_name="李师傅")
        self.late = self.report(0, "垃圾堆放多日")
        self.at(9, 40)
        self.warning = self.report(1, "路口垃圾满地")
        self.photo(self.warning, self.command, "before")
        self.at(10, 0)
        self.working = self.report(2, "绿化带内垃圾")
        self.at(10, 5)
        self.act(self.working, "accept")
        self.at(10, 10)
        self.evil = self.report(3, EVIL)
        self.at(10, 15)
        self.returned = self.report(4, "建筑垃圾一车")
        self.at(10, 20)
        self.act(self.returned, "return", reason="建筑垃圾属城管执法范围")
        self.at(10, 30)

    def at(self, hour: int, minute: int) -> None:
        self.clock.set(local(2026, 11, 25, hour, minute))

    def report(self, i: int, description: str) -> dict:
        lng, lat = XIANGYI[i]
        return self.server.api("POST", "/api/v1/events", self.command, expect=201, json={
            "category": "exposed_garbage", "location": {"lng": lng, "lat": lat}, "description": description})["ticket"]

    def act(self, ticket: dict, action: str, **body) -> dict:
        return self.server.api("POST", f"/api/v1/tickets/{ticket['id']}/actions", self.sanitation, expect=200,
                               json={"action": action, **body})["ticket"]

    def photo(self, ticket: dict, user: dict, stage: str) -> None:
        self.server.api("POST", f"/api/v1/tickets/{ticket['id']}/photos", user, expect=201,
                        data={"stage": stage, "photo": (io.BytesIO(png_bytes()), "before.png")})

    def get(self, ticket: dict) -> dict:
        return self.server.api("GET", f"/api/v1/tickets/{ticket['id']}", self.command, expect=200)["ticket"]


def tab(page, queue: str):
    return page.locator(f".desk-tabs [data-queue={queue}]")


def rows(page):
    return page.locator("#queue-list tbody tr")


def open_ticket(page, ticket: dict) -> None:
    page.goto(f"/desk/tickets/{ticket['id']}")
    wait_ready(page)


def action_buttons(page) -> list[str]:
    return page.locator("#ticket-actions .action-buttons button").all_inner_texts()
