"""The GraphStore contract, run against every backend (see the ``store`` fixture).

Both stores must behave identically; the last tests write the same data to SQLite and Neo4j
and compare everything they give back.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from graph_schema import neo4j_store as neo4j_module
from graph_schema import reference
from graph_schema.errors import Conflict, NotFound, StoreUnavailable
from graph_schema.neo4j_store import Neo4jStore
from graph_schema.schema import Label, Node, Rel, RelType
from graph_schema.store import Counts, GraphStore

L, R = Label, RelType
N_KPIS = len(reference.kpis())
REFERENCE_COUNTS = {"Country": 250, "KPI": N_KPIS, "SDG": 17}


def city(node_id: str, name: str, country: str | None = "DK", **props: Any) -> Node:
    if country is not None:
        props["country"] = country
    return Node(node_id, L.CITY, {"name": name, **props})


def topic(node_id: str, name: str, **props: Any) -> Node:
    return Node(node_id, L.TOPIC, {"name": name, **props})


def member(node_id: str, name: str, **props: Any) -> Node:
    return Node(node_id, L.MEMBER, {"name": name, **props})


def ecosystem() -> tuple[list[Node], list[Rel]]:
    """A tiny graph touching every kind of property value and several types."""
    nodes = [
        city("city:b", "Bergen", "NO", population=285_000, lat=60.39, languages=["no", "en"]),
        city("city:a", "Aarhus", "DK", population=285_273, budget_eur=2.0),
        city("city:z", "Zürich", "CH"),
        Node("prov:p", L.PROVIDER, {"name": "ParkWise", "country": "NL", "kind": "startup"}),
        Node("sol:s", L.SOLUTION, {"name": "Smart parking", "category": "mobility"}),
        topic("topic:t", "Congestion", scores=[1, 2, 3], weights=[0.5, 1.5]),
        member("m:1", "Ann", open_to_matches=True, big=2**62),
        member("m:2", "Bob", open_to_matches=False),
    ]
    rels = [
        Rel(R.OFFERS, "prov:p", "sol:s"),
        Rel(R.IMPLEMENTED, "city:a", "sol:s", {"year": 2021, "rating": 4.5, "provider": "prov:p"}),
        Rel(R.NEEDS, "city:a", "topic:t", {"urgency": 0.9}),
        Rel(R.NEEDS, "city:b", "topic:t", {"urgency": 0.25}),
        Rel(R.PRIORITIZES, "city:a", "sdg:13", {"weight": 1.0}),
        Rel(R.ADDRESSES, "sol:s", "sdg:11"),
        Rel(R.KNOWS, "m:2", "m:1"),
        Rel(R.EXPERT_IN, "m:1", "topic:t", {"level": 5}),
        Rel(R.MEASURES, "city:a", "kpi:EC:ICT:ICT:1C", {"value": 97.0, "year": 2022}),
        Rel(R.PARTNERS_WITH, "city:a", "city:b"),
        Rel(R.PARTNERS_WITH, "city:b", "city:a"),
    ]
    return nodes, rels


def located(store: GraphStore) -> list[tuple[str, str]]:
    return [(r.src, r.dst) for r in store.iter_rels(R.LOCATED_IN)]


def export(store: GraphStore) -> tuple[list[Node], list[Rel]]:
    return (
        list(store.iter_nodes(include_builtin=False)),
        list(store.iter_rels(include_derived=False)),
    )


# ------------------------------------------------------------------------------- upserts


def test_upsert_creates_then_merges_properties(store: GraphStore) -> None:
    store.write([city("city:a", "Aarhus", population=1, lat=1.5)])
    store.write([city("city:a", "Århus", population=2, languages=["da"])])
    assert store.get_nodes(["city:a", "nope"]) == {
        "city:a": city("city:a", "Århus", population=2, lat=1.5, languages=["da"])
    }


def test_replace_replaces_all_properties(store: GraphStore) -> None:
    store.write([city("city:a", "Aarhus", population=1, lat=1.5)])
    store.write([city("city:a", "Aarhus", "SE")], replace=True)
    assert store.get_nodes(["city:a"])["city:a"].props == {"name": "Aarhus", "country": "SE"}


def test_relationship_properties_merge_and_replace(store: GraphStore) -> None:
    store.write([city("city:a", "A"), topic("topic:t", "T")])
    store.write(rels=[Rel(R.NEEDS, "city:a", "topic:t", {"urgency": 0.5, "note": "x"})])
    store.write(rels=[Rel(R.NEEDS, "city:a", "topic:t", {"urgency": 0.75})])
    assert list(store.iter_rels(R.NEEDS)) == [
        Rel(R.NEEDS, "city:a", "topic:t", {"urgency": 0.75, "note": "x"})
    ]
    store.write(rels=[Rel(R.NEEDS, "city:a", "topic:t", {"urgency": 0.1})], replace=True)
    assert list(store.iter_rels(R.NEEDS)) == [
        Rel(R.NEEDS, "city:a", "topic:t", {"urgency": 0.1})
    ]


def test_property_values_round_trip_with_their_types(store: GraphStore) -> None:
    props = {
        "name": "Ünïcødé ☃",
        "int": 7,
        "big": -(2**63) + 1,
        "float": 2.0,
        "small": 1e-300,
        "flag": False,
        "words": ["a", "b", "a"],
        "ints": [3, 1, 2],
        "floats": [0.5, 2.0],
    }
    store.write([Node("topic:x", L.TOPIC, props)])
    back = store.get_nodes(["topic:x"])["topic:x"].props
    assert back == props
    assert {k: type(v) for k, v in back.items()} == {k: type(v) for k, v in props.items()}
    assert [type(v) for v in back["floats"]] == [float, float]
    assert [type(v) for v in back["ints"]] == [int, int, int]


def test_writing_twice_changes_nothing(store: GraphStore) -> None:
    nodes, rels = ecosystem()
    store.write(nodes, rels)
    first = (store.counts(), list(store.iter_nodes()), list(store.iter_rels()))
    store.write(nodes, rels)
    assert (store.counts(), list(store.iter_nodes()), list(store.iter_rels())) == first


def test_empty_write_is_a_no_op(store: GraphStore) -> None:
    before = store.generation()
    store.write([], [])
    assert store.generation() == before


# ------------------------------------------------------------------------ atomic failures


def test_label_conflict_raises_and_writes_nothing(store: GraphStore) -> None:
    store.write([topic("x:1", "T")])
    gen = store.generation()
    with pytest.raises(Conflict, match="'x:1' already exists as a Topic, not a City"):
        store.write([city("city:new", "New"), city("x:1", "X")])
    assert store.get_nodes(["city:new", "x:1"]) == {"x:1": topic("x:1", "T")}
    assert store.generation() == gen
    assert located(store) == []


def test_label_conflict_within_one_batch(store: GraphStore) -> None:
    with pytest.raises(Conflict, match="'x:1' already exists as a City, not a Topic"):
        store.write([city("x:1", "X"), topic("x:1", "T")])
    assert store.get_nodes(["x:1"]) == {}


def test_duplicate_node_in_one_batch_is_merged_in_order(store: GraphStore) -> None:
    store.write([city("city:a", "A", population=1), city("city:a", "B", "SE")])
    assert store.get_nodes(["city:a"])["city:a"].props == {
        "name": "B", "country": "SE", "population": 1
    }
    assert located(store) == [("city:a", "country:SE")]


def test_missing_endpoint_raises_not_found_and_writes_nothing(store: GraphStore) -> None:
    store.write([topic("topic:t", "T")])
    gen = store.generation()
    batch_nodes = [city("city:a", "A")]
    batch_rels = [
        Rel(R.NEEDS, "city:a", "topic:t"),
        Rel(R.EXPERT_IN, "m:zz", "topic:t"),
        Rel(R.COVERS, "sol:y", "topic:t"),
    ]
    with pytest.raises(NotFound, match="relationship endpoint 'm:zz' does not exist"):
        store.write(batch_nodes, batch_rels)
    assert store.get_nodes(["city:a"]) == {}
    assert list(store.iter_rels()) == []
    assert store.generation() == gen


# -------------------------------------------------------------------------- LOCATED_IN


def test_located_in_follows_country(store: GraphStore) -> None:
    store.write([
        city("city:a", "A", "DK"),
        Node("prov:p", L.PROVIDER, {"name": "P", "country": "NL"}),
        member("m:1", "M", country="FR"),
        member("m:2", "No country"),
        topic("topic:t", "T", country="DE"),  # not a located label
    ])
    assert located(store) == [
        ("city:a", "country:DK"), ("m:1", "country:FR"), ("prov:p", "country:NL")
    ]
    store.write([city("city:a", "A", "SE")])  # moves
    store.write([Node("m:1", L.MEMBER, {"languages": ["fr"]})])  # merge keeps the country
    assert located(store) == [
        ("city:a", "country:SE"), ("m:1", "country:FR"), ("prov:p", "country:NL")
    ]
    store.write([member("m:1", "M")], replace=True)  # replace without country removes it
    store.write([city("city:a", "A", "dk")])  # not an ISO id: no country node to point to
    assert located(store) == [("prov:p", "country:NL")]
    assert export(store)[1] == []  # derived relationships are not exported
    assert store.counts().rels == {"LOCATED_IN": 1}


# -------------------------------------------------------------------------- reference data


def test_reference_nodes_exist_but_are_not_exported(store: GraphStore) -> None:
    assert store.counts() == Counts(nodes=REFERENCE_COUNTS, rels={})
    sdg1 = store.get_nodes(["sdg:1"])["sdg:1"]
    ref = {i: (lbl, p) for i, lbl, p in reference.reference_nodes()}
    assert sdg1 == Node("sdg:1", L.SDG, ref["sdg:1"][1])
    all_nodes = list(store.iter_nodes())
    assert [n.id for n in all_nodes] == sorted(ref)
    assert all(n.props == ref[n.id][1] and n.label.value == ref[n.id][0] for n in all_nodes)
    assert export(store) == ([], [])


def test_written_reference_node_is_exported_and_kept_by_init(store: GraphStore) -> None:
    store.write([Node("sdg:1", L.SDG, {"note": "ours"})])
    store.write([Node("country:DK", L.COUNTRY, {"name": "Danmark"})], replace=True)
    store.init()
    ref = {i: p for i, _, p in reference.reference_nodes()}
    assert export(store)[0] == [
        Node("country:DK", L.COUNTRY, {"name": "Danmark"}),
        Node("sdg:1", L.SDG, {**ref["sdg:1"], "note": "ours"}),
    ]
    assert store.get_nodes(["sdg:2"])["sdg:2"].props == ref["sdg:2"]
    assert store.counts().nodes == REFERENCE_COUNTS


# ---------------------------------------------------------------------------------- reads


def test_neighbours_sorted_in_every_direction(store: GraphStore) -> None:
    nodes, rels = ecosystem()
    store.write(nodes, rels)
    nd = store.get_nodes(["city:a", "city:b", "sol:s", "topic:t", "sdg:13", "country:DK",
                          "kpi:EC:ICT:ICT:1C"])
    by_key = {r.key: r for r in store.iter_rels()}

    def pair(t: RelType, s: str, d: str, other: str) -> tuple[Rel, Node]:
        return by_key[(t.value, s, d)], nd[other]

    assert store.neighbours("city:a") == [
        pair(R.IMPLEMENTED, "city:a", "sol:s", "sol:s"),
        pair(R.LOCATED_IN, "city:a", "country:DK", "country:DK"),
        pair(R.MEASURES, "city:a", "kpi:EC:ICT:ICT:1C", "kpi:EC:ICT:ICT:1C"),
        pair(R.NEEDS, "city:a", "topic:t", "topic:t"),
        pair(R.PARTNERS_WITH, "city:a", "city:b", "city:b"),
        pair(R.PRIORITIZES, "city:a", "sdg:13", "sdg:13"),
    ]
    assert store.neighbours("city:a", direction="in") == [
        pair(R.PARTNERS_WITH, "city:b", "city:a", "city:b"),
    ]
    assert store.neighbours("city:a", R.PARTNERS_WITH, "both") == [  # ties: by src
        pair(R.PARTNERS_WITH, "city:a", "city:b", "city:b"),
        pair(R.PARTNERS_WITH, "city:b", "city:a", "city:b"),
    ]
    assert store.neighbours("topic:t", R.NEEDS, "in") == [
        pair(R.NEEDS, "city:a", "topic:t", "city:a"),
        pair(R.NEEDS, "city:b", "topic:t", "city:b"),
    ]
    assert store.neighbours("topic:t", R.NEEDS, "out") == []
    assert store.neighbours("nobody", direction="both") == []


def test_find_nodes_filters_pages_and_counts(store: GraphStore) -> None:
    nodes, rels = ecosystem()
    store.write(nodes, rels)
    ids = lambda page: [n.id for n in page]  # noqa: E731
    page, total = store.find_nodes(L.CITY)
    assert (ids(page), total) == (["city:a", "city:b", "city:z"], 3)
    page, total = store.find_nodes(L.CITY, limit=1, offset=1)
    assert (ids(page), total) == (["city:b"], 3)
    page, total = store.find_nodes(L.CITY, limit=2, offset=5)
    assert (ids(page), total) == ([], 3)
    assert ids(store.find_nodes(L.CITY, equals={"country": "NO"})[0]) == ["city:b"]
    assert ids(store.find_nodes(L.CITY, equals={"population": 285_273})[0]) == ["city:a"]
    assert ids(store.find_nodes(L.CITY, equals={"budget_eur": 2.0})[0]) == ["city:a"]
    assert ids(store.find_nodes(L.MEMBER, equals={"open_to_matches": False})[0]) == ["m:2"]
    assert store.find_nodes(L.CITY, equals={"country": "NO", "population": 1}) == ([], 0)
    assert ids(store.find_nodes(L.CITY, name_contains="ZÜR")[0]) == ["city:z"]
    page, total = store.find_nodes(L.CITY, name_contains="R", limit=1, offset=1)
    assert (ids(page), total) == (["city:b"], 3)
    assert ids(store.find_nodes(L.CITY, name_contains="ErG")[0]) == ["city:b"]
    page, total = store.find_nodes(L.SDG, name_contains="water")
    assert (ids(page), total) == (["sdg:14", "sdg:6"], 2)
    assert store.find_nodes(L.SOLUTION, equals={"country": "DK"}) == ([], 0)


def test_counts(store: GraphStore) -> None:
    nodes, rels = ecosystem()
    store.write(nodes, rels)
    assert store.counts() == Counts(
        nodes={**REFERENCE_COUNTS, "City": 3, "Member": 2, "Provider": 1, "Solution": 1,
               "Topic": 1},
        rels={"ADDRESSES": 1, "EXPERT_IN": 1, "IMPLEMENTED": 1, "KNOWS": 1, "LOCATED_IN": 4,
              "MEASURES": 1, "NEEDS": 2, "OFFERS": 1, "PARTNERS_WITH": 2, "PRIORITIZES": 1},
    )
    assert list(store.counts().nodes) == sorted(store.counts().nodes)


def test_iteration_order_and_filters(store: GraphStore) -> None:
    nodes, rels = ecosystem()
    store.write(nodes[::-1], rels[::-1])
    exported, exported_rels = export(store)
    assert [n.id for n in exported] == sorted(n.id for n in nodes)
    assert exported == sorted(nodes, key=lambda n: n.id)
    assert exported_rels == sorted(rels, key=lambda r: r.key)
    assert [r.key for r in store.iter_rels()] == sorted(
        [r.key for r in rels]
        + [("LOCATED_IN", "city:a", "country:DK"), ("LOCATED_IN", "city:b", "country:NO"),
           ("LOCATED_IN", "city:z", "country:CH"), ("LOCATED_IN", "prov:p", "country:NL")]
    )
    assert [n.id for n in store.iter_nodes(L.CITY)] == ["city:a", "city:b", "city:z"]
    assert [n.id for n in store.iter_nodes(L.SDG)][:3] == ["sdg:1", "sdg:10", "sdg:11"]
    assert [n.id for n in store.iter_nodes(L.SDG, include_builtin=False)] == []
    assert [r.key for r in store.iter_rels(R.NEEDS)] == [
        ("NEEDS", "city:a", "topic:t"), ("NEEDS", "city:b", "topic:t")
    ]


def test_iteration_crosses_page_boundaries(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small pages for the Neo4j store (SQLite streams one cursor and ignores these).
    monkeypatch.setattr(neo4j_module, "NODE_PAGE", 3)
    monkeypatch.setattr(neo4j_module, "REL_PAGE_SOURCES", 2)
    members = [member(f"m:{i:02d}", f"M{i}") for i in range(11)]
    knows = [Rel(R.KNOWS, f"m:{i:02d}", f"m:{j:02d}", {"w": i * 100 + j})
             for i in range(11) for j in range(11) if i != j and (i + j) % 3 == 0]
    store.write(members[::-1], knows[::-1])
    assert list(store.iter_nodes(L.MEMBER)) == members
    assert list(store.iter_nodes(include_builtin=False)) == members
    assert len(list(store.iter_nodes())) == 11 + sum(REFERENCE_COUNTS.values())
    assert list(store.iter_rels()) == sorted(knows, key=lambda r: r.key)


def test_labels_of(store: GraphStore) -> None:
    store.write([city("city:a", "A"), topic("topic:t", "T")])
    assert store.labels_of(["topic:t", "city:a", "sdg:3", "nope", "city:a"]) == {
        "city:a": L.CITY, "sdg:3": L.SDG, "topic:t": L.TOPIC
    }


# -------------------------------------------------------------------------------- deletes


def test_delete_nodes_detaches(store: GraphStore) -> None:
    nodes, rels = ecosystem()
    store.write(nodes, rels)
    assert store.delete_nodes(["city:a", "city:a", "nope", "m:2"]) == 2
    assert store.get_nodes(["city:a", "m:2", "city:b"]).keys() == {"city:b"}
    keys = [r.key for r in store.iter_rels()]
    assert not [k for k in keys if "city:a" in k or "m:2" in k]
    assert store.counts().rels["LOCATED_IN"] == 3
    assert store.delete_nodes([]) == 0


def test_delete_rels(store: GraphStore) -> None:
    nodes, rels = ecosystem()
    store.write(nodes, rels)
    deleted = store.delete_rels([
        (R.NEEDS, "city:a", "topic:t"),
        (R.NEEDS, "city:a", "topic:t"),
        (R.PARTNERS_WITH, "city:b", "city:a"),
        (R.KNOWS, "m:1", "m:2"),  # wrong direction: not there
        (R.OFFERS, "nope", "sol:s"),
    ])
    assert deleted == 2
    assert [r.key for r in store.iter_rels(R.NEEDS)] == [("NEEDS", "city:b", "topic:t")]
    assert [r.key for r in store.iter_rels(R.PARTNERS_WITH)] == [
        ("PARTNERS_WITH", "city:a", "city:b")
    ]
    assert store.get_nodes(["city:a"]).keys() == {"city:a"}


def test_generation_grows_with_every_write(store: GraphStore) -> None:
    seen = [store.generation()]
    store.write([topic("topic:t", "T")])
    seen.append(store.generation())
    store.write(rels=[])  # nothing to do: no transaction
    seen.append(store.generation())
    store.delete_rels([(R.COVERS, "a", "b")])  # deletes nothing: no change, no generation
    seen.append(store.generation())
    store.delete_nodes(["topic:nope"])  # the same
    seen.append(store.generation())
    store.delete_nodes(["topic:t"])
    seen.append(store.generation())
    store.init()  # nothing to restore: no change, no new generation
    seen.append(store.generation())
    store.delete_nodes(["sdg:3"])
    seen.append(store.generation())
    store.init()  # restores sdg:3
    seen.append(store.generation())
    assert [b - a for a, b in zip(seen, seen[1:], strict=False)] == [1, 0, 0, 0, 1, 0, 1, 1]
    assert "sdg:3" in store.get_nodes(["sdg:3"])


def test_privacy_generation_moves_with_writes_of_privacy_and_keys(store: GraphStore) -> None:
    """The counter the privacy overlay and the API's key cache read on every request: it
    moves with writes of a Member (opt-out), an ApiKey (creation, revocation) or feedback
    (declines) and with deletes (a subject's keys die with it), and only with those."""
    seen = [store.privacy_generation()]

    def step() -> None:
        seen.append(store.privacy_generation())

    store.write([topic("topic:t", "T"), city("city:c", "C")])
    step()
    store.write([member("member:m", "M")])
    step()
    store.write([Node("apikey:0123456789ab", L.API_KEY, {"hash": "x", "role": "staff"})])
    step()
    store.write([Node("apikey:0123456789ab", L.API_KEY, {"revoked": True})])
    step()
    store.write(rels=[Rel(R.FEEDBACK, "city:c", "member:m",
                          {"kind": "experts", "verdict": "declined"})])
    step()
    store.delete_rels([(R.NEEDS, "city:c", "topic:t")])  # deletes nothing
    step()
    store.delete_nodes(["topic:t"])
    step()
    assert [b - a for a, b in zip(seen, seen[1:], strict=False)] == [0, 1, 1, 1, 1, 0, 1]


# ------------------------------------------------------------------- both stores agree


@pytest.mark.neo4j
def test_both_stores_give_back_the_same_graph(
    sqlite_store: GraphStore, neo4j_store: GraphStore
) -> None:
    nodes, rels = ecosystem()
    extra = [Node("sdg:5", L.SDG, {"note": "gender"}), city("city:a", "A", "SE", lat=1.0)]
    more = [Rel(R.NEEDS, "city:a", "topic:t", {"urgency": 0.5, "why": ["x", "y"]})]
    for s in (sqlite_store, neo4j_store):
        s.write(nodes, rels)
        s.write(extra, more)
        s.write([member("m:2", "Bob", country="SE")], replace=True)
        s.delete_rels([(R.KNOWS, "m:2", "m:1")])
    assert list(neo4j_store.iter_nodes()) == list(sqlite_store.iter_nodes())
    assert list(neo4j_store.iter_rels()) == list(sqlite_store.iter_rels())
    assert export(neo4j_store) == export(sqlite_store)
    assert neo4j_store.counts() == sqlite_store.counts()
    for node_id in ("city:a", "topic:t", "m:2", "country:SE"):
        assert neo4j_store.neighbours(node_id, direction="both") == sqlite_store.neighbours(
            node_id, direction="both"
        )
    assert neo4j_store.find_nodes(L.COUNTRY, name_contains="an", limit=5, offset=3) == (
        sqlite_store.find_nodes(L.COUNTRY, name_contains="an", limit=5, offset=3)
    )
    # Same JSON text, property by property (ints stay ints, floats stay floats).
    assert [n.to_json() for n in export(neo4j_store)[0]] == [
        n.to_json() for n in export(sqlite_store)[0]
    ]


# -------------------------------------------------------------------------- unreachable


def test_unreachable_neo4j_fails_fast_naming_the_uri() -> None:
    uri = "bolt://127.0.0.1:1"
    store = Neo4jStore.from_env(uri)
    try:
        for op in (store.ping, store.counts, lambda: store.write([topic("t:1", "T")])):
            started = time.monotonic()
            with pytest.raises(StoreUnavailable, match="cannot reach Neo4j at bolt://127.0.0.1:1"):
                op()
            assert time.monotonic() - started < 10
    finally:
        store.close()
