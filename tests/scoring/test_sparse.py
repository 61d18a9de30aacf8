"""scoring.sparse: the block products the engine's features are made of."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from scoring import cosine_similarity_sparse, normalized_path_count
from scoring.sparse import binarize, l1_rows, l2_rows, rows_dot, rows_times, select_rows


def test_cosine_blocks_match_the_reference_implementations() -> None:
    rng = np.random.default_rng(7)
    A = sp.csr_array(sp.random(25, 9, density=0.3, random_state=3))
    B = sp.csr_array(sp.random(30, 9, density=0.3, random_state=4))
    ref = cosine_similarity_sparse(A, B)
    An, Bn = l2_rows(A), l2_rows(B)
    B_T = sp.csr_array(Bn.T)
    for S in (np.array([4]), np.array([0, 3, 24]), np.arange(25)):
        for C in (np.arange(30), np.array([2, 5]), np.sort(rng.choice(30, 20, replace=False))):
            got = rows_dot(An, Bn, S, C, B_T=B_T)
            np.testing.assert_allclose(got, ref[np.ix_(S, C)], atol=1e-12)
            np.testing.assert_allclose(rows_dot(An, Bn, S, C), got, atol=1e-12)  # no B_T
    # the same cosine as the normalised path count of a meta-path X -> Z <- Y
    np.testing.assert_allclose(normalized_path_count(A, B).toarray(), ref, atol=1e-12)


def test_row_normalisations() -> None:
    X = sp.csr_array(np.array([[0.0, 2.0, 2.0], [0.0, 0.0, 0.0], [5.0, 0.0, 0.0]]))
    np.testing.assert_allclose(l1_rows(X).sum(axis=1), [1.0, 0.0, 1.0])
    np.testing.assert_allclose(np.sqrt(l2_rows(X).multiply(l2_rows(X)).sum(axis=1)),
                               [1.0, 0.0, 1.0])
    assert binarize(X).toarray().tolist() == [[0, 1, 1], [0, 0, 0], [1, 0, 0]]
    assert X.toarray()[0, 1] == 2.0  # inputs are not modified


def test_fast_paths_equal_scipys_indexing() -> None:
    """The numpy gathers of one request (a few rows times a vector, one selected row) give
    exactly what scipy's fancy indexing gives, empty rows and repeated rows included."""
    rng = np.random.default_rng(11)
    keep = np.ones(40)
    keep[[3, 17]] = 0.0  # empty rows
    B = sp.csr_array(sp.diags_array(keep) @ sp.random(40, 12, density=0.25, random_state=5))
    B.eliminate_zeros()
    assert B[[3]].nnz == 0 and B.nnz > 0
    v = rng.random(12)
    for C in (np.array([3]), np.array([17, 3, 17, 0]), np.array([39, 2, 5]),
              np.zeros(0, dtype=np.int64)):
        got = rows_times(B, C, v)
        assert got.shape == (C.size,) and got.dtype == np.float64
        np.testing.assert_array_equal(got, np.asarray(B[C] @ v))
    for i in (0, 3, 39):
        one = select_rows(B, np.array([i]))
        assert isinstance(one, sp.csr_array) and one.shape == (1, 12)
        np.testing.assert_array_equal(one.toarray(), B[[i]].toarray())
        one.data[:] = -1.0  # a copy: the source matrix is untouched
    assert B.data.min() >= 0.0
