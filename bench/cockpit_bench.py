"""Benchmark the cockpit (驾驶舱): what a screen's poll costs, what one snapshot recompute costs, and GET /api/v1/stats.

Each size gets a fresh database holding a year of history (intake_bench.history_rows: N tickets at a steady rate
ending now, ~5 % open, the older ones closed), the stored 处置时长 filled in by revision 0011's own backfill (timed:
what upgrading a street's database costs), and the planner's statistics as the app leaves them. Then, with the
Flask test client and the command center's token:

- the snapshot recompute: cockpit_service.feed_and_stats for the whole street at `now` (what one worker does once
  per COCKPIT_SNAPSHOT_SECONDS while screens are open);
- a poll: GET /cockpit/feed.json while the snapshot is current — a screen without the body (200, the body read
  from the snapshot and sent) and a screen that has it (If-None-Match: 304);
- GET /api/v1/stats with its default parameters (from the current snapshot) and with an explicit period (the SQL
  aggregation, no ticket read into Python);
- the baseline: `SELECT count(*) FROM tickets` on the same database in the same run.

Run: python bench/cockpit_bench.py [--sizes 2000,100000] [--repeats 5] [--database-url postgresql+psycopg://…]
"""

import argparse
import importlib.util
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

import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session  # noqa: E402

from intake_bench import CHUNK, history_rows  # noqa: E402
from sweep_bench import NOW, analyze_tables, parse_sizes, temporary_database  # noqa: E402
import timing  # noqa: E402

from dispatch import create_app  # noqa: E402
from dispatch.cockpit import snapshot  # noqa: E402
from dispatch.migrations import HERE as MIGRATIONS  # noqa: E402
from dispatch.tickets.models import Ticket  # noqa: E402
from dispatch.stats import service as stats_service  # noqa: E402
from dispatch.evaluation import service as evaluation_service  # noqa: E402
from dispatch.tickets import queues as ticket_queues  # noqa: E402
from dispatch.users import service as user_service  # noqa: E402
from dispatch.web import cockpit_service  # noqa: E402


