"""The engine on the checkerboard fixture (see conftest.py): right answers known by
construction for every kind."""

from __future__ import annotations

import re

import networkx as nx
import numpy as np
import pytest
from board_fixture import checkerboard, write_checkerboard

from graph_schema.errors import InvalidInput, NotFound
from graph_schema.schema import Rel, RelType
from graph_schema.sqlite_store import SQLiteStore
from graph_schema.store import GraphStore
from matchmaking.engine import BATCH_CHUNK, BatchResult, Engine
from matchmaking.filtering import Filters, RecommendOptions
from matchmaking.kinds import KINDS, Kind

A_SOLS = {"sol:a1", "sol:a2", "sol:a3"}
B_SOLS = {"sol:b1", "sol:b2", "sol:b3"}
A_CITIES = {"city:a0", "city:a1", "city:a2", "city:a3", "city:a4"}
KNOWN = RecommendOptions(include_known=True)
RECIPROCAL = RecommendOptions(reciprocal=True)
DIVERSE = RecommendOptions(diversify=True)


def ids(recs: list) -> list[str]:
    return [r.id for r in recs]


# ---------------------------------------------------------------------------- right answers


def test_cold_start_city_gets_its_clusters_solutions_first(engine: Engine) -> None:
    recs = engine.recommend("solutions", "city:a0", k=6)
    assert set(ids(recs)[:3]) == A_SOLS
    # sol:a3 covers both needs of city:a0, the others one each
    assert recs[0].id == "sol:a3"
    assert all(r.score > recs[3].score for r in recs[:3])
    assert recs[0].reasons[0] == 'Covers your needs "Air quality" and "Traffic congestion"'


def test_providers_are_those_offering_the_fitting_solutions(engine: Engine) -> None:
    recs = engine.recommend("providers", "city:a0")
    assert ids(recs)[:2] == ["prov:pa", "prov:pa2"]
    assert recs[-1].id == "prov:pb"


def test_peers_come_from_the_same_cluster(engine: Engine) -> None:
    recs = engine.recommend("peers", "city:a0", k=4)
    assert set(ids(recs)) == A_CITIES - {"city:a0"}
    # a city that already solved city:a0's needs is named as such: on its own, and in the
    # list where the reason sets a city apart (a1, a2 and a4 all solved it: see explain)
    snap, p = engine._snapshot(), engine.projection
    alone = snap.explainer.reasons("peers", p.index["city:a0"], p.index[recs[0].id],
                                   recs[0].components)
    assert any(r.startswith('Already implemented "') for r in alone)
    assert any(r.startswith('Already implemented "') for x in recs for r in x.reasons)


def test_experts_match_needs_and_never_show_opted_out_members(engine: Engine) -> None:
    recs = engine.recommend("experts", "city:a0", k=10, options=KNOWN)
    assert ids(recs)[:2] == ["member:ea", "member:ea2"]
    assert "member:closed" not in ids(recs)


def test_opportunities_are_cities_needing_the_expertise(engine: Engine) -> None:
    recs = engine.recommend("opportunities", "member:ea", k=4)
    # city:a1 was advised already; the other A cities come first
    assert set(ids(recs)) == A_CITIES - {"city:a1"}


def test_leads_are_fitting_cities_not_yet_served(engine: Engine) -> None:
    recs = engine.recommend("leads", "prov:pa", k=3)
    # pa delivered to a1, a2, a3; a0 (cold) and a4 remain in its cluster
    assert set(ids(recs)[:2]) == {"city:a0", "city:a4"}
    assert recs[2].id.startswith("city:b")


def test_opted_out_member_never_appears_anywhere(engine: Engine) -> None:
    for kind, spec in KINDS.items():
        s_lab = spec.subject
        subjects = {"City": ["city:a0", "city:a3", "city:b0"], "Member": ["member:ea"],
                    "Provider": ["prov:pa", "prov:pb"]}[s_lab.value]
        for subject in subjects:
            for recs in (engine.recommend(kind, subject, k=100, options=KNOWN),
                         engine.recommend(kind, subject, k=100, options=RECIPROCAL)):
                assert "member:closed" not in ids(recs)
                text = " ".join(x for r in recs for x in r.reasons)
                assert "Hidden Person" not in text


# ---------------------------------------------------------------------------- exclusions


