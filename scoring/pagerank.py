"""Random walks on sparse graphs: personalized PageRank.

Every function takes a matrix first, never mutates its inputs and returns new arrays.
Node ``i`` of the graph is row/column ``i``; ``A[i, j]`` is the weight of the edge ``i -> j``.
:class:`PPROperator` is what the engine uses (a prepared transition matrix, one seed or a
block of seeds per call); :func:`personalized_pagerank` and :func:`personalized_pagerank_many`
are its one-call forms, cross-tested against ``networkx.pagerank``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from scoring.sparse import as_csr

__all__ = [
    "ConvergenceError",
    "PPROperator",
    "iteration_budget",
    "personalized_pagerank",
    "personalized_pagerank_many",
    "transition_matrix",
]


logger = logging.getLogger(__name__)

#: Iterations added to :func:`iteration_budget`'s exact-arithmetic count (rounding slack).
BUDGET_MARGIN = 10


class ConvergenceError(RuntimeError):
    """The power iteration did not reach ``tol`` within ``max_iter`` iterations."""


def iteration_budget(alpha: float, tol: float, *, margin: int = BUDGET_MARGIN) -> int:
    """Power iterations after which the L1 change is below ``tol`` in exact arithmetic.

    Each step contracts the L1 change by ``alpha`` and the first change is at most
    ``2 * alpha``, so ``k`` steps reach ``tol`` once ``2 * alpha**k < tol``, i.e.
    ``k = ceil(log(tol / 2) / log(alpha))``; ``margin`` more steps absorb rounding.

    Parameters
    ----------
    alpha : float
        Damping factor, ``0 <= alpha < 1``.
    tol : float
        Target L1 change between two iterates, ``> 0``.
    margin : int, default 10

    Returns
    -------
    int

    Examples
    --------
    >>> iteration_budget(0.5, 1e-4), iteration_budget(0.85, 1e-10)
    (25, 156)
    """
    if not 0.0 <= alpha < 1.0:
        raise ValueError(f"alpha must be in [0, 1), got {alpha}")
    if not tol > 0:
        raise ValueError(f"tol must be > 0, got {tol}")
    if alpha == 0.0 or tol >= 2.0:
        return 1 + margin
    return max(1, math.ceil(math.log(tol / 2.0) / math.log(alpha))) + margin


def _iterate(
    step: Callable[[Any], Any], x: Any, tol: float, max_iter: int,
    change: Callable[[Any, Any], float],
) -> tuple[Any, float, bool]:
    """Run ``x <- step(x)`` until ``change(new, old) < tol``: ``(iterate, its change,
    converged)``; without convergence the iterate with the smallest change is returned."""
    best, best_err = x, math.inf
    for _ in range(max_iter):
        xn = step(x)
        err = change(xn, x)
        x = xn
        if err < best_err:
            best, best_err = xn, err
        if err < tol:
            return xn, err, True
    return best, best_err, False


def _l1(a: Any, b: Any) -> float:
    return float(np.abs(a - b).sum())


def _l1_cols(a: Any, b: Any) -> float:
    return float(np.abs(a - b).sum(axis=0).max()) if a.size else 0.0


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
    ``tol * alpha / (1 - alpha)``. The default iteration cap is :func:`iteration_budget`
    (enough in exact arithmetic). A float32 operator whose iteration stalls above ``tol``
    (rounding noise, e.g. around a hub holding most links) continues in float64; if ``tol``
    is still not reached, the queries return the best iterate and log a warning, or raise
    :class:`ConvergenceError` with ``strict=True``.

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
        self._PT64: sp.csr_array | None = None

    def query(
        self, personalization: ArrayLike | Mapping[int, float], *, tol: float = 1e-10,
        max_iter: int | None = None, strict: bool = False,
    ) -> NDArray[np.float64]:
        """Personalized PageRank for one seed vector.

        Parameters
        ----------
        personalization : array of length n or dict {row: weight}
            Non-negative seed weights (normalised to sum 1 internally).
        tol : float, default 1e-10
            Stop when the L1 change between iterates is below ``tol``.
        max_iter : int, optional
            Iteration cap; default :func:`iteration_budget` of ``alpha`` and ``tol``.
        strict : bool, default False
            Raise :class:`ConvergenceError` instead of returning the best iterate (with a
            logged warning) when ``tol`` is not reached.

        Returns
        -------
        numpy.ndarray of float, shape (n,)
            Stationary distribution (sums to 1).

        Raises
        ------
        ConvergenceError
            With ``strict=True``, if ``tol`` is not reached within ``max_iter`` iterations.
        """
        p = _personalization_vector(personalization, self.n)
        a, d = self.alpha, self._dangling_idx
        teleport = (1.0 - a) * p

        def step(x: NDArray[np.float64]) -> NDArray[np.float64]:
            xn = np.asarray(self._pt64 @ x)
            if d.size:
                xn += x[d].sum() * p
            xn *= a
            xn += teleport
            return xn

        budget = self._budget(tol, max_iter)
        x, err, ok = _iterate(step, p, tol, budget, _l1)
        if not ok:
            self._stalled(err, tol, budget, strict)
        return np.asarray(x)

    def query_seed(
        self, seed: int, *, tol: float = 1e-10, max_iter: int | None = None,
        strict: bool = False,
    ) -> NDArray[Any]:
        """:meth:`query` for a single seed node, in the operator's ``dtype``.

        The teleport touches one entry only, so each step is one sparse mat-vec plus a few
        scalar updates: the fast path for one request. If a float32 iteration stalls above
        ``tol`` (rounding noise), it continues in float64 from its best iterate.
        """
        if not 0 <= seed < self.n:
            raise IndexError(f"seed {seed} out of range for {self.n} nodes")
        d = self._dangling_idx

        def stepper(PT: Any, dtype: np.dtype[Any]) -> Callable[[Any], Any]:
            a = dtype.type(self.alpha)

            def step(x: Any) -> Any:
                xn = PT @ x
                if d.size:
                    xn[seed] += x[d].sum()
                xn *= a
                xn[seed] += 1 - a
                return xn
            return step

        x0 = np.zeros(self.n, dtype=self.dtype)
        x0[seed] = 1.0
        return self._solve(stepper, x0, tol, max_iter, strict, _l1)

    def query_many(
        self, P: Any, *, tol: float = 1e-10, max_iter: int | None = None, strict: bool = False
    ) -> NDArray[Any]:
        """Personalized PageRank for ``k`` seed vectors at once (sparse x dense products).

        Parameters
        ----------
        P : array or sparse matrix, shape (k, n)
            One non-negative seed vector per row (each normalised to sum 1).
        tol, max_iter, strict
            As in :meth:`query`; every row must reach ``tol``. A float32 operator that
            stalls continues in float64, as in :meth:`query_seed`.

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
        d = self._dangling_idx

        def stepper(PT: Any, dtype: np.dtype[Any]) -> Callable[[Any], Any]:
            a = dtype.type(self.alpha)
            seeds = Pm.astype(dtype, copy=False)
            teleport = (1 - a) * seeds

            def step(X: Any) -> Any:
                Xn = np.asarray(PT @ X)
                if d.size:
                    Xn += seeds * X[d].sum(axis=0)
                Xn *= a
                Xn += teleport
                return Xn
            return step

        X = self._solve(stepper, Pm, tol, max_iter, strict, _l1_cols)
        return np.ascontiguousarray(X.T)

    # ------------------------------------------------------------------ convergence

    @property
    def _pt64(self) -> sp.csr_array:
        """``P.T`` in float64 (built on first use when the operator is float32)."""
        if self.PT.dtype == np.float64:
            return self.PT
        if self._PT64 is None:
            self._PT64 = sp.csr_array(self.P.T, dtype=np.float64)
        return self._PT64

    def _budget(self, tol: float, max_iter: int | None) -> int:
        return iteration_budget(self.alpha, tol) if max_iter is None else int(max_iter)

    def _solve(
        self, stepper: Callable[[Any, np.dtype[Any]], Callable[[Any], Any]], x0: Any,
        tol: float, max_iter: int | None, strict: bool, change: Callable[[Any, Any], float],
    ) -> Any:
        """Iterate in the operator's dtype; on a float32 stall continue in float64 from the
        best iterate; then return the best iterate (warning) or raise (``strict``)."""
        budget = self._budget(tol, max_iter)
        x, err, ok = _iterate(stepper(self.PT, self.dtype), x0, tol, budget, change)
        if not ok and self.dtype != np.float64:
            logger.debug("float32 PageRank stalled at an L1 change of %.3g (tol %g); "
                         "continuing in float64", err, tol)
            f64 = np.dtype(np.float64)
            x64, err, ok = _iterate(stepper(self._pt64, f64), np.asarray(x, dtype=f64), tol,
                                    budget, change)
            x = x64.astype(self.dtype)
        if not ok:
            self._stalled(err, tol, budget, strict)
        return x

    def _stalled(self, err: float, tol: float, budget: int, strict: bool) -> None:
        msg = (f"personalized PageRank did not converge in {budget} iterations (L1 change "
               f"{err:.3g} > tol {tol:g}, alpha {self.alpha:g}, {self.n} nodes)")
        if strict:
            raise ConvergenceError(msg)
        logger.warning("%s; using the best iterate", msg)

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
    max_iter: int | None = None,
    strict: bool = True,
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
    max_iter : int, optional
        Iteration cap; default :func:`iteration_budget` of ``alpha`` and ``tol``.
    strict : bool, default True
        Raise :class:`ConvergenceError` when ``tol`` is not reached (this reference form is
        strict; :class:`PPROperator` returns the best iterate with a warning by default).

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
    return PPROperator(A, alpha).query(personalization, tol=tol, max_iter=max_iter,
                                       strict=strict)


def personalized_pagerank_many(
    A: Any,
    P: Any,
    *,
    alpha: float = 0.85,
    tol: float = 1e-10,
    max_iter: int | None = None,
    strict: bool = True,
) -> NDArray[np.float64]:
    """Personalized PageRank for ``k`` seed vectors solved together.

    Reference implementation, not called by the engine (it uses
    :meth:`PPROperator.query_many`); kept documented and tested for notebooks and cross-checks.

    Parameters
    ----------
    A : sparse matrix or array, shape (n, n)
    P : array or sparse matrix, shape (k, n)
        One seed vector per row.
    alpha, tol, max_iter, strict
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
    return PPROperator(A, alpha).query_many(P, tol=tol, max_iter=max_iter, strict=strict)
