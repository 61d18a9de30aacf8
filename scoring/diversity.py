"""Re-ranking for diversity."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

__all__ = ["mmr"]


def mmr(
    scores: ArrayLike,
    X: Any,
    k: int,
    lambda_: float = 0.7,
    *,
    precomputed: bool = True,
) -> NDArray[np.intp]:
    """Maximal marginal relevance re-ranking (Carbonell & Goldstein, 1998).

    Greedily picks ``argmax_i lambda_ * scores[i] - (1 - lambda_) * max_{j in S} sim(i, j)``;
    the first pick is the best score. Ties break by ``(-value, index)``. Items with NaN or
    ``-inf`` scores are never picked.

    Parameters
    ----------
    scores : array-like, shape (n,)
        Relevance, ideally on the scale of the similarities (e.g. in [0, 1]).
    X : array or sparse matrix
        ``(n, n)`` similarity matrix if ``precomputed``, else ``(n, d)`` item vectors compared
        by cosine similarity.
    k : int
        Number of items to return (at most the number of pickable items).
    lambda_ : float, default 0.7
        1 = pure relevance, 0 = pure diversity.
    precomputed : bool, default True

    Returns
    -------
    numpy.ndarray of int, shape (<= k,)
        Indices into ``scores`` in pick order.

    Examples
    --------
    >>> import numpy as np
    >>> scores = np.array([0.9, 0.85, 0.5, 0.4, 0.1])
    >>> S = np.eye(5); S[0, 1] = S[1, 0] = 0.95   # items 0 and 1 are near duplicates
    >>> mmr(scores, S, k=3, lambda_=0.5).tolist()
    [0, 2, 3]
    >>> mmr(scores, S, k=3, lambda_=1.0).tolist()
    [0, 1, 2]
    """
    s = np.asarray(scores, dtype=np.float64).ravel()
    n = s.size
    if not 0.0 <= lambda_ <= 1.0:
        raise ValueError(f"lambda_ must be in [0, 1], got {lambda_}")
    sim = _similarity(X, n, precomputed)
    pickable = np.isfinite(s)
    k = int(min(max(k, 0), int(pickable.sum())))
    max_sim = np.zeros(n)
    chosen: list[int] = []
    taken = ~pickable
    for step in range(k):
        value = lambda_ * s - (1.0 - lambda_) * max_sim if step else s.copy()
        value[taken] = -np.inf
        i = int(np.argmax(value))  # first maximum = lowest index among ties
        chosen.append(i)
        taken[i] = True
        np.maximum(max_sim, sim[i], out=max_sim)
    return np.asarray(chosen, dtype=np.intp)


def _similarity(X: Any, n: int, precomputed: bool) -> NDArray[np.float64]:
    if precomputed:
        S = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
        if S.shape != (n, n):
            raise ValueError(f"similarity matrix must have shape ({n}, {n}), got {S.shape}")
        return np.asarray(S, dtype=np.float64)
    V = sp.csr_array(X, dtype=np.float64)
    if V.shape[0] != n:
        raise ValueError(f"item vectors must have {n} rows, got {V.shape[0]}")
    norms = np.sqrt(np.asarray(V.multiply(V).sum(axis=1)).ravel())
    dots = np.asarray((V @ V.T).toarray())
    den = np.outer(norms, norms)
    return np.divide(dots, den, out=np.zeros_like(dots), where=den > 0)
