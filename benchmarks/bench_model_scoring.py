"""What the per-kind model selection costs at serving time (issue 8).

    .venv/bin/python benchmarks/bench_model_scoring.py [--scale bsc] [--subjects 200]

Builds the demo dataset into a temporary SQLite store, fits every kind (with the model
selection) and prints, per kind: the winner, the number of candidates, and medians over the
same subjects, measured interleaved so that machine load hits every column alike:

- ``request``: a whole ``Engine.recommend(kind, subject, k=10)``;
- ``linear``: scoring the subject's candidate features with a linear model (``X @ w``);
- ``tree``: scoring them with a tree model of the shipped size
  (:data:`matchmaking.selection.GBRT_PARAMS`, re-ranking :data:`~matchmaking.selection.TREE_POOL`
  candidates), plus the attributions of the top 10, fitted here on the kind's own features
  whatever won (the cost depends on the sizes, not on the values);
- ``added``: ``(tree - linear) / request``, the share a tree winner adds to a request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from graph_schema.interchange import import_dataset
from graph_schema.sqlite_store import SQLiteStore
from matchmaking.demo import write_dataset
from matchmaking.engine import Engine
from matchmaking.kinds import KINDS, Kind
from matchmaking.selection import fit_gbrt
from matchmaking.training import KindModel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="bsc")
    parser.add_argument("--subjects", type=int, default=200)
    args = parser.parse_args()
    os.environ["MATCHMAKING_CACHE"] = "off"
    with tempfile.TemporaryDirectory() as tmp:
        write_dataset(Path(tmp), scale=args.scale, seed=42)
        store = SQLiteStore(Path(tmp) / "b.db")
        store.init()
        import_dataset(store, Path(tmp))
        engine = Engine(store, background=False, persist=False)
        t0 = time.perf_counter()
        engine.fit()
        fit_s = time.perf_counter() - t0
        snap = engine._snapshot()
        print(f"scale {args.scale}, seed 42; fit of all six kinds with selection: {fit_s:.1f} s; "
              f"load average at start {os.getloadavg()[0]:.1f}\n")
        print("| kind | winner | candidates | request ms | linear ms | tree ms | added |")
        print("|---|---|---:|---:|---:|---:|---:|")
        rng = np.random.default_rng(0)
        for kind in Kind:
            spec = KINDS[kind]
            model = engine.model(kind)
            subjects = snap.proj.rows[spec.subject]
            pick = rng.choice(subjects, size=min(args.subjects, subjects.size), replace=False)
            ids = [snap.proj.ids[int(s)] for s in pick]
            X0 = engine._features(snap, kind, np.array(pick[:8], dtype=np.int64))
            rows = X0.reshape(-1, X0.shape[-1])
            w = model.vector()
            y = (rows @ w >= np.quantile(rows @ w, 0.9)).astype(np.int64)
            trees = fit_gbrt(rows, y, 0)
            tree_model = KindModel(kind, model.weights, learned=True, selected="gbrt",
                                   trees=None if trees is None else trees.to_json())
            req, lin, tree = [], [], []
            for sid, s in zip(ids, pick.tolist(), strict=True):
                X = engine._features(snap, kind, np.array([s], dtype=np.int64))[0]
                t = time.perf_counter()
                engine.recommend(kind, sid, k=10)
                req.append(time.perf_counter() - t)
                t = time.perf_counter()
                score = X @ w
                lin.append(time.perf_counter() - t)
                t = time.perf_counter()
                score = tree_model.score(X)
                top = np.argsort(-score)[:10]
                tree_model.contributions(X, top)
                tree.append(time.perf_counter() - t)
            r, a, b = (statistics.median(v) * 1e3 for v in (req, lin, tree))
            print(f"| {kind.value} | {model.selected or model.combiner.split(' (')[0]} "
                  f"| {X0.shape[1]:,} | {r:.2f} | {a:.3f} | {b:.3f} | {(b - a) / r:+.1%} |")
        store.close()
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
