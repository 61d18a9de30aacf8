"""The per-process result cache of the recommendation endpoints (``api.result_cache``): same
bodies as without it, keyed by every option, and never a body older than the store."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api.result_cache import ResultCache
from graph_schema.schema import Label, Node, Rel, RelType
from tests.api.conftest import Api

pytest.importorskip("matchmaking.engine")

PATHS = ["/cities/city:a/recommendations/providers",
         "/cities/city:a/recommendations/providers?k=1",
         "/cities/city:a/recommendations/providers?country=NL",
         "/cities/city:a/recommendations/experts?reciprocal=true",
         "/cities/city:a/recommendations/solutions?diversify=true",
         "/members/mem:open/recommendations/opportunities",
         "/providers/prov:p/recommendations/leads"]


def _cache(api: Api) -> ResultCache:
    cache: ResultCache = api.client.app.state.results  # type: ignore[attr-defined]
    return cache


def test_cached_bodies_equal_uncached_ones(make_api: Callable[..., Api]) -> None:
    cached, plain = make_api(), make_api(result_cache=0)
    h = cached.as_("staff")
    first = [cached.client.get(p, headers=h) for p in PATHS]
    assert all(r.status_code == 200 for r in first), [r.text for r in first]
    assert _cache(cached).misses == len(PATHS) and len(_cache(cached)) == len(PATHS)
    again = [cached.client.get(p, headers=h) for p in PATHS]
    assert _cache(cached).hits == len(PATHS)
    reference = [plain.client.get(p, headers=h) for p in PATHS]
    assert len(_cache(plain)) == 0
    for a, b, c in zip(first, again, reference, strict=True):
        assert a.content == b.content == c.content
        assert a.headers["content-type"] == "application/json"
    assert first[0].json()["count"] != first[1].json()["count"]  # k is part of the key


def test_a_write_makes_the_next_request_miss(api: Api) -> None:
    path = "/cities/city:a/recommendations/experts"
    h = api.as_("staff")
    assert "mem:open" in [x["id"] for x in api.client.get(path, headers=h).json()["data"]]
    api.store.write([Node("mem:open", Label.MEMBER, {"open_to_matches": False})])
    misses = _cache(api).misses
    api.client.get(path, headers=h)
    assert _cache(api).misses == misses + 1 and _cache(api).hits == 0
    api.client.app.state.engine.get().refresh(force=True)  # type: ignore[attr-defined]
    ids = [x["id"] for x in api.client.get(path, headers=h).json()["data"]]
    assert "mem:open" not in ids


def test_a_result_from_a_stale_snapshot_is_not_kept(make_api: Callable[..., Api]) -> None:
    api = make_api(engine_refresh=3600.0)  # the engine will not notice the write by itself
    path = "/cities/city:a/recommendations/solutions"
    h = api.as_("staff")
    assert api.client.get(path, headers=h).status_code == 200
    assert len(_cache(api)) == 1
    api.store.write(rels=[Rel(RelType.COVERS, "sol:t", "topic:x")])
    assert api.client.get(path, headers=h).status_code == 200
    assert len(_cache(api)) == 0  # emptied by the new generation, nothing stale stored
    api.client.app.state.engine.get().refresh(force=True)  # type: ignore[attr-defined]
    assert api.client.get(path, headers=h).status_code == 200
    assert len(_cache(api)) == 1


def test_lru_bound() -> None:
    c = ResultCache(maxsize=3)
    for i in range(5):
        c.put(7, i, bytes([i]))
    assert len(c) == 3 and c.get(7, 0) is None and c.get(7, 4) == b"\x04"
    c.get(7, 2)
    c.put(7, 5, b"5")
    assert c.get(7, 3) is None and c.get(7, 2) == b"\x02"
