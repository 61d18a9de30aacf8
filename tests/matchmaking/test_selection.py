"""Per-kind model selection (``matchmaking.selection`` via ``matchmaking.training``): it keeps
the contender that ranks held-out subjects best, and the kept model serves, explains and
persists as numpy arrays."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from graph_schema.sqlite_store import SQLiteStore
from matchmaking import persist, selection
from matchmaking.engine import Engine
from matchmaking.kinds import KINDS, Kind
from matchmaking.training import (
    KindModel,
    _Draw,
    _fit_ranker,
    _select,
    _subject_samples,
    default_model,
)
from scoring.trees import export_hgb

KIND = Kind.SOLUTIONS
NAMES = list(KINDS[KIND].features)
F = len(NAMES)
N_CANDS = 300


def _samples(target: Callable[[np.ndarray], np.ndarray], n_subjects: int = 90,
             n_pos: int = 4, seed: int = 0) -> selection.Samples:
    """Subjects whose positives are the ``n_pos`` candidates with the highest ``target``
    (a function of the feature rows), drawn through the training code's own sampler."""
    rng = np.random.default_rng(seed)
    draw = _Draw(max_subjects=n_subjects, hard_share=0.5, negatives_per_positive=8,
                 max_pairs=64)
    dw = np.array([default_model(KIND).weights[f] for f in NAMES])
    folds = selection.assign_folds(n_subjects, selection.FOLDS, rng)
    cands = np.arange(N_CANDS, dtype=np.int64)
    out = selection.Samples()
    for s in range(n_subjects):
        X = rng.random((N_CANDS, F))
        ranked = np.argsort(-target(X), kind="stable")[:n_pos].tolist()
        sample = _subject_samples(X, cands, set(ranked), set(ranked), dw, draw, rng)
        assert sample is not None
        # validated on one of its positives, the others known (as training does)
        held = ranked[int(rng.integers(n_pos))]
        selection.keep_rows(sample, X, cands, held, set(ranked) - {held})
        out.subjects.append(sample)
        out.folds.append(int(folds[s]))
    return out


def _selected(samples: selection.Samples) -> KindModel:
    full = _fit_ranker(KIND, *samples.pairs(), NAMES, 20, 0)
    assert full.learned
    return _select(KIND, full, samples, NAMES, 20, 0)


def test_selection_keeps_the_single_feature_that_is_the_target() -> None:
    j = NAMES.index("kpi")  # a feature with a small default weight
    model = _selected(_samples(lambda X: X[:, j]))
    assert model.selected == "single kpi"
    assert set(model.validation) == {"logistic", "pure", "single kpi", "defaults", "gbrt"}
    assert model.validation["single kpi"] > 0.99  # ranks by the target (a tie-break aside)
    assert model.validation["single kpi"] > model.validation["logistic"]
    assert max(model.weights, key=model.weights.__getitem__) == "kpi"
    assert model.trees is None and model.learned
    assert model.combiner.startswith("single kpi (val nDCG 0.99")


def test_selection_keeps_the_tree_when_the_target_is_an_interaction() -> None:
    a, b = NAMES.index("need"), NAMES.index("ppr")
    # a gate: among the candidates with a high "need", the best "ppr" (no weighted sum
    # ranks like that)
    model = _selected(_samples(lambda X: np.where(X[:, a] > 0.8, X[:, b], 0.0)))
    assert model.selected == "gbrt", model.combiner
    assert model.validation["gbrt"] == max(model.validation.values())
    assert model.trees is not None and model.ensemble is not None
    assert model.combiner.startswith("gbrt (val nDCG ")


def test_a_gain_within_noise_keeps_the_simpler_contender() -> None:
    base = np.array([0.2, 0.3, 0.1, 0.4])
    assert selection.winner({"logistic": base, "gbrt": base + [0.3, -0.2, 0.1, -0.1]}) \
        == "logistic"
    assert selection.winner({"logistic": base, "gbrt": base + 0.05}) == "gbrt"
    assert selection.winner({"defaults": base, "single x": base + 0.01}) == "single x"
    # the simplest contender within one standard error of the best, not the reference
    noisy = base + [0.02, -0.01, 0.03, -0.02]
    assert selection.winner({"logistic": base + 0.2, "defaults": noisy, "gbrt": base}) \
        == "logistic"
    assert selection.winner({"logistic": noisy, "defaults": base, "gbrt": base - 0.1}) \
        == "defaults"
    assert selection.winner({"pure": base + 0.01, "gbrt": noisy + 0.01}) == "pure"


