"""Per-request cost of the ``solutions`` features on an imported store, for an A/B of code bases.

Times, for the same random cities (drawn from the sorted city ids with a fixed seed, so any
code base draws the same ones), on a warm engine with the ``solutions`` weights fitted:

- the feature tensor of one city against every solution (``FeatureSpace.features``);
- the ``cohort`` and ``national`` features alone, when the code base has them;
- a whole ``Engine.recommend(solutions, city, k=10)`` (features, ranking, reasons);
- with ``--profile``, what of a request goes to the new features and to their reason
  builders (cumulative cProfile time per request; profiling inflates every figure alike).

Wall and thread-CPU median and p99 per request. Run it once per code base, in the same
window, and compare: the reference code is put first on the path with ``PYTHONPATH``
(a second checkout of the reference commit, e.g. ``git worktree add ../ref 43ed4e6``), and the
table names the code it imported::

    .venv/bin/python benchmarks/bench_cohort.py --store sqlite:///.cache/cohort/bsc.db
    PYTHONPATH=../ref .venv/bin/python benchmarks/bench_cohort.py \\
        --store sqlite:///.cache/cohort/bsc.db

The store is never written (``persist=False``: no snapshot or weights saved beside it).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from report import print_measures  # benchmarks/report.py (this folder is on the path)


def _timed(fn: Callable[[str], object], ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    wall, cpu = [], []
    for x in ids:
        t0, c0 = time.perf_counter(), time.thread_time()
        fn(x)
        cpu.append(time.thread_time() - c0)
        wall.append(time.perf_counter() - t0)
    return np.asarray(wall) * 1000, np.asarray(cpu) * 1000


def _stats(ms: np.ndarray) -> str:
    return f"{np.median(ms):.2f} / {np.percentile(ms, 99):.2f}"


#: (file, function) whose cumulative time ``--profile`` reports per request
PROFILED = {
    "Engine.recommend": ("engine.py", "recommend"),
    "explanation": ("engine.py", "_explain"),
    "cohort feature (FeatureSpace.cohort)": ("features.py", "cohort"),
    "national feature (FeatureSpace.national)": ("features.py", "national"),
    "cohort reasons (builder)": ("solutions.py", "cohort"),
    "national reasons (builder)": ("solutions.py", "national"),
}


def _profile(fn: Callable[[str], object], ids: list[str]) -> list[tuple[str, str]]:
    prof = cProfile.Profile()
    prof.enable()
    for x in ids:
        fn(x)
    prof.disable()
    stats: dict[Any, Any] = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    cum = dict.fromkeys(PROFILED, 0.0)
    for (path, _, func), (_, _, _, ct, _) in stats.items():
        for name, (file, f) in PROFILED.items():
            if path.endswith(file) and func == f:
                cum[name] += ct
    return [(f"profile: {name}", f"{cum[name] / len(ids) * 1000:.3f} ms per request")
            for name in PROFILED]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True, help="sqlite:///PATH of an imported dataset")
    ap.add_argument("--subjects", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--profile", action="store_true",
                    help="where a request's time goes (cProfile over the same subjects)")
    args = ap.parse_args()

    import matchmaking
    from graph_schema.schema import Label
    from graph_schema.store import open_store
    from matchmaking.engine import Engine
    from matchmaking.kinds import Kind

    code = Path(matchmaking.__file__).resolve().parent.parent
    head = subprocess.run(["git", "-C", str(code), "log", "-1", "--format=%h"],
                          capture_output=True, text=True).stdout.strip()
    rows: list[tuple[str, str]] = [("code", f"{code} ({head or 'not a git checkout'})"),
                                   ("load average (1, 5, 15 min) at the start",
                                    ", ".join(f"{x:.2f}" for x in os.getloadavg()))]
    store = open_store(args.store)
    engine = Engine(store, background=False, persist=False)
    t0 = time.perf_counter()
    proj = engine.projection
    rows.append(("projection + feature space build", f"{time.perf_counter() - t0:.2f} s"))
    t0 = time.perf_counter()
    model = engine.model(Kind.SOLUTIONS)
    rows.append(("fit solutions", f"{time.perf_counter() - t0:.2f} s ("
                 + ("learned" if model.learned else "default") + f", {len(model.weights)} "
                 "features)"))
    rc, rs = proj.rows[Label.CITY], proj.rows[Label.SOLUTION]
    rows.append(("data", f"{len(proj.ids):,} nodes, {rc.size:,} cities, {rs.size:,} solutions"))
    city_ids = sorted(proj.ids[r] for r in rc.tolist())
    rng = np.random.default_rng(args.seed)
    pick = [city_ids[i] for i in rng.choice(len(city_ids), size=min(args.subjects,
                                                                    len(city_ids)),
                                            replace=False)]
    fs = engine._snapshot().fs
    Cx = np.arange(rs.size)

    def local(x: str) -> np.ndarray:
        return np.array([proj.local[proj.index[x]]])

    timings: dict[str, Callable[[str], object]] = {
        "features, one city x every solution": lambda x: fs.features(Kind.SOLUTIONS,
                                                                     local(x), Cx)}
    if hasattr(fs, "cohort"):
        from scoring.sparse import select_cols, sparse_dot_dense

        recent = fs.city_solution_recent

        def new_two(x: str) -> object:
            S = local(x)
            return fs.national(S, Cx), np.minimum(
                sparse_dot_dense(fs.cohort(S), select_cols(recent, Cx)), 1.0)

        timings["  of which cohort + national"] = new_two  # as matchmaking.kinds.solutions
    timings["Engine.recommend(solutions, k=10)"] = lambda x: engine.recommend(
        Kind.SOLUTIONS, x, k=10)
    gc.collect()
    for name, fn in timings.items():
        _timed(fn, pick[:20])  # warm-up: caches, first-call imports
        wall, cpu = _timed(fn, pick)
        rows.append((f"{name}: wall median / p99 ms", _stats(wall)))
        rows.append((f"{name}: CPU median / p99 ms", _stats(cpu)))
    rows.append(("requests per measure", f"{len(pick)}"))
    if args.profile:
        rows += _profile(timings["Engine.recommend(solutions, k=10)"], pick)
    rows.append(("load average (1, 5, 15 min) at the end",
                 ", ".join(f"{x:.2f}" for x in os.getloadavg())))
    store.close()
    print_measures(rows)


if __name__ == "__main__":
    main()
