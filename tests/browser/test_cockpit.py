"""/cockpit/, the command center's big screen, at 1920 × 1080 in a real browser."""
from __future__ import annotations

import heapq
import io
import json
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from shapely.geometry import Point, shape

from tests.browser.helpers import ROOT, copy_to_docs, local, login, next_poll, png_bytes, shot, wait_ready
from tests.helpers import Clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
BIG_SCREEN = {"viewport": {"width": 1920, "height": 1080}}
NOW = local(2026, 11, 25, 15, 30)  # a Wednesday afternoon; 2027 has no holiday data yet


# --- a street with a few days of work ------------------------------------------------------------

class Street:
    """Users and a settable clock on the live server; tickets made through the API at chosen times."""

    CATEGORIES = ["exposed_garbage", "bin_overflow", "road_unclean", "street_vending", "shopfront_overflow",
                  "bike_misparking", "stairwell_clutter", "illegal_flyers", "public_clutter", "fire_lane_blocked",
                  "group_rental", "other"]

    def __init__(self, live_server, now: datetime = NOW):
        self.server = live_server
        self.clock = Clock(now)
        live_server.app.config["CLOCK"] = self.clock
        self.command = live_server.create_user("zhang_cmd", "command", display_name="张指挥")
        self.departments: dict[str, dict] = {}
        with open(ROOT / "config" / "zones.geojson", encoding="utf-8") as f:
            self.zones = {feat["properties"]["code"]: shape(feat["geometry"]) for feat in json.load(f)["features"]}
        self.used: list[tuple[float, float]] = []

    def department(self, code: str) -> dict:
        if code not in self.departments:
            self.departments[code] = self.server.create_user(f"dept_{code}", "department", department=code)
        return self.departments[code]

    def point(self, rnd: random.Random, zone: str) -> tuple[float, float]:
        """A point well inside `zone`, more than ~60 m from every point used so far (no duplicates)."""
        polygon = self.zones[zone].buffer(-0.0004)
        minx, miny, maxx, maxy = polygon.bounds
        while True:
            lng, lat = round(rnd.uniform(minx, maxx), 6), round(rnd.uniform(miny, maxy), 6)
            if polygon.contains(Point(lng, lat)) and all(abs(lng - a) + abs(lat - b) > 0.0009 for a, b in self.used):
                self.used.append((lng, lat))
                return lng, lat

    def at(self, when: datetime) -> None:
        self.clock.set(when)

    def report(self, category: str, at: tuple[float, float], description: str = "现场发现问题，请处理") -> dict:
        return self.server.api("POST", "/api/v1/events", self.command, expect=201, json={
            "category": category, "location": {"lng": at[0], "lat": at[1]}, "description": description,
            **({"attributes": {"households": 4}} if category == "group_rental" else {})})["ticket"]

    def act(self, ticket: dict, user: dict, action: str, **body) -> dict:
        return self.server.api("POST", f"/api/v1/tickets/{ticket['id']}/actions", user, expect=200,
                               json={"action": action, **body})["ticket"]

    def photo(self, ticket: dict, user: dict, stage: str = "after") -> None:
        self.server.api("POST", f"/api/v1/tickets/{ticket['id']}/photos", user, expect=201,
                        data={"stage": stage, "photo": (io.BytesIO(png_bytes(rgb=(70, 150, 90))), "after.png")})

    def sweep(self) -> None:
        from dispatch import db
        from dispatch.escalation import sweep

        app = self.server.app
        with app.app_context():
            sweep.sweep(session=db.session(), config=app.extensions["street_config"], now=self.clock())

    def next_escalation(self) -> datetime | None:
        """When the next escalation level of any ticket falls due."""
        from sqlmodel import col, func, select

        from dispatch import db
        from dispatch.escalation.sweep import NEVER_ESCALATE
        from dispatch.tickets.models import Ticket

        with self.server.app.app_context():
            row = db.session().exec(select(func.min(Ticket.response_next_at), func.min(Ticket.resolve_next_at))
                                    .where(col(Ticket.status).not_in(NEVER_ESCALATE))).one()
        values = [v if v.tzinfo else v.replace(tzinfo=UTC) for v in row if v is not None]  # SQLite drops the zone
        return min(values) if values else None

    def sweep_until(self, until: datetime) -> None:
        """Sweep as the scheduler would have: half a minute after each level falls due, up to `until`."""
        last = None
        while (due := self.next_escalation()) is not None and due <= until:
            assert due != last, f"the sweep did not advance past {due}"
            last = due
            self.at(due + timedelta(seconds=30))
            self.sweep()

    def history(self, days: int = 8, seed: int = 7) -> None:
        """`days` of reports up to NOW: most handled and closed, some late, reworked or still open.

        Each ticket's life is a generator that yields the time of its next step; the steps of all
        tickets run in time order, with the escalation sweep run as the scheduler would in between.
        """
        rnd = random.Random(seed)
        end = self.clock()
        queue: list[tuple[datetime, int, object]] = []
        order = iter(range(10**6))
        start_day = (end.astimezone(SHANGHAI) - timedelta(days=days)).date()
        for offset in range(days + 1):
            day = start_day + timedelta(days=offset)
            recent = offset >= days - 1
            for _ in range(rnd.randint(4, 7) if day.weekday() < 5 else 1):
                created = datetime(day.year, day.month, day.day, rnd.randint(8, 16), rnd.randint(0, 59),
                                   tzinfo=SHANGHAI).astimezone(UTC)
                if created < end - timedelta(minutes=20):
                    zone = rnd.choice(["xiangyi", "xiangyi", "jiaoxi", "zhongyuan"])
                    life = self._life(rnd, rnd.choice(self.CATEGORIES), self.point(rnd, zone), recent)
                    heapq.heappush(queue, (created, next(order), life))
        while queue:
            when, _, life = heapq.heappop(queue)
            if when >= end:
                continue
            self.sweep_until(when)
            self.at(when)
            wait = next(life, None)
            if wait is not None:
                heapq.heappush(queue, (when + wait, next(order), life))
        self.sweep_until(end)
        self.at(end)

    def _life(self, rnd: random.Random, category: str, point, recent: bool):
        """One ticket: report, then (maybe) accept, resolve, verify; yields the wait before each step."""
        late = rnd.random() < 0.15
        stall = rnd.choice([None, None, "accept", "resolve"] if recent else [None] * 9 + ["resolve"])
        ticket = self.report(category, point)
        if ticket["status"] != "dispatched" or stall == "accept":
            return
        dept = self.department(ticket["department"])
        yield timedelta(minutes=rnd.uniform(5, 50) + (240 if late else 0))
        ticket = self.act(ticket, dept, "accept")
        if rnd.random() < 0.06:
            ticket = self.act(ticket, self.command, "supervise")
        if stall == "resolve":
            return
        yield timedelta(minutes=rnd.uniform(60, 260) * (3 if late else 1))
        self.photo(ticket, dept)
        ticket = self.act(ticket, dept, "resolve", note="已处置完毕")
        yield timedelta(minutes=rnd.uniform(30, 120))
        if rnd.random() < 0.1:
            ticket = self.act(ticket, self.command, "verify", passed=False, note="仍有残留，返工")
            yield timedelta(minutes=90)
            self.photo(ticket, dept)
            ticket = self.act(ticket, dept, "resolve", note="返工完成")
            yield timedelta(minutes=40)
        self.act(ticket, self.command, "verify", passed=True, note="核查通过")


