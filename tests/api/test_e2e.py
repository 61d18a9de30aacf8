"""End to end: `matchmaking keys create` and `matchmaking serve` as real processes, real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e
#: The console script (``python -m matchmaking.cli`` would load the CLI module twice).
MATCHMAKING = str(Path(sys.executable).parent / "matchmaking")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def cli(store_url: str, *args: str, env: dict[str, str] | None = None) -> str:
    out = subprocess.run(
        [MATCHMAKING, "--store", store_url, *args],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("server did not come up")


class Server:
    def __init__(self, store_url: str, workers: int = 1, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"mm-serve-{self.port}.log"
        self._fh = open(self.log, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [MATCHMAKING, "--store", store_url, "serve",
             "--port", str(self.port), "--workers", str(workers)],
            stdout=self._fh, stderr=subprocess.STDOUT, env={**os.environ, **env},
        )
        wait_ready(self.base, self.proc)

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


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, str]]:
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    cli(url, "init")
    key = cli(url, "keys", "create", "--role", "admin", "--name", "e2e").strip()
    server = Server(url, MATCHMAKING_RATE_LIMIT="0")
    yield server, key
    server.stop()


def test_serve_real_http(served: tuple[Server, str]) -> None:
    server, key = served
    h = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=server.base, timeout=30) as c:
        assert c.get("/ready").json() == {"status": "ok"}
        assert c.get("/openapi.json").status_code == 200
        assert c.get("/docs").status_code == 200
        assert c.get("/cities").status_code == 401
        r = c.post("/cities", headers=h, json={"id": "city:e", "name": "Espoo", "country": "FI"})
        assert r.status_code == 201
        r = c.post("/members", headers=h, json={"id": "mem:e", "name": "Eve",
                                                 "email": "eve@example.org"})
        assert r.status_code == 201
        assert c.get("/cities/city:e", headers=h).json()["name"] == "Espoo"
        r = c.get("/cities/city:e/recommendations/peers", headers=h)
        assert r.status_code == 200, r.text
        assert r.json()["subject"] == "city:e"
        r = c.get("/nope", headers=h)
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"
    log = server.stop()
    assert "GET /cities/city%3Ae HTTP" in log, log  # access log is on ...
    assert key not in log and key.split("_")[2] not in log  # ... and never shows keys
    assert "eve@example.org" not in log


def test_keys_cli_list_and_revoke(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    cli(url, "init")
    key = cli(url, "keys", "create", "--role", "staff").strip()
    key_id = key.split("_")[1]
    listed = cli(url, "keys", "list")
    assert key_id in listed and "active" in listed and key.split("_")[2] not in listed
    assert cli(url, "keys", "revoke", key_id).strip() == f"revoked key {key_id}"
    assert "revoked" in cli(url, "keys", "list")
    bad = subprocess.run(
        [MATCHMAKING, "--store", url, "keys", "create",
         "--role", "city", "--subject", "nope"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert bad.returncode == 2
    assert "unknown city id 'nope'" in bad.stderr


def test_two_workers_share_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    cli(url, "init")
    key = cli(url, "keys", "create", "--role", "staff").strip()
    server = Server(url, workers=2, MATCHMAKING_RATE_LIMIT="0")
    try:
        h = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.base, timeout=30) as c:
            for i in range(10):
                r = c.post("/topics", headers=h, json={"id": f"topic:{i}", "name": f"T{i}"})
                assert r.status_code == 201
            assert c.get("/topics?limit=200", headers=h).json()["count"] == 10
    finally:
        server.stop()
