"""Import/export of smartcity-graph/1 datasets, on both stores."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
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


class FailingStore(SQLiteStore):
    """A real SQLite store whose n-th write raises, as if the database went away."""

    def __init__(self, path: Path, fail_at: int) -> None:
        super().__init__(path)
        self.calls = 0
        self.fail_at = fail_at

    def write(self, nodes: Any = (), rels: Any = (), *, replace: bool = False) -> None:
        self.calls += 1
        if self.calls == self.fail_at:
            # Write half of the batch inside the same transaction, then fail.
            with self._tx() as con:
                self._write_nodes(con, list(nodes)[: len(nodes) // 2], replace)
                raise ConnectionError("database went away")
        super().write(nodes, rels, replace=replace)


def _topics(n: int) -> list[dict[str, Any]]:
    return [{"id": f"t:{i:05d}", "label": "Topic", "name": f"Topic {i}"} for i in range(n)]


def test_interrupted_import_leaves_whole_batches_and_rerun_completes(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "d", _topics(1000), [])
    store = FailingStore(tmp_path / "s.db", fail_at=3)
    store.init()
    with pytest.raises(ConnectionError):
        import_dataset(store, data, batch_size=100)
    assert store.counts().nodes.get("Topic") == 200  # two whole batches, nothing of the third
    store.fail_at = -1
    assert import_dataset(store, data, batch_size=100).ok
    assert store.counts().nodes["Topic"] == 1000


def test_killed_import_process_is_consistent_and_rerun_completes(tmp_path: Path) -> None:
    n = 60_000
    nodes = _topics(n)
    rels = [{"type": "COVERS", "from": "s:1", "to": f"t:{i:05d}"} for i in range(n)]
    nodes.append({"id": "s:1", "label": "Solution", "name": "S", "category": "living"})
    data = write_dataset(tmp_path / "d", nodes, rels)
    db = tmp_path / "k.db"
    cmd = [sys.executable, "-m", "matchmaking.cli", "--store", f"sqlite:///{db}", "import",
           str(data), "--batch-size", "1000"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    store = SQLiteStore(db)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and store.counts().nodes.get("Topic", 0) < 5000:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    written = store.counts()
    assert 0 < written.nodes.get("Topic", 0) < n
    assert written.nodes.get("Topic", 0) % 1000 == 0
    assert written.rels.get("COVERS", 0) % 1000 == 0
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    final = store.counts()
    assert final.nodes["Topic"] == n and final.rels["COVERS"] == n
