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


def test_solutions_are_grouped_unless_group_false(api: Api) -> None:
    """Two more offers of "Smart parking" (other providers, one with its brand in the name)
    stand under the best one; group=false lists all three, and the result cache keeps the
    two answers apart."""
    from graph_schema.schema import Label, Node

    api.store.write(
        nodes=[Node("sol:s2", Label.SOLUTION, {"name": "Smart Parking (Quanta)",
                                               "category": "mobility"}),
               Node("sol:s3", Label.SOLUTION, {"name": "smart parking", "category": "mobility"})],
        rels=[Rel(RelType.OFFERS, "prov:q", "sol:s2"), Rel(RelType.OFFERS, "prov:q", "sol:s3"),
              Rel(RelType.COVERS, "sol:s2", "topic:x"), Rel(RelType.COVERS, "sol:s3", "topic:x")])
    h = api.as_("city")
    url = "/cities/city:a/recommendations/solutions"
    grouped = api.client.get(url, headers=h)
    assert grouped.status_code == 200, grouped.text
    data = grouped.json()["data"]
    assert [x["id"] for x in data if x["id"].startswith("sol:s")] == [data[0]["id"]]
    also = data[0]["also_offered_by"]
    assert {x["id"] for x in also} | {data[0]["id"]} == {"sol:s", "sol:s2", "sol:s3"}
    assert all(x["providers"] and x["score"] <= data[0]["score"] for x in also)
    assert {p["name"] for x in also for p in x["providers"]} <= {"ParkWise", "Quanta"}
    plain = api.client.get(url, params={"group": "false"}, headers=h).json()["data"]
    assert {"sol:s", "sol:s2", "sol:s3"} <= {x["id"] for x in plain}
    assert not any("also_offered_by" in x for x in plain)
    again = api.client.get(url, headers=h).json()["data"]  # from the cache: still grouped
    assert again == data
    spec = api.client.get("/openapi.json").json()
    params = spec["paths"]["/cities/{id}/recommendations/{kind}"]["get"]["parameters"]
    group = next(p for p in params if p["name"] == "group")
    assert group["schema"]["default"] is True and "also_offered_by" in group["description"]
