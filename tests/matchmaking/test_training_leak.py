"""Training never sees the links it learns from (the leak test of the tests audit, M15).

On the ``small`` demo world every kind has well over 20 positives, so every kind really
learns. The trainer's own feature tensors are recorded while it fits; for each hidden
positive, its feature row must equal the row computed, independently, on a graph built from
the store's relationships *without* the hidden links (removed by the kind's link rule on the
relationships, not by the trainer's edge removal). A canary checks that the comparison can
fail: on the full graph the same rows differ.

The model selection's validation rows (each validated subject asked for one hidden link while
knowing all its others) are checked the same way: each held link's row must equal the row
computed on the store's relationships without just the held links.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import matchmaking.training as training
from graph_schema.schema import Label, Node, Rel, RelType
from graph_schema.sqlite_store import SQLiteStore
from matchmaking.demo import generate
from matchmaking.features import FeatureSpace
from matchmaking.kinds import KINDS, Kind
from matchmaking.projection import IntArray, Projection


@pytest.fixture(scope="module")
def small_graph(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Node], list[Rel]]:
    """The ``small`` demo world as the store holds it (with its reference nodes)."""
    store = SQLiteStore(Path(tmp_path_factory.mktemp("leak")) / "small.db")
    store.init()
    nodes, rels = generate("small", seed=42)
    store.write(list(nodes), list(rels))
    try:
        return list(store.iter_nodes()), list(store.iter_rels())
    finally:
        store.close()


class _Recorder:
    """Spies on one fit: the hidden links and every feature block the trainer computes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.hidden: dict[int, set[int]] = {}
        self.held: dict[int, int] = {}
        self.train: Projection | None = None  # the graph without every hidden link
        # (kind, subjects, candidates, rows, upstream, projection the rows were computed on)
        self.blocks: list[tuple[Kind, IntArray, IntArray, np.ndarray, Any, Projection]] = []
        real_hide = training._hide_links
        real_draw = training._validation_draw
        recorder = self

        def draw(*args: Any, **kwargs: Any) -> tuple[dict[int, int], dict[int, int]]:
            folds, held = real_draw(*args, **kwargs)
            recorder.held = dict(held)
            return folds, held

        def hide(*args: Any, **kwargs: Any) -> tuple[dict[int, set[int]], Projection]:
            hidden, train = real_hide(*args, **kwargs)
            recorder.hidden = {s: set(c) for s, c in hidden.items()}
            recorder.train = train
            return hidden, train

        class RecordingSpace(FeatureSpace):
            def features(self, kind: Kind, Sx: IntArray, Cx: IntArray,
                         upstream: Any = None) -> np.ndarray:
                X = super().features(kind, Sx, Cx, upstream=upstream)
                recorder.blocks.append((kind, np.array(Sx), np.array(Cx), X.copy(), upstream,
                                        self.proj))
                return X

        monkeypatch.setattr(training, "_hide_links", hide)
        monkeypatch.setattr(training, "_validation_draw", draw)
        monkeypatch.setattr(training, "FeatureSpace", RecordingSpace)


def _without(rels: list[Rel], kind: Kind, hidden_ids: set[tuple[str, str]]) -> list[Rel]:
    """``rels`` minus every relationship that links a hidden (subject, candidate) pair."""
    rule = KINDS[kind].positive
    return [r for r in rels if not rule.pairs([r]) & hidden_ids]


def _check_rows(kind: Kind, proj: Projection, blocks: list[Any], links: dict[int, set[int]],
                reduced: Projection) -> tuple[int, int]:
    """Compare each recorded row of a ``links`` pair with the same row on ``reduced`` (and,
    for the canary, on the full graph): (rows checked, rows that differ on the full graph)."""
    fs_reduced, fs_full = FeatureSpace(reduced), FeatureSpace(proj)
    spec = KINDS[kind]
    checked = changed = 0
    for _, Sx, Cx, X, up in blocks:
        subjects = proj.rows[spec.subject][Sx]
        candidates = proj.rows[spec.candidate][Cx]
        col = {int(c): j for j, c in enumerate(candidates)}
        pos = [(i, col[c]) for i, s in enumerate(subjects.tolist())
               for c in sorted(links.get(s, ())) if c in col]
        if not pos:
            continue
        i, j = (np.array(x) for x in zip(*pos, strict=True))
        expected = fs_reduced.features(kind, Sx, Cx, upstream=up)[i, j]
        np.testing.assert_allclose(X[i, j], expected, rtol=0, atol=1e-6,
                                   err_msg=f"{kind}: a hidden positive's features see its link")
        full = fs_full.features(kind, Sx, Cx, upstream=up)[i, j]
        checked += len(pos)
        changed += int(np.sum(np.abs(full - expected).max(axis=1) > 1e-3))
    return checked, changed


