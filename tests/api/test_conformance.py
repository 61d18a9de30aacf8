"""Issue 9, item 16: the published schema and the behaviour agree (the Schemathesis findings
ST205, ST103 and ST202 of the security review, one regression test each)."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api


def _schema(api: Api) -> dict[str, Any]:
    schema: dict[str, Any] = api.client.get("/openapi.json").json()
    return schema


def test_405_allow_lists_every_method_of_the_path(api: Api) -> None:
    h = api.as_("staff")
    r = api.client.put("/cities", headers=h)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, POST"
    r = api.client.post("/cities/city:a", headers=h)
    assert r.headers["allow"] == "DELETE, GET, PATCH"
    r = api.client.post("/cities/city:a/needs/topic:x", headers=h)
    assert r.headers["allow"] == "DELETE, PUT"


def test_400_is_documented(api: Api) -> None:
    r = api.client.post("/topics", content=b"\xff\xfe not json",
                        headers={**api.as_("staff"), "content-type": "application/json"})
    assert r.status_code == 400
    assert "400" in _schema(api)["paths"]["/topics"]["post"]["responses"]


def test_country_schema_lists_the_iso_codes(api: Api) -> None:
    schema = _schema(api)
    body = schema["components"]["schemas"]["CityCreate"]["properties"]["country"]
    assert "DK" in body["enum"] and "AA" not in body["enum"]
    params = {p["name"]: p for p in schema["paths"]["/cities"]["get"]["parameters"]}
    assert "AA" not in params["country"]["schema"]["anyOf"][0]["enum"]
    # a code of the right shape that is not a country: an empty page, as for any filter
    r = api.client.get("/cities?country=DK", headers=api.as_("city"))
    assert [c["id"] for c in r.json()["data"]] == ["city:a"]


def test_null_in_a_create_body_means_absent(api: Api) -> None:
    r = api.client.post("/cities", headers=api.as_("staff"), json={
        "id": "city:n", "name": "Nully", "country": "DK", "population": None,
        "languages": None})
    assert r.status_code == 201, r.text
    assert "population" not in r.json() and "languages" not in r.json()


def test_a_required_property_cannot_be_null_in_a_patch_and_the_schema_says_so(api: Api) -> None:
    name = _schema(api)["components"]["schemas"]["CityUpdate"]["properties"]["name"]
    assert name.get("type") == "string" and "anyOf" not in name  # not nullable
    r = api.client.patch("/cities/city:a", json={"name": None}, headers=api.as_("staff"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.name"
    r = api.client.patch("/cities/city:a", json={"population": None}, headers=api.as_("staff"))
    assert r.status_code == 200 and "population" not in r.json()


def test_an_integral_number_is_an_integer(api: Api) -> None:
    r = api.client.patch("/cities/city:a", json={"population": 378.0}, headers=api.as_("city"))
    assert r.status_code == 200, r.text
    assert r.json()["population"] == 378 and isinstance(r.json()["population"], int)
    r = api.client.patch("/cities/city:a", json={"population": 378.5}, headers=api.as_("city"))
    assert r.status_code == 422


def test_key_schema_requires_a_subject_for_bound_roles(api: Api) -> None:
    schema = _schema(api)["components"]["schemas"]
    assert "subject" in schema["BoundKeyCreate"]["required"]
    assert "subject" not in schema["UnboundKeyCreate"]["properties"]
    admin = api.as_("admin")
    r = api.client.post("/keys", json={"role": "city"}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"].endswith("subject")
    r = api.client.post("/keys", json={"role": "staff", "expires_in_days": 90}, headers=admin)
    assert r.status_code == 201 and r.json()["expires"]


def test_extra_property_names_and_values_are_in_the_schema(api: Api) -> None:
    topic = _schema(api)["components"]["schemas"]["TopicCreate"]
    names = topic["propertyNames"]["anyOf"][1]
    assert names["pattern"] == r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
    assert set(names["not"]["enum"]) == {"id", "label", "_builtin"}
    assert {"type": "null"} not in topic["additionalProperties"]["anyOf"]
    r = api.client.post("/topics", headers=api.as_("staff"),
                        json={"id": "topic:e", "name": "E", "a b": 1})
    assert r.status_code == 422
