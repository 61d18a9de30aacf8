"""Fixtures for the API tests: an app on the parametrised ``store`` (sqlite and neo4j), a
small seeded ecosystem, and one key per role."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from graph_schema.schema import Label, Node, Rel, RelType
from graph_schema.store import GraphStore
from matchmaking.keys import create_key

SEED_NODES = [
    Node("city:a", Label.CITY, {"name": "Aarhus", "country": "DK", "population": 285000}),
    Node("city:b", Label.CITY, {"name": "Breda", "country": "NL"}),
    Node("prov:p", Label.PROVIDER, {"name": "ParkWise", "country": "NL", "kind": "startup"}),
    Node("prov:q", Label.PROVIDER, {"name": "Quanta", "country": "DE", "kind": "company"}),
    Node("sol:s", Label.SOLUTION, {"name": "Smart parking", "category": "mobility"}),
    Node("sol:t", Label.SOLUTION, {"name": "Tree sensors", "category": "environment"}),
    Node("topic:x", Label.TOPIC, {"name": "Congestion"}),
    Node("mem:open", Label.MEMBER,
         {"name": "Olga Open", "country": "DK", "kind": "expert", "email": "olga@example.org"}),
    Node("mem:hidden", Label.MEMBER,
         {"name": "Hugo Hidden", "open_to_matches": False, "email": "hugo@example.org"}),
]
SEED_RELS = [
    Rel(RelType.OFFERS, "prov:p", "sol:s", {"owner": True}),
    Rel(RelType.OFFERS, "prov:q", "sol:t", {"owner": True}),
    Rel(RelType.NEEDS, "city:a", "topic:x", {"urgency": 0.9}),
    Rel(RelType.COVERS, "sol:s", "topic:x"),
    Rel(RelType.EXPERT_IN, "mem:open", "topic:x", {"level": 4}),
]
#: Bound roles and their subject in the seed graph.
SUBJECTS = {"city": "city:a", "member": "mem:open", "provider": "prov:p"}


@dataclass
class Api:
    client: TestClient
    store: GraphStore
    headers: dict[str, dict[str, str]]

    def as_(self, role: str) -> dict[str, str]:
        return self.headers[role]


def test_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"rate_limit": 0, "key_cache_seconds": 30.0, "warm_engine": False}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


test_settings.__test__ = False  # type: ignore[attr-defined]


def seed(store: GraphStore) -> dict[str, dict[str, str]]:
    store.write(nodes=SEED_NODES, rels=SEED_RELS)
    headers = {}
    for role in ("admin", "staff", "city", "member", "provider"):
        _, key = create_key(store, role, SUBJECTS.get(role), name=f"test {role}")
        headers[role] = {"Authorization": f"Bearer {key}"}
    return headers


@pytest.fixture
def make_api(store: GraphStore) -> Iterator[Callable[..., Api]]:
    """Build a seeded app with settings overrides; closes every client at the end."""
    clients: list[TestClient] = []
    headers = seed(store)

    def build(**overrides: object) -> Api:
        app = create_app(test_settings(**overrides), store=store)
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return Api(client, store, headers)

    yield build
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    """A seeded app with default test settings (rate limit off)."""
    return make_api()


# --------------------------------------------------------------------------- real processes
# Helpers to run the `matchmaking` console script and `matchmaking serve` as real processes
# (the same as in test_e2e.py, shared here for other end-to-end and browser tests).

#: The console script, as a user runs it (``python -m matchmaking`` is tested in test_cli.py).
MATCHMAKING = str(Path(sys.executable).parent / "matchmaking")


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def run_cli(store_url: str, *args: str, timeout: float = 120) -> str:
    """Run ``matchmaking --store STORE_URL ARGS...``; return its stdout (fail on an error)."""
    out = subprocess.run(
        [MATCHMAKING, "--store", store_url, *args],
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    assert out.returncode == 0, f"matchmaking {' '.join(args[:2])} failed: {out.stderr}"
    return out.stdout



def tiny_demo_store(root: Path, name: str) -> str:
    """A SQLite store under ``root`` holding the tiny demo (written to ``root/demo``); its URL."""
    url = f"sqlite:///{root / f'{name}.db'}"
    run_cli(url, "init")
    run_cli(url, "demo-data", "--scale", "tiny", str(root / "demo"))
    run_cli(url, "import", str(root / "demo"))
    return url

class ServedApi:
    """``matchmaking serve`` on a free port, as a subprocess; :meth:`stop` returns its log."""

    def __init__(self, store_url: str, workers: int = 1, timeout: float = 60,
                 **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = Path(tempfile.gettempdir()) / f"mm-serve-{self.port}.log"
        self._fh = open(self.log, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [MATCHMAKING, "--store", store_url, "serve",
             "--port", str(self.port), "--workers", str(workers)],
            stdout=self._fh, stderr=subprocess.STDOUT, env={**os.environ, **env},
        )
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}")
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("server did not come up")

    def stop(self) -> str:
        if self._fh.closed:
            return ""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._fh.close()
        text = self.log.read_text(errors="replace")
        self.log.unlink(missing_ok=True)
        return text
