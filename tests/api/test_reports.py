"""``GET /reports/meetings`` ("who should meet whom") and the staff page routes.

The report runs on the checkerboard graph (tests/matchmaking/board_fixture.py), on both stores,
where the right answers are known by construction: two clusters that share nothing (A: DK/SE,
B: ES), one open expert per cluster (member:ea, member:eb), a second weaker A expert
(member:ea2, who works for city:a2) and an equally good A expert who is not open to matches
(member:closed). A city's own advisers are "known" and left out, so city:a1 (advised by
member:ea) gets member:ea2, and city:b1 (advised by the only B expert) gets a weak
cross-cluster match.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.app import create_app
from graph_schema.errors import InvalidInput
from graph_schema.schema import Label, Node, Rel, RelType
from graph_schema.store import GraphStore
from matchmaking.engine import Engine
from matchmaking.keys import create_key
from matchmaking.reports import meetings
from tests.api.conftest import test_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "matchmaking"))
from board_fixture import write_checkerboard  # noqa: E402

A_CITIES = {"city:a0", "city:a1", "city:a2", "city:a3", "city:a4"}
B_CITIES = {"city:b0", "city:b1", "city:b2", "city:b3", "city:b4"}
#: Best expert per city, by construction (see the module docstring).
BEST_EXPERT = {
    "city:a0": "member:ea", "city:a1": "member:ea2", "city:a2": "member:ea",
    "city:a3": "member:ea", "city:a4": "member:ea",
    "city:b0": "member:eb", "city:b1": "member:ea", "city:b2": "member:eb",
    "city:b3": "member:eb", "city:b4": "member:eb",
}
BOUND = {"city": "city:a1", "member": "member:ea", "provider": "prov:pa"}
KINDS = ("experts", "solutions", "providers", "peers")


class BoardApi:
    def __init__(self, client: TestClient, headers: dict[str, dict[str, str]]) -> None:
        self.client = client
        self.headers = headers

    def report(self, role: str = "staff", **params: Any) -> Any:
        return self.client.get("/reports/meetings", params=params, headers=self.headers[role])


@pytest.fixture
def board(store: GraphStore) -> Iterator[BoardApi]:
    write_checkerboard(store)
    headers = {}
    for role in ("admin", "staff", "city", "member", "provider"):
        _, key = create_key(store, role, BOUND.get(role), name=f"test {role}")
        headers[role] = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(test_settings(), store=store),
                    raise_server_exceptions=False) as client:
        yield BoardApi(client, headers)


def cluster(node_id: str) -> str:
    return node_id.split(":")[1][0]  # "a" or "b"


def pairs(body: dict[str, Any]) -> dict[str, str]:
    return {m["city"]: m["candidate"] for m in body["data"]}


def test_experts_report_has_the_known_best_expert_per_city(board: BoardApi) -> None:
    r = board.report(limit=200)
    assert r.status_code == 200, r.text
    body = r.json()
    assert pairs(body) == BEST_EXPERT
    assert body["count"] == len(body["data"]) == 10
    assert body["cities_in_scope"] == body["cities_considered"] == 10
    rows = body["data"]
    assert [(-m["score"], m["city"], m["candidate"]) for m in rows] == sorted(
        (-m["score"], m["city"], m["candidate"]) for m in rows)
    # the only cross-cluster pair is the weakest one
    assert rows[-1]["city"] == "city:b1" and rows[-1]["score"] < 0.5 * rows[-2]["score"]
    ea = next(m for m in rows if m["city"] == "city:a0")
    assert ea["candidate_name"] == "Anna Expert" and ea["candidate_label"] == "Member"
    assert ea["city_name"] == "Arhus Nord" and ea["city_country"] == "DK"
    assert ea["kind"] == "experts" and ea["rank"] == 1
    assert ea["reasons"][0] == 'Expert in "Air quality" and "Traffic congestion", which you need'
    assert sum(ea["components"].values()) == pytest.approx(ea["score"], abs=1e-5)


def test_report_rows_are_the_engines_recommendations(board: BoardApi,
                                                     store: GraphStore) -> None:
    engine = Engine(store, background=False)
    cities = sorted(A_CITIES | B_CITIES)
    for kind in KINDS:
        body = board.report(kind=kind, per_city=2, limit=200).json()
        batch = engine.recommend(kind, cities, k=2).results
        for m in body["data"]:
            rec = batch[m["city"]][m["rank"] - 1]
            assert (rec.id, rec.score, rec.reasons) == (m["candidate"], m["score"],
                                                        m["reasons"])
            # one city at a time: the same candidates and reasons; the scores differ only by
            # the float32 rounding of batched walks
            one = engine.recommend(kind, m["city"], k=2)[m["rank"] - 1]
            assert (one.id, one.reasons) == (m["candidate"], m["reasons"])
            assert one.score == pytest.approx(m["score"], abs=1e-5)


@pytest.mark.parametrize("kind", ["solutions", "peers"])
def test_cities_meet_their_own_cluster(board: BoardApi, kind: str) -> None:
    body = board.report(kind=kind, limit=200).json()
    assert set(pairs(body)) == A_CITIES | B_CITIES
    for city, cand in pairs(body).items():
        assert cluster(city) == cluster(cand), (city, cand)
        assert cand != city


def test_providers_report_leaves_out_providers_a_city_already_has(board: BoardApi) -> None:
    got = pairs(board.report(kind="providers", limit=200).json())
    assert got["city:a0"] == "prov:pa" and got["city:b0"] == "prov:pb"
    # prov:pb already delivered to b1..b4 and both A providers to a2: the best left is foreign
    assert {got[c] for c in ("city:b1", "city:b2", "city:b3", "city:b4")} == {"prov:pa2"}
    assert got["city:a2"] == "prov:pb"


def test_opted_out_member_never_appears(board: BoardApi) -> None:
    for kind in KINDS:
        r = board.report(kind=kind, per_city=5, limit=200)
        assert r.status_code == 200
        assert "member:closed" not in r.text and "Hidden Person" not in r.text
    experts = board.report(per_city=5, limit=200).json()["data"]
    assert {m["candidate"] for m in experts} == {"member:ea", "member:ea2", "member:eb"}


def test_per_city_gives_ranked_rows_per_city(board: BoardApi) -> None:
    body = board.report(per_city=3, limit=200).json()
    by_city: dict[str, list[tuple[int, str]]] = {}
    for m in body["data"]:
        by_city.setdefault(m["city"], []).append((m["rank"], m["candidate"]))
    assert set(by_city) == A_CITIES | B_CITIES
    for city, got in by_city.items():
        ranks = sorted(r for r, _ in got)
        assert ranks == list(range(1, len(ranks) + 1)), city
        assert dict(got)[1] == BEST_EXPERT[city]
    assert sorted(by_city["city:a0"]) == [(1, "member:ea"), (2, "member:ea2"), (3, "member:eb")]
    assert sorted(by_city["city:a1"]) == [(1, "member:ea2"), (2, "member:eb")]  # ea advised it
    assert body["count"] == 27


def page_through(board: BoardApi, **params: Any) -> list[dict[str, Any]]:
    """Every row of the report, following next_cursor page by page."""
    rows: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        body = board.report(**params, **({"cursor": cursor} if cursor else {})).json()
        assert body["count"] == len(body["data"]) <= params.get("limit", 50)
        rows.extend(body["data"])
        cursor = body["next_cursor"]
        if cursor is None:
            assert body["total"] == len(rows)
            return rows
    raise AssertionError("paging did not end")


def key(m: dict[str, Any]) -> tuple[str, str]:
    return (m["city"], m["candidate"])


def test_paging_covers_every_city_once_in_a_stable_order(board: BoardApi) -> None:
    whole = board.report(limit=200, per_city=2).json()
    assert whole["next_cursor"] is None and whole["total"] == whole["count"]
    for limit in (1, 3, 7):
        rows = page_through(board, limit=limit, per_city=2)
        assert [key(m) for m in rows] == [key(m) for m in whole["data"]]
    first = board.report(limit=3).json()
    assert first["cities_in_scope"] == first["cities_considered"] == 10
    assert first["count"] == 3 and first["total"] == 10 and first["next_cursor"]
    # the same cursor gives the same page
    again = board.report(limit=3, cursor=first["next_cursor"]).json()
    assert again == board.report(limit=3, cursor=first["next_cursor"]).json()
    assert {m["city"] for m in page_through(board, limit=4)} == A_CITIES | B_CITIES


def test_orders(board: BoardApi) -> None:
    by_score = page_through(board, limit=4, per_city=2)
    by_city = page_through(board, limit=4, per_city=2, order="city")
    by_country = page_through(board, limit=4, per_city=2, order="country")
    assert sorted(map(key, by_city)) == sorted(map(key, by_score)) == sorted(
        map(key, by_country))
    assert [(m["city_name"].casefold(), m["city"], m["rank"]) for m in by_city] == sorted(
        (m["city_name"].casefold(), m["city"], m["rank"]) for m in by_city)
    assert [m["city_country"] for m in by_country] == sorted(
        m["city_country"] for m in by_country)
    body = board.report(order="city")
    assert body.json()["order"] == "city"


def test_fairness_caps_every_candidate(board: BoardApi) -> None:
    plain = board.report(limit=200).json()
    assert plain["max_per_candidate"] is None and plain["fairness"].startswith("none")
    uses = Counter(m["candidate"] for m in plain["data"])
    assert uses == Counter(BEST_EXPERT.values()) and max(uses.values()) >= 4
    fair = board.report(limit=200, max_per_candidate=2).json()
    assert fair["max_per_candidate"] == 2
    assert fair["fairness"] == "no candidate more than 2 times in the whole report"
    uses = Counter(m["candidate"] for m in fair["data"])
    assert max(uses.values()) <= 2
    # three open experts, two uses each: six cities get one, four are short
    assert fair["count"] == 6 and fair["cities_short"] == 4
    assert fair["cities_with_meetings"] == 6
    # the best pairs of the whole programme are kept first
    best = sorted(plain["data"], key=lambda m: -m["score"])[:2]
    assert {key(m) for m in best} <= {key(m) for m in fair["data"]}


def test_downloads_hold_the_whole_report(board: BoardApi) -> None:
    rows = page_through(board, limit=3, per_city=2, max_per_candidate=3)
    h = board.headers["staff"]
    params = {"per_city": 2, "max_per_candidate": 3}
    r = board.client.get("/reports/meetings.csv", params=params, headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "max3" in r.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(r.text)))
    assert lines[0][:3] == ["score", "city", "city_name"]
    assert [(x[1], x[6]) for x in lines[1:]] == [key(m) for m in rows]
    assert [float(x[0]) for x in lines[1:]] == [m["score"] for m in rows]
    r = board.client.get("/reports/meetings.xlsx", params=params, headers=h)
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    sheet = [list(x) for x in wb["meetings"].iter_rows(values_only=True)]
    assert sheet[0] == lines[0]
    assert [tuple(x) for x in sheet[1:]] == [tuple(
        None if v == "" else (float(v) if i == 0 else int(v) if i == 5 else v)
        for i, v in enumerate(x)) for x in lines[1:]]
    about = dict(wb["about"].iter_rows(values_only=True))
    assert about["fairness"] == "no candidate more than 3 times in the whole report"
    for path in ("/reports/meetings.csv", "/reports/meetings.xlsx"):
        assert board.client.get(path, headers=board.headers["city"]).status_code == 403
        assert board.client.get(path, params={"order": "x"}, headers=h).status_code == 422


def test_bad_cursor_is_422(board: BoardApi) -> None:
    first = board.report(limit=2).json()
    for cursor in ("nope", "e30", first["next_cursor"] + "x"):
        r = board.report(limit=2, cursor=cursor)
        assert r.status_code == 422 and "cursor" in r.json()["detail"], cursor
    # a cursor of another query (another order) is refused
    r = board.report(limit=2, order="city", cursor=first["next_cursor"])
    assert r.status_code == 422 and "cursor" in r.json()["detail"]


@pytest.mark.parametrize(("params", "cities"), [
    ({"country": "ES"}, B_CITIES),
    ({"country": "SE"}, {"city:a4"}),
    ({"country": "FR"}, set()),
    ({"region": "Northern Europe"}, A_CITIES),
    ({"region": "southern europe"}, B_CITIES),
    ({"region": "Europe"}, A_CITIES | B_CITIES),
    ({"region": "Asia"}, set()),
    ({"region": "Europe", "country": "DK"}, A_CITIES - {"city:a4"}),
    ({"region": "Northern Europe", "country": "ES"}, set()),
])
def test_filters_choose_the_cities(board: BoardApi, params: dict[str, str],
                                   cities: set[str]) -> None:
    body = board.report(limit=200, **params).json()
    assert set(pairs(body)) == cities
    assert body["cities_in_scope"] == body["cities_considered"] == len(cities)
    assert pairs(body) == {c: BEST_EXPERT[c] for c in cities}


@pytest.mark.parametrize("params", [
    {"limit": 0}, {"limit": 201}, {"per_city": 0}, {"per_city": 6}, {"limit": "x"},
    {"order": "name"}, {"max_per_candidate": 0}, {"cursor": "x" * 2001},
    {"kind": "opportunities"}, {"kind": "leads"}, {"country": "dk"}, {"country": "ZZ"},
    {"region": "Atlantis"}, {"region": "x" * 101},
])
def test_bad_parameters_are_422(board: BoardApi, params: dict[str, Any]) -> None:
    r = board.report(**params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    name = next(iter(params))
    assert name in r.json()["detail"]


def test_roles(board: BoardApi) -> None:
    assert board.client.get("/reports/meetings").status_code == 401
    bad = {"Authorization": "Bearer mm_nope_nope"}
    assert board.client.get("/reports/meetings", headers=bad).status_code == 401
    for role in ("city", "member", "provider"):
        r = board.report(role)
        assert r.status_code == 403, role
        assert r.headers["content-type"] == "application/problem+json"
        assert "admin or staff" in r.json()["detail"]
    for role in ("admin", "staff"):
        assert board.report(role).status_code == 200


def test_a_city_newer_than_the_engine_is_reported(board: BoardApi, store: GraphStore) -> None:
    assert board.report(country="NO").json()["count"] == 0
    board.report()  # the engine now holds a snapshot without the new city
    store.write([Node("city:n", Label.CITY, {"name": "Narvik", "country": "NO"})],
                [Rel(RelType.NEEDS, "city:n", "topic:leakage", {"urgency": 1.0})])
    assert pairs(board.report(country="NO").json()) == {"city:n": "member:eb"}


def test_engine_level_report_is_one_batch_call_cached_per_generation(
        store: GraphStore) -> None:
    write_checkerboard(store)

    class CountingEngine(Engine):
        calls = 0

        def recommend(self, *args: Any, **kwargs: Any) -> Any:
            CountingEngine.calls += 1
            return super().recommend(*args, **kwargs)

    engine = CountingEngine(store, background=False)
    page = meetings(engine, store, kind="peers", limit=4, per_city=5)
    assert CountingEngine.calls == 1
    assert page.report.cities_in_scope == 10 and len(page.meetings) == 4
    assert page.next_cursor is not None
    meetings(engine, store, kind="peers", limit=4, per_city=5, cursor=page.next_cursor)
    assert CountingEngine.calls == 1  # the next page comes from the cached report
    meetings(engine, store, country="JP")
    assert CountingEngine.calls == 1  # no city in scope, no engine call
    with pytest.raises(InvalidInput, match="'per_city' must be an integer between 1 and 5"):
        meetings(engine, store, per_city=6)
    with pytest.raises(InvalidInput, match="unknown kind 'leads'"):
        meetings(engine, store, kind="leads")
    with pytest.raises(InvalidInput, match="unknown order 'name'"):
        meetings(engine, store, order="name")


def test_report_is_in_the_openapi_schema_and_the_pages_are_not(board: BoardApi) -> None:
    spec = board.client.get("/openapi.json").json()
    op = spec["paths"]["/reports/meetings"]["get"]
    assert {p["name"] for p in op["parameters"]} == {
        "kind", "country", "region", "limit", "per_city", "order", "max_per_candidate", "cursor"}
    assert set(op["responses"]) >= {"200", "401", "403", "422", "503"}
    assert "MeetingsReport" in spec["components"]["schemas"]
    assert not any(path.startswith("/staff") for path in spec["paths"])


def test_staff_page_and_assets_are_served_with_a_strict_policy(board: BoardApi) -> None:
    c = board.client
    page = c.get("/staff")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert '<script src="/staff/staff.js"' in page.text
    assert '<label for="key">' in page.text and '<th scope="col">' in page.text
    js = c.get("/staff/staff.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", js.text)
    assert "sessionStorage" in js.text and "localStorage" not in js.text
    assert c.get("/staff/staff.css").headers["content-type"].startswith("text/css")
    for path in ("/staff/nope.js", "/staff/staff.html", "/staff/..%2Fapp.py"):
        assert c.get(path).status_code == 404, path
