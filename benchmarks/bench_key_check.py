"""Cost of checking a cached API key against the store's privacy generation (issue 9).

Since revocation applies to the next request in every worker, each authenticated request
reads the store's privacy generation before it trusts its cached key. This measures
``KeyCache.authenticate`` for a cached key, per call, against the reference of the same
call whose generation read is replaced by a constant (the hot path before the change), on
SQLite and, with ``--neo4j URI`` (the database is wiped), on Neo4j. The graph's size does
not matter here (one counter row / one node is read), so the store holds only the
reference data and one key.

    .venv/bin/python benchmarks/bench_key_check.py --neo4j bolt://127.0.0.1:7687
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from api.auth import KeyCache
from graph_schema.store import GraphStore
from matchmaking.keys import create_key


class _FixedGeneration:
    """A store whose privacy generation is a constant: the reference without the read."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    def privacy_generation(self) -> int:
        return 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def _per_call_us(store: Any, token: str, n: int) -> tuple[float, float]:
    cache = KeyCache(ttl=3600)
    cache.authenticate(store, token)  # now cached
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        cache.authenticate(store, token)
        times.append((time.perf_counter() - t0) * 1e6)
    times.sort()
    return statistics.median(times), times[int(0.99 * (len(times) - 1))]


def _row(name: str, store: GraphStore, n: int) -> str:
    _, token = create_key(store, "staff", name="bench")
    ref = _per_call_us(_FixedGeneration(store), token, n)
    now = _per_call_us(store, token, n)
    return (f"| {name} | {ref[0]:.1f} | {ref[1]:.1f} | {now[0]:.1f} | {now[1]:.1f} | "
            f"+{now[0] - ref[0]:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=5000)
    ap.add_argument("--neo4j", help="also on this Neo4j (it is wiped)")
    args = ap.parse_args()
    print(f"{args.calls} calls per cell, µs per authenticated request (cached key), "
          f"{time.strftime('%Y-%m-%d')}\n")
    print("| store | reference median | reference p99 | with the generation check median "
          "| p99 | added (median) |\n|---|---:|---:|---:|---:|---:|")
    from graph_schema.sqlite_store import SQLiteStore

    with tempfile.TemporaryDirectory() as tmp:
        sqlite = SQLiteStore(Path(tmp) / "keys.db")
        sqlite.init()
        print(_row("SQLite", sqlite, args.calls), flush=True)
        sqlite.close()
    if args.neo4j:
        from neo4j import GraphDatabase

        from graph_schema.neo4j_store import Neo4jStore

        with GraphDatabase.driver(args.neo4j) as driver, driver.session() as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS").consume()
        neo = Neo4jStore.from_env(args.neo4j)
        neo.init()
        print(_row("Neo4j 5.26", neo, max(args.calls // 5, 200)), flush=True)
        neo.close()


if __name__ == "__main__":
    main()
