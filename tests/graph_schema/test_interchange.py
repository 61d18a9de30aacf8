"""Import/export of smartcity-graph/1 datasets, on both stores."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from graph_schema.errors import InvalidInput
from graph_schema.interchange import export_dataset, import_dataset
from graph_schema.schema import Label, Node, Rel, RelType
from graph_schema.sqlite_store import SQLiteStore
from graph_schema.store import GraphStore

NODES = [
    {"id": "city:aarhus", "label": "City", "name": "Aarhus", "country": "DK",
     "population": 285273, "description": "Congestion in the inner city", "mayor": "J. Bundsgaard",
     "tags": ["port", "university"]},
    {"id": "prov:parkwise", "label": "Provider", "name": "ParkWise", "country": "NL",
     "kind": "startup"},
    {"id": "sol:smart-parking", "label": "Solution", "name": "Sensor-based smart parking",
     "category": "mobility", "maturity": "proven", "cost": "low"},
    {"id": "topic:congestion", "label": "Topic", "name": "Traffic congestion"},
    {"id": "m:ana", "label": "Member", "name": "Ana", "kind": "expert", "open_to_matches": False,
     "email": "ana@example.org"},
    {"id": "sdg:11", "label": "SDG", "local_name": "Bæredygtige byer"},
]
RELS = [
    {"type": "OFFERS", "from": "prov:parkwise", "to": "sol:smart-parking"},
    {"type": "COVERS", "from": "sol:smart-parking", "to": "topic:congestion"},
    {"type": "ADDRESSES", "from": "sol:smart-parking", "to": "sdg:11"},
    {"type": "NEEDS", "from": "city:aarhus", "to": "topic:congestion", "urgency": 0.9},
    {"type": "PRIORITIZES", "from": "city:aarhus", "to": "sdg:13", "weight": 1.0},
    {"type": "IMPLEMENTED", "from": "city:aarhus", "to": "sol:smart-parking", "year": 2021,
     "rating": 4, "provider": "prov:parkwise"},
    {"type": "EXPERT_IN", "from": "m:ana", "to": "topic:congestion", "level": 5},
    {"type": "MEASURES", "from": "city:aarhus", "to": "kpi:EC:ICT:ICT:1C", "value": 88.5,
     "year": 2023},
]


def write_dataset(path: Path, nodes: list[Any], rels: list[Any], *, gz: bool = False) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for stem, rows in (("nodes", nodes), ("relationships", rels)):
        text = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)
        if gz:
            with gzip.open(path / f"{stem}.jsonl.gz", "wt", encoding="utf-8") as fh:
                fh.write(text)
        else:
            (path / f"{stem}.jsonl").write_text(text, encoding="utf-8")
    return path


def dump(store: GraphStore) -> tuple[list[Node], list[Rel]]:
    return list(store.iter_nodes()), list(store.iter_rels())


def test_import_valid_dataset(store: GraphStore, tmp_path: Path) -> None:
    report = import_dataset(store, write_dataset(tmp_path / "d", NODES, RELS))
    assert report.ok and report.written
    assert (report.nodes_written, report.rels_written) == (6, 8)
    city = store.get_nodes(["city:aarhus"])["city:aarhus"]
    assert city.props["mayor"] == "J. Bundsgaard"  # unknown properties are kept
    assert city.props["tags"] == ["port", "university"]
    located = [(r.dst) for r, _ in store.neighbours("city:aarhus", RelType.LOCATED_IN)]
    assert located == ["country:DK"]
    sdg = store.get_nodes(["sdg:11"])["sdg:11"]
    assert sdg.props["local_name"] == "Bæredygtige byer" and sdg.props["number"] == 11


def test_import_is_an_upsert(store: GraphStore, tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "d", NODES, RELS)
    import_dataset(store, data)
    first = dump(store)
    counts = store.counts()
    import_dataset(store, data)
    assert dump(store) == first
    assert store.counts() == counts


def test_round_trip_is_lossless(store: GraphStore, tmp_path: Path) -> None:
    import_dataset(store, write_dataset(tmp_path / "d", NODES, RELS, gz=True))
    export_dataset(store, tmp_path / "e1")
    nodes = [json.loads(x) for x in (tmp_path / "e1/nodes.jsonl").read_text().splitlines()]
    # Built-in reference nodes are left out unless the dataset defined them.
    assert [n["id"] for n in nodes] == sorted(n["id"] for n in NODES)
    rels = [json.loads(x) for x in (tmp_path / "e1/relationships.jsonl").read_text().splitlines()]
    assert all(r["type"] != "LOCATED_IN" for r in rels)
    assert [(r["type"], r["from"], r["to"]) for r in rels] == sorted(
        (r["type"], r["from"], r["to"]) for r in RELS
    )
    fresh = SQLiteStore(tmp_path / "fresh.db")
    fresh.init()
    assert import_dataset(fresh, tmp_path / "e1").ok
    export_dataset(fresh, tmp_path / "e2")
    for name in ("nodes.jsonl", "relationships.jsonl"):
        assert (tmp_path / "e1" / name).read_bytes() == (tmp_path / "e2" / name).read_bytes()
    assert dump(fresh) == dump(store)


BAD_NODES: list[Any] = [
    {"id": "city:a", "label": "City", "name": "A", "country": "UK"},            # 1 alias
    {"id": "city:b", "label": "Town", "name": "B", "country": "DK"},            # 2 label
    {"id": "city:c", "label": "City", "country": "DK"},                         # 3 required
    {"id": "city:d", "label": "City", "name": "D", "country": "DK", "population": -3},  # 4 range
    {"id": "city:e", "label": "City", "name": "E", "country": "DK", "x": {"y": 1}},  # 5 nested
    {"id": "city:f", "label": "City", "name": "F", "country": "DK"},            # 6 ok
    {"id": "city:f", "label": "Topic", "name": "F"},                            # 7 dup id
    "{not json",                                                                # 8 syntax
    "",                                                                         # 9 blank
    {"id": "t:1", "label": "Topic", "name": "T"},                               # 10 ok
    {"id": "sol:1", "label": "Solution", "name": "S", "category": "cars"},      # 11 enum
    {"id": "bad id!", "label": "Topic", "name": "T"},                           # 12 id
]
BAD_RELS: list[Any] = [
    {"type": "NEEDS", "from": "city:f", "to": "t:1", "urgency": 0.5},           # 1 ok
    {"type": "NEEDS", "from": "t:1", "to": "city:f"},                           # 2 endpoints
    {"type": "NEEDS", "from": "city:f", "to": "t:404"},                         # 3 dangling
    {"type": "LOCATED_IN", "from": "city:f", "to": "country:DK"},               # 4 derived
    {"type": "NEEDS", "from": "city:a", "to": "t:1"},                           # 5 rejected end
    {"type": "LIKES", "from": "city:f", "to": "t:1"},                           # 6 type
    {"type": "MEASURES", "from": "city:f", "to": "kpi:EC:ICT:ICT:1C"},          # 7 required
    {"type": "PRIORITIZES", "from": "city:f", "to": "sdg:3", "weight": 2},      # 8 range
]


def test_bad_input_is_reported_by_line_and_nothing_is_written(
    store: GraphStore, tmp_path: Path
) -> None:
    before = dump(store)
    generation = store.generation()
    report = import_dataset(store, write_dataset(tmp_path / "bad", BAD_NODES, BAD_RELS))
    assert not report.ok and not report.written
    where = [(e.file, e.line) for e in report.errors]
    assert where == [("nodes.jsonl", n) for n in (1, 2, 3, 4, 5, 7, 8, 11, 12)] + [
        ("relationships.jsonl", n) for n in (2, 3, 4, 5, 6, 7, 8)
    ]
    text = "\n".join(str(e) for e in report.errors)
    for fragment in (
        "nodes.jsonl:1: property 'country': 'UK' is not an ISO 3166-1 alpha-2 country code; "
        "use the ISO 3166-1 code 'GB'",
        "nodes.jsonl:2: unknown label 'Town'",
        "nodes.jsonl:3: missing required property 'name'",
        "nodes.jsonl:4: property 'population'",
        "nodes.jsonl:5: property 'x' is a nested object",
        "nodes.jsonl:7: duplicate id 'city:f'",
        "nodes.jsonl:8: invalid JSON",
        "nodes.jsonl:11: property 'category'",
        "nodes.jsonl:12: 'id' 'bad id!' is not a valid id",
        "relationships.jsonl:2: NEEDS must start at a City, but 't:1' is a Topic",
        "relationships.jsonl:3: dangling endpoint 't:404'",
        "relationships.jsonl:4: LOCATED_IN is derived",
        "relationships.jsonl:5: 'city:a' was rejected (nodes line 1)",
        "relationships.jsonl:6: unknown relationship type 'LIKES'",
        "relationships.jsonl:7: missing required property 'value'",
        "relationships.jsonl:8: property 'weight'",
    ):
        assert fragment in text
    assert dump(store) == before
    assert store.generation() == generation


def test_skip_invalid_writes_only_valid_lines(store: GraphStore, tmp_path: Path) -> None:
    report = import_dataset(
        store, write_dataset(tmp_path / "bad", BAD_NODES, BAD_RELS), skip_invalid=True
    )
    assert not report.ok and report.written
    assert (report.nodes_written, report.rels_written) == (2, 1)
    assert set(store.get_nodes(["city:f", "t:1", "city:a", "sol:1"])) == {"city:f", "t:1"}
    assert [(r.type, r.src, r.dst) for r, _ in store.neighbours("city:f", RelType.NEEDS)] == [
        (RelType.NEEDS, "city:f", "t:1")
    ]


def test_label_clash_with_store_is_rejected(store: GraphStore, tmp_path: Path) -> None:
    store.write([Node("x:1", Label.TOPIC, {"name": "T"})])
    data = write_dataset(
        tmp_path / "d", [{"id": "x:1", "label": "City", "name": "X", "country": "FR"}], []
    )
    report = import_dataset(store, data)
    assert [str(e) for e in report.errors] == [
        "nodes.jsonl:1: id 'x:1' already exists in the store as a Topic, not a City; "
        "use another id"
    ]


def test_relationships_may_point_at_nodes_already_in_the_store(
    store: GraphStore, tmp_path: Path
) -> None:
    store.write([Node("t:old", Label.TOPIC, {"name": "Old"})])
    data = write_dataset(
        tmp_path / "d",
        [{"id": "city:n", "label": "City", "name": "N", "country": "FR"}],
        [{"type": "NEEDS", "from": "city:n", "to": "t:old"}],
    )
    assert import_dataset(store, data).ok
    assert [n.id for _, n in store.neighbours("city:n", RelType.NEEDS)] == ["t:old"]


def test_missing_files_are_clear_errors(store: GraphStore, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        import_dataset(store, tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInput, match=r"has no nodes\.jsonl or nodes\.jsonl\.gz"):
        import_dataset(store, tmp_path / "empty")
