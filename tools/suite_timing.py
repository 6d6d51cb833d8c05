"""Side-by-side timing of the test suite: the tests of an old commit against the same tests on today's code.

    python tools/suite_timing.py                      # the tests of issue 8's filing, old vs this tree
    python tools/suite_timing.py --tree main=../main  # … and another checkout (before/after a change)
    python tools/suite_timing.py --scope all --tree main=../main   # the whole current suite, main vs this tree

What it does
  1. checks out OLD (default: the commit issue 8 was filed at, the parent of the lock's first commit) in a
     temporary `git worktree` (or uses --old-tree), and collects its test ids (`pytest --collect-only`);
  2. collects the ids of each current tree and keeps the ids every tree has ("the same tests"); with
     --scope all, the old tree is left out and the ids are the current trees' common ones;
  3. runs pytest on exactly those ids in every tree, one after the other, `--rounds` times, the trees'
     order alternating each round, with the same interpreter, options and environment;
  4. prints, per tree and round, the wall time and the CPU time (user + sys) of pytest and all the
     processes it waited for (xdist workers, Chromium through Playwright): `getrusage(RUSAGE_CHILDREN)`
     before and after. CPU time survives a shared machine much better than wall time.

The PostgreSQL server's own work is not in the CPU figure (it is not a child); it is the same server for
every tree. The ratios are against the first tree (OLD with the default scope) in the same round.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The parent of c970ec4 ("Installs from a lock …", pytest<9.2): the main branch when issue 8 was filed.
FILING_COMMIT = "8e1d8a0"


def collect(tree: Path, python: str, env: dict) -> list[str]:
    out = subprocess.run([python, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-n", "0"],
                         cwd=tree, env=env, capture_output=True, text=True)
    ids = [line for line in out.stdout.splitlines() if "::" in line and not line.startswith(" ")]
    if not ids:
        sys.exit(f"no tests collected in {tree}:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return ids


def run(tree: Path, python: str, env: dict, ids_file: Path, extra: list[str]) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"@{ids_file}", *extra],
                         cwd=tree, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = out.stdout.strip().splitlines()
    summary = lines[-1] if lines else out.stderr.strip()[-300:]
    return {"wall": wall, "user": after.ru_utime - before.ru_utime, "sys": after.ru_stime - before.ru_stime,
            "rc": out.returncode, "summary": re.sub(r"\s+in [\d.]+s.*$", "", summary.strip("= ")),
            "stdout": out.stdout}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", default=FILING_COMMIT, help="the old commit (default: issue 8's filing, %(default)s)")
    parser.add_argument("--old-tree", type=Path, help="an existing checkout of the old commit instead of a worktree")
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=PATH",
                        help="a current checkout to time (default: this one, as 'current'); repeatable")
    parser.add_argument("--scope", choices=["filing", "all"], default="filing",
                        help="filing: the old commit's tests that still exist; all: every test the trees share")
    parser.add_argument("--ids-only", action="store_true",
                        help="take the old commit's test ids but do not time it (e.g. its time is known already)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workers", default="0", help="pytest-xdist -n for every tree (default 0: one process)")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--log-dir", type=Path, help="keep each run's pytest output here")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments for every run (after --)")
    args = parser.parse_args()

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.setdefault("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    trees = [(name, Path(path).resolve()) for name, path in (t.split("=", 1) for t in args.tree)] or [("current", ROOT)]

    cleanup = None
    if args.scope == "filing":
        old_tree = args.old_tree
        if old_tree is None:
            old_tree = Path(tempfile.mkdtemp(prefix="suite-old-")) / "tree"
            subprocess.run(["git", "worktree", "add", "--detach", str(old_tree), args.old], cwd=ROOT, check=True,
                           capture_output=True)
            cleanup = old_tree
        trees.insert(0, (f"old {args.old}", old_tree.resolve()))

    try:
        common = None
        for name, tree in trees:
            ids = collect(tree, args.python, env)
            print(f"{name}: {len(ids)} tests collected", flush=True)
            common = set(ids) if common is None else common & set(ids)
        ids_file = Path(tempfile.mkstemp(prefix="suite-ids-", suffix=".txt")[1])
        ids_file.write_text("\n".join(sorted(common)) + "\n", encoding="utf-8")
        if args.ids_only and args.scope == "filing":
            trees = trees[1:]
        print(f"timing {len(common)} tests every tree has, -n {args.workers}, {args.rounds} round(s)\n", flush=True)

        extra = ["-n", args.workers, *args.pytest_args]
        results: dict[str, list[dict]] = {name: [] for name, _ in trees}
        for round_ in range(args.rounds):
            order = trees if round_ % 2 == 0 else trees[::-1]
            for name, tree in order:
                r = run(tree, args.python, env, ids_file, extra)
                results[name].append(r)
                print(f"round {round_ + 1}  {name:<16} wall {r['wall']:7.1f} s  cpu {r['user'] + r['sys']:7.1f} s "
                      f"(user {r['user']:.1f}, sys {r['sys']:.1f})  rc {r['rc']}  {r['summary']}", flush=True)
                if args.log_dir:
                    args.log_dir.mkdir(parents=True, exist_ok=True)
                    safe = re.sub(r"\W+", "_", name)
                    (args.log_dir / f"round{round_ + 1}_{safe}.txt").write_text(r["stdout"], encoding="utf-8")

        base_name = trees[0][0]
        print(f"\nper round, against {base_name}:")
        for round_ in range(args.rounds):
            base = results[base_name][round_]
            for name, _ in trees[1:]:
                r = results[name][round_]
                print(f"round {round_ + 1}  {name:<16} wall {r['wall'] / base['wall']:6.1%}  "
                      f"cpu {(r['user'] + r['sys']) / (base['user'] + base['sys']):6.1%}")
        ids_file.unlink()
    finally:
        if cleanup is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(cleanup)], cwd=ROOT, capture_output=True)


if __name__ == "__main__":
    main()
