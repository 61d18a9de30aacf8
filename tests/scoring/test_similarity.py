import math

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from scoring.similarity import (
    cosine_similarity_sparse,
    cost_fit,
    cost_fit_matrix,
    jaccard,
    kpi_gap_matrix,
    kpi_gap_scores,
    kpi_gaps,
    kpi_need_weights,
    log_size_similarity,
    set_overlap_matrix,
    size_fit,
    size_fit_matrix,
    size_profile,
)
from scoring.text import TextSimilarity

DOCS = [
    "smart parking sensors",
    "parking sensors for streets",
    "air quality monitoring",
    "air quality sensors",
    "open data portal",
]


def test_text_similarity_basic() -> None:
    ts = TextSimilarity().fit(DOCS)
    M = ts.matrix_
    assert isinstance(M, sp.csr_array) and M.shape[0] == 5
    np.testing.assert_allclose(np.sqrt(M.multiply(M).sum(axis=1)), 1.0)
    S = ts.similarity()
    np.testing.assert_allclose(np.diag(S), 1.0)
    np.testing.assert_allclose(S, S.T)
    assert S[0, 4] == 0.0 and S[0, 1] > S[0, 3] > 0
    # top_terms contributions sum to the cosine when all shared terms are asked for
    terms = ts.top_terms(0, 1, k=100)
    assert {t for t, _ in terms} == {"parking", "parking sensors", "sensors"}
    assert sum(c for _, c in terms) == pytest.approx(S[0, 1])
    assert ts.top_terms(0, 4) == []
    q = ts.similarity_to(["parking sensors"], rows=[0, 2])
    assert q.shape == (1, 2) and q[0, 0] > 0 and q[0, 1] == 0
    assert clone(ts).get_params() == ts.get_params()


def test_text_similarity_errors() -> None:
    with pytest.raises(ValueError, match="no usable terms"):
        TextSimilarity().fit(["the and of", ""])
    with pytest.raises(TypeError):
        TextSimilarity().fit("a single string")  # type: ignore[arg-type]


def test_cosine_similarity_sparse_zero_rows() -> None:
    S = cosine_similarity_sparse(np.array([[3, 4], [0, 0]]), np.array([[3, 4], [4, -3]]))
    np.testing.assert_allclose(S, [[1, 0], [0, 0]])


def test_jaccard_and_overlap_matrix() -> None:
    assert jaccard([{1, 2}, set()], set()).tolist() == [0.0, 0.0]
    X = sp.csr_array(np.array([[1, 1, 0], [0, 1, 1], [0, 0, 0]]))
    before = X.copy()
    Y = np.array([[2, 0, 0], [0, 5, 5]])  # non-binary: any non-zero is membership
    J = set_overlap_matrix(X, Y).toarray()
    np.testing.assert_allclose(J, [[0.5, 1 / 3], [0, 1], [0, 0]])
    assert (before != X).nnz == 0


def test_log_size_similarity_and_size_fit() -> None:
    assert log_size_similarity(1000, 1000).item() == 1.0
    assert log_size_similarity(1e3, 1e5).item() == pytest.approx(1 / 3)
    assert log_size_similarity(np.nan, 1e5).item() == 0.5
    # one implementer of 1e6: std floored at 0.25 decades; 1e5 is 4 sigma away
    assert size_fit(1e5, [[1e6]])[0] == pytest.approx(math.exp(-8))
    assert size_fit(np.nan, [[1e6], []]).tolist() == [0.5, 0.5]
    assert size_fit(1e5, [[0, -1, np.nan]]).tolist() == [0.5]  # no valid implementers
    assert size_fit(1e5, []).shape == (0,)


def test_cost_fit_bands() -> None:
    levels = ["low", "medium", "high", "HIGH", "unknown"]
    assert cost_fit(5e4, levels).tolist() == [1.0, 0.5, 0.0, 0.0, 0.5]
    assert cost_fit(2e6, levels).tolist() == [1.0, 1.0, 1.0, 1.0, 0.5]
    assert cost_fit(5e6, ["high"], band_edges=(1e7, 1e8)).tolist() == [0.0]


def test_kpi_gaps_and_scores() -> None:
    ref = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, np.nan]])
    # KPI0 higher is better, city value 2 -> 1 below + 0.5 tie of 4 -> rank .375 -> gap .625
    # KPI1 lower is better, city value 30 -> worst: rank (0 + .5)/3 -> gap 5/6
    g = kpi_gaps([2.0, 30.0], ["higher_is_better", "lower_is_better"], ref)
    np.testing.assert_allclose(g, [0.625, 5 / 6])
    np.testing.assert_allclose(kpi_gaps([np.nan, 10.0], [True, False], ref), [0.0, 1 / 6])
    with pytest.raises(ValueError, match="direction"):
        kpi_gaps([1.0, 1.0], ["up", "sideways"], ref)
    improves = sp.csr_array(np.array([[1, 0], [0, 1], [1, 1], [0, 0]]))
    s = kpi_gap_scores(np.array([1.0, 0.5]), improves)
    np.testing.assert_allclose(s, [0.8, 0.2, 1.0, 0.0])
    assert kpi_gap_scores(np.zeros(2), improves).tolist() == [0, 0, 0, 0]
    np.testing.assert_allclose(kpi_gap_scores([1.0, 0.5], improves, power=1), [2 / 3, 1 / 3, 1, 0])


def test_matrix_forms_agree_with_the_per_city_forms() -> None:
    """The engine calls the matrix forms; each row must be the per-city function's answer."""
    rng = np.random.default_rng(3)
    pops = np.array([5e3, 2e4, 3e5, np.nan, 2e6, 8e5, 1e5])
    levels = ["low", "medium", "high", None, "high"]
    bands = np.searchsorted([1e5, 1e6], pops, side="right").astype(float)
    bands[np.isnan(pops)] = np.nan
    lv = np.array([0.0, 1.0, 2.0, np.nan, 2.0])
    block = cost_fit_matrix(bands, lv)
    for i, p in enumerate(pops):
        np.testing.assert_array_equal(block[i], cost_fit(None if np.isnan(p) else p, levels))
    # size: implementers of 4 items among the 7 cities
    impl = (rng.random((7, 4)) < 0.5).astype(float)
    impl[:, 3] = 0.0  # an item nobody implemented
    logp = np.log10(pops)
    mean, std, has = size_profile(impl, logp)
    fit = size_fit_matrix(logp, mean, std, has)
    per_item = [[x for x, used in zip(pops, impl[:, j], strict=True) if used] for j in range(4)]
    for i, p in enumerate(pops):
        np.testing.assert_allclose(fit[i], size_fit(p, per_item), rtol=1e-12)
    # KPI gaps and need scores
    V = rng.normal(size=(9, 3))
    V[rng.random(V.shape) < 0.2] = np.nan
    higher = [True, False, True]
    gaps = kpi_gap_matrix(V, higher)
    improves = (rng.random((5, 3)) < 0.5).astype(float)
    need = kpi_need_weights(gaps) @ improves.T
    for i in range(V.shape[0]):
        np.testing.assert_allclose(gaps[i], kpi_gaps(V[i], higher, V), atol=1e-12)
        np.testing.assert_allclose(need[i], kpi_gap_scores(gaps[i], improves), atol=1e-12)
