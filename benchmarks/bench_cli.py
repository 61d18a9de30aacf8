"""Whole-process timings of the ``matchmaking`` command line, as a user meets them.

Runs each command as a child process (``the CLI from ``--repo``, so an
older checkout can be measured the same way for a before/after table) ``--repeat`` times and
prints the median and the spread:

- ``--help`` and an argument error (start-up cost);
- the first ``recommend solutions`` after a change of the store (persisted state removed:
  projection build plus one fit);
- a fresh-process ``recommend KIND ID`` after that first call, for every kind;
- ``recommend providers --batch`` over 1,000 city ids (the first 1,000 by id).

The store must hold an imported dataset (e.g. the bsc demo):

    .venv/bin/matchmaking demo-data --scale bsc demo/bsc
    .venv/bin/matchmaking --store sqlite:///./demo/bsc.db import demo/bsc
    .venv/bin/python benchmarks/bench_cli.py --store sqlite:///./demo/bsc.db
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The CLI of the checkout in the working directory (``-m matchmaking.cli`` would load the CLI
#: module twice under two names).
MM = [sys.executable, "-c", "import sys; from matchmaking.cli import main; main(sys.argv[1:])"]

SUBJECTS = {"solutions": "city:be-gent", "providers": "city:be-gent", "peers": "city:be-gent",
            "experts": "city:be-gent", "opportunities": "member:000003",
            "leads": "prov:helioio"}


def _run(repo: Path, store: str, args: list[str], *, stdin: str | None = None,
         ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one child process."""
    env = {**os.environ, "MATCHMAKING_STORE": store, "PYTHONPATH": str(repo)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([*MM, *args], cwd=repo, env=env,
                          input=stdin, capture_output=True, text=True)
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(args)} exited {proc.returncode}: {proc.stderr[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return took, cpu


def _fmt(runs: list[tuple[float, float]]) -> str:
    wall = [w for w, _ in runs]
    cpu = [c for _, c in runs]
    return (f"{statistics.median(wall):6.2f} s ({min(wall):.2f}-{max(wall):.2f}) | "
            f"{statistics.median(cpu):6.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default="sqlite:///./demo/bsc.db")
    ap.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1],
                    help="checkout whose code runs (default: this one)")
    ap.add_argument("--label", default=None, help="name of the code version in the output")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()
    repo = args.repo.resolve()
    db = Path(args.store.removeprefix("sqlite:///")).resolve()
    store = f"sqlite:///{db}"
    cache = Path(str(db) + ".cache")
    with sqlite3.connect(db) as con:
        n_nodes = con.execute("SELECT count(*) FROM nodes").fetchone()[0]
        n_rels = con.execute("SELECT count(*) FROM rels").fetchone()[0]
        cities = [r[0] for r in con.execute(
            "SELECT id FROM nodes WHERE label = 'City' ORDER BY id LIMIT ?", (args.batch,))]
    print(f"# code {args.label or _git_head(repo)} in {repo}, store {db.name}: {n_nodes:,} nodes, "
          f"{n_rels:,} relationships; load average {os.getloadavg()[0]:.1f} at start")
    rows: list[tuple[str, list[tuple[float, float]]]] = []
    r = args.repeat
    rows.append(("matchmaking --help", [_run(repo, store, ["--help"]) for _ in range(r)]))
    rows.append(("argument error (recommend nosuchkind X)",
                 [_run(repo, store, ["recommend", "nosuchkind", "x"], ok=(2,))
                  for _ in range(r)]))
    first = []
    for _ in range(r):
        shutil.rmtree(cache, ignore_errors=True)
        first.append(_run(repo, store, ["recommend", "solutions", SUBJECTS["solutions"],
                                        "--k", "5"]))
    rows.append(("first recommend solutions after a change (build + 1 fit)", first))
    for kind, subject in SUBJECTS.items():
        _run(repo, store, ["recommend", kind, subject, "--k", "5"])  # the first call
        rows.append((f"fresh-process recommend {kind} (after the first call)",
                     [_run(repo, store, ["recommend", kind, subject, "--k", "5"])
                      for _ in range(r)]))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(cities) + "\n")
    _run(repo, store, ["recommend", "providers", "--batch", f.name])
    rows.append((f"recommend providers --batch, {len(cities):,} cities, whole process",
                 [_run(repo, store, ["recommend", "providers", "--batch", f.name])
                  for _ in range(r)]))
    Path(f.name).unlink()
    width = max(len(name) for name, _ in rows)
    print(f"| {'measure':<{width}} | wall, median (min-max) of {r} | CPU (user+sys), median |")
    print(f"|{'-' * (width + 2)}|---:|---:|")
    for name, xs in rows:
        print(f"| {name:<{width}} | {_fmt(xs)} |")
    print(f"# load average {os.getloadavg()[0]:.1f} at the end")


def _git_head(repo: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return out or "?"


if __name__ == "__main__":
    main()
