"""Benchmark the escalation sweep on tables of growing size with a fixed number of due tickets.

The sweep is a range query over the indexed `response_next_at` / `resolve_next_at` columns, so its
cost should follow the number of tickets due, not the size of the table. Each size gets a fresh
database holding N dispatched tickets; all but `--due` of them have both escalations scheduled in
the future, the `--due` others were dispatched a day or two ago and have levels waiting.

Every timing is reported as a ratio against baselines measured in the same run, so the numbers
compare across machines:

- against the smallest table: the same operation on 1× the rows (should stay ~1 as the table grows);
- against a deliberately naive full scan: load every open ticket and check its next escalation in
  Python — what the sweep would cost without the indexed columns (grows with the table).

Run: python bench/sweep_bench.py [--sizes 1000,10000,100000] [--due 50] [--repeats 3] [--steady]
                                 [--database-url postgresql+psycopg://user@host/db]
"""

import argparse
import contextlib
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import shapely  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlalchemy import bindparam, delete, event, insert, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from geo_bench import _fmt  # noqa: E402  (one time format for every benchmark table)
import timing  # noqa: E402

from dispatch import db  # noqa: E402
from dispatch.deadlines.limits import deadline_after  # noqa: E402
from dispatch.tickets.ladder import next_level  # noqa: E402
from dispatch.escalation.models import OutboxMessage  # noqa: E402
from dispatch.tickets.models import Escalation  # noqa: E402
from dispatch.escalation.sweep import due_ticket_ids, sweep  # noqa: E402
from dispatch.routing import service as routing_service  # noqa: E402
from dispatch.street import service as street_service  # noqa: E402
from dispatch.street.config import StreetConfig, load_config  # noqa: E402
from dispatch.tickets import record  # noqa: E402
from dispatch.tickets.models import OPEN_STATUSES, Status, Ticket, TimelineEntry  # noqa: E402
from dispatch.users.models import User  # noqa: E402

# A Wednesday, 10:00 in Shanghai: a plain working day (the tests' clock too).
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
CHUNK = 5000  # rows per bulk INSERT


# -- databases ---------------------------------------------------------------------------------------