def test_known_items_are_excluded_unless_asked(engine: Engine) -> None:
    assert not {"sol:a1", "sol:a2"} & set(ids(engine.recommend("solutions", "city:a1", k=6)))
    assert {"sol:a1", "sol:a2"} <= set(ids(engine.recommend("solutions", "city:a1", k=6,
                                                            options=KNOWN)))
    # providers that delivered to the city, partner cities, advisers, served cities
    assert "prov:pa" not in ids(engine.recommend("providers", "city:a1"))
    assert "city:a2" not in ids(engine.recommend("peers", "city:a1", k=20))
    assert "member:ea" not in ids(engine.recommend("experts", "city:a1"))
    assert "member:ea2" not in ids(engine.recommend("experts", "city:a2"))  # works there
    assert not {"city:a1", "city:a2", "city:a3"} & set(ids(engine.recommend("leads", "prov:pa")))
    # the subject itself never
    assert "city:a1" not in ids(engine.recommend("peers", "city:a1", k=20, options=KNOWN))


def test_declined_feedback_removes_the_candidate_for_that_kind(board_store: SQLiteStore) -> None:
    engine = Engine(board_store, background=False)
    assert engine.recommend("solutions", "city:a0")[0].id == "sol:a3"
    board_store.write(rels=[
        Rel(RelType.FEEDBACK, "city:a0", "sol:a3", {"kind": "solutions", "verdict": "declined"}),
        Rel(RelType.FEEDBACK, "city:a0", "city:a1", {"kind": "peers", "verdict": "not_relevant"}),
        Rel(RelType.FEEDBACK, "city:a0", "prov:pa", {"kind": "providers", "verdict": "contacted"}),
    ])
    engine.refresh(force=True)
    assert "sol:a3" not in ids(engine.recommend("solutions", "city:a0", k=20, options=KNOWN))
    assert "city:a1" not in ids(engine.recommend("peers", "city:a0", k=20))
    assert ids(engine.recommend("providers", "city:a0"))[0] == "prov:pa"  # contacted: kept


def test_staleness_check_is_rate_limited(board_store: SQLiteStore) -> None:
    # A write that is not about privacy (a new implementation makes sol:a3 known) waits for
    # the next staleness check; a decline does not wait (test_declines_apply_at_once).
    engine = Engine(board_store, refresh_interval=3600, background=False)
    assert engine.recommend("solutions", "city:a0")[0].id == "sol:a3"
    board_store.write(rels=[Rel(RelType.IMPLEMENTED, "city:a0", "sol:a3")])
    assert engine.recommend("solutions", "city:a0")[0].id == "sol:a3"  # not checked yet
    engine.refresh(force=True)
    assert engine.recommend("solutions", "city:a0")[0].id != "sol:a3"


def test_declines_apply_at_once(board_store: SQLiteStore) -> None:
    engine = Engine(board_store, refresh_interval=3600, background=False)
    assert engine.recommend("solutions", "city:a0")[0].id == "sol:a3"
    board_store.write(rels=[Rel(RelType.FEEDBACK, "city:a0", "sol:a3",
                                {"kind": "solutions", "verdict": "declined"})])
    assert "sol:a3" not in [r.id for r in engine.recommend("solutions", "city:a0")]


def test_background_rebuild_serves_the_old_snapshot_then_the_new(board_store: SQLiteStore) -> None:
    engine = Engine(board_store, refresh_interval=0.0, background=True)
    assert engine.recommend("solutions", "city:a0")[0].id == "sol:a3"
    board_store.write(rels=[Rel(RelType.FEEDBACK, "city:a0", "sol:a3",
                                {"kind": "solutions", "verdict": "declined"})])
    engine.refresh()
    engine.close()  # waits for the rebuild thread
    assert engine.recommend("solutions", "city:a0")[0].id != "sol:a3"


# ---------------------------------------------------------------------------- filters


