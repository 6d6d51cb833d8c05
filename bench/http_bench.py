"""Benchmark intake over HTTP on the project's server (waitress), against a bare Flask insert app on the same
server and database, and with cockpit screens polling beside it.

Each app runs in its own process(es) on a real waitress server (8 threads, as `python run.py serve`), on a
listening socket opened here; with `--processes N` (PostgreSQL) N processes serve the same socket, as a
deployment with several workers would. The clients are threads of this process, each on its own keep-alive
connection, posting as fast as the answers come:

- **intake**: `POST /api/v1/events` with a bearer token and an Idempotency-Key (the bodies of intake_bench:
  random points of the zones, routable categories), on a database holding `--size` tickets of history;
- **bare**: a Flask app whose one route inserts the posted body as one row of its own table (the baseline);
- **cockpit screens**: intake as above while N more clients each poll `GET /cockpit/feed.json` every 3 s
  with the ETag of their last answer in If-None-Match (a screen waits for its answer: a slow feed never has
  two polls of one screen in flight), compared with intake alone in the same run.

The app's clock starts at intake_bench's NOW and runs with real time (nothing sleeps but the pollers).

Run: python bench/http_bench.py [--size 10000] [--seconds 5] [--clients 16] [--screens 3] [--processes 1]
                                [--database-url postgresql+psycopg://user@host/db]
"""

import argparse
import contextlib
import http.client
import json
import multiprocessing
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import intake_bench  # noqa: E402
from sweep_bench import NOW, add_database_arguments, backend_name, temporary_database  # noqa: E402

THREADS = 8  # waitress threads per process: `python run.py serve`'s default
POLL_S = 3.0  # the cockpit page's POLL_MS
WARM_UP_S = 0.5


class RunningClock:
    """The served app's clock: NOW when the server started, then real time."""

    def __init__(self, start):
        self.start, self.started = start, time.monotonic()

    def __call__(self):
        return self.start + timedelta(seconds=time.monotonic() - self.started)


def intake_app(database_url: str, var_dir: str):
    from dispatch import create_app
    return create_app({"SECRET_KEY": "bench-secret", "DATABASE_URL": database_url, "CONFIG_DIR": str(ROOT / "config"),
                       "VAR_DIR": var_dir, "CLOCK": RunningClock(NOW), "SCHEDULER_ENABLED": False})


def bare_app_of(database_url: str, _var_dir: str = ""):
    """The baseline: a Flask app that inserts the posted report as one row, nothing else."""
    import sqlalchemy as sa
    from flask import Flask, jsonify, request

    from dispatch import db
    engine = db.make_engine(database_url)
    table = sa.Table("bench_bare", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("category", sa.String), sa.Column("lng", sa.Float), sa.Column("lat", sa.Float),
                     sa.Column("description", sa.String))
    table.create(engine, checkfirst=True)
    app = Flask("bench_bare")
    app.extensions["engine"] = engine  # python -m bench's in-process intake row disposes of it

    @app.post("/bare")
    def insert():
        body = request.get_json()
        with engine.begin() as conn:
            new_id = conn.execute(sa.insert(table).values(
                category=body["category"], lng=body["location"]["lng"], lat=body["location"]["lat"],
                description=body["description"])).inserted_primary_key[0]
        return jsonify({"id": new_id}), 201

    return app


def _serve(make_app, database_url: str, var_dir: str, sock: socket.socket) -> None:
    import logging

    from waitress import serve
    logging.getLogger("waitress").setLevel(logging.ERROR)
    serve(make_app(database_url, var_dir), sockets=[sock], threads=THREADS, _quiet=True)


