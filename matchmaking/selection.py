"""Per-kind model selection by cross-validation over the training subjects.

:func:`matchmaking.training.fit_kind` hides links of the drawn training subjects and computes
their features on the graph without those links; the contenders below learn from those
samples. To choose among them, every subject with a usable hidden link is validated once,
over :data:`FOLDS` folds grouped by subject: the contenders are fitted on the other folds'
subjects and rank **all** candidates of the fold's subjects, exactly as serving ranks them
(known candidates and the subject itself excluded, a zero score never listed, ties broken by
candidate order), scored by nDCG@10.

A validation subject is seen as serving would see it (:func:`keep_rows`): it is asked for
one of its hidden links, drawn at random, and knows all its other links; its features are
computed on the graph without just that one link of every drawn subject. Validating instead
on the training graph itself, where each drawn subject lacks half of its links, misjudged
the tree ranker: for the synthetic world's peers (seeds 7, 8 and 9) it scored ``gbrt`` well
above ``logistic`` there, while ``gbrt`` was worse on the held-out ties, and hiding a fifth of
the links instead of half closed that gap (docs/evaluation.md, "Selection robustness").

The contenders:

``logistic``
    The pairwise logistic combiner (:class:`scoring.HybridRanker`), its weights mixed with
    the kind's default weights (``PRIOR_SHARE`` of :mod:`matchmaking.training`).
``pure``
    The same learned weights without that mix (with the logistic score as a tie-break, as
    below: a weight of 0 on most features would leave most candidates at a score of 0).
``single <feature>``
    The combiner's own best single feature: the feature whose ranking alone has the best
    nDCG@10 over the fitting subjects (chosen again in each fold). Served as that feature,
    with the logistic score as a tie-break (:data:`TIE_SHARE` of the score).
``gbrt``
    A gradient-boosted tree ranker (``HistGradientBoostingClassifier`` on the same hidden
    positives and drawn negatives, pointwise, with a monotonic increasing constraint on every
    feature because every feature is "higher is a better match"); served as numpy arrays
    (:class:`scoring.trees.TreeEnsemble`), normalised to [0, 1] by the ensemble's bounds,
    with the same tie-break, as the second stage of a cascade: it re-ranks the
    :data:`TREE_POOL` candidates that the logistic score ranks highest.
``defaults``
    The kind's documented default weights.

The winner (:func:`winner`) follows the one-standard-error rule: the simplest contender
(:data:`SIMPLICITY`) whose mean validation nDCG@10 is within one standard error of the best
mean (the standard error of the per-subject paired differences). It is refitted on all the
drawn subjects, and the mean validation nDCG@10 of every contender is kept in
:attr:`matchmaking.training.KindModel.validation`. With fewer than
:data:`MIN_VALIDATION_SUBJECTS` validated subjects there is nothing to select on, and the
logistic combiner is used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matchmaking.projection import FloatArray, IntArray
from scoring.trees import TreeEnsemble, export_hgb

#: Folds of the cross-validation over the drawn training subjects (3: each contender is
#: fitted on two thirds of them, as before; 5 folds made fitting at bsc about 1.8x slower
#: than the single split did, against about 1.2x for 3, benchmarks/bench_training.py).
FOLDS = 3
#: At most this many subjects are validated (drawn at random; the others only fit): the
#: standard errors are small enough, and validation costs a feature pass per subject.
MAX_VALIDATED = 300
#: Fewer validated subjects than this: no selection (the logistic combiner is kept).
MIN_VALIDATION_SUBJECTS = 10
#: Share of a ``single`` or ``gbrt`` score that is the logistic score: it orders the many
#: candidates that a single feature or a tree's leaves leave tied.
TIE_SHARE = 0.02
K = 10
#: The contenders from the simplest to the most flexible, i.e. by how far the served model
#: may depart from the kind's documented default weights: the defaults themselves, the
#: learned weights shrunk towards them, the learned weights alone, all weight on one
#: feature, and a non-linear tree ranker. The one-standard-error rule (:func:`winner`)
#: prefers the earlier of two contenders it cannot tell apart. (Putting ``single`` before
#: ``pure`` kept ``single need`` for demo-bsc peers, within a standard error of ``pure`` on
#: validation and at 0.68x the best baseline on the held-out ties.)
SIMPLICITY = ("defaults", "logistic", "pure", "single", "gbrt")
#: The tree ranker's settings: small trees, few of them (serving evaluates every candidate).
GBRT_PARAMS: dict[str, Any] = {"max_iter": 40, "learning_rate": 0.15, "max_depth": 3,
                               "min_samples_leaf": 20, "l2_regularization": 1.0,
                               "early_stopping": False}
#: The tree re-ranks this many of a subject's candidates, the best by the linear score (a
#: two-stage cascade: evaluating the trees on every candidate would cost more than the rest
#: of a request at 13,000 members); the others keep the linear part of the score only.
TREE_POOL = 100


@dataclass
class SubjectSamples:
    """One training subject's samples.

    ``diff``/``label``: pairwise differences for the logistic combiner; ``points``/``point_y``:
    the positive and negative rows for the tree; ``single``: nDCG@10 of each feature's ranking
    alone; ``X``, ``pos``, ``blocked``: every candidate's features, the positives' and the
    excluded candidates' positions (kept for validation subjects only).
    """

    diff: FloatArray
    label: FloatArray
    points: FloatArray
    point_y: FloatArray
    single: FloatArray
    n_pos: int
    X: FloatArray | None = None
    pos: IntArray | None = None
    blocked: IntArray | None = None


@dataclass
class Samples:
    """The samples of every training subject, in subject order, with each subject's
    cross-validation fold (:func:`assign_folds`; -1: never validated)."""

    subjects: list[SubjectSamples] = field(default_factory=list)
    folds: list[int] = field(default_factory=list)

    def n_folds(self) -> int:
        """Number of folds (0 without any)."""
        return max(self.folds, default=-1) + 1

    def outside(self, fold: int) -> list[bool]:
        """Which subjects to fit on when ``fold`` is validated."""
        return [f != fold for f in self.folds]

    def pairs(self, which: Sequence[bool] | None = None) -> tuple[FloatArray, IntArray]:
        """Pairwise samples of the subjects selected by ``which`` (all when None)."""
        keep = self._keep(which)
        if not keep:
            return np.zeros((0, 0)), np.zeros(0, dtype=np.int64)
        return (np.vstack([s.diff for s in keep]),
                np.concatenate([s.label for s in keep]).astype(np.int64))

    def points(self, which: Sequence[bool] | None = None) -> tuple[FloatArray, IntArray]:
        """Pointwise samples (positive and negative rows) of the selected subjects."""
        keep = self._keep(which)
        return (np.vstack([s.points for s in keep]),
                np.concatenate([s.point_y for s in keep]).astype(np.int64))

    def best_single(self, which: Sequence[bool] | None = None) -> int:
        """The feature whose ranking alone has the best mean nDCG@10 (lowest index on ties)."""
        keep = self._keep(which)
        return int(np.argmax(np.mean([s.single for s in keep], axis=0)))

    def _keep(self, which: Sequence[bool] | None) -> list[SubjectSamples]:
        if which is None:
            return list(self.subjects)
        return [s for s, w in zip(self.subjects, which, strict=True) if w]


def ndcg_top(score: FloatArray, pos: IntArray, blocked: IntArray, k: int = K) -> float:
    """nDCG@k (binary gains) of ranking every candidate by ``score`` as serving does: the
    ``blocked`` positions and candidates with a score <= 0 are not listed, ties go to the
    lower position."""
    if pos.size == 0:
        return 0.0
    valid = score > 0
    valid[blocked] = False
    idx = np.flatnonzero(valid)
    if idx.size > k:
        kth = np.partition(score[idx], idx.size - k)[idx.size - k]
        idx = idx[score[idx] >= kth]
    top = idx[np.lexsort((idx, -score[idx]))][:k]
    hits = np.isin(top, pos)
    dcg = float(np.sum(hits / np.log2(np.arange(2, top.size + 2))))
    idcg = float(np.sum(1.0 / np.log2(np.arange(2, min(k, pos.size) + 2))))
    return dcg / idcg


def single_feature_ndcg(X: FloatArray, pos: IntArray, blocked: IntArray) -> FloatArray:
    """nDCG@10 of ranking the candidates by each feature (column of ``X``) alone."""
    return np.array([ndcg_top(X[:, j], pos, blocked) for j in range(X.shape[1])])


def fit_gbrt(X: FloatArray, y: IntArray, random_state: int) -> TreeEnsemble | None:
    """The tree ranker fitted on pointwise samples, exported to numpy (None: one class)."""
    if np.unique(y).size < 2:
        return None
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    est = HistGradientBoostingClassifier(monotonic_cst=[1] * X.shape[1],
                                         random_state=random_state, **GBRT_PARAMS)
    # one OpenMP thread: these fits are small, and on a busy machine OpenMP's threads
    # waiting for each other made one take seconds instead of a tenth of a second
    with threadpool_limits(limits=1, user_api="openmp"):
        return export_hgb(est.fit(X, y))


def tree_score(ens: TreeEnsemble, X: FloatArray) -> FloatArray:
    """The ensemble's output rescaled to [0, 1] by its bounds (:meth:`TreeEnsemble.bounds`)."""
    lo, hi = ens.bounds()
    shape = X.shape[:-1]
    raw = ens.raw(X.reshape(-1, X.shape[-1])).reshape(shape)
    return np.asarray((raw - lo) / (hi - lo)) if hi > lo else np.zeros(shape)


