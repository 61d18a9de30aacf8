"""Cost of grouping and of list-level reasons, on the demo ecosystem.

Builds the demo at the given scale into a temporary SQLite store, fits the engine, then
times ``Engine.recommend(kind, subject, k=10)`` in-process (projection warm) for
``--subjects`` subjects per kind: median and p99, grouped (the default) against
``group=False`` in the same run, in alternating passes (the reference). Also the
one-off cost of the solution groups per projection, and how many ideas and offers (with
``also_offered_by``) a list shows.

    .venv/bin/python benchmarks/bench_reasons.py --scale bsc
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

ROUNDS = 3  # alternating passes of grouped and ungrouped solutions


def _pct(xs: list[float]) -> tuple[float, float]:
    a = np.asarray(xs) * 1000
    return float(np.median(a)), float(np.percentile(a, 99))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="bsc", choices=["tiny", "small", "bsc", "x10"])
    ap.add_argument("--subjects", type=int, default=200)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    from graph_schema.interchange import import_dataset
    from graph_schema.sqlite_store import SQLiteStore
    from matchmaking.demo import write_dataset
    from matchmaking.engine import Engine
    from matchmaking.filtering import RecommendOptions
    from matchmaking.grouping import solution_groups
    from matchmaking.kinds import KINDS, Kind

    with tempfile.TemporaryDirectory() as tmp:
        write_dataset(Path(tmp) / "data", scale=args.scale, seed=args.seed)
        store = SQLiteStore(Path(tmp) / "g.db")
        store.init()
        assert import_dataset(store, Path(tmp) / "data").ok
        engine = Engine(store, background=False, persist=False).fit()
        snap = engine._snapshot()
        proj = snap.proj
        t0 = time.perf_counter()
        groups = solution_groups(proj, snap.fs.provider_solution)
        t_groups = time.perf_counter() - t0
        print(f"# bench_reasons: demo {args.scale} (seed {args.seed}), {proj.n:,} nodes; "
              f"{args.subjects} subjects per kind, k=10, in-process, projection warm\n")
        print(f"solution groups: {len(set(groups.tolist()))} ideas from {groups.size} "
              f"solutions, computed once per projection in {t_groups * 1000:.0f} ms\n")
        print("| kind | options | median ms | p99 ms | ideas / offers in top 10 |")
        print("|---|---|---:|---:|---|")
        for kind in Kind:
            lab = KINDS[kind].subject
            subjects = [proj.ids[int(r)] for r in proj.rows[lab]]
            step = max(1, len(subjects) // args.subjects)
            subjects = subjects[::step][:args.subjects]
            variants = [("default", RecommendOptions())]
            if kind is Kind.SOLUTIONS:
                variants.append(("group=false", RecommendOptions(group=False)))
            # Whole passes over the subjects, the variants alternating for ROUNDS rounds: a
            # change of the machine's load falls on both alike, and no pass reuses the walks
            # of the one before (the walk cache holds fewer subjects than a pass).
            times: dict[str, list[float]] = {name: [] for name, _ in variants}
            shown = dict.fromkeys(times, 0)
            offers = dict.fromkeys(times, 0)
            for _ in range(ROUNDS if len(variants) > 1 else 1):
                for name, options in variants:
                    for sid in subjects:
                        t0 = time.perf_counter()
                        recs = engine.recommend(kind, sid, k=10, options=options)
                        times[name].append(time.perf_counter() - t0)
                        shown[name] += len(recs)
                        offers[name] += len(recs) + sum(len(r.also_offered_by) for r in recs)
            for name, _ in variants:
                med, p99 = _pct(times[name])
                n = len(times[name])
                print(f"| {kind} | {name} | {med:.1f} | {p99:.1f} | "
                      f"{shown[name] / n:.1f} / {offers[name] / n:.1f} |")
        store.close()


if __name__ == "__main__":
    main()
