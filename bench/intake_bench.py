"""Benchmark intake (事件上报): POST /api/v1/events on tables of growing size.

Each size gets a fresh database holding a history of N tickets spread over the zones and the
categories, at a steady `--per-day` rate ending now — a bigger table is a longer history, as in
service; tickets older than 30 days are closed. Then `--n` reports go through the Flask test client
(bearer token, Idempotency-Key) as report_event calls: geolocate, duplicate check, number, route,
deadlines, commit. The duplicate check reads the (category, created_at) index for the last 24 h and
a bounding box, so what it reads follows the reports of the last day, not the table: the time per
report should stay flat.

Every timing is reported as a ratio against the first size (default: an empty table), measured in
the same run, so the numbers compare across machines. The duplicate query alone
(tickets.service.find_duplicate, same points) is timed too, to show where any growth would come from.

Run: python bench/intake_bench.py [--sizes 0,10000,50000] [--n 200] [--per-day 100]
                                  [--database-url postgresql+psycopg://user@host/db]
"""

import argparse
import contextlib
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from sqlalchemy import func, insert  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from sweep_bench import (NOW, _fmt, add_database_arguments, analyze_tables, backend_name,  # noqa: E402
                         capture_statements, departments, parse_sizes, query_plan, schedule, temporary_database,
                         zone_points)

from dispatch import create_app  # noqa: E402
from dispatch.street.config import StreetConfig  # noqa: E402
from dispatch.tickets import service as ticket_service  # noqa: E402
from dispatch.tickets.models import Status, Ticket  # noqa: E402
from dispatch.users import service as user_service  # noqa: E402

CHUNK = 5000  # rows per bulk INSERT
OPEN_FOR_DAYS = 30  # history older than this is closed
WARM_UP = 10  # untimed reports per size, ahead of the timed ones
STEP = timedelta(seconds=20)  # the clock moves this much between two reports