@pytest.fixture
def street(live_server) -> Street:
    return Street(live_server)


def open_cockpit(new_page, street: Street, *, fake_timers: bool = False):
    """The command center's big screen, signed in, first feed drawn; with `fake_timers` the page's clock is
    Playwright's (page.clock), so a test can run its polls without waiting for them."""
    page = new_page(**BIG_SCREEN)
    if fake_timers:
        page.clock.install()
    login(page, street.command["username"])
    assert page.url.endswith("/cockpit/")
    wait_ready(page)
    return page


@pytest.fixture
def cockpit(new_page, street):
    """The command center's big screen, signed in, first feed drawn; its polls run on page.clock (next_poll)."""
    return open_cockpit(new_page, street, fake_timers=True)


def feed(street: Street, zone: str | None = None) -> dict:
    return street.server.api("GET", "/cockpit/feed.json" + (f"?zone={zone}" if zone else ""), street.command,
                             expect=200)


def kpi(page, name: str):
    return page.locator(f"[data-kpi={name}] .v")


def zone_pixel(page, lng: float, lat: float) -> tuple[float, float]:
    xy = page.evaluate("([lng, lat]) => window.cockpit.pixelOf(lng, lat)", [lng, lat])
    return xy["x"], xy["y"]


# --- tests -----------------------------------------------------------------------------------------

