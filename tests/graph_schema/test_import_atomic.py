"""Imports are all-or-nothing on both stores (issue 9, item 2).

An import is written in one store transaction: a process killed with SIGKILL in the middle
of the write phase, or a clash with a concurrent write found only at write time, leaves the
store exactly as it was, counts and generation; a finished import bumps the generation once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from graph_schema.errors import Conflict
from graph_schema.interchange import import_dataset
from graph_schema.schema import Label, Node
from graph_schema.store import Counts, GraphStore

MATCHMAKING = str(Path(sys.executable).parent / "matchmaking")  # the console script
N = 30_000  # topics and COVERS relationships of the big dataset: a few seconds of writing


def write_dataset(path: Path, nodes: list[Any], rels: list[Any]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for stem, rows in (("nodes", nodes), ("relationships", rels)):
        with open(path / f"{stem}.jsonl", "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in rows)
    return path


def topics_dataset(path: Path, n: int, prefix: str = "t") -> Path:
    nodes: list[Any] = [{"id": f"sol:{prefix}", "label": "Solution", "name": "S",
                         "category": "living"}]
    nodes += [{"id": f"{prefix}:{i:05d}", "label": "Topic", "name": f"Topic {i}"}
              for i in range(n)]
    rels = [{"type": "COVERS", "from": f"sol:{prefix}", "to": f"{prefix}:{i:05d}"}
            for i in range(n)]
    return write_dataset(path, nodes, rels)


def state(store: GraphStore) -> tuple[Counts, int]:
    return store.counts(), store.generation()


def test_finished_import_bumps_the_generation_once(store: GraphStore, tmp_path: Path) -> None:
    before = store.generation()
    report = import_dataset(store, topics_dataset(tmp_path / "d", 1200), batch_size=100)
    assert report.ok and report.nodes_written == 1201 and report.rels_written == 1200
    assert store.generation() == before + 1


def test_write_time_conflict_leaves_nothing(store: GraphStore, tmp_path: Path) -> None:
    """Validation passes; then another writer creates one of the dataset's ids under
    another label before the write phase reaches it (batch 25 of 31)."""
    import_dataset(store, topics_dataset(tmp_path / "seed", 10, prefix="old"))
    data = topics_dataset(tmp_path / "d", 3000)
    before_counts, before_gen = state(store)
    racer = Node("t:02500", Label.CITY, {"name": "Racer", "country": "DK"})
    phases: list[tuple[str, int]] = []

    def progress(phase: str, done: int) -> None:
        phases.append((phase, done))
        if phase == "validated":
            store.write(nodes=[racer])  # commits on its own, before the import writes

    with pytest.raises(Conflict, match=r"'t:02500' already exists as a City.*nothing was"):
        import_dataset(store, data, batch_size=100, progress=progress)
    assert ("write nodes", 2400) in phases  # 24 batches were written inside the transaction
    after = store.counts()
    assert after.nodes == {**before_counts.nodes, "City": before_counts.nodes.get("City", 0) + 1}
    assert after.rels == {**before_counts.rels, "LOCATED_IN": before_counts.rels.get(
        "LOCATED_IN", 0) + 1}
    assert store.generation() == before_gen + 1  # the racer's write only
    assert store.get_nodes(["t:00000", "t:02499"]) == {}


def _kill_mid_import(store_url: str, data: Path) -> tuple[list[str], int]:
    """Run ``matchmaking import`` in a child process and SIGKILL it once it has written
    part of the relationships; return its stderr lines and its exit status."""
    cmd = [MATCHMAKING, "--store", store_url, "import", str(data),
           "--batch-size", "1000"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert proc.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + 240
    for line in proc.stderr:
        lines.append(line.strip())
        if line.startswith("write relationships") or time.monotonic() > deadline:
            break
    os.kill(proc.pid, signal.SIGKILL)
    return lines, proc.wait()


def _killed_import_changes_nothing(store: GraphStore, tmp_path: Path) -> None:
    import_dataset(store, topics_dataset(tmp_path / "seed", 50, prefix="old"))
    before = state(store)
    data = topics_dataset(tmp_path / "big", N)
    lines, status = _kill_mid_import(store.url, data)
    assert status == -signal.SIGKILL, lines  # killed, not finished
    assert any(x.startswith("write nodes") for x in lines), lines
    assert any(x.startswith("write relationships") for x in lines), lines
    time.sleep(0.5)  # let the server notice the dropped connection (Neo4j)
    assert state(store) == before
    assert store.get_nodes(["t:00000", f"t:{N - 1:05d}"]) == {}
    # A re-run imports everything, with one new generation.
    done = subprocess.run(
        [MATCHMAKING, "--store", store.url, "import", str(data)],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    counts, generation = state(store)
    assert counts.nodes["Topic"] == N + 50 and counts.rels["COVERS"] == N + 50
    assert generation == before[1] + 1


def test_killed_import_changes_nothing_sqlite(sqlite_store: GraphStore, tmp_path: Path) -> None:
    _killed_import_changes_nothing(sqlite_store, tmp_path)


@pytest.mark.neo4j
def test_killed_import_changes_nothing_neo4j(neo4j_store: GraphStore, tmp_path: Path) -> None:
    _killed_import_changes_nothing(neo4j_store, tmp_path)
