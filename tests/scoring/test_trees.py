"""The numpy tree evaluator (``scoring.trees``) against scikit-learn's own predictions."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from scoring.trees import TreeEnsemble, export_hgb


@pytest.fixture(autouse=True)
def _one_thread() -> object:
    """Small fits: OpenMP's thread pool only slows them down on a busy machine."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="openmp"):
        yield


def _data(n: int = 1500, f: int = 6, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.random((n, f))
    y = (np.minimum(X[:, 0], X[:, 1]) + 0.2 * X[:, 2] + 0.1 * rng.standard_normal(n) > 0.5)
    return X, y.astype(int)


@pytest.mark.parametrize("params", [
    {"max_iter": 60, "max_depth": 4, "monotonic_cst": [1] * 6},
    {"max_iter": 25, "max_leaf_nodes": 31, "max_depth": None},
    {"max_iter": 1, "max_depth": 1},
])
def test_numpy_trees_equal_sklearn_decision_function(params: dict[str, object]) -> None:
    X, y = _data()
    X[::37, 2] = np.nan  # missing values follow each node's learned direction
    est = HistGradientBoostingClassifier(early_stopping=False, random_state=0, **params)
    ens = export_hgb(est.fit(X, y))
    test = np.random.default_rng(5).random((2000, 6))
    test[::11, 2] = np.nan
    test[::13, 0] = np.nan
    clean = np.random.default_rng(6).random((500, 6))  # no NaN: the fast path
    for Z in (X, test, test[:1], clean, clean[:1]):
        np.testing.assert_allclose(ens.raw(Z), est.decision_function(Z), rtol=0, atol=1e-9)
    assert ens.raw(np.zeros((0, 6))).shape == (0,)


def test_a_regressor_exports_too() -> None:
    X, y = _data(seed=3)
    est = HistGradientBoostingRegressor(max_iter=20, random_state=0).fit(X, y + X[:, 4])
    np.testing.assert_allclose(export_hgb(est).raw(X), est.predict(X), rtol=0, atol=1e-9)


def test_contributions_sum_to_the_output_and_follow_the_splits() -> None:
    X, y = _data(seed=1)
    est = HistGradientBoostingClassifier(max_iter=40, max_depth=3, monotonic_cst=[1] * 6,
                                         early_stopping=False, random_state=0).fit(X, y)
    ens = export_hgb(est)
    C, expected = ens.contributions(X[:500])
    np.testing.assert_allclose(C.sum(axis=1) + expected, ens.raw(X[:500]), atol=1e-9)
    # the expectation is the count-weighted mean output on the training samples
    assert expected == pytest.approx(float(np.mean(ens.raw(X))), abs=1e-6)
    # features the label does not depend on get (almost) nothing; the drivers get most
    share = np.abs(C).mean(axis=0)
    assert share[:2].min() > 5 * share[3:].max()
    # with a +1 monotonic constraint, raising the driver never lowers the output
    up = X[:500].copy()
    up[:, 0] = np.minimum(up[:, 0] + 0.3, 1.0)
    assert np.all(ens.raw(up) >= ens.raw(X[:500]) - 1e-12)


def test_bounds_hold_for_any_input_and_json_round_trips_exactly() -> None:
    X, y = _data(seed=2)
    est = HistGradientBoostingClassifier(max_iter=30, early_stopping=False,
                                         random_state=0).fit(X, y)
    ens = export_hgb(est)
    lo, hi = ens.bounds()
    wide = np.random.default_rng(9).normal(0.5, 3.0, (5000, 6))
    out = ens.raw(wide)
    assert lo <= out.min() and out.max() <= hi and lo < hi
    back = TreeEnsemble.from_json(json.loads(json.dumps(ens.to_json())))
    np.testing.assert_array_equal(back.raw(wide), out)


def test_wrong_inputs_are_refused() -> None:
    X, y = _data(f=6)
    ens = export_hgb(HistGradientBoostingClassifier(max_iter=3).fit(X, y))
    with pytest.raises(ValueError, match=r"shape \(n, 6\)"):
        ens.raw(X[:, :5])
    multi = HistGradientBoostingClassifier(max_iter=2).fit(X, (X[:, 0] * 3).astype(int))
    with pytest.raises(ValueError, match="binary"):
        export_hgb(multi)
