"""Issue 9, item 16: the published schema and the behaviour agree (the Schemathesis findings
ST205, ST103 and ST202 of the security review, one regression test each)."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
from pydantic import ValidationError
from schemathesis.core.jsonschema.patterns import compile_ecma_pattern

from api.schemas import MemberCreate
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



def _api_accepts_email(email: str) -> bool:
    try:
        MemberCreate.model_validate({"id": "member:e", "name": "E", "email": email})
    except ValidationError:
        return False
    return True


def test_the_schema_and_the_api_read_the_email_pattern_alike(api: Api) -> None:
    """Every character in an address is accepted or refused alike by the schema's validator
    (ECMA-262 dialect, as Schemathesis reads it) and by the API (pydantic's Rust engine): with
    ``\\s`` they disagreed on U+0085, U+00A0, U+2000..U+200A, U+3000, U+FEFF, ..."""
    pattern = _schema(api)["components"]["schemas"]["MemberCreate"]["properties"]["email"][
        "anyOf"][0]["pattern"]
    schema_reading = compile_ecma_pattern(pattern)
    assert schema_reading is not None
    validator = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    accepted = refused = 0
    for cp in [*range(0x3100), *range(0xFE00, 0x10000), 0x1F600, 0x10FFFF]:
        if 0xD800 <= cp < 0xE000:
            continue
        for email in (f"a{chr(cp)}@b.org", f"a@b.org{chr(cp)}"):
            in_schema = validator.is_valid(email)
            assert (schema_reading.search(email) is not None) == in_schema, hex(cp)
            assert _api_accepts_email(email) == in_schema, (hex(cp), in_schema)
            accepted += in_schema
            refused += not in_schema
    assert accepted > 20_000 and refused > 60  # both sides of the pattern were exercised
    r = api.client.post("/members", headers=api.as_("staff"),
                        json={"id": "member:nbsp", "name": "N", "email": "a\u00a0b@c.org"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.email"
