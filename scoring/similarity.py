"""Content and attribute similarity: text, sets, city size, cost and KPI needs.

All functions are pure and vectorised; inputs are never mutated. Scores are in [0, 1].
Size, cost and KPI scores come in two forms: a *matrix* form that scores many subjects against
many items at once (what the engine calls: :func:`cost_fit_matrix`, :func:`size_profile` with
:func:`size_fit_matrix`, :func:`kpi_gap_matrix`, :func:`kpi_need_weights`), and a per-city
form (:func:`cost_fit`, :func:`size_fit`, :func:`kpi_gaps`, :func:`kpi_gap_scores`) that is
its one-row case, written on plain values for readers and notebooks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "COST_LEVELS",
    "cosine_similarity_sparse",
    "cost_fit",
    "cost_fit_matrix",
    "jaccard",
    "kpi_gap_matrix",
    "kpi_gap_scores",
    "kpi_gaps",
    "kpi_need_weights",
    "log_size_similarity",
    "set_overlap_matrix",
    "size_fit",
    "size_fit_matrix",
    "size_profile",
    "top_shared_terms",
]

#: Cost level names and their ordinal value (used by :func:`cost_fit`).
COST_LEVELS: dict[str, int] = {"low": 0, "medium": 1, "high": 2}


def cosine_similarity_sparse(X: Any, Y: Any | None = None) -> NDArray[np.float64]:
    """Cosine similarity between the rows of two (sparse) matrices, as a dense array.

    Reference implementation, not called by the engine (the engine's cosines are
    :func:`scoring.sparse.rows_dot` of L2-normalised rows); kept documented and tested for
    notebooks and cross-checks.

    Zero rows have similarity 0 with everything.

    Parameters
    ----------
    X : sparse matrix or array, shape (n_x, d)
    Y : sparse matrix or array, shape (n_y, d), optional (defaults to ``X``)

    Returns
    -------
    numpy.ndarray, shape (n_x, n_y)

    Examples
    --------
    >>> import numpy as np
    >>> cosine_similarity_sparse(np.array([[1, 0], [1, 1], [0, 0], [0, 2], [3, 0]]))[1].round(4)
    array([0.7071, 1.    , 0.    , 0.7071, 0.7071])
    """
    Xs = sp.csr_array(X, dtype=np.float64)
    Ys = Xs if Y is None else sp.csr_array(Y, dtype=np.float64)
    nx_ = np.sqrt(np.asarray(Xs.multiply(Xs).sum(axis=1)).ravel())
    ny_ = np.sqrt(np.asarray(Ys.multiply(Ys).sum(axis=1)).ravel())
    dots = np.asarray((Xs @ Ys.T).toarray())
    den = np.outer(nx_, ny_)
    return np.divide(dots, den, out=np.zeros_like(dots), where=den > 0)


def top_shared_terms(A: sp.csr_array, i: int, B: sp.csr_array, j: int, terms: NDArray[np.str_],
                     k: int = 3) -> list[tuple[str, float]]:
    """Shared terms contributing most to the cosine of row ``i`` of ``A`` and row ``j`` of
    ``B`` (L2-normalised TF-IDF rows over the vocabulary ``terms``).

    The contribution of term ``t`` is ``A[i, t] * B[j, t]``; all contributions sum to the
    cosine. Plain arrays only (no scikit-learn), so a fitted vocabulary can be served without
    the vectorizer that built it (:meth:`scoring.text.TextSimilarity.top_terms` calls this).

    Parameters
    ----------
    A, B : scipy.sparse.csr_array, shape (n_a, n_terms), (n_b, n_terms)
        Rows with sorted column indices (as a TF-IDF vectorizer produces them).
    i, j : int
        The rows of ``A`` and ``B``.
    terms : numpy.ndarray of str, shape (n_terms,)
    k : int, default 3

    Returns
    -------
    list of (str, float)
        Up to ``k`` ``(term, contribution)`` pairs ordered by ``(-contribution, term)``.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> A = sp.csr_array(np.array([[0.6, 0.8, 0.0], [0.0, 0.0, 1.0]]))
    >>> terms = np.array(["air", "parking", "sensors"])
    >>> [(t, round(c, 2)) for t, c in top_shared_terms(A, 0, A, 0, terms)]
    [('parking', 0.64), ('air', 0.36)]
    >>> top_shared_terms(A, 0, A, 1, terms)
    []
    """
    a = slice(A.indptr[i], A.indptr[i + 1])
    b = slice(B.indptr[j], B.indptr[j + 1])
    common, pa, pb = np.intersect1d(A.indices[a], B.indices[b], assume_unique=True,
                                    return_indices=True)
    vals = A.data[a][pa] * B.data[b][pb]
    nz = vals != 0
    names, vals = terms[common[nz]], vals[nz]
    order = np.lexsort((names, -vals))[:k]
    return [(str(names[t]), float(vals[t])) for t in order]


# --------------------------------------------------------------------------------------------
# sets


def jaccard(a_sets: Iterable[Iterable[Any]], b_set: Iterable[Any]) -> NDArray[np.float64]:
    """Jaccard similarity of each set in ``a_sets`` with ``b_set`` (0 when both are empty).

    Reference implementation, not called by the engine (it works on incidence matrices
    (:func:`set_overlap_matrix`)); kept documented and tested for notebooks and cross-checks.

    Examples
    --------
    >>> jaccard([{1, 2}, {2, 3, 4}, set(), {9}, {1, 2, 3}], {1, 2, 3}).round(4).tolist()
    [0.6667, 0.5, 0.0, 0.0, 1.0]
    """
    b = set(b_set)
    out = []
    for a in a_sets:
        s = set(a)
        union = len(s | b)
        out.append(len(s & b) / union if union else 0.0)
    return np.asarray(out, dtype=np.float64)


def set_overlap_matrix(X_bin: Any, Y_bin: Any) -> sp.csr_array:
    """Jaccard similarity between every row of ``X_bin`` and every row of ``Y_bin``.

    Reference implementation, not called by the engine (it uses cosines of normalised
    incidences); kept documented and tested for notebooks and cross-checks.

    Rows are sets encoded as binary incidence rows (any non-zero is membership).
    ``J = |x & y| / (|x| + |y| - |x & y|)``; pairs without overlap are not stored.

    Returns
    -------
    scipy.sparse.csr_array, shape (n_x, n_y)

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1, 1, 0, 0], [0, 0, 1, 1], [1, 1, 1, 1], [0, 0, 0, 0], [1, 0, 0, 0]])
    >>> set_overlap_matrix(X, X[:1]).toarray().ravel().round(4).tolist()
    [1.0, 0.0, 0.5, 0.0, 0.5]
    """
    X = sp.csr_array(X_bin, dtype=np.float64, copy=True)
    Y = sp.csr_array(Y_bin, dtype=np.float64, copy=True)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X_bin and Y_bin need the same number of columns: {X.shape}, {Y.shape}")
    X.eliminate_zeros()
    Y.eliminate_zeros()
    X.data[:] = 1.0
    Y.data[:] = 1.0
    inter = sp.csr_array(X @ Y.T)
    inter.sum_duplicates()
    nx_ = np.diff(X.indptr).astype(np.float64)
    ny_ = np.diff(Y.indptr).astype(np.float64)
    ri = np.repeat(np.arange(inter.shape[0]), np.diff(inter.indptr))
    inter.data = inter.data / (nx_[ri] + ny_[inter.indices] - inter.data)
    return inter


# --------------------------------------------------------------------------------------------
# size, cost


def _log10_pop(pop: ArrayLike) -> NDArray[np.float64]:
    p = np.asarray(pop, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isfinite(p) & (p > 0), np.log10(np.where(p > 0, p, 1.0)), np.nan)


def log_size_similarity(
    pop_a: ArrayLike, pop_b: ArrayLike, *, missing: float = 0.5
) -> NDArray[np.float64]:
    """Size similarity ``1 / (1 + |log10(pop_a / pop_b)|)`` (broadcasting).

    1 for equal populations, 0.5 for a factor 10, 1/3 for a factor 100. Missing or
    non-positive populations give the neutral ``missing`` value.

    Examples
    --------
    >>> log_size_similarity([1e5, 1e6, 1e7, 0, 1e5], 1e5).round(4).tolist()
    [1.0, 0.5, 0.3333, 0.5, 1.0]
    """
    d = np.abs(_log10_pop(pop_a) - _log10_pop(pop_b))
    return np.where(np.isnan(d), missing, 1.0 / (1.0 + d))


def size_fit(
    pop: float,
    implementer_pops_per_item: Sequence[ArrayLike],
    *,
    min_std: float = 0.25,
    neutral: float = 0.5,
) -> NDArray[np.float64]:
    """How typical a city's size is among the cities that implemented each item.

    For item ``i`` with implementer log10-populations of mean ``m_i`` and standard deviation
    ``s_i`` (floored at ``min_std`` decades, so a single implementer still defines a bump),
    the score is the Gaussian kernel ``exp(-0.5 * ((log10(pop) - m_i) / s_i) ** 2)``.
    Items without (valid) implementers, and a missing ``pop``, get ``neutral``.

    Parameters
    ----------
    pop : float
        Population of the city.
    implementer_pops_per_item : sequence of array-like
        For each item, the populations of the cities that implemented it.

    Returns
    -------
    numpy.ndarray, shape (n_items,)

    Examples
    --------
    >>> size_fit(1e5, [[1e5, 1e5], [1e7], [], [1e4, 1e6], [1e6, 1e8]]).round(4).tolist()
    [1.0, 0.0, 0.5, 1.0, 0.1353]
    """
    n_items = len(implementer_pops_per_item)
    lens = np.array([np.size(v) for v in implementer_pops_per_item], dtype=np.intp)
    flat = (
        np.concatenate([np.ravel(np.asarray(v, dtype=np.float64)) for v in
                        implementer_pops_per_item])
        if n_items and lens.sum() else np.zeros(0)
    )
    # implementer x item incidence: implementer j of item i is row j of the flat list
    item_of = np.repeat(np.arange(n_items), lens)
    incidence = sp.csr_array((np.ones(flat.size), (np.arange(flat.size), item_of)),
                             shape=(flat.size, n_items))
    mean, std, has = size_profile(incidence, _log10_pop(flat), min_std=min_std)
    return size_fit_matrix(_log10_pop([pop]), mean, std, has, neutral=neutral)[0]


def size_profile(
    incidence: Any, log_sizes: ArrayLike, *, min_std: float = 0.25
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Log-size profile of each item's implementers: mean, floored std, and whether it has any.

    Parameters
    ----------
    incidence : sparse matrix, shape (n_cities, n_items)
        1 where the city implemented the item.
    log_sizes : array-like, shape (n_cities,)
        log10 of each city's size (NaN = unknown; such cities are left out).
    min_std : float
        Floor of the standard deviation, in decades (one implementer still defines a bump).

    Returns
    -------
    mean, std, has : numpy.ndarray, each shape (n_items,)
    """
    lp = np.asarray(log_sizes, dtype=np.float64)
    known = np.isfinite(lp)
    lp0 = np.where(known, lp, 0.0)
    It = sp.csr_array(sp.csr_array(incidence, dtype=np.float64).T)
    cnt = It @ known.astype(float)
    s1 = It @ lp0
    s2 = It @ (lp0**2)
    mean = np.divide(s1, cnt, out=np.zeros_like(s1), where=cnt > 0)
    var = np.divide(s2, cnt, out=np.zeros_like(s2), where=cnt > 0) - mean**2
    return mean, np.maximum(np.sqrt(np.maximum(var, 0.0)), min_std), cnt > 0


