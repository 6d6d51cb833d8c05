"""The benchmark scripts run end to end on tiny sizes and print their ratio tables (no timing is asserted)."""
from __future__ import annotations

import importlib.util
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


def table_rows(output: str, first_cells: list[str]) -> list[str]:
    """The table lines that start with each of first_cells (a size, or an operation name)."""
    lines = output.splitlines()
    return [next((line for line in lines if line.strip().startswith(cell)), "") for cell in first_cells]


RATIO = re.compile(r"\d+\.\d{2,3}\b")

CASES = [
    # the index benchmark: a 3 × 3 grid, a handful of locates; one row per operation
    ("geo_bench", ["--side", "3", "--n", "5", "--baseline-n", "5"],
     ["build index", "locate, inside", "locate, tolerance", "locate, outside"],
     ["ratio = ours / baseline", "answers differing from the linear scan: 0"]),
    # the sweep: 50 and 100 tickets, 5 of them due; the first size is the baseline (×first 1.00)
    ("sweep_bench", ["--sizes", "50,100", "--due", "5", "--repeats", "1", "--scan-repeats", "1"],
     ["50 ", "100 "],
     ["×first", "scan/query", "checks: ok"]),
    # intake: an empty table and 50 tickets of history, 4 reports each
    ("intake_bench", ["--sizes", "0,50", "--n", "4"],
     ["0 ", "50 "],
     ["×first", "report (median)", "dup query (median)", "plan of the duplicate query"]),
]


@pytest.mark.parametrize(("script", "argv", "rows", "phrases"), CASES, ids=[c[0] for c in CASES])
def test_script_runs_and_prints_its_ratio_table(script, argv, rows, phrases, capsys):
    load(script).main(argv)
    output = capsys.readouterr().out
    for phrase in phrases:
        assert phrase in output, f"{script}: missing {phrase!r} in\n{output}"
    for first_cell, line in zip(rows, table_rows(output, rows)):
        assert line, f"{script}: no table row for {first_cell.strip()!r} in\n{output}"
        assert RATIO.search(line), f"{script}: no ratio on the row {line!r}"


def test_sweep_baseline_row_is_its_own_ratio(capsys):
    """The smallest table is the baseline: each of its ×first cells is exactly 1.00."""
    load("sweep_bench").main(["--sizes", "50,100", "--due", "5", "--repeats", "1", "--scan-repeats", "1"])
    first = table_rows(capsys.readouterr().out, ["50 "])[0]
    assert first.count(" 1.00 ") == 4, first
