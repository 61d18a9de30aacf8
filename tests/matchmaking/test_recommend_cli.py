"""``matchmaking recommend`` and ``matchmaking examples`` in-process through ``cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_run import run

from graph_schema.sqlite_store import SQLiteStore


@pytest.fixture
def url(board_store: SQLiteStore) -> str:
    return board_store.url


def test_table_and_json(capsys: pytest.CaptureFixture[str], url: str) -> None:
    code, out, _ = run(capsys, "--store", url, "recommend", "solutions", "city:a0", "--k", "2")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "solutions for city:a0"
    assert "sol:a3" in lines[1] and "Congestion charging" in lines[1]
    assert '- Covers your needs "Air quality" and "Traffic congestion"' in out
    code, out, _ = run(capsys, "--store", url, "recommend", "providers", "city:a0",
                       "--format", "json", "--country", "SE")
    doc = json.loads(out)
    assert doc["for"] == "city:a0" and doc["kind"] == "providers"
    assert [r["id"] for r in doc["results"]] == ["prov:pa2"]
    assert set(doc["results"][0]) == {"id", "label", "name", "score", "components", "reasons"}


def test_batch_answers_every_line_and_reports_bad_ids(
        capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path) -> None:
    batch = tmp_path / "ids.txt"
    batch.write_text("city:a0\ncity:nowhere\n\nsol:a1\ncity:b0\n")
    code, out, _ = run(capsys, "--store", url, "recommend", "solutions", "--batch", str(batch),
                       "--k", "1")
    assert code == 0
    rows = [json.loads(x) for x in out.splitlines()]
    assert [r["for"] for r in rows] == ["city:a0", "city:nowhere", "sol:a1", "city:b0"]
    assert rows[0]["results"][0]["id"] == "sol:a3"
    assert rows[1] == {"for": "city:nowhere", "kind": "solutions",
                       "error": "unknown city id 'city:nowhere'"}
    assert "is a Solution" in rows[2]["error"]
    assert rows[3]["results"][0]["id"].startswith("sol:b")


def test_errors_are_one_line_exit_2(capsys: pytest.CaptureFixture[str], url: str) -> None:
    code, _, err = run(capsys, "--store", url, "recommend", "solutions", "city:nowhere")
    assert code == 2 and err == "error: unknown city id 'city:nowhere'\n"
    code, _, err = run(capsys, "--store", url, "recommend", "peers", "prov:pa")
    assert code == 2 and "'prov:pa' is a Provider, but 'peers' recommendations are for a City" \
        in err and len(err.splitlines()) == 1
    code, _, err = run(capsys, "--store", url, "recommend", "peers", "city:a0", "--max-cost",
                       "low")
    assert code == 2 and "'max_cost'" in err
    code, _, err = run(capsys, "--store", url, "recommend", "solutions", "city:a0", "--k", "0")
    assert code == 2 and "Traceback" not in err


def test_empty_graph(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from graph_schema.schema import Label, Node

    store = SQLiteStore(tmp_path / "e.db")
    store.init()
    url = store.url
    code, out, _ = run(capsys, "--store", url, "examples")
    assert code == 0 and "the graph is empty" in out
    store.write([Node("city:x", Label.CITY, {"name": "X", "country": "FR"})])
    code, out, _ = run(capsys, "--store", url, "recommend", "solutions", "city:x")
    assert code == 0 and out.startswith("no solutions recommendations for city:x")


def test_examples_show_every_kind(capsys: pytest.CaptureFixture[str], url: str) -> None:
    code, out, _ = run(capsys, "--store", url, "examples", "--k", "1")
    assert code == 0
    for kind in ("solutions", "providers", "peers", "experts", "opportunities", "leads"):
        assert f"$ matchmaking recommend {kind} " in out
