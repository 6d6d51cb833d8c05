"""The warm pages of tests/browser/pages.py: a page handed to the next test holds nothing of the one before."""
from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from tests.browser.helpers import PHONE, login, wait_ready

LEFT_BEHIND = """async () => ({
  local: localStorage.length, session: sessionStorage.length, online: navigator.onLine,
  databases: (await indexedDB.databases()).map((d) => d.name),
  workers: (await navigator.serviceWorker.getRegistrations()).length,
  caches: (await caches.keys()).length,
  geolocation: (await navigator.permissions.query({name: 'geolocation'})).state,
})"""
LEAVE_STATE = """() => { localStorage.setItem('k', '1'); sessionStorage.setItem('k', '1');
  return new Promise((done) => { const open = indexedDB.open('left-behind'); open.onsuccess = () => done(true); }); }"""


def hits_of(live_server) -> list[str]:
    """The paths of the requests that reach the live server from now on."""
    hits, inner = [], live_server.app.wsgi_app

    def recording(environ, start_response):
        hits.append(environ.get("PATH_INFO", ""))
        return inner(environ, start_response)

    live_server.app.wsgi_app = recording
    return hits


def test_a_page_given_back_holds_nothing_of_the_test_before(page_pool, live_server, inspector):
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
    hits = hits_of(live_server)
    page.goto("/healthz")
    assert page.evaluate(LEFT_BEHIND) == {"local": 0, "session": 0, "online": True, "databases": [], "workers": 0,
                                         "caches": 0, "geolocation": "granted"}
    login(page, inspector["username"])  # signed out: the sign-in works again, and /m/ loads its zones
    wait_ready(page)
    assert "/static/js/m.js" in hits  # from the server again: the HTTP cache was emptied
    assert "/api/v1/zones" in hits  # the route that aborted it is gone
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


def test_options_that_differ_get_another_page(page_pool, live_server):
    phone = page_pool.take({"base_url": live_server.url, **PHONE})
    page_pool.give_back(phone)
    desk = page_pool.take({"base_url": live_server.url, "viewport": {"width": 1366, "height": 900}})
    assert desk is not phone
    page_pool.give_back(desk)


def test_the_live_server_keeps_no_connection_open(live_server):
    """Every answer closes its connection (werkzeug's server always does so): a page reused by the next test on the
    same port cannot send a request down a connection to this test's app."""
    connection = http.client.HTTPConnection(urlsplit(live_server.url).hostname, urlsplit(live_server.url).port,
                                            timeout=5)
    connection.request("GET", "/healthz")
    answer = connection.getresponse()
    answer.read()
    assert answer.status == 200 and answer.will_close and answer.getheader("Connection") == "close"
    connection.close()