def test_the_big_screen_draws_the_street(new_page, street):
    street.history()
    street.report("other", street.point(random.Random(1), "jiaoxi"), "路口有不明物品，无法判断归属")
    page = new_page(**BIG_SCREEN)
    login(page, street.command["username"])
    wait_ready(page)
    body = feed(street)
    assert body["kpis"]["reported_today"] > 0 and body["escalations"] and body["points"]
    expect(kpi(page, "reported_today")).to_have_text(str(body["kpis"]["reported_today"]))
    expect(kpi(page, "open")).to_have_text(str(body["kpis"]["open"]))
    expect(kpi(page, "overdue")).to_have_text(str(body["kpis"]["overdue"]))
    expect(kpi(page, "pending_dispatch")).to_have_text(str(body["kpis"]["pending_dispatch"]))
    expect(kpi(page, "close_rate")).to_have_text(f"{body['kpis']['close_rate'] * 100:.1f}")
    expect(page.locator("body")).to_have_attribute("data-points", str(len(body["points"])))
    expect(page.locator("#escalation-list .esc-row")).to_have_count(len(body["escalations"]))
    expect(page.locator("#escalation-list .esc-row").first).to_contain_text(body["escalations"][0]["number"])
    expect(page.locator("#pending-list .pending-row")).to_have_count(len(body["pending_dispatch"]))
    expect(page.locator("#supervised-list .sup-row")).to_have_count(len(body["supervised"]))
    for chart in ("map", "chart-trend", "chart-category", "chart-zone", "chart-department"):
        expect(page.locator(f"#{chart} canvas").first).to_be_visible()
    # the whole screen fits 1920 × 1080: nothing scrolls
    assert page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]") \
        == [1920, 1080]
    banner = page.locator("#banner")  # shown only while open tickets hold provisional (预计) deadlines
    if body["banner"]:
        expect(banner).to_have_text("⚠ " + body["banner"]["text"])
    else:
        expect(banner).to_be_hidden()
    page.wait_for_timeout(300)  # let the charts finish their first paint
    copy_to_docs(shot(page, "cockpit"), "cockpit.png")


@pytest.mark.parametrize("motion, width", [("no-preference", 1920), ("reduce", 375), ("reduce", 1366),
                                           ("reduce", 1920)])
def test_late_markers_pulse_unless_the_screen_asks_for_less_motion(new_page, street, motion, width):
    # a pulse keeps the command center's browser drawing all day; a screen set to reduce motion gets still markers
    street.history(days=2)
    assert feed(street)["kpis"]["overdue"] > 0
    page = new_page(viewport={"width": width, "height": 812 if width < 1000 else 1080}, reduced_motion=motion)
    login(page, street.command["username"])
    wait_ready(page)
    types = dict(page.evaluate("""() => echarts.getInstanceByDom(document.getElementById('map')).getOption()
        .series.map((s) => [s.name, s.type])"""))
    expected = "effectScatter" if motion == "no-preference" else "scatter"
    assert (types["超期"], types["督办"], types["正常"]) == (expected, expected, "scatter")
    flash = page.evaluate("""() => { const card = document.querySelector('.kpi'); card.classList.add('changed');
        return getComputedStyle(card).animationName; }""")  # a KPI that changed flashes, unless reduced
    assert flash == ("ck-flash" if motion == "no-preference" else "none")
    shot(page, f"cockpit-motion-{motion}-{width}")


