"""The learned combiner of proximity and similarity features, plus training-data helpers.

:class:`HybridRanker` is a scikit-learn classifier (works with ``clone`` and ``Pipeline``):
a logistic regression on standardised features whose coefficients are kept non-negative,
so every feature can only raise a score (all our features are "higher = better match").
With too little feedback it falls back to fixed default weights.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupShuffleSplit
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["HybridRanker", "group_holdout_split", "sample_negatives"]


class HybridRanker(ClassifierMixin, BaseEstimator):
    """Logistic combination of match features with non-negative weights and a cold-start fallback.

    Parameters
    ----------
    C : float, default 1.0
        Inverse L2 regularisation strength of the logistic regression.
    class_weight : "balanced", dict or None, default "balanced"
    min_positives : int, default 20
        Below this many positive examples (or with a single class) the model is not learned;
        ``default_weights`` are used and ``fallback_`` is True.
    default_weights : mapping of str to float, array-like or None
        Fallback weights on the raw features (by feature name, or one per column). None means
        equal weights. Weights are normalised to sum 1; a name missing from the mapping gets 0.
    random_state : int, RandomState or None
        Passed to the logistic regression solver.
    non_negative : bool, default True
        Keep coefficients >= 0 by active-set refitting: fit, drop every feature with a
        negative coefficient, refit on the rest, until none is negative (dropped features get
        coefficient 0). Unlike clipping this re-balances the remaining weights.

    Attributes
    ----------
    classes_ : numpy.ndarray
        The labels seen in ``fit``; the positive class is ``classes_[-1]``.
    scaler_ : sklearn.preprocessing.StandardScaler
    coef_ : numpy.ndarray, shape (n_features,)
        Coefficients on *standardised* features.
    intercept_ : float
    weights_ : dict of str to float
        Relative feature weights keyed by feature name (``feature_names_in_`` for DataFrames,
        the ``feature_names`` fit argument, or ``x0``, ``x1``...): the learned ``coef_``
        normalised to sum of absolute values 1, or the normalised ``default_weights`` in
        fallback mode.
    fallback_ : bool
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray of str (only when fitted on a DataFrame)

    Notes
    -----
    ``decision_function(X) = intercept_ + sum_j coef_[j] * (X[:, j] - mean_j) / scale_j``;
    :meth:`contributions` returns the summands. In fallback mode
    ``coef_[j] = w_j * scale_j`` and ``intercept_ = 0``, so the decision is
    ``sum_j w_j * (X[:, j] - mean_j)``: the same ranking as the raw weighted sum.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.9, 0.1], [0.8, 0.3], [0.2, 0.2], [0.1, 0.4], [0.7, 0.9]])
    >>> y = np.array([1, 1, 0, 0, 1])
    >>> r = HybridRanker(min_positives=2).fit(X, y, feature_names=["ppr", "text"])
    >>> r.fallback_, r.predict(X).tolist()
    (False, [1, 1, 0, 0, 1])
    >>> bool(np.allclose(r.contributions(X).sum(axis=1) + r.intercept_, r.decision_function(X)))
    True
    >>> HybridRanker().fit(X, y).fallback_  # 3 positives < 20
    True
    """

    def __init__(
        self,
        C: float = 1.0,
        class_weight: str | Mapping[Any, float] | None = "balanced",
        min_positives: int = 20,
        default_weights: Mapping[str, float] | ArrayLike | None = None,
        random_state: int | np.random.RandomState | None = None,
        non_negative: bool = True,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.min_positives = min_positives
        self.default_weights = default_weights
        self.random_state = random_state
        self.non_negative = non_negative

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        if tags.classifier_tags is not None:
            tags.classifier_tags.multi_class = False
            # non-negative weights cannot fit features that predict the negative class
            tags.classifier_tags.poor_score = bool(self.non_negative)
        return tags

    def fit(
        self, X: ArrayLike, y: ArrayLike, feature_names: Sequence[str] | None = None
    ) -> HybridRanker:
        """Learn the weights from labelled (subject, item) feature rows.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
        y : array-like, shape (n_samples,)
            Binary labels; the larger label is the positive class.
        feature_names : sequence of str, optional
            Names for ``weights_`` when ``X`` is not a DataFrame.
        """
        X_arr, y_arr = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y_arr)
        self.classes_ = np.unique(y_arr)
        if len(self.classes_) > 2:
            raise ValueError(
                "Only binary classification is supported by HybridRanker; "
                f"got {len(self.classes_)} classes"
            )
        f = X_arr.shape[1]
        self._names = self._feature_names(f, feature_names)
        self.scaler_ = StandardScaler().fit(X_arr)
        Z = self.scaler_.transform(X_arr)
        n_pos = int(np.sum(y_arr == self.classes_[-1])) if len(self.classes_) == 2 else 0
        self.fallback_ = len(self.classes_) < 2 or n_pos < self.min_positives
        if self.fallback_:
            w = self._default_weight_vector(f)
            self.coef_ = w * self.scaler_.scale_
            self.intercept_ = 0.0
        else:
            self.coef_, self.intercept_ = self._fit_logistic(Z, y_arr)
            norm = float(np.abs(self.coef_).sum())
            w = self.coef_ / norm if norm > 0 else np.zeros(f)
        self.weights_ = {name: float(c) for name, c in zip(self._names, w, strict=True)}
        return self

    def _feature_names(self, f: int, feature_names: Sequence[str] | None) -> list[str]:
        if feature_names is not None:
            names = [str(n) for n in feature_names]
            if len(names) != f:
                raise ValueError(f"feature_names has {len(names)} names but X has {f} columns")
            return names
        if hasattr(self, "feature_names_in_"):
            return [str(n) for n in self.feature_names_in_]
        return [f"x{j}" for j in range(f)]

    def _default_weight_vector(self, f: int) -> NDArray[np.float64]:
        dw = self.default_weights
        if dw is None:
            w = np.ones(f)
        elif isinstance(dw, Mapping):
            unknown = sorted(set(dw) - set(self._names))
            if unknown:
                raise ValueError(f"default_weights name unknown features {unknown}")
            w = np.array([float(dw.get(n, 0.0)) for n in self._names])
        else:
            w = np.asarray(dw, dtype=np.float64).ravel()
            if w.size != f:
                raise ValueError(f"default_weights has {w.size} values but X has {f} columns")
        if np.any(w < 0) or w.sum() <= 0:
            raise ValueError("default_weights must be >= 0 with a positive sum")
        return np.asarray(w / w.sum(), dtype=np.float64)

    def _fit_logistic(
        self, Z: NDArray[np.float64], y: NDArray[Any]
    ) -> tuple[NDArray[np.float64], float]:
        f = Z.shape[1]
        active = np.arange(f)
        coef = np.zeros(f)
        intercept = 0.0
        while True:
            lr = LogisticRegression(
                C=self.C, class_weight=self.class_weight, random_state=self.random_state,
                max_iter=1000,
            )
            if active.size:
                lr.fit(Z[:, active], y)
                c = lr.coef_.ravel()
                intercept = float(lr.intercept_[0])
            else:  # every feature dropped: constant model at the (weighted) base rate
                lr.fit(np.zeros((Z.shape[0], 1)), y)
                c = np.zeros(0)
                intercept = float(lr.intercept_[0])
            if not self.non_negative or not np.any(c < 0):
                coef[:] = 0.0
                coef[active] = c
                return coef, intercept
            active = active[c >= 0]

    def decision_function(self, X: ArrayLike) -> NDArray[np.float64]:
        """Log-odds of a match: ``intercept_ + contributions(X).sum(axis=1)``."""
        return np.asarray(self.contributions(X).sum(axis=1) + self.intercept_)

    def contributions(self, X: ArrayLike) -> NDArray[np.float64]:
        """Per-feature additive contributions, shape (n_samples, n_features).

        Row sums plus ``intercept_`` equal :meth:`decision_function`.
        """
        check_is_fitted(self, "coef_")
        X_arr = validate_data(self, X, reset=False, dtype=np.float64)
        return np.asarray(self.scaler_.transform(X_arr) * self.coef_)

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Class probabilities, columns ordered as ``classes_``."""
        d = self.decision_function(X)
        if len(self.classes_) == 1:
            return np.ones((d.shape[0], 1))
        p = 1.0 / (1.0 + np.exp(-d))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """Positive class where ``decision_function > 0``."""
        d = self.decision_function(X)
        if len(self.classes_) == 1:
            return np.full(d.shape[0], self.classes_[0])
        return np.asarray(self.classes_[(d > 0).astype(int)])


