"""Revocation applies to the very next request in every worker (issue 9, item 9 and "keys").

Each worker caches verified keys for 30 s; the cache is only trusted while the store's
privacy generation has not moved, and every key write and every delete moves it. Here two
``uvicorn`` workers serve real HTTP. The test holds one keep-alive connection to EACH
worker (it finds out which worker accepted a connection from the server's sockets), has
both cache the keys, then revokes a key with the CLI (a third process) and deletes a key's
subject through one of the workers: the next request on each connection is refused.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import psutil
import pytest

from graph_schema.sqlite_store import SQLiteStore
from tests.api.conftest import SEED_NODES, SEED_RELS, ServedApi, run_cli

pytestmark = pytest.mark.e2e


def _worker_of(response: httpx.Response, workers: list[psutil.Process]) -> int:
    """The pid of the worker that holds the server side of this response's connection."""
    stream = response.extensions["network_stream"]
    client_port = stream.get_extra_info("client_addr")[1]
    for proc in workers:
        for conn in proc.net_connections(kind="tcp"):
            if conn.raddr and conn.raddr.port == client_port:
                return proc.pid
    raise AssertionError(f"no worker holds the connection from port {client_port}")


def _one_client_per_worker(server: ServedApi, headers: dict[str, str]
                           ) -> dict[int, httpx.Client]:
    workers = psutil.Process(server.proc.pid).children(recursive=True)
    pinned: dict[int, httpx.Client] = {}
    spare: list[httpx.Client] = []
    for _ in range(60):
        client = httpx.Client(base_url=server.base, timeout=60)
        r = client.get("/topics", headers=headers)
        assert r.status_code == 200, r.text
        pid = _worker_of(r, workers)
        if pid in pinned:
            spare.append(client)
        else:
            pinned[pid] = client
        if len(pinned) == 2:
            break
    for client in spare:
        client.close()
    assert len(pinned) == 2, f"60 connections all went to {list(pinned)}"
    return pinned


def test_two_workers_refuse_a_revoked_key_at_the_next_request(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    run_cli(url, "init")
    store = SQLiteStore(tmp_path / "keys.db")
    store.write(nodes=SEED_NODES, rels=SEED_RELS)
    store.close()

    def key(*args: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {run_cli(url, 'keys', 'create', *args).strip()}"}

    staff, doomed = key("--role", "staff"), key("--role", "staff", "--name", "doomed")
    city = key("--role", "city", "--subject", "city:a")
    doomed_id = doomed["Authorization"].split("_")[1]
    server = ServedApi(url, workers=2, MATCHMAKING_RATE_LIMIT="0",
                       MATCHMAKING_KEY_CACHE_SECONDS="30")
    try:
        clients = _one_client_per_worker(server, staff)
        for c in clients.values():  # every worker caches both keys as valid
            assert c.get("/topics", headers=doomed).status_code == 200
            assert c.patch("/cities/city:a", headers=city,
                           json={"population": 1}).status_code == 200

        run_cli(url, "keys", "revoke", doomed_id)  # another process: no worker is told
        for pid, c in clients.items():
            r = c.get("/topics", headers=doomed)
            assert r.status_code == 401, (pid, r.text)
            assert "revoked" in r.json()["detail"]

        first, second = clients.values()
        assert first.delete("/cities/city:a", headers=staff).status_code == 204
        assert first.post("/cities", headers=staff, json={
            "id": "city:a", "name": "Someone else's", "country": "DK"}).status_code == 201
        for pid, c in clients.items():
            r = c.patch("/cities/city:a", headers=city, json={"population": 2})
            assert r.status_code == 401, (pid, r.text)
        assert second.get("/topics", headers=staff).status_code == 200  # others unaffected
        for c in clients.values():
            c.close()
    finally:
        server.stop()
