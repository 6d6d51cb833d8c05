"""Every goal of the benchmarks in one table: python -m bench [--quick] [--json FILE].

One row per goal — name, value, unit, baseline (name and value, measured in the same run), ratio, goal,
met (yes / no / "not measured: why"). The geo rows need no database; the sweep and intake rows run on
SQLite (a temporary file) and, when TEST_DATABASE_URL is set, on PostgreSQL too (a temporary schema).

The measurements are the scripts' own (geo_bench, sweep_bench, intake_bench, pages_bench), called in-process.
Defaults are the sizes of the goals (a 200 × 200 grid of 40,000 cells; 100,000 and 1,000,000 tickets,
1 % of them due); --quick runs small sizes in well under a minute, to check that every row is produced.
Each size can be set on its own (--side, --sizes, --http-size, --http-seconds, --screen-seconds) over the
preset's; --pages-network times the pages' cold first load on another network than Slow 4G.
"""

import argparse
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
import shapely  # noqa: E402

import cockpit_bench  # noqa: E402
import geo_bench  # noqa: E402
import http_bench  # noqa: E402
import intake_bench  # noqa: E402
import pages_bench  # noqa: E402
import sweep_bench  # noqa: E402
import timing  # noqa: E402
from dispatch.street.config import load_config, read_zones  # noqa: E402
from geo.zones import to_feature_collection  # noqa: E402
from geo.crs import to_wgs84, wgs84_to_gcj02  # noqa: E402
from geo.index import ZoneIndex  # noqa: E402

SWEEP_GOAL_SIZE, SWEEP_GOAL_DUE = 1_000_000, 10_000
GEO_GOAL_CELLS = 40_000  # the goals were set on a 40,625-cell file; the full run's grid is 200 × 200

QUICK = {"side": 30, "n": 400, "baseline_n": 20, "many": 5_000, "sizes": [2_000], "due_share": 0.01,
         "sweep_repeats": 2, "intake_n": 30}
FULL = {"side": 200, "n": 2_000, "baseline_n": 20, "many": 100_000, "sizes": [100_000, 1_000_000],
        "due_share": 0.01, "sweep_repeats": 1, "intake_n": 200}
# intake over HTTP (bench/http_bench.py): history size, timed seconds per measurement, clients, turns, server
# processes (PostgreSQL), cockpit screens and the seconds they are watched, reports profiled when the goal is missed
QUICK.update(http_size=2_000, http_seconds=1.0, http_clients=8, http_rounds=1, http_processes=2, screens=3,
             screen_seconds=3.5, profile_n=30)
FULL.update(http_size=100_000, http_seconds=10.0, http_clients=16, http_rounds=2, http_processes=2, screens=3,
            screen_seconds=15.0, profile_n=300)


def row(name, value, unit, baseline_name, baseline_value, ratio, goal, met, database="-", note=""):
    return {"name": name, "database": database, "value": value, "unit": unit,
            "baseline": {"name": baseline_name, "value": baseline_value}, "ratio": ratio, "goal": goal,
            "met": met, "note": note}


def yes_no(ok: bool) -> str:
    return "yes" if ok else "no"


# -- geo: no database -------------------------------------------------------------------------------

