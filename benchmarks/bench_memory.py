"""Resident memory of a serving process: the projection loaded, then after training.

Runs in a fresh process against an existing store, so the figure is the engine's, not a
data generator's or importer's:

    .venv/bin/matchmaking demo-data --scale x10 /tmp/x10 && \\
    .venv/bin/matchmaking --store sqlite:////tmp/x10.db import /tmp/x10
    .venv/bin/python benchmarks/bench_memory.py sqlite:////tmp/x10.db
"""

from __future__ import annotations

import resource
import sys
import time


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    from graph_schema.store import open_store
    from matchmaking.engine import Engine

    store = open_store(sys.argv[1])
    counts = store.counts()
    print(f"store: {sum(counts.nodes.values()):,} nodes, {sum(counts.rels.values()):,} rels")
    print(f"{'measure':<44} value")
    print(f"{'RSS after imports':<44} {rss_mib():8.0f} MiB")
    started = time.perf_counter()
    engine = Engine(store, refresh_interval=3600)
    engine.refresh(force=True)
    print(f"{'projection + feature space build':<44} {time.perf_counter() - started:8.1f} s")
    print(f"{'RSS with the projection loaded':<44} {rss_mib():8.0f} MiB")
    started = time.perf_counter()
    engine.fit()
    print(f"{'fit (all six kinds)':<44} {time.perf_counter() - started:8.1f} s")
    print(f"{'RSS after fit':<44} {rss_mib():8.0f} MiB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak RSS of the process':<44} {peak:8.0f} MiB")


if __name__ == "__main__":
    main()