def size_fit_matrix(
    log_sizes: ArrayLike,
    mean: ArrayLike,
    std: ArrayLike,
    has: ArrayLike,
    *,
    neutral: float = 0.5,
) -> NDArray[np.float64]:
    """:func:`size_fit` of many cities (rows) against many items (columns).

    ``exp(-0.5 * ((log_size - mean) / std) ** 2)``; an unknown size, or an item without
    implementers (``has`` false), gives ``neutral``. ``mean, std, has`` come from
    :func:`size_profile`.

    Examples
    --------
    >>> size_fit_matrix([5.0, float("nan")], [5.0, 7.0], [0.25, 1.0], [True, False]).tolist()
    [[1.0, 0.5], [0.5, 0.5]]
    """
    x = np.asarray(log_sizes, dtype=np.float64)[:, None]
    m = np.asarray(mean, dtype=np.float64)[None, :]
    sd = np.asarray(std, dtype=np.float64)[None, :]
    ok = np.asarray(has, dtype=bool)[None, :]
    z = (x - m) / sd
    score = np.exp(-0.5 * z**2)
    return np.where(np.isnan(x) | ~ok, neutral, score)


def cost_fit(
    budget_or_pop: float | None,
    cost_levels: Sequence[str | int | None],
    *,
    band_edges: tuple[float, float] = (1e5, 1e6),
    neutral: float = 0.5,
) -> NDArray[np.float64]:
    """Affordability of each item's cost level for a city.

    The city falls in band 0, 1 or 2 by ``budget_or_pop`` against ``band_edges``
    (default: population below 100k, 100k-1M, above 1M; pass budget edges if you score by
    budget). Cost levels ``"low"/"medium"/"high"`` (or 0/1/2) map to 0/1/2. The score is
    ``1 - 0.5 * max(0, level - band)``: 1 when the item is within the city's band, 0.5 one
    band above, 0 two bands above. An unknown city size or cost level gives ``neutral``.

    Examples
    --------
    >>> cost_fit(5e5, ["low", "medium", "high", None, 2]).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.5]
    >>> cost_fit(2e4, ["high"]).tolist(), cost_fit(None, ["low"]).tolist()
    ([0.0], [0.5])
    """
    levels = np.array([_cost_level(c) for c in cost_levels], dtype=np.float64)
    b = np.nan if budget_or_pop is None else float(budget_or_pop)
    if not np.isfinite(b) or b <= 0:
        return np.full(levels.shape, neutral)
    band = float(np.searchsorted(np.asarray(band_edges, dtype=np.float64), b, side="right"))
    return cost_fit_matrix(np.array([band]), levels, neutral=neutral)[0]


