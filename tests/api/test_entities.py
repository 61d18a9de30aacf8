"""Entity CRUD, validation, pagination, filters and privacy, on both stores."""

from __future__ import annotations

from tests.api.conftest import Api

PROBLEM = "application/problem+json"


def test_create_read_update_delete_city(api: Api) -> None:
    h = api.as_("staff")
    r = api.client.post(
        "/cities",
        json={"id": "city:c", "name": "Cork", "country": "IE", "population": 210000,
              "lat": 51.9, "note_x": "kept"},
        headers=h,
    )
    assert r.status_code == 201
    assert r.json() == {"id": "city:c", "name": "Cork", "country": "IE", "population": 210000,
                        "lat": 51.9, "note_x": "kept"}
    assert api.client.get("/cities/city:c", headers=h).json()["name"] == "Cork"
    # PATCH merges; null removes a property
    r = api.client.patch("/cities/city:c", json={"population": None, "description": "port"},
                         headers=h)
    assert r.status_code == 200
    assert r.json() == {"id": "city:c", "name": "Cork", "country": "IE", "lat": 51.9,
                        "note_x": "kept", "description": "port"}
    assert api.store.get_nodes(["city:c"])["city:c"].props.get("population") is None
    # the derived LOCATED_IN follows the country
    api.client.patch("/cities/city:c", json={"country": "GB"}, headers=h)
    located = api.store.neighbours("city:c", direction="out")
    assert [(rel.type.value, n.id) for rel, n in located] == [("LOCATED_IN", "country:GB")]
    assert api.client.delete("/cities/city:c", headers=h).status_code == 204
    r = api.client.get("/cities/city:c", headers=h)
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM
    assert "city:c" in r.json()["detail"]


def test_validation_errors_name_the_field(api: Api) -> None:
    h = api.as_("staff")
    r = api.client.post("/cities", json={"id": "city:x", "name": "X", "country": "UK",
                                         "lat": 123}, headers=h)
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    fields = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert set(fields) == {"body.country", "body.lat"}
    assert "'GB'" in fields["body.country"]
    r = api.client.post("/solutions", json={"id": "sol:x", "name": "X", "category": "space"},
                        headers=h)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.category"
    # nested objects are rejected by graph_schema's rules
    r = api.client.post("/topics", json={"id": "topic:n", "name": "N", "extra": {"a": 1}},
                        headers=h)
    assert r.status_code == 422
    assert "nested object" in r.json()["detail"]
    # removing a required property is refused
    r = api.client.patch("/cities/city:a", json={"name": None}, headers=h)
    assert r.status_code == 422
    assert "name" in r.json()["detail"]
    # a bad id
    r = api.client.post("/topics", json={"id": "bad id!", "name": "N"}, headers=h)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.id"


def test_create_existing_id_conflicts_across_labels(api: Api) -> None:
    r = api.client.post("/topics", json={"id": "city:a", "name": "Clash"},
                        headers=api.as_("staff"))
    assert r.status_code == 409
    assert "city:a" in r.json()["detail"]


def test_wrong_label_is_not_found(api: Api) -> None:
    r = api.client.get("/providers/city:a", headers=api.as_("staff"))
    assert r.status_code == 404
    assert r.json()["detail"] == "unknown provider id 'city:a'"


def test_list_pagination_filters_and_search(api: Api) -> None:
    h = api.as_("staff")
    for i in range(5):
        api.client.post("/topics", json={"id": f"topic:t{i}", "name": f"Theme {i}"}, headers=h)
    r = api.client.get("/topics?limit=2&offset=1&q=theme", headers=h)
    assert r.status_code == 200
    assert r.json() == {
        "data": [{"id": "topic:t1", "name": "Theme 1"}, {"id": "topic:t2", "name": "Theme 2"}],
        "count": 5,
    }
    assert api.client.get("/topics?limit=201", headers=h).status_code == 422
    r = api.client.get("/cities?country=NL", headers=h)
    assert [c["id"] for c in r.json()["data"]] == ["city:b"]
    r = api.client.get("/providers?kind=company", headers=h)
    assert [c["id"] for c in r.json()["data"]] == ["prov:q"]
    r = api.client.get("/solutions?category=mobility", headers=h)
    assert [c["id"] for c in r.json()["data"]] == ["sol:s"]


def test_member_privacy(api: Api) -> None:
    c = api.client
    staff = c.get("/members/mem:open", headers=api.as_("staff")).json()
    assert staff["email"] == "olga@example.org"
    own = c.get("/members/mem:open", headers=api.as_("member")).json()
    assert own["email"] == "olga@example.org"
    other = c.get("/members/mem:open", headers=api.as_("city"))
    assert other.status_code == 200
    assert "email" not in other.json()
    # members not open to matches are invisible to other keys
    assert c.get("/members/mem:hidden", headers=api.as_("city")).status_code == 404
    assert c.get("/members/mem:hidden/expertise", headers=api.as_("city")).status_code == 404
    assert c.get("/members/mem:hidden", headers=api.as_("staff")).status_code == 200
    # the member list is staff-only
    assert c.get("/members", headers=api.as_("city")).status_code == 403
    listed = c.get("/members", headers=api.as_("staff")).json()
    assert [m["id"] for m in listed["data"]] == ["mem:hidden", "mem:open"]


def test_bound_keys_update_their_own_objects(api: Api) -> None:
    c = api.client
    r = c.patch("/cities/city:a", json={"population": 1}, headers=api.as_("city"))
    assert r.status_code == 200
    assert c.patch("/cities/city:b", json={"population": 1},
                   headers=api.as_("city")).status_code == 403
    # a provider may change the solutions it offers, and no other
    assert c.patch("/solutions/sol:s", json={"cost": "low"},
                   headers=api.as_("provider")).status_code == 200
    assert c.patch("/solutions/sol:t", json={"cost": "low"},
                   headers=api.as_("provider")).status_code == 403