def tree_pool(linear: FloatArray, size: int | None = TREE_POOL) -> IntArray:
    """Positions of the ``size`` best linear scores (ties to the lower position); all of
    them when ``size`` is None."""
    n = linear.shape[0]
    if size is None or n <= size:
        return np.arange(n, dtype=np.int64)
    kth = np.partition(linear, n - size)[n - size]
    idx = np.flatnonzero(linear >= kth)
    return idx[np.lexsort((idx, -linear[idx]))][:size].astype(np.int64)


def served_score(X: FloatArray, weights: FloatArray, trees: TreeEnsemble | None,
                 pool: int | None = TREE_POOL) -> FloatArray:
    """The score serving gives to the candidate rows ``X`` of one subject: ``X @ weights``,
    or with trees ``(1 - TIE_SHARE) * tree_score + TIE_SHARE * X @ weights`` on the
    ``pool`` best by ``X @ weights`` (:func:`tree_pool`) and ``TIE_SHARE * X @ weights`` on
    the rest (a tree score is >= 0, so the pool always ranks first)."""
    linear = X @ weights
    if trees is None:
        return np.asarray(linear)
    if X.ndim != 2:
        raise ValueError("a tree model scores the 2-d candidate rows of one subject")
    out = TIE_SHARE * linear
    top = tree_pool(linear, pool)
    out[top] += (1 - TIE_SHARE) * tree_score(trees, X[top])
    return np.asarray(out)