class Clock:
    """The app's clock (app.config["CLOCK"]): the benchmark moves it, nothing sleeps."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def history_rows(config: StreetConfig, *, reporter_id: int, size: int, per_day: float,
                 rng: random.Random) -> list[dict]:
    """`size` past tickets, newest first, `per_day` of them a day, over the zones and routable categories."""
    points = zone_points(config, rng)
    routes = departments(config, list(points), NOW)
    pairs = sorted(routes)
    open_mix = [Status.dispatched, Status.in_progress, Status.in_progress, Status.resolved, Status.closed,
                Status.closed, Status.closed, Status.closed]
    rows = []
    for i in range(size):
        at = NOW - timedelta(days=(i + rng.random()) / per_day)
        slug, zone = rng.choice(pairs)
        lng, lat = rng.choice(points[zone])
        status = Status.closed if NOW - at > timedelta(days=OPEN_FOR_DAYS) else rng.choice(open_mix)
        values = schedule(config, slug, at)
        accepted = at + timedelta(minutes=rng.randint(5, 50)) if status != Status.dispatched else None
        resolved = at + timedelta(hours=rng.randint(1, 30)) if status in (Status.resolved, Status.closed) else None
        if status in (Status.resolved, Status.closed):  # no clock runs any more
            values.update(response_next_level=None, response_next_at=None, resolve_next_level=None,
                          resolve_next_at=None)
        elif status == Status.in_progress:
            values.update(response_next_level=None, response_next_at=None)
        closed = resolved + timedelta(hours=rng.randint(1, 24)) if status == Status.closed else None
        rows.append({
            "number": f"{config.intake.number_prefix}-{at.astimezone(config.calendar.timezone):%Y%m%d}-{i + 1:06d}",
            "status": status.value, "category": slug, "zone": zone, "cell": None, "department": routes[slug, zone],
            "description": f"历史工单 {i + 1}", "address": None, "lng": lng, "lat": lat, "original_lng": lng,
            "original_lat": lat, "original_crs": "wgs84", "locate_how": "inside", "zone_distance_m": 0.0,
            "source": "api", "media_url": None, "attributes": {}, "reporter_id": reporter_id,
            "idempotency_key": None, "duplicate_of": None, "version": 1, "rework_count": 0, "supervised": False,
            "extension_count": 0, "escalation_level": -1, "dispatch_round": 1, "occurred_at": None,
            "created_at": at, "updated_at": closed or resolved or accepted or at, "accepted_at": accepted,
            "resolved_at": resolved, "closed_at": closed, **values,
        })
    return rows


def reports(config: StreetConfig, n: int, rng: random.Random) -> list[dict]:
    """n report bodies at random points of the zones, in routable categories."""
    points = zone_points(config, rng)
    slugs = sorted({slug for slug, _ in departments(config, list(points), NOW)})
    bodies = []
    for i in range(n):
        zone = rng.choice(sorted(points))
        lng, lat = rng.choice(points[zone])
        slug = rng.choice(slugs)
        body = {"category": slug, "location": {"lng": lng, "lat": lat, "crs": "wgs84"},
                "description": f"基准上报 {i + 1}", "address": "宜川路"}
        answers = required_answers(config, slug)
        if answers:
            body["attributes"] = answers
        bodies.append(body)
    return bodies


def required_answers(config: StreetConfig, slug: str) -> dict:
    """An answer to each required question of the category (群租 asks 居住户数), as an inspector gives it."""
    answers = {}
    for attribute in config.categories[slug].attributes:
        if not attribute.required:
            continue
        if attribute.datatype == "number":
            answers[attribute.code] = int(attribute.minimum or 1) + 1
        elif attribute.values:
            key = attribute.values[0].key
            answers[attribute.code] = [key] if attribute.datatype == "multivaluelist" else key
        else:
            answers[attribute.code] = "基准"
    return answers


class Table:
    """One app on its own database with `size` tickets of history, and what is timed on it."""

    def __init__(self, database_url: str, var_dir: Path, *, size: int, per_day: float, seed: int, analyze: bool):
        self.size = size
        self.clock = Clock(NOW)
        self.app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret", "DATABASE_URL": database_url,
                               "CONFIG_DIR": str(ROOT / "config"), "VAR_DIR": str(var_dir), "CLOCK": self.clock,
                               "SCHEDULER_ENABLED": False})
        self.engine = self.app.extensions["db_engine"]
        self.config = self.app.extensions["street_config"]
        with Session(self.engine) as session:
            user, token = user_service.create(session=session, username="bench_inspector", role="inspector",
                                              now=NOW - timedelta(days=400), zone="xiangyi",
                                              zones={z.code for z in self.config.zones})
            reporter_id = user.id
        start = time.perf_counter()
        rows = history_rows(self.config, reporter_id=reporter_id, size=size, per_day=per_day,
                            rng=random.Random(seed))
        with self.engine.begin() as conn:
            for first in range(0, len(rows), CHUNK):
                conn.execute(insert(Ticket.__table__), rows[first:first + CHUNK])
        if analyze:
            analyze_tables(self.engine)
        self.built = time.perf_counter() - start
        with Session(self.engine) as session:
            self.recent = session.exec(select(func.count()).select_from(Ticket)
                                       .where(col(Ticket.created_at) >= NOW - timedelta(hours=24))).one()
        self.client = self.app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"}
        self.sent = 0
        self.report_times: list[float] = []
        self.query_times: list[float] = []
        self.statuses: dict[str, int] = {}

    def report(self, body: dict, *, timed: bool = True) -> None:
        """One POST /api/v1/events, the clock STEP later than the previous one."""
        self.clock.now = NOW + self.sent * STEP
        key = f"bench-{self.sent}"
        self.sent += 1
        start = time.perf_counter()
        answer = self.client.post("/api/v1/events", json=body, headers={**self.headers, "Idempotency-Key": key})
        elapsed = time.perf_counter() - start
        if answer.status_code != 201:
            raise SystemExit(f"report {key} answered {answer.status_code}: {answer.get_data(as_text=True)}")
        if timed:
            self.report_times.append(elapsed)
            status = answer.get_json()["ticket"]["status"]
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def find_duplicate(self, session: Session, body: dict):
        dup = self.config.intake.duplicates
        return ticket_service.find_duplicate(session=session, category=body["category"],
                                             lng=body["location"]["lng"], lat=body["location"]["lat"],
                                             now=self.clock.now, radius_m=dup.radius_m,
                                             window=timedelta(hours=dup.window_hours))

    def query(self, bodies: list[dict], *, timed: bool = True) -> None:
        """The duplicate query alone (tickets.service.find_duplicate) for each body's point."""
        with Session(self.engine) as session:
            for body in bodies:
                start = time.perf_counter()
                self.find_duplicate(session, body)
                if timed:
                    self.query_times.append(time.perf_counter() - start)

    def plans(self, body: dict) -> list[str]:
        """The planner's choice for the duplicate query."""
        with Session(self.engine) as session:
            statements = capture_statements(self.engine, lambda: self.find_duplicate(session, body))
        return [query_plan(self.engine, sql, params) for sql, params in statements]


