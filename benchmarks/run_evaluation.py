"""The offline evaluation behind docs/evaluation.md: one table per world (issue 8).

    .venv/bin/python benchmarks/run_evaluation.py [--worlds demo,synthetic,eu]
        [--scales bsc] [--synthetic-cities 300] [--seeds 7,8,9] [--max-cases 300] [--full]
        [--plots DIR]

Worlds (:mod:`matchmaking.evaluation.worlds`):

- ``demo``: the demo ecosystem at each of ``--scales`` (seed 42), default split;
- ``synthetic``: the independent generator (:mod:`matchmaking.evaluation.synthetic`,
  seed 7, or each of ``--seeds``), default split, with the generator's oracle ceiling;
- ``eu``: the real EU city-cooperation data under three splits (latest URBACT membership of
  each city with at least 3, a random 20%, and the latest split on the topic-enriched graph),
  when ``../shared/benchmarks/eu-city-cooperation`` is present; skipped otherwise.

Each world's dataset is imported into a temporary embedded store (validated like any
import) and evaluated with ``matchmaking.evaluation.evaluate``. The script prints, per
world, a summary table (every kind: nDCG@10, recall@10, best baseline, hybrid/best,
hybrid/oracle, targets, combiner) and, with ``--full``, every method's row.
"""

from __future__ import annotations

import argparse
import datetime
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from graph_schema.interchange import import_dataset
from graph_schema.sqlite_store import SQLiteStore
from matchmaking.demo import write_dataset
from matchmaking.evaluation import evaluate, format_table, plot
from matchmaking.evaluation.synthetic import generate_world
from matchmaking.evaluation.worlds import (
    EU_ROOT,
    WorldData,
    eu_available,
    eu_worlds,
    summary_table,
)

ROOT = Path(__file__).resolve().parents[1]


def run(world: WorldData, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "eval.db")
        store.init()
        report = import_dataset(store, world.folder)
        if not report.ok:
            raise SystemExit(f"{world.name}: the dataset does not import: {report.errors[:3]}")
        started = time.perf_counter()
        result = evaluate(store, world.kinds, max_cases=args.max_cases, random_state=0,
                          split=world.split, oracle=world.oracle)
        took = time.perf_counter() - started
        store.close()
    info = result.info
    print(f"## {world.name}\n")
    print(f"{info['nodes']:,} nodes, {info['relationships']:,} relationships; split: "
          f"{info['split']}; {info['test']:,} held-out links "
          f"({'by year' if info['temporal'] else 'at random'}), "
          f"{info['cold_cities']} cold-start cities; evaluated in {took:.0f} s.\n")
    print(summary_table(result, world.real))
    print()
    if args.full:
        print(format_table(result))
    if args.plots:
        for path in plot(result, args.plots, prefix=f"{world.name} "):
            print(f"plot: {path}")
    print(flush=True)


def worlds(args: argparse.Namespace, tmp: Path) -> Iterator[WorldData]:
    wanted = [w for w in args.worlds.split(",") if w]
    for name in wanted:
        if name == "demo":
            for scale in [s for s in args.scales.split(",") if s]:
                folder = tmp / f"demo-{scale}"
                write_dataset(folder, scale=scale, seed=42)
                yield WorldData(f"demo-{scale}", folder, None, None, False)
        elif name == "synthetic":
            seeds = [int(s) for s in args.seeds.split(",") if s]
            for seed in seeds:
                t0 = time.perf_counter()
                world = generate_world(seed=seed, cities=args.synthetic_cities)
                folder = tmp / f"synthetic-{seed}"
                world.write(folder)
                print(f"(synthetic world, seed {seed}, generated in "
                      f"{time.perf_counter() - t0:.1f} s)\n")
                label = f"synthetic-{args.synthetic_cities}"
                if seeds != [7]:
                    label += f" seed {seed}"
                yield WorldData(label, folder, None, world.oracle, False)
        elif name == "eu":
            if not eu_available(args.eu_root):
                print(f"(real data not found at {args.eu_root}; the eu worlds are skipped)\n")
                continue
            yield from eu_worlds(args.eu_root, tmp)
        else:
            raise SystemExit(f"unknown world {name!r}; use demo, synthetic or eu")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--worlds", default="demo,synthetic,eu")
    parser.add_argument("--scales", default="bsc", help="demo scales, comma-separated")
    parser.add_argument("--synthetic-cities", type=int, default=300)
    parser.add_argument("--seeds", default="7",
                        help="seeds of the synthetic world, comma-separated (default 7)")
    parser.add_argument("--eu-root", type=Path, default=EU_ROOT)
    parser.add_argument("--max-cases", type=int, default=300)
    parser.add_argument("--full", action="store_true", help="also every method's rows")
    parser.add_argument("--plots", type=Path, help="write one PNG per kind and world here")
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    print(f"# Offline evaluation, {datetime.date.today()}, commit {commit or '?'}\n")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for world in worlds(args, Path(tmp)):
            run(world, args)
    print(f"total: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
