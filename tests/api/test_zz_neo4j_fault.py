"""Fault test: Neo4j stops under a running API, in the middle of writes, and starts again.

While the store is down, requests get 503 with ``Retry-After`` at once; once it is back, the
same API process answers again. No write is half-applied: a writer keeps creating cities
(each a node, its derived ``LOCATED_IN`` relationship and the generation bump: one
transaction of several statements) and a 30,000-line import (one transaction of many
statements) is in its write phase when the server is killed (SIGKILL, so nothing can finish
on the way down). Afterwards the store holds exactly what was there before plus the cities
that were written whole: counts and generation add up, and nothing of the import is left.

This restarts the shared test server (same port, data kept), so it lives in its own module
that runs last in ``tests/api``, and it always starts the server again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from graph_schema.neo4j_store import Neo4jStore
from graph_schema.schema import RelType
from graph_schema.store import Counts
from tests.api.conftest import ServedApi, run_cli
from tests.graph_schema.test_import_atomic import topics_dataset

pytestmark = [pytest.mark.neo4j, pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "neo4j"
PIDFILE = ROOT / ".neo4j" / "run" / "neo4j.pid"
IMPORT_TOPICS = 30_000


def _neo4j(command: str, port: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEO4J_KEEP_DATA": "1", "NEO4J_BOLT_PORT": str(port)}
    return subprocess.run([str(SCRIPT), command], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


def _state(uri: str) -> tuple[Counts, int]:
    store = Neo4jStore.from_env(uri)
    try:
        return store.counts(), store.generation()
    finally:
        store.close()


class Writer(threading.Thread):
    """POSTs cities ``city:<run>-N`` one after another until halted; keeps each status
    (0: the connection broke mid-request)."""

    def __init__(self, base: str, headers: dict[str, str], run: str) -> None:
        super().__init__(daemon=True)
        self.base, self.headers, self.run_id = base, headers, run
        self.statuses: dict[str, int] = {}
        self.halt = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=60) as c:
            i = 0
            while not self.halt.is_set():
                city = f"city:{self.run_id}-{i}"
                try:
                    r = c.post("/cities", headers=self.headers,
                               json={"id": city, "name": f"Fault {i}", "country": "DK"})
                    self.statuses[city] = r.status_code
                except httpx.HTTPError:
                    self.statuses[city] = 0
                i += 1
                time.sleep(0.02)

    def codes(self) -> list[int]:
        return list(self.statuses.values())


def _post_import(base: str, headers: dict[str, str], folder: Path, out: dict[str, Any]) -> None:
    files = {name: (f"{name}.jsonl", (folder / f"{name}.jsonl").read_bytes())
             for name in ("nodes", "relationships")}
    try:
        r = httpx.post(f"{base}/imports", files=files, headers=headers, timeout=300)
        out["status"], out["body"] = r.status_code, r.text
        out["retry_after"] = r.headers.get("retry-after")
    except httpx.HTTPError as e:
        out["status"], out["body"] = 0, repr(e)


def _wait_for_import_transaction(uri: str, timeout: float = 120) -> int:
    """Wait until one transaction holds more write locks than a whole batch of 5,000 lines
    takes (about 20,000): the import is well into its write phase, with several batches
    written inside its one transaction (30,000 lines take about 180,000). Return them."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri) as driver:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            records, _, _ = driver.execute_query(
                "SHOW TRANSACTIONS YIELD elapsedTime, activeLockCount "
                "WHERE activeLockCount > $locks "
                "RETURN max(activeLockCount) AS locks", {"locks": 60_000})
            locks = records[0]["locks"]
            if locks is not None:
                return int(locks)
            time.sleep(0.05)
    raise AssertionError("the import never reached its write phase")


def _kill_neo4j(uri: str, port: int) -> None:
    """SIGKILL this checkout's server (no transaction may finish on the way down), after
    checking that it is the one at ``uri``."""
    pid = int(PIDFILE.read_text().strip())
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    assert f"--home-dir={ROOT / '.neo4j'} " in cmdline, "not this checkout's Neo4j"
    assert _neo4j("uri", port).stdout.strip() == uri, "the server at the test URI is not ours"
    os.kill(pid, signal.SIGKILL)