@contextlib.contextmanager
def temporary_database(database_url: str | None = None):
    """A database URL to build in, removed afterwards: SQLite in a temporary folder, or a fresh schema
    (dropped afterwards) in the PostgreSQL database named by `database_url`."""
    if not database_url:
        with tempfile.TemporaryDirectory(prefix="dispatch-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(database_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def backend_name(database_url: str | None, *, analyzed: bool = True) -> str:
    """The database the run used, as the report's first line names it."""
    if not database_url:
        return "SQLite (temporary file, WAL)"
    return "PostgreSQL" + (" (ANALYZEd after the load)" if analyzed else " (no statistics: not ANALYZEd)")


def capture_statements(engine, fn) -> list[tuple[str, object]]:
    """The SELECTs on `tickets` that fn() sends, with their parameters (to ask the planner about them)."""
    seen = []

    def listener(_conn, _cursor, statement, parameters, _context, _executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM tickets" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def query_plan(engine, statement: str, parameters) -> str:
    """The planner's choice for one captured statement, on one line."""
    sqlite = engine.dialect.name == "sqlite"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters)
        rows = cursor.fetchall()
    finally:
        raw.close()
    return "; ".join(str(row[-1] if sqlite else row[0]).strip() for row in rows)


# -- realistic rows ----------------------------------------------------------------------------------

def zone_points(config: StreetConfig, rng: random.Random, per_zone: int = 400) -> dict[str, list]:
    """Random WGS-84 points inside each top-level zone, to place tickets on."""
    points = {}
    for zone in config.zones:
        if zone.parent is not None:
            continue
        x0, y0, x1, y1 = zone.geometry.bounds
        found = []
        while len(found) < per_zone:
            lng, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if zone.geometry.covers(shapely.Point(lng, lat)):
                found.append((round(lng, 7), round(lat, 7)))
        points[zone.code] = found
    return points


def departments(config: StreetConfig, zones, now: datetime) -> dict[tuple[str, str], str]:
    """(category, zone) → the department routing.toml sends it to; categories with no route are left out."""
    local = now.astimezone(config.calendar.timezone).time()
    routes = {}
    for slug in config.categories:
        for zone in zones:
            code = routing_service.route(rules=config.routing.rule, category=slug, zone=zone,
                                         station=config.zone(zone).station, local_time=local)
            if code is not None:
                routes[slug, zone] = code
    return routes


def schedule(config: StreetConfig, slug: str, dispatched_at: datetime) -> dict:
    """The deadline columns of a ticket of `slug` dispatched at `dispatched_at` (as start_clocks sets them)."""
    category = config.categories[slug]
    values = {"dispatched_at": dispatched_at}
    for kind, limit in (("response", category.response_limit), ("resolve", category.resolve_limit)):
        deadline = deadline_after(dispatched_at, limit, config.calendar)
        nxt = next_level(config.escalation.level, reached=None, start=dispatched_at, deadline=deadline,
                         limit=limit, calendar=config.calendar)
        values.update({f"{kind}_limit": str(limit), f"{kind}_deadline": deadline,
                       f"{kind}_next_level": nxt[0] if nxt else None, f"{kind}_next_at": nxt[1] if nxt else None})
    return values


def schedules(config: StreetConfig, routes: dict, now: datetime) -> tuple[list[dict], list[dict]]:
    """Category, zone and deadline columns to copy onto tickets: (not due — both next levels after `now`;
    due — resolve's next level has passed). Computed with the real calendar for a few dispatch instants
    per category and zone."""
    future, due = [], []
    for slug, zone in sorted(routes):
        where = {"category": slug, "zone": zone, "department": routes[slug, zone]}
        for minutes in range(1, 11):  # dispatched in the last ten minutes: nothing is due yet
            values = schedule(config, slug, now - timedelta(minutes=minutes))
            if all(values[f"{k}_next_at"] is not None and values[f"{k}_next_at"] > now
                   for k in ("response", "resolve")):
                future.append({**where, **values})
        for days in (1, 2):  # dispatched a day or two ago and never signed for: levels are waiting
            values = schedule(config, slug, now - timedelta(days=days))
            if values["resolve_next_at"] is not None and values["resolve_next_at"] <= now:
                due.append({**where, **values})
    return future, due


def steady_schedules(config: StreetConfig, routes: dict, now: datetime) -> list[dict]:
    """Category, zone and deadline columns of tickets with exactly ONE level due at `now`, as a sweep in
    service finds them: the response warning (预警, 80 % of the 签收 window) fell due within the last
    sweep interval (`sweep_interval_seconds`), and every other level — the response deadline, resolve's
    warning — is still ahead. Computed with the real calendar and ladder: per category, the latest
    dispatch instant whose warning is due by `now` (found by bisection: the warning moves forward with the
    dispatch), then a few instants a few seconds earlier, each kept only if it still fits."""
    interval = timedelta(seconds=config.escalation.sweep_interval_seconds)
    per_category: dict[str, list[dict]] = {}
    for slug in sorted({slug for slug, _ in routes}):
        def warning_at(at: datetime) -> datetime | None:
            return schedule(config, slug, at)["response_next_at"]
        early, late = now - timedelta(days=30), now  # warning(early) <= now < warning(late)
        if warning_at(early) is None or warning_at(early) > now:
            continue
        while late - early > timedelta(milliseconds=1):
            middle = early + (late - early) / 2
            early, late = (middle, late) if warning_at(middle) <= now else (early, middle)
        found = []
        for seconds in range(0, 60, 5):
            values = schedule(config, slug, early - timedelta(seconds=seconds))
            if (values["response_next_level"] == 0 and now - interval < values["response_next_at"] <= now
                    and values["response_deadline"] > now
                    and values["resolve_next_at"] is not None and values["resolve_next_at"] > now):
                found.append(values)
        per_category[slug] = found
    return [{"category": slug, "zone": zone, "department": routes[slug, zone], **values}
            for slug, zone in sorted(routes) for values in per_category.get(slug, [])]


def ticket_rows(config: StreetConfig, *, reporter_id: int, size: int, due: int, now: datetime,
                rng: random.Random, steady: bool = False) -> tuple[list[dict], list[str]]:
    """`size` dispatched tickets, `due` of them (spread evenly through the table) with levels due by `now`;
    and the numbers of the due ones. The due ones have several levels each to catch up, or (`steady`)
    exactly one, just fallen due (`steady_schedules`)."""
    points = zone_points(config, rng)
    routes = departments(config, list(points), now)
    future, overdue = schedules(config, routes, now)
    if steady:
        overdue = steady_schedules(config, routes, now)
    due = min(due, size)
    due_at = {i * size // due for i in range(due)} if due else set()
    due_rng = random.Random(rng.random())  # its own stream: the same due tickets at every size
    rows, due_numbers = [], []
    for i in range(size):
        pick = due_rng if i in due_at else rng
        values = pick.choice(overdue if i in due_at else future)
        lng, lat = pick.choice(points[values["zone"]])
        at = values["dispatched_at"]
        number = f"{config.intake.number_prefix}-{at.astimezone(config.calendar.timezone):%Y%m%d}-{i + 1:06d}"
        rows.append({
            "number": number, "status": Status.dispatched.value, "cell": None,
            "description": f"基准测试工单 {i + 1}", "address": None,
            "lng": lng, "lat": lat, "original_lng": lng, "original_lat": lat, "original_crs": "wgs84",
            "locate_how": "inside", "zone_distance_m": 0.0, "source": "api", "media_url": None, "attributes": {},
            "reporter_id": reporter_id, "idempotency_key": None, "duplicate_of": None, "version": 1,
            "rework_count": 0, "supervised": False, "extension_count": 0, "escalation_level": -1,
            "dispatch_round": 1, "occurred_at": None, "created_at": at, "updated_at": at, **values,
        })
        if i in due_at:
            due_numbers.append(number)
    return rows, due_numbers


def build(database_url: str, config: StreetConfig, *, size: int, due: int, seed: int, analyze: bool = True,
          steady: bool = False):
    """A fresh schema with the street's reference data, one reporter and `size` dispatched tickets
    (`steady`: the due ones have exactly one level due, see `steady_schedules`).

    Returns the engine and the due tickets' schedule columns by id (to restore after a real sweep).
    """
    engine = db.make_engine(database_url)
    db.create_schema(engine)
    with Session(engine) as session:
        street_service.seed(session=session, config=config)
        reporter = User(username="bench_inspector", display_name="基准巡查员", role="inspector", zone="xiangyi",
                        created_at=NOW - timedelta(days=30))
        session.add(reporter)
        session.commit()
        reporter_id = reporter.id
    rows, due_numbers = ticket_rows(config, reporter_id=reporter_id, size=size, due=due, now=NOW,
                                    rng=random.Random(seed), steady=steady)
    with engine.begin() as conn:
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(Ticket.__table__), rows[start:start + CHUNK])
    if analyze:
        analyze_tables(engine)
    with Session(engine) as session:
        snapshot = session.exec(select(*RESTORED).where(col(Ticket.number).in_(due_numbers))).all()
    return engine, {row.id: row._asdict() for row in snapshot}


def analyze_tables(engine) -> None:
    """PostgreSQL: ANALYZE after the bulk load, as autovacuum soon would in service. Without statistics
    the planner misjudges how many rows match `next_at <= now` and prefers a sequential scan.
    (SQLite is left as the application leaves it: it never runs ANALYZE, and needs no statistics to
    choose the range index.)"""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


# What a real sweep changes on a due ticket, put back before the next timed sweep.
RESTORED = (Ticket.id, Ticket.response_next_level, Ticket.response_next_at, Ticket.resolve_next_level,
            Ticket.resolve_next_at, Ticket.escalation_level, Ticket.supervised, Ticket.updated_at)


def restore(engine, snapshot: dict[int, dict]) -> None:
    """Undo a real sweep: its escalations, outbox and timeline rows, and the due tickets' schedules."""
    columns = [c.key for c in RESTORED if c.key != "id"]
    stmt = (update(Ticket.__table__).where(Ticket.__table__.c.id == bindparam("ticket_id"))
            .values({name: bindparam(f"new_{name}") for name in columns}))
    with engine.begin() as conn:
        # the record is append-only (dispatch/tickets/record.py): a throw-away database lifts the guard to undo
        record.remove(conn, ("escalations", "timeline"))
        for model in (OutboxMessage, Escalation, TimelineEntry):
            conn.execute(delete(model))
        record.install(conn, ("escalations", "timeline"))
        if snapshot:
            conn.execute(stmt, [{"ticket_id": ticket_id, **{f"new_{n}": row[n] for n in columns}}
                                for ticket_id, row in snapshot.items()])


# -- what is timed -------------------------------------------------------------------------------------

def full_scan_due_ids(*, session: Session, now: datetime) -> list[int]:
    """The naive baseline: load every open ticket and check its next escalations in Python."""
    escalating = [s.value for s in OPEN_STATUSES if s != Status.suspended]
    tickets = session.exec(select(Ticket).where(col(Ticket.status).in_(escalating))).all()
    return [t.id for t in tickets
            if any(at is not None and at <= now for at in (t.response_next_at, t.resolve_next_at))]


class Table:
    """One built table and what is timed on it, each operation in a fresh session."""

    def __init__(self, size: int, engine, config: StreetConfig, snapshot: dict, built: float):
        self.size, self.engine, self.snapshot, self.built = size, engine, snapshot, built
        self.times: dict[str, list[float]] = {"query": [], "dry": [], "real": [], "scan": []}
        self.cpu: dict[str, list[float]] = {}
        self.spent: dict[str, dict[str, float]] = {}
        self.found: dict[str, set] = {}
        self.levels = 0
        self.ops = {
            "query": lambda s: due_ticket_ids(session=s, now=NOW),
            "dry": lambda s: {r["ticket"] for r in sweep(session=s, config=config, now=NOW, dry_run=True)},
            "real": lambda s: sweep(session=s, config=config, now=NOW),
            "scan": lambda s: full_scan_due_ids(session=s, now=NOW),
        }

    def run(self, name: str, *, timed: bool = True):
        """Run one operation (a real sweep starts from the restored table and is undone after)."""
        if name == "real":
            restore(self.engine, self.snapshot)
        with Session(self.engine, expire_on_commit=False) as session, timing.statements(self.engine) as spent:
            start, cpu = time.perf_counter(), time.process_time()
            answer = self.ops[name](session)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        if name == "real":
            restore(self.engine, self.snapshot)
            self.levels = len(answer)
            answer = {r["ticket"] for r in answer}
        if timed:
            if not self.times[name] or elapsed < min(self.times[name]):
                self.spent[name] = dict(spent)  # where the best run's time went, statement by statement
            self.times[name].append(elapsed)
            self.cpu.setdefault(name, []).append(cpu)  # this process's CPU time (the database server's is not in it)
            self.found[name] = set(answer)
        return answer

    def best(self, name: str) -> float:
        return min(self.times[name])

    def check_one_level_each(self) -> None:
        """Steady state: the real sweep must have recorded exactly one level per due ticket, or the row
        would time something else (a catch-up, or nothing)."""
        if self.levels != len(self.snapshot) or self.found.get("real") != set(self.snapshot):
            raise RuntimeError(f"steady-state sweep at {self.size:,}: {self.levels:,} levels recorded on "
                               f"{len(self.found.get('real', ())):,} tickets; expected exactly one on each of "
                               f"the {len(self.snapshot):,} due tickets")

    def mismatches(self) -> list[str]:
        """The operations that did not find exactly the due tickets."""
        return [name for name, ids in self.found.items() if ids != set(self.snapshot)]


def measure(tables: list[Table], *, repeats: int, scan_repeats: int) -> None:
    """Time every operation on every table, the sizes interleaved in each round, so that a noisy
    moment of the machine falls on all sizes alike rather than on one; the best of the rounds is kept."""
    for table in tables:  # warm up: compiled-statement caches, page cache
        for name in ("query", "dry", "real"):
            table.run(name, timed=False)
    for round_ in range(max(repeats, scan_repeats)):
        for table in tables:
            for name in ("query", "dry", "real", "scan"):
                if round_ < (scan_repeats if name == "scan" else repeats):
                    table.run(name)


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """--database-url, --no-analyze and --seed: what every table-building benchmark takes."""
    parser.add_argument("--database-url", help="PostgreSQL URL to build in (a temporary schema); default SQLite")
    parser.add_argument("--no-analyze", action="store_true",
                        help="PostgreSQL: skip ANALYZE after the bulk load (shows the plan before autovacuum)")
    parser.add_argument("--seed", type=int, default=1)


def parse_sizes(text: str) -> list[int]:
    """--sizes "1000,10_000" as integers, the first being the baseline."""
    return [int(s.replace("_", "")) for s in text.split(",") if s.strip()]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="table sizes, comma-separated; the first is the baseline (default 1000,10000,100000)")
    parser.add_argument("--due", type=int, default=50, help="tickets with levels due, at every size (default 50)")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds per operation, best kept (default 5)")
    parser.add_argument("--scan-repeats", type=int, default=2, help="timed runs of the full scan (default 2)")
    parser.add_argument("--steady", action="store_true",
                        help="the due tickets have exactly one level due (the response warning, fallen due within "
                             "the last sweep interval) instead of 1-2 days of levels to catch up")
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    sizes = parse_sizes(args.sizes)

    config = load_config(ROOT / "config")
    with contextlib.ExitStack() as stack:
        tables = []
        for size in sizes:
            url = stack.enter_context(temporary_database(args.database_url))
            start = time.perf_counter()
            engine, snapshot = build(url, config, size=size, due=args.due, seed=args.seed,
                                     analyze=not args.no_analyze, steady=args.steady)
            stack.callback(engine.dispose)  # before the database goes
            tables.append(Table(size, engine, config, snapshot, time.perf_counter() - start))
        measure(tables, repeats=args.repeats, scan_repeats=args.scan_repeats)
        if args.steady:
            for table in tables:
                table.check_one_level_each()
        largest = tables[-1]
        with Session(largest.engine) as session:
            statements = capture_statements(largest.engine, lambda: due_ticket_ids(session=session, now=NOW))
        plans = [query_plan(largest.engine, sql, params) for sql, params in statements]

    base = {name: tables[0].best(name) for name in ("query", "dry", "real", "scan")}
    when = NOW.astimezone(config.calendar.timezone)
    analyzed = not args.no_analyze
    print(f"Escalation sweep benchmark: {backend_name(args.database_url, analyzed=analyzed)}, "
          f"sweep as of {when:%Y-%m-%d %H:%M %z}")
    due_how = ("exactly one level due: the response warning, fallen due within the last sweep interval" if args.steady
               else "dispatched 1-2 days ago, never signed for")
    print(f"{args.due} due tickets at every size ({due_how}); all others "
          f"dispatched minutes ago.\nbest of {args.repeats} rounds (full scan: {args.scan_repeats}), sizes "
          f"interleaved in each round; ×first = time / time at {sizes[0]:,} tickets, measured in this run\n")
    print(f"{'tickets':>9} {'due':>4} {'build':>8} | {'due query':>9} {'×first':>7} | {'dry run':>9} {'×first':>7} | "
          f"{'sweep':>9} {'×first':>7} | {'full scan':>9} {'×first':>7} | {'scan/query':>10}")
    for t in tables:
        cells = " | ".join(f"{_fmt(t.best(name)):>9} {t.best(name) / base[name]:>7.2f}"
                           for name in ("query", "dry", "real", "scan"))
        print(f"{t.size:>9,} {len(t.snapshot):>4} {_fmt(t.built):>8} | {cells} | "
              f"{t.best('scan') / t.best('query'):>10.1f}")
    print("\ndue query = due_ticket_ids (the sweep's two indexed range queries); dry run = sweep(dry_run=True);")
    print("sweep = a real sweep (writes escalations, timeline, outbox; one transaction per batch of 2,000 tickets; undone between runs);")
    print("full scan = the naive baseline: every open ticket loaded, next escalations checked in Python.")
    print("levels recorded by one real sweep: " + ", ".join(f"{t.levels} at {t.size:,}" for t in tables))
    for line in plans:
        print(f"plan at {sizes[-1]:,} tickets: {line}")
    bad = [(t.size, t.mismatches()) for t in tables if t.mismatches()]
    if bad:
        print(f"checks: FAILED — did not find exactly the due tickets: {bad}")
    else:
        print("checks: ok — due query, dry run, sweep and full scan each found exactly the due tickets")


if __name__ == "__main__":
    main()