def _revision_0011():
    """Revision 0011's module (its `fill` is the backfill of tickets.handling_minutes)."""
    path = next((MIGRATIONS / "versions").glob("0011_*.py"))
    spec = importlib.util.spec_from_file_location("revision_0011", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best_of(repeats: int, work) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def median_of(repeats: int, work) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


class Street:
    """An app on its own database with `size` tickets of a year's history and a command center user."""

    def __init__(self, database_url: str, var_dir: Path, *, size: int, seed: int):
        self.size = size
        self.clock = Clock(NOW)
        self.app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret", "DATABASE_URL": database_url,
                               "CONFIG_DIR": str(ROOT / "config"), "VAR_DIR": str(var_dir), "CLOCK": self.clock,
                               "SCHEDULER_ENABLED": False, "COCKPIT_SNAPSHOT_SECONDS": 10.0})
        self.engine = self.app.extensions["db_engine"]
        self.config = self.app.extensions["street_config"]
        with Session(self.engine) as session:
            reporter, _ = user_service.create(session=session, username="bench_inspector", role="inspector",
                                              now=NOW - timedelta(days=400), zone="xiangyi",
                                              zones={z.code for z in self.config.zones})
            reporter_id = reporter.id
            _, token = user_service.create(session=session, username="bench_command", role="command",
                                           now=NOW - timedelta(days=400))
        start = time.perf_counter()
        rows = history_rows(self.config, reporter_id=reporter_id, size=size, per_day=max(1.0, size / 365),
                            rng=random.Random(seed))
        with self.engine.begin() as conn:
            for first in range(0, len(rows), CHUNK):
                conn.execute(sa.insert(Ticket.__table__), rows[first:first + CHUNK])
        del rows
        self.built = time.perf_counter() - start
        start = time.perf_counter()
        with self.engine.begin() as conn:  # what upgrading to 0011 does to these tickets
            self.backfilled = _revision_0011().fill(conn, self.config.calendar)
        self.backfill_seconds = time.perf_counter() - start
        analyze_tables(self.engine)
        self.client = self.app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def count(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT count(*) FROM tickets")).scalar()

    def recompute(self) -> dict:
        with self.app.app_context():
            from dispatch import db

            return cockpit_service.feed_and_stats(session=db.session(), config=self.config, now=self.clock(),
                                                  zone=None)

    def get(self, path: str, etag: str | None = None, expect: int = 200):
        headers = {**self.headers, "Accept-Encoding": "gzip", **({"If-None-Match": etag} if etag else {})}
        answer = self.client.get(path, headers=headers)
        if answer.status_code != expect:
            raise SystemExit(f"GET {path} answered {answer.status_code}, expected {expect}: {answer.data[:300]!r}")
        return answer

    def fresh_snapshot(self) -> str:
        """Forget the snapshot and poll once (that poll recomputes it); its ETag."""
        with self.app.app_context():
            from dispatch import db

            snapshot.invalidate(session=db.session())
        return self.get("/cockpit/feed.json").headers["ETag"]


def measure(street: Street, repeats: int) -> dict:
    """Every timing of one street, in seconds."""
    count = best_of(max(repeats, 5), street.count)
    recompute = best_of(max(1, min(repeats, 3)), street.recompute)
    etag = street.fresh_snapshot()
    poll_200 = median_of(repeats * 4, lambda: street.get("/cockpit/feed.json"))
    poll_304 = median_of(repeats * 4, lambda: street.get("/cockpit/feed.json", etag, expect=304))
    stats_default = median_of(repeats * 4, lambda: street.get("/api/v1/stats"))
    tz = street.config.calendar.timezone
    end = street.clock()
    period = f"?from={(end - timedelta(days=30)).astimezone(tz):%Y-%m-%dT%H:%M:%S}" \
             f"&to={end.astimezone(tz):%Y-%m-%dT%H:%M:%S}"
    stats_explicit = median_of(repeats, lambda: street.get("/api/v1/stats" + period))
    body_kib = len(street.get("/cockpit/feed.json").data) / 1024  # on the wire (gzip)
    with timing.functions(FEED_PARTS) as parts:  # one more recompute, its parts timed
        start = time.perf_counter()
        street.recompute()
        parts_total = time.perf_counter() - start
    with timing.statements(street.engine) as spent:  # one more explicit request, its statements timed
        start = time.perf_counter()
        street.get("/api/v1/stats" + period)
        explicit_total = time.perf_counter() - start
    return {"count": count, "recompute": recompute, "poll_200": poll_200, "poll_304": poll_304,
            "stats_default": stats_default, "stats_explicit": stats_explicit,
            "recompute_parts": (parts, parts_total), "explicit_statements": (spent, explicit_total),
            "body_kib": body_kib}


# what the feed is made of, for the note of a recompute that misses its goal
FEED_PARTS = [(stats_service, "summaries", "evaluations (five views, one pass)"),
              (stats_service, "trend", "trend (30 days)"),
              (cockpit_service, "points", "map points"), (cockpit_service, "pending_dispatch", "待派遣 list"),
              (cockpit_service, "supervised", "督办 list"), (cockpit_service, "joint_cases", "吹哨 list"),
              (cockpit_service, "escalations", "escalation list"), (cockpit_service, "emergencies", "emergencies"),
              (cockpit_service, "banner", "banner"), (evaluation_service, "reviews", "复核 count"),
              (ticket_queues, "extension_requests", "延期 count")]


def run(database_url: str | None, *, size: int, seed: int, repeats: int) -> tuple[dict, Street]:
    with temporary_database(database_url) as url, tempfile.TemporaryDirectory(prefix="dispatch-bench-var-") as var:
        street = Street(url, Path(var), size=size, seed=seed)
        try:
            return measure(street, repeats), street
        finally:
            street.engine.dispose()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[2_000, 20_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (a temporary schema); default SQLite")
    args = parser.parse_args(argv)
    print(f"Cockpit benchmark ({'PostgreSQL' if args.database_url else 'SQLite'}); baseline count(*) in this run\n")
    print(f"{'tickets':>10} | {'count(*)':>10} | {'recompute':>10} | {'poll 200':>10} | {'poll 304':>10} | "
          f"{'stats dflt':>10} | {'stats expl':>10} | poll/count")
    for size in args.sizes:
        t, street = run(args.database_url, size=size, seed=args.seed, repeats=args.repeats)
        print(f"{size:>10,} | {_ms(t['count']):>10} | {_ms(t['recompute']):>10} | {_ms(t['poll_200']):>10} | "
              f"{_ms(t['poll_304']):>10} | {_ms(t['stats_default']):>10} | {_ms(t['stats_explicit']):>10} | "
              f"{t['poll_200'] / t['count']:.2f}")
        print(f"{'':>10}   built in {street.built:.1f} s; 0011 backfill of {street.backfilled:,} 处置时长 "
              f"{street.backfill_seconds:.1f} s")


if __name__ == "__main__":
    main()


# -- the rows of python -m bench -----------------------------------------------------------------------------

GOAL_SIZE = 1_000_000  # the cockpit's goals are set at a district-year of tickets


def goal_rows(p: dict, database_url, database: str, seed: int, row, yes_no) -> list[dict]:
    """The cockpit's rows of `python -m bench` at each size of `p["sizes"]` (row/yes_no: __main__'s formatters)."""
    rows = []
    repeats = 2 if len(p["sizes"]) == 1 and p["sizes"][0] < 10_000 else 5
    for size in p["sizes"]:
        t, street = run(database_url, size=size, seed=seed, repeats=repeats)
        count = t["count"]

        def ratio(value):
            return round(value / count, 2)

        def met(ok: bool) -> str:  # the goals are set at a district-year (1M tickets): smaller runs say so
            return yes_no(ok) if size >= GOAL_SIZE else (
                f"not measured: goal is at {GOAL_SIZE:,} tickets; this run measured {size:,} (holds here: {yes_no(ok)})")

        rows.append(row(f"cockpit feed at {size:,} tickets (a poll, snapshot current)", round(t["poll_200"], 4),
                        "s per poll", "SELECT count(*) FROM tickets", round(count, 4), ratio(t["poll_200"]),
                        "≤ 5× count(*)", met(t["poll_200"] <= 5 * count), database,
                        note=f"ratio = ours / baseline; a screen that has the body (If-None-Match → 304) "
                             f"{t['poll_304'] * 1000:.1f} ms ({ratio(t['poll_304'])}×); the recompute (next row) runs "
                             "once per COCKPIT_SNAPSHOT_SECONDS in one worker, whatever the number of screens"
                             + ("" if t["poll_200"] <= 5 * count else
                                f"; missed by {ratio(t['poll_200']) - 5:.1f}× count(*): a 200 reads the stored body "
                                f"({t['body_kib']:.0f} KiB gzipped on the wire), parses, serialises and gzips it — "
                                f"{(t['poll_200'] - t['poll_304']) * 1000:.1f} ms more than the 304 that reads only "
                                "the snapshot's head")))
        rows.append(row(f"cockpit snapshot recompute at {size:,} tickets", round(t["recompute"], 4), "s",
                        "SELECT count(*) FROM tickets", round(count, 4), ratio(t["recompute"]),
                        "< 1 s (≤ 10 % of one core at the 10 s interval)", met(t["recompute"] < 1.0), database,
                        note=f"ratio = ours / baseline; the whole feed for the whole street (5 evaluations over "
                             f"30 days, trend, lists, 2,000 points); 0011's backfill of {street.backfilled:,} "
                             f"处置时长 took {street.backfill_seconds:.1f} s"
                             + ("" if t["recompute"] < 1.0 else
                                f"; missed by {t['recompute'] - 1.0:.2f} s; where one recompute's "
                                f"{t['recompute_parts'][1]:.2f} s went: "
                                + timing.breakdown(*t["recompute_parts"], top=5, rest="building the body"))))
        rows.append(row(f"/api/v1/stats at {size:,} tickets, default parameters", round(t["stats_default"], 4), "s",
                        "SELECT count(*) FROM tickets", round(count, 4), ratio(t["stats_default"]), "≤ 5× count(*)",
                        met(t["stats_default"] <= 5 * count), database,
                        note="ratio = ours / baseline; answered from the cockpit's current snapshot (no write since)"))
        rows.append(row(f"/api/v1/stats at {size:,} tickets, explicit period", round(t["stats_explicit"], 4), "s",
                        "SELECT count(*) FROM tickets", round(count, 4), ratio(t["stats_explicit"]),
                        "≤ 5× count(*)", met(t["stats_explicit"] <= 5 * count), database,
                        note="ratio = ours / baseline; the SQL aggregation over the 30-day cohort (no ticket read "
                             "into Python; the 处置时长 are stored)"
                             + ("" if t["stats_explicit"] <= 5 * count else
                                f"; missed by {ratio(t['stats_explicit']) - 5:.1f}× count(*); where one request's "
                                f"{t['explicit_statements'][1]:.3f} s went: "
                                + timing.breakdown(*t["explicit_statements"], rest="Flask, Python, JSON"))))
    return rows