def _fold_scores(gain: Callable[[int], float], n: int = 150, seed: int = 3
                 ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per-subject validation scores of ``logistic`` and ``gbrt`` over 5 folds, ``gbrt``
    ahead by ``gain(fold)`` in each fold (plus per-subject noise)."""
    rng = np.random.default_rng(seed)
    folds = selection.assign_folds(n, 5, rng)
    logistic = rng.uniform(0.1, 0.5, n)
    gbrt = logistic + np.array([gain(int(f)) for f in folds]) + rng.normal(0, 0.05, n)
    return {"logistic": logistic, "gbrt": gbrt}, folds


def test_a_contender_that_wins_one_split_by_noise_does_not_win_across_folds() -> None:
    # clearly ahead on the first fold, behind on the others, even over all subjects
    scores, folds = _fold_scores(lambda f: 0.08 if f == 0 else -0.02)
    one = folds == 0
    assert selection.winner({k: v[one] for k, v in scores.items()}) == "gbrt"
    assert abs(np.mean(scores["gbrt"] - scores["logistic"])) < 0.01
    assert selection.winner(scores) == "logistic"


def test_a_contender_that_wins_in_every_fold_wins() -> None:
    scores, folds = _fold_scores(lambda f: 0.03)
    assert all(np.mean(scores["gbrt"][folds == f] - scores["logistic"][folds == f]) > 0
               for f in range(5))
    assert selection.winner(scores) == "gbrt"


def test_cross_validation_validates_every_subject_once_with_contenders_fitted_without_it(
) -> None:
    samples = _samples(lambda X: X[:, 0], n_subjects=40)
    seen: list[list[bool]] = []

    def fit(which: list[bool]) -> selection.Contenders:
        seen.append(which)
        w = np.eye(F)[0]
        out: selection.Contenders = {"single": (w, None), "defaults": (np.ones(F) / F, None)}
        if len(seen) != 3:  # a contender one fold cannot fit is left out
            out["gbrt"] = (w, None)
        return out

    scores = selection.cross_validate(samples, fit)
    assert len(seen) == selection.FOLDS == samples.n_folds()
    for fold, which in enumerate(seen):
        assert which == [f != fold for f in samples.folds]  # never fitted on the fold
    assert set(scores) == {"single", "defaults"}
    assert scores["single"].shape == (40,)
    # the feature that is the target finds the held positive first for every subject
    np.testing.assert_allclose(scores["single"], 1.0)
    assert scores["defaults"].mean() < 0.9


def _tree_model(seed: int = 0) -> KindModel:
    rng = np.random.default_rng(seed)
    X = rng.random((2000, F))
    y = (np.minimum(X[:, 0], X[:, 8]) + 0.1 * rng.standard_normal(2000) > 0.4).astype(int)
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    est = HistGradientBoostingClassifier(max_iter=30, max_depth=3, monotonic_cst=[1] * F,
                                         early_stopping=False, random_state=0)
    with threadpool_limits(limits=1, user_api="openmp"):
        est.fit(X, y)
    return KindModel(KIND, dict(default_model(KIND).weights), learned=True, n_positives=10,
                     n_samples=2000, selected="gbrt",
                     validation={"gbrt": 0.3, "logistic": 0.2},
                     trees=export_hgb(est).to_json())


def test_tree_model_scores_are_in_range_and_contributions_sum_to_them() -> None:
    model = _tree_model()
    X = np.random.default_rng(1).random((400, F))
    score = model.score(X)
    assert np.all((score >= 0) & (score <= 1))
    rows = np.arange(400)
    parts, baseline = model.contributions(X, rows)
    np.testing.assert_allclose(parts.sum(axis=1) + baseline, score, atol=1e-12)
    # the trees re-rank the pool (the best by the linear part), which ranks first
    pool = selection.tree_pool(X @ model.vector())
    assert pool.size == selection.TREE_POOL and np.count_nonzero(baseline) == pool.size
    assert score[pool].min() >= np.delete(score, pool).max()
    everything = model.score(X, pool=None)
    np.testing.assert_allclose(everything[pool], score[pool])
    parts, baseline = model.contributions(X, rows, pool=None)
    np.testing.assert_allclose(parts.sum(axis=1) + baseline, everything, atol=1e-12)
    linear = default_model(KIND)
    parts, baseline = linear.contributions(X, rows)
    assert not baseline.any()
    np.testing.assert_allclose(parts.sum(axis=1), linear.score(X), atol=1e-12)


def test_a_tree_model_round_trips_through_persist_and_serves(board_store: SQLiteStore) -> None:
    """The winner is stored in models.json (no pickle), loaded by a new engine, served with
    the same scores, and its components (with the baseline) sum to each score."""
    model = _tree_model()
    first = Engine(board_store, background=False)
    proj = first.projection
    counts = persist.positive_counts(proj)
    persist.save_models(board_store, {KIND: model}, {KIND: counts[KIND]})
    doc = json.loads((Path(board_store.path + ".cache") / persist.MODELS).read_text())
    assert doc["format"] == persist.FORMAT == 2
    assert doc["kinds"]["solutions"]["model"]["selected"] == "gbrt"
    engine = Engine(board_store, background=False)
    loaded = engine.model(KIND)
    assert loaded.selected == "gbrt" and loaded.validation == model.validation
    assert loaded.combiner == model.combiner
    X = np.random.default_rng(2).random((50, F))
    np.testing.assert_array_equal(loaded.score(X), model.score(X))
    recs = engine.recommend(KIND, "city:a0", k=5)
    assert recs
    for r in recs:
        assert "baseline" in r.components
        assert sum(r.components.values()) == pytest.approx(r.score, abs=1e-5)
        assert r.reasons
    # the served order is the order of the model's scores
    assert [r.score for r in recs] == sorted((r.score for r in recs), reverse=True)


def test_the_validation_draw_holds_one_usable_link_per_subject_up_to_the_cap() -> None:
    from matchmaking.training import _validation_draw

    subjects = np.arange(400, dtype=np.int64)
    # subject s hid candidates 1000 + s and 2000 + s; the first is closed (not a candidate)
    # for odd s; subject 0 hid only a link it still knows (through another edge)
    hidden = {s: {1000 + s, 2000 + s} for s in range(400)}
    hidden[0] = {5000}
    known = {0: {5000}}
    cands = np.array([1000 + s for s in range(0, 400, 2)] + [2000 + s for s in range(400)],
                     dtype=np.int64)
    undated: dict[int, dict[int, int]] = {s: {} for s in range(400)}
    folds, held = _validation_draw(subjects, hidden, known, cands, undated, random_state=0)
    assert len(held) == len(folds) == selection.MAX_VALIDATED
    assert 0 not in held
    assert all(c in hidden[s] and c in set(cands.tolist()) for s, c in held.items())
    assert all(held[s] == 2000 + s for s in held if s % 2)
    assert {c - s for s, c in held.items() if s % 2 == 0} == {1000, 2000}  # at random
    # where links carry years: the newest usable one (what the subject did next)
    dated = {s: {1000 + s: 2020, 2000 + s: 2019} for s in range(400)}
    _, newest = _validation_draw(subjects, hidden, known, cands, dated, random_state=0)
    assert all(c == (1000 + s if s % 2 == 0 else 2000 + s) for s, c in newest.items())
    sizes = np.bincount(list(folds.values()))
    assert sizes.size == selection.FOLDS and sizes.max() - sizes.min() <= 1
    # the same draw again: the selection does not depend on anything else
    assert _validation_draw(subjects, hidden, known, cands, undated, random_state=0) \
        == (folds, held)
