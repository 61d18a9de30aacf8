"""Issue 9, item 15: e-mail addresses are redacted from logs in every encoding a request
may carry them in, including the access log of a real server."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.logs import redact
from tests.api.conftest import ServedApi, run_cli


@pytest.mark.parametrize("text", [
    "GET /members/victim@example.org HTTP/1.1",
    "GET /members/victim%40example.org HTTP/1.1",
    "GET /members/VICTIM%40EXAMPLE.ORG HTTP/1.1",
    "GET /feedback?candidate=victim%2540example.org HTTP/1.1",
    "GET /members/victim%40example%2Eorg HTTP/1.1",
    '{"email": "victim\\u0040example.org"}',
    "victim\\x40example.org",
    "victim&#64;example.org",
    "victim&#x40;example.org",
    "q=first%2Blast%40example.org&k=1",
])
def test_encoded_emails_are_redacted(text: str) -> None:
    out = redact(text)
    assert "victim" not in out.lower() and "first" not in out, out
    assert "example" not in out.lower(), out
    assert "[EMAIL]" in out


@pytest.mark.parametrize("text", ["GET /cities/city%3Ae HTTP/1.1", "100%40 of it",
                                  "user@localhost"])
def test_other_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


@pytest.mark.e2e
def test_access_log_of_a_real_server_has_no_encoded_email(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    run_cli(url, "init")
    key = run_cli(url, "keys", "create", "--role", "staff").strip()
    server = ServedApi(url, MATCHMAKING_RATE_LIMIT="0", MATCHMAKING_WARM_ENGINE="false")
    try:
        h = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.base, timeout=30) as c:
            assert c.get("/members/victim%40example.org", headers=h).status_code == 404
            assert c.get("/feedback?candidate=other%40example.org", headers=h
                         ).status_code == 200
    finally:
        log = server.stop()
    assert "GET /members/[EMAIL] HTTP" in log, log  # the request was logged, redacted
    assert "victim" not in log and "other%40" not in log, log