def sample_negatives(
    positive_pairs: ArrayLike,
    candidate_items: ArrayLike,
    n_per_positive: int,
    *,
    exclude: Iterable[tuple[int, int]] | NDArray[np.integer[Any]] | None = None,
    random_state: int | np.random.RandomState | None = None,
) -> NDArray[np.int64]:
    """Draw unlabelled (subject, item) pairs as negatives for each subject's positives.

    Reference implementation, not called by the engine (it draws its own per-subject hard and
    easy negatives (``matchmaking.training``)); kept documented and tested for notebooks and
    cross-checks.

    For every subject, ``n_per_positive * (number of its positives)`` items are drawn
    uniformly without replacement from ``candidate_items`` minus the subject's positive and
    excluded items (fewer if not enough remain). Deterministic for a given ``random_state``.

    Parameters
    ----------
    positive_pairs : array-like of int, shape (m, 2)
        (subject, item) rows.
    candidate_items : array-like of int
    n_per_positive : int
    exclude : array-like of int, shape (e, 2), optional
        Further (subject, item) pairs never to return (e.g. items the user dismissed).
    random_state : int, RandomState or None

    Returns
    -------
    numpy.ndarray of int64, shape (r, 2)
        Subjects in ascending order; items in draw order.

    Examples
    --------
    >>> pos = [(0, 10), (1, 11)]
    >>> neg = sample_negatives(pos, [10, 11, 12, 13, 14], 2, exclude=[(0, 12)], random_state=0)
    >>> neg.shape, {(int(s), int(i)) for s, i in neg}.isdisjoint({(0, 10), (1, 11), (0, 12)})
    ((4, 2), True)
    """
    pos = np.asarray(positive_pairs, dtype=np.int64).reshape(-1, 2)
    cand = np.unique(np.asarray(candidate_items, dtype=np.int64))
    if n_per_positive < 0:
        raise ValueError(f"n_per_positive must be >= 0, got {n_per_positive}")
    blocked: dict[int, set[int]] = {}
    for s, i in pos.tolist():
        blocked.setdefault(s, set()).add(i)
    if exclude is not None:
        ex = np.asarray(list(exclude), dtype=np.int64).reshape(-1, 2)
        for s, i in ex.tolist():
            blocked.setdefault(s, set()).add(i)
    rng = check_random_state(random_state)
    subjects, counts = np.unique(pos[:, 0], return_counts=True)
    out: list[NDArray[np.int64]] = []
    for s, c in zip(subjects.tolist(), counts.tolist(), strict=True):
        bl = np.fromiter(blocked[s], dtype=np.int64)
        allowed = cand[~np.isin(cand, bl)]
        m = min(int(c) * n_per_positive, allowed.size)
        if m == 0:
            continue
        items = rng.choice(allowed, size=m, replace=False)
        out.append(np.column_stack([np.full(m, s, dtype=np.int64), items]))
    return np.vstack(out) if out else np.zeros((0, 2), dtype=np.int64)


def group_holdout_split(
    pairs: ArrayLike,
    groups: ArrayLike,
    test_size: float = 0.2,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Train/test row indices where each group (e.g. a city) falls wholly on one side.

    Reference implementation, not called by the engine (it trains leave-link-out
    (``matchmaking.training``)); kept documented and tested for notebooks and cross-checks.

    Uses ``sklearn.model_selection.GroupShuffleSplit``; ``test_size`` is the share of
    *groups* held out.

    Examples
    --------
    >>> pairs = [(0, 1), (0, 2), (1, 1), (2, 3), (3, 1)]
    >>> train, test = group_holdout_split(pairs, [0, 0, 1, 2, 3], test_size=0.25, random_state=0)
    >>> sorted(train.tolist() + test.tolist()), len(test)
    ([0, 1, 2, 3, 4], 1)
    """
    g = np.asarray(groups)
    n = len(np.asarray(pairs))
    if g.shape[0] != n:
        raise ValueError(f"groups has {g.shape[0]} entries but there are {n} pairs")
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=random_state)
    train, test = next(splitter.split(np.zeros((n, 1)), groups=g))
    return np.asarray(train, dtype=np.intp), np.asarray(test, dtype=np.intp)
