"""POST /imports: upload an interchange dataset (plain or gzipped JSONL) on both stores."""

from __future__ import annotations

import gzip
import json
from typing import Any

from tests.api.conftest import Api


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


NODES = [
    {"id": "city:aarhus", "label": "City", "name": "Aarhus", "country": "DK"},
    {"id": "topic:congestion", "label": "Topic", "name": "Traffic congestion"},
]
RELS = [{"type": "NEEDS", "from": "city:aarhus", "to": "topic:congestion", "urgency": 0.9}]


def _files(nodes: bytes, rels: bytes) -> dict[str, Any]:
    return {"nodes": ("nodes.jsonl", nodes), "relationships": ("relationships.jsonl.gz", rels)}


def test_import_gzipped_dataset(api: Api) -> None:
    files = _files(_jsonl(NODES), gzip.compress(_jsonl(RELS)))
    r = api.client.post("/imports", files=files, headers=api.as_("staff"))
    assert r.status_code == 200, r.text
    assert r.json() == {"ok": True, "written": True, "nodes_read": 2, "rels_read": 1,
                        "nodes_written": 2, "rels_written": 1, "error_count": 0, "errors": []}
    needs = api.store.neighbours("city:aarhus", direction="out")
    assert [(rel.type.value, n.id) for rel, n in needs] == [
        ("LOCATED_IN", "country:DK"), ("NEEDS", "topic:congestion")]


def test_invalid_dataset_writes_nothing_and_reports_lines(api: Api) -> None:
    bad_nodes = [*NODES, {"id": "city:x", "label": "City", "name": "X", "country": "UK"}]
    files = _files(_jsonl(bad_nodes), _jsonl([*RELS, {"type": "NEEDS", "from": "city:x",
                                                      "to": "topic:congestion"}]))
    r = api.client.post("/imports", files=files, headers=api.as_("staff"))
    assert r.status_code == 422
    body = r.json()
    assert r.headers["content-type"] == "application/problem+json"
    assert body["written"] is False and body["error_count"] == 2
    assert [(e["file"], e["line"]) for e in body["errors"]] == [
        ("nodes.jsonl", 3), ("relationships.jsonl", 2)]
    assert "'GB'" in body["errors"][0]["message"]
    assert api.store.get_nodes(["city:aarhus"]) == {}
    # with skip_invalid the valid lines are written
    files = _files(_jsonl(bad_nodes), _jsonl(RELS))
    r = api.client.post("/imports?skip_invalid=true", files=files, headers=api.as_("staff"))
    assert r.status_code == 422
    assert r.json()["written"] is True and r.json()["nodes_written"] == 2
    assert set(api.store.get_nodes(["city:aarhus", "city:x"])) == {"city:aarhus"}


def test_import_needs_both_files(api: Api) -> None:
    r = api.client.post("/imports", files={"nodes": ("n.jsonl", _jsonl(NODES))},
                        headers=api.as_("staff"))
    assert r.status_code == 422
    assert "relationships" in r.json()["detail"]
    r = api.client.post("/imports", json={"nodes": []}, headers=api.as_("staff"))
    assert r.status_code == 415