def test_api_survives_a_neo4j_restart_and_no_write_is_half_applied(
        neo4j_uri: str, tmp_path: Path) -> None:
    uri = neo4j_uri
    port = urlparse(uri).port or 7687
    run = f"f{uuid.uuid4().hex[:8]}"  # the data survives restarts: ids of this run only
    dataset = topics_dataset(tmp_path / "import", IMPORT_TOPICS, prefix=f"t{run}")
    run_cli(uri, "init")
    key = run_cli(uri, "keys", "create", "--role", "staff", "--name", "fault-test").strip()
    h = {"Authorization": f"Bearer {key}"}
    server = ServedApi(uri, MATCHMAKING_RATE_LIMIT="0", MATCHMAKING_WARM_ENGINE="false")
    stopped = False
    try:
        with httpx.Client(base_url=server.base, timeout=60) as c:
            assert c.get("/ready").status_code == 200
            assert c.get("/topics", headers=h).status_code == 200
            before_counts, before_gen = _state(uri)

            writer = Writer(server.base, h, run)
            writer.start()
            time.sleep(1.0)
            early = writer.codes()
            assert early and set(early) == {201}, (early, server.log.read_text()[-3000:])

            imported: dict[str, Any] = {}
            importer = threading.Thread(target=_post_import,
                                        args=(server.base, h, dataset, imported), daemon=True)
            importer.start()
            locks = _wait_for_import_transaction(uri)
            _kill_neo4j(uri, port)  # mid-import, mid-writer
            stopped = True
            assert _neo4j("stop", port).returncode == 0  # cleans up after the kill
            importer.join(timeout=120)
            assert imported["status"] == 503, (locks, imported)
            assert int(imported["retry_after"]) >= 1

            t0 = time.monotonic()
            r = c.get("/topics", headers=h)
            first = time.monotonic() - t0
            assert r.status_code == 503, r.text
            assert r.headers["content-type"] == "application/problem+json"
            assert int(r.headers["retry-after"]) >= 1
            assert first < 10, f"first 503 took {first:.1f} s"
            # while it is down, answers come at once (circuit breaker) ...
            for _ in range(5):
                t0 = time.monotonic()
                assert c.get("/topics", headers=h).status_code == 503
                assert time.monotonic() - t0 < 1.0
            assert c.get("/ready").status_code == 503
            assert c.get("/health").status_code == 200

            started = _neo4j("start", port)
            assert started.returncode == 0, started.stderr[-2000:]
            stopped = False
            assert started.stdout.strip().splitlines()[-1] == uri
            # ... and it recovers by itself, same process
            deadline = time.monotonic() + 60
            status = 0
            while time.monotonic() < deadline:
                status = c.get("/topics", headers=h).status_code
                if status == 200:
                    break
                time.sleep(0.5)
            assert status == 200
            assert c.get("/ready").status_code == 200
            assert server.proc.poll() is None  # never restarted
            down = len(writer.statuses)
            deadline = time.monotonic() + 30
            while len(writer.statuses) < down + 5 and time.monotonic() < deadline:
                time.sleep(0.2)  # the writer succeeds again, too
            writer.halt.set()
            writer.join(timeout=60)
            codes = writer.codes()
            assert codes[-1] == 201, codes
            assert 503 in codes, codes
            assert set(codes) <= {201, 503, 0}, codes

            _check_store(uri, writer.statuses, before_counts, before_gen)
    finally:
        server.stop()
        if stopped:
            _neo4j("start", port)


def _check_store(uri: str, statuses: dict[str, int], before: Counts, before_gen: int) -> None:
    """The store is as before, plus exactly the cities that were written whole (so none of
    the import's topics and relationships either)."""
    store = Neo4jStore.from_env(uri)
    try:
        present = store.get_nodes(list(statuses))
        for city, status in statuses.items():
            located = [r.dst for r, _ in store.neighbours(city, RelType.LOCATED_IN, "out")]
            if status == 201:
                assert city in present, f"{city} was acknowledged but is missing"
            # whole or nothing: the node exists exactly when its relationship does
            assert (city in present) == (located == ["country:DK"]), (city, status, located)
        after = store.counts()
        n = len(present)
        assert after.nodes == {**before.nodes, "City": before.nodes.get("City", 0) + n}
        assert after.rels == {**before.rels,
                              "LOCATED_IN": before.rels.get("LOCATED_IN", 0) + n}
        # one generation step per city written, none for the killed import or failed writes
        assert store.generation() == before_gen + n
    finally:
        store.close()
