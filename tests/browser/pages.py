"""Browser pages kept warm across the tests of one process: the pool behind conftest.py's `new_page`.

Chromium spends most of a browser test's CPU on new pages: a new context and its page cost ~0.3 CPU-s, and a
page's first load in a new renderer about twice a load in one that has loaded pages before (measured here:
/cockpit/ 1.0 s → 0.5 s wall and 1.9 → 0.9 CPU-s, /m/ 0.6 s → 0.3 s). So a test's page comes from this pool
when a page made with the same options (base_url included) is idle, after a reset to what a new context holds:

- other pages of the context closed, the page on about:blank, its listeners back to the pool's own;
- the origin's data cleared (cookies, localStorage, sessionStorage, IndexedDB, Cache Storage, service
  workers) and the HTTP cache emptied, so nothing of an earlier test is served or sent;
- routes removed, online, permissions and geolocation as the options say, the viewport and timeouts reset.

What cannot be undone marks the context spent, and it is closed instead of kept: Playwright's clock (it stays
installed), init scripts, exposed functions, extra headers, emulated media, a crash. A test that uses one of
those still gets a warm page, only the next test does not get it back.
"""
from __future__ import annotations

from collections import OrderedDict
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page

DEFAULT_TIMEOUT_MS = 10_000
KEEP = 6  # idle contexts kept per process (each a renderer of ~50 MB); the oldest is closed beyond that
# what Storage.clearDataForOrigin clears: all of the origin's data but cookies, which clear_cookies() removes
# (every origin's, through Playwright)
ORIGIN_DATA = ("local_storage,indexeddb,service_workers,cache_storage,file_systems,websql,shader_cache,"
               "storage_buckets,shared_storage,interest_groups")
# calls whose effect a context keeps for good: a context or page that saw one is closed, not reused
LASTING = ("add_init_script", "expose_binding", "expose_function", "set_extra_http_headers", "route_from_har",
           "route_web_socket", "emulate_media")


def _spending(cls):
    """A subclass of Playwright's `cls` whose lasting calls (and `.clock`) mark the object spent first."""
    def wrap(name):
        def method(self, *args, **kwargs):
            self._pool_spent = True
            return getattr(super(tracked, self), name)(*args, **kwargs)
        method.__name__ = name
        return method

    def clock(self):
        self._pool_spent = True
        return super(tracked, self).clock

    namespace = {name: wrap(name) for name in LASTING if hasattr(cls, name)}
    namespace["clock"] = property(clock)
    tracked = type(f"Pooled{cls.__name__}", (cls,), namespace)
    return tracked


PooledPage = _spending(Page)
PooledContext = _spending(BrowserContext)


def _key(options: dict) -> str | None:
    """The options as a key, or None when they are not plain data (e.g. a storage_state file): not pooled."""
    def plain(value) -> bool:
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return all(plain(v) for v in value)
        return value is None or isinstance(value, (str, int, float, bool))

    return repr(sorted(options.items())) if plain(options) else None


def _listeners(obj) -> dict:
    impl = obj._impl_obj
    return {event: list(impl.raw_listeners(event)) for event in impl.event_names()}


def _restore_listeners(obj, baseline: dict) -> None:
    impl = obj._impl_obj
    for event in list(impl.event_names()):
        kept = baseline.get(event, [])
        for listener in list(impl.raw_listeners(event)):
            if listener not in kept:
                impl.remove_listener(event, listener)


class Pooled:
    """One context with its page, the options it was made with, and the page errors of the current test."""

    def __init__(self, browser, options: dict, key: str | None):
        self.options, self.key, self.errors = options, key, []
        self.context = browser.new_context(**options)
        self.context.__class__ = PooledContext
        self.context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        self.page = self.context.new_page()
        self.page.__class__ = PooledPage
        self.page.on("pageerror", lambda exc: self.errors.append(f"{self.page.url}: {exc}"))
        self.baseline = (_listeners(self.context), _listeners(self.page))

    def spent(self) -> bool:
        return (self.key is None or self.page.is_closed() or getattr(self.page, "_pool_spent", False)
                or getattr(self.context, "_pool_spent", False))

    def reset(self) -> None:
        """Back to what a new context with the same options holds (see the module's docstring)."""
        for other in self.context.pages:
            if other is not self.page:
                other.close()
        _restore_listeners(self.context, self.baseline[0])
        _restore_listeners(self.page, self.baseline[1])
        self.page.unroute_all(behavior="ignoreErrors")
        self.context.unroute_all(behavior="ignoreErrors")
        self.context.set_offline(False)
        base = self.options.get("base_url")
        if base:
            # sessionStorage belongs to the tab, not to the origin's data: cleared from a page of the origin (the
            # test's last one, or /healthz, which runs none of the app's code)
            if urlsplit(self.page.url)[:2] != urlsplit(base)[:2]:
                self.page.goto(base + "/healthz")
            self.page.evaluate("sessionStorage.clear()")
        self.page.goto("about:blank")
        # a CDP session only for this: one attached during a test changes what the page sees (navigator.onLine
        # stayed true under set_offline(True))
        cdp = self.context.new_cdp_session(self.page)
        if base:
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
            cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": ORIGIN_DATA})
        cdp.send("Network.clearBrowserCache")
        cdp.detach()
        self.context.clear_cookies()
        self.context.clear_permissions()
        if self.options.get("permissions"):
            self.context.grant_permissions(self.options["permissions"])
        self.context.set_geolocation(self.options.get("geolocation"))
        self.page.set_viewport_size(self.options.get("viewport") or {"width": 1280, "height": 720})
        self.context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        self.context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
        self.page.set_default_timeout(DEFAULT_TIMEOUT_MS)
        self.page.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
        self.errors = []


class PagePool:
    """take(options) -> Pooled: an idle one made with the same options, else a new one; give_back() after the test."""

    def __init__(self, browser, keep: int = KEEP):
        self.browser, self.keep = browser, keep
        self.idle: OrderedDict[int, Pooled] = OrderedDict()

    def take(self, options: dict) -> Pooled:
        key = _key(options)
        if key is not None:
            for ident, pooled in self.idle.items():
                if pooled.key == key:
                    del self.idle[ident]
                    return pooled
        return Pooled(self.browser, options, key)

    def give_back(self, pooled: Pooled) -> None:
        """Reset it and keep it idle, or close it when it is spent or the reset fails."""
        if not pooled.spent():
            try:
                pooled.reset()
            except Exception:  # a page that cannot be reset is not kept: the next test gets a new one
                pass
            else:
                self.idle[id(pooled)] = pooled
                while len(self.idle) > self.keep:
                    self.idle.popitem(last=False)[1].context.close()
                return
        pooled.context.close()

    def close(self) -> None:
        for pooled in self.idle.values():
            pooled.context.close()
        self.idle.clear()
