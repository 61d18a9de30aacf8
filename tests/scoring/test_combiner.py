import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils.estimator_checks import check_estimator

from scoring.combiner import HybridRanker, group_holdout_split, sample_negatives


def make_data(n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.random((n, 3))
    # feature 0 helps, feature 1 weakly helps, feature 2 hurts (so it is dropped)
    logit = 6 * X[:, 0] + 1 * X[:, 1] - 3 * X[:, 2] - 2.5
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


@pytest.mark.parametrize("non_negative", [False, True])
def test_sklearn_estimator_checks(non_negative: bool) -> None:
    check_estimator(HybridRanker(min_positives=1, non_negative=non_negative))


def test_fit_nonnegative_contributions_and_names() -> None:
    X, y = make_data()
    r = HybridRanker(min_positives=5, random_state=0).fit(X, y, feature_names=["ppr", "t", "neg"])
    assert not r.fallback_
    assert np.all(r.coef_ >= 0) and r.coef_[2] == 0 and r.coef_[0] > r.coef_[1]
    assert set(r.weights_) == {"ppr", "t", "neg"}
    assert sum(abs(w) for w in r.weights_.values()) == pytest.approx(1.0)
    c = r.contributions(X)
    np.testing.assert_allclose(c.sum(axis=1) + r.intercept_, r.decision_function(X))
    proba = r.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert ((proba[:, 1] > 0.5) == (r.predict(X) == 1)).all()
    free = HybridRanker(min_positives=5, non_negative=False).fit(X, y)
    assert free.coef_[2] < 0


def test_fallback_uses_default_weights() -> None:
    X = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 3.0], [3.0, 3.0]])
    y = np.array([0, 1, 0, 0])
    r = HybridRanker(default_weights={"a": 3.0, "b": 1.0}).fit(X, y, feature_names=["a", "b"])
    assert r.fallback_
    assert r.weights_["a"] == pytest.approx(0.75) and r.intercept_ == 0.0
    # decision = 0.75 * (a - 1.5) + 0.25 * (b - 2)
    np.testing.assert_allclose(r.decision_function(X), 0.75 * (X[:, 0] - 1.5)
                               + 0.25 * (X[:, 1] - 2))
    eq = HybridRanker().fit(X, np.zeros(4, dtype=int))  # one class only
    assert eq.fallback_ and eq.weights_ == {"x0": 0.5, "x1": 0.5}
    assert eq.predict(X).tolist() == [0, 0, 0, 0]
    with pytest.raises(ValueError, match="unknown features"):
        HybridRanker(default_weights={"zzz": 1.0}).fit(X, y)


def test_clone_and_pipeline() -> None:
    X, y = make_data()
    r = HybridRanker(C=0.5, min_positives=5)
    c = clone(r)
    assert c.get_params() == r.get_params() and not hasattr(c, "coef_")
    pipe = make_pipeline(MinMaxScaler(), HybridRanker(min_positives=5)).fit(X, y)
    assert pipe.score(X, y) > 0.6
    assert pipe.decision_function(X).shape == (200,)


def test_sample_negatives_deterministic_and_disjoint() -> None:
    pos = np.array([[0, 1], [0, 2], [1, 3]])
    cands = np.arange(10)
    a = sample_negatives(pos, cands, 3, exclude=[(1, 4)], random_state=42)
    b = sample_negatives(pos, cands, 3, exclude=[(1, 4)], random_state=42)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (9, 2) and (a[:, 0] == 0).sum() == 6
    got = {tuple(p) for p in a.tolist()}
    assert got.isdisjoint({(0, 1), (0, 2), (1, 3), (1, 4)})
    assert len(got) == 9  # without replacement per subject
    # not enough candidates: returns what is left
    few = sample_negatives([(0, 0)], [0, 1, 2], 5, random_state=0)
    assert sorted(few[:, 1].tolist()) == [1, 2]
    assert sample_negatives(np.zeros((0, 2)), cands, 2).shape == (0, 2)


def test_group_holdout_split_no_leak() -> None:
    groups = np.repeat(np.arange(10), 3)
    pairs = np.column_stack([groups, np.arange(30)])
    train, test = group_holdout_split(pairs, groups, test_size=0.3, random_state=0)
    assert set(groups[train]).isdisjoint(groups[test])
    assert len(set(groups[test])) == 3 and sorted(np.r_[train, test].tolist()) == list(range(30))
    t2 = group_holdout_split(pairs, groups, test_size=0.3, random_state=0)[1]
    np.testing.assert_array_equal(test, t2)
