"""/m/ opens offline: its service worker (/m/sw.js) keeps the page, never the API's answers."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from dispatch.web.mobile import shell_version
from dispatch.web.static_files import file_version
from tests.browser.helpers import PHONE, fill_report, login, my_tickets, wait_ready

SW_READY = "navigator.serviceWorker.ready.then(() => true)"
CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push(name + ' ' + new URL(request.url).pathname + new URL(request.url).search);
  }
  return urls;
}"""


@pytest.fixture
def phone(new_page, inspector):
    """A signed-in inspector on /m/ with its service worker active (the page was loaded online)."""
    page = new_page(**PHONE)
    login(page, inspector["username"])
    assert page.url.endswith("/m/")
    wait_ready(page)
    assert page.evaluate(SW_READY) is True
    return page


def test_the_worker_script_is_served_with_its_version_and_not_pinned(live_server):
    response = live_server.app.test_client().get("/m/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    text = response.get_data(as_text=True)
    version = shell_version(live_server.app.static_folder)
    assert f'const VERSION = "{version}";' in text
    assert "__SW_" not in text
    shell = re.search(r"const SHELL = (\[.*\]);", text).group(1)
    assert '"/m/"' in shell
    for name in ("js/m.js", "css/m.css", "vendor/echarts/echarts-map.min.js"):  # each URL names its file's version
        assert f'"/static/{name}?v={file_version(live_server.app.static_folder, name)}"' in shell


def test_the_version_changes_with_the_static_files(live_server, tmp_path):
    import shutil

    copy = tmp_path / "static"
    shutil.copytree(live_server.app.static_folder, copy)
    before = shell_version(copy)
    with open(copy / "js" / "m.js", "a", encoding="utf-8") as f:
        f.write("\n// changed\n")
    assert shell_version(copy) != before


def test_the_page_opens_offline_and_a_report_made_there_is_sent_once(phone, live_server, inspector, server_hits):
    cached = phone.evaluate(CACHED_URLS)
    assert any(u.endswith(" /m/") for u in cached), cached
    assert any(" /static/vendor/echarts/echarts-map.min.js?v=" in u for u in cached), cached

    phone.context.set_offline(True)
    server_hits.clear()
    phone.reload()
    wait_ready(phone)
    assert ("GET", "/m/") not in server_hits  # the page came from the worker's copy, not the server
    assert phone.evaluate("navigator.serviceWorker.controller !== null") is True
    expect(phone.locator("#offline-banner")).to_be_visible()
    expect(phone.locator(".navbar .who-name")).to_have_text("王巡查")
    expect(phone.locator("#categories .cat-group h3").first).to_be_visible()
    expect(phone.locator(".tabs [data-tab=outbox]")).to_be_visible()
    # The zone map came from the cached /api/v1/zones: the page guesses the zone itself.
    expect(phone.locator("#zone-name")).to_have_text("香溢片区（离线估算）")

    fill_report(phone, slug="bin_overflow", description="楼道里没信号时的上报")
    phone.click("#submit-btn")
    expect(phone.locator("#last-report")).to_contain_text("待发送")
    expect(phone.locator("#outbox-count")).to_have_text("1")
    assert my_tickets(live_server, inspector) == []

    phone.context.set_offline(False)  # the `online` event sends it
    expect(phone.locator("#outbox-count")).to_be_hidden()
    expect(phone.locator("#outbox-empty")).to_be_attached()
    [ticket] = my_tickets(live_server, inspector)
    assert ticket["description"] == "楼道里没信号时的上报"
    assert ticket["zone"] == "xiangyi"
    phone.reload()  # nothing is left to send twice
    wait_ready(phone)
    assert len(my_tickets(live_server, inspector)) == 1


def test_api_answers_are_never_served_from_the_cache(phone, live_server, inspector):
    live_server.api("POST", "/api/v1/events", inspector, expect=201, json={
        "category": "exposed_garbage", "location": {"lng": 121.4288, "lat": 31.2551}, "description": "在线时看到的"})
    fetch_tickets = """() => YC.api.get('/api/v1/tickets?mine=1').then(
        (res) => 'data:' + res.data.length, (err) => 'error:' + err.name)"""
    assert phone.evaluate(fetch_tickets) == "data:1"  # through the (controlling) worker, online
    assert phone.evaluate("navigator.serviceWorker.controller !== null") is True
    cached = phone.evaluate(CACHED_URLS)
    api_cached = sorted(u.split(" ", 1)[1] for u in cached if " /api/" in u)
    assert set(api_cached) <= {"/api/v1/zones", "/api/v1/categories"}, api_cached

    phone.context.set_offline(True)
    assert phone.evaluate(fetch_tickets) == "error:NetworkError"  # no stale list offline
    phone.click(".tabs [data-tab=mine]")
    expect(phone.locator("#toast")).to_contain_text("网络不可用")


def test_signing_out_deletes_the_offline_copy(phone, new_page, live_server):
    assert phone.evaluate(CACHED_URLS)
    with phone.expect_navigation():
        phone.click(".navbar form.logout button")
    assert phone.url.endswith("/login")
    assert phone.evaluate(CACHED_URLS) == []

    phone.context.set_offline(True)
    with pytest.raises(PlaywrightError):
        phone.goto("/m/")  # nothing of the previous user's page is left to open offline


def test_another_user_signing_in_gets_a_fresh_page(phone, live_server):
    other = live_server.create_user("xy_zhao", "inspector", zone="xiangyi", display_name="赵巡查")
    with phone.expect_navigation():
        phone.click(".navbar form.logout button")
    login(phone, other["username"])
    wait_ready(phone)
    expect(phone.locator(".navbar .who-name")).to_have_text("赵巡查")
    assert phone.evaluate(SW_READY) is True
    phone.context.set_offline(True)
    phone.reload()
    wait_ready(phone)
    expect(phone.locator(".navbar .who-name")).to_have_text("赵巡查")


def test_the_worker_keeps_what_the_page_downloaded_without_downloading_it_again(new_page, inspector, server_hits):
    """On a phone's mobile data: the first load with the worker's install fetches every file once (ECharts
    once), and the next load asks the server for no static file at all."""
    page = new_page(**PHONE)
    login(page, inspector["username"], via_form=True)  # /login's own scripts are the /m/ page's too: kept from here on
    wait_ready(page)
    assert page.evaluate(SW_READY) is True  # installed and active: its install has run to the end
    statics = [path for method, path in server_hits if path.startswith("/static/")]
    assert sorted(statics) == sorted(set(statics)), statics  # none twice
    assert statics.count("/static/vendor/echarts/echarts-map.min.js") == 1, statics
    assert not any("/static/vendor/echarts/echarts.min.js" in p for p in statics)  # the full build is gone
    cached = page.evaluate(CACHED_URLS)
    assert any(" /static/vendor/echarts/echarts-map.min.js?v=" in u for u in cached), cached  # kept all the same

    server_hits.clear()
    page.reload()
    wait_ready(page)
    assert [p for _, p in server_hits if p.startswith("/static/")] == [], server_hits
    assert ("GET", "/m/") in server_hits  # the page itself is asked for (network first), online