@pytest.mark.parametrize(("kind", "subject", "filters", "expected"), [
    ("providers", "city:a0", Filters(country="SE"), ["prov:pa2"]),
    ("providers", "city:a0", Filters(region="Northern Europe"), ["prov:pa", "prov:pa2"]),
    ("providers", "city:a0", Filters(region="europe"), ["prov:pa", "prov:pa2", "prov:pb"]),
    ("providers", "city:a0", Filters(language="es"), ["prov:pb"]),
    ("providers", "city:a0", Filters(provider_kind="startup"), ["prov:pa"]),
    ("providers", "city:a0", Filters(category="environment"), ["prov:pb"]),
    ("providers", "city:a0", Filters(max_cost="low"), ["prov:pa", "prov:pa2"]),
    ("solutions", "city:a0", Filters(sdg=6), ["sol:b1", "sol:b2", "sol:b3"]),
    ("solutions", "city:a0", Filters(category="mobility"), ["sol:a3", "sol:a1", "sol:a2"]),
    ("solutions", "city:a0", Filters(max_cost="medium"), ["sol:a3", "sol:a1", "sol:a2"]),
    ("solutions", "city:a0", Filters(country="ES"), ["sol:b1", "sol:b2", "sol:b3"]),
    ("peers", "city:a0", Filters(country="SE"), ["city:a4"]),
    ("peers", "city:a0", Filters(sdg=6, country="ES"), ["city:b0", "city:b1", "city:b2",
                                                          "city:b3", "city:b4"]),
    ("experts", "city:a0", Filters(language="es"), ["member:eb"]),
    ("leads", "prov:pa", Filters(category="environment"), ["city:b0", "city:b1", "city:b2",
                                                          "city:b3", "city:b4"]),
])
def test_filters(engine: Engine, kind: str, subject: str, filters: Filters,
                 expected: list[str]) -> None:
    got = ids(engine.recommend(kind, subject, k=20, filters=filters))
    assert sorted(got) == sorted(expected)
    if kind == "solutions" and filters.category == "mobility":
        assert got == expected


@pytest.mark.parametrize(("kind", "filters", "field"), [
    ("solutions", Filters(country="UK"), "country"),
    ("solutions", Filters(region="Atlantis"), "region"),
    ("solutions", Filters(language="EN"), "language"),
    ("solutions", Filters(sdg=18), "sdg"),
    ("solutions", Filters(category="food"), "category"),
    ("solutions", Filters(max_cost="cheap"), "max_cost"),
    ("peers", Filters(max_cost="low"), "max_cost"),
    ("solutions", Filters(provider_kind="startup"), "provider_kind"),
    ("providers", Filters(provider_kind="giant"), "provider_kind"),
])
def test_bad_filters_name_the_field(engine: Engine, kind: str, filters: Filters,
                                    field: str) -> None:
    with pytest.raises(InvalidInput, match=f"'{field}'"):
        engine.recommend(kind, "city:a0", filters=filters)


# ---------------------------------------------------------------------------- errors


def test_errors(engine: Engine) -> None:
    with pytest.raises(NotFound, match="unknown id 'city:nowhere'"):
        engine.recommend("solutions", "city:nowhere")
    with pytest.raises(InvalidInput, match="'sol:a1' is a Solution, but 'solutions' "
                                           "recommendations are for a City"):
        engine.recommend("solutions", "sol:a1")
    with pytest.raises(InvalidInput, match="unknown kind 'friends'"):
        engine.recommend("friends", "city:a0")
    for k in (0, 101):
        with pytest.raises(InvalidInput, match="'k'"):
            engine.recommend("solutions", "city:a0", k=k)


def test_empty_graph_gives_empty_lists(tmp_path) -> None:
    store = SQLiteStore(tmp_path / "empty.db")
    store.init()
    engine = Engine(store, background=False)
    with pytest.raises(NotFound):
        engine.recommend("solutions", "city:x")
    from graph_schema.schema import Label, Node

    store.write([Node("city:x", Label.CITY, {"name": "X", "country": "FR"})])
    engine.refresh(force=True)
    for kind in ("solutions", "providers", "peers", "experts"):
        assert engine.recommend(kind, "city:x") == []
    assert engine.fit() is engine


# ---------------------------------------------------------------------------- options


def test_k_limits_and_ties_break_by_id(engine: Engine) -> None:
    recs = engine.recommend("solutions", "city:a0", k=2)
    assert len(recs) == 2
    full = engine.recommend("leads", "prov:pa", k=20)
    keys = [(-r.score, r.id) for r in full]
    assert keys == sorted(keys)


