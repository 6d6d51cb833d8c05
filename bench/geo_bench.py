"""Benchmark geo.index.ZoneIndex on a synthetic grid (default 100 × 100 = 10,000 cells).

Every timing is reported as a ratio against a baseline measured in the same run, so the numbers
compare across machines:

- build: ZoneIndex(cells) against creating the cells' Zone objects and polygons in the first place;
- locate: ZoneIndex.locate against a linear scan over every polygon (shapely's vectorised
  ``covers`` / our vectorised metre distances — a stronger baseline than a Python loop).

Run: python bench/geo_bench.py [--side 100] [--n 2000]
"""

import argparse
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.distance import M_PER_DEGREE, distances_m  # noqa: E402
from geo.index import ZoneIndex  # noqa: E402
from geo.zones import Zone  # noqa: E402

X0, Y0, SIZE = 121.38, 31.21, 0.001  # ~95 m × 111 m cells around 宜川
TOLERANCE_M = 30.0


def make_cells(side: int) -> list[Zone]:
    """side × side square cells, codes r{row}c{col}."""
    xs = [X0 + i * SIZE for i in range(side + 1)]
    ys = [Y0 + j * SIZE for j in range(side + 1)]
    return [
        Zone(f"r{r:03d}c{c:03d}", f"cell {r},{c}", None, "zone", None, {},
             shapely.Polygon([(xs[c], ys[r]), (xs[c + 1], ys[r]), (xs[c + 1], ys[r + 1]), (xs[c], ys[r + 1])]))
        for r in range(side) for c in range(side)
    ]


def best_of(repeats: int, fn) -> float:
    """Fastest wall time of fn() over a few runs, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def per_call(fn, points) -> tuple[float, list]:
    """Mean seconds per call of fn over points, and the answers."""
    start = time.perf_counter()
    answers = [fn(lng, lat) for lng, lat in points]
    return (time.perf_counter() - start) / len(points), answers


def sample_points(side: int, n: int, rng: random.Random) -> dict[str, list[tuple[float, float]]]:
    """Cell centres (inside), and points 10 m / 200 m west of the grid (tolerance / outside)."""
    metres_to_lng = 1.0 / (M_PER_DEGREE * math.cos(math.radians(Y0 + side * SIZE / 2)))

    def west_of_grid(metres):
        return (X0 - metres * metres_to_lng, Y0 + (rng.randrange(side) + rng.random()) * SIZE)

    return {
        "inside": [(X0 + (rng.randrange(side) + 0.5) * SIZE, Y0 + (rng.randrange(side) + 0.5) * SIZE)
                   for _ in range(n)],
        "tolerance": [west_of_grid(10.0) for _ in range(n)],
        "outside": [west_of_grid(200.0) for _ in range(n)],
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=100, help="grid side; side² polygons (default 100)")
    parser.add_argument("--n", type=int, default=2000, help="locates per case (default 2000)")
    parser.add_argument("--baseline-n", type=int, default=100, help="linear-scan calls per case (default 100)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    cells = make_cells(args.side)
    geometries = np.array([z.geometry for z in cells], dtype=object)
    rows = []

    # each build gets polygons it has never seen: ZoneIndex prepares geometries in place, and a
    # second build over the same (already prepared) polygons would look cheaper than a real start
    fresh = iter([make_cells(args.side) for _ in range(3)])
    build = best_of(3, lambda: ZoneIndex(next(fresh), tolerance_m=TOLERANCE_M))
    create = best_of(3, lambda: make_cells(args.side))
    rows.append((f"build index ({len(cells):,} polygons)", build, "create the Zones + polygons", create))

    index = ZoneIndex(cells, tolerance_m=TOLERANCE_M)

    def scan_covers(lng, lat):
        hits = np.flatnonzero(shapely.covers(geometries, shapely.Point(lng, lat)))
        return cells[hits[0]].code if hits.size else None

    def scan_nearest(lng, lat):
        metres = distances_m(lng, lat, geometries)
        best = int(np.argmin(metres))
        return cells[best].code if metres[best] <= TOLERANCE_M else None

    mismatches = 0
    for case, points in sample_points(args.side, args.n, rng).items():
        seconds, answers = per_call(index.locate, points)
        scan = scan_covers if case == "inside" else scan_nearest
        base_points = points[: args.baseline_n]
        base_seconds, base_answers = per_call(scan, base_points)
        mismatches += sum(
            (a.zone.code if a.zone else None) != b for a, b in zip(answers, base_answers)
        )
        baseline = "linear scan: covers" if case == "inside" else "linear scan: metres"
        rows.append((f"locate, {case} (×{len(points):,})", seconds, baseline, base_seconds))

    print(f"ZoneIndex benchmark: {len(cells):,} grid polygons, tolerance {TOLERANCE_M:g} m\n")
    print(f"{'operation':<34} {'time':>10}  {'baseline':<28} {'time':>10}  {'ratio':>8}")
    for name, seconds, baseline, base_seconds in rows:
        print(f"{name:<34} {_fmt(seconds):>10}  {baseline:<28} {_fmt(base_seconds):>10}  "
              f"{seconds / base_seconds:>8.3f}")
    print("\nratio = ours / baseline (below 1 is faster); locate times are per call.")
    print(f"answers differing from the linear scan: {mismatches}")


def _fmt(seconds: float) -> str:
    if seconds >= 1e-1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-4:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


if __name__ == "__main__":
    main()