def measure(tables: list[Table], *, n: int, seed: int) -> None:
    """The same n reports on every table, the sizes taking turns report by report, so that a noisy
    moment of the machine falls on all sizes alike rather than on one; then the duplicate query alone."""
    warm = reports(tables[0].config, WARM_UP, random.Random(seed + 1))
    timed = reports(tables[0].config, n, random.Random(seed + 2))
    for table in tables:
        for body in warm:
            table.report(body, timed=False)
        table.query(warm, timed=False)
    for body in timed:
        for table in tables:
            table.report(body)
    for body in timed:
        for table in tables:
            table.query([body])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,10000,50000",
                        help="existing tickets, comma-separated; the first is the baseline (default 0,10000,50000)")
    parser.add_argument("--n", type=int, default=200, help="timed reports per size (default 200)")
    parser.add_argument("--per-day", type=float, default=100.0,
                        help="history rate, tickets per day: a bigger table is a longer history (default 100)")
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    sizes = parse_sizes(args.sizes)

    with contextlib.ExitStack() as stack:
        tables = []
        for size in sizes:
            url = stack.enter_context(temporary_database(args.database_url))
            var_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="dispatch-bench-var-"))
            table = Table(url, Path(var_dir), size=size, per_day=args.per_day, seed=args.seed,
                          analyze=not args.no_analyze)
            stack.callback(table.engine.dispose)  # before the database goes
            tables.append(table)
        measure(tables, n=args.n, seed=args.seed)
        plans = tables[-1].plans(reports(tables[-1].config, 1, random.Random(args.seed))[0])

    config = tables[0].config
    base = tables[0]
    when = NOW.astimezone(config.calendar.timezone)
    print(f"Intake benchmark: {backend_name(args.database_url, analyzed=not args.no_analyze)}, "
          f"POST /api/v1/events through the Flask test client from {when:%Y-%m-%d %H:%M %z}")
    print(f"{args.n} timed reports per size (after {WARM_UP} untimed), the same reports at every size, the sizes "
          f"taking turns report by report;\nhistory at {args.per_day:g} tickets a day. "
          f"×first = time / time at {sizes[0]:,} existing tickets, measured in this run\n")
    print(f"{'existing':>9} {'last 24 h':>9} {'build':>8} | {'report (median)':>15} {'×first':>7} | "
          f"{'report (mean)':>13} {'×first':>7} | {'dup query (median)':>18} {'×first':>7} | outcome")
    for t in tables:
        outcome = ", ".join(f"{count} {status}" for status, count in sorted(t.statuses.items()))
        cells = [(statistics.median(t.report_times), statistics.median(base.report_times), 15),
                 (statistics.fmean(t.report_times), statistics.fmean(base.report_times), 13),
                 (statistics.median(t.query_times), statistics.median(base.query_times), 18)]
        print(f"{t.size:>9,} {t.recent:>9,} {_fmt(t.built):>8} | "
              + " | ".join(f"{_fmt(mine):>{width}} {mine / first:>7.2f}" for mine, first, width in cells)
              + f" | {outcome}")
    print("\nlast 24 h = existing tickets inside the duplicate window, what the duplicate check reads;")
    print("report = one POST /api/v1/events (auth, geolocate, duplicate check, number, route, deadlines, commit);")
    print("dup query = tickets.service.find_duplicate alone, for the same points.")
    for line in plans:
        print(f"plan of the duplicate query at {sizes[-1]:,} tickets: {line}")


if __name__ == "__main__":
    main()