def test_diversify_keeps_relevance_and_spreads_near_copies(board_store: SQLiteStore) -> None:
    from graph_schema.schema import Label, Node

    # three near-copies of the best match sol:a3: same topics, same text
    copies = [Node(f"sol:a3-copy{i}", Label.SOLUTION, {
        "name": "Congestion charging", "category": "mobility", "cost": "low",
        "description": "congestion roads"}) for i in range(3)]
    rels = [Rel(RelType.COVERS, n.id, t) for n in copies for t in ("topic:congestion",
                                                                      "topic:air")]
    rels += [Rel(RelType.ADDRESSES, n.id, "sdg:11") for n in copies]
    rels += [Rel(RelType.IMPLEMENTED, c, n.id) for n in copies for c in ("city:a2", "city:a4")]
    board_store.write(copies, rels)
    engine = Engine(board_store, background=False)
    # ungrouped: grouping (the default) would fold the copies into sol:a3 before MMR sees them
    plain = engine.recommend("solutions", "city:a0", k=4,
                             options=RecommendOptions(group=False))
    div = engine.recommend("solutions", "city:a0", k=4,
                           options=RecommendOptions(diversify=True, group=False))
    n_copies = [sum(x.startswith("sol:a3-copy") for x in ids(r)) for r in (plain, div)]
    assert n_copies[0] >= 2, ids(plain)
    assert div[0].id == plain[0].id == "sol:a3"
    # the diversified list makes room for the distinct solutions of the same cluster
    assert n_copies[1] < n_copies[0]
    assert {"sol:a1", "sol:a2"} <= set(ids(div))
    assert set(ids(div)) <= A_SOLS | {n.id for n in copies}  # still relevant
    # grouped (the default): one idea once, the copies named under the best offer
    grouped = engine.recommend("solutions", "city:a0", k=4)
    assert ids(grouped)[0] == "sol:a3" and not set(ids(grouped)) & {n.id for n in copies}
    assert {o.id for o in grouped[0].also_offered_by} == {n.id for n in copies}


def test_reciprocal_is_the_harmonic_mean_of_both_sides(engine: Engine) -> None:
    for kind, subject in (("peers", "city:a0"), ("experts", "city:a0"),
                          ("opportunities", "member:ea")):
        recs = engine.recommend(kind, subject, k=3, options=RECIPROCAL)
        assert recs and all("reverse" in r.components for r in recs)
        for r in recs:
            fwd = sum(v for key, v in r.components.items() if key != "reverse")
            back = r.components["reverse"]
            assert r.score == pytest.approx(2 * fwd * back / (fwd + back), abs=1e-5)
    assert ids(engine.recommend("experts", "city:a0", k=1, options=RECIPROCAL)) == ["member:ea"]


# ---------------------------------------------------------------------------- explanations


def _graph() -> tuple[nx.Graph, dict[str, str]]:
    nodes, rels = checkerboard()
    g = nx.Graph()
    for r in rels:
        if r.type is not RelType.KNOWS:
            g.add_edge(r.src, r.dst, type=r.type.value)
    names = {n.props["name"]: n.id for n in nodes}
    return g, names


def test_every_result_has_components_and_grounded_reasons(engine: Engine) -> None:
    g, names = _graph()
    pattern = re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))
    cases = [("solutions", "city:a0"), ("solutions", "city:a1"), ("providers", "city:a0"),
             ("peers", "city:a0"), ("experts", "city:a0"), ("opportunities", "member:ea"),
             ("leads", "prov:pa")]
    for kind, subject in cases:
        for r in engine.recommend(kind, subject, k=4):
            assert 1 <= len(r.reasons) <= 3
            assert r.components and sum(r.components.values()) == pytest.approx(r.score,
                                                                                 abs=1e-5)
            for reason in r.reasons:
                for name in pattern.findall(reason):
                    node = names[name]
                    # every entity named lies on a short path between subject and candidate
                    d1 = nx.shortest_path_length(g, subject, node)
                    d2 = nx.shortest_path_length(g, node, r.id)
                    assert d1 + d2 <= 4, (kind, subject, r.id, reason)


