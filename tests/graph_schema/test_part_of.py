"""The City property ``part_of`` (issue 8): what an import refuses, the same
way on SQLite and Neo4j, and that a valid value round-trips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graph_schema.interchange import import_dataset
from graph_schema.store import GraphStore


def city(cid: str, **props: Any) -> dict[str, Any]:
    return {"id": cid, "label": "City", "name": cid.split(":")[1].title(), "country": "AT",
            **props}


def write(path: Path, nodes: list[dict[str, Any]], rels: list[dict[str, Any]] = ()) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "nodes.jsonl").write_text("".join(json.dumps(n) + "\n" for n in nodes))
    (path / "relationships.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rels))
    return path


def errors(store: GraphStore, data: Path) -> dict[int, str]:
    before = store.counts(), store.generation()
    report = import_dataset(store, data)
    assert not report.ok and not report.written
    assert (store.counts(), store.generation()) == before  # nothing was written
    return {e.line: e.message for e in report.errors if e.file == "nodes.jsonl"}


def test_valid_part_of_is_imported_and_kept(store: GraphStore, tmp_path: Path) -> None:
    data = write(tmp_path / "d", [city("city:hietzing", part_of="city:vienna"),
                                  city("city:vienna")])
    assert import_dataset(store, data).ok
    assert store.get_nodes(["city:hietzing"])["city:hietzing"].props["part_of"] == "city:vienna"
    # a later dataset may name a city that is already in the store
    more = write(tmp_path / "e", [city("city:favoriten", part_of="city:vienna")])
    assert import_dataset(store, more).ok


def test_part_of_must_name_an_existing_city(store: GraphStore, tmp_path: Path) -> None:
    data = write(tmp_path / "d", [
        city("city:vienna"),
        city("city:hietzing", part_of="city:wien"),
        city("city:favoriten", part_of="topic:t"),
        {"id": "topic:t", "label": "Topic", "name": "T"},
        city("city:ottakring", part_of="city:hernals"),
        city("city:hernals", population=-1),
    ])
    got = errors(store, data)
    assert "names 'city:wien', which is no node of the dataset or the store" in got[2]
    assert "must name a City, but 'topic:t' is a Topic" in got[3]
    assert "names 'city:hernals', which was rejected (nodes line 6)" in got[5]
    assert 6 in got and set(got) == {2, 3, 5, 6}


def test_part_of_must_not_be_the_city_itself(store: GraphStore, tmp_path: Path) -> None:
    got = errors(store, write(tmp_path / "d", [city("city:vienna", part_of="city:vienna")]))
    assert "names the city itself" in got[1]


def test_part_of_cycles_are_refused(store: GraphStore, tmp_path: Path) -> None:
    got = errors(store, write(tmp_path / "d", [
        city("city:a", part_of="city:b"), city("city:b", part_of="city:c"),
        city("city:c", part_of="city:a"), city("city:d", part_of="city:a"),
    ]))
    assert "cycle: city:a -> city:b -> city:c -> city:a" in got[1]
    assert set(got) == {1, 2, 3}  # d only leads into the cycle
    # a cycle closed through what the store already holds
    assert import_dataset(store, write(tmp_path / "e", [
        city("city:x"), city("city:y", part_of="city:x")])).ok
    got = errors(store, write(tmp_path / "f", [city("city:x", part_of="city:y")]))
    assert "cycle: city:x -> city:y -> city:x" in got[1]


def test_skip_invalid_drops_the_city_and_its_links(store: GraphStore, tmp_path: Path) -> None:
    data = write(tmp_path / "d", [city("city:vienna"), city("city:bad", part_of="city:nope")],
                 [{"type": "PARTNERS_WITH", "from": "city:bad", "to": "city:vienna"}])
    report = import_dataset(store, data, skip_invalid=True)
    assert report.written and len(report.errors) == 2
    assert "was rejected (nodes line 2)" in report.errors[1].message
    assert set(store.get_nodes(["city:vienna", "city:bad"])) == {"city:vienna"}
