"""Relationship sub-resources, feedback and statistics on both stores."""

from __future__ import annotations

from tests.api.conftest import Api


def test_needs_list_upsert_delete(api: Api) -> None:
    c, h = api.client, api.as_("city")
    assert c.get("/cities/city:a/needs", headers=h).json() == {
        "data": [{"target": "topic:x", "target_label": "Topic", "target_name": "Congestion",
                  "properties": {"urgency": 0.9}}],
        "count": 1,
    }
    r = c.put("/cities/city:a/needs/topic:x", json={"urgency": 0.5}, headers=h)
    assert r.status_code == 200
    assert r.json()["properties"] == {"urgency": 0.5}
    r = c.put("/cities/city:a/needs/topic:x", json={"urgency": 1.5}, headers=h)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.urgency"
    assert c.delete("/cities/city:a/needs/topic:x", headers=h).status_code == 204
    assert c.get("/cities/city:a/needs", headers=h).json() == {"data": [], "count": 0}
    assert c.delete("/cities/city:a/needs/topic:x", headers=h).status_code == 404


def test_link_targets_are_checked(api: Api) -> None:
    c, h = api.client, api.as_("staff")
    r = c.put("/cities/city:a/needs/sol:s", headers=h)  # a Solution is not a Topic
    assert r.status_code == 422
    assert "NEEDS must end at a Topic" in r.json()["detail"]
    r = c.put("/cities/city:a/needs/topic:nope", headers=h)
    assert r.status_code == 404
    assert "topic:nope" in r.json()["detail"]
    r = c.put("/cities/nope/needs/topic:x", headers=h)
    assert r.status_code == 404
    assert r.json()["detail"] == "unknown city id 'nope'"


def test_kpi_measure_needs_a_value(api: Api) -> None:
    c, h = api.client, api.as_("city")
    assert c.put("/cities/city:a/kpis/kpi:EC:ICT:ICT:1C", headers=h).status_code == 422
    r = c.put("/cities/city:a/kpis/kpi:EC:ICT:ICT:1C", json={"value": 81.5, "year": 2023},
              headers=h)
    assert r.status_code == 200
    assert r.json()["properties"] == {"value": 81.5, "year": 2023}


def test_implementation_provider_must_be_a_provider(api: Api) -> None:
    c, h = api.client, api.as_("staff")
    r = c.put("/cities/city:a/implementations/sol:s", json={"provider": "city:b"}, headers=h)
    assert r.status_code == 422
    r = c.put("/cities/city:a/implementations/sol:s",
              json={"provider": "prov:p", "year": 2022, "rating": 4}, headers=h)
    assert r.status_code == 200
    assert r.json()["properties"] == {"provider": "prov:p", "rating": 4.0, "year": 2022}


def test_provider_solutions_and_member_expertise(api: Api) -> None:
    c = api.client
    assert c.put("/providers/prov:p/solutions/sol:t",
                 headers=api.as_("provider")).status_code == 200
    got = c.get("/providers/prov:p/solutions", headers=api.as_("city")).json()
    assert [x["target"] for x in got["data"]] == ["sol:s", "sol:t"]
    r = c.put("/members/mem:open/expertise/topic:x", json={"level": 5},
              headers=api.as_("member"))
    assert r.status_code == 200
    assert c.put("/members/mem:open/affiliations/city:a",
                 headers=api.as_("member")).status_code == 403
    r = c.put("/members/mem:open/affiliations/city:a", json={"role": "advisor"},
              headers=api.as_("staff"))
    assert r.json() == {"target": "city:a", "target_label": "City", "target_name": "Aarhus",
                        "properties": {"role": "advisor"}}


def test_feedback_roundtrip_and_scoping(api: Api) -> None:
    c = api.client
    body = {"subject": "city:a", "candidate": "prov:p", "kind": "providers",
            "verdict": "declined", "note": "too far"}
    r = c.post("/feedback", json=body, headers=api.as_("city"))
    assert r.status_code == 201
    assert {k: v for k, v in r.json().items() if k != "at"} == {
        "subject": "city:a", "candidate": "prov:p", "kind": "providers",
        "verdict": "declined", "note": "too far"}
    rels = list(api.store.iter_rels())
    fb = [x for x in rels if x.type.value == "FEEDBACK"]
    assert [(x.src, x.dst, x.props["verdict"]) for x in fb] == [("city:a", "prov:p", "declined")]
    # as someone else: forbidden
    other = {**body, "subject": "city:b"}
    assert c.post("/feedback", json=other, headers=api.as_("city")).status_code == 403
    # staff may give it for anyone; the wrong subject label for the kind is a 404
    r = c.post("/feedback", json={**body, "subject": "mem:open"}, headers=api.as_("staff"))
    assert r.status_code == 404
    r = c.post("/feedback", json={"subject": "mem:open", "candidate": "city:a",
                                  "kind": "opportunities", "verdict": "accepted"},
               headers=api.as_("member"))
    assert r.status_code == 201
    assert c.get("/feedback", headers=api.as_("staff")).json()["count"] == 2
    mine = c.get("/feedback", headers=api.as_("city")).json()
    assert [(x["subject"], x["candidate"]) for x in mine["data"]] == [("city:a", "prov:p")]
    assert c.get("/feedback?subject=mem:open", headers=api.as_("city")).status_code == 403
    got = c.get("/feedback?verdict=accepted", headers=api.as_("staff")).json()
    assert [x["subject"] for x in got["data"]] == ["mem:open"]
    bad = {**body, "verdict": "maybe"}
    assert c.post("/feedback", json=bad, headers=api.as_("city")).status_code == 422


def test_stats_and_reference(api: Api) -> None:
    c, h = api.client, api.as_("member")
    stats = c.get("/stats", headers=h).json()
    assert stats["nodes"]["City"] == 2
    assert "ApiKey" not in stats["nodes"]
    assert stats["relationships"]["OFFERS"] == 2
    sdgs = c.get("/sdgs", headers=h).json()
    assert sdgs["count"] == 17
    assert sdgs["data"][0]["id"] == "sdg:1"
    countries = c.get("/countries?q=denmark", headers=h).json()
    assert [x["id"] for x in countries["data"]] == ["country:DK"]
    kpis = c.get("/kpis?limit=1", headers=h).json()
    assert kpis["count"] == 91
    assert kpis["data"][0]["id"].startswith("kpi:")