def test_reasons_state_true_paths(engine: Engine, board_store: SQLiteStore) -> None:
    recs = engine.recommend("solutions", "city:a0", k=3)
    a1 = next(r for r in recs if r.id == "sol:a1")
    assert 'Covers your needs "Traffic congestion"' in a1.reasons
    pv = engine.recommend("providers", "city:a0")[0]
    # (the order of the reasons follows what sets a provider apart in its list: see explain)
    assert ('Offers "Adaptive traffic signals", which covers your needs "Traffic congestion"'
            in pv.reasons)
    offers = {n.id for _, n in board_store.neighbours("prov:pa", RelType.OFFERS)}
    assert "sol:a1" in offers
    lead = engine.recommend("leads", "prov:pa", k=1)[0]
    assert any(x.startswith("Resembles Aalborg, which implemented your solution") or
               x.startswith("Resembles Aabenraa, which implemented your solution")
               for x in lead.reasons)


# ---------------------------------------------------------------------------- stores


def test_same_results_on_every_store(store: GraphStore, tmp_path) -> None:
    write_checkerboard(store)
    ref = SQLiteStore(tmp_path / "ref.db")
    ref.init()
    write_checkerboard(ref)
    a, b = Engine(store, background=False), Engine(ref, background=False)
    for kind, subject in (("solutions", "city:a0"), ("providers", "city:a2"),
                          ("peers", "city:b0"), ("experts", "city:a0"),
                          ("opportunities", "member:eb"), ("leads", "prov:pb")):
        for div, known in ((False, False), (True, False), (False, True)):
            ra = [r.to_json() for r in a.recommend(kind, subject, k=20, options=RecommendOptions(
                                                       diversify=div, include_known=known))]
            rb = [r.to_json() for r in b.recommend(kind, subject, k=20, options=RecommendOptions(
                                                       diversify=div, include_known=known))]
            assert ra == rb


# ---------------------------------------------------------------------------- warm introductions


def _social_store(tmp_path) -> SQLiteStore:
    """The checkerboard plus two officials of Aarhus (city:a3), one of them opted out, whom
    Anna Expert knows, and a ParkWise employee who knows the open one."""
    from graph_schema.schema import Label, Node

    nodes, rels = checkerboard()
    nodes += [Node("member:oa3", Label.MEMBER, {"name": "Olga Official", "country": "DK"}),
              Node("member:qa3", Label.MEMBER, {"name": "Quiet Official", "country": "DK",
                                                "open_to_matches": False}),
              Node("member:spa", Label.MEMBER, {"name": "Sven Seller", "country": "DK"})]
    rels += [Rel(RelType.WORKS_FOR, "member:oa3", "city:a3"),
             Rel(RelType.WORKS_FOR, "member:qa3", "city:a3"),
             Rel(RelType.WORKS_FOR, "member:spa", "prov:pa"),
             Rel(RelType.KNOWS, "member:ea", "member:oa3"),
             Rel(RelType.KNOWS, "member:qa3", "member:ea"),
             Rel(RelType.KNOWS, "member:spa", "member:oa3")]
    store = SQLiteStore(tmp_path / "social.db")
    store.init()
    store.write(nodes, rels)
    return store


def test_a_contact_who_may_not_be_named_is_counted_once(tmp_path) -> None:
    """Not "Knows 1 person in your city administration: 1 person" (the newcomer review)."""
    from graph_schema.schema import Label, Node

    store = _social_store(tmp_path)
    store.write([Node("member:shy", Label.MEMBER, {"name": "Sam Shy", "country": "DK"})],
                [Rel(RelType.KNOWS, "member:shy", "member:qa3")])
    snap = Engine(store, background=False)._snapshot()
    p = snap.proj
    reasons = snap.explainer.reasons("experts", p.index["city:a3"], p.index["member:shy"],
                                     {"contacts": 1.0})
    assert reasons == ["Knows 1 person in your city administration"]
    reasons = snap.explainer.reasons("experts", p.index["city:a3"], p.index["member:ea"],
                                     {"contacts": 1.0})
    assert reasons == ["Knows 2 people in your city administration: Olga Official and 1 other"]
    store.close()


def test_contacts_features_count_the_people_on_the_path(tmp_path) -> None:
    store = _social_store(tmp_path)
    snap = Engine(store, background=False)._snapshot()
    fs, p = snap.fs, snap.proj

    def feature(kind: Kind, s: str, c: str) -> float:
        X = fs.features(kind, np.array([p.local[p.index[s]]]), np.array([p.local[p.index[c]]]))
        return float(X[0, 0, KINDS[kind].features.index("contacts")])

    # Anna knows 2 officials of Aarhus (squashed: 2 / (1 + 2)); ParkWise's staff know 1
    assert feature(Kind.OPPORTUNITIES, "member:ea", "city:a3") == pytest.approx(2 / 3)
    assert feature(Kind.EXPERTS, "city:a3", "member:ea") == pytest.approx(2 / 3)
    assert feature("leads", "prov:pa", "city:a3") == pytest.approx(1 / 2)
    assert feature("providers", "city:a3", "prov:pa") == pytest.approx(1 / 2)
    assert feature("opportunities", "member:ea", "city:a2") == 0.0
    assert feature("leads", "prov:pa2", "city:a3") == 0.0
    store.close()