@contextlib.contextmanager
def server(make_app, database_url: str, var_dir: str, *, processes: int = 1):
    """`processes` waitress processes serving make_app on one listening socket; yields its port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_serve, args=(make_app, database_url, var_dir, sock), daemon=True)
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    try:
        _wait_until_up(port, workers)
        yield port
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.join(10)
        sock.close()


def _wait_until_up(port: int, workers, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not all(w.is_alive() for w in workers):
            raise SystemExit("a benchmark server process stopped while starting")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/__bench_up__")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("a benchmark server did not answer within 120 s")


class Load:
    """`clients` threads posting bodies to `path` for `seconds` (after a short warm-up); counts and latencies."""

    def __init__(self, port: int, path: str, bodies: list[dict], headers: dict, *, clients: int, key_prefix: str):
        self.port, self.path, self.bodies, self.headers = port, path, bodies, headers
        self.clients, self.key_prefix = clients, key_prefix
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.elapsed = 0.0

    def run(self, seconds: float) -> "Load":
        start = time.monotonic()
        timed_from, stop = start + WARM_UP_S, start + WARM_UP_S + seconds
        lock = threading.Lock()

        def client(i: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            mine, n = [], 0
            while True:
                begun = time.monotonic()
                if begun >= stop:
                    break
                body = self.bodies[(i * 7919 + n) % len(self.bodies)]
                headers = {**self.headers, "Content-Type": "application/json",
                           "Idempotency-Key": f"{self.key_prefix}-{i}-{n}"}
                n += 1
                try:
                    conn.request("POST", self.path, body=json.dumps(body), headers=headers)
                    answer = conn.getresponse()
                    answer.read()
                except OSError as exc:
                    with lock:
                        self.errors.append(repr(exc))
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                    continue
                ended = time.monotonic()
                if answer.status != 201:
                    with lock:
                        self.errors.append(f"{answer.status}")
                elif begun >= timed_from and ended <= stop:
                    mine.append(ended - begun)
            conn.close()
            with lock:
                self.latencies += mine

        threads = [threading.Thread(target=client, args=(i,)) for i in range(self.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.elapsed = seconds
        if self.errors:
            raise SystemExit(f"{self.path}: {len(self.errors)} failed requests, e.g. {self.errors[:3]}")
        return self

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class Screens:
    """`count` cockpit screens: each polls /cockpit/feed.json every POLL_S with If-None-Match, waiting for its
    answer before the next poll, until stopped."""

    def __init__(self, port: int, headers: dict, count: int):
        self.port, self.headers, self.count = port, headers, count
        self.stopping = threading.Event()
        self.times: list[float] = []
        self.statuses: dict[int, int] = {}
        self.threads = [threading.Thread(target=self._screen, args=(i,)) for i in range(count)]

    def _screen(self, i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        etag = None
        self.stopping.wait(POLL_S * i / max(1, self.count))  # the screens were not opened at the same instant
        while not self.stopping.is_set():
            begun = time.monotonic()
            headers = {**self.headers, **({"If-None-Match": etag} if etag else {})}
            conn.request("GET", "/cockpit/feed.json", headers=headers)
            answer = conn.getresponse()
            answer.read()
            took = time.monotonic() - begun
            etag = answer.getheader("ETag") or etag
            self.times.append(took)
            self.statuses[answer.status] = self.statuses.get(answer.status, 0) + 1
            self.stopping.wait(max(0.0, POLL_S - took))
        conn.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for t in self.threads:
            t.join()


class Setup:
    """A database with `size` tickets of history, an inspector's and a command user's tokens, report bodies."""

    def __init__(self, stack: contextlib.ExitStack, database_url, *, size: int, seed: int, n_bodies: int = 500):
        self.url = stack.enter_context(temporary_database(database_url))
        self.var_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="dispatch-bench-var-"))
        table = intake_bench.Table(self.url, Path(self.var_dir), size=size, per_day=max(1.0, size / 365), seed=seed,
                                   analyze=True)
        stack.callback(table.engine.dispose)
        from sqlmodel import Session

        from dispatch.users import service as user_service
        with Session(table.engine) as session:
            _, command_token = user_service.create(session=session, username="bench_command", role="command",
                                                   now=NOW - timedelta(days=400))
        self.size, self.config = size, table.config
        self.inspector = dict(table.headers)
        self.command = {"Authorization": f"Bearer {command_token}"}
        self.bodies = intake_bench.reports(table.config, n_bodies, random.Random(seed + 2))
        self.rounds = 0

    def intake(self, port: int, clients: int, seconds: float) -> Load:
        self.rounds += 1
        return Load(port, "/api/v1/events", self.bodies, self.inspector, clients=clients,
                    key_prefix=f"http-{self.rounds}").run(seconds)

    def bare(self, port: int, clients: int, seconds: float) -> Load:
        self.rounds += 1
        return Load(port, "/bare", self.bodies, {}, clients=clients, key_prefix=f"bare-{self.rounds}").run(seconds)


def compare(setup: Setup, *, clients: int, seconds: float, rounds: int, processes: int) -> dict:
    """Intake and the bare app on the same server and database, taking turns `rounds` times; the best of each."""
    ours, bare = [], []
    for _ in range(rounds):
        with server(bare_app_of, setup.url, setup.var_dir, processes=processes) as port:
            bare.append(setup.bare(port, clients, seconds))
        with server(intake_app, setup.url, setup.var_dir, processes=processes) as port:
            ours.append(setup.intake(port, clients, seconds))
    best_ours, best_bare = max(ours, key=lambda r: r.rate), max(bare, key=lambda r: r.rate)
    return {"ours": best_ours, "bare": best_bare, "ratio": best_ours.rate / best_bare.rate}


def with_screens(setup: Setup, *, clients: int, seconds: float, screens: int) -> dict:
    """Intake throughput alone, then with `screens` cockpit screens polling, on one server, in this run."""
    with server(intake_app, setup.url, setup.var_dir) as port:
        alone = setup.intake(port, clients, seconds)
        with Screens(port, setup.command, screens) as watching:
            watched = setup.intake(port, clients, seconds)
    return {"alone": alone, "watched": watched, "screens": watching, "ratio": watched.rate / alone.rate}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="tickets of history (default 10000)")
    parser.add_argument("--seconds", type=float, default=5.0, help="timed seconds per measurement (default 5)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent posting clients (default 16)")
    parser.add_argument("--screens", type=int, default=3, help="cockpit screens polling (default 3)")
    parser.add_argument("--processes", type=int, default=1, help="server processes (default 1)")
    parser.add_argument("--rounds", type=int, default=2, help="turns of intake and bare (default 2)")
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        setup = Setup(stack, args.database_url, size=args.size, seed=args.seed)
        result = compare(setup, clients=args.clients, seconds=args.seconds, rounds=args.rounds,
                         processes=args.processes)
        watched = with_screens(setup, clients=args.clients, seconds=max(args.seconds, 2 * POLL_S),
                               screens=args.screens)
    print(f"Intake over HTTP: {backend_name(args.database_url, analyzed=True)}, waitress ({THREADS} threads) × "
          f"{args.processes} process(es), {args.clients} clients, {args.size:,} tickets of history\n")
    for name, load in (("intake  POST /api/v1/events", result["ours"]), ("bare    POST /bare", result["bare"])):
        print(f"{name:28} {load.rate:8.1f} req/s   p50 {ms(load.percentile(50)):>9}   p99 {ms(load.percentile(99)):>9}")
    print(f"ratio intake / bare: {result['ratio']:.3f}\n")
    s = watched["screens"]
    alone = watched["alone"]
    print(f"intake alone                 {alone.rate:8.1f} req/s   p99 {ms(alone.percentile(99))}")
    print(f"intake, {args.screens} cockpit screens    {watched['watched'].rate:8.1f} req/s   "
          f"p99 {ms(watched['watched'].percentile(99))}")
    print(f"ratio watched / alone: {watched['ratio']:.3f}; feed polls: {len(s.times)} "
          f"({', '.join(f'{n}× {code}' for code, n in sorted(s.statuses.items()))}), "
          f"median {ms(statistics.median(s.times)) if s.times else '-'}, max {ms(max(s.times)) if s.times else '-'}")


if __name__ == "__main__":
    main()


# -- rows of python -m bench ----------------------------------------------------------------------------------

BUCKETS = (("database driver (sqlite3 / psycopg, incl. commit)", ("sqlite3", "psycopg")),
           ("SQLAlchemy + SQLModel", ("sqlalchemy", "sqlmodel")), ("pydantic", ("pydantic",)),
           ("Flask + Werkzeug", ("flask", "werkzeug")), ("dispatch + geo (own code)", ("/dispatch/", "/geo/")),
           ("shapely", ("shapely",)))


def profile_shares(setup: Setup, n: int) -> tuple[float, float, list[tuple[str, float]]]:
    """`n` reports through the Flask test client (no server) under cProfile: seconds per report (profiled),
    statements per report (commits aside), and the share of the time spent in each group of code (cProfile's
    own time per function, grouped by its file)."""
    import cProfile
    import pstats

    import sqlalchemy

    app = intake_app(setup.url, setup.var_dir)
    client = app.test_client()
    bodies = setup.bodies
    for i in range(10):
        client.post("/api/v1/events", json=bodies[i], headers={**setup.inspector, "Idempotency-Key": f"prof-w{i}"})
    statements = []
    engine = app.extensions["db_engine"]
    sqlalchemy.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(1))
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for i in range(n):
        client.post("/api/v1/events", json=bodies[(i + 10) % len(bodies)],
                    headers={**setup.inspector, "Idempotency-Key": f"prof-{i}"})
    profile.disable()
    per_report = (time.perf_counter() - started) / n
    engine.dispose()
    totals: dict[str, float] = {}
    for (file, _line, name), (_cc, _nc, own, _cum, _callers) in pstats.Stats(profile).stats.items():
        where = f"{file} {name}"
        bucket = next((label for label, marks in BUCKETS if any(m in where for m in marks)), "other (stdlib, C)")
        totals[bucket] = totals.get(bucket, 0.0) + own
    whole = sum(totals.values()) or 1.0
    return per_report, len(statements) / n, sorted(((b, t / whole) for b, t in totals.items()), key=lambda x: -x[1])


def rows(p: dict, database_url, database: str, seed: int, row) -> list[dict]:
    """The rows of `python -m bench`: intake over HTTP against the bare app (1 process; on PostgreSQL also
    p["http_processes"]), and intake with p["screens"] cockpit screens open against intake alone."""
    out = []
    with contextlib.ExitStack() as stack:
        setup = Setup(stack, database_url, size=p["http_size"], seed=seed)
        runs = [1] + ([p["http_processes"]] if database_url and p["http_processes"] > 1 else [])
        for processes in runs:
            result = compare(setup, clients=p["http_clients"], seconds=p["http_seconds"], rounds=p["http_rounds"],
                             processes=processes)
            ours, bare, ratio = result["ours"], result["bare"], result["ratio"]
            note = (f"ratio = ours / baseline, req/s; waitress {THREADS} threads × {processes} process(es), "
                    f"{p['http_clients']} clients, {setup.size:,} tickets of history; p99 {ms(ours.percentile(99))} "
                    f"(bare {ms(bare.percentile(99))}), p50 {ms(ours.percentile(50))} (bare {ms(bare.percentile(50))})")
            if ratio < 0.5 and processes == 1:
                per_report, statements, shares = profile_shares(setup, p["profile_n"])
                note += (f"; missed by {0.5 - ratio:.2f} ({ratio / 0.5:.0%} of the goal): a report is "
                         f"{statements:.1f} statements + a commit (the bare app: 1 + a commit) and "
                         f"{per_report * 1000:.1f} ms in-process (Flask test client, under cProfile); where that "
                         f"goes: " + ", ".join(f"{b} {s:.0%}" for b, s in shares[:5]))
            out.append(row(f"intake over HTTP ({processes} process{'es' if processes > 1 else ''})",
                           round(ours.rate, 1), "req/s", "bare Flask insert app, same server and database",
                           round(bare.rate, 1), round(ratio, 3), "≥ 0.5", "yes" if ratio >= 0.5 else "no",
                           database, note=note))
        watched = with_screens(setup, clients=p["http_clients"], seconds=p["screen_seconds"], screens=p["screens"])
        s = watched["screens"]
        polls = ", ".join(f"{n}× {code}" for code, n in sorted(s.statuses.items())) or "none answered"
        out.append(row(f"intake with {p['screens']} cockpit screens open", round(watched["watched"].rate, 1), "req/s",
                       "intake alone, same server", round(watched["alone"].rate, 1), round(watched["ratio"], 3),
                       "≥ 0.9 (unchanged within 10 %)", "yes" if watched["ratio"] >= 0.9 else "no", database,
                       note=f"ratio = watched / alone; each screen polls /cockpit/feed.json every {POLL_S:g} s with "
                            f"If-None-Match, waiting for its answer; {len(s.times)} polls ({polls}), answer median "
                            f"{ms(statistics.median(s.times)) if s.times else '-'}, max "
                            f"{ms(max(s.times)) if s.times else '-'}; intake p99 "
                            f"{ms(watched['watched'].percentile(99))}"
                            f" (alone {ms(watched['alone'].percentile(99))})"))
    return out