def tie_broken(w: FloatArray, logistic: FloatArray) -> FloatArray:
    """``w`` with :data:`TIE_SHARE` of the logistic weights: the candidates that ``w`` leaves
    tied (or at zero, which serving does not list) keep the combiner's order."""
    return np.asarray((1 - TIE_SHARE) * w + TIE_SHARE * logistic)


def keep_rows(sample: SubjectSamples, X: FloatArray, cands: IntArray, held: int,
              blocked: set[int]) -> None:
    """Keep a subject's validation rows on ``sample``: every candidate's features ``X`` (as
    float32), the position of the ``held`` candidate it is validated on, and the positions
    of the ``blocked`` candidates (known links and the subject itself: not ranked)."""
    sample.X = X.astype(np.float32)
    sample.pos = np.flatnonzero(cands == held)
    sample.blocked = np.flatnonzero(np.isin(cands, np.fromiter(blocked, dtype=np.int64)))


def single_weights(j: int, logistic: FloatArray) -> FloatArray:
    """Weights of the ``single`` contender: feature ``j``, tie-broken by the logistic score."""
    return tie_broken(np.eye(logistic.size)[j], logistic)


#: Contenders by name: ``(weights, trees or None)``, served by :func:`served_score`.
Contenders = dict[str, tuple[FloatArray, TreeEnsemble | None]]


