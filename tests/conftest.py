"""Shared fixtures.

``store`` runs a test once per backend: ``sqlite`` (a fresh file in ``tmp_path``) and
``neo4j`` (the real server named by ``MATCHMAKING_TEST_NEO4J_URI``, wiped before each test;
start one with ``scripts/neo4j start``). Without that variable the Neo4j runs are skipped,
except in CI or with ``MATCHMAKING_REQUIRE_NEO4J=1``, where they fail loudly instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# This file puts tests/ on sys.path, where tests/graph_schema/ (no __init__.py) would shadow
# the real graph_schema package as a namespace package unless the repository root is on
# sys.path too (it is not under a bare `pytest` with an editable install).
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from graph_schema.sqlite_store import SQLiteStore  # noqa: E402
from graph_schema.store import GraphStore  # noqa: E402

NEO4J_URI_ENV = "MATCHMAKING_TEST_NEO4J_URI"
#: Empties the test database, in batches: a graph left by a benchmark is too big to delete in
#: one transaction (needs an auto-commit transaction, ``session.run``).
WIPE_IN_BATCHES = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
STORE_KINDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j),
]


@pytest.fixture(autouse=True)
def _own_cache_home(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test persists engine state (Neo4j caches, the HMAC key) in a folder of its own,
    never in the user's ~/.cache, and never sees another test's."""
    monkeypatch.setenv("MATCHMAKING_CACHE_DIR", str(tmp_path_factory.mktemp("cache-home")))


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Do not collect conftest files as doctest modules (``--doctest-modules`` is on for the
    packages' docstrings): two of them share the module name ``conftest``, and pytest loads
    them as plugins anyway."""
    return True if collection_path.name == "conftest.py" else None


def env_flag(name: str) -> bool:
    """Whether the environment variable ``name`` is set to a true-ish value."""
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def neo4j_uri() -> str:
    """The test server's Bolt URI. Without one: skip on a developer's machine, fail in CI or
    with ``MATCHMAKING_REQUIRE_NEO4J=1`` (the test command sets it)."""
    uri = os.environ.get(NEO4J_URI_ENV)
    if not uri:
        if env_flag("MATCHMAKING_REQUIRE_NEO4J") or env_flag("CI"):
            pytest.fail(
                f"{NEO4J_URI_ENV} is not set but Neo4j tests are required: run "
                f"scripts/neo4j start and export {NEO4J_URI_ENV}=$(cat .neo4j/uri)",
                pytrace=False,
            )
        pytest.skip(f"{NEO4J_URI_ENV} is not set (start a server with scripts/neo4j start)")
    return uri


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_uri: str) -> Iterator[object]:
    """One driver for the whole test session, on the server named by the environment."""
    uri = neo4j_uri
    from graph_schema.neo4j_store import Neo4jStore

    probe = Neo4jStore.from_env(uri)
    driver = probe._driver  # the store owns it; tests share it through driver=
    probe.ping()
    yield driver
    probe.close()


@pytest.fixture
def neo4j_store(neo4j_driver: object) -> Iterator[GraphStore]:
    """A Neo4j store on an empty, initialised database.

    Each test holds an exclusive lock on the server for its duration, so that test runs in
    other processes against the same server wait instead of wiping each other's data.
    """
    from graph_schema.neo4j_store import Neo4jStore

    uri = os.environ[NEO4J_URI_ENV]
    database = os.environ.get("NEO4J_DATABASE") or "neo4j"
    key = hashlib.sha256(f"{uri} {database}".encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"matchmaking-neo4j-test-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        store = Neo4jStore(uri, database=database, driver=neo4j_driver)  # type: ignore[arg-type]
        # In batches: a graph left by a benchmark is too big to delete in one transaction.
        with store._driver.session(database=database) as session:
            session.run(WIPE_IN_BATCHES).consume()
        store.init()
        yield store
        store.close()  # does not close the shared driver


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[GraphStore]:
    """A SQLite store in a fresh file, initialised."""
    store = SQLiteStore(tmp_path / "graph.db")
    store.init()
    yield store
    store.close()


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest) -> GraphStore:
    """An empty, initialised store of each kind."""
    fixture = "sqlite_store" if request.param == "sqlite" else "neo4j_store"
    result: GraphStore = request.getfixturevalue(fixture)
    return result
