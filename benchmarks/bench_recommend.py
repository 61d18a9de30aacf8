"""Benchmark of the recommendation engine on the demo ecosystem.

Builds the demo dataset at the given scale into a temporary SQLite store and measures:
projection build, feature-space build, training, per-kind latency (median / p99 over
``--subjects`` subjects, projection warm, weights fitted), a whole ``recommend --batch`` process
for 1,000 cities, the peak RSS of this process, and our PPR against
``networkx.pagerank(personalization=...)`` on the same graph.

    .venv/bin/python benchmarks/bench_recommend.py --scale bsc
    .venv/bin/python benchmarks/bench_recommend.py --scale x10 --subjects 200
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from report import print_measures  # benchmarks/report.py (this folder is on the path)


def _t() -> float:
    return time.perf_counter()


#: Where a request's time goes: cumulative time of these functions (cProfile), as a share of
#: ``Engine.recommend``. They nest: the PPR walk is part of the features, which exclude it below.
PHASES = {
    "PPR walk": ("pagerank.py", "_solve"),
    "features": ("engine.py", "_features"),
    "explanation": ("engine.py", "_explain"),
    "total": ("engine.py", "recommend"),
}


def _profile(engine: Any, kind: str, subjects: list[str]) -> str:
    """Shares of a request's time: PPR walk, other features, explanation, the rest."""
    prof = cProfile.Profile()
    prof.enable()
    for s in subjects:
        engine.recommend(kind, s, k=10)
    prof.disable()
    stats: dict[Any, Any] = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    cum = dict.fromkeys(PHASES, 0.0)
    for (path, _, func), (_, _, _, ct, _) in stats.items():
        for phase, (file, name) in PHASES.items():
            if path.endswith(file) and func == name:
                cum[phase] += ct
    total = cum["total"] or 1.0
    ppr, feats, expl = cum["PPR walk"], cum["features"] - cum["PPR walk"], cum["explanation"]
    rest = total - ppr - feats - expl
    return (f"PPR walk {ppr / total:.0%}, other features {feats / total:.0%}, "
            f"explanation {expl / total:.0%}, ranking and the rest {rest / total:.0%}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="bsc", choices=["tiny", "small", "bsc", "x10"])
    ap.add_argument("--subjects", type=int, default=500)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--nx-queries", type=int, default=3)
    ap.add_argument("--profile", action="store_true",
                    help="per kind, where a request's time goes (cProfile over 200 subjects)")
    args = ap.parse_args()

    from graph_schema.interchange import import_dataset
    from graph_schema.sqlite_store import SQLiteStore
    from matchmaking.demo import write_dataset
    from matchmaking.engine import Engine
    from matchmaking.features import PPR_ALPHA, FeatureSpace
    from matchmaking.kinds import KINDS, Kind
    from matchmaking.projection import Projection

    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        data, db = Path(tmp) / "data", Path(tmp) / "graph.db"
        t0 = _t()
        write_dataset(data, scale=args.scale, seed=args.seed)
        store = SQLiteStore(db)
        store.init()
        report = import_dataset(store, data)
        assert report.ok, report.errors[:3]
        counts = store.counts()
        n_rels = sum(counts.rels.values())
        rows.append(("dataset", f"{args.scale}: {sum(counts.nodes.values()):,} nodes, "
                                f"{n_rels:,} relationships (generated+imported in "
                                f"{_t() - t0:.1f} s)"))

        rows.append(("load average (1, 5, 15 min) at the start",
                     ", ".join(f"{x:.2f}" for x in os.getloadavg())))
        t0 = _t()
        proj = Projection.from_store(store)
        rows.append(("projection build (from SQLite)", f"{_t() - t0:.2f} s"))
        t0 = _t()
        fs = FeatureSpace(proj)
        rows.append(("feature space build", f"{_t() - t0:.2f} s"))

        engine = Engine(store, background=False)
        t0 = _t()
        engine.fit()
        rows.append(("fit (all six kinds)", f"{_t() - t0:.2f} s"))
        for kind in KINDS:
            m = engine.model(kind)
            top = sorted(m.weights.items(), key=lambda kv: -kv[1])[:3]
            rows.append((f"  weights {kind}", ("learned" if m.learned else "default") + ": "
                         + ", ".join(f"{k}={v:.2f}" for k, v in top)))

        rng = np.random.default_rng(0)
        snap_proj = engine.projection
        collections: list[int] = []
        gc.callbacks.append(lambda phase, info: collections.append(info["generation"])
                            if phase == "start" else None)
        for kind, spec in KINDS.items():
            subj = snap_proj.rows[spec.subject]
            pick = rng.choice(subj, size=min(args.subjects, subj.size), replace=False)
            times, cpu = [], []
            collections.clear()
            for r in pick.tolist():
                t0, c0 = _t(), time.thread_time()
                engine.recommend(kind, snap_proj.ids[r], k=10)
                cpu.append(time.thread_time() - c0)
                times.append(_t() - t0)
            ms, cms = np.asarray(times) * 1000, np.asarray(cpu) * 1000
            rows.append((f"latency {kind}", f"median {np.median(ms):.1f} ms, "
                         f"p99 {np.percentile(ms, 99):.1f} ms (n={ms.size}); CPU median "
                         f"{np.median(cms):.1f} ms, p99 {np.percentile(cms, 99):.1f} ms; "
                         f"GC runs {len(collections)} (full {collections.count(2)})"))
            if args.profile:
                rows.append((f"  profile {kind}", _profile(engine, kind, [
                    snap_proj.ids[r] for r in pick[:200].tolist()])))

        cities = snap_proj.rows[KINDS[Kind.SOLUTIONS].subject][: args.batch]
        t0 = _t()
        engine.recommend(Kind.SOLUTIONS, [snap_proj.ids[r] for r in cities.tolist()], k=10)
        rows.append((f"recommend, batch of {cities.size} cities (in-process)",
                     f"{_t() - t0:.2f} s ({(_t() - t0) / max(cities.size, 1) * 1000:.2f} ms "
                     "per city)"))
        batch = Path(tmp) / "batch.txt"
        batch.write_text("".join(snap_proj.ids[r] + "\n" for r in cities.tolist()))
        t0 = _t()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run(
            [sys.executable, "-m", "matchmaking.cli", "--store", f"sqlite:///{db}",
             "recommend", Kind.SOLUTIONS.value, "--batch", str(batch)],
            capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        wall = _t() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        ok = proc.returncode == 0 and len(proc.stdout.splitlines()) == cities.size
        rows.append((f"recommend --batch ({cities.size} cities, whole process)",
                     f"{wall:.1f} s wall, {cpu:.1f} s CPU"
                     + ("" if ok else f"  FAILED: {proc.stderr[-300:]}")))

        # PPR: ours (cached operator) vs networkx.pagerank on the same weighted graph
        import networkx as nx

        seeds = snap_proj.rows[KINDS[Kind.SOLUTIONS].subject][: args.nx_queries]
        t0 = _t()
        for s in seeds.tolist():
            fs.ppr(np.array([s]))
        ours = (_t() - t0) / seeds.size
        t0 = _t()
        A = fs.ppr_op.PT.T.tocsr().astype(np.float64)
        G = nx.from_scipy_sparse_array(A, create_using=nx.DiGraph)
        conv = _t() - t0
        t0 = _t()
        for s in seeds.tolist():
            nx.pagerank(G, alpha=PPR_ALPHA, personalization={s: 1.0}, tol=1e-6)
        theirs = (_t() - t0) / seeds.size
        rows.append(("PPR per query: ours / networkx",
                     f"{ours * 1000:.1f} ms / {theirs * 1000:.0f} ms (+{conv:.1f} s graph "
                     f"conversion): x{theirs / ours:.0f} faster"))
        rows.append(("load average (1, 5, 15 min) at the end",
                     ", ".join(f"{x:.2f}" for x in os.getloadavg())))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append(("peak RSS (this process)", f"{peak:.0f} MB"))
        store.close()

    print_measures(rows)


if __name__ == "__main__":
    main()