def test_contact_reasons_never_name_opted_out_members(tmp_path) -> None:
    store = _social_store(tmp_path)
    engine = Engine(store, background=False)
    snap = engine._snapshot()
    p = snap.proj

    def reason(kind: str, s: str, c: str) -> list[str]:
        return snap.explainer.reasons(kind, p.index[s], p.index[c], {"contacts": 1.0})

    assert reason("opportunities", "member:ea", "city:a3")[0] == (
        "2 of your contacts work for Aarhus's city administration: Olga Official and 1 other")
    assert reason("experts", "city:a3", "member:ea")[0] == (
        "Knows 2 people in your city administration: Olga Official and 1 other")
    assert reason("leads", "prov:pa", "city:a3")[0] == (
        "Your team knows 1 person in Aarhus's city administration: Olga Official")
    assert reason("providers", "city:a3", "prov:pa")[0] == (
        "Its team knows 1 person in your city administration: Olga Official")
    # the warm introduction lifts Aarhus to the top of Anna's opportunities, and is said
    recs = engine.recommend("opportunities", "member:ea", k=4)
    assert recs[0].id == "city:a3"
    assert any("of your contacts work for Aarhus" in x for x in recs[0].reasons)
    for kind, subject in [("opportunities", "member:ea"), ("experts", "city:a3"),
                          ("leads", "prov:pa"), ("providers", "city:a3")]:
        for r in engine.recommend(kind, subject, k=10, options=KNOWN):
            assert not any("Quiet Official" in x for x in r.reasons)
    store.close()


def test_nearby_adoption_uses_the_closest_cities(tmp_path) -> None:
    from matchmaking.features import FeatureSpace
    from matchmaking.projection import Projection

    nodes, rels = checkerboard()
    coords = {"city:a0": (56.2, 10.2), "city:a1": (57.0, 9.9), "city:a2": (55.0, 9.4),
              "city:a3": (56.1, 10.2), "city:a4": (57.9, 12.5)}
    for n in nodes:
        if n.id in coords:
            n.props["lat"], n.props["lon"] = coords[n.id]
    proj = Projection.build(nodes, rels)
    fs = FeatureSpace(proj)
    # 5 cities with coordinates: each one's neighbours are the other 4 (weight 1/4 each);
    # a1 implemented sol:a1+a2, a2 sol:a1+a3, a3 sol:a2, a4 sol:a3; the B cities have none
    sol = [proj.local[proj.index[s]] for s in ("sol:a1", "sol:a2", "sol:a3", "sol:b1")]
    near = fs.city_solution_nearby.toarray()
    a0, a1, b1 = (proj.local[proj.index[c]] for c in ("city:a0", "city:a1", "city:b1"))
    assert near[a0, sol].tolist() == [0.5, 0.5, 0.5, 0.0]
    assert near[a1, sol].tolist() == [0.25, 0.25, 0.5, 0.0]
    assert near[b1].sum() == 0.0


def test_ppr_feature_is_log_scaled() -> None:
    from matchmaking.features import _logscale

    x = np.array([[1.0, 0.1, 0.01, 1e-4, 1e-6, 0.0]])
    assert _logscale(x, np.array([[1.0]])).round(9).tolist() == [[1.0, 0.75, 0.5, 0.0, 0.0,
                                                                    0.0]]


def test_single_subject_products_match_the_batched_path() -> None:
    import scipy.sparse as sp

    from scoring.sparse import rows_dot as _prod

    rng = np.random.default_rng(0)
    A = sp.csr_array(sp.random(30, 12, density=0.3, random_state=1))
    B = sp.csr_array(sp.random(40, 12, density=0.3, random_state=2))
    every = np.arange(40)
    for cols in (every, np.array([3, 7]), np.sort(rng.choice(40, 35, replace=False))):
        batched = (A @ B.T).toarray()[:, cols]
        for s in (0, 5, 29):
            assert np.allclose(_prod(A, B, np.array([s]), cols), batched[[s]])
        assert np.allclose(_prod(A, B, np.array([1, 4]), cols), batched[[1, 4]])