def assign_folds(n: int, folds: int, rng: np.random.Generator) -> IntArray:
    """A fold in ``0 .. folds - 1`` for each of ``n`` subjects: a random permutation of
    ``0, 1, .., folds - 1, 0, 1, ..`` (fold sizes differ by at most one)."""
    return np.asarray(rng.permutation(np.arange(n) % folds), dtype=np.int64)


def cross_validate(samples: Samples, fit: Callable[[list[bool]], Contenders]
                   ) -> dict[str, FloatArray]:
    """Validation nDCG@10 of each contender, one value per validated subject (in subject
    order): for each fold, ``fit(which)`` returns the contenders fitted on the subjects
    ``which`` selects (every other fold), and they rank the fold's subjects. A contender is
    named by its first word (``single <feature>`` counts as ``single``: the feature is
    chosen again in each fold); one that some fold could not fit is left out."""
    n = len(samples.subjects)
    out: dict[str, FloatArray] = {}
    present: set[str] | None = None
    for fold in range(samples.n_folds()):
        contenders = fit(samples.outside(fold))
        rows = [i for i, f in enumerate(samples.folds) if f == fold]
        for name, (w, trees) in contenders.items():
            scores = out.setdefault(name.split(" ")[0], np.full(n, np.nan))
            for i in rows:
                s = samples.subjects[i]
                assert s.X is not None and s.pos is not None and s.blocked is not None
                scores[i] = ndcg_top(np.round(served_score(s.X, w, trees), 9), s.pos,
                                     s.blocked)
        names = {name.split(" ")[0] for name in contenders}
        present = names if present is None else present & names
    validated = np.array([f >= 0 for f in samples.folds], dtype=bool)
    return {k: v[validated] for k, v in out.items() if present and k in present}


def winner(scores: dict[str, FloatArray]) -> str:
    """The contender to keep, by the one-standard-error rule: the simplest contender (the
    earliest in :data:`SIMPLICITY`; ``single <feature>`` counts as ``single``) whose mean
    validation nDCG@10 is within one standard error of the best mean, the standard error
    being that of the per-subject paired differences between the two. A contender that is
    better only by an amount the validation subjects cannot tell from noise does not
    replace a simpler one.

    Examples
    --------
    >>> import numpy as np
    >>> winner({"logistic": np.array([.2, .3, .1]), "gbrt": np.array([.5, .6, .4])})
    'gbrt'
    >>> winner({"logistic": np.array([.2, .3, .1]), "gbrt": np.array([.5, .2, .0])})
    'logistic'
    """
    def rank(name: str) -> tuple[float, int]:
        return (-float(np.mean(scores[name])), SIMPLICITY.index(name.split(" ")[0]))

    best = min(scores, key=rank)
    for name in sorted(scores, key=lambda n: SIMPLICITY.index(n.split(" ")[0])):
        if name == best:
            break
        diff = scores[best] - scores[name]
        if diff.size < 2:
            continue
        se = float(np.std(diff, ddof=1) / np.sqrt(diff.size))
        if float(np.mean(diff)) <= se:
            return name
    return best
