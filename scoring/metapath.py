"""Typed graphs and meta-paths: combining relationship types, path counts and the
similarities built on them (PathSim, normalised path counts, Adamic-Adar).

Every function takes matrices first, never mutates its inputs and returns new arrays.
Pairwise scores come back as ``scipy.sparse.csr_array`` of shape ``(len(rows), n_targets)``;
call ``.toarray()`` for a dense block. The engine builds its PageRank graph with
:func:`combine_typed_adjacency` and its meta-path features (warm introductions, shared
implementations) as products of the projection's incidence blocks; :func:`metapath_matrix`,
:func:`pathsim` and :func:`normalized_path_count` are reference implementations of those
measures on whole matrices (documented and tested, not called by the engine).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from scoring.sparse import as_csr, binarize

__all__ = [
    "adamic_adar",
    "adamic_adar_weights",
    "combine_typed_adjacency",
    "metapath_matrix",
    "normalized_path_count",
    "pathsim",
]

Rows = Sequence[int] | NDArray[np.integer[Any]] | None


def _rows(rows: Rows, n: int) -> NDArray[np.intp]:
    if rows is None:
        return np.arange(n, dtype=np.intp)
    r = np.asarray(rows, dtype=np.intp).ravel()
    if r.size and (r.min() < 0 or r.max() >= n):
        raise IndexError(f"rows must lie in [0, {n}); got values in [{r.min()}, {r.max()}]")
    return r


def combine_typed_adjacency(
    mats: Mapping[str, Any],
    weights: Mapping[str, float],
    symmetric: bool = True,
) -> sp.csr_array:
    """Weighted sum of per-relationship-type adjacency matrices.

    Parameters
    ----------
    mats : mapping of str to sparse matrix, each shape (n, n)
        One adjacency per relationship type, on the global node index.
    weights : mapping of str to float
        Weight per type; a type missing here gets weight 1.0, a weight of 0 drops the type.
        A key that is not in ``mats`` raises ``ValueError`` (it is probably a typo).
    symmetric : bool, default True
        Return ``S + S.T`` (the undirected typed graph PPR runs on).

    Returns
    -------
    scipy.sparse.csr_array, shape (n, n)

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> implements = sp.csr_array(([1.0], ([0], [3])), shape=(5, 5))
    >>> located = sp.csr_array(([1.0, 1.0], ([1, 2], [4, 4])), shape=(5, 5))
    >>> S = combine_typed_adjacency({"IMPLEMENTS": implements, "LOCATED_IN": located},
    ...                             {"IMPLEMENTS": 2.0, "LOCATED_IN": 0.5})
    >>> float(S[0, 3]), float(S[3, 0]), float(S[4, 1]), S.nnz
    (2.0, 2.0, 0.5, 6)
    """
    if not mats:
        raise ValueError("mats is empty; pass at least one relationship-type adjacency")
    unknown = sorted(set(weights) - set(mats))
    if unknown:
        raise ValueError(
            f"weights name unknown relationship types {unknown}; known: {sorted(mats)}"
        )
    total: sp.csr_array | None = None
    shape: tuple[int, ...] | None = None
    for name in sorted(mats):
        M = as_csr(mats[name], name=f"mats[{name!r}]", square=True)
        if shape is None:
            shape = M.shape
        elif M.shape != shape:
            raise ValueError(f"mats[{name!r}] has shape {M.shape}, expected {shape}")
        w = float(weights.get(name, 1.0))
        if not np.isfinite(w) or w < 0:
            raise ValueError(f"weight of {name!r} must be finite and >= 0, got {w}")
        if w == 0:
            continue
        total = w * M if total is None else total + w * M
    if total is None:
        assert shape is not None
        return sp.csr_array(shape, dtype=np.float64)
    if symmetric:
        total = total + total.T
    out = sp.csr_array(total)
    out.sum_duplicates()
    out.eliminate_zeros()
    return out


def metapath_matrix(chain: Sequence[Any]) -> sp.csr_array:
    """Commuting matrix of a meta-path: the product of a chain of (rectangular) matrices.

    Reference implementation, not called by the engine (it multiplies its named incidence
    blocks directly); kept documented and tested for notebooks and cross-checks.

    Parameters
    ----------
    chain : sequence of sparse matrices
        E.g. ``[city_topic, topic_solution]`` for City -> Topic -> Solution. Consecutive
        shapes must align.

    Returns
    -------
    scipy.sparse.csr_array
        ``M[x, y]`` = (weighted) number of meta-path instances from ``x`` to ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> city_topic = np.array([[1, 1, 0], [0, 1, 1]])
    >>> topic_solution = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1]])
    >>> metapath_matrix([city_topic, topic_solution]).toarray().tolist()
    [[2.0, 1.0, 0.0], [1.0, 1.0, 1.0]]
    """
    if len(chain) == 0:
        raise ValueError("chain is empty; pass at least one matrix")
    mats = [as_csr(M, name=f"chain[{i}]") for i, M in enumerate(chain)]
    out = mats[0]
    for i, M in enumerate(mats[1:], start=1):
        if out.shape[1] != M.shape[0]:
            raise ValueError(
                f"chain[{i}] has {M.shape[0]} rows but the product so far has "
                f"{out.shape[1]} columns"
            )
        out = sp.csr_array(out @ M)
    return out.copy() if out is mats[0] else out


def _scale_pairs(
    C: sp.csr_array, row_scale: NDArray[np.float64], col_scale: NDArray[np.float64], op: str
) -> sp.csr_array:
    """Divide each stored C[i, j] by (row_scale[i] + col_scale[j]) or by their product."""
    C = sp.csr_array(C)
    C.sum_duplicates()
    ri = np.repeat(np.arange(C.shape[0]), np.diff(C.indptr))
    den = row_scale[ri] + col_scale[C.indices] if op == "sum" else (
        row_scale[ri] * col_scale[C.indices]
    )
    C.data = np.divide(C.data, den, out=np.zeros_like(C.data), where=den > 0)
    C.eliminate_zeros()
    return C


def pathsim(M: Any, rows: Rows = None) -> sp.csr_array:
    """PathSim similarity for a symmetric meta-path commuting matrix.

    Reference implementation, not called by the engine (it does not use PathSim); kept
    documented and tested for notebooks and cross-checks.

    ``s(x, y) = 2 M[x, y] / (M[x, x] + M[y, y])`` (Sun et al., 2011); values lie in [0, 1] for
    commuting matrices ``M = L @ L.T`` and ``s(x, x) = 1`` when ``x`` has any path.

    Parameters
    ----------
    M : sparse matrix, shape (n, n)
        Symmetric commuting matrix, e.g. ``metapath_matrix([CT, CT.T])`` for City-Topic-City.
    rows : sequence of int, optional
        Source rows; all rows by default.

    Returns
    -------
    scipy.sparse.csr_array, shape (len(rows), n)

    Examples
    --------
    >>> import numpy as np
    >>> CT = np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1], [0, 0, 1], [0, 0, 0]])  # 5 cities
    >>> M = metapath_matrix([CT, CT.T])
    >>> pathsim(M, rows=[0]).toarray().round(4).tolist()
    [[1.0, 0.6667, 0.5, 0.0, 0.0]]
    """
    C = as_csr(M, name="M", square=True)
    if C.nnz and abs(C - C.T).max() > 1e-9 * max(1.0, float(C.data.max())):
        raise ValueError("M is not symmetric; use normalized_path_count for asymmetric paths")
    r = _rows(rows, C.shape[0])
    diag = C.diagonal()
    return _scale_pairs(2.0 * C[r], diag[r], diag, "sum")


def normalized_path_count(left: Any, right: Any, rows: Rows = None) -> sp.csr_array:
    """Normalised path counts for an asymmetric meta-path ``X -> Z <- Y``.

    Reference implementation, not called by the engine (it computes the same cosine on row
    blocks (:func:`scoring.sparse.rows_dot`)); kept documented and tested for notebooks and
    cross-checks.

    With ``L`` (X x Z) and ``R`` (Y x Z) incidences, the path count is ``C = L @ R.T`` and

    ``s(x, y) = C[x, y] / sqrt((L @ L.T)[x, x] * (R @ R.T)[y, y])``,

    i.e. paths between ``x`` and ``y`` divided by the geometric mean of the round-trip path
    counts of each endpoint (the cosine of the rows of ``L`` and ``R``). By Cauchy-Schwarz the
    value is in [0, 1] for non-negative weights; 1 when both have identical ``Z`` profiles.

    Parameters
    ----------
    left : sparse matrix, shape (n_x, n_z)
    right : sparse matrix, shape (n_y, n_z)
    rows : sequence of int, optional
        Source rows of ``left``; all rows by default.

    Returns
    -------
    scipy.sparse.csr_array, shape (len(rows), n_y)

    Examples
    --------
    >>> import numpy as np
    >>> city_topic = np.array([[1, 1, 0], [0, 0, 1]])   # 2 cities x 3 topics
    >>> expert_topic = np.array([[1, 1, 0], [1, 0, 1], [0, 0, 0]])  # 3 experts
    >>> normalized_path_count(city_topic, expert_topic, rows=[0]).toarray().round(4).tolist()
    [[1.0, 0.5, 0.0]]
    """
    L = as_csr(left, name="left")
    R = as_csr(right, name="right")
    if L.shape[1] != R.shape[1]:
        raise ValueError(
            f"left and right must share the middle dimension, got {L.shape} and {R.shape}"
        )
    r = _rows(rows, L.shape[0])
    Lr = L[r]
    counts = sp.csr_array(Lr @ R.T)
    self_l = np.sqrt(np.asarray(Lr.multiply(Lr).sum(axis=1)).ravel())
    self_r = np.sqrt(np.asarray(R.multiply(R).sum(axis=1)).ravel())
    out = _scale_pairs(counts, self_l, self_r, "prod")
    np.minimum(out.data, 1.0, out=out.data)  # clip float round-off above 1
    return out


def adamic_adar(B: Any, rows: Rows = None) -> sp.csr_array:
    """Adamic-Adar index between subjects that share middle nodes of a bipartite incidence.

    ``AA(x, y) = sum_{z in N(x) & N(y)} 1 / log(deg(z))`` where ``deg(z)`` is the number of
    subjects linked to ``z`` (any non-zero entry counts as one link). Middle nodes with
    ``deg <= 1`` cannot be shared and are skipped. Self pairs ``(x, x)`` are set to 0.
    Matches ``networkx.adamic_adar_index`` on the bipartite graph when the middle nodes link
    only to subjects.

    Parameters
    ----------
    B : sparse matrix, shape (n_subjects, n_middle)
    rows : sequence of int, optional
        Source subjects; all by default.

    Returns
    -------
    scipy.sparse.csr_array, shape (len(rows), n_subjects)

    Examples
    --------
    >>> import numpy as np
    >>> B = np.array([[1, 1, 0], [1, 0, 0], [1, 1, 1], [0, 0, 1], [0, 0, 0]])  # 5 cities
    >>> aa = adamic_adar(B, rows=[0]).toarray()[0]
    >>> bool(np.isclose(aa[2], 1 / np.log(3) + 1 / np.log(2))), aa[[0, 3, 4]].tolist()
    (True, [0.0, 0.0, 0.0])
    """
    Bb = binarize(as_csr(B, name="B"))
    r = _rows(rows, Bb.shape[0])
    w = adamic_adar_weights(Bb)
    out = sp.csr_array((Bb[r] @ sp.diags_array(w)) @ Bb.T)
    out = sp.csr_array(out)
    out.sum_duplicates()
    # zero self pairs (x, x)
    ri = np.repeat(np.arange(out.shape[0]), np.diff(out.indptr))
    out.data[out.indices == r[ri]] = 0.0
    out.eliminate_zeros()
    return out


def adamic_adar_weights(B: Any) -> NDArray[np.float64]:
    """Weight ``1 / log(deg(z))`` of each middle node ``z`` (column) of a binary incidence.

    ``(B * w) @ B.T`` is the Adamic-Adar index (:func:`adamic_adar`); the engine applies the
    weights once and multiplies row blocks. Middle nodes with ``deg <= 1`` weigh 0.

    Examples
    --------
    >>> import numpy as np
    >>> adamic_adar_weights(np.array([[1, 1, 1], [1, 0, 1], [1, 0, 0]])).round(4).tolist()
    [0.9102, 0.0, 1.4427]
    """
    Bb = binarize(as_csr(B, name="B"))
    deg = np.asarray(Bb.sum(axis=0)).ravel()
    return np.divide(1.0, np.log(np.maximum(deg, 2.0)), out=np.zeros_like(deg), where=deg > 1)