def test_a_batch_matches_one_subject_at_a_time(engine: Engine,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("matchmaking.engine.BATCH_CHUNK", 2)  # several chunks per batch
    subjects = {"solutions": ["city:a0", "city:b1", "nope", "city:a3"],
                "providers": ["city:a0", "city:b0"], "peers": ["city:a1", "city:b4"],
                "experts": ["city:a0", "city:b2"], "opportunities": ["member:ea", "member:eb"],
                "leads": ["prov:pa", "prov:pb", "city:a0"]}
    for kind, ids_ in subjects.items():
        batch = engine.recommend(kind, ids_, k=5)
        assert isinstance(batch, BatchResult)
        assert set(batch.results) | set(batch.errors) == set(ids_)
        assert not set(batch.results) & set(batch.errors)
        for sid in ids_:
            try:
                want = engine.recommend(kind, sid, k=5)
            except (NotFound, InvalidInput) as e:
                got_error = batch.errors[sid]
                assert type(got_error) is type(e) and str(got_error) == str(e)
                continue
            got = batch.results[sid]
            assert [(r.id, r.reasons) for r in got] == [(r.id, r.reasons) for r in want]
            # scores are rounded to 6 decimals; batched products may round the other way
            assert [r.score for r in got] == pytest.approx([r.score for r in want], abs=2e-6)
    assert isinstance(engine.recommend("solutions", ["nope"]).errors["nope"], NotFound)
    assert BATCH_CHUNK > 2  # the default is restored after the test
    with pytest.raises(InvalidInput, match="'k'"):
        engine.recommend("solutions", ["city:a0"], k=0)


def test_candidates_ranks_only_the_given_subset(engine: Engine) -> None:
    full = ids(engine.recommend("solutions", "city:a0", k=20))
    subset = [full[3], full[0], "sol:b2"]
    got = ids(engine.recommend("solutions", "city:a0", k=20, candidates=subset))
    assert got == [x for x in full if x in subset]  # same order as the full ranking
    # an opted-out member is not an eligible candidate: left out, never returned
    got = ids(engine.recommend("experts", "city:a0", k=20,
                               candidates=["member:closed", "member:ea"], options=KNOWN))
    assert got == ["member:ea"]
    with pytest.raises(NotFound, match="sol:nope"):
        engine.recommend("solutions", "city:a0", candidates=["sol:nope"])
    with pytest.raises(InvalidInput, match="city:a1"):
        engine.recommend("solutions", "city:a0", candidates=["city:a1"])
    with pytest.raises(InvalidInput, match="list of ids"):
        engine.recommend("solutions", "city:a0", candidates="sol:a1")


def test_advice_kinds_learn_from_hard_negatives_only() -> None:
    from board_fixture import checkerboard

    from matchmaking.kinds import TrainingSpec
    from matchmaking.projection import Projection
    from matchmaking.training import fit_kind

    assert KINDS[Kind.OPPORTUNITIES].training == TrainingSpec(hard_share=1.0, max_subjects=800)
    assert KINDS[Kind.EXPERTS].training == TrainingSpec(hard_share=1.0)
    assert KINDS[Kind.SOLUTIONS].training == KINDS[Kind.LEADS].training == TrainingSpec()
    proj = Projection.build(*checkerboard())
    # the board has 3 advice links: learn from them (min_positives=1) to see the draw at work
    default = fit_kind(proj, Kind.OPPORTUNITIES, min_positives=1)
    hard = fit_kind(proj, Kind.OPPORTUNITIES, min_positives=1, hard_share=1.0, max_subjects=800)
    mixed = fit_kind(proj, Kind.OPPORTUNITIES, min_positives=1, hard_share=0.5)
    assert default.learned and (default.n_positives, default.n_samples) == (3, 48)
    assert default.weights == hard.weights
    assert mixed.weights != hard.weights
    # other kinds keep the half-uniform, half-hard draw
    assert fit_kind(proj, Kind.SOLUTIONS).weights == fit_kind(proj, Kind.SOLUTIONS,
                                                           hard_share=0.5).weights