def test_no_banner_when_this_year_and_the_next_are_known(new_page, live_server):
    street = Street(live_server, now=local(2025, 6, 4, 10, 0))  # 2025 and 2026 are in chinesecalendar
    page = new_page(**BIG_SCREEN)
    login(page, street.command["username"])
    wait_ready(page)
    expect(page.locator("#banner")).to_be_hidden()


def test_a_click_on_a_zone_filters_everything_and_a_second_click_clears_it(cockpit, street):
    rnd = random.Random(3)
    for zone, n in (("xiangyi", 3), ("jiaoxi", 2)):
        for _ in range(n):
            street.report("exposed_garbage", street.point(rnd, zone))
    street.report("other", street.point(rnd, "jiaoxi"))
    street.at(NOW + timedelta(minutes=5))
    next_poll(cockpit)
    expect(kpi(cockpit, "reported_today")).to_have_text("6")
    expect(cockpit.locator("#pending-list .pending-row")).to_have_count(1)

    x, y = zone_pixel(cockpit, 121.4262, 31.2535)  # inside 香溢片区, away from the ticket points
    cockpit.mouse.click(x, y)
    expect(cockpit.locator("body")).to_have_attribute("data-zone", "xiangyi")
    expect(kpi(cockpit, "reported_today")).to_have_text("3")
    expect(cockpit.locator("body")).to_have_attribute("data-points", "3")
    expect(cockpit.locator("#pending-list .pending-row")).to_have_count(0)
    expect(cockpit.locator(".zone-btn[aria-pressed=true]")).to_have_text("香溢片区")
    expect(cockpit.locator("#zone-name")).to_contain_text("香溢片区")
    shot(cockpit, "cockpit-xiangyi")

    cockpit.mouse.click(x, y)  # the same zone again: back to the whole street
    expect(cockpit.locator("body")).to_have_attribute("data-zone", "")
    expect(kpi(cockpit, "reported_today")).to_have_text("6")

    cockpit.click(".zone-btn[data-zone=jiaoxi]")  # the buttons filter too; 全部片区 clears
    expect(kpi(cockpit, "reported_today")).to_have_text("3")
    expect(cockpit.locator("#pending-list .pending-row")).to_have_count(1)
    cockpit.click(".zone-btn[data-zone='']")
    expect(kpi(cockpit, "reported_today")).to_have_text("6")


def test_dispatch_from_the_pending_list(cockpit, street):
    ticket = street.report("other", street.point(random.Random(5), "zhongyuan"), "小区门口电线垂落")
    next_poll(cockpit)
    row = cockpit.locator(f"#pending-list .pending-row[data-id='{ticket['id']}']")
    expect(row).to_contain_text(ticket["number"])
    expect(kpi(cockpit, "pending_dispatch")).to_have_text("1")
    row.locator("button.dispatch-btn").click()
    expect(cockpit.locator("#toast")).to_have_text("请选择处置部门")
    assert "command_center" not in row.locator("select option").evaluate_all("os => os.map(o => o.value)")
    row.locator("select").select_option("city_works")
    row.locator("button.dispatch-btn").click()
    expect(cockpit.locator("#toast")).to_contain_text("已派遣至 城建中心")
    expect(row).to_have_count(0)
    expect(kpi(cockpit, "pending_dispatch")).to_have_text("0")
    after = street.server.api("GET", f"/api/v1/tickets/{ticket['id']}", street.command, expect=200)["ticket"]
    assert (after["status"], after["department"]) == ("dispatched", "city_works")
    assert [e["action"] for e in after["timeline"]][-1] == "dispatch"


