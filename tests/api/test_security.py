"""Keys, revocation, rate limits, body limits, error mapping, CORS and log redaction."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

import pytest

from api.deps import get_service
from api.logs import redact
from graph_schema.errors import StoreUnavailable
from matchmaking import keys as keymod
from tests.api.conftest import Api

PROBLEM = "application/problem+json"


def _key_id(api: Api, role: str) -> str:
    token = api.as_(role)["Authorization"].removeprefix("Bearer ")
    parsed = keymod.parse_key(token)
    assert parsed is not None
    return parsed[0]


def test_store_keeps_only_a_hash(api: Api) -> None:
    token = api.as_("admin")["Authorization"].removeprefix("Bearer ")
    key_id, secret = keymod.parse_key(token)  # type: ignore[misc]
    node = api.store.get_nodes([f"apikey:{key_id}"])[f"apikey:{key_id}"]
    assert node.props["hash"] == keymod.digest(secret)
    assert secret not in str(node.props)
    assert node.props["role"] == "admin" and node.props["revoked"] is False


def test_unauthenticated_and_bad_keys_get_401(api: Api) -> None:
    r = api.client.get("/topics")
    assert r.status_code == 401
    assert r.headers["content-type"] == PROBLEM
    assert r.headers["www-authenticate"] == "Bearer"
    token = api.as_("staff")["Authorization"]
    wrong = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    assert api.client.get("/topics", headers={"Authorization": wrong}).status_code == 401
    assert api.client.get("/topics", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert api.client.get("/topics", headers={"Authorization": "Basic abc"}).status_code == 401
    assert api.client.get("/health").status_code == 200


def test_revocation_applies_to_the_next_request(make_api: Callable[..., Api]) -> None:
    """Revoked in the store by someone else (as ``matchmaking keys revoke`` does, without
    telling this worker): the key is cached for 30 s, and still refused at once."""
    api = make_api(key_cache_seconds=30)
    h = api.as_("staff")
    assert api.client.get("/topics", headers=h).status_code == 200  # now cached
    keymod.revoke_key(api.store, _key_id(api, "staff"))
    r = api.client.get("/topics", headers=h)
    assert r.status_code == 401
    assert "revoked" in r.json()["detail"]
    assert api.client.get("/topics", headers=api.as_("admin")).status_code == 200


def test_admin_key_endpoints(api: Api) -> None:
    c, h = api.client, api.as_("admin")
    r = c.post("/keys", json={"role": "city", "subject": "city:b", "name": "Breda"}, headers=h)
    assert r.status_code == 201
    new = {"Authorization": f"Bearer {r.json()['key']}"}
    assert c.get("/cities/city:b/recommendations/peers", headers=new).status_code != 403
    assert c.patch("/cities/city:b", json={"population": 1}, headers=new).status_code == 200
    listed = c.get("/keys", headers=h).json()
    assert listed["count"] == 6
    assert all("hash" not in k and "key" not in k for k in listed["data"])
    assert c.post("/keys", json={"role": "city"}, headers=h).status_code == 422
    assert c.post("/keys", json={"role": "city", "subject": "prov:p"},
                  headers=h).status_code == 404
    r = c.delete(f"/keys/{r.json()['key_id']}", headers=h)
    assert r.json()["revoked"] is True
    assert c.get("/cities", headers=new).status_code == 401  # same worker: immediately


def test_rate_limit_gives_429_with_retry_after(make_api: Callable[..., Api]) -> None:
    api = make_api(rate_limit=3)
    h = api.as_("city")
    codes = [api.client.get("/sdgs", headers=h).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = api.client.get("/sdgs", headers=h)
    assert r.headers["content-type"] == PROBLEM
    assert int(r.headers["retry-after"]) >= 1
    assert api.client.get("/sdgs", headers=api.as_("member")).status_code == 200  # per key


def test_body_size_limit(make_api: Callable[..., Api]) -> None:
    api = make_api(max_body_bytes=2048)
    big = {"id": "topic:big", "name": "x" * 5000}
    r = api.client.post("/topics", json=big, headers=api.as_("staff"))
    assert r.status_code == 413
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["type"] == "urn:matchmaking:problem:too-large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        yield b'{"id": "topic:big", "name": "'
        for _ in range(10):
            yield b"y" * 500
        yield b'"}'

    headers = {**api.as_("staff"), "Content-Type": "application/json"}
    r = api.client.post("/topics", content=chunks(), headers=headers)
    assert r.status_code == 413
    assert r.json()["type"] == "urn:matchmaking:problem:too-large"  # as declared (review #17)
    assert api.store.get_nodes(["topic:big"]) == {}


def test_unexpected_error_is_500_with_error_id_in_log(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    token = api.as_("staff")["Authorization"].removeprefix("Bearer ")

    def broken() -> None:
        raise RuntimeError(f"boom for olga@example.org with {token}")

    api.client.app.dependency_overrides[get_service] = broken  # type: ignore[attr-defined]
    with caplog.at_level(logging.ERROR, logger="api"):
        r = api.client.get("/topics", headers=api.as_("staff"))
    assert r.status_code == 500
    body = r.json()
    assert r.headers["content-type"] == PROBLEM
    assert "boom" not in r.text and "Traceback" not in r.text
    assert body["error_id"] in caplog.text
    assert "RuntimeError" in caplog.text  # the traceback is logged ...
    assert "olga@example.org" not in caplog.text  # ... without e-mails and keys
    assert token not in caplog.text


def test_store_unavailable_is_503_and_recovers(api: Api) -> None:
    calls = {"n": 0}

    def down() -> None:
        calls["n"] += 1
        raise StoreUnavailable("cannot reach the store")

    app = api.client.app
    app.dependency_overrides[get_service] = down  # type: ignore[attr-defined]
    r = api.client.get("/topics", headers=api.as_("staff"))
    assert r.status_code == 503
    assert r.headers["retry-after"] == "2"
    assert r.headers["content-type"] == PROBLEM
    app.dependency_overrides.clear()  # type: ignore[attr-defined]
    # the breaker answers 503 at once for a moment, then a ping closes it again
    assert api.client.get("/topics", headers=api.as_("staff")).status_code == 503
    time.sleep(1.1)
    assert api.client.get("/topics", headers=api.as_("staff")).status_code == 200
    assert calls["n"] == 1


def test_cors_is_off_unless_configured(make_api: Callable[..., Api]) -> None:
    origin = {"Origin": "https://app.example.org"}
    off = make_api()
    r = off.client.get("/health", headers=origin)
    assert "access-control-allow-origin" not in r.headers
    on = make_api(cors_origins=["https://app.example.org"])
    r = on.client.get("/health", headers=origin)
    assert r.headers["access-control-allow-origin"] == "https://app.example.org"


def test_redaction_filter(caplog: pytest.LogCaptureFixture, api: Api) -> None:
    token = api.as_("admin")["Authorization"].removeprefix("Bearer ")
    with caplog.at_level(logging.INFO):
        logging.getLogger("api").info("key %s of %s", token, "a.b@example.com")
        logging.getLogger("uvicorn.access").info("Authorization: Bearer abc.def")
    assert token not in caplog.text
    assert "a.b@example.com" not in caplog.text
    assert "abc.def" not in caplog.text
    assert "mm_[REDACTED]" in caplog.text and "[EMAIL]" in caplog.text
    assert redact("mail x@y.org, key mm_0123456789ab_secret") == "mail [EMAIL], key mm_[REDACTED]"