def cost_fit_matrix(
    bands: ArrayLike, levels: ArrayLike, *, neutral: float = 0.5
) -> NDArray[np.float64]:
    """:func:`cost_fit` of many cities (size bands 0/1/2, rows) and cost levels (columns).

    ``1 - 0.5 * max(0, level - band)`` clipped to [0, 1]; NaN band or level gives ``neutral``.

    Examples
    --------
    >>> import numpy as np
    >>> cost_fit_matrix([0.0, 2.0, np.nan], [0.0, 2.0]).tolist()
    [[1.0, 0.0], [1.0, 1.0], [0.5, 0.5]]
    """
    b = np.asarray(bands, dtype=np.float64)[:, None]
    lv = np.asarray(levels, dtype=np.float64)[None, :]
    score = 1.0 - 0.5 * np.maximum(0.0, lv - b)
    return np.where(np.isnan(b) | np.isnan(lv), neutral, np.clip(score, 0.0, 1.0))


def _cost_level(c: str | int | None) -> float:
    if c is None:
        return np.nan
    if isinstance(c, str):
        return float(COST_LEVELS.get(c.strip().lower(), np.nan))
    v = float(c)
    return v if v in (0.0, 1.0, 2.0) else np.nan


# --------------------------------------------------------------------------------------------
# KPIs


