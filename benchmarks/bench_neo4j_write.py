"""Time bulk writes into Neo4j through :class:`Neo4jStore`, as the importer does them.

Writes ``--nodes`` Member nodes and ``--rels`` random KNOWS relationships between them, in
batches of ``--batch`` (one ``write`` call each), then re-reads all relationships with
``iter_rels``. The database must be disposable: ``--wipe`` deletes everything first, and the
graph is deleted at the end unless ``--keep`` is given.

Usage::

    scripts/neo4j start
    .venv/bin/python benchmarks/bench_neo4j_write.py "$(cat .neo4j/uri)" --wipe
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator

from graph_schema.neo4j_store import Neo4jStore
from graph_schema.schema import Label, Node, Rel, RelType


def _pairs(n_nodes: int, n_rels: int, seed: int) -> Iterator[tuple[int, int]]:
    rng = random.Random(seed)
    seen: set[tuple[int, int]] = set()
    while len(seen) < n_rels:
        a, b = rng.randrange(n_nodes), rng.randrange(n_nodes)
        if a != b and (a, b) not in seen:
            seen.add((a, b))
            yield a, b


def _batches(items: Iterator[tuple[int, int]], size: int) -> Iterator[list[tuple[int, int]]]:
    batch: list[tuple[int, int]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


#: Empties the database in batches (too big for one transaction; needs ``session.run``).
WIPE_IN_BATCHES = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"


def _wipe(store: Neo4jStore) -> None:
    with store._driver.session(database=store.database) as session:
        session.run(WIPE_IN_BATCHES).consume()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("uri", help="Bolt URI, e.g. bolt://127.0.0.1:7687")
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--rels", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--wipe", action="store_true", help="delete everything first")
    parser.add_argument("--keep", action="store_true", help="keep the graph (default: wipe it)")
    args = parser.parse_args()

    store = Neo4jStore.from_env(args.uri)
    try:
        if args.wipe:
            _wipe(store)
        store.init()

        ids = [f"m:{i:06d}" for i in range(args.nodes)]
        started = time.perf_counter()
        for i in range(0, args.nodes, args.batch):
            store.write([Node(x, Label.MEMBER, {"name": x}) for x in ids[i : i + args.batch]])
        t_nodes = time.perf_counter() - started
        print(f"nodes: {args.nodes:,} in {t_nodes:.1f} s ({args.nodes / t_nodes:,.0f}/s)")

        started = time.perf_counter()
        for batch in _batches(_pairs(args.nodes, args.rels, args.seed), args.batch):
            store.write(rels=[Rel(RelType.KNOWS, ids[a], ids[b], {"w": 1}) for a, b in batch])
        t_rels = time.perf_counter() - started
        print(f"rels:  {args.rels:,} in {t_rels:.1f} s ({args.rels / t_rels:,.0f}/s)")

        started = time.perf_counter()
        n = sum(1 for _ in store.iter_rels(RelType.KNOWS))
        t_read = time.perf_counter() - started
        print(f"iter_rels: {n:,} in {t_read:.1f} s ({n / t_read:,.0f}/s)")
        print(f"counts: {store.counts().rels}")
        if not args.keep:
            _wipe(store)
    finally:
        store.close()


if __name__ == "__main__":
    main()
