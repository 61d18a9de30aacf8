"""Recommendation endpoints with the real engine on a tiny graph, on both stores."""

from __future__ import annotations

import pytest

from graph_schema.schema import Rel, RelType
from tests.api.conftest import Api

pytest.importorskip("matchmaking.engine")


def _ids(api: Api, path: str, role: str = "staff") -> list[str]:
    r = api.client.get(path, headers=api.as_(role))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == len(body["data"])
    return [x["id"] for x in body["data"]]


def test_city_recommendations_have_components_and_reasons(api: Api) -> None:
    r = api.client.get("/cities/city:a/recommendations/providers?k=5", headers=api.as_("city"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["subject"] == "city:a" and body["kind"] == "providers"
    assert [x["id"] for x in body["data"]][:1] == ["prov:p"]  # offers what city:a needs
    top = body["data"][0]
    assert top["label"] == "Provider" and top["name"] == "ParkWise"
    assert isinstance(top["components"], dict) and top["components"]
    assert isinstance(top["reasons"], list)


def test_hidden_members_never_recommended(api: Api) -> None:
    api.store.write(rels=[Rel(RelType.EXPERT_IN, "mem:hidden", "topic:x", {"level": 5})])
    ids = _ids(api, "/cities/city:a/recommendations/experts?k=10")
    assert "mem:hidden" not in ids
    assert "mem:open" in ids


def test_declined_feedback_removes_the_candidate(api: Api) -> None:
    assert "prov:p" in _ids(api, "/cities/city:a/recommendations/providers")
    r = api.client.post("/feedback", headers=api.as_("city"), json={
        "subject": "city:a", "candidate": "prov:p", "kind": "providers", "verdict": "declined"})
    assert r.status_code == 201
    api.client.app.state.engine.get().refresh(force=True)  # type: ignore[attr-defined]
    assert "prov:p" not in _ids(api, "/cities/city:a/recommendations/providers")


def test_limits_and_bad_filters(api: Api) -> None:
    h = api.as_("staff")
    assert api.client.get("/cities/city:a/recommendations/providers?k=101",
                          headers=h).status_code == 422
    r = api.client.get("/cities/city:a/recommendations/providers?region=Mars", headers=h)
    assert r.status_code == 422
    assert "region" in r.json()["detail"]
    assert api.client.get("/cities/city:a/recommendations/planets",
                          headers=h).status_code == 422
    r = api.client.get("/cities/nope/recommendations/peers", headers=h)
    assert r.status_code == 404
    assert "nope" in r.json()["detail"]
    assert _ids(api, "/providers/prov:p/recommendations/leads", "provider") is not None
    assert _ids(api, "/members/mem:open/recommendations/opportunities", "member") is not None
