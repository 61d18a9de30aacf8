"""Learning the per-kind weights of the match features (leave-link-out, grouped by subject).

For each kind the positives are the links the graph already holds (see :func:`positive_pairs`)
plus accepted feedback. Training never scores a link that is still in the graph:

1. pick up to ``max_subjects`` subjects that have positives (deterministic draw);
2. hide a random half (at least one) of each picked subject's links, and remove the edges that
   carry them from a copy of the projection (``Projection.without``);
3. compute features on that reduced graph, for the picked subjects against every candidate:
   hidden links are the positives, their remaining links are skipped (they are "known" and
   excluded at serving time too), negatives are drawn half uniformly and half from the
   candidates the default weights rank highest (hard negatives; only hard ones, from more
   subjects, for the sparse advice kinds: see each kind's :class:`~matchmaking.kinds.TrainingSpec`);
4. fit :class:`scoring.HybridRanker` (non-negative logistic regression on standardised
   features) *pairwise*: each sample is the feature difference of a hidden positive and a
   negative of the same subject (up to ``max_pairs`` per subject, both signs), so the model
   learns to order one subject's candidates, which is what serving does; a feature that is
   constant for a subject (its own activity) cannot buy weight.

A fit that cannot learn falls back to the kind's documented ``default_weights``
(:attr:`matchmaking.kinds.KindSpec.default_weights`) and says why, in
:attr:`KindModel.fallback` and in a log line (logger ``matchmaking.training``): fewer than
``min_positives`` training positives or usable hidden positives, fewer than 3 candidates,
features that are constant over every sample, a ranker that cannot fit, or no feature with a
positive weight. ``matchmaking evaluate`` prints which combiner each kind used.

The learned weights are turned back into weights on the raw features (``coef_ / scale_``,
normalised to sum 1) and mixed with the defaults (``PRIOR_SHARE``), so that a score is
``sum_j w_j x_j`` in [0, 1] and each component ``w_j x_j`` is a readable share of it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from graph_schema.schema import Label, RelType, Verdict
from matchmaking.features import FeatureSpace
from matchmaking.kinds import KINDS, Kind
from matchmaking.projection import FloatArray, IntArray, Projection

if TYPE_CHECKING:  # scikit-learn is imported by fitting only, never by serving
    from scoring.combiner import HybridRanker

logger = logging.getLogger(__name__)
Edge = tuple[RelType, int, int]
#: Share of the default weights mixed into learned ones: keeps every signal alive (and
#: explainable) when the history happens to favour one feature, e.g. geography for partners.
PRIOR_SHARE = 0.25
TRAIN_BLOCK = 12_000_000  # feature values computed at once while training (~100 MB)


@dataclass
class KindModel:
    """The weights of one kind and how they were obtained."""

    kind: Kind
    weights: dict[str, float]
    learned: bool
    n_positives: int = 0
    n_samples: int = 0
    #: Why the default weights are used ("" when learned, or when never fitted).
    fallback: str = ""

    @property
    def combiner(self) -> str:
        """One line saying how the weights were obtained, e.g. for ``evaluate``."""
        if self.learned:
            return (f"learned pairwise logistic weights ({self.n_positives} positives, "
                    f"{self.n_samples} samples)")
        return "default weights" + (f" (fallback: {self.fallback})" if self.fallback else "")


def default_model(kind: Kind, fallback: str = "") -> KindModel:
    """The kind's default weights, normalised to sum 1; ``fallback`` says why a fit used
    them (logged as a warning when given)."""
    w = KINDS[kind].default_weights
    total = sum(w.values())
    if fallback:
        logger.warning("%s: cannot learn weights (%s); using the default weights", kind.value,
                       fallback)
    return KindModel(kind, {k: v / total for k, v in w.items()}, learned=False,
                     fallback=fallback)


def positive_pairs(proj: Projection, kind: Kind) -> dict[tuple[int, int], list[Edge]]:
    """(subject row, candidate row) -> the edges whose removal hides that link.

    The links are the kind's positive rule (:attr:`matchmaking.kinds.KindSpec.positive`),
    plus accepted feedback (which no edge removal hides).
    """
    spec = KINDS[kind]
    out: dict[tuple[int, int], list[Edge]] = {}
    rel = spec.positive.rel
    for s, c, a, b in zip(*(x.tolist() for x in spec.positive.edges(proj)), strict=True):
        out.setdefault((s, c), []).append((rel, a, b))
    for s, c, fk, verdict in proj.feedback:
        if fk == kind and verdict == Verdict.ACCEPTED and proj.label(s) is spec.subject \
                and proj.label(c) is spec.candidate:
            out.setdefault((s, c), [])
    return out


def candidate_rows(proj: Projection, kind: Kind) -> IntArray:
    """Candidate rows of a kind: every node of the candidate label (open members only)."""
    lab = KINDS[kind].candidate
    rows = proj.rows[lab]
    if lab is Label.MEMBER:
        rows = rows[proj.open_to_matches[rows]]
    return rows


def fit_kind(
    proj: Projection,
    kind: Kind,
    *,
    upstream: Mapping[str, float] | None = None,
    random_state: int = 0,
    max_subjects: int | None = None,
    min_positives: int = 20,
    negatives_per_positive: int = 8,
    max_pairs: int = 64,
    hard_share: float | None = None,
) -> KindModel:
    """Learn the weights of one kind on ``proj`` (see the module docstring).

    ``max_subjects`` and ``hard_share`` (share of the negatives drawn from the candidates the
    default weights rank highest) default to the kind's :class:`~matchmaking.kinds.TrainingSpec`;
    ``upstream`` are the weights of the kind's ``upstream`` kind, if it has one.
    """
    spec = KINDS[kind]
    draw = _Draw(
        max_subjects=spec.training.max_subjects if max_subjects is None else max_subjects,
        hard_share=spec.training.hard_share if hard_share is None else hard_share,
        negatives_per_positive=negatives_per_positive, max_pairs=max_pairs)
    pairs = positive_pairs(proj, kind)
    by_subject: dict[int, list[int]] = {}
    for s, c in sorted(pairs):
        by_subject.setdefault(s, []).append(c)
    cands = candidate_rows(proj, kind)
    if len(pairs) < min_positives:
        return default_model(kind, f"{len(pairs)} training positives, fewer than "
                                   f"min_positives={min_positives}")
    if cands.size < 3:
        return default_model(kind, f"only {cands.size} candidates")
    rng = np.random.default_rng(random_state)
    subjects = np.array(sorted(by_subject), dtype=np.int64)
    if subjects.size > draw.max_subjects:
        subjects = np.sort(rng.choice(subjects, size=draw.max_subjects, replace=False))
    hidden, train = _hide_links(proj, pairs, by_subject, subjects, rng)
    known_after: dict[int, set[int]] = {}
    for s, c in positive_pairs(train, kind):
        known_after.setdefault(s, set()).add(c)
    fs = FeatureSpace(train)
    names = list(spec.features)
    dw = np.array([default_model(kind).weights.get(f, 0.0) for f in names])
    cand_local = proj.local[cands]
    n_pos = 0
    X_rows: list[FloatArray] = []
    y_rows: list[FloatArray] = []
    # subjects per feature block: fewer when there are many candidates, so that the block's
    # dense (subjects x candidates x features) tensors stay around 100 MB at any scale
    chunk = int(np.clip(TRAIN_BLOCK // max(cands.size * len(names), 1), 2, 32))
    subj_list = subjects.tolist()
    for i in range(0, len(subj_list), chunk):
        block = subj_list[i:i + chunk]
        X = fs.features(kind, proj.local[np.array(block)], cand_local, upstream=upstream)
        for j, s in enumerate(block):
            known = known_after.get(s, set())
            pos = hidden[s] - known
            blocked = pos | known | set(by_subject[s]) | {s}
            sample = _pairwise_samples(X[j], cands, pos, blocked, dw, draw, rng)
            if sample is not None:
                X_rows.append(sample[0])
                y_rows.append(sample[1])
                n_pos += sample[2]
    if not X_rows or n_pos < min_positives:
        return default_model(kind, f"{n_pos} usable hidden positives, fewer than "
                                   f"min_positives={min_positives}")
    Xa = np.vstack(X_rows)
    ya = np.concatenate(y_rows).astype(int)
    model = _fit_ranker(kind, Xa, ya, names, min_positives, random_state)
    model.n_positives, model.n_samples = n_pos, int(ya.size)
    return model


def _fit_ranker(kind: Kind, Xa: FloatArray, ya: IntArray, names: list[str], min_positives: int,
                random_state: int) -> KindModel:
    """The learned model of one kind from its pairwise samples, or the defaults with the
    reason why nothing could be learned."""
    spec = KINDS[kind]
    if not np.all(np.isfinite(Xa)):
        return default_model(kind, "non-finite feature values in the training samples")
    if not np.any(np.ptp(Xa, axis=0) > 0):
        return default_model(kind, "degenerate features: every feature is constant over the "
                                   "training samples")
    from scoring.combiner import HybridRanker

    try:
        ranker = HybridRanker(min_positives=min_positives,
                              default_weights=dict(spec.default_weights),
                              random_state=random_state).fit(Xa, ya, feature_names=names)
    except (ValueError, FloatingPointError, np.linalg.LinAlgError) as e:
        return default_model(kind, f"the ranker could not fit: {' '.join(str(e).split())}")
    if ranker.fallback_:
        return default_model(kind, "a single class or too few positive samples for the ranker")
    weights = _raw_weights(ranker, names, default_model(kind).weights)
    if weights is None:
        return default_model(kind, "no feature got a positive weight")
    return KindModel(kind, weights, learned=True)


@dataclass(frozen=True)
class _Draw:
    """How the training samples of one kind are drawn (see :func:`fit_kind`)."""

    max_subjects: int
    hard_share: float
    negatives_per_positive: int
    max_pairs: int


def _hide_links(proj: Projection, pairs: dict[tuple[int, int], list[Edge]],
                by_subject: dict[int, list[int]], subjects: IntArray,
                rng: np.random.Generator) -> tuple[dict[int, set[int]], Projection]:
    """Hide a random half (at least one) of each subject's links: the hidden candidates per
    subject, and the projection without the edges that carry them."""
    hidden: dict[int, set[int]] = {}
    removed: dict[RelType, list[tuple[int, int]]] = {}
    for s in subjects.tolist():
        items = by_subject[s]
        n_hide = max(1, len(items) // 2)
        pick = sorted(rng.choice(len(items), size=n_hide, replace=False).tolist())
        hidden[s] = {items[i] for i in pick}
        for c in hidden[s]:
            for t, a, b in pairs[(s, c)]:
                removed.setdefault(t, []).append((a, b))
    rem = {t: (np.array([a for a, _ in v], dtype=np.int64), np.array([b for _, b in v],
                                                                      dtype=np.int64))
           for t, v in removed.items()}
    return hidden, proj.without(rem)


def _pairwise_samples(
    X: FloatArray, cands: IntArray, pos: set[int], blocked: set[int], dw: FloatArray,
    draw: _Draw, rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray, int] | None:
    """One subject's pairwise samples from its feature rows ``X`` (one per candidate):
    ``(differences, labels, number of positives)``, or None without positives or negatives.

    Negatives are drawn ``hard_share`` from the candidates the default weights ``dw`` rank
    highest, the rest uniformly. Each sample is ``x_pos - x_neg`` (a win) or its negation (a
    loss), RankNet-style: features that are constant for a subject (e.g. its own activity)
    cancel out, so the weights order candidates *for one subject*.
    """
    if not pos:
        return None
    is_pos = np.isin(cands, np.fromiter(pos, dtype=np.int64))
    allowed = np.flatnonzero(~np.isin(cands, np.fromiter(blocked, dtype=np.int64)))
    n_neg = min(allowed.size, draw.negatives_per_positive * len(pos))
    if n_neg == 0:
        return None
    score = X[allowed] @ dw
    hard_pool = allowed[np.lexsort((allowed, -score))[: max(50, n_neg)]]
    n_hard = min(int(draw.hard_share * n_neg), hard_pool.size)
    hard = (rng.choice(hard_pool, size=n_hard, replace=False) if n_hard
            else np.zeros(0, dtype=np.int64))
    rest = np.setdiff1d(allowed, hard)
    easy = rng.choice(rest, size=min(n_neg - n_hard, rest.size), replace=False)
    neg = np.concatenate([np.asarray(hard, dtype=np.int64), easy]).astype(np.int64)
    pos_idx = np.flatnonzero(is_pos)
    pi = np.repeat(pos_idx, neg.size)
    ni = np.tile(neg, pos_idx.size)
    if pi.size > draw.max_pairs:
        keep = np.sort(rng.choice(pi.size, size=draw.max_pairs, replace=False))
        pi, ni = pi[keep], ni[keep]
    diff = X[pi] - X[ni]
    return np.vstack([diff, -diff]), np.r_[np.ones(pi.size), np.zeros(pi.size)], pos_idx.size


def _raw_weights(ranker: HybridRanker, names: list[str],
                 prior: Mapping[str, float]) -> dict[str, float] | None:
    """The ranker's coefficients as weights on the raw features (``coef_ / scale_``, negative
    ones dropped, normalised to sum 1), mixed with the prior (:data:`PRIOR_SHARE`); None when
    no coefficient is positive."""
    raw = np.asarray(ranker.coef_, dtype=np.float64) / ranker.scaler_.scale_
    raw = np.maximum(raw, 0.0)
    if raw.sum() <= 0:
        return None
    raw /= raw.sum()
    raw = (1 - PRIOR_SHARE) * raw + PRIOR_SHARE * np.array([prior.get(f, 0.0) for f in names])
    return {name: float(round(w, 6)) for name, w in zip(names, raw, strict=True)}
