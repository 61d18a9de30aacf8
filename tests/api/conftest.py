"""Fixtures for the API tests: an app on the parametrised ``store`` (sqlite and neo4j), a
small seeded ecosystem, and one key per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

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
    Rel(RelType.OFFERS, "prov:p", "sol:s"),
    Rel(RelType.OFFERS, "prov:q", "sol:t"),
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