def kpi_gaps(
    values: ArrayLike, directions: Sequence[str | bool], reference_values: ArrayLike
) -> NDArray[np.float64]:
    """Turn a city's raw KPI values into gaps in [0, 1] (1 = worst among all cities).

    For each KPI the gap is ``1 - percentile rank`` of the city's value among the non-missing
    ``reference_values`` (mid-rank: share strictly worse plus half the ties), where "worse"
    means lower for ``"higher_is_better"`` and higher for ``"lower_is_better"``. A missing city
    value, or a KPI nobody reports, gives gap 0 (no evidence of need).

    Parameters
    ----------
    values : array-like, shape (n_kpis,)
        The city's values (NaN = missing).
    directions : sequence of str or bool, length n_kpis
        ``"higher_is_better"`` / ``"lower_is_better"``, or ``True`` for higher-is-better.
    reference_values : array-like, shape (n_cities, n_kpis)
        Values of all cities (NaN = missing), usually including this city.

    Examples
    --------
    >>> import numpy as np
    >>> ref = np.array([[10, 1.0], [20, 2.0], [30, 3.0], [40, 4.0], [50, np.nan]])
    >>> kpi_gaps([10, 1.0], ["higher_is_better", "lower_is_better"], ref).tolist()
    [0.9, 0.125]
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    ref = np.atleast_2d(np.asarray(reference_values, dtype=np.float64))
    if ref.shape[1] != v.size or len(directions) != v.size:
        raise ValueError(
            f"values ({v.size}), directions ({len(directions)}) and reference_values columns "
            f"({ref.shape[1]}) must have the same number of KPIs"
        )
    higher = np.array([_higher_is_better(d) for d in directions], dtype=bool)
    sign = np.where(higher, 1.0, -1.0)
    v_s = v * sign
    r_s = ref * sign
    valid = ~np.isnan(r_s)
    n_valid = valid.sum(axis=0)
    with np.errstate(invalid="ignore"):
        below = ((r_s < v_s) & valid).sum(axis=0)
        ties = ((r_s == v_s) & valid).sum(axis=0)
    ok = (n_valid > 0) & ~np.isnan(v)
    rank = np.divide(below + 0.5 * ties, n_valid, out=np.zeros(v.size), where=n_valid > 0)
    return np.where(ok, 1.0 - rank, 0.0)


def kpi_gap_matrix(values: ArrayLike, higher_is_better: ArrayLike) -> NDArray[np.float64]:
    """:func:`kpi_gaps` of every city at once: ``out[i]`` is city ``i``'s gaps against all rows.

    Parameters
    ----------
    values : array-like, shape (n_cities, n_kpis)
        NaN = missing (gap 0).
    higher_is_better : array-like of bool, shape (n_kpis,)

    Examples
    --------
    >>> import numpy as np
    >>> ref = np.array([[10, 1.0], [20, 2.0], [30, 3.0], [40, 4.0], [50, np.nan]])
    >>> kpi_gap_matrix(ref, [True, False])[0].tolist()
    [0.9, 0.125]
    """
    V = np.atleast_2d(np.asarray(values, dtype=np.float64))
    sign = np.where(np.asarray(higher_is_better, dtype=bool), 1.0, -1.0)
    Vs = V * sign
    gaps = np.zeros_like(V)
    for j in range(V.shape[1]):  # per KPI: gap = 1 - mid-rank percentile
        col = Vs[:, j]
        ok = np.isfinite(col)
        nv = int(ok.sum())
        if not nv:
            continue
        vals = col[ok]
        srt = np.sort(vals)
        below = np.searchsorted(srt, vals, side="left")
        ties = np.searchsorted(srt, vals, side="right") - below
        gaps[ok, j] = 1.0 - (below + 0.5 * ties) / nv
    return gaps


def kpi_need_weights(gaps: ArrayLike, *, power: float = 2.0) -> NDArray[np.float64]:
    """Each city's KPI gaps as need weights: ``g ** power`` normalised to sum 1 per row.

    ``kpi_need_weights(gaps) @ improves.T`` is :func:`kpi_gap_scores` for every city.

    Examples
    --------
    >>> kpi_need_weights([[1.0, 0.5, 0.0], [0.0, 0.0, 0.0]]).tolist()
    [[0.8, 0.2, 0.0], [0.0, 0.0, 0.0]]
    """
    g = np.nan_to_num(np.atleast_2d(np.asarray(gaps, dtype=np.float64)), nan=0.0)
    w = np.clip(g, 0.0, 1.0) ** power
    total = w.sum(axis=1, keepdims=True)
    return np.divide(w, total, out=np.zeros_like(w), where=total > 0)


def _higher_is_better(d: str | bool) -> bool:
    if isinstance(d, bool | np.bool_):
        return bool(d)
    key = str(d).strip().lower()
    if key in {"higher_is_better", "higher", "up"}:
        return True
    if key in {"lower_is_better", "lower", "down"}:
        return False
    raise ValueError(f"unknown KPI direction {d!r}; use 'higher_is_better' or 'lower_is_better'")


def kpi_gap_scores(
    city_kpi_gaps: ArrayLike, improves: Any, *, power: float = 2.0
) -> NDArray[np.float64]:
    """How much of a city's KPI need each item addresses, in [0, 1].

    ``s_i = sum_k I[i, k] * g_k ** power / sum_k g_k ** power`` with ``I`` clipped to [0, 1]
    (1 = the item improves KPI ``k``; fractions = partial strength). ``power > 1`` emphasises
    the weakest KPIs. A city without gaps gets 0 for every item. NaN gaps count as 0.

    Parameters
    ----------
    city_kpi_gaps : array-like, shape (n_kpis,)
        Output of :func:`kpi_gaps`.
    improves : sparse matrix, shape (n_items, n_kpis)

    Returns
    -------
    numpy.ndarray, shape (n_items,)

    Examples
    --------
    >>> import numpy as np
    >>> gaps = np.array([1.0, 0.5, 0.0])
    >>> I = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [0, 0, 0]])
    >>> kpi_gap_scores(gaps, I).tolist()
    [0.8, 0.2, 0.0, 1.0, 0.0]
    """
    g = np.nan_to_num(np.asarray(city_kpi_gaps, dtype=np.float64).ravel(), nan=0.0)
    Ims = sp.csr_array(improves, dtype=np.float64, copy=True)
    if Ims.shape[1] != g.size:
        raise ValueError(f"improves has {Ims.shape[1]} KPI columns but there are {g.size} gaps")
    Ims.data = np.clip(Ims.data, 0.0, 1.0)
    return np.asarray(Ims @ kpi_need_weights(g[None, :], power=power)[0]).ravel()
