"""End to end: `matchmaking keys create` and `matchmaking serve` as real processes, real HTTP."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import MATCHMAKING, ServedApi, run_cli

pytestmark = pytest.mark.e2e


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ServedApi, str]]:
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    run_cli(url, "init")
    key = run_cli(url, "keys", "create", "--role", "admin", "--name", "e2e").strip()
    server = ServedApi(url, MATCHMAKING_RATE_LIMIT="0")
    yield server, key
    server.stop()


def test_serve_real_http(served: tuple[ServedApi, str]) -> None:
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
    assert key not in log and key.split("_", 2)[2] not in log  # ... and never shows keys
    assert "eve@example.org" not in log


def test_keys_cli_list_and_revoke(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    run_cli(url, "init")
    key = run_cli(url, "keys", "create", "--role", "staff").strip()
    key_id = key.split("_")[1]
    listed = run_cli(url, "keys", "list")
    assert key_id in listed and "active" in listed and key.split("_", 2)[2] not in listed
    assert run_cli(url, "keys", "revoke", key_id).strip() == f"revoked key {key_id}"
    assert "revoked" in run_cli(url, "keys", "list")
    bad = subprocess.run(
        [MATCHMAKING, "--store", url, "keys", "create",
         "--role", "city", "--subject", "nope"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert bad.returncode == 2
    assert "unknown city id 'nope'" in bad.stderr


def test_two_workers_share_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    run_cli(url, "init")
    key = run_cli(url, "keys", "create", "--role", "staff").strip()
    server = ServedApi(url, workers=2, MATCHMAKING_RATE_LIMIT="0")
    try:
        h = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.base, timeout=30) as c:
            for i in range(10):
                r = c.post("/topics", headers=h, json={"id": f"topic:{i}", "name": f"T{i}"})
                assert r.status_code == 201
            assert c.get("/topics?limit=200", headers=h).json()["count"] == 10
    finally:
        server.stop()
