"""Sparse-matrix building blocks: binarising, row normalisation and row-block products.

The engine's features are *blocks*: for subject rows ``S`` of one incidence matrix and
candidate rows ``C`` of another, ``rows_dot(A, B, S, C) = A[S] @ B[C].T`` as a dense
``(len(S), len(C))`` array. With L2-normalised rows that block is a cosine, with L1-normalised
rows a share. Nothing here keeps state: a caller that multiplies by the same ``B`` many times
passes its cached transpose (``B_T``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = [
    "as_csr",
    "binarize",
    "dense",
    "is_full_range",
    "l1_rows",
    "l2_rows",
    "rows_dot",
    "rows_times",
    "select_cols",
    "select_rows",
    "sparse_dot_dense",
    "squash",
]

FloatArray = NDArray[np.float64]
Index = NDArray[np.integer[Any]]


def binarize(X: Any) -> sp.csr_array:
    """A float64 CSR copy of ``X`` with every stored non-zero set to 1.

    Examples
    --------
    >>> import numpy as np
    >>> binarize(np.array([[0, 2.5], [0.1, 0]])).toarray().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    B = sp.csr_array(X, dtype=np.float64, copy=True)
    B.eliminate_zeros()
    B.data[:] = 1.0
    return B


def l2_rows(X: Any) -> sp.csr_array:
    """Rows scaled to unit Euclidean norm (zero rows stay zero).

    Examples
    --------
    >>> import numpy as np
    >>> l2_rows(np.array([[3.0, 4.0], [0.0, 0.0]])).toarray().round(6).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    X = sp.csr_array(X, dtype=np.float64)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    inv = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_array(sp.diags_array(inv) @ X)


def l1_rows(X: Any) -> sp.csr_array:
    """Rows scaled to sum 1 (zero rows stay zero).

    Examples
    --------
    >>> import numpy as np
    >>> l1_rows(np.array([[1.0, 3.0], [0.0, 0.0]])).toarray().tolist()
    [[0.25, 0.75], [0.0, 0.0]]
    """
    X = sp.csr_array(X, dtype=np.float64)
    s = np.asarray(X.sum(axis=1)).ravel()
    inv = np.divide(1.0, s, out=np.zeros_like(s), where=s > 0)
    return sp.csr_array(sp.diags_array(inv) @ X)


def dense(X: Any) -> FloatArray:
    """``X`` (sparse or dense) as a float64 numpy array."""
    return np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)


def is_full_range(idx: Index, n: int) -> bool:
    """Whether ``idx`` is exactly ``0..n-1`` (then selecting by it can be skipped).

    Examples
    --------
    >>> import numpy as np
    >>> is_full_range(np.arange(4), 4), is_full_range(np.array([0, 2]), 3)
    (True, False)
    """
    return idx.size == n and (n == 0 or (idx[0] == 0 and idx[-1] == n - 1
                                         and bool(np.all(np.diff(idx) == 1))))


def select_rows(X: sp.csr_array, idx: Index) -> sp.csr_array:
    """``X[idx]``, or ``X`` itself when ``idx`` selects every row in order.

    One row (a request's subject) is copied from its slice of the CSR arrays, which costs
    less than half of scipy's fancy indexing.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> X = sp.csr_array(np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 4.0]]))
    >>> select_rows(X, np.array([2])).toarray().tolist(), select_rows(X, np.array([1, 0])).nnz
    ([[3.0, 4.0]], 2)
    """
    if is_full_range(idx, X.shape[0]):
        return X
    if idx.size == 1 and isinstance(X, sp.csr_array) and 0 <= int(idx[0]) < X.shape[0]:
        a, b = int(X.indptr[idx[0]]), int(X.indptr[idx[0] + 1])
        return sp.csr_array((X.data[a:b].copy(), X.indices[a:b].copy(),
                             np.array([0, b - a], dtype=X.indptr.dtype)), shape=(1, X.shape[1]))
    return sp.csr_array(X[idx])


def select_cols(X: sp.csr_array, idx: Index) -> sp.csr_array:
    """``X[:, idx]``, or ``X`` itself when ``idx`` selects every column in order."""
    return X if is_full_range(idx, X.shape[1]) else sp.csr_array(X[:, idx])


def rows_dot(A: sp.csr_array, B: sp.csr_array, S: Index, C: Index,
             B_T: sp.csr_array | None = None) -> FloatArray:
    """``A[S] @ B[C].T`` as a dense array of shape ``(len(S), len(C))``.

    One subject (``len(S) == 1``) is a dense vector times ``B``. Otherwise the product uses
    the transpose of the whole of ``B`` (``B_T``, computed when not given) and selects the
    columns of the small dense result, which is much cheaper than slicing and transposing
    ``B[C]`` per call; only when ``C`` is a small part of ``B`` is ``B[C]`` sliced.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> A = sp.csr_array(np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]]))
    >>> B = sp.csr_array(np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 3.0], [0.0, 5.0, 0.0]]))
    >>> rows_dot(A, B, np.array([0, 1]), np.array([2, 0])).tolist()
    [[0.0, 3.0], [5.0, 1.0]]
    >>> rows_dot(A, B, np.array([0]), np.array([1])).tolist()
    [[6.0]]
    """
    if S.size == 1:  # one subject (a request): a dense vector times B, one matvec
        i = int(S[0])
        v = np.zeros(A.shape[1])
        v[A.indices[A.indptr[i]:A.indptr[i + 1]]] = A.data[A.indptr[i]:A.indptr[i + 1]]
        if is_full_range(C, B.shape[0]):
            return np.asarray(B @ v)[None, :]
        if 4 * C.size < B.shape[0]:
            return rows_times(B, C, v)[None, :]
        return np.asarray(B @ v)[None, C]
    if B_T is None:
        B_T = sp.csr_array(B.T)
    if is_full_range(C, B.shape[0]):
        return dense(select_rows(A, S) @ B_T)
    if 4 * C.size < B.shape[0]:  # few candidates (e.g. the reverse side of one pair)
        return dense(select_rows(A, S) @ sp.csr_array(B[C].T))
    return dense(select_rows(A, S) @ B_T)[:, C]


def rows_times(B: sp.csr_array, C: Index, v: FloatArray) -> FloatArray:
    """``B[C] @ v`` for a few rows ``C`` of a CSR matrix, gathered with numpy.

    Same products summed in the same order as scipy's ``B[C] @ v``, without building the
    sparse ``B[C]`` (about a third of its cost for the handful of rows an explanation asks).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> B = sp.csr_array(np.array([[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]))
    >>> rows_times(B, np.array([2, 1, 0]), np.array([10.0, 1.0])).tolist()
    [30.0, 0.0, 12.0]
    """
    C = np.asarray(C, dtype=np.int64)
    start = B.indptr[C].astype(np.int64)
    length = B.indptr[C + 1].astype(np.int64) - start
    pos = np.arange(int(length.sum()), dtype=np.int64) + np.repeat(start - (np.cumsum(length)
                                                                            - length), length)
    prod = B.data[pos] * v[B.indices[pos]]
    return np.asarray(np.bincount(np.repeat(np.arange(C.size), length), weights=prod,
                                  minlength=C.size), dtype=np.float64)


def sparse_dot_dense(W: FloatArray, X: sp.csr_array) -> FloatArray:
    """Dense ``W`` (mostly zeros) times sparse ``X``, as a dense array."""
    return dense(sp.csr_array(W) @ X)


def squash(x: FloatArray) -> FloatArray:
    """``x / (1 + x)``: counts in [0, inf) to [0, 1) (0 -> 0, 1 -> 0.5, 3 -> 0.75).

    Examples
    --------
    >>> import numpy as np
    >>> squash(np.array([0.0, 1.0, 3.0])).tolist()
    [0.0, 0.5, 0.75]
    """
    return x / (1.0 + x)


def as_csr(A: Any, name: str = "A", *, square: bool = False) -> sp.csr_array:
    """``A`` as a float64 ``csr_array`` of finite, non-negative weights (a copy if a conversion
    was needed); ``ValueError`` naming ``name`` otherwise."""
    if sp.issparse(A):
        M = sp.csr_array(A, dtype=np.float64)
    else:
        arr = np.asarray(A, dtype=np.float64)
        if arr.ndim != 2:
            raise ValueError(f"{name} must be a 2-d matrix, got an array of shape {arr.shape}")
        M = sp.csr_array(arr)
    if square and M.shape[0] != M.shape[1]:
        raise ValueError(f"{name} must be square (n x n), got shape {M.shape}")
    if M.nnz:
        if not np.all(np.isfinite(M.data)):
            raise ValueError(f"{name} has NaN or infinite weights; replace them with 0")
        if M.data.min() < 0:
            raise ValueError(f"{name} has negative weights; proximity needs weights >= 0")
    return M
