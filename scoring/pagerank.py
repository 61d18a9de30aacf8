"""Random walks on sparse graphs: personalized PageRank.

Every function takes a matrix first, never mutates its inputs and returns new arrays.
Node ``i`` of the graph is row/column ``i``; ``A[i, j]`` is the weight of the edge ``i -> j``.
:class:`PPROperator` is what the engine uses (a prepared transition matrix, one seed or a
block of seeds per call); :func:`personalized_pagerank` and :func:`personalized_pagerank_many`
are its one-call forms, cross-tested against ``networkx.pagerank``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from scoring.sparse import as_csr

__all__ = [
    "ConvergenceError",
    "PPROperator",
    "personalized_pagerank",
    "personalized_pagerank_many",
    "transition_matrix",
]


class ConvergenceError(RuntimeError):
    """The power iteration did not reach ``tol`` within ``max_iter`` iterations."""


def _personalization_vector(personalization: Any, n: int) -> NDArray[np.float64]:
    """Dense, L1-normalised personalization vector from an array or a ``{row: weight}`` dict."""
    if isinstance(personalization, Mapping):
        p = np.zeros(n, dtype=np.float64)
        for key, value in personalization.items():
            i = int(key)
            if not 0 <= i < n:
                raise IndexError(f"personalization row {key!r} is outside [0, {n})")
            p[i] += float(value)
    else:
        p = np.array(personalization, dtype=np.float64).ravel()
        if p.shape != (n,):
            raise ValueError(f"personalization must have length {n}, got shape {p.shape}")
    _check_seed(p, "personalization")
    return p / p.sum()


def _check_seed(p: NDArray[np.float64], name: str) -> None:
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{name} weights must be finite and >= 0")
    if np.any(p.sum(axis=-1) <= 0):
        raise ValueError(f"{name} needs at least one positive weight (all weights are 0)")


def transition_matrix(A: Any) -> tuple[sp.csr_array, NDArray[np.bool_]]:
    """Row-normalise a weighted adjacency into a random-walk transition matrix.

    Parameters
    ----------
    A : sparse matrix or array, shape (n, n)
        Non-negative weights; ``A[i, j]`` is the weight of the edge ``i -> j``.

    Returns
    -------
    P : scipy.sparse.csr_array, shape (n, n)
        ``P[i, j] = A[i, j] / sum_k A[i, k]``; rows of dangling nodes are all zero.
    dangling : numpy.ndarray of bool, shape (n,)
        ``True`` for nodes without outgoing weight.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> A = sp.csr_array(np.array([[0, 1, 3, 0, 0],
    ...                            [1, 0, 0, 0, 0],
    ...                            [0, 0, 0, 2, 2],
    ...                            [0, 0, 0, 0, 0],
    ...                            [0, 0, 0, 1, 0]], dtype=float))
    >>> P, dangling = transition_matrix(A)
    >>> P.toarray()[0].tolist(), dangling.tolist()
    ([0.0, 0.25, 0.75, 0.0, 0.0], [False, False, False, True, False])
    """
    M = as_csr(A, square=True)
    out = np.asarray(M.sum(axis=1)).ravel()
    dangling = out <= 0
    inv = np.divide(1.0, out, out=np.zeros_like(out), where=~dangling)
    P = M.copy()
    P.data *= np.repeat(inv, np.diff(P.indptr))
    return P, dangling


class PPROperator:
    """Cached personalized-PageRank operator for many queries on one graph.

    Precomputes the transposed transition matrix once, so a query costs only the power
    iterations (one sparse mat-vec each). Results equal
    ``networkx.pagerank(G, alpha, personalization=p, weight="weight")`` on the directed graph
    with ``A[i, j]`` = weight of ``i -> j``: dangling nodes jump according to the
    personalization vector, as in networkx by default.

    Parameters
    ----------
    A : sparse matrix or array, shape (n, n)
        Non-negative edge weights.
    alpha : float, default 0.85
        Damping factor (probability to follow an edge), ``0 <= alpha < 1``.

    Attributes
    ----------
    n : int
        Number of nodes.
    alpha : float
    PT : scipy.sparse.csr_array
        Transposed transition matrix ``P.T`` (CSR).
    P : scipy.sparse.csr_array
        Transition matrix (CSR, used by :meth:`push`).
    dangling : numpy.ndarray of bool

    Notes
    -----
    Convergence: iteration stops when the L1 change between two iterates is below ``tol``
    (absolute). networkx stops at ``n * tol`` instead, so its default ``tol=1e-6`` is much looser
    on big graphs; pass ``tol=1e-10 / n`` to networkx for a like-for-like comparison.
    The L1 distance to the exact answer after stopping is at most
    ``tol * alpha / (1 - alpha)``.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> A = sp.csr_array(np.array([[0, 1, 1, 0, 0],
    ...                            [1, 0, 1, 0, 0],
    ...                            [1, 1, 0, 1, 0],
    ...                            [0, 0, 1, 0, 1],
    ...                            [0, 0, 0, 1, 0]], dtype=float))
    >>> op = PPROperator(A, alpha=0.85)
    >>> x = op.query({0: 1.0})
    >>> round(float(x.sum()), 8), int(np.argmax(x)), bool(x[4] < x[3] < x[2])
    (1.0, 0, True)
    >>> op.query_many(np.eye(5)[[0, 4]]).shape
    (2, 5)
    >>> bool(np.allclose(op.query_seed(0), x))
    True
    """

    def __init__(self, A: Any, alpha: float = 0.85, dtype: Any = np.float64) -> None:
        if not 0.0 <= float(alpha) < 1.0:
            raise ValueError(f"alpha must be in [0, 1), got {alpha}")
        P, dangling = transition_matrix(A)
        self.alpha = float(alpha)
        self.n = int(P.shape[0])
        self.dtype = np.dtype(dtype)
        self.P = P
        PT = sp.csr_array(P.T, dtype=self.dtype)
        if self.dtype == np.float32 and PT.nnz < 2**31 - 1:
            # float32 with 32-bit indices: about a third less memory traffic per step
            PT = sp.csr_array((PT.data, PT.indices.astype(np.int32),
                               PT.indptr.astype(np.int32)), shape=PT.shape)
        self.PT = PT
        self.dangling = dangling
        self._dangling_idx = np.flatnonzero(dangling)
        self._out_nnz = np.diff(P.indptr)

    def query(
        self, personalization: ArrayLike | Mapping[int, float], *, tol: float = 1e-10,
        max_iter: int = 200,
    ) -> NDArray[np.float64]:
        """Personalized PageRank for one seed vector.

        Parameters
        ----------
        personalization : array of length n or dict {row: weight}
            Non-negative seed weights (normalised to sum 1 internally).
        tol : float, default 1e-10
            Stop when the L1 change between iterates is below ``tol``.
        max_iter : int, default 200

        Returns
        -------
        numpy.ndarray of float, shape (n,)
            Stationary distribution (sums to 1).

        Raises
        ------
        ConvergenceError
            If ``tol`` is not reached within ``max_iter`` iterations.
        """
        p = _personalization_vector(personalization, self.n)
        a, PT, d = self.alpha, self.PT, self._dangling_idx
        teleport = (1.0 - a) * p
        x = p
        for _ in range(max_iter):
            xn = PT @ x
            if d.size:
                xn += x[d].sum() * p
            xn *= a
            xn += teleport
            err = float(np.abs(xn - x).sum())
            x = xn
            if err < tol:
                return x
        raise ConvergenceError(f"personalized PageRank did not converge in {max_iter} iterations")

    def query_seed(
        self, seed: int, *, tol: float = 1e-10, max_iter: int = 200
    ) -> NDArray[Any]:
        """:meth:`query` for a single seed node, in the operator's ``dtype``.

        The teleport touches one entry only, so each step is one sparse mat-vec plus a few
        scalar updates: the fast path for one request.
        """
        if not 0 <= seed < self.n:
            raise IndexError(f"seed {seed} out of range for {self.n} nodes")
        a = self.dtype.type(self.alpha)
        d = self._dangling_idx
        x = np.zeros(self.n, dtype=self.dtype)
        x[seed] = 1.0
        for _ in range(max_iter):
            xn = self.PT @ x
            if d.size:
                xn[seed] += x[d].sum()
            xn *= a
            xn[seed] += 1 - a
            diff = xn - x
            np.abs(diff, out=diff)
            x = xn
            if float(diff.sum()) < tol:
                return x
        raise ConvergenceError(f"personalized PageRank did not converge in {max_iter} iterations")

    def query_many(
        self, P: Any, *, tol: float = 1e-10, max_iter: int = 200
    ) -> NDArray[Any]:
        """Personalized PageRank for ``k`` seed vectors at once (sparse x dense products).

        Parameters
        ----------
        P : array or sparse matrix, shape (k, n)
            One non-negative seed vector per row (each normalised to sum 1).
        tol, max_iter
            As in :meth:`query`; every row must reach ``tol``.

        Returns
        -------
        numpy.ndarray of float, shape (k, n)
        """
        S = P.toarray() if sp.issparse(P) else np.array(P, dtype=self.dtype)
        S = np.atleast_2d(np.asarray(S, dtype=self.dtype))
        if S.ndim != 2 or S.shape[1] != self.n:
            raise ValueError(f"P must have shape (k, {self.n}), got {S.shape}")
        _check_seed(S, "P")
        Pm = np.ascontiguousarray((S / S.sum(axis=1, keepdims=True)).T)  # (n, k)
        a, PT, d = self.alpha, self.PT, self._dangling_idx
        teleport = (1.0 - a) * Pm
        X = Pm
        for _ in range(max_iter):
            Xn = np.asarray(PT @ X)
            if d.size:
                Xn += Pm * X[d].sum(axis=0)
            Xn *= a
            Xn += teleport
            err = float(np.abs(Xn - X).sum(axis=0).max()) if Xn.size else 0.0
            X = Xn
            if err < tol:
                return np.ascontiguousarray(X.T)
        raise ConvergenceError(f"personalized PageRank did not converge in {max_iter} iterations")

    def push(
        self, personalization: ArrayLike | Mapping[int, float], *, eps: float = 1e-6,
        max_rounds: int = 10_000,
    ) -> NDArray[np.float64]:
        """Approximate personalized PageRank by local forward push (Andersen-Chung-Lang).

        Each round pushes, in one vectorised step, every node whose residual exceeds
        ``eps * out_degree``; the work stays near the seeds, so a query typically costs a few
        milliseconds on graphs where :meth:`query` costs tens. Same fixed point as
        :meth:`query` as ``eps -> 0``.

        Parameters
        ----------
        personalization : array of length n or dict {row: weight}
        eps : float, default 1e-6
            Residual threshold per unit out-degree.
        max_rounds : int, default 10000

        Returns
        -------
        numpy.ndarray of float, shape (n,)
            Under-estimate of the PPR vector (not renormalised); the L1 error equals
            ``1 - result.sum()`` (the mass left in the residual), so check it if you need a bound.
        """
        p = _personalization_vector(personalization, self.n)
        a = self.alpha
        indptr, indices, data = self.P.indptr, self.P.indices, self.P.data
        cnt_all = self._out_nnz
        thr = eps * np.maximum(cnt_all, 1)
        x = np.zeros(self.n)
        r = p.copy()
        active = np.flatnonzero(r > thr)
        for _ in range(max_rounds):
            if not active.size:
                break
            ra = r[active]
            r[active] = 0.0
            x[active] += (1.0 - a) * ra
            dmass = ra[self.dangling[active]].sum()
            cnt = cnt_all[active]
            total = int(cnt.sum())
            if total:
                starts = np.repeat(indptr[active] - (np.cumsum(cnt) - cnt), cnt)
                offs = starts + np.arange(total)
                w = a * np.repeat(ra, cnt) * data[offs]
                r += np.bincount(indices[offs], weights=w, minlength=self.n)
            if dmass:
                r += a * dmass * p
            active = np.flatnonzero(r > thr)
        return x


def personalized_pagerank(
    A: Any,
    personalization: ArrayLike | Mapping[int, float],
    *,
    alpha: float = 0.85,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> NDArray[np.float64]:
    """Personalized PageRank by power iteration on a sparse weighted digraph.

    Reference implementation, not called by the engine (it uses :class:`PPROperator`); kept
    documented and tested for notebooks and cross-checks.

    Same semantics as ``networkx.pagerank(G, alpha, personalization=..., weight="weight")``
    where ``A[i, j]`` is the weight of ``i -> j``; dangling nodes redistribute their mass by the
    personalization vector. For repeated queries on one graph build a :class:`PPROperator`.

    Parameters
    ----------
    A : sparse matrix or array, shape (n, n)
        Non-negative edge weights.
    personalization : array of length n or dict {row: weight}
        Non-negative seed weights, normalised to sum 1.
    alpha : float, default 0.85
    tol : float, default 1e-10
        Absolute L1 change between iterates at which to stop (networkx uses ``n * tol``).
    max_iter : int, default 200

    Returns
    -------
    numpy.ndarray of float, shape (n,)
        PPR scores, summing to 1.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp, networkx as nx
    >>> A = sp.csr_array(np.array([[0, 2, 1, 0, 0],
    ...                            [0, 0, 1, 0, 0],
    ...                            [1, 0, 0, 1, 0],
    ...                            [0, 0, 0, 0, 1],
    ...                            [0, 0, 0, 0, 0]], dtype=float))
    >>> x = personalized_pagerank(A, {0: 1.0})
    >>> G = nx.from_scipy_sparse_array(A, create_using=nx.DiGraph)
    >>> ref = nx.pagerank(G, personalization={0: 1.0}, tol=1e-13)
    >>> bool(np.allclose(x, [ref[i] for i in range(5)], atol=1e-9))
    True
    """
    return PPROperator(A, alpha).query(personalization, tol=tol, max_iter=max_iter)


def personalized_pagerank_many(
    A: Any,
    P: Any,
    *,
    alpha: float = 0.85,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> NDArray[np.float64]:
    """Personalized PageRank for ``k`` seed vectors solved together.

    Reference implementation, not called by the engine (it uses
    :meth:`PPROperator.query_many`); kept documented and tested for notebooks and cross-checks.

    Parameters
    ----------
    A : sparse matrix or array, shape (n, n)
    P : array or sparse matrix, shape (k, n)
        One seed vector per row.
    alpha, tol, max_iter
        As in :func:`personalized_pagerank`.

    Returns
    -------
    numpy.ndarray of float, shape (k, n)
        Row ``i`` equals ``personalized_pagerank(A, P[i])``.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0, 1, 0, 0, 0], [1, 0, 1, 0, 0], [0, 1, 0, 1, 0],
    ...               [0, 0, 1, 0, 1], [0, 0, 0, 1, 0]], dtype=float)
    >>> X = personalized_pagerank_many(A, np.eye(5)[[0, 4]])
    >>> bool(np.allclose(X[0], X[1][::-1])), X.sum(axis=1).round(8).tolist()
    (True, [1.0, 1.0])
    """
    return PPROperator(A, alpha).query_many(P, tol=tol, max_iter=max_iter)
