"""The warm pages of tests/browser/pages.py: a page handed to the next test holds nothing of the one before."""
from __future__ import annotations

import socket
import threading
import time

from tests.browser.helpers import PHONE, LiveWSGIServer, login, wait_ready

LEFT_BEHIND = """async () => ({
  local: localStorage.length, session: sessionStorage.length, online: navigator.onLine,
  databases: (await indexedDB.databases()).map((d) => d.name),
  workers: (await navigator.serviceWorker.getRegistrations()).length,
  caches: (await caches.keys()).length,
  geolocation: (await navigator.permissions.query({name: 'geolocation'})).state,
})"""
LEAVE_STATE = """() => { localStorage.setItem('k', '1'); sessionStorage.setItem('k', '1');
  return new Promise((done) => { const open = indexedDB.open('left-behind'); open.onsuccess = () => done(true); }); }"""


def test_a_page_given_back_holds_nothing_of_the_test_before(page_pool, live_server, inspector, server_hits):
    options = {"base_url": live_server.url, "locale": "zh-CN", "timezone_id": "Asia/Shanghai", **PHONE}
    first = page_pool.take(options)
    page = first.page
    login(page, inspector["username"])  # /m/: cookies, its service worker and Cache Storage, a geolocation grant
    wait_ready(page)
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)") is True
    page.evaluate(LEAVE_STATE)
    assert page.evaluate(LEFT_BEHIND)["caches"] >= 1
    page.context.set_offline(True)
    page.context.clear_permissions()
    page.route("**/api/v1/zones", lambda route: route.abort())
    page.on("dialog", lambda dialog: dialog.accept())
    page.context.new_page()
    page_pool.give_back(first)

    again = page_pool.take(options)
    assert again is first  # the same warm page, reset
    page = again.page
    assert page.url == "about:blank" and page.context.pages == [page]
    assert page.context.cookies() == []
    assert page._impl_obj.listener_count("dialog") == 0  # a dialog is dismissed again, as in a new context
    server_hits.clear()
    page.goto("/healthz")
    assert page.evaluate(LEFT_BEHIND) == {"local": 0, "session": 0, "online": True, "databases": [], "workers": 0,
                                         "caches": 0, "geolocation": "granted"}
    login(page, inspector["username"])  # signed out: the sign-in works again, and /m/ loads its zones
    wait_ready(page)
    assert ("GET", "/static/js/m.js") in server_hits  # from the server again: the HTTP cache was emptied
    assert ("GET", "/api/v1/zones") in server_hits  # the route that aborted it is gone
    page_pool.give_back(again)


def test_a_page_whose_clock_was_installed_is_not_reused(page_pool, live_server):
    options = {"base_url": live_server.url, "viewport": {"width": 1366, "height": 900}}
    first = page_pool.take(options)
    first.page.clock.install()  # stays installed in the context: it cannot be handed on
    page_pool.give_back(first)
    second = page_pool.take(options)
    assert second is not first and first.page.is_closed()
    page_pool.give_back(second)
    assert page_pool.take(options) is second  # an untouched one is
    page_pool.give_back(second)


def test_options_that_differ_get_another_page(page_pool, live_server):
    phone = page_pool.take({"base_url": live_server.url, **PHONE})
    page_pool.give_back(phone)
    desk = page_pool.take({"base_url": live_server.url, "viewport": {"width": 1366, "height": 900}})
    assert desk is not phone
    page_pool.give_back(desk)


def test_a_closed_live_server_ends_the_connections_it_holds(live_server):
    """Chromium connects ahead of its requests: a connection this server accepted, idle when it closes, must not
    carry the next test's request (on the same port, from a reused page) to this test's app."""
    server = LiveWSGIServer(0, live_server.app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    ahead = socket.create_connection(("127.0.0.1", server.server_port), timeout=5)  # a preconnect: nothing sent
    used = socket.create_connection(("127.0.0.1", server.server_port), timeout=5)
    used.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert used.recv(100).startswith(b"HTTP/1.1 200")
    deadline = time.monotonic() + 5
    while not server.open_connections and time.monotonic() < deadline:  # accepted, its handler waiting
        time.sleep(0.01)
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    ahead.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        answer = ahead.recv(100)
    except ConnectionResetError:
        answer = b""
    assert answer == b""  # closed by the server: no answer from the closed app
    ahead.close()
    used.close()
