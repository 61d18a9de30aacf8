"""Fault test: stop Neo4j under a running API, then start it again.

Requests must get 503 (with Retry-After) quickly while the store is down, and succeed again
once it is back, without restarting the API. This restarts the shared test server (same
port, data kept), so it lives in its own module that runs last, and it always starts the
server again.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from tests.api.conftest import ServedApi, run_cli

pytestmark = [pytest.mark.neo4j, pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "neo4j"


def _neo4j(command: str, port: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEO4J_KEEP_DATA": "1", "NEO4J_BOLT_PORT": str(port)}
    return subprocess.run([str(SCRIPT), command], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


def test_api_survives_a_neo4j_restart(neo4j_uri: str) -> None:
    uri = neo4j_uri
    port = urlparse(uri).port or 7687
    run_cli(uri, "init")
    key = run_cli(uri, "keys", "create", "--role", "staff", "--name", "fault-test").strip()
    h = {"Authorization": f"Bearer {key}"}
    server = ServedApi(uri, MATCHMAKING_RATE_LIMIT="0", MATCHMAKING_WARM_ENGINE="false")
    stopped = False
    try:
        with httpx.Client(base_url=server.base, timeout=60) as c:
            assert c.get("/ready").status_code == 200
            assert c.get("/topics", headers=h).status_code == 200

            assert _neo4j("stop", port).returncode == 0
            stopped = True
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
    finally:
        server.stop()
        if stopped:
            _neo4j("start", port)
