"""The core CLI commands, run as a real process: one-line errors, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXAMPLE_NODES = [
    {"id": "city:aarhus", "label": "City", "name": "Aarhus", "country": "DK"},
    {"id": "topic:congestion", "label": "Topic", "name": "Traffic congestion"},
]
EXAMPLE_RELS = [{"type": "NEEDS", "from": "city:aarhus", "to": "topic:congestion"}]


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 120):
    full_env = {**os.environ, **(env or {})}
    full_env.pop("MATCHMAKING_STORE", None)
    return subprocess.run(
        [sys.executable, "-m", "matchmaking.cli", *args],
        capture_output=True, text=True, timeout=timeout, env=full_env,
    )


def dataset(tmp_path: Path, nodes: list, rels: list) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    (d / "nodes.jsonl").write_text("".join(json.dumps(n) + "\n" for n in nodes))
    (d / "relationships.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rels))
    return d


def assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_init_import_stats_export(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'm.db'}"
    data = dataset(tmp_path, EXAMPLE_NODES, EXAMPLE_RELS)
    assert run("--store", store, "init").returncode == 0
    imported = run("--store", store, "import", str(data))
    assert imported.returncode == 0, imported.stderr
    assert "imported 2 nodes and 1 relationships" in imported.stdout
    stats = run("--store", store, "stats", "--format", "json")
    counts = json.loads(stats.stdout)
    assert counts["nodes"]["City"] == 1 and counts["nodes"]["SDG"] == 17
    assert counts["relationships"] == {"LOCATED_IN": 1, "NEEDS": 1}
    out = tmp_path / "out"
    assert run("--store", store, "export", str(out)).returncode == 0
    exported = [json.loads(x) for x in (out / "nodes.jsonl").read_text().splitlines()]
    assert [n["id"] for n in exported] == ["city:aarhus", "topic:congestion"]


def test_store_env_variable_is_the_fallback(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    proc = subprocess.run(
        [sys.executable, "-m", "matchmaking.cli", "init"], capture_output=True, text=True,
        env={**os.environ, "MATCHMAKING_STORE": f"sqlite:///{db}"}, timeout=60,
    )
    assert proc.returncode == 0 and db.exists()


def test_invalid_import_exits_non_zero_and_writes_nothing(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'm.db'}"
    bad = [*EXAMPLE_NODES, {"id": "city:x", "label": "City", "name": "X", "country": "EL"}]
    data = dataset(tmp_path, bad, EXAMPLE_RELS)
    proc = run("--store", store, "import", str(data))
    assert proc.returncode == 1
    assert "nodes.jsonl:3: property 'country': 'EL' is not an ISO 3166-1" in proc.stderr
    assert "use the ISO 3166-1 code 'GR'" in proc.stderr
    assert "nothing was written" in proc.stderr
    stats = json.loads(run("--store", store, "stats", "--format", "json").stdout)
    assert "City" not in stats["nodes"]
    skipped = run("--store", store, "import", "--skip-invalid", str(data))
    assert skipped.returncode == 1
    stats = json.loads(run("--store", store, "stats", "--format", "json").stdout)
    assert stats["nodes"]["City"] == 1


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("sqlite:/relative.db", "malformed store URL 'sqlite:/relative.db'"),
        ("postgres://x", "unsupported store URL scheme 'postgres'"),
        ("nonsense", "malformed store URL 'nonsense'"),
        ("bolt://neo4j:secret@localhost:7687", "contains credentials"),
    ],
)
def test_malformed_store_url(url: str, fragment: str) -> None:
    proc = run("--store", url, "stats")
    assert_one_line_error(proc, fragment)
    assert "secret" not in proc.stderr


def test_missing_folder(tmp_path: Path) -> None:
    proc = run("--store", f"sqlite:///{tmp_path / 'm.db'}", "import", str(tmp_path / "nope"))
    assert_one_line_error(proc, "does not exist", "nope")


def test_unreachable_neo4j_is_reported_within_10_seconds() -> None:
    started = time.monotonic()
    proc = run("--store", "bolt://127.0.0.1:1", "stats", timeout=30)
    assert time.monotonic() - started < 10
    assert_one_line_error(proc, "bolt://127.0.0.1:1")
