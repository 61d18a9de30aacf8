"""The kind registry: one positive-link rule feeds training, known pairs and evaluation."""

from __future__ import annotations

import pytest
from board_fixture import checkerboard

from graph_schema.errors import InvalidInput, NotFound
from graph_schema.schema import Label, Rel, RelType
from graph_schema.sqlite_store import SQLiteStore
from matchmaking.engine import Engine
from matchmaking.evaluation.tasks import kind_pairs
from matchmaking.explain import Explainer
from matchmaking.features import FeatureSpace
from matchmaking.kinds import KINDS, CityKind, End, Kind, LinkRule, kind_of, kinds_for
from matchmaking.projection import Projection
from matchmaking.service import Service
from matchmaking.training import positive_pairs


@pytest.fixture(scope="module")
def board() -> tuple[list, list[Rel], Projection]:
    nodes, rels = checkerboard()
    return nodes, rels, Projection.build(nodes, rels)


def test_every_kind_has_one_complete_spec() -> None:
    assert list(KINDS) == list(Kind)
    for kind, spec in KINDS.items():
        assert spec.kind is kind
        assert len(set(spec.features)) == len(spec.features)
        assert set(spec.default_weights) <= set(spec.features)
        assert min(spec.default_weights.values()) >= 0 < sum(spec.default_weights.values())
        if spec.reverse is not None:  # the reverse kind scores the same pair the other way
            back = KINDS[spec.reverse]
            assert (back.subject, back.candidate) == (spec.candidate, spec.subject)
            assert back.reverse is kind
        if spec.upstream is not None:
            assert KINDS[spec.upstream].subject is spec.subject


def test_every_contributing_feature_has_a_reason(board: tuple) -> None:
    fs = FeatureSpace(board[2])
    ex = Explainer(fs)
    for kind, spec in KINDS.items():
        builders = spec.reasons(ex)
        # known gaps, pinned so that no new one slips in: the member's own experience is no
        # reason to give them; a lead's affordability has no sentence yet
        silent = {Kind.OPPORTUNITIES: {"experience"}, Kind.LEADS: {"cost"}}.get(kind, set())
        assert set(spec.features) - set(builders) == silent, kind


def test_the_positive_rule_gives_the_same_pairs_on_rels_and_on_the_projection(
        board: tuple) -> None:
    """Evaluation reads the rule on relationships, training and serving on the projection."""
    _, rels, proj = board
    for kind in Kind:
        on_rels = kind_pairs(kind, rels)
        trained = {(proj.ids[s], proj.ids[c]) for s, c in positive_pairs(proj, kind)}
        assert on_rels, kind  # the board has links of every kind
        assert trained == on_rels, kind


def test_known_pairs_are_the_positives_plus_the_extra_rules(board: tuple, tmp_path) -> None:
    nodes, rels, _ = board
    store = SQLiteStore(tmp_path / "k.db")
    store.init()
    store.write(nodes, rels)
    snap = Engine(store, background=False)._snapshot()
    proj = snap.proj  # the store adds its reference nodes (SDGs, countries)
    for kind, spec in KINDS.items():
        want: set[tuple[str, str]] = set()
        for rule in spec.known_rules:
            want |= rule.pairs(rels)
        got = {(proj.ids[s], proj.ids[c]) for s in proj.rows[spec.subject].tolist()
               for c in snap.known(kind, s)}
        assert got == want, kind
    # experts: a city's own staff is known (not recommended), but is no positive
    works = {(r.dst, r.src) for r in rels if r.type is RelType.WORKS_FOR
             and r.dst.startswith("city:")}
    assert works and works <= {(proj.ids[s], proj.ids[c])
                               for s in proj.rows[Label.CITY].tolist()
                               for c in snap.known(Kind.EXPERTS, s)}
    assert not works & kind_pairs(Kind.EXPERTS, rels)
    store.close()


def test_link_rule_on_symmetric_and_provider_links() -> None:
    rels = [Rel(RelType.PARTNERS_WITH, "city:a", "city:b"),
            Rel(RelType.PARTNERS_WITH, "city:c", "city:c"),
            Rel(RelType.IMPLEMENTED, "city:a", "sol:x", {"provider": "prov:p"}),
            Rel(RelType.IMPLEMENTED, "city:b", "sol:x")]
    assert LinkRule(RelType.PARTNERS_WITH, End.SRC, End.DST).pairs(rels) == {
        ("city:a", "city:b"), ("city:b", "city:a")}
    assert LinkRule(RelType.IMPLEMENTED, End.PROVIDER, End.SRC).pairs(rels) == {
        ("prov:p", "city:a")}
    assert LinkRule(RelType.IMPLEMENTED, End.SRC, End.DST).pairs(rels) == {
        ("city:a", "sol:x"), ("city:b", "sol:x")}


def test_kind_names_and_the_city_kinds() -> None:
    assert kind_of("peers") is Kind.PEERS
    with pytest.raises(InvalidInput, match="unknown kind 'friends': use one of solutions"):
        kind_of("friends")
    assert list(CityKind) == list(kinds_for(Label.CITY))
    assert kinds_for(Label.MEMBER) == (Kind.OPPORTUNITIES,)
    assert kinds_for(Label.PROVIDER) == (Kind.LEADS,)


def test_feedback_kinds_come_from_the_registry(tmp_path) -> None:
    nodes, rels = checkerboard()
    store = SQLiteStore(tmp_path / "f.db")
    store.init()
    store.write(nodes, rels)
    service = Service(store)
    rel = service.give_feedback("city:a0", "sol:b1", "solutions", "declined")
    assert rel.props["kind"] == "solutions" and type(rel.props["kind"]) is str
    with pytest.raises(InvalidInput, match="unknown kind 'friends'"):
        service.give_feedback("city:a0", "sol:b1", "friends", "declined")
    with pytest.raises(NotFound, match="the subject of 'leads'"):
        service.give_feedback("city:a0", "sol:b1", Kind.LEADS, "declined")
    with pytest.raises(InvalidInput, match="verdict"):
        service.give_feedback("city:a0", "sol:b1", Kind.SOLUTIONS, "meh")
    store.close()
