"""A rejected write changes nothing, on both stores (issue 9, leftover of the review re-run).

Every request below is refused (422, 404, 409 or 403). Afterwards the store's counts, its
generation and its privacy generation are exactly as before: a refused request neither
writes part of itself nor makes every worker rebuild its projection for nothing. (On Neo4j,
and for deletes of nothing on SQLite too, a refused request used to bump the generation.)
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from graph_schema.store import Counts, GraphStore
from tests.api.conftest import Api

EVENT = {"id": "event:e", "name": "Expo", "timezone": "Europe/Vienna", "date": "2026-03-29",
         "start": "09:00", "slot_minutes": 30, "slots": 4, "tables": 2}


def _state(store: GraphStore) -> tuple[Counts, int, int]:
    return store.counts(), store.generation(), store.privacy_generation()


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def test_a_rejected_write_changes_nothing(api: Api) -> None:
    c, staff = api.client, api.as_("staff")
    assert c.post("/events", json=EVENT, headers=staff).status_code == 201
    assert c.put("/events/event:e/participants/city:a", json={"role": "city"},
                 headers=staff).status_code == 200
    before = _state(api.store)
    bad_import = {"nodes": ("n.jsonl", _jsonl([
        {"id": "topic:ok", "label": "Topic", "name": "fine"},
        {"id": "city:bad", "label": "City", "name": "Bad", "country": "XX"}]))}
    refused = [
        # (method, path, body, role, expected status)
        ("post", "/cities", {"id": "city:n", "name": "N", "country": "XX"}, "staff", 422),
        ("post", "/cities", {"id": "city:a", "name": "Again", "country": "DK"}, "staff", 409),
        ("post", "/topics", {"id": "city:a", "name": "Clash"}, "staff", 409),
        ("patch", "/cities/city:a", {"population": -1.5}, "city", 422),
        ("patch", "/cities/city:a", {"name": None}, "staff", 422),
        ("patch", "/cities/city:nope", {"population": 1}, "staff", 404),
        ("patch", "/solutions/sol:t", {"name": "Not mine"}, "provider", 403),
        ("put", "/cities/city:a/needs/mem:open", {}, "city", 422),
        ("put", "/cities/city:a/needs/topic:nope", {}, "city", 404),
        ("put", "/cities/city:a/needs/topic:x", {"urgency": 7}, "city", 422),
        ("put", "/cities/city:a/kpis/kpi:nope", {"value": 1}, "city", 404),
        ("delete", "/cities/city:a/needs/sol:s", None, "city", 404),
        ("delete", "/cities/city:nope", None, "staff", 404),
        ("post", "/feedback", {"subject": "city:a", "candidate": "mem:nope", "kind": "experts",
                               "verdict": "declined"}, "city", 404),
        ("post", "/feedback", {"subject": "city:a", "candidate": "mem:open", "kind": "experts",
                               "verdict": "maybe"}, "city", 422),
        ("put", "/events/event:e/participants/topic:x", {"role": "city"}, "staff", 422),
        ("delete", "/events/event:e/participants/city:b", None, "staff", 404),
        ("delete", "/events/event:nope/participants/city:a", None, "staff", 404),
    ]
    for method, path, body, role, status in refused:
        kwargs: dict[str, Any] = {"headers": api.as_(role)}
        if body is not None:
            kwargs["json"] = body
        r = c.request(method.upper(), path, **kwargs)
        assert r.status_code == status, (method, path, r.status_code, r.text)
        assert _state(api.store) == before, (method, path, r.status_code)
    r = c.post("/imports", files=bad_import, headers=staff)
    assert r.status_code == 422, r.text
    r = c.post("/imports", files={"nodes": ("n.jsonl.gz", gzip.compress(b"{}")[:-4])},
               headers=staff)
    assert r.status_code == 422, r.text
    assert _state(api.store) == before
    # the same kind of write, accepted, does change the store (the check above can fail)
    assert c.delete("/events/event:e/participants/city:a", headers=staff).status_code == 204
    after = _state(api.store)
    assert after[1] == before[1] + 1 and after[2] == before[2] + 1
