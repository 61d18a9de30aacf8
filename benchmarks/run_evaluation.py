"""The offline evaluation behind docs/evaluation.md: demo data at two scales and real data.

    .venv/bin/python benchmarks/run_evaluation.py [--scales bsc,small] [--plots docs/img]

For each demo scale it generates the ecosystem (seed 42), imports it into a temporary
embedded store and runs ``matchmaking.evaluation.evaluate`` (all kinds). If the real
EU city-cooperation data is present beside the repository
(``../shared/benchmarks/eu-city-cooperation/interchange``), it evaluates the ``solutions``
kind on it too. It prints Markdown tables and writes one PNG per kind and dataset.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from graph_schema.interchange import import_dataset
from graph_schema.sqlite_store import SQLiteStore
from matchmaking.demo import write_dataset
from matchmaking.evaluation import evaluate, format_table, plot
from matchmaking.kinds import Kind

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "benchmarks" / "eu-city-cooperation" / "interchange"


def run(name: str, data: Path, kinds: list[Kind] | None, plots: Path, max_cases: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "eval.db")
        store.init()
        report = import_dataset(store, data)
        assert report.ok, report.errors[:5]
        started = time.perf_counter()
        result = evaluate(
            store,
            kinds or tuple(Kind),
            max_cases=max_cases,
            random_state=0,
        )
        took = time.perf_counter() - started
        store.close()
    info = result.info
    how = "the most recent per subject" if info["temporal"] else "at random"
    print(f"## {name}\n")
    print(
        f"{info['nodes']:,} nodes, {info['relationships']:,} relationships; "
        f"{info['test']:,} held-out links ({how}), "
        f"{info['cold_cities']} cold-start cities; evaluated in {took:.0f} s.\n"
    )
    print(format_table(result))
    for path in plot(result, plots, prefix=f"{name} "):
        print(f"![{path.stem}]({path.relative_to(ROOT / 'docs')})")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="bsc,small")
    parser.add_argument("--plots", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--max-cases", type=int, default=300)
    args = parser.parse_args()
    for scale in [s for s in args.scales.split(",") if s]:
        with tempfile.TemporaryDirectory() as tmp:
            write_dataset(Path(tmp), scale=scale, seed=42)
            run(f"demo-{scale}", Path(tmp), None, args.plots, args.max_cases)
    if REAL.is_dir():
        run("eu-cooperation", REAL, [Kind.SOLUTIONS], args.plots, args.max_cases)
    else:
        print(f"(real data not found at {REAL}; skipped)")


if __name__ == "__main__":
    main()
