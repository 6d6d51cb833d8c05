"""Pages on mobile data: what a first visit to /m/ (and to the cockpit) downloads, in a real browser.

    python bench/pages_bench.py [--json FILE] [--network slow-4g|unthrottled]

The app runs on a temporary SQLite database behind waitress (the server `python run.py` uses) on a free
loopback port; Debian's Chromium (/usr/bin/chromium, through Playwright) signs in through the API request
context (so the browser's cache stays cold) and opens the page. Every request that reaches the server is
counted with its bytes on the wire — status line, headers and the body as sent (gzipped where the app
compresses it) — the page's own requests and its service worker's alike. For /m/ the first load lasts until
the page is ready (body[data-ready="1"]) and its service worker is installed and active: the worker's
install is where a second copy of the shell used to be downloaded (ECharts twice). Then the page is loaded
a second time, and what that load asks of the server is counted too. Chromium's own count (Playwright's
request sizes) is given beside the server's, and the time to ready of a cold first load on Chromium's
"Slow 4G" profile (562.5 ms latency, 180 KB/s down; the page's requests, not the worker's) — or, with
`--network unthrottled`, without throttling (a quick check that the measurement runs).

Baseline, measured in the same run: the same answers uncompressed (a gzipped body counted at its
decompressed size) — what the same resources weigh without compression. The bytes before the
optimisation (the full ECharts build, a service worker downloading the shell again) cannot be measured in
the same run; bench/README.md keeps the figures of that version.

Without Chromium or the playwright package every row says "not measured: …" with the reason.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import re
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from dispatch import create_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1920, "height": 1080}}
# Chromium DevTools' "Slow 4G" preset (its throttling numbers, with DevTools' own adjustment factors)
SLOW_4G = {"offline": False, "latency": 150 * 3.75, "downloadThroughput": 1.6 * 1e6 / 8 * 0.9,
           "uploadThroughput": 750 * 1e3 / 8 * 0.9}
# the networks the cold first load is timed on: --network's choices, with the name the notes give them
NETWORKS = {"slow-4g": ("Slow 4G", SLOW_4G),
            "unthrottled": ("no throttling", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                              "uploadThroughput": -1})}
PASSWORD = "bench-password-42"
GOAL_KIB = 200
ECHARTS = re.compile(r"^/static/vendor/echarts/[^/?]+\.js")
KIB = 1024


@dataclass
class Hit:
    method: str
    path: str
    status: int
    wire: int  # status line + headers + body as sent
    plain: int  # the same answer uncompressed


class Recorder:
    """A WSGI wrapper that records every request the server answers, with its bytes on the wire."""

    def __init__(self, app):
        self.app = app
        self.hits: list[Hit] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        captured = {}

        def recording_start(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.app(environ, recording_start)
        body, plain = 0, 0
        inflate = None
        try:
            for chunk in result:
                if inflate is None:
                    gzipped = any(k.lower() == "content-encoding" and v == "gzip" for k, v in captured["headers"])
                    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else False
                body += len(chunk)
                plain += len(inflate.decompress(chunk)) if inflate else len(chunk)
                yield chunk
        finally:
            if hasattr(result, "close"):
                result.close()
            status, headers = captured.get("status", "500"), captured.get("headers", [])
            head = len(f"HTTP/1.1 {status}\r\n") + sum(len(k) + len(v) + 4 for k, v in headers) + 2
            path = environ.get("PATH_INFO", "") + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else "")
            with self.lock:
                self.hits.append(Hit(environ["REQUEST_METHOD"], path, int(status.split()[0]), head + body,
                                     head + plain))

    def take(self) -> list[Hit]:
        with self.lock:
            hits, self.hits = self.hits, []
        return hits


@contextlib.contextmanager
def served_app(folder: Path):
    """The app on a fresh SQLite database in `folder`, behind waitress on a free loopback port."""
    from waitress.server import create_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is 2": a page's burst
    app = create_app({"SECRET_KEY": "bench-secret", "DATABASE_URL": f"sqlite:///{folder / 'pages.sqlite3'}",
                      "CONFIG_DIR": str(ROOT / "config"), "VAR_DIR": str(folder / "var"),
                      "SCHEDULER_ENABLED": False})
    recorder = Recorder(app.wsgi_app)
    app.wsgi_app = recorder
    server = create_server(app, host="127.0.0.1", port=0, threads=6)
    thread = threading.Thread(target=server.run, name="pages-bench-server", daemon=True)
    thread.start()
    try:
        yield app, recorder, f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)
        app.extensions["db_engine"].dispose()


def create_user(app, username: str, role: str, **kwargs) -> None:
    from werkzeug.security import generate_password_hash

    from dispatch import db
    from dispatch.types import utc_now
    from dispatch.users import service

    with app.app_context():
        cfg = app.extensions["street_config"]
        user, _ = service.create(session=db.session(), username=username, role=role, now=utc_now(),
                                 departments=set(cfg.departments), zones={z.code for z in cfg.zones},
                                 committees=set(cfg.committees.by_code), **kwargs)
        user.password_hash = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")  # cheap: a bench user
        db.session().commit()


def sign_in(context, url: str, username: str) -> None:
    """Sign in through the /login form with the context's request API: the browser's cache stays cold."""
    page = context.request.get(url + "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text()).group(1)
    answer = context.request.post(url + "/login", form={"csrf_token": token, "next": "", "username": username,
                                                        "password": PASSWORD}, max_redirects=0)
    if answer.status not in (302, 303):
        raise RuntimeError(f"sign-in as {username} failed: {answer.status}")


@dataclass
class Load:
    """One page's first load (and its worker's install), then a second load."""

    first: list[Hit]
    second: list[Hit]
    browser_page: int = 0  # Chromium's count of the page's own requests (bytes)
    browser_worker: tuple = (0, 0)  # the worker's requests as Chromium saw them (count, bytes)
    cold: float | None = None  # seconds to ready, cold cache, on the network of the run (Slow 4G by default)
    errors: list = field(default_factory=list)

    @property
    def wire(self) -> int:
        return sum(h.wire for h in self.first)

    @property
    def plain(self) -> int:
        return sum(h.plain for h in self.first)

    def echarts(self, hits=None) -> list[Hit]:
        return [h for h in (self.first if hits is None else hits) if ECHARTS.search(h.path) and h.status == 200]

    def repeated(self) -> list[str]:
        """Paths the first load (with the install) downloaded more than once."""
        seen: dict[str, int] = {}
        for h in self.first:
            if h.status == 200:
                seen[h.path] = seen.get(h.path, 0) + 1
        return sorted(p for p, n in seen.items() if n > 1)


def wait_ready(page) -> None:
    page.locator("body[data-ready='1']").wait_for(state="attached", timeout=60_000)


def open_page(browser, url: str, recorder: Recorder, path: str, username: str, options: dict, *,
              worker: bool, network: str = "slow-4g") -> Load:
    context = browser.new_context(base_url=url, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    seen = []
    try:
        sign_in(context, url, username)
        recorder.take()

        def finished(request):
            sizes = request.sizes()
            seen.append((request.service_worker is not None, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

        context.on("requestfinished", finished)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path)
        wait_ready(page)
        if worker:  # installed and active: every file of its install has been fetched
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_load_state("networkidle")
        first = recorder.take()
        context.remove_listener("requestfinished", finished)
        page.reload()
        wait_ready(page)
        page.wait_for_load_state("networkidle")
        second = recorder.take()
        load = Load(first, second, errors=errors)
        load.browser_page = sum(n for by_worker, n in seen if not by_worker)
        load.browser_worker = (sum(1 for by_worker, _ in seen if by_worker), sum(n for by_worker, n in seen if by_worker))
    finally:
        context.close()
    load.cold = cold_ready(browser, url, path, username, options, network)
    return load


def cold_ready(browser, url: str, path: str, username: str, options: dict, network: str = "slow-4g") -> float:
    """Seconds from navigation to the page's ready signal, cold cache, on `network` (NETWORKS: by default
    Chromium's Slow 4G profile)."""
    context = browser.new_context(base_url=url, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    try:
        sign_in(context, url, username)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", NETWORKS[network][1])
        started = time.perf_counter()
        page.goto(path)
        wait_ready(page)
        return time.perf_counter() - started
    finally:
        context.close()


def why_not_measured() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"needs Debian's Chromium at {CHROMIUM} (tools/ensure-chromium.sh installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs the playwright package (pip install playwright; never `playwright install`)"
    return None


def measure(network: str = "slow-4g") -> dict[str, Load]:
    """The first loads of /m/ (an inspector, a phone's screen) and of the cockpit (城运中心, 1920 px).

    Run in a thread of its own: Playwright's sync API refuses to start in a thread that already drives a
    browser (the browser tests' session fixture, when the tests run this benchmark).
    """
    outcome: dict = {}

    def run():
        try:
            outcome["loads"] = _measure(network)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="pages-bench")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["loads"]


