"""The offline evaluation: split, tasks and baselines on hand-checkable graphs."""

from __future__ import annotations

import numpy as np

from graph_schema.schema import Label, Node, Rel, RelType
from matchmaking.evaluation.baselines import ItemKNN, Popularity, top_k
from matchmaking.evaluation.split import Split, split_links
from matchmaking.evaluation.tasks import build_task, kind_pairs


def city(i: int) -> Node:
    return Node(f"c{i}", Label.CITY, {"name": f"City {i}", "country": "FR"})


def sol(i: int) -> Node:
    return Node(f"s{i}", Label.SOLUTION, {"name": f"Solution {i}", "category": "mobility"})


def impl(c: int, s: int, year: int | None = None, provider: str | None = None) -> Rel:
    props: dict[str, object] = {}
    if year is not None:
        props["year"] = year
    if provider:
        props["provider"] = provider
    return Rel(RelType.IMPLEMENTED, f"c{c}", f"s{s}", props)


def test_split_holds_out_the_most_recent_links_per_subject() -> None:
    nodes = [city(i) for i in range(3)] + [sol(i) for i in range(5)]
    rels = [impl(0, s, 2010 + s) for s in range(5)] + [impl(1, 0, 2020), impl(1, 1, 2015)]
    rels.append(impl(2, 3, 2019))
    split = split_links(nodes, rels, test_fraction=0.2, cold_fraction=0.0, random_state=1)
    assert split.temporal
    held = {(r.src, r.dst) for r in split.test}
    # c0: 20% of 5 links -> the newest one; c1: the newer of two; c2: its only link stays.
    assert held == {("c0", "s4"), ("c1", "s0")}
    assert sorted(map(repr, split.train + split.test)) == sorted(map(repr, rels))


def test_split_cold_cities_lose_all_implementations_and_is_deterministic() -> None:
    nodes = [city(i) for i in range(10)] + [sol(i) for i in range(4)]
    rels = [impl(c, s, 2020) for c in range(10) for s in range(4) if (c + s) % 2 == 0]
    a = split_links(nodes, rels, cold_fraction=0.2, random_state=7)
    b = split_links(nodes, rels, cold_fraction=0.2, random_state=7)
    assert a.cold_cities == b.cold_cities and len(a.cold_cities) == 2
    assert [r.key for r in a.test] == [r.key for r in b.test]
    for cold in a.cold_cities:
        assert not [r for r in a.train if r.src == cold and r.type is RelType.IMPLEMENTED]
        assert [r for r in a.test if r.src == cold]


def test_kind_pairs_read_the_right_relationships() -> None:
    rels = [
        impl(1, 2, provider="p1"),
        Rel(RelType.ADVISED, "m1", "c1"),
        Rel(RelType.PARTNERS_WITH, "c1", "c2"),
    ]
    assert kind_pairs("solutions", rels) == {("c1", "s2")}
    assert kind_pairs("providers", rels) == {("c1", "p1")}
    assert kind_pairs("leads", rels) == {("p1", "c1")}
    assert kind_pairs("experts", rels) == {("c1", "m1")}
    assert kind_pairs("opportunities", rels) == {("m1", "c1")}
    assert kind_pairs("peers", rels) == {("c1", "c2"), ("c2", "c1")}


def test_top_k_excludes_and_breaks_ties_by_id() -> None:
    scores = np.array([0.5, 0.9, 0.5, 0.1, 0.9])
    assert top_k(scores, ["a", "b", "c", "d", "e"], np.array([4]), 3) == ["b", "a", "c"]


def test_popularity_and_item_knn_on_a_small_task() -> None:
    nodes = [city(i) for i in range(4)] + [sol(i) for i in range(3)]
    # c0: s0 s1; c1: s0 s1; c2: s0; c3: s2 (+ a held-out link each for c2 and c3)
    rels = [impl(0, 0), impl(0, 1), impl(1, 0), impl(1, 1), impl(2, 0), impl(3, 2)]
    split = Split(nodes, rels, [impl(2, 1), impl(3, 0)])
    task = build_task("solutions", split, max_cases=None, random_state=0)
    assert task.relevant == {"c2": {"s1"}, "c3": {"s0"}}
    assert list(Popularity(task).scores("c2")) == [3.0, 2.0, 1.0]
    knn = ItemKNN(task).scores("c2")
    # cos(s0, s1) = 2 / (sqrt(3) * sqrt(2)); s2 shares no city with s0
    assert np.allclose(knn, [0.0, 2 / np.sqrt(6), 0.0])
    assert top_k(knn, task.candidates, task.known_columns("c2"), 1) == ["s1"]
