"""Per-query personalized PageRank: cached scipy operator vs networkx.

Prints a table of median per-query wall times on random weighted undirected graphs.

    .venv/bin/python benchmarks/bench_ppr.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import networkx as nx
import numpy as np
import scipy.sparse as sp

from scoring import PPROperator


def random_graph(n: int, m: int, seed: int = 0) -> sp.csr_array:
    """Undirected weighted graph with ``m`` random edges, as a symmetric CSR adjacency."""
    rng = np.random.default_rng(seed)
    r = rng.integers(0, n, m)
    c = rng.integers(0, n, m)
    w = rng.uniform(0.1, 1.0, m)
    A = sp.csr_array((w, (r, c)), shape=(n, n))
    A = sp.csr_array(A + A.T)
    A.sum_duplicates()
    return A


def median_ms(fn: Callable[[int], object], seeds: list[int]) -> float:
    times = []
    for s in seeds:
        t = time.perf_counter()
        fn(s)
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def bench(n: int, m: int, reps: int, nx_reps: int) -> list[tuple[str, float]]:
    A = random_graph(n, m)
    seeds = [int(s) for s in np.random.default_rng(1).integers(0, n, reps)]
    t = time.perf_counter()
    op = PPROperator(A, alpha=0.85)
    build = (time.perf_counter() - t) * 1e3
    rows: list[tuple[str, float]] = [("PPROperator build (once)", build)]
    rows.append(("PPROperator.query tol=1e-10", median_ms(lambda s: op.query({s: 1.0}), seeds)))
    rows.append(
        ("PPROperator.query tol=1e-6", median_ms(lambda s: op.query({s: 1.0}, tol=1e-6), seeds))
    )
    rows.append(
        ("PPROperator.push eps=1e-5", median_ms(lambda s: op.push({s: 1.0}, eps=1e-5), seeds))
    )
    rows.append(
        ("PPROperator.push eps=1e-6", median_ms(lambda s: op.push({s: 1.0}, eps=1e-6), seeds))
    )
    k = 16
    P = np.zeros((k, n))
    P[np.arange(k), seeds[:1] * k if len(seeds) < k else seeds[:k]] = 1.0
    t = time.perf_counter()
    op.query_many(P)
    rows.append((f"PPROperator.query_many k={k} tol=1e-10 (per query)",
                 (time.perf_counter() - t) * 1e3 / k))

    nx_seeds = seeds[:nx_reps]
    t = time.perf_counter()
    G = nx.from_scipy_sparse_array(A)  # undirected, same weights
    to_graph = (time.perf_counter() - t) * 1e3
    rows.append(("networkx graph build (once)", to_graph))
    rows.append(("networkx.pagerank default tol (1e-6 * n)",
                 median_ms(lambda s: nx.pagerank(G, personalization={s: 1.0}), nx_seeds)))
    rows.append(("networkx.pagerank tol=1e-10/n",
                 median_ms(lambda s: nx.pagerank(G, personalization={s: 1.0}, tol=1e-10 / n,
                                                 max_iter=500), nx_seeds)))
    # sanity: same answer
    ref = nx.pagerank(G, personalization={seeds[0]: 1.0}, tol=1e-12 / n, max_iter=500)
    ours = op.query({seeds[0]: 1.0})
    err = float(np.abs(ours - np.array([ref[i] for i in range(n)])).sum())
    rows.append(("L1 |ours - networkx| (tight tol)", err))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="only the smallest graph")
    args = ap.parse_args()
    sizes = [(10_000, 50_000, 20, 3), (60_000, 250_000, 20, 2), (100_000, 1_000_000, 10, 1)]
    if args.quick:
        sizes = sizes[:1]
    for n, m, reps, nx_reps in sizes:
        rows = bench(n, m, reps, nx_reps)
        print(f"\n## n={n:,} nodes, m={m:,} undirected edges "
              f"(median of {reps} queries; networkx {nx_reps})")
        base = dict(rows)["PPROperator.query tol=1e-10"]
        print(f"{'method':<52} {'ms/query':>10} {'ratio':>8}")
        for name, ms in rows:
            if name.startswith("L1"):
                print(f"{name:<52} {ms:>10.2e}")
            else:
                print(f"{name:<52} {ms:>10.2f} {ms / base:>8.2f}")


if __name__ == "__main__":
    main()