def _measure(network: str) -> dict[str, Load]:
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dispatch-bench-pages-")))
        app, recorder, url = stack.enter_context(served_app(folder))
        create_user(app, "bench_inspector", "inspector", zone="xiangyi", display_name="巡查")
        create_user(app, "bench_command", "command", display_name="城运")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
            try:
                return {"m": open_page(browser, url, recorder, "/m/", "bench_inspector", PHONE, worker=True,
                                       network=network),
                        "cockpit": open_page(browser, url, recorder, "/cockpit/", "bench_command", DESKTOP,
                                             worker=False, network=network)}
            finally:
                browser.close()


def kib(n: int) -> float:
    return round(n / KIB, 1)


def row(name, value, unit, baseline_name, baseline_value, ratio, goal, met, note=""):
    return {"name": name, "database": "-", "value": value, "unit": unit,
            "baseline": {"name": baseline_name, "value": baseline_value}, "ratio": ratio, "goal": goal,
            "met": met, "note": note}


M_GOAL = f"≤ {GOAL_KIB} KiB, ECharts once"
COCKPIT_GOAL = "ECharts once (no byte goal)"
BASELINE = "the same answers uncompressed"


def rows(network: str = "slow-4g") -> list[dict]:
    """The "/m/ first load" and "cockpit first load" rows of python -m bench (the same in --quick); the cold
    first load is timed on `network` (NETWORKS)."""
    why = why_not_measured()
    if why:
        return [row("/m/ first load", None, "KiB", BASELINE, None, None, M_GOAL, f"not measured: {why}"),
                row("cockpit first load", None, "KiB", BASELINE, None, None, COCKPIT_GOAL, f"not measured: {why}")]
    loads = measure(network)
    on = NETWORKS[network][0]
    m, cockpit = loads["m"], loads["cockpit"]
    m_echarts, c_echarts = m.echarts(), cockpit.echarts()
    second_static = [h for h in m.second if h.path.startswith("/static/")]
    ok = m.wire <= GOAL_KIB * KIB and len(m_echarts) == 1
    m_note = (f"ratio = ours / baseline; {len(m.first)} requests over the first load and the service worker's "
              f"install (Chromium's own count: the page {kib(m.browser_page)} KiB, the worker's install "
              f"{m.browser_worker[0]} requests, {kib(m.browser_worker[1])} KiB); ECharts downloaded "
              f"{len(m_echarts)}× ({kib(sum(h.wire for h in m_echarts))} KiB); asked twice: "
              f"{', '.join(m.repeated()) or 'nothing'}; second load: {len(m.second)} requests, "
              f"{kib(sum(h.wire for h in m.second))} KiB, {len(second_static)} of them static files; "
              f"ready in {m.cold:.1f} s on {on} (cold cache)"
              + (f"; PAGE ERRORS: {m.errors}" if m.errors else ""))
    c_note = (f"ratio = ours / baseline; {len(cockpit.first)} requests, ECharts (the charts build) "
              f"{len(c_echarts)}× ({kib(sum(h.wire for h in c_echarts))} KiB); second load: "
              f"{len(cockpit.second)} requests, {kib(sum(h.wire for h in cockpit.second))} KiB; ready in "
              f"{cockpit.cold:.1f} s on {on} (cold cache); an empty street: the feed grows with the open tickets"
              + (f"; PAGE ERRORS: {cockpit.errors}" if cockpit.errors else ""))
    return [
        row("/m/ first load (page + service worker install)", kib(m.wire), "KiB", BASELINE, kib(m.plain),
            round(m.wire / m.plain, 3), M_GOAL, "yes" if ok else "no", m_note),
        row("cockpit first load", kib(cockpit.wire), "KiB", BASELINE, kib(cockpit.plain),
            round(cockpit.wire / cockpit.plain, 3), COCKPIT_GOAL, "yes" if len(c_echarts) == 1 else "no", c_note),
    ]


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(prog="bench/pages_bench.py", description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="FILE", help="also write the rows to FILE as a JSON list")
    parser.add_argument("--requests", action="store_true", help="list every request of the first loads")
    parser.add_argument("--network", choices=NETWORKS, default="slow-4g",
                        help="the network the cold first load is timed on (default slow-4g)")
    args = parser.parse_args(argv)
    why = why_not_measured()
    if args.requests and not why:
        for name, load in measure(args.network).items():
            print(f"{name}: first load (and install)")
            for h in load.first:
                print(f"  {h.method} {h.status} {h.wire:>8} B  {h.plain:>8} B plain  {h.path}")
            print(f"{name}: second load")
            for h in load.second:
                print(f"  {h.method} {h.status} {h.wire:>8} B  {h.plain:>8} B plain  {h.path}")
        return []
    result = rows(args.network)
    for r in result:
        print(f"{r['name']}: {r['value']} {r['unit']} (baseline {r['baseline']['name']}: {r['baseline']['value']}); "
              f"goal {r['goal']}: {r['met']}\n  {r['note']}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
