"""Learning the per-kind weights of the match features (leave-link-out, grouped by subject).

For each kind the positives are the links the graph already holds (see :func:`positive_pairs`)
plus accepted feedback. Training never scores a link that is still in the graph:

1. pick up to ``max_subjects`` subjects that have positives (deterministic draw);
2. hide half (at least one) of each picked subject's links, and remove the edges that carry
   them from a copy of the projection (``Projection.without``): its newest links where they
   carry years (what it did next, which is what the engine is asked), else a random half;
3. compute features on that reduced graph, for the picked subjects against every candidate:
   hidden links are the positives, their remaining links are skipped (they are "known" and
   excluded at serving time too), negatives are drawn half uniformly and half from the
   candidates the default weights rank highest (hard negatives; only hard ones, from more
   subjects, for the sparse advice kinds: see each kind's :class:`~matchmaking.kinds.TrainingSpec`);
4. fit :class:`scoring.HybridRanker` (non-negative logistic regression on standardised
   features) *pairwise*: each sample is the feature difference of a hidden positive and a
   negative of the same subject (up to ``max_pairs`` per subject, both signs), so the model
   learns to order one subject's candidates, which is what serving does; a feature that is
   constant for a subject (its own activity) cannot buy weight;
5. select the model (:mod:`matchmaking.selection`) by 3-fold cross-validation over the
   subjects: the combiner, its own best single feature, a gradient-boosted tree ranker and
   the default weights are fitted on two folds and scored by the nDCG@10 of ranking all
   candidates for each subject of the third, asked for one of its hidden links while
   knowing all its others (as serving sees it: features on the graph without just that
   link); the simplest contender within one standard error of the best is kept, refitted
   on all subjects and recorded (:attr:`KindModel.selected`, :attr:`KindModel.validation`,
   logged and shown by ``matchmaking evaluate``).

A fit that cannot learn falls back to the kind's documented ``default_weights``
(:attr:`matchmaking.kinds.KindSpec.default_weights`) and says why, in
:attr:`KindModel.fallback` and in a log line (logger ``matchmaking.training``): fewer than
``min_positives`` training positives or usable hidden positives, fewer than 3 candidates,
features that are constant over every sample, a ranker that cannot fit, or no feature with a
positive weight. ``matchmaking evaluate`` prints which combiner each kind used.

The learned weights are turned back into weights on the raw features (``coef_ / scale_``,
normalised to sum 1) and mixed with the defaults (``PRIOR_SHARE``), so that a score is
``sum_j w_j x_j`` in [0, 1] and each component ``w_j x_j`` is a readable share of it. When
the tree ranker wins, :meth:`KindModel.score` and :meth:`KindModel.contributions` evaluate
its exported arrays with numpy (no scikit-learn at serving time).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from graph_schema.schema import Label, RelType, Verdict
from matchmaking import selection
from matchmaking.features import FeatureSpace
from matchmaking.kinds import KINDS, Kind
from matchmaking.projection import FloatArray, IntArray, Projection
from scoring.trees import TreeEnsemble

if TYPE_CHECKING:  # scikit-learn is imported by fitting only, never by serving
    from scoring.combiner import HybridRanker

logger = logging.getLogger(__name__)
Edge = tuple[RelType, int, int]
#: Links a subject needs to be drawn first for training where links carry years
#: (:func:`draw_subjects`).
HISTORY_LINKS = 3
#: Share of the default weights mixed into learned ones: keeps every signal alive (and
#: explainable) when the history happens to favour one feature, e.g. geography for partners.
PRIOR_SHARE = 0.25
TRAIN_BLOCK = 12_000_000  # feature values computed at once while training (~100 MB)


@dataclass
class KindModel:
    """The model of one kind and how it was obtained.

    A score is ``X @ weights`` (``weights`` sum to 1, features are in [0, 1]), except when
    the tree ranker won the model selection (``trees`` is set): then it is
    ``(1 - TIE_SHARE) * tree score + TIE_SHARE * X @ weights`` (see
    :mod:`matchmaking.selection`). Either way the score is in [0, 1] and
    :meth:`contributions` splits it into per-feature parts that sum, with a baseline, to it.
    """

    kind: Kind
    #: Weights on the raw features: the whole model, or the tie-break part of a tree model.
    #: Also what an ``upstream`` kind's features use.
    weights: dict[str, float]
    learned: bool
    n_positives: int = 0
    n_samples: int = 0
    #: Why the default weights are used ("" when learned, or when never fitted).
    fallback: str = ""
    #: The winner of the model selection ("logistic", "single <feature>", "defaults",
    #: "gbrt"), or "" when no selection ran.
    selected: str = ""
    #: Mean cross-validation nDCG@10 of each contender of the selection.
    validation: dict[str, float] = field(default_factory=dict)
    #: The tree ensemble (:meth:`scoring.trees.TreeEnsemble.to_json`) when ``gbrt`` won.
    trees: dict[str, Any] | None = None

    @property
    def combiner(self) -> str:
        """One line saying how the model was obtained, e.g. for ``evaluate``."""
        fitted = f"{self.n_positives} positives, {self.n_samples} samples"
        if not self.selected:
            if not self.learned:
                return "default weights" + (f" (fallback: {self.fallback})" if self.fallback
                                            else "")
            return f"learned pairwise logistic weights ({fitted})"
        if self.fallback:
            fitted += f"; logistic could not learn: {self.fallback}"
        others = "; ".join(f"{name} {v:.3f}" for name, v in sorted(
            self.validation.items(), key=lambda kv: -kv[1])
            if name.split(" ")[0] != self.selected.split(" ")[0])
        own = next((v for name, v in self.validation.items()
                    if name.split(" ")[0] == self.selected.split(" ")[0]), 0.0)
        kept = ("; a better score within one standard error does not replace it"
                if max(self.validation.values(), default=own) > own else "")
        return f"{self.selected} (val nDCG {own:.3f}; {others}; {fitted}{kept})"

    @cached_property
    def ensemble(self) -> TreeEnsemble | None:
        """The tree ensemble as numpy arrays (None for a linear model)."""
        return TreeEnsemble.from_json(self.trees) if self.trees else None

    def vector(self) -> FloatArray:
        """``weights`` in the order of the kind's features."""
        return np.array([self.weights.get(f, 0.0) for f in KINDS[self.kind].features])

    def score(self, X: FloatArray, pool: int | None = selection.TREE_POOL) -> FloatArray:
        """Scores in [0, 1] of one subject's candidate rows ``X`` (shape
        ``(n, n_features)``; any leading shape for a linear model). A tree model re-ranks
        the ``pool`` best by the linear part (None: every row, e.g. rows of different
        subjects); see :func:`matchmaking.selection.served_score`."""
        return selection.served_score(X, self.vector(), self.ensemble, pool)

    def contributions(self, X: FloatArray, rows: IntArray,
                      pool: int | None = selection.TREE_POOL) -> tuple[FloatArray, FloatArray]:
        """Per-feature parts of the scores of ``X[rows]`` and their baselines:
        ``parts.sum(axis=1) + baseline == score(X, pool)[rows]``.

        Linear (and a tree model's rows outside its pool): ``w_j x_j``, baseline 0. Trees:
        the path-dependent attribution of :meth:`scoring.trees.TreeEnsemble.contributions`,
        rescaled like the score, plus the tie-break's ``w_j x_j``; the baseline is the
        rescaled average tree output.
        """
        w = self.vector()
        ens = self.ensemble
        parts = X[rows] * w
        baseline = np.zeros(rows.size)
        if ens is None:
            return parts, baseline
        lo, hi = ens.bounds()
        scale = (1 - selection.TIE_SHARE) / (hi - lo) if hi > lo else 0.0
        parts *= selection.TIE_SHARE
        inside = np.isin(rows, selection.tree_pool(X @ w, pool))
        if inside.any():
            tree, expected = ens.contributions(X[rows[inside]])
            parts[inside] += tree * scale
            baseline[inside] = (expected - lo) * scale
        return parts, baseline