@pytest.mark.parametrize("kind", list(Kind))
def test_features_of_hidden_positives_are_computed_without_them(
    kind: Kind, small_graph: tuple[list[Node], list[Rel]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    nodes, rels = small_graph
    proj = Projection.build(nodes, rels)
    upstream = None
    up_kind = KINDS[kind].upstream
    if up_kind is not None:
        upstream = training.fit_kind(proj, up_kind).weights
    with monkeypatch.context() as patch:
        rec = _Recorder(patch)
        model = training.fit_kind(proj, kind, upstream=upstream)
    # >= 20 usable hidden positives: the trainer computed their features (what this test
    # checks), whether or not the logistic combiner then finds a positive weight (experts on
    # ``small`` may not, since training hides each subject's newest advice: the selection then
    # keeps another contender)
    assert model.n_positives >= 20, model.fallback
    hidden_ids = {(proj.ids[s], proj.ids[c]) for s, cs in rec.hidden.items() for c in cs}
    assert len(hidden_ids) >= 20

    reduced = Projection.build(nodes, _without(rels, kind, hidden_ids))
    assert reduced.ids == proj.ids  # same nodes, same local indices
    still = {(reduced.ids[s], reduced.ids[c])
             for s, c in training.positive_pairs(reduced, kind)}
    assert not hidden_ids & still  # the independent removal really hides them
    # the training rows: computed on the graph without every hidden link (the blocks of the
    # selection's validation graph are checked below; e.g. the solutions scores inside
    # providers' features are another kind's blocks)
    mine = [b for b in rec.blocks if b[0] is kind]
    assert len({id(b[5]) for b in mine}) == 2, "one training graph and one validation graph"
    train_blocks = [b[:5] for b in mine if b[5] is rec.train]
    val_blocks = [b[:5] for b in mine if b[5] is not rec.train]
    checked, changed = _check_rows(kind, proj, train_blocks, rec.hidden, reduced)
    assert checked >= 20, kind
    # canary: with the links still in the graph, many of these rows are different
    assert changed >= checked // 4, (kind, changed, checked)

    # the validation rows: each held link is one of the subject's hidden links, and its row
    # is computed on the graph without just the held links (all other links known)
    assert len(rec.held) >= 10
    assert all(c in rec.hidden[s] for s, c in rec.held.items())
    held = {s: {c} for s, c in rec.held.items()}
    held_ids = {(proj.ids[s], proj.ids[c]) for s, c in rec.held.items()}
    val_reduced = Projection.build(nodes, _without(rels, kind, held_ids))
    checked, changed = _check_rows(kind, proj, val_blocks, held, val_reduced)
    assert checked == len(rec.held), (kind, checked, len(rec.held))
    assert changed >= checked // 4, (kind, changed, checked)


def test_the_validation_space_reuses_the_text_model_only_when_the_text_links_are_equal(
    small_graph: tuple[list[Node], list[Rel]],
) -> None:
    proj = Projection.build(*small_graph)
    fs = FeatureSpace(proj)

    def first_edge(t: RelType) -> dict[RelType, tuple[IntArray, IntArray]]:
        a = proj.adj[t].tocoo()
        return {t: (np.array([a.row[0]]), np.array([a.col[0]]))}

    # hiding a partnership leaves every document as it was: the model is shared
    same = FeatureSpace(proj.without(first_edge(RelType.PARTNERS_WITH)), text_of=fs)
    assert same.text is fs.text and same.text_terms is fs.text_terms
    # a need feeds the city's document: the model is fitted again, on the new documents
    other = proj.without(first_edge(RelType.NEEDS))
    refit = FeatureSpace(other, text_of=fs)
    assert refit.text is not fs.text
    fresh = FeatureSpace(other).text[Label.CITY]
    assert (refit.text[Label.CITY] != fresh).nnz == 0
    assert (refit.text[Label.CITY] != fs.text[Label.CITY]).nnz > 0
