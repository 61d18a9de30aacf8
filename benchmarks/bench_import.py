"""Import and export throughput of the two stores, on a demo ecosystem.

Runs the real ``matchmaking import`` / ``export`` commands as child processes and reports
wall time and the child's peak RSS (from ``wait4``), so the figures are what a user sees.

    .venv/bin/python benchmarks/bench_import.py --scale x10 [--neo4j bolt://127.0.0.1:7687]

Neo4j is used when ``--neo4j`` (or ``MATCHMAKING_TEST_NEO4J_URI``) is given; the benchmark
wipes that database first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str]) -> tuple[float, float]:
    """Run ``cmd``; return (seconds, peak RSS of the child in MiB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return took, usage.ru_maxrss / 1024


def count_lines(path: Path) -> int:
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return sum(1 for _ in fh)


def wipe_neo4j(uri: str) -> None:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=None) as driver:
        while True:
            records, _, _ = driver.execute_query(
                "MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS c"
            )
            if records[0]["c"] == 0:
                break


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="x10")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--neo4j", default=os.environ.get("MATCHMAKING_TEST_NEO4J_URI"))
    args = parser.parse_args()
    mm = [sys.executable, "-m", "matchmaking.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        gen_s, _ = timed([*mm, "demo-data", "--scale", args.scale, "--seed", str(args.seed),
                          "--gzip", str(data)])
        n_nodes = count_lines(data / "nodes.jsonl.gz")
        n_rels = count_lines(data / "relationships.jsonl.gz")
        print(f"dataset: demo {args.scale} seed {args.seed}: {n_nodes:,} nodes, "
              f"{n_rels:,} relationships (generated in {gen_s:.1f} s)")
        stores = [("sqlite", f"sqlite:///{tmp}/bench.db")]
        if args.neo4j:
            stores.append(("neo4j", args.neo4j))
        rows = []
        for name, url in stores:
            if name == "neo4j":
                wipe_neo4j(url)
            imp_s, imp_rss = timed([*mm, "--store", url, "import", str(data)])
            exp_s, exp_rss = timed([*mm, "--store", url, "export", "--gzip", f"{tmp}/out-{name}"])
            rows.append((name, imp_s, n_rels / imp_s, imp_rss, exp_s, exp_rss))
    print()
    print("| store  | import s | rels/s  | import peak RSS MiB | export s | export peak RSS MiB |")
    print("|--------|---------:|--------:|--------------------:|---------:|--------------------:|")
    for name, imp_s, rate, imp_rss, exp_s, exp_rss in rows:
        print(f"| {name:<6} | {imp_s:8.1f} | {rate:7,.0f} | {imp_rss:19.0f} | {exp_s:8.1f} "
              f"| {exp_rss:19.0f} |")


if __name__ == "__main__":
    main()
