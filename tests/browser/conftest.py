"""Browser test infrastructure: a live server per test, one headless Chromium per process, warm pages.

Fixtures
    live_server  the app on a fresh SQLite database, temp VAR_DIR and a copy of config/, served on this process's
                 loopback port (`live_port`) in a background thread (`.url`, `.app`, `.create_user(...)`,
                 `.api(...)`); shut down after the test.
    browser      Playwright's Chromium from /usr/bin/chromium (headless, offline-friendly flags).
    page_pool    this process's warm pages (tests/browser/pages.py): reset between tests, reused when the
                 options match.
    new_page     new_page(**context_options) -> Page whose context's base_url is the live server, so
                 page.goto("/m/") works; uncaught page errors fail the test.
    server_hits  the (method, path) of each request that reaches the live server from then on.
    inspector    王巡查, an inspector of 香溢片区 on the live server (the phone tests' user).
    desk         the sanitation department's morning on the live server (helpers.Desk).
Plain helpers (login, wait_ready, shot, png_bytes, …) are in tests/browser/helpers.py.

The whole folder is skipped, with the reason, when /usr/bin/chromium or the playwright package is missing.
"""
from __future__ import annotations

import shutil
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dispatch import create_app
from tests.browser.helpers import PASSWORD, ROOT, Desk, LiveWSGIServer
from tests.helpers import TEST_SETTINGS, password_hash

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HERE = Path(__file__).resolve().parent


def _why_skip() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"browser tests need Debian's Chromium at {CHROMIUM} (tools/ensure-chromium.sh installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need the playwright package (pip install playwright; never `playwright install`)"
    return None


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder `browser`, and skip them all with the reason when Chromium is missing."""
    reason = _why_skip()
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class LiveServer:
    """The running app: its URL, the Flask app, and helpers that act on its database directly."""

    url: str
    app: object
    users: dict = field(default_factory=dict)

    def create_user(self, username: str, role: str, password: str = PASSWORD, *, department: str | None = None,
                    zone: str | None = None, display_name: str = "", committee: str | None = None) -> dict:
        """Create a user with a sign-in password; returns {id, username, password, token, headers}."""
        from dispatch import db
        from dispatch.types import utc_now
        from dispatch.users import service

        with self.app.app_context():
            cfg = self.app.extensions["street_config"]
            user, token = service.create(session=db.session(), username=username, role=role, now=utc_now(),
                                         department=department, zone=zone, display_name=display_name,
                                         departments=set(cfg.departments), zones={z.code for z in cfg.zones},
                                         committee=committee, committees=set(cfg.committees.by_code))
            # the password's hash made once per session with cheap scrypt parameters; signing in checks it as
            # in production (service.set_password's own cost is tested in tests/dispatch/test_cli.py)
            user.password_hash = password_hash(password)
            db.session().commit()
            info = {"id": user.id, "username": username, "password": password, "token": token,
                    "headers": {"Authorization": f"Bearer {token}"}}
        self.users[username] = info
        return info

    def api(self, method: str, path: str, user: dict, *, expect: int | None = None, **kwargs):
        """Call the JSON API as `user` (Bearer token) in-process; returns the parsed JSON body."""
        client = self.app.test_client()
        headers = {**user["headers"], **kwargs.pop("headers", {})}
        response = client.open(path, method=method, headers=headers, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (response.status_code, response.get_json())
        return response.get_json()


def _wait_healthy(url: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)


@pytest.fixture(scope="session")
def live_port() -> int:
    """The port this test process's live servers take one after the other (a free one when it is taken): the
    same origin from test to test lets a page be reused (tests/browser/pages.py)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_server(tmp_path, sqlite_template, live_port):
    """The app on a fresh database (a copy of the empty `sqlite_template`), served on this process's loopback port
    (`live_port`, or a free one) in a thread for this test."""
    config_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", config_dir)
    database = tmp_path / "live.sqlite3"
    shutil.copyfile(sqlite_template, database)
    app = create_app({
        **TEST_SETTINGS,
        "SECRET_KEY": "browser-test-secret",
        "DATABASE_URL": f"sqlite:///{database}",
        "CONFIG_DIR": str(config_dir),
        "VAR_DIR": str(tmp_path / "var"),
        # the pages are tested on a frozen clock: the cockpit's shared snapshot is recomputed at every poll, so what
        # a test just did shows at the next poll (the interval itself: tests/dispatch/web, tests/dispatch/cockpit)
        "COCKPIT_SNAPSHOT_SECONDS": 0,
    })
    try:
        server = LiveWSGIServer(live_port, app)
    except SystemExit:  # werkzeug exits when the port is taken (by another process meanwhile): take a free one
        # then; the page pool makes a new page for that origin
        server = LiveWSGIServer(0, app)
    # serve_forever checks for shutdown() every poll_interval (0.5 s by default: half a second per test; at 0.01 s
    # the wait is 5 ms on average, and the idle wake-ups cost next to nothing)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, name="live-server",
                              daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        _wait_healthy(url)
        yield LiveServer(url=url, app=app)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        app.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, never a downloaded one) for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def page_pool(browser):
    """This process's warm pages (tests/browser/pages.py)."""
    from tests.browser.pages import PagePool  # imports playwright: not before the skip check

    pool = PagePool(browser)
    yield pool
    pool.close()


@pytest.fixture
def new_page(page_pool, live_server):
    """new_page(**context_options) -> a Page whose context's base_url is the live server, so page.goto("/m/") works.

    Options are Playwright's new_context ones (viewport, geolocation, permissions, locale…); the default locale is
    zh-CN and timezone Asia/Shanghai. The page is as a new context's would be, but warm: it may have served an
    earlier test with the same options, reset in between (tests/browser/pages.py). An uncaught page error fails
    the test.
    """
    taken = []

    def make(**options):
        options = {"base_url": live_server.url, "locale": "zh-CN", "timezone_id": "Asia/Shanghai", **options}
        pooled = page_pool.take(options)
        taken.append(pooled)
        return pooled.page

    yield make
    errors = [error for pooled in taken for error in pooled.errors]
    for pooled in taken:
        page_pool.give_back(pooled)
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def server_hits(live_server):
    """The paths of the requests that reach the server from now on (method, path)."""
    hits = []
    app = live_server.app
    inner = app.wsgi_app

    def recording(environ, start_response):
        hits.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")))
        return inner(environ, start_response)

    app.wsgi_app = recording
    yield hits
    app.wsgi_app = inner


@pytest.fixture
def inspector(live_server):
    """王巡查, an inspector of 香溢片区 (the phone tests' user; not the API tests' `inspector` headers)."""
    return live_server.create_user("xy_wang", "inspector", zone="xiangyi", display_name="王巡查")


@pytest.fixture
def desk(live_server) -> Desk:
    """The sanitation department's morning, one ticket in each queue (see helpers.Desk)."""
    return Desk(live_server)
