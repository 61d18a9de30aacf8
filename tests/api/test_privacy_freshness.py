"""Privacy freshness (issue 9, item 10): an opt-out or a decline leaves the very next
recommendation, in every process, without a forced refresh.

The engine's refresh interval is set to an hour, so a projection rebuild cannot be what
hides the member: only the always-fresh privacy overlay can.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from graph_schema.sqlite_store import SQLiteStore
from tests.api.conftest import SEED_NODES, SEED_RELS, Api, ServedApi, run_cli

HOUR = 3600.0


def _ids(api: Api, path: str, role: str = "city") -> list[str]:
    r = api.client.get(path, headers=api.as_(role))
    assert r.status_code == 200, r.text
    return [x["id"] for x in r.json()["data"]]


def test_opt_out_leaves_the_next_recommendation(make_api: Callable[..., Api]) -> None:
    api = make_api(engine_refresh=HOUR)
    assert "mem:open" in _ids(api, "/cities/city:a/recommendations/experts")
    r = api.client.patch("/members/mem:open", json={"open_to_matches": False},
                         headers=api.as_("member"))
    assert r.status_code == 200, r.text
    assert "mem:open" not in _ids(api, "/cities/city:a/recommendations/experts")
    assert "mem:open" not in _ids(api, "/cities/city:a/recommendations/experts?reciprocal=true")


def test_decline_leaves_the_next_recommendation(make_api: Callable[..., Api]) -> None:
    api = make_api(engine_refresh=HOUR)
    assert "prov:p" in _ids(api, "/cities/city:a/recommendations/providers")
    r = api.client.post("/feedback", headers=api.as_("city"), json={
        "subject": "city:a", "candidate": "prov:p", "kind": "providers", "verdict": "declined"})
    assert r.status_code == 201, r.text
    assert "prov:p" not in _ids(api, "/cities/city:a/recommendations/providers")
    # the decline is for this kind only
    assert "sol:s" in _ids(api, "/cities/city:a/recommendations/solutions")


@pytest.mark.e2e
def test_two_workers_apply_opt_out_and_decline_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    run_cli(url, "init")
    store = SQLiteStore(tmp_path / "fresh.db")
    store.write(nodes=SEED_NODES, rels=SEED_RELS)
    store.close()
    key = run_cli(url, "keys", "create", "--role", "staff").strip()
    h = {"Authorization": f"Bearer {key}"}
    server = ServedApi(url, workers=2, MATCHMAKING_RATE_LIMIT="0",
                       MATCHMAKING_ENGINE_REFRESH=str(HOUR))
    try:
        with httpx.Client(base_url=server.base, timeout=60) as c:

            def ids(kind: str) -> list[str]:
                r = c.get(f"/cities/city:a/recommendations/{kind}", headers=h)
                assert r.status_code == 200, r.text
                return [x["id"] for x in r.json()["data"]]

            # every worker builds its engine with the member and the provider in it
            for _ in range(20):
                assert "mem:open" in ids("experts")
                assert "prov:p" in ids("providers")
            assert c.patch("/members/mem:open", headers=h,
                           json={"open_to_matches": False}).status_code == 200
            assert c.post("/feedback", headers=h, json={
                "subject": "city:a", "candidate": "prov:p", "kind": "providers",
                "verdict": "not_relevant"}).status_code == 201
            for _ in range(20):  # new connections each, spread over both workers
                with httpx.Client(base_url=server.base, timeout=60) as fresh:
                    r = fresh.get("/cities/city:a/recommendations/experts", headers=h)
                    assert "mem:open" not in [x["id"] for x in r.json()["data"]]
                    r = fresh.get("/cities/city:a/recommendations/providers", headers=h)
                    assert "prov:p" not in [x["id"] for x in r.json()["data"]]
    finally:
        log = server.stop()
    assert log.count("Started server process") == 2, log[-2000:]
