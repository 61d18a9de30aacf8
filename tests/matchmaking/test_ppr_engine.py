"""The engine's own PageRank walks against networkx (tests audit: M11 and gap 6).

tests/scoring checks :class:`scoring.PPROperator` on raw matrices (hubs, dangling nodes,
float32). This module checks the path the engine takes: a projection of typed relationships,
weighted by :data:`matchmaking.features.PPR_WEIGHTS`, walked by
:meth:`FeatureSpace.ppr_walk` (float32, ``PPR_TOL``) one seed or many at once, and the
reverse-walk branch of :meth:`FeatureSpace.ppr_block`. The reference graph is built here from
the relationships themselves, not from the engine's matrices. The graph has a hub (one topic
holds more than half of all walkable links) and dangling nodes: an isolated city, members
linked only by ``KNOWS`` and KPIs linked only by ``MEASURES`` (both weight 0 in the walk).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graph_schema.schema import Label, Node, Rel, RelType
from matchmaking.features import PPR_ALPHA, PPR_DECADES, PPR_TOL, PPR_WEIGHTS, FeatureSpace
from matchmaking.projection import Projection

R = RelType
#: float32 walk stopped at an L1 change of PPR_TOL: distance to the exact answer
L1_BOUND = PPR_TOL * PPR_ALPHA / (1 - PPR_ALPHA) + 1e-5


def hub_graph() -> tuple[list[Node], list[Rel]]:
    nodes = [Node("topic:hub", Label.TOPIC, {"name": "Hub"}),
             Node("topic:rare", Label.TOPIC, {"name": "Rare"})]
    rels: list[Rel] = []
    for i in range(24):
        nodes.append(Node(f"city:{i:02d}", Label.CITY, {"name": f"City {i}", "country": "FR"}))
        rels.append(Rel(R.NEEDS, f"city:{i:02d}", "topic:hub", {"urgency": (i % 5) / 4}))
    nodes.append(Node("city:alone", Label.CITY, {"name": "Alone", "country": "FR"}))
    for j in range(6):
        sid = f"sol:{j}"
        nodes.append(Node(sid, Label.SOLUTION, {"name": f"Solution {j}"}))
        rels.append(Rel(R.COVERS, sid, "topic:hub" if j < 4 else "topic:rare"))
        rels += [Rel(R.IMPLEMENTED, f"city:{(3 * j + d) % 24:02d}", sid) for d in range(2)]
    rels += [Rel(R.NEEDS, "city:05", "topic:rare"),
             Rel(R.PARTNERS_WITH, "city:01", "city:02"),
             Rel(R.PARTNERS_WITH, "city:07", "city:01"),
             Rel(R.PARTNERS_WITH, "city:20", "city:21")]
    for m in range(3):  # members who only know each other: isolated in the walk
        nodes.append(Node(f"member:{m}", Label.MEMBER, {"name": f"M {m}"}))
    rels += [Rel(R.KNOWS, "member:0", "member:1"), Rel(R.KNOWS, "member:1", "member:2")]
    nodes.append(Node("kpi:x", Label.KPI, {"name": "X", "direction": "higher_is_better"}))
    rels += [Rel(R.MEASURES, f"city:{i:02d}", "kpi:x", {"value": float(i)}) for i in range(5)]
    return nodes, rels


def strength(rel: Rel) -> float:
    """The documented edge strength (projection.py): 0.5 + 0.5 * urgency for NEEDS."""
    u = rel.props.get("urgency")
    return 1.0 if u is None else 0.5 + 0.5 * float(u)


def reference_graph(nodes: list[Node], rels: list[Rel]) -> nx.Graph:
    """The undirected walk graph, from the relationships: each relationship adds its type's
    PPR weight times its strength to the edge between its ends."""
    G = nx.Graph()
    G.add_nodes_from(n.id for n in nodes)
    for r in rels:
        w = PPR_WEIGHTS[r.type.value] * strength(r)
        if w > 0:
            old = G.edges[r.src, r.dst]["weight"] if G.has_edge(r.src, r.dst) else 0.0
            G.add_edge(r.src, r.dst, weight=old + w)
    return G


def nx_ppr(G: nx.Graph, seed: str) -> dict[str, float]:
    return nx.pagerank(G, alpha=PPR_ALPHA, personalization={seed: 1.0}, weight="weight",
                       tol=1e-14, max_iter=10_000)


@pytest.fixture(scope="module")
def space() -> tuple[FeatureSpace, nx.Graph]:
    nodes, rels = hub_graph()
    walkable = [r for r in rels if PPR_WEIGHTS[r.type.value] > 0]
    hub_links = sum(1 for r in walkable if "topic:hub" in (r.src, r.dst))
    assert hub_links > len(walkable) / 2  # a hub holding more than half of the links
    return FeatureSpace(Projection.build(nodes, rels)), reference_graph(nodes, rels)


def test_the_graph_has_dangling_nodes(space: tuple[FeatureSpace, nx.Graph]) -> None:
    fs, _ = space
    dangling = {fs.proj.ids[i] for i in np.flatnonzero(fs.ppr_op.dangling)}
    assert {"city:alone", "member:0", "member:1", "member:2", "kpi:x"} <= dangling


@pytest.mark.parametrize("seed", ["city:03", "city:01", "sol:5", "topic:hub", "city:alone",
                                  "member:1"])
def test_one_walk_matches_networkx(space: tuple[FeatureSpace, nx.Graph], seed: str) -> None:
    fs, G = space
    ref = nx_ppr(G, seed)
    expected = np.array([ref[i] for i in fs.proj.ids])
    got = fs.ppr_walk(np.array([fs.proj.index[seed]]))[0]
    assert got.dtype == np.float32
    assert np.abs(got - expected).sum() < L1_BOUND, seed
    assert got.sum() == pytest.approx(1.0, abs=1e-4)  # no mass lost at dangling nodes


def test_many_walks_at_once_match_networkx(space: tuple[FeatureSpace, nx.Graph]) -> None:
    fs, G = space
    seeds = ["city:00", "city:alone", "city:20", "member:0", "sol:1"]
    got = fs.ppr_walk(np.array([fs.proj.index[s] for s in seeds]))
    for row, seed in zip(got, seeds, strict=True):
        ref = nx_ppr(G, seed)
        expected = np.array([ref[i] for i in fs.proj.ids])
        assert np.abs(row - expected).sum() < L1_BOUND, seed
    # an isolated seed keeps all its mass
    assert got[1, fs.proj.index["city:alone"]] == pytest.approx(1.0, abs=1e-6)


def _logscale(raw: np.ndarray, top: np.ndarray) -> np.ndarray:
    ratio = np.divide(raw, top, out=np.zeros_like(raw), where=top > 0)
    with np.errstate(divide="ignore"):
        return np.clip(1 + np.log10(np.maximum(ratio, 1e-300)) / PPR_DECADES, 0, 1)


def test_ppr_block_both_branches_match_networkx(space: tuple[FeatureSpace, nx.Graph]) -> None:
    """Few subjects walk forward (scaled per subject by its best candidate); many subjects
    and few candidates walk back from the candidates (``d_s pi_s(c) = d_c pi_c(s)``, scaled
    per candidate)."""
    fs, G = space
    proj = fs.proj
    cities = [f"city:{i:02d}" for i in range(0, 24, 3)] + ["city:alone"]
    sols = ["sol:0", "sol:4"]
    Sx = np.array([proj.local[proj.index[c]] for c in cities])
    Cx = np.array([proj.local[proj.index[s]] for s in sols])
    raw = np.array([[nx_ppr(G, c)[s] for s in sols] for c in cities])
    reverse = fs.ppr_block(Label.CITY, Label.SOLUTION, Sx, Cx)  # 9 subjects > 2 candidates
    np.testing.assert_allclose(reverse, _logscale(raw, raw.max(axis=0, keepdims=True)),
                               atol=0.02)
    all_sols = sorted(n for n in G.nodes if n.startswith("sol:"))
    for i, c in enumerate(cities[:3]):
        ref = nx_ppr(G, c)
        top = max(ref[s] for s in all_sols)
        forward = fs.ppr_block(Label.CITY, Label.SOLUTION, Sx[i:i + 1], Cx)[0]
        np.testing.assert_allclose(forward, _logscale(raw[i], np.full(2, top)), atol=0.02)
    assert reverse[-1].tolist() == [0.0, 0.0]  # the isolated city reaches nothing