def geo_rows(p: dict, seed: int) -> list[dict]:
    rng = random.Random(seed)
    side = p["side"]
    fresh = iter([geo_bench.make_cells(side) for _ in range(3)])
    build = geo_bench.best_of(3, lambda: ZoneIndex(next(fresh), tolerance_m=geo_bench.TOLERANCE_M))
    create = geo_bench.best_of(3, lambda: geo_bench.make_cells(side))
    cells = geo_bench.make_cells(side)
    index = ZoneIndex(cells, tolerance_m=geo_bench.TOLERANCE_M)
    geometries = np.array([z.geometry for z in cells], dtype=object)
    count = len(cells)

    def naive_loop(lng, lat):  # the naive scan of the goal: every cell's covers, in a Python loop
        point = shapely.Point(lng, lat)
        hits = [z.code for z in cells if z.geometry.covers(point)]
        return min(hits) if hits else None

    def scan_covers(lng, lat):  # geo_bench's stronger baseline: one vectorised covers over every cell
        hits = np.flatnonzero(shapely.covers(geometries, shapely.Point(lng, lat)))
        return cells[hits[0]].code if hits.size else None

    def locate_gcj02(lng, lat):  # what a report in GCJ-02 (most phone maps) costs: conversion + locate
        return index.locate(*to_wgs84(lng, lat, "gcj02"))

    inside = geo_bench.sample_points(side, p["n"], rng)["inside"]
    gcj = [wgs84_to_gcj02(lng, lat) for lng, lat in inside]
    wgs, answers = geo_bench.per_call(index.locate, inside)
    ours, gcj_answers = geo_bench.per_call(locate_gcj02, gcj)
    naive, naive_answers = geo_bench.per_call(naive_loop, inside[: p["baseline_n"]])
    vectorised, _ = geo_bench.per_call(scan_covers, inside[: p["baseline_n"]])
    differ = sum(a.zone.code != b for a, b in zip(answers, naive_answers))
    differ += sum(a.zone is None or a.zone.code != b.zone.code for a, b in zip(gcj_answers, answers))
    speedup = naive / ours

    def at_scale(ok: bool) -> str:
        if count >= GEO_GOAL_CELLS:
            return yes_no(ok)
        return (f"not measured: goal is at ~{GEO_GOAL_CELLS:,} cells; this run measured {count:,} "
                f"(holds here: {yes_no(ok)})")

    many = [(geo_bench.X0 + rng.random() * side * geo_bench.SIZE, geo_bench.Y0 + rng.random() * side * geo_bench.SIZE)
            for _ in range(p["many"])]
    lngs, lats = np.array([x for x, _ in many]), np.array([y for _, y in many])
    tree = shapely.STRtree(geometries)
    shapely.prepare(geometries)
    bulk = geo_bench.best_of(3, lambda: tree.query(shapely.points(lngs, lats), predicate="covered_by"))
    batch = geo_bench.best_of(3, lambda: index.locate_many(lngs, lats))
    ours_rate, bulk_rate = len(many) / batch, len(many) / bulk

    return [
        row(f"locate one point, GCJ-02 ({count:,} cells)", round(ours * 1e6, 2), "µs", "naive scan (Python loop)",
            round(naive * 1e6, 2), round(speedup, 1), "≥ 300× faster and < 20 µs incl. CRS",
            at_scale(speedup >= 300 and ours < 20e-6),
            note=f"ratio = baseline / ours; WGS-84 alone {wgs * 1e6:.2f} µs; a vectorised scan (shapely covers "
                 f"over every cell) {vectorised * 1e6:.2f} µs; answers differing from the naive scan: {differ}"),
        row(f"locate many ({len(many):,} points, {count:,} cells)", round(ours_rate), "points/s",
            "shapely bulk STRtree.query", round(bulk_rate), round(ours_rate / bulk_rate, 3), "≥ 0.5",
            yes_no(ours_rate / bulk_rate >= 0.5), note="ratio = ours / baseline"),
        row(f"zone index build ({count:,} cells)", round(build, 4), "s", "create the Zones + polygons",
            round(create, 4), round(build / create, 3), "< 1 s (index part of loading a 40,625-cell file)",
            at_scale(build < 1.0), note="ratio = ours / baseline; file parsing and validation not timed here"),
        zone_file_row(cells, at_scale),
    ]


