"""Offline ranking metrics: accuracy (nDCG, recall, MRR) and exposure (coverage, Gini)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["catalogue_coverage", "gini", "mrr", "ndcg_at_k", "recall_at_k", "reciprocal_rank"]

Relevant = Iterable[Hashable] | Mapping[Hashable, float]


def _gains(relevant: Relevant) -> dict[Hashable, float]:
    if isinstance(relevant, Mapping):
        return {key: float(v) for key, v in relevant.items() if float(v) > 0}
    return {key: 1.0 for key in relevant}


def ndcg_at_k(ranked: Sequence[Hashable], relevant: Relevant, k: int) -> float:
    """Normalised discounted cumulative gain of the top ``k`` of ``ranked``.

    ``DCG = sum_{r=1..k} gain(ranked[r]) / log2(r + 1)``, divided by the DCG of the ideal
    order. ``relevant`` is a set (gain 1) or a mapping item -> graded gain. 0 when nothing is
    relevant.

    Examples
    --------
    >>> round(ndcg_at_k(["a", "b", "c", "d", "e"], {"b", "e"}, k=5), 6)
    0.624051
    """
    gains = _gains(relevant)
    if not gains or k <= 0:
        return 0.0
    top = list(ranked)[:k]
    dcg = sum(gains.get(item, 0.0) / np.log2(r + 2) for r, item in enumerate(top))
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum(g / np.log2(r + 2) for r, g in enumerate(ideal))
    return float(dcg / idcg)


def recall_at_k(ranked: Sequence[Hashable], relevant: Iterable[Hashable], k: int) -> float:
    """Share of the relevant items found in the top ``k`` (0 when nothing is relevant).

    Examples
    --------
    >>> recall_at_k(["a", "b", "c", "d", "e"], {"b", "e", "z"}, k=2)
    0.3333333333333333
    """
    rel = set(relevant)
    if not rel:
        return 0.0
    return len(rel.intersection(list(ranked)[: max(k, 0)])) / len(rel)


def reciprocal_rank(ranked: Sequence[Hashable], relevant: Iterable[Hashable]) -> float:
    """``1 / rank`` of the first relevant item (0 if none is ranked).

    Examples
    --------
    >>> reciprocal_rank(["a", "b", "c", "d", "e"], {"c", "e"})
    0.3333333333333333
    """
    rel = set(relevant)
    for r, item in enumerate(ranked, start=1):
        if item in rel:
            return 1.0 / r
    return 0.0


def mrr(
    ranked_lists: Sequence[Sequence[Hashable]], relevant_sets: Sequence[Iterable[Hashable]]
) -> float:
    """Mean reciprocal rank over queries (0 for no queries).

    Examples
    --------
    >>> mrr([["a", "b", "c", "d", "e"], ["e", "d"]], [{"b"}, {"e"}])
    0.75
    """
    if len(ranked_lists) != len(relevant_sets):
        raise ValueError("ranked_lists and relevant_sets must have the same length")
    if not ranked_lists:
        return 0.0
    return float(np.mean([reciprocal_rank(r, s) for r, s in zip(ranked_lists, relevant_sets,
                                                                  strict=True)]))


def catalogue_coverage(all_recs: Iterable[Iterable[Hashable]], n_items: int) -> float:
    """Share of the ``n_items`` catalogue that appears in at least one recommendation list.

    Examples
    --------
    >>> catalogue_coverage([[0, 1], [1, 2], [2, 0]], n_items=5)
    0.6
    """
    if n_items <= 0:
        raise ValueError(f"n_items must be positive, got {n_items}")
    seen: set[Hashable] = set()
    for recs in all_recs:
        seen.update(recs)
    return len(seen) / n_items


def gini(exposure_counts: ArrayLike) -> float:
    """Gini coefficient of exposure counts (0 = equal exposure, -> 1 = all on one item).

    Pass one count per catalogue item, zeros included.
    ``G = sum_i (2 i - n - 1) x_(i) / (n * sum x)`` with ``x`` sorted ascending, ``i = 1..n``.

    Examples
    --------
    >>> gini([0, 0, 0, 0, 10]), gini([2, 2, 2, 2, 2])
    (0.8, 0.0)
    """
    x = np.sort(np.asarray(exposure_counts, dtype=np.float64).ravel())
    if x.size == 0 or x.sum() <= 0:
        return 0.0
    if np.any(x < 0):
        raise ValueError("exposure counts must be >= 0")
    n = x.size
    i = np.arange(1, n + 1)
    return float(np.sum((2 * i - n - 1) * x) / (n * x.sum()))


def lorenz_curve(exposure_counts: ArrayLike, points: int = 21) -> list[tuple[float, float]]:
    """The Lorenz curve of exposure at ``points`` evenly spaced population shares.

    Items are sorted from least to most exposed; each point is ``(share of items, share of
    all exposure those items got)``, linearly interpolated between items. The curve runs from
    ``(0, 0)`` to ``(1, 1)`` and is the diagonal when exposure is equal (no exposure at all
    also gives the diagonal). :func:`gini` is one minus twice the area under the exact curve.

    Examples
    --------
    >>> lorenz_curve([0, 0, 0, 10], points=5)
    [(0.0, 0.0), (0.25, 0.0), (0.5, 0.0), (0.75, 0.0), (1.0, 1.0)]
    >>> lorenz_curve([1, 1], points=3)
    [(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)]
    """
    if points < 2:
        raise ValueError("points must be at least 2")
    x = np.sort(np.asarray(exposure_counts, dtype=np.float64).ravel())
    if np.any(x < 0):
        raise ValueError("exposure counts must be >= 0")
    share = np.linspace(0.0, 1.0, points)
    if x.size == 0 or x.sum() <= 0:
        return [(float(p), float(p)) for p in share]
    pop = np.arange(x.size + 1) / x.size
    cum = np.concatenate([[0.0], np.cumsum(x) / x.sum()])
    return [(round(float(p), 6), round(float(v), 6)) for p, v in
            zip(share, np.interp(share, pop, cum), strict=True)]
