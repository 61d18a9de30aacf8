"""Cost and size limit of all-or-nothing imports (one transaction per import).

For each demo scale and store it imports the dataset twice into a wiped store, in child
processes, and prints one table row per run:

- ``one tx``: ``import_dataset`` as shipped (validation, then every batch in ONE
  transaction through ``GraphStore.write_all``);
- ``per batch``: the reference, the same import with the transaction boundaries of before:
  one ``GraphStore.write`` transaction per batch of 5,000 lines (not atomic).

A run that fails (e.g. Neo4j running out of transaction memory) is reported with its error.
On Neo4j a thread polls ``SHOW TRANSACTIONS`` every 0.2 s and reports the largest
``estimatedUsedHeapMemory`` of a write transaction seen, which gives the transaction memory
an import needs per record.

    .venv/bin/python benchmarks/bench_import_atomic.py --scales bsc x10 \\
        [--neo4j bolt://127.0.0.1:7687] [--reference-scales bsc]
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
MATCHMAKING = str(Path(sys.executable).parent / "matchmaking")

IMPORT = """
import sys
from graph_schema.interchange import import_dataset
from graph_schema.store import open_store

store = open_store(sys.argv[1])
store.init()
if sys.argv[3] == "per batch":
    # The same import, with the transaction boundaries of before: one per batch.
    store.write_all = lambda batches: [store.write(n, r) for n, r in batches]
assert import_dataset(store, sys.argv[2]).ok
"""


def run(cmd: list[str]) -> tuple[float, float, str]:
    """Run ``cmd``; return (seconds, child's peak RSS in MiB, '' or the last error line)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - started
    err = ""
    if os.waitstatus_to_exitcode(status) != 0:
        text = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        err = (text.strip().splitlines() or ["failed"])[-1][:150]
    return took, usage.ru_maxrss / 1024, err


class TxMemory:
    """Polls Neo4j for the largest heap estimate of any open transaction, in a thread."""

    def __init__(self, url: str) -> None:
        import threading

        from neo4j import GraphDatabase

        self.driver = GraphDatabase.driver(url, auth=None)
        self.peak = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        while not self.done.wait(0.2):
            try:
                records, _, _ = self.driver.execute_query(
                    "SHOW TRANSACTIONS YIELD estimatedUsedHeapMemory AS m RETURN max(m) AS m"
                )
            except Exception:  # noqa: BLE001 - a probe must not stop the benchmark
                continue
            self.peak = max(self.peak, int(records[0]["m"] or 0))

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        self.driver.close()
        return self.peak


def wipe(name: str, url: str) -> None:
    if name == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        return
    from benchmarks.bench_import import wipe_neo4j

    wipe_neo4j(url)


def count(url: str) -> tuple[int, int]:
    from graph_schema.store import open_store

    store = open_store(url)
    try:
        c = store.counts()
        return sum(c.nodes.values()), sum(c.rels.values())
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["bsc"])
    parser.add_argument("--reference-scales", nargs="*", default=None,
                        help="scales that also get the per-batch reference (default: all)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--neo4j", default=os.environ.get("MATCHMAKING_TEST_NEO4J_URI"))
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    reference = set(args.scales if args.reference_scales is None else args.reference_scales)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        stores = [] if args.no_sqlite else [("sqlite", f"sqlite:///{tmp}/bench.db")]
        if args.neo4j:
            stores.append(("neo4j", args.neo4j))
        for scale in args.scales:
            data = Path(tmp) / scale
            subprocess.run([MATCHMAKING, "demo-data", "--scale", scale, "--seed",
                            str(args.seed), "--gzip", str(data)], check=True,
                           stdout=subprocess.DEVNULL)
            for name, url in stores:
                modes = ["one tx", "per batch"] if scale in reference else ["one tx"]
                for mode in modes:
                    wipe(name, url)
                    probe = TxMemory(url) if name == "neo4j" else None
                    took, rss, err = run([sys.executable, "-c", IMPORT, url, str(data), mode])
                    peak = probe.stop() if probe else 0
                    nodes, rels = count(url)
                    rows.append((scale, name, mode, nodes, rels, took, rss, peak, err or "ok"))
                    print(f"  {scale} {name} {mode}: {took:.1f} s {err}", file=sys.stderr)
    print("| scale | store | mode | nodes after | rels after | s | client peak RSS MiB "
          "| Neo4j tx peak MiB | result |")
    print("|---|---|---|--:|--:|--:|--:|--:|---|")
    for scale, name, mode, nodes, rels, took, rss, peak, result in rows:
        tx = f"{peak / 1024**2:.0f}" if peak else "-"
        print(f"| {scale} | {name} | {mode} | {nodes:,} | {rels:,} | {took:.1f} | {rss:.0f} "
              f"| {tx} | {result} |")


if __name__ == "__main__":
    main()