def zone_file_row(cells, at_scale) -> dict:
    """Loading the zones file at start-up: read from its pack (validated at an earlier start) against the first
    start's parse-and-validate of the same file, both through dispatch.street.config.read_zones."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "zones.geojson"
        path.write_text(json.dumps(to_feature_collection(cells), ensure_ascii=False), encoding="utf-8")
        cache = Path(folder) / "cache"
        problems: list = []
        started = time.perf_counter()
        zones, _ = read_zones(path, 1.0, problems, cache)  # the first start: validates, then packs
        first = time.perf_counter() - started
        packed = geo_bench.best_of(3, lambda: read_zones(path, 1.0, problems, cache))
        size = path.stat().st_size
    assert not problems and len(zones) == len(cells)
    return row(f"zone file load, packed ({len(cells):,} cells)", round(packed, 4), "s",
               "first load: parse + validate", round(first, 4), round(packed / first, 3),
               "< 1 s (a 40,625-cell file)", at_scale(packed < 1.0),
               note=f"ratio = ours / baseline; a {size / 1e6:.1f} MB GeoJSON file; later starts read the pack "
                    "kept in var/cache under the file's hash")


# -- the sweep ----------------------------------------------------------------------------------------

def sweep_rows(p: dict, database_url, database: str, seed: int, *, steady: bool = False) -> list[dict]:
    """Catch-up (the due tickets dispatched 1-2 days ago: ~6 levels each at once) or, `steady`, one pass of
    the scheduler in service (exactly one level just fallen due on each due ticket, checked)."""
    config = load_config(HERE.parent / "config")
    rows = []
    for size in p["sizes"]:
        due = max(1, round(size * p["due_share"]))
        with temporary_database_or_sqlite(database_url) as url:
            start = time.perf_counter()
            engine, snapshot = sweep_bench.build(url, config, size=size, due=due, seed=seed, steady=steady)
            try:
                table = sweep_bench.Table(size, engine, config, snapshot, time.perf_counter() - start)
                table.run("query", timed=False)
                for _ in range(p["sweep_repeats"]):
                    table.run("real")
                table.run("scan")
                bad = table.mismatches()
                if steady:
                    table.check_one_level_each()
            finally:
                engine.dispose()
        seconds, scan = table.best("real"), table.best("scan")
        at_goal = size >= SWEEP_GOAL_SIZE and len(snapshot) >= SWEEP_GOAL_DUE
        met = (yes_no(seconds < 2.0) if at_goal else
               f"not measured: goal is at {SWEEP_GOAL_DUE:,} due / {SWEEP_GOAL_SIZE:,}; this run measured "
               f"{len(snapshot):,} due / {size:,} (< 2 s here: {yes_no(seconds < 2.0)})")
        name = (f"sweep, steady state: {len(snapshot):,} tickets with one level due each at {size:,}" if steady
                else f"sweep, catch-up: {len(snapshot):,} due tickets at {size:,} (~6 levels each)")
        rows.append(row(name, round(seconds, 4), "s",
                        "naive full scan of open tickets", round(scan, 4), round(seconds / scan, 3),
                        f"< 2 s for {SWEEP_GOAL_DUE:,} due at {SWEEP_GOAL_SIZE:,}", met, database,
                        note=f"ratio = ours / baseline; {table.levels:,} levels recorded"
                             + (" (one per due ticket, checked)" if steady else "") + "; this process's CPU time for the sweep "
                             f"{min(table.cpu['real']):.2f} s (SQLite's work included; PostgreSQL's server not; the rest of the wall time is waiting: for the server, or for a core on a shared machine)"
                             + (f"; missed by {seconds - 2.0:.2f} s ({seconds / 2.0:.1f}× the goal); where the best "
                                f"run's wall time went: {timing.breakdown(table.spent['real'], seconds)}"
                                if seconds >= 2.0 else "")
                             + (f"; CHECK FAILED: {bad}" if bad else "")))
    return rows


# -- intake against a bare insert app ----------------------------------------------------------------

def intake_rows(p: dict, database_url, database: str, seed: int) -> list[dict]:
    rows = []
    for size in p["sizes"]:
        with contextlib.ExitStack() as stack:
            url = stack.enter_context(temporary_database_or_sqlite(database_url))
            var_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="dispatch-bench-var-"))
            table = intake_bench.Table(url, Path(var_dir), size=size, per_day=max(1.0, size / 365), seed=seed, analyze=True)
            stack.callback(table.engine.dispose)
            bare = http_bench.bare_app_of(url)
            stack.callback(bare.extensions["engine"].dispose)
            client = bare.test_client()
            bodies = intake_bench.reports(table.config, intake_bench.WARM_UP + p["intake_n"], random.Random(seed + 2))
            bare_times = []
            spent = stack.enter_context(timing.statements(table.engine))  # our reports' SQL (the bare app's engine is its own)
            for i, body in enumerate(bodies):  # the two apps take turns, report by report
                timed = i >= intake_bench.WARM_UP
                if i == intake_bench.WARM_UP:
                    spent.clear()
                table.report(body, timed=timed)
                start = time.perf_counter()
                answer = client.post("/bare", json=body)
                if answer.status_code != 201:
                    raise SystemExit(f"bare insert answered {answer.status_code}")
                if timed:
                    bare_times.append(time.perf_counter() - start)
        ours, base = statistics.median(table.report_times), statistics.median(bare_times)
        ratio = base / ours
        rows.append(row(f"intake at {size:,} tickets, a year (POST /api/v1/events)", round(1 / ours, 1), "reports/s",
                        "bare Flask insert app, same database", round(1 / base, 1), round(ratio, 3), "≥ 0.5",
                        yes_no(ratio >= 0.5), database,
                        note=f"ratio = ours / baseline; median of {len(bare_times)}, Flask test client "
                             "(no HTTP server)"
                             + ("" if ratio >= 0.5 else
                                f"; missed by {0.5 - ratio:.2f} ({ratio / 0.5:.0%} of the goal); where our "
                                f"{len(table.report_times)} timed reports' {sum(table.report_times):.2f} s went: "
                                + timing.breakdown(spent, sum(table.report_times), top=5,
                                                   rest="Python: Flask, SQLAlchemy, validation, commits"))))
    return rows


@contextlib.contextmanager
def temporary_database_or_sqlite(database_url):
    with sweep_bench.temporary_database(database_url) as url:
        yield url


# -- output --------------------------------------------------------------------------------------------

COLUMNS = ("name", "db", "value", "unit", "baseline", "baseline value", "ratio", "goal", "met")


def cells(r: dict) -> list[str]:
    return [r["name"], r["database"], f"{r['value']:,}" if r["value"] is not None else "-", r["unit"],
            r["baseline"]["name"], f"{r['baseline']['value']:,}" if r["baseline"]["value"] is not None else "-",
            f"{r['ratio']:,}" if r["ratio"] is not None else "-", r["goal"], r["met"]]


def print_table(rows: list[dict]) -> None:
    lines = [list(COLUMNS)] + [cells(r) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS) - 1)]
    for line in lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths)) + "  " + line[-1])
    notes = [f"- {r['name']} ({r['database']}): {r['note']}" for r in rows if r["note"]]
    if notes:
        print("\n" + "\n".join(notes))


SIZE_OPTIONS = ("side", "sizes", "http_size", "http_seconds", "screen_seconds")


def parse(argv=None) -> tuple[argparse.Namespace, dict]:
    """The command line, and the sizes of the run: the preset's (FULL, or QUICK with --quick), each overridden
    by its option when given."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (the whole run in under a minute)")
    parser.add_argument("--json", metavar="FILE", help="also write the rows to FILE as a JSON list")
    parser.add_argument("--seed", type=int, default=1)
    sizes = parser.add_argument_group("sizes", "each over the preset's (the full run's, or --quick's)")
    sizes.add_argument("--side", type=int, help=f"the geo rows' grid of SIDE × SIDE cells (full {FULL['side']}, "
                                                f"--quick {QUICK['side']})")
    sizes.add_argument("--sizes", type=sweep_bench.parse_sizes,
                       help="tickets of the sweep, intake and cockpit rows, comma-separated (full "
                            f"{','.join(map(str, FULL['sizes']))}, --quick {','.join(map(str, QUICK['sizes']))})")
    sizes.add_argument("--http-size", type=int, help=f"tickets of history of the HTTP rows (full {FULL['http_size']}, "
                                                     f"--quick {QUICK['http_size']})")
    sizes.add_argument("--http-seconds", type=float,
                       help="timed seconds of each intake-over-HTTP measurement "
                            f"(full {FULL['http_seconds']:g}, --quick {QUICK['http_seconds']:g})")
    sizes.add_argument("--screen-seconds", type=float,
                       help="timed seconds of intake alone and with the cockpit screens open "
                            f"(full {FULL['screen_seconds']:g}, --quick {QUICK['screen_seconds']:g})")
    parser.add_argument("--pages-network", choices=pages_bench.NETWORKS, default="slow-4g",
                        help="the network the pages' cold first load is timed on (default slow-4g)")
    args = parser.parse_args(argv)
    p = dict(QUICK if args.quick else FULL)
    p.update({key: value for key in SIZE_OPTIONS if (value := getattr(args, key)) is not None})
    return args, p


def main(argv=None) -> list[dict]:
    args, p = parse(argv)

    databases = [("sqlite", None)]
    if os.environ.get("TEST_DATABASE_URL"):
        databases.append(("postgresql", os.environ["TEST_DATABASE_URL"]))
    rows = geo_rows(p, args.seed)
    for name, url in databases:
        rows += sweep_rows(p, url, name, args.seed)
        rows += sweep_rows(p, url, name, args.seed, steady=True)
        rows += intake_rows(p, url, name, args.seed)
        rows += http_bench.rows(p, url, name, args.seed, row)
        rows += cockpit_bench.goal_rows(p, url, name, args.seed, row, yes_no)
    # /m/ and the cockpit in Chromium: the same in --quick (about half a minute; less with --pages-network unthrottled)
    rows += pages_bench.rows(args.pages_network)

    preset = p == (QUICK if args.quick else FULL)
    print(f"Benchmarks ({'--quick' if args.quick else 'full'} sizes{'' if preset else ', some set by options'}"
          f"{'' if args.pages_network == 'slow-4g' else f', pages on {args.pages_network}'}); every baseline "
          "measured in this run\n")
    print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return rows


if __name__ == "__main__":
    main()
