"""The benchmark scripts run end to end on tiny sizes and print their ratio tables (no timing is asserted)."""
from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import re
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load(name: str):
    """A bench/ script as a module (bench/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def run(script: str, argv: tuple[str, ...]) -> str:
    """What `bench/<script>.py argv…` prints (each script and arguments run once per test session)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        load(script).main(list(argv))
    return out.getvalue()


def table_rows(output: str, first_cells: list[str]) -> list[str]:
    """The table lines that start with each of first_cells (a size, or an operation name)."""
    lines = output.splitlines()
    return [next((line for line in lines if line.strip().startswith(cell)), "") for cell in first_cells]


RATIO = re.compile(r"\d+\.\d{2,3}\b")

SWEEP_ARGV = ("--sizes", "50,100", "--due", "5", "--repeats", "1", "--scan-repeats", "1")
CASES = [
    # the index benchmark: a 3 × 3 grid, a handful of locates; one row per operation
    ("geo_bench", ["--side", "3", "--n", "5", "--baseline-n", "5"],
     ["build index", "locate, inside", "locate, tolerance", "locate, outside"],
     ["ratio = ours / baseline", "answers differing from the linear scan: 0"]),
    # the sweep: 50 and 100 tickets, 5 of them due; the first size is the baseline (×first 1.00)
    ("sweep_bench", SWEEP_ARGV,
     ["50 ", "100 "],
     ["×first", "scan/query", "checks: ok"]),
    # intake: an empty table and 50 tickets of history, 4 reports each
    ("intake_bench", ["--sizes", "0,50", "--n", "4"],
     ["0 ", "50 "],
     ["×first", "report (median)", "dup query (median)", "plan of the duplicate query"]),
]


@pytest.mark.parametrize(("script", "argv", "rows", "phrases"), CASES, ids=[c[0] for c in CASES])
def test_script_runs_and_prints_its_ratio_table(script, argv, rows, phrases):
    output = run(script, tuple(argv))
    for phrase in phrases:
        assert phrase in output, f"{script}: missing {phrase!r} in\n{output}"
    for first_cell, line in zip(rows, table_rows(output, rows)):
        assert line, f"{script}: no table row for {first_cell.strip()!r} in\n{output}"
        assert RATIO.search(line), f"{script}: no ratio on the row {line!r}"


# "  50    5   0.19 s | …": the size, the number of tickets due at that size, the build time
SIZE_AND_DUE = re.compile(r"^\s*([\d,]+)\s+(\d+)\s+[\d.]+ (?:s|ms|µs) \|", re.MULTILINE)


def test_sweep_bench_times_the_same_due_work_at_every_size_through_the_indexes():
    """The ratios compare like with like only if each size has the same tickets due and the sweep finds
    them by the `*_next_at` indexes; otherwise a flat ×first column would prove nothing."""
    output = run("sweep_bench", SWEEP_ARGV)
    assert SIZE_AND_DUE.findall(output) == [("50", "5"), ("100", "5")], output
    levels = re.search(r"levels recorded by one real sweep: (\d+) at 50, (\d+) at 100", output)
    assert levels and levels[1] == levels[2] and int(levels[1]) >= 5, output  # each due ticket has levels waiting
    plans = re.findall(r"^plan at 100 tickets: (.*)$", output, re.MULTILINE)
    assert len(plans) == 2, output  # one range query per deadline (response, resolve)
    for kind, plan in zip(("response", "resolve"), plans):
        assert re.search(rf"USING (COVERING )?INDEX ix_tickets_{kind}_next_at", plan), plan


GOAL_ROWS = ["locate one point", "locate many", "zone index build", "sweep, catch-up: ", "sweep, steady state: ",
             "intake at ", "/m/ first load", "cockpit first load", "intake over HTTP (1 process)",
             "intake with 3 cockpit screens open", "cockpit feed at ", "cockpit snapshot recompute at ",
             "/api/v1/stats at "]
PER_DATABASE = ("sweep, catch-up: ", "sweep, steady state: ", "intake at ", "intake over HTTP (1 process)",
                "intake with 3 cockpit screens open", "cockpit feed at ", "cockpit snapshot recompute at ",
                "/api/v1/stats at ")


# --quick with tinier sizes, through the bench's own options: every row is still produced, every script runs
TINY_ARGV = ("--quick", "--side", "10", "--sizes", "200", "--http-size", "200", "--http-seconds", "0.5",
             "--screen-seconds", "0.5", "--pages-network", "unthrottled")


def test_python_m_bench_quick_prints_every_goal_row_and_writes_valid_json(tmp_path):
    """`python -m bench --quick … --json FILE` (tiny sizes): a row per goal, each with a ratio (or a "not measured"
    reason)."""
    import json

    out_file = tmp_path / "bench.json"
    output = run("__main__", (*TINY_ARGV, "--json", str(out_file)))
    rows = json.loads(out_file.read_text(encoding="utf-8"))
    assert isinstance(rows, list), rows
    databases = {r["database"] for r in rows} - {"-"}
    assert "sqlite" in databases, rows
    for name in GOAL_ROWS:
        mine = [r for r in rows if r["name"].startswith(name)]
        assert mine, f"no {name!r} row in {rows}"
        if name in PER_DATABASE:
            assert {r["database"] for r in mine} == databases, mine
        for r in mine:
            assert set(r) >= {"name", "value", "unit", "baseline", "ratio", "goal", "met"}, r
            assert set(r["baseline"]) == {"name", "value"} and r["baseline"]["name"], r
            assert r["goal"], r
            if r["met"].startswith("not measured"):
                assert len(r["met"]) > len("not measured: "), r  # says why
            else:
                assert r["met"] in ("yes", "no"), r
                assert isinstance(r["ratio"], (int, float)) and r["ratio"] > 0, r
            assert any(line.startswith(r["name"]) for line in output.splitlines()), f"{r['name']!r} not in\n{output}"
    assert "name" in output and "baseline" in output and "ratio" in output and "met" in output
    for r in rows:  # the steady-state row times one pass in service: one level per due ticket, no catch-up
        if r["name"].startswith("sweep, steady state: "):
            due = re.search(r"steady state: ([\d,]+) tickets", r["name"])[1]
            assert int(due.replace(",", "")) > 0 and f"{due} levels recorded (one per due ticket" in r["note"], r


def test_the_bench_runs_with_its_own_sizes_unless_an_option_sets_one():
    """The test above runs tiny sizes through options; without them a run keeps its preset (the goals' sizes, or
    --quick's), and each option changes its own size only."""
    bench = load("__main__")
    assert bench.parse([])[1] == bench.FULL and bench.parse([])[0].pages_network == "slow-4g"
    assert bench.parse(["--quick"])[1] == bench.QUICK
    args, p = bench.parse(list(TINY_ARGV))
    assert p == {**bench.QUICK, "side": 10, "sizes": [200], "http_size": 200, "http_seconds": 0.5,
                 "screen_seconds": 0.5}
    assert args.pages_network == "unthrottled"
    assert bench.parse(["--sizes", "1000,5000"])[1] == {**bench.FULL, "sizes": [1000, 5000]}
    assert bench.FULL["sizes"] == [100_000, 1_000_000] and bench.QUICK["sizes"] == [2_000]  # not changed by a run
