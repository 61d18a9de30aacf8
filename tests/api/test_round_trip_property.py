"""Property test (issue 9, item 4): whatever the API accepted survives a backup and restore.

Hypothesis sends entity bodies with arbitrary extra properties (any text including lone
surrogates, any float including NaN and ±Infinity, huge integers, lists, odd names) as raw
JSON to the API. Whatever it answers, the store must then export, import into a fresh
store, and export again byte for byte the same.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from graph_schema.interchange import export_dataset, import_dataset
from graph_schema.sqlite_store import SQLiteStore
from tests.api.conftest import seed, test_settings

ODD_TEXT = st.text(alphabet=st.sampled_from(["a", "é", "\U0001F600", "\udfff", "\ud800", "\x00"]),
                   max_size=4)
TEXT = st.one_of(st.text(min_size=1, max_size=8), ODD_TEXT)
NUMBER = st.one_of(st.floats(), st.integers(min_value=-(2**70), max_value=2**70))
EDGE = st.sampled_from([math.inf, -math.inf, math.nan, 1e308, -0.0, 2**63 - 1, 2**63, "\udfff"])
VALUE = st.one_of(TEXT, NUMBER, EDGE, st.booleans(), st.none(),
                  st.lists(st.one_of(NUMBER, EDGE), max_size=3), st.lists(TEXT, max_size=3))
# Mostly valid property names, so that the values get through to the store.
NAME = st.one_of(st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True),
                 st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,5}", fullmatch=True),
                 st.sampled_from(["", "_builtin", "a b", "x" * 65]))
EXTRAS = st.dictionaries(NAME, VALUE, max_size=3)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, SQLiteStore, dict[str, str]]]:
    store = SQLiteStore(tmp_path / "api.db")
    store.init()
    headers = seed(store)["staff"]
    with TestClient(create_app(test_settings(), store=store),
                    raise_server_exceptions=False) as c:
        yield c, store, headers
    store.close()


def _raw(body: dict[str, Any]) -> bytes:
    # allow_nan: send NaN/Infinity as JSON extensions; ensure_ascii: lone surrogates as \\uXXXX
    return json.dumps(body, allow_nan=True, ensure_ascii=True).encode()


_ids = itertools.count()


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["topics", "cities"]), name=TEXT, extras=EXTRAS,
       patch=EXTRAS)
def test_what_the_api_accepted_round_trips(
    client: tuple[TestClient, SQLiteStore, dict[str, str]], tmp_path: Path,
    kind: str, name: str, extras: dict[str, Any], patch: dict[str, Any],
) -> None:
    c, store, headers = client
    n = next(_ids)
    node_id = f"{kind[:-1]}:p{n}"
    body = {"id": node_id, "name": name, **extras}
    if kind == "cities":
        body["country"] = "DK"
    headers = {**headers, "Content-Type": "application/json"}
    created = c.post(f"/{kind}", content=_raw(body), headers=headers)
    assert created.status_code in (201, 422), created.text
    if created.status_code == 201:
        patched = c.patch(f"/{kind}/{node_id}", content=_raw(patch), headers=headers)
        assert patched.status_code in (200, 422), patched.text

    first, second = tmp_path / f"e{n}", tmp_path / f"r{n}"
    export_dataset(store, first)
    fresh = SQLiteStore(tmp_path / f"fresh{n}.db")
    fresh.init()
    report = import_dataset(fresh, first)
    assert report.ok, report.errors[:3]
    export_dataset(fresh, second)
    fresh.close()
    for stem in ("nodes.jsonl", "relationships.jsonl"):
        assert (second / stem).read_bytes() == (first / stem).read_bytes()
