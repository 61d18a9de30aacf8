"""scoring.sparse: the block products the engine's features are made of."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from scoring import cosine_similarity_sparse, normalized_path_count
from scoring.sparse import binarize, l1_rows, l2_rows, rows_dot


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
