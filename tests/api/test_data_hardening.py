"""Bad data at the API boundary (issue 9, items 3-7, 11, 12, 14), on both stores: non-finite
numbers and lone surrogates give 422 (never 500 or a silent null), imports keep to their
read limits, reference nodes keep their types, and upload folders of crashed imports go."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.routers.imports import upload_dir
from tests.api.conftest import Api, test_settings

JSON = {"Content-Type": "application/json"}
KPI = "kpi:EC:I:B:1A"


def _send(api: Api, method: str, path: str, raw: str, role: str) -> Any:
    """Send a raw JSON text (the client's json= would refuse NaN and surrogates)."""
    return api.client.request(method, path, content=raw.encode("utf-8", "surrogatepass"),
                              headers={**api.as_(role), **JSON})


def _snapshot(api: Api) -> tuple[Any, ...]:
    """The nodes and relationships these tests could touch."""
    ids = ["city:a", "prov:p", "topic:inf", "topic:s"]
    return (api.store.get_nodes(ids),
            [api.store.neighbours(i, direction="out") for i in ids])


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "NaN", "1e999"])
def test_non_finite_kpi_value_is_422_and_kpis_stay_readable(api: Api, value: str) -> None:
    r = _send(api, "PUT", f"/cities/city:a/kpis/{KPI}", '{"value": ' + value + "}", "city")
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert api.client.get("/cities/city:a/kpis", headers=api.as_("city")).status_code == 200
    assert [n.id for rel, n in api.store.neighbours("city:a", direction="out")
            if rel.type.value == "MEASURES"] == []


@pytest.mark.parametrize(("method", "path", "role", "body"), [
    ("PATCH", "/cities/city:a", "city", '{"budget_eur": 1e999}'),
    ("PATCH", "/cities/city:a", "city", '{"x": Infinity}'),
    ("PATCH", "/cities/city:a", "city", '{"x": [1, -Infinity]}'),
    ("PATCH", "/cities/city:a", "city", '{"x": NaN}'),
    ("POST", "/topics", "staff", '{"id": "topic:inf", "name": "ok", "x": 1e999}'),
    ("PUT", "/cities/city:a/needs/topic:x", "city", '{"urgency": NaN}'),
])
def test_non_finite_numbers_are_422(api: Api, method: str, path: str, role: str,
                                    body: str) -> None:
    before = _snapshot(api)
    r = _send(api, method, path, body, role)
    assert r.status_code == 422, r.text
    assert "finite" in r.text or "Infinity" in r.text or "NaN" in r.text or "nan" in r.text
    assert _snapshot(api) == before


@pytest.mark.parametrize(("method", "path", "role", "body"), [
    ("PATCH", "/providers/prov:p", "provider", '{"note": "\\udfff"}'),
    ("PATCH", "/providers/prov:p", "provider", '{"name": "a\\ud800b"}'),
    ("POST", "/topics", "staff", '{"id": "topic:s", "name": "ok", "x": "\\udfff"}'),
    ("POST", "/topics", "staff", '{"id": "topic:s", "name": "ok", "x": ["a", "\\udfff"]}'),
])
def test_lone_surrogate_is_422(api: Api, method: str, path: str, role: str, body: str) -> None:
    before = _snapshot(api)
    r = _send(api, method, path, body, role)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert "surrogate" in detail or "unicode string" in detail, detail
    assert _snapshot(api) == before


def test_a_valid_surrogate_pair_is_stored(api: Api) -> None:
    r = _send(api, "POST", "/topics", '{"id": "topic:e", "name": "\\ud83d\\ude00"}', "staff")
    assert r.status_code == 201, r.text
    assert api.store.get_nodes(["topic:e"])["topic:e"].props["name"] == "\U0001F600"


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


def _import(api: Api, nodes: bytes, rels: bytes = b"") -> Any:
    files = {"nodes": ("nodes", nodes), "relationships": ("relationships", rels)}
    return api.client.post("/imports", files=files, headers=api.as_("staff"))


@pytest.mark.parametrize("node", [
    {"id": KPI, "label": "KPI", "name": 12345},
    {"id": "kpi:SEC:1", "label": "KPI", "name": "x", "code": 7},
    {"id": "sdg:3", "label": "SDG", "name": 3},
])
def test_reference_nodes_cannot_be_broken_by_an_import(api: Api, node: dict[str, Any]) -> None:
    r = _import(api, _jsonl([node]))
    assert r.status_code == 422 and r.json()["errors"][0]["line"] == 1
    assert api.client.get("/kpis", headers=api.as_("city")).status_code == 200
    assert api.client.get("/cities/city:a/kpis", headers=api.as_("city")).status_code == 200


def test_import_rejects_newline_ids_and_bad_property_names(api: Api) -> None:
    nodes = [{"id": "topic:nl\n", "label": "Topic", "name": "NL"},
             {"id": "topic:k", "label": "Topic", "name": "k", "": 1},
             {"id": "topic:u", "label": "Topic", "name": "u", "_builtin": True}]
    r = _import(api, _jsonl(nodes))
    assert r.status_code == 422, r.text
    assert [e["line"] for e in r.json()["errors"]] == [1, 2, 3]
    assert api.client.get("/topics/topic:nl%0A", headers=api.as_("staff")).status_code == 404


def test_corrupt_gzip_is_422(api: Api) -> None:
    r = _import(api, bytes.fromhex("1f8b0800000000000003") + b"\xff" * 64)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["message"].startswith("cannot read the file")


def test_gzip_bomb_gets_413_naming_the_limit(make_api: Callable[..., Api]) -> None:
    api = make_api(import_max_file_bytes=8 * 1024**2)
    bomb = gzip.compress(b"0" * (32 * 1024**2), compresslevel=9)
    assert len(bomb) < 100_000
    r = _import(api, bomb)
    assert r.status_code == 413, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert "import limit of 8,388,608 bytes" in r.json()["detail"]
    assert "nothing was written" in r.json()["detail"]


def test_too_long_line_is_a_422_line_error(make_api: Callable[..., Api]) -> None:
    api = make_api(import_max_line_bytes=1000)
    nodes = [{"id": "topic:a", "label": "Topic", "name": "x" * 2000},
             {"id": "topic:b", "label": "Topic", "name": "B"}]
    r = _import(api, gzip.compress(_jsonl(nodes)))
    assert r.status_code == 422
    assert [(e["line"], e["message"].split(";")[0]) for e in r.json()["errors"]] == [
        (1, "line is longer than the limit of 1,000 bytes")]
    assert api.store.get_nodes(["topic:a", "topic:b"]) == {}


def test_uploads_use_a_dedicated_folder_and_stale_ones_are_removed(
    make_api: Callable[..., Api], tmp_path: Path
) -> None:
    folder = tmp_path / "uploads"
    stale = folder / "4194305-crashed"  # above Linux's pid_max: no such process
    live = folder / f"{os.getppid()}-busy"  # a running process (e.g. another worker)
    for d in (stale, live):
        d.mkdir(parents=True)
        (d / "nodes.jsonl").write_bytes(b"{}\n")
    api = make_api(import_dir=str(folder))  # startup cleans the folder
    assert not stale.exists() and live.exists()
    r = _import(api, _jsonl([{"id": "topic:z", "label": "Topic", "name": "Z"}]))
    assert r.status_code == 200, r.text
    assert sorted(p.name for p in folder.iterdir()) == [live.name]  # nothing left behind
    assert upload_dir(test_settings(import_dir=str(folder))) == folder
