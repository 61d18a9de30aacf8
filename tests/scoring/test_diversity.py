import numpy as np
import pytest

from scoring.diversity import mmr


def test_mmr_pure_relevance_is_sorted_with_index_ties() -> None:
    scores = np.array([0.5, 0.9, 0.5, 0.1])
    assert mmr(scores, np.eye(4), k=4, lambda_=1.0).tolist() == [1, 0, 2, 3]


def test_mmr_skips_near_duplicates() -> None:
    scores = np.array([1.0, 0.99, 0.6])
    S = np.array([[1, 0.9, 0.0], [0.9, 1, 0.0], [0.0, 0.0, 1]])
    # step 2: item1 = .5*.99 - .5*.9 = .045; item2 = .5*.6 - 0 = .3
    assert mmr(scores, S, k=2, lambda_=0.5).tolist() == [0, 2]
    assert mmr(scores, S, k=2, lambda_=0.9).tolist() == [0, 1]


def test_mmr_vectors_equal_precomputed_cosine() -> None:
    V = np.array([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0], [0.7, 0.7]])
    scores = np.array([0.9, 0.88, 0.5, 0.6])
    norms = np.linalg.norm(V, axis=1)
    S = V @ V.T / np.outer(norms, norms)
    assert mmr(scores, V, k=4, precomputed=False).tolist() == mmr(scores, S, k=4).tolist()


def test_mmr_edge_cases() -> None:
    scores = np.array([0.3, np.nan, -np.inf, 0.2])
    assert mmr(scores, np.eye(4), k=10).tolist() == [0, 3]
    assert mmr(scores, np.eye(4), k=0).tolist() == []
    with pytest.raises(ValueError, match="shape"):
        mmr(scores, np.eye(3), k=2)
    with pytest.raises(ValueError, match="lambda_"):
        mmr(scores, np.eye(4), k=2, lambda_=1.5)
