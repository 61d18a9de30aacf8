"""The projection: typed adjacency, index maps, feature tables, side tables."""

from __future__ import annotations

import numpy as np
import pytest
from board_fixture import KPI_A, checkerboard

from graph_schema.schema import Label, Node, Rel, RelType
from graph_schema.sqlite_store import SQLiteStore
from matchmaking.features import FeatureSpace
from matchmaking.projection import Projection
from scoring import kpi_gaps


def small() -> Projection:
    nodes = [
        Node("c1", Label.CITY, {"name": "One", "country": "DK", "population": 1000,
                                "languages": ["da"]}),
        Node("c2", Label.CITY, {"name": "Two", "country": "ES"}),
        Node("t1", Label.TOPIC, {"name": "T"}),
        Node("s1", Label.SOLUTION, {"name": "S", "category": "mobility", "cost": "high"}),
        Node("p1", Label.PROVIDER, {"name": "P", "country": "SE"}),
        Node("m1", Label.MEMBER, {"name": "M", "open_to_matches": False}),
    ]
    rels = [
        Rel(RelType.NEEDS, "c1", "t1", {"urgency": 0.5}),
        Rel(RelType.NEEDS, "c2", "t1"),
        Rel(RelType.PARTNERS_WITH, "c2", "c1"),
        Rel(RelType.IMPLEMENTED, "c1", "s1", {"provider": "p1"}),
        Rel(RelType.IMPLEMENTED, "c2", "s1", {"provider": "p-gone"}),
        Rel(RelType.OFFERS, "p1", "s1"),
        Rel(RelType.COVERS, "s1", "nowhere"),  # dangling: skipped
        Rel(RelType.FEEDBACK, "c1", "s1", {"kind": "solutions", "verdict": "declined"}),
    ]
    return Projection.build(reversed(nodes), rels)


def test_index_labels_and_tables() -> None:
    p = small()
    assert p.ids == ["c1", "c2", "m1", "p1", "s1", "t1"]
    assert [p.index[x] for x in p.ids] == list(range(6))
    assert p.rows[Label.CITY].tolist() == [0, 1] and p.local[p.index["s1"]] == 0
    assert p.label(p.index["m1"]) is Label.MEMBER
    assert p.region[0] == "Europe" and p.subregion[0] == "Northern Europe"
    assert p.subregion[1] == "Southern Europe"
    assert p.population[0] == 1000 and np.isnan(p.population[1])
    assert p.cost[p.index["s1"]] == 2.0
    assert p.open_to_matches.tolist() == [True, True, False, True, True, True]
    assert p.languages[0] == frozenset({"da"})


def test_adjacency_weights_symmetry_and_side_tables() -> None:
    p = small()
    needs = p.adj[RelType.NEEDS]
    assert needs[0, 5] == 0.75 and needs[1, 5] == 1.0  # 0.5 + 0.5 * urgency; default 1
    pw = p.adj[RelType.PARTNERS_WITH]
    assert pw[0, 1] == pw[1, 0] == 1.0 and pw.nnz == 2
    assert p.adj[RelType.COVERS].nnz == 0
    assert p.impl_provider.tolist() == [[0, 4, 3]]  # unknown provider ignored
    assert p.feedback == [(0, 4, "solutions", "declined")]
    assert p.block(RelType.IMPLEMENTED, Label.CITY, Label.SOLUTION).toarray().tolist() == [
        [1.0], [1.0]]


def test_without_removes_edges_both_ways_and_their_providers() -> None:
    p = small()
    q = p.without({RelType.PARTNERS_WITH: (np.array([0]), np.array([1])),
                   RelType.IMPLEMENTED: (np.array([0]), np.array([4]))})
    assert q.adj[RelType.PARTNERS_WITH].nnz == 0
    assert q.adj[RelType.IMPLEMENTED].nnz == 1 and q.impl_provider.shape == (0, 3)
    assert p.adj[RelType.PARTNERS_WITH].nnz == 2 and len(p.impl_provider) == 1  # unchanged


def test_from_store_equals_build(tmp_path) -> None:
    store = SQLiteStore(tmp_path / "g.db")
    store.init()
    nodes, rels = checkerboard()
    store.write(nodes, rels)
    a = Projection.from_store(store)
    b = Projection.build(store.iter_nodes(), store.iter_rels())
    assert a.generation == store.generation()
    assert a.ids == b.ids
    for t in a.adj:
        assert (a.adj[t] != b.adj[t]).nnz == 0
    # LOCATED_IN comes from the store; every city is located
    assert a.adj[RelType.LOCATED_IN][a.rows[Label.CITY]].nnz == 10


def test_kpi_gaps_match_scoring() -> None:
    nodes, rels = checkerboard()
    from graph_schema import reference

    kpis = [Node(k["id"], Label.KPI, {"name": k["name"], "direction": k["direction"]})
            for k in reference.kpis() if k["id"] in (KPI_A, "kpi:EC:P:EM:1C")]
    p = Projection.build(nodes + kpis, rels)
    fs = FeatureSpace(p)
    kcols = [int(p.local[p.index[k.id]]) for k in kpis]
    V = np.full((p.rows[Label.CITY].size, len(kpis)), np.nan)
    for r in rels:
        if r.type is RelType.MEASURES:
            V[p.local[p.index[r.src]], kcols.index(int(p.local[p.index[r.dst]]))] = r.props[
                "value"]
    dirs = [k.props["direction"] for k in kpis]
    for i in range(V.shape[0]):
        assert fs.city_kpi_gap[i, kcols] == pytest.approx(kpi_gaps(V[i], dirs, V))


def test_ppr_matches_networkx() -> None:
    import networkx as nx

    nodes, rels = checkerboard()
    p = Projection.build(nodes, rels)
    fs = FeatureSpace(p)
    seed = p.index["city:a0"]
    x = fs.ppr(np.array([seed]))[0]
    A = fs.ppr_op.PT.T.tocsr()  # P = D^-1 A: same walk as networkx on the weighted graph
    G = nx.from_scipy_sparse_array(A, create_using=nx.DiGraph)
    ref = nx.pagerank(G, alpha=0.5, personalization={seed: 1.0}, tol=1e-12)
    assert np.allclose(x, [ref[i] for i in range(p.n)], atol=1e-4)
