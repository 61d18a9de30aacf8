"""Cohorts: who shares a subject's rarer memberships, and what they took up lately.

A city's *cohort* is the ``k`` other cities whose implementations (programmes, networks,
solutions) overlap most with its own, each shared item weighted by its rarity: two cities in
the same small network say more about each other than two signatories of a pact every city
signs. The ``cohort`` feature of a candidate is what share of that cohort took the candidate
up, each adoption weighted by how recent it is: cities that moved together before tend to
join the next programme together, and what a cohort adopted lately says more about what the
subject does next than what it adopted twenty years ago.

The functions are plain sparse-matrix algorithms in the style of :mod:`networkx.algorithms`
(inputs are the ``subjects x items`` incidence, outputs arrays); the engine wires them to the
graph in :class:`matchmaking.features.FeatureSpace`.

References
----------
Sarwar, Karypis, Konstan and Riedl, "Item-based collaborative filtering recommendation
algorithms" (WWW 2001) for the neighbourhood model; Ding and Li, "Time weight collaborative
filtering" (CIKM 2005) for the exponential time decay of old interactions.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from scoring.sparse import dense, select_rows

__all__ = ["cohort_weights", "rarity_weights", "recency_weights", "top_k_weights"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def rarity_weights(X: sp.csr_array) -> FloatArray:
    """Inverse document frequency of each column of a binary ``rows x items`` incidence:
    ``log(active rows / adopters)``; 0 for an item every active row has (or none has).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_array([[1, 1], [1, 0], [1, 0], [0, 0]])
    >>> rarity_weights(X).round(3).tolist()
    [0.0, 1.099]
    """
    active = max(int((np.diff(X.indptr) > 0).sum()), 1)
    adopters = np.asarray(X.sum(axis=0), dtype=np.float64).ravel()
    with np.errstate(divide="ignore"):
        idf = np.log(active / np.maximum(adopters, 1.0))
    return np.where(adopters > 0, np.maximum(idf, 0.0), 0.0)


def recency_weights(X: sp.csr_array, years: sp.csr_array, half_life: float) -> sp.csr_array:
    """``X`` with each link weighted by its age: ``0.5 ** ((latest - year) / half_life)``.

    ``years`` holds the year of each dated link of ``X`` (0 or absent: undated), ``latest``
    is the newest year among them. An undated link gets weight 0: nothing says it is recent.
    Without any dated link the result is ``X`` itself (every link counts fully), so a graph
    without years keeps a plain co-membership signal.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_array([[1.0, 1.0, 1.0]])
    >>> Y = sp.csr_array([[2020, 2018, 0]])
    >>> recency_weights(X, Y, half_life=2.0).toarray().tolist()
    [[1.0, 0.5, 0.0]]
    >>> recency_weights(X, sp.csr_array((1, 3)), half_life=2.0).toarray().tolist()
    [[1.0, 1.0, 1.0]]
    """
    if half_life <= 0:
        raise ValueError(f"half_life must be > 0 years, got {half_life}")
    Yx = sp.csr_array(X.astype(bool).multiply(years))
    Yx.eliminate_zeros()
    if not Yx.nnz:
        return sp.csr_array(X, dtype=np.float64)
    Yx = sp.csr_array(Yx, dtype=np.float64)
    Yx.data = np.exp2(-(Yx.data.max() - Yx.data) / half_life)
    return Yx


def cohort_weights(Xw: sp.csr_array, XwT: sp.csr_array, rows: IntArray, k: int) -> FloatArray:
    """Each of ``rows``' ``k`` nearest other rows by the dot product of rarity-weighted
    incidence rows, as weights that sum to 1 per row (a row sharing nothing: all zeros).

    ``Xw`` is the ``rows x items`` incidence with columns scaled by :func:`rarity_weights`
    (``XwT`` its transpose, as CSR); ties at the ``k``-th similarity are all kept.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> X = sp.csr_array([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [0.0, 0.0, 1.0]])
    >>> cohort_weights(X, sp.csr_array(X.T), np.array([0]), k=2).tolist()
    [[0.0, 0.5, 0.5, 0.0]]
    """
    sim = dense(select_rows(Xw, rows) @ XwT)
    sim[np.arange(rows.size), rows] = 0.0
    return top_k_weights(sim, k)


def top_k_weights(sim: FloatArray, k: int) -> FloatArray:
    """Each row's ``k`` largest similarities (ties at the ``k``-th all kept), the rest 0,
    normalised to sum 1 (a row of zeros stays zeros).

    Examples
    --------
    >>> import numpy as np
    >>> top_k_weights(np.array([[1.0, 1.0, 3.0, 0.0], [0.0, 0.0, 0.0, 0.0]]), k=2).tolist()
    [[0.2, 0.2, 0.6, 0.0], [0.0, 0.0, 0.0, 0.0]]
    """
    n = sim.shape[1]
    if n > k:
        cut = np.partition(sim, n - k, axis=1)[:, n - k][:, None]
        sim = np.where(sim >= cut, sim, 0.0)
    tot = sim.sum(axis=1, keepdims=True)
    return np.divide(sim, tot, out=np.zeros_like(sim), where=tot > 0)
