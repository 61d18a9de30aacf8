"""The programme report over HTTP: JSON, the Excel workbook (cell by cell the same), the SVG
plots, filters and roles. Runs on both stores with the hand-made programme of
tests/matchmaking/test_analytics.py."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import load_workbook

from graph_schema.schema import Label, Node, Rel, RelType
from matchmaking.analytics import TABLES
from tests.api.conftest import Api
from tests.matchmaking.test_analytics import NODES, RELS


@pytest.fixture
def prog(make_api: Callable[..., Api]) -> Api:
    api = make_api()
    ids = {n.id for n in NODES}
    seed_ids = {"city:a", "city:b", "prov:p", "prov:q", "sol:s", "topic:x"}
    assert seed_ids <= ids  # the seed graph's nodes are overwritten with the same ids
    api.store.write(NODES, RELS)
    return api


def get(api: Api, path: str, role: str = "staff", **params: Any) -> Any:
    return api.client.get(path, params=params, headers=api.as_(role))


def test_json_and_xlsx_agree_cell_by_cell(prog: Api) -> None:
    for params in ({}, {"region": "Europe"}, {"country": "NL"}):
        body = get(prog, "/reports/programme", **params).json()
        r = get(prog, "/reports/programme.xlsx", **params)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        assert r.headers["content-disposition"].startswith("attachment; filename=\"programme")
        wb = load_workbook(io.BytesIO(r.content), read_only=True)
        assert wb.sheetnames == list(TABLES) == list(body["tables"])
        for name, table in body["tables"].items():
            cells = [list(row) for row in wb[name].iter_rows(values_only=True)]
            assert cells[0] == table["columns"], name
            assert cells[1:] == table["rows"], name
        wb.close()


def test_report_content_and_scope(prog: Api) -> None:
    body = get(prog, "/reports/programme").json()
    assert body["cities"] == 3 and body["scope"] == {"country": None, "region": None}
    unmet = body["tables"]["unmet_needs"]
    first = dict(zip(unmet["columns"], unmet["rows"][0], strict=True))
    assert (first["region"], first["id"], first["unmet_cities"]) == (
        "All regions", "dimension:Economy", 2)
    growth = body["tables"]["network_growth"]
    assert growth["rows"] == [[2019, 0, 1, 0], [2020, 1, 0, 0], [2021, 1, 0, 1]]
    europe = get(prog, "/reports/programme", region="Europe").json()
    assert europe["cities"] == 2 and europe["scope"]["region"] == "Europe"
    regions = {row[0] for row in europe["tables"]["unmet_needs"]["rows"]}
    assert regions == {"All regions", "Europe"}


@pytest.mark.parametrize(("params", "field"), [
    ({"country": "XX"}, "country"), ({"country": "dk"}, "country"),
    ({"region": "Atlantis"}, "region"), ({"region": "x" * 101}, "region"),
])
def test_bad_filters_are_422_naming_the_filter(prog: Api, params: dict[str, str],
                                               field: str) -> None:
    for path in ("/reports/programme", "/reports/programme.xlsx"):
        r = get(prog, path, **params)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert field in r.text


def test_plots_are_svg(prog: Api) -> None:
    for name in ("unmet-needs", "lorenz", "funnel", "kpi-heatmap"):
        r = get(prog, f"/reports/programme/plots/{name}.svg")
        assert r.status_code == 200, (name, r.text)
        assert r.headers["content-type"].startswith("image/svg+xml")
        assert r.text.lstrip().startswith("<?xml") and "<svg" in r.text
    lorenz = get(prog, "/reports/programme/plots/lorenz.svg").text
    assert "Gini" in lorenz and "equal exposure" in lorenz
    assert "Unmet needs" in get(prog, "/reports/programme/plots/unmet-needs.svg").text
    r = get(prog, "/reports/programme/plots/pie.svg")
    assert r.status_code == 404 and "unmet-needs" in r.json()["detail"]


@pytest.mark.parametrize("path", ["/reports/programme", "/reports/programme.xlsx",
                                  "/reports/programme/plots/funnel.svg"])
def test_exact_statuses_per_role(prog: Api, path: str) -> None:
    assert prog.client.get(path).status_code == 401
    for role, status in (("admin", 200), ("staff", 200), ("city", 403), ("member", 403),
                         ("provider", 403)):
        assert get(prog, path, role).status_code == status, role


def test_report_follows_writes(prog: Api) -> None:
    before = get(prog, "/reports/programme").json()
    prog.store.write(rels=[Rel(RelType.NEEDS, "city:b", "topic:y")])
    deadline = time.monotonic() + 30
    after = before
    while after["generation"] == before["generation"] and time.monotonic() < deadline:
        time.sleep(0.3)  # the engine rebuilds in the background after a write
        after = get(prog, "/reports/programme").json()
    assert after["generation"] != before["generation"]
    demand = {row[1]: row[3] for row in after["tables"]["demand_supply"]["rows"]}
    assert demand["topic:y"] == 2


def test_page_and_assets(prog: Api) -> None:
    r = prog.client.get("/staff/programme")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "blob:" in r.headers["content-security-policy"]
    for asset, media in (("programme.js", "javascript"), ("programme.css", "css")):
        r = prog.client.get(f"/staff/programme/{asset}")
        assert r.status_code == 200 and media in r.headers["content-type"]
    assert prog.client.get("/staff/programme/secret.txt").status_code == 404
    assert prog.client.get("/staff").status_code == 200  # the older page is still served


def test_xlsx_drops_control_characters_json_keeps(prog: Api) -> None:
    prog.store.write([Node("city:ctl", Label.CITY, {"name": "Bad\x05name", "country": "DK"})],
                     [Rel(RelType.NEEDS, "city:ctl", "topic:y")])
    for path in ("/reports/meetings.xlsx", "/reports/programme.xlsx"):
        deadline = time.monotonic() + 30
        while True:
            r = get(prog, path, kind="peers") if "meetings" in path else get(prog, path)
            assert r.status_code == 200, r.text
            wb = load_workbook(io.BytesIO(r.content), read_only=True)
            cells = {v for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                     for v in row}
            if "Badname" in cells or time.monotonic() > deadline:
                break
            time.sleep(0.3)  # the engine rebuilds in the background after a write
        assert "Badname" in cells and "Bad\x05name" not in cells, path
