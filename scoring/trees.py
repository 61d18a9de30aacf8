"""Gradient-boosted trees as plain numpy arrays: evaluation and per-feature attribution.

A fitted ``sklearn.ensemble.HistGradientBoostingClassifier`` (binary, numerical features) is
exported once by :func:`export_hgb` into a :class:`TreeEnsemble`: padded arrays of shape
``(n_trees, max_nodes)``. Serving then needs numpy only (importing scikit-learn costs about a
second of CPU in a fresh process). :meth:`TreeEnsemble.raw` reproduces the estimator's
``decision_function`` (cross-tested to 1e-9): a sample goes left at a node when its feature
value is ``<= threshold`` (a NaN goes where the node's ``missing_go_to_left`` says), and the
prediction is the baseline plus the sum of the leaves reached.

Attribution (:meth:`TreeEnsemble.contributions`) is path-dependent ("Saabas"): every node
holds the expected output of its subtree (the leaf values weighted by how many training
samples reached them); on the way from the root to a leaf, each split credits the change of
that expectation to the feature it splits on. The contributions of a sample therefore sum
*exactly* to ``raw(x) - expected``, where ``expected`` is the baseline plus the roots'
expectations (the average output over the training samples). It is cheap (one pass down each
tree) and faithful to the path the sample took; unlike SHAP values it can favour features
split near the root, which is acceptable for ranking the reasons of one candidate.

Examples
--------
One stump on feature 0 (go left when ``x0 <= 0.5``) with leaves -1 and 3 (one and three
training samples), on top of a baseline 0.5:

>>> import numpy as np
>>> stump = TreeEnsemble.from_json({
...     "feature": [[0, 0, 0]], "threshold": [[0.5, 0, 0]], "missing_left": [[1, 0, 0]],
...     "left": [[1, 1, 2]], "right": [[2, 1, 2]], "value": [[2.0, -1.0, 3.0]],
...     "is_leaf": [[0, 1, 1]], "base": 0.5, "depth": 1, "n_features": 2})
>>> stump.raw(np.array([[0.2, 9.0], [0.7, 0.0], [np.nan, 0.0]])).tolist()
[-0.5, 3.5, -0.5]
>>> C, expected = stump.contributions(np.array([[0.7, 0.0]]))
>>> C.tolist(), expected
([[1.0, 0.0]], 2.5)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["TreeEnsemble", "export_hgb"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
#: Deepest trees evaluated by the fast path of :meth:`TreeEnsemble.raw` (padded to complete
#: trees, whose size doubles with each level).
COMPLETE_DEPTH = 6


@dataclass(frozen=True)
class TreeEnsemble:
    """A sum of binary regression trees on numerical features.

    Node ``i`` of tree ``t`` is at ``[t, i]`` of every array; node 0 is the root. A leaf has
    ``left == right == i`` (it points at itself), so descending ``depth`` times from the root
    always ends on a leaf.

    Attributes
    ----------
    feature : numpy.ndarray of int64, shape (n_trees, max_nodes)
        Feature split on (0 at leaves and padding).
    threshold : numpy.ndarray of float64
        Go left when ``x[feature] <= threshold``.
    missing_left : numpy.ndarray of bool
        Where a NaN goes.
    left, right : numpy.ndarray of int64
        Children (the node itself at leaves and padding).
    value : numpy.ndarray of float64
        Leaf value at leaves; at an internal node the count-weighted mean of its leaves.
    is_leaf : numpy.ndarray of bool
    base : float
        Added to every prediction (the estimator's baseline log-odds).
    depth : int
        Longest root-to-leaf path.
    n_features : int
    """

    feature: IntArray
    threshold: FloatArray
    missing_left: NDArray[np.bool_]
    left: IntArray
    right: IntArray
    value: FloatArray
    is_leaf: NDArray[np.bool_]
    base: float
    depth: int
    n_features: int

    @property
    def n_trees(self) -> int:
        """Number of trees."""
        return int(self.feature.shape[0])

    def _leaves(self, X: FloatArray) -> IntArray:
        """Flat index (``t * max_nodes + node``) of the leaf each sample reaches in each tree,
        shape ``(n_samples, n_trees)``."""
        n, width = X.shape[0], self.feature.shape[1]
        offset = np.arange(self.n_trees, dtype=np.int64) * width
        node = np.broadcast_to(offset, (n, self.n_trees)).copy()
        feat, thr = self.feature.ravel(), self.threshold.ravel()
        miss, left, right = self.missing_left.ravel(), self.left.ravel(), self.right.ravel()
        rows = np.arange(n)[:, None]
        for _ in range(self.depth):
            x = X[rows, feat[node]]
            go_left = (x <= thr[node]) | (np.isnan(x) & miss[node])
            node = np.where(go_left, left[node], right[node]) + offset
        return node

    def raw(self, X: FloatArray) -> FloatArray:
        """The ensemble's output (log-odds for a classifier) for each row of ``X``.

        Shallow trees (depth <= :data:`COMPLETE_DEPTH`) on inputs without NaN take the fast
        path: every split of every tree is compared at once (one gather and one comparison
        over ``n_samples x n_splits``), then each level of the trees, padded to complete
        binary trees, is one lookup in that table.

        Parameters
        ----------
        X : numpy.ndarray, shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray, shape (n_samples,)
        """
        X = self._check(X)
        if X.shape[0] == 0:
            return np.zeros(0)
        if self.depth <= COMPLETE_DEPTH and not np.isnan(X).any():
            feat, thr, leaves = self._complete
            t, inner = feat.shape[0] // max(self.n_trees, 1), 2 ** self.depth - 1
            split = (X[:, feat] > thr).ravel()
            node = np.zeros((X.shape[0], self.n_trees), dtype=np.intp)
            at = (np.arange(X.shape[0]) * feat.size)[:, None] + np.arange(self.n_trees) * t
            for _ in range(self.depth):
                node = 2 * node + 1 + split[at + node]
            first_leaf = np.arange(self.n_trees) * (inner + 1) - inner
            return np.asarray(leaves[first_leaf + node].sum(axis=1) + self.base)
        return np.asarray(self.value.ravel()[self._leaves(X)].sum(axis=1) + self.base)

    @cached_property
    def _complete(self) -> tuple[NDArray[np.intp], FloatArray, FloatArray]:
        """The trees padded to complete binary trees of ``depth`` levels, in heap order
        (children of ``i`` at ``2i+1``, ``2i+2``), flattened: split features, thresholds
        (a padding split has threshold +inf: always left) and leaf values (a leaf above the
        last level is copied into every leaf below it)."""
        inner = 2 ** self.depth - 1
        feat = np.zeros((self.n_trees, inner), dtype=np.intp)
        thr = np.full((self.n_trees, inner), np.inf)
        leaves = np.zeros((self.n_trees, inner + 1))
        for t in range(self.n_trees):
            stack = [(0, 0, 0)]  # (node, heap position, level)
            while stack:
                node, h, level = stack.pop()
                if level == self.depth:
                    leaves[t, h - inner] = self.value[t, node]
                    continue
                if self.is_leaf[t, node]:
                    stack += [(node, 2 * h + 1, level + 1), (node, 2 * h + 2, level + 1)]
                    continue
                feat[t, h], thr[t, h] = self.feature[t, node], self.threshold[t, node]
                stack += [(int(self.left[t, node]), 2 * h + 1, level + 1),
                          (int(self.right[t, node]), 2 * h + 2, level + 1)]
        return feat.ravel(), thr.ravel(), leaves.ravel()

    def bounds(self) -> tuple[float, float]:
        """The lowest and highest output any input can get: the baseline plus the sum of each
        tree's smallest (largest) leaf."""
        return self._bounds

    @cached_property
    def _bounds(self) -> tuple[float, float]:
        leaf = np.where(self.is_leaf, self.value, np.nan)
        lo = float(np.nansum(np.nanmin(leaf, axis=1))) if self.n_trees else 0.0
        hi = float(np.nansum(np.nanmax(leaf, axis=1))) if self.n_trees else 0.0
        return self.base + lo, self.base + hi

    def expected(self) -> float:
        """The baseline plus the expectation at each root (the attribution's reference)."""
        return float(self.base + self.value[:, 0].sum())

    def contributions(self, X: FloatArray) -> tuple[FloatArray, float]:
        """Path-dependent per-feature contributions (see the module docstring).

        Returns
        -------
        contributions : numpy.ndarray, shape (n_samples, n_features)
        expected : float
            ``contributions.sum(axis=1) + expected == raw(X)``.
        """
        X = self._check(X)
        n, width = X.shape[0], self.feature.shape[1]
        out = np.zeros(n * self.n_features)
        offset = np.arange(self.n_trees, dtype=np.int64) * width
        node = np.broadcast_to(offset, (n, self.n_trees)).copy()
        feat, thr, val = self.feature.ravel(), self.threshold.ravel(), self.value.ravel()
        miss, left, right = self.missing_left.ravel(), self.left.ravel(), self.right.ravel()
        leaf = self.is_leaf.ravel()
        rows = np.arange(n)[:, None]
        for _ in range(self.depth):
            f = feat[node]
            x = X[rows, f]
            go_left = (x <= thr[node]) | (np.isnan(x) & miss[node])
            nxt = np.where(go_left, left[node], right[node]) + offset
            delta = np.where(leaf[node], 0.0, val[nxt] - val[node])
            out += np.bincount((rows * self.n_features + f).ravel(), weights=delta.ravel(),
                               minlength=out.size)
            node = nxt
        return out.reshape(n, self.n_features), self.expected()

    def _check(self, X: FloatArray) -> FloatArray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected an array of shape (n, {self.n_features}), "
                             f"got {X.shape}")
        return X

    def to_json(self) -> dict[str, Any]:
        """Plain lists and numbers (see :meth:`from_json`)."""
        return {"feature": self.feature.tolist(), "threshold": self.threshold.tolist(),
                "missing_left": self.missing_left.astype(int).tolist(),
                "left": self.left.tolist(), "right": self.right.tolist(),
                "value": self.value.tolist(), "is_leaf": self.is_leaf.astype(int).tolist(),
                "base": self.base, "depth": self.depth, "n_features": self.n_features}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> TreeEnsemble:
        """The ensemble written by :meth:`to_json` (floats round-trip exactly through JSON)."""
        def arr(name: str, dtype: type) -> NDArray[Any]:
            a: NDArray[Any] = np.asarray(doc[name], dtype=dtype)
            return a.reshape(-1, 1) if a.ndim == 1 else a

        return cls(feature=arr("feature", np.int64), threshold=arr("threshold", np.float64),
                   missing_left=arr("missing_left", np.bool_), left=arr("left", np.int64),
                   right=arr("right", np.int64), value=arr("value", np.float64),
                   is_leaf=arr("is_leaf", np.bool_), base=float(doc["base"]),
                   depth=int(doc["depth"]), n_features=int(doc["n_features"]))


