"""Issue 9, item 13: a SQLite write blocked by another writer's lock is a 503 for that request
only; it does not open the circuit breaker, so reads (which WAL allows) keep working."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph_schema.sqlite_store import SQLiteStore
from tests.api.conftest import seed, test_settings


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], sqlite3.Connection]]:
    db = tmp_path / "lock.db"
    store = SQLiteStore(db, timeout=0.3)
    store.init()
    headers = seed(store)["staff"]
    other = sqlite3.connect(db, isolation_level=None)  # another process's writer, e.g. an import
    with TestClient(create_app(test_settings(), store=store),
                    raise_server_exceptions=False) as client:
        yield client, headers, other
    other.close()
    store.close()


def test_a_locked_write_is_a_503_and_reads_keep_working(
    locked: tuple[TestClient, dict[str, str], sqlite3.Connection],
) -> None:
    client, h, other = locked
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    try:
        r = client.post("/topics", json={"id": "topic:blocked", "name": "Blocked"}, headers=h)
        assert r.status_code == 503, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert int(r.headers["retry-after"]) >= 1
        assert client.app.state.breaker.is_open is False  # type: ignore[attr-defined]
        for _ in range(3):  # reads at once, not 503 from a tripped breaker
            assert client.get("/topics", headers=h).status_code == 200
            assert client.get("/ready").status_code == 200
    finally:
        other.execute("ROLLBACK")
    r = client.post("/topics", json={"id": "topic:blocked", "name": "Blocked"}, headers=h)
    assert r.status_code == 201, r.text
