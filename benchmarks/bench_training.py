"""What fitting the per-kind models costs, and the model selection's share of it (issue 8).

    .venv/bin/python benchmarks/bench_training.py [--scale bsc] [--repeat 3]

Builds the demo dataset (seed 42) into a temporary SQLite store, takes the engine's
projection and fits every kind with :func:`matchmaking.training.fit_kind` as
:meth:`Engine.fit` does (upstream kinds first), with the model selection (``select``) and
without it (``plain``: the logistic combiner only), interleaved ``--repeat`` times so that
machine load hits both columns alike. Prints, per kind, the median CPU seconds of the
process (all threads; steadier than wall time on a shared machine) of each, their ratio,
the winner, and then the wall-clock totals and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from graph_schema.interchange import import_dataset
from graph_schema.sqlite_store import SQLiteStore
from matchmaking.demo import write_dataset
from matchmaking.engine import Engine
from matchmaking.kinds import KINDS, Kind
from matchmaking.training import KindModel, fit_kind


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", default="bsc")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        write_dataset(Path(tmp) / "demo", scale=args.scale, seed=42)
        store = SQLiteStore(Path(tmp) / "bench.db")
        store.init()
        import_dataset(store, Path(tmp) / "demo")
        proj = Engine(store, background=False).projection
        times: dict[tuple[Kind, bool], list[float]] = {}
        wall: dict[bool, list[float]] = {True: [], False: []}
        winners: dict[Kind, str] = {}
        for _ in range(args.repeat):
            for select in (True, False):
                models: dict[Kind, KindModel] = {}
                w0 = time.perf_counter()
                for kind in KINDS:  # the registry's order puts upstream kinds first
                    up = KINDS[kind].upstream
                    upstream = models[up].weights if up is not None else None
                    t0 = time.process_time()
                    models[kind] = fit_kind(proj, kind, upstream=upstream, select=select)
                    times.setdefault((kind, select), []).append(time.process_time() - t0)
                    if select:
                        winners[kind] = models[kind].selected or "-"
                wall[select].append(time.perf_counter() - w0)
        store.close()
    print(f"demo {args.scale}, {proj.n:,} nodes; median of {args.repeat} interleaved fits\n")
    print("| kind | plain (CPU s) | select (CPU s) | select / plain | winner |")
    print("|---|---:|---:|---:|---|")
    total = {True: 0.0, False: 0.0}
    for kind in KINDS:
        sel = statistics.median(times[(kind, True)])
        plain = statistics.median(times[(kind, False)])
        total[True] += sel
        total[False] += plain
        print(f"| {kind.value} | {plain:.2f} | {sel:.2f} | {sel / plain:.2f}x | "
              f"{winners[kind]} |")
    print(f"| all kinds | {total[False]:.2f} | {total[True]:.2f} | "
          f"{total[True] / total[False]:.2f}x | |")
    print(f"\nwall clock, all kinds (median): plain {statistics.median(wall[False]):.2f} s, "
          f"select {statistics.median(wall[True]):.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