def default_model(kind: Kind, fallback: str = "", *, warn: bool = True) -> KindModel:
    """The kind's default weights, normalised to sum 1; ``fallback`` says why a fit used
    them (logged as a warning when given, unless ``warn`` is False)."""
    w = KINDS[kind].default_weights
    total = sum(w.values())
    if fallback and warn:
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
    select: bool = True,
) -> KindModel:
    """Learn the model of one kind on ``proj`` (see the module docstring).

    ``max_subjects`` and ``hard_share`` (share of the negatives drawn from the candidates the
    default weights rank highest) default to the kind's :class:`~matchmaking.kinds.TrainingSpec`;
    ``upstream`` are the weights of the kind's ``upstream`` kind, if it has one. ``select``
    runs the model selection of :mod:`matchmaking.selection` (else: the logistic combiner).
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
    dated = any(link_year(proj, edges) for edges in pairs.values())  # stops at the first
    subjects = draw_subjects(by_subject, dated, draw.max_subjects, rng)
    years = {s: [link_year(proj, pairs[(s, c)]) for c in by_subject[s]]
             for s in subjects.tolist()}  # only the drawn subjects' links are hidden
    hidden, train = _hide_links(proj, pairs, by_subject, years, subjects, rng)
    known_after: dict[int, set[int]] = {}
    for s, c in positive_pairs(train, kind):
        known_after.setdefault(s, set()).add(c)
    # model selection: each subject's fold and the one hidden link it is validated on
    newest = {s: dict(zip(by_subject[s], years[s], strict=True)) for s in subjects.tolist()}
    folds, held = _validation_draw(subjects, hidden, known_after, cands, newest,
                                   random_state) if select else ({}, {})
    fs = FeatureSpace(train)
    fs_val = FeatureSpace(_without_links(proj, pairs, {s: {c} for s, c in held.items()}),
                          text_of=fs) if held else None
    names = list(spec.features)
    dw = np.array([default_model(kind).weights.get(f, 0.0) for f in names])
    cand_local = proj.local[cands]
    samples = selection.Samples()
    # subjects per feature block: fewer when there are many candidates, so that the block's
    # dense (subjects x candidates x features) tensors stay around 100 MB at any scale
    chunk = int(np.clip(TRAIN_BLOCK // max(cands.size * len(names), 1), 2, 32))
    subj_list = subjects.tolist()
    for i in range(0, len(subj_list), chunk):
        block = subj_list[i:i + chunk]
        X = fs.features(kind, proj.local[np.array(block)], cand_local, upstream=upstream)
        vb = [s for s in block if s in held]
        Xv = fs_val.features(kind, proj.local[np.array(vb)], cand_local, upstream=upstream) \
            if fs_val is not None and vb else None
        for j, s in enumerate(block):
            known = known_after.get(s, set())
            pos = hidden[s] - known
            blocked = pos | known | set(by_subject[s]) | {s}
            sample = _subject_samples(X[j], cands, pos, blocked, dw, draw, rng)
            if sample is not None:
                if Xv is not None and s in held:
                    selection.keep_rows(sample, Xv[vb.index(s)], cands, held[s],
                                        (set(by_subject[s]) | {s}) - {held[s]})
                samples.subjects.append(sample)
                samples.folds.append(folds[s] if s in held else -1)
    n_pos = sum(s.n_pos for s in samples.subjects)
    if not samples.subjects or n_pos < min_positives:
        return default_model(kind, f"{n_pos} usable hidden positives, fewer than "
                                   f"min_positives={min_positives}")
    Xa, ya = samples.pairs()
    model = _fit_ranker(kind, Xa, ya, names, min_positives, random_state)
    model.n_positives, model.n_samples = n_pos, int(ya.size)
    if (model.learned or model.fallback in _SELECTABLE_FALLBACKS) \
            and sum(f >= 0 for f in samples.folds) >= selection.MIN_VALIDATION_SUBJECTS:
        model = _select(kind, model, samples, names, min_positives, random_state)
    return model


def _select(kind: Kind, full: KindModel, samples: selection.Samples, names: list[str],
            min_positives: int, random_state: int) -> KindModel:
    """Model selection by cross-validation over the subjects (:mod:`matchmaking.selection`):
    the winner, refitted on every subject, with the validation scores of every contender."""
    defaults = _vector(default_model(kind).weights, names)

    def contenders(fit_part: list[bool]) -> selection.Contenders:
        Xp, yp = samples.pairs(fit_part)
        logistic = _fit_ranker(kind, Xp, yp, names, min_positives, random_state, warn=False)
        lw = _vector(logistic.weights, names)  # the defaults when the combiner cannot learn
        out: selection.Contenders = {"defaults": (defaults, None)}
        if logistic.learned and full.learned:
            out["logistic"] = (lw, None)
            out["pure"] = (selection.tie_broken(_unmixed(lw, defaults), lw), None)
        out["single"] = (selection.single_weights(samples.best_single(fit_part), lw), None)
        trees = selection.fit_gbrt(*samples.points(fit_part), random_state)
        if trees is not None:
            out["gbrt"] = (lw, trees)
        return out

    from threadpoolctl import threadpool_limits  # scikit-learn's: fitting only

    # one thread: these fits are small, and threads waiting for each other on a busy
    # machine cost more than they save (as in selection.fit_gbrt)
    with threadpool_limits(limits=1):
        scores = selection.cross_validate(samples, contenders)
    j = samples.best_single()
    scores = {f"single {names[j]}" if k == "single" else k: v for k, v in scores.items()}
    best = selection.winner(scores)
    fw = _vector(full.weights, names)
    out = dataclasses.replace(full, selected=best.split(" ")[0],
                              learned=full.learned or best != "defaults",
                              validation={k: round(float(np.mean(v)), 6)
                                          for k, v in scores.items()})
    if best.startswith("single"):
        out.selected = f"single {names[j]}"
        out.weights = _named(selection.single_weights(j, fw), names)
    elif best == "defaults":
        out.weights = _named(defaults, names)
    elif best == "pure":
        out.weights = _named(selection.tie_broken(_unmixed(fw, defaults), fw), names)
    elif best == "gbrt":
        final = selection.fit_gbrt(*samples.points(), random_state)
        if final is None:  # cannot happen when a part of the samples had both classes
            out.selected = "logistic"
        else:
            out.trees = final.to_json()
    logger.info("%s: %s", kind.value, out.combiner)
    return out


def _unmixed(w: FloatArray, prior: FloatArray) -> FloatArray:
    """Learned weights without their :data:`PRIOR_SHARE` of the default weights."""
    raw = np.maximum(w - PRIOR_SHARE * prior, 0.0)
    return raw / raw.sum() if raw.sum() > 0 else w


def _vector(weights: Mapping[str, float], names: list[str]) -> FloatArray:
    return np.array([weights.get(f, 0.0) for f in names], dtype=np.float64)


def _named(w: FloatArray, names: list[str]) -> dict[str, float]:
    return {f: float(round(v, 6)) for f, v in zip(names, w.tolist(), strict=True)}


def _fit_ranker(kind: Kind, Xa: FloatArray, ya: IntArray, names: list[str], min_positives: int,
                random_state: int, warn: bool = True) -> KindModel:
    """The learned model of one kind from its pairwise samples, or the defaults with the
    reason why nothing could be learned (logged unless ``warn`` is False)."""
    spec = KINDS[kind]

    def fallback(reason: str) -> KindModel:
        return default_model(kind, reason, warn=warn)

    if not np.all(np.isfinite(Xa)):
        return fallback("non-finite feature values in the training samples")
    if not np.any(np.ptp(Xa, axis=0) > 0):
        return fallback("degenerate features: every feature is constant over the training "
                        "samples")
    from scoring.combiner import HybridRanker

    try:
        ranker = HybridRanker(min_positives=min_positives,
                              default_weights=dict(spec.default_weights),
                              random_state=random_state).fit(Xa, ya, feature_names=names)
    except (ValueError, FloatingPointError, np.linalg.LinAlgError) as e:
        return fallback(f"the ranker could not fit: {' '.join(str(e).split())}")
    if ranker.fallback_:
        return fallback("a single class or too few positive samples for the ranker")
    weights = _raw_weights(ranker, names, default_model(kind).weights)
    if weights is None:
        return fallback("no feature got a positive weight")
    return KindModel(kind, weights, learned=True)


#: Fallbacks of the logistic combiner after which the other contenders are still tried.
_SELECTABLE_FALLBACKS = ("no feature got a positive weight",
                         "a single class or too few positive samples for the ranker")


@dataclass(frozen=True)
class _Draw:
    """How the training samples of one kind are drawn (see :func:`fit_kind`)."""

    max_subjects: int
    hard_share: float
    negatives_per_positive: int
    max_pairs: int


def draw_subjects(by_subject: Mapping[int, list[int]], dated: bool, size: int,
                  rng: np.random.Generator) -> IntArray:
    """Up to ``size`` training subjects (sorted rows).

    Where the kind's links carry years (``dated``), subjects with a history (at least
    :data:`HISTORY_LINKS` links, so that some stay when the newest are hidden) are drawn
    first: the engine is asked what a subject with a history does next, and a subject with
    one or two links mostly answers what a newcomer joins first. Others fill the draw when
    there are too few. Without years (e.g. partnerships) the draw is uniform.
    """
    every = np.array(sorted(by_subject), dtype=np.int64)
    if every.size <= size:
        return every
    if not dated:
        return np.sort(rng.choice(every, size=size, replace=False))
    rich = np.array([s for s in every.tolist() if len(by_subject[s]) >= HISTORY_LINKS],
                    dtype=np.int64)
    if rich.size >= size:
        return np.sort(rng.choice(rich, size=size, replace=False))
    rest = np.setdiff1d(every, rich)
    return np.sort(np.concatenate([rich, rng.choice(rest, size=size - rich.size,
                                                    replace=False)]))


def link_year(proj: Projection, edges: list[Edge]) -> int:
    """The latest year of the edges that carry a link (:attr:`Projection.link_year`), 0 when
    none has one (e.g. accepted feedback, which no edge carries)."""
    return max((int(proj.link_year[t][a, b]) for t, a, b in edges if t in proj.link_year),
               default=0)


def links_to_hide(years: list[int], rng: np.random.Generator) -> list[int]:
    """Which of a subject's links training hides (indices into ``years``, the year of each
    link, 0 when undated): half of them, at least one.

    Where links carry years, the newest dated ones (ties in a year at random, never more
    than are dated): what the subject did next, which is the question the engine answers;
    undated links stay, as history. Without any year, a random half.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> links_to_hide([2015, 2021, 2019, 2012], rng)
    [1, 2]
    >>> links_to_hide([0, 0, 2019, 0], rng)
    [2]
    >>> len(links_to_hide([0, 0, 0, 0, 0], rng))
    2
    """
    n_hide = max(1, len(years) // 2)
    dated = [i for i, y in enumerate(years) if y]
    if not dated:
        return sorted(rng.choice(len(years), size=n_hide, replace=False).tolist())
    keys = rng.random(len(years))
    newest = sorted(dated, key=lambda i: (-years[i], keys[i]))
    return sorted(newest[:n_hide])


def _hide_links(proj: Projection, pairs: dict[tuple[int, int], list[Edge]],
                by_subject: dict[int, list[int]], years: dict[int, list[int]],
                subjects: IntArray, rng: np.random.Generator,
                ) -> tuple[dict[int, set[int]], Projection]:
    """Hide half (at least one) of each subject's links, its newest where they carry years
    (:func:`links_to_hide`): the hidden candidates per subject, and the projection without
    the edges that carry them."""
    hidden: dict[int, set[int]] = {}
    for s in subjects.tolist():
        items = by_subject[s]
        pick = links_to_hide(years[s], rng)
        hidden[s] = {items[i] for i in pick}
    return hidden, _without_links(proj, pairs, hidden)


def _without_links(proj: Projection, pairs: dict[tuple[int, int], list[Edge]],
                   hidden: Mapping[int, set[int]]) -> Projection:
    """The projection without the edges that carry the links ``subject -> candidates``."""
    removed: dict[RelType, list[tuple[int, int]]] = {}
    for s, cs in hidden.items():
        for c in cs:
            for t, a, b in pairs[(s, c)]:
                removed.setdefault(t, []).append((a, b))
    rem = {t: (np.array([a for a, _ in v], dtype=np.int64), np.array([b for _, b in v],
                                                                      dtype=np.int64))
           for t, v in removed.items()}
    return proj.without(rem)


def _validation_draw(subjects: IntArray, hidden: Mapping[int, set[int]],
                     known_after: Mapping[int, set[int]], cands: IntArray,
                     years: Mapping[int, Mapping[int, int]], random_state: int,
                     ) -> tuple[dict[int, int], dict[int, int]]:
    """Each validated subject's cross-validation fold (:data:`selection.FOLDS`) and the one
    of its hidden links it is validated on: up to :data:`selection.MAX_VALIDATED` subjects
    with a usable hidden link to one of the ``cands`` (the others only fit the contenders).

    The link is the newest of them where links carry years (``years[s][c]``, 0 undated;
    ties at random), else one at random. Drawn from their own seeds, so the training samples
    are the same with or without selection. The subject is validated as serving would see
    it: on the graph without that one link of every validated subject, i.e. knowing all its
    other links (:mod:`matchmaking.selection`).
    """
    rng = np.random.default_rng([random_state, 2])
    open_ = set(cands.tolist())
    held: dict[int, int] = {}
    for s in subjects.tolist():
        usable = sorted((hidden[s] - known_after.get(s, set())) & open_)
        if usable:
            top = max(years[s].get(c, 0) for c in usable)
            usable = [c for c in usable if years[s].get(c, 0) == top]
            held[s] = int(usable[rng.integers(len(usable))])
    order = sorted(held)
    if len(order) > selection.MAX_VALIDATED:
        order = sorted(rng.choice(order, size=selection.MAX_VALIDATED, replace=False).tolist())
        held = {s: held[s] for s in order}
    fold = selection.assign_folds(len(order), selection.FOLDS,
                                  np.random.default_rng([random_state, 1]))
    return dict(zip(order, fold.tolist(), strict=True)), held


def _subject_samples(
    X: FloatArray, cands: IntArray, pos: set[int], blocked: set[int], dw: FloatArray,
    draw: _Draw, rng: np.random.Generator,
) -> selection.SubjectSamples | None:
    """One subject's samples from its feature rows ``X`` (one per candidate), or None
    without positives or negatives.

    Negatives are drawn ``hard_share`` from the candidates the default weights ``dw`` rank
    highest, the rest uniformly. Each pairwise sample is ``x_pos - x_neg`` (a win) or its
    negation (a loss), RankNet-style: features that are constant for a subject (e.g. its own
    activity) cancel out, so the weights order candidates *for one subject*. The tree ranker
    learns from the same positive and negative rows, pointwise.
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
        sel = np.sort(rng.choice(pi.size, size=draw.max_pairs, replace=False))
        pi, ni = pi[sel], ni[sel]
    diff = X[pi] - X[ni]
    # excluded when ranking at serving time: what the subject keeps knowing, and itself
    served_blocked = np.flatnonzero(np.isin(cands, np.fromiter(blocked - pos, dtype=np.int64)))
    return selection.SubjectSamples(
        diff=np.vstack([diff, -diff]), label=np.r_[np.ones(pi.size), np.zeros(pi.size)],
        points=np.vstack([X[pos_idx], X[neg]]),
        point_y=np.r_[np.ones(pos_idx.size), np.zeros(neg.size)],
        single=selection.single_feature_ndcg(X, pos_idx, served_blocked),
        n_pos=int(pos_idx.size))


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