def export_hgb(estimator: Any) -> TreeEnsemble:
    """The trees of a fitted binary ``HistGradientBoostingClassifier`` (or a regressor) as a
    :class:`TreeEnsemble`.

    Reads the estimator's fitted predictors (``_predictors``, ``_baseline_prediction``:
    scikit-learn internals, so the export is cross-tested against ``decision_function``).
    Categorical splits are not supported.

    Raises
    ------
    ValueError
        A multi-class model or a categorical split.
    """
    predictors = [p for it in estimator._predictors for p in it]
    if any(len(it) != 1 for it in estimator._predictors):
        raise ValueError("only binary classifiers and regressors can be exported")
    base = float(np.asarray(estimator._baseline_prediction).ravel()[0])
    n_features = int(estimator.n_features_in_)
    width = max((len(p.nodes) for p in predictors), default=1)
    t = len(predictors)
    feature = np.zeros((t, width), dtype=np.int64)
    threshold = np.zeros((t, width))
    missing = np.zeros((t, width), dtype=bool)
    left = np.tile(np.arange(width, dtype=np.int64), (t, 1))
    right = left.copy()
    value = np.zeros((t, width))
    is_leaf = np.ones((t, width), dtype=bool)
    depth = 0
    for i, p in enumerate(predictors):
        nodes = p.nodes
        if np.any(nodes["is_categorical"]):
            raise ValueError("categorical splits cannot be exported")
        m = len(nodes)
        inner = ~nodes["is_leaf"].astype(bool)
        is_leaf[i, :m] = ~inner
        feature[i, :m] = np.where(inner, nodes["feature_idx"], 0)
        threshold[i, :m] = nodes["num_threshold"]
        missing[i, :m] = nodes["missing_go_to_left"].astype(bool)
        left[i, :m] = np.where(inner, nodes["left"], np.arange(m))
        right[i, :m] = np.where(inner, nodes["right"], np.arange(m))
        value[i, :m] = _expectations(nodes)
        depth = max(depth, int(nodes["depth"].max()))
    return TreeEnsemble(feature, threshold, missing, left, right, value, is_leaf, base, depth,
                        n_features)


def _expectations(nodes: Any) -> FloatArray:
    """Leaf values at leaves, the count-weighted mean of the leaves below at inner nodes."""
    m = len(nodes)
    value = np.asarray(nodes["value"], dtype=np.float64).copy()
    count = np.asarray(nodes["count"], dtype=np.float64).copy()
    # children always have larger indices than their parent: fill inner nodes bottom-up
    for i in range(m - 1, -1, -1):
        if not nodes["is_leaf"][i]:
            a, b = int(nodes["left"][i]), int(nodes["right"][i])
            total = count[a] + count[b]
            value[i] = (value[a] * count[a] + value[b] * count[b]) / total if total > 0 \
                else 0.5 * (value[a] + value[b])
            count[i] = total
    return value