def test_a_description_with_markup_is_shown_as_text(cockpit, street):
    dialogs = []
    cockpit.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>井盖缺失"
    ticket = street.report("other", street.point(random.Random(9), "xiangyi"), evil)
    next_poll(cockpit)
    row = cockpit.locator(f"#pending-list .pending-row[data-id='{ticket['id']}']")
    expect(row.locator(".row-desc")).to_have_text(evil[:60])
    expect(row.locator(".row-desc")).to_have_attribute("title", evil)
    cockpit.locator("#map").hover(position={"x": 5, "y": 5})
    assert cockpit.locator("#pending-list img").count() == 0
    assert dialogs == []


def test_a_department_user_may_not_open_the_cockpit(new_page, street):
    sanitation = street.department("sanitation")
    page = new_page(**BIG_SCREEN)
    login(page, sanitation["username"])
    assert page.url.endswith("/desk/")
    response = page.goto("/cockpit/")
    assert response.status == 403
    expect(page.locator(".error-card")).to_contain_text("无权访问")
    response = page.goto("/cockpit/feed.json")
    assert response.status == 403


def test_a_poll_with_no_change_is_a_304(new_page, street):
    """With nothing changed (the clock is frozen) the page's next polls are answered 304 Not Modified."""
    cockpit = open_cockpit(new_page, street, fake_timers=True)
    app, seen = street.server.app, []
    inner = app.wsgi_app

    def recorder(environ, start_response):
        def start(status, headers, exc_info=None):
            if environ["PATH_INFO"] == "/cockpit/feed.json":
                seen.append(status)
            return start_response(status, headers, exc_info)
        return inner(environ, start)

    app.wsgi_app = recorder  # Flask.__call__ looks it up on every request
    try:
        for _ in range(2):  # the next two polls (every 3 s), answered
            next_poll(cockpit).response()
    finally:
        app.wsgi_app = inner
    assert len(seen) >= 2 and all(status.startswith("304") for status in seen), seen


def test_a_slow_feed_is_never_polled_twice_at_once(new_page, street):
    """The page times its next poll when the last one answered: a feed held for two poll periods (3 s each) is
    still asked once at a time (counted in the page, where Chromium would queue a second request for the same
    URL), and polling goes on after it answers. The page's timers run on page.clock: the periods pass at once."""
    import threading

    cockpit = open_cockpit(new_page, street, fake_timers=True)
    app, inner = street.server.app, street.server.app.wsgi_app
    arrived, release = threading.Event(), threading.Event()

    def held(environ, start_response):
        if environ["PATH_INFO"] == "/cockpit/feed.json":
            arrived.set()
            release.wait(10)  # the server is slow: held until the page has lived two poll periods more
        return inner(environ, start_response)

    cockpit.evaluate("""() => {
      const seen = window.__feedPolls = { inFlight: 0, most: 0, asked: 0 };
      const original = window.fetch;
      window.fetch = function (url, ...rest) {
        if (!String(url).includes('/cockpit/feed.json')) return original.call(this, url, ...rest);
        seen.inFlight += 1; seen.asked += 1; seen.most = Math.max(seen.most, seen.inFlight);
        return original.call(this, url, ...rest).finally(() => { seen.inFlight -= 1; });
      };
    }""")
    app.wsgi_app = held
    try:
        next_poll(cockpit)  # the next poll: the server holds it
        assert arrived.wait(10), "the held poll never reached the server"
        cockpit.clock.run_for(6500)  # two poll periods and more, the answer still pending
        with cockpit.expect_response(lambda response: "/cockpit/feed.json" in response.url):
            release.set()
        next_poll(cockpit)  # answered: the next poll follows
    finally:
        release.set()
        app.wsgi_app = inner
    seen = cockpit.evaluate("() => window.__feedPolls")
    assert seen["most"] == 1 and seen["asked"] >= 2, seen
