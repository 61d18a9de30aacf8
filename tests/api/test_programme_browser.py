"""The /staff/programme page in a real headless Chromium, against `matchmaking serve` on the
``tiny`` demo (with some feedback given through the API, so the funnel has data).

Checks that every plot renders, that every number shown in the tables is the JSON's, that
the XLSX download is the report's workbook, that the print layout hides the controls, and
takes a screenshot (written to docs/img/ when ``MATCHMAKING_SCREENSHOTS=docs``).
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from tests.api.conftest import ServedApi, run_cli, tiny_demo_store
from tests.api.test_staff_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    _require_browser,
    shot,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServedApi, str]]:
    _require_browser()
    root = tmp_path_factory.mktemp("programme")
    url = tiny_demo_store(root, "programme")
    key = run_cli(url, "keys", "create", "--role", "staff", "--name", "programme").strip()
    server = ServedApi(url, MATCHMAKING_RATE_LIMIT="0")
    h = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=server.base, headers=h, timeout=120) as c:
        cities = c.get("/cities", params={"limit": 6}).json()["data"]
        for city, verdict in zip(cities, ("accepted", "contacted", "declined", "not_relevant",
                                          "contacted", "accepted"), strict=True):
            recs = c.get(f"/cities/{city['id']}/recommendations/providers").json()["data"]
            r = c.post("/feedback", json={"subject": city["id"], "candidate": recs[0]["id"],
                                          "kind": "providers", "verdict": verdict})
            assert r.status_code == 201, r.text
        # wait until the engine shows the last write (it rebuilds in the background, and a
        # rebuild can take longer than any fixed pause on a loaded machine)
        deadline = time.monotonic() + 240
        while (c.get("/reports/programme").json()["generation"]
               != c.get("/stats").json()["generation"]):
            assert time.monotonic() < deadline, "the engine never caught up with the store"
            time.sleep(1.0)
    yield server, key
    server.stop()


def same(shown: str, value: Any) -> bool:
    if value is None:
        return shown == ""
    if isinstance(value, int | float):
        return float(shown) == float(value)
    return shown == str(value)


def test_programme_page_in_chromium(served: tuple[ServedApi, str], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    server, key = served
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {key}"},
                      timeout=300) as c:
        report = c.get("/reports/programme").json()
        europe = c.get("/reports/programme", params={"region": "Europe"}).json()
    assert report["tables"]["feedback_funnel"]["rows"], "the funnel has the feedback given"
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900},
                                    accept_downloads=True)
            page.set_default_timeout(TIMEOUT_MS * 4)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{server.base}/staff/programme")
            expect(page).to_have_title("Matchmaking: programme report")
            page.get_by_label("API key (admin or staff)").fill(key)
            page.get_by_role("button", name="Use key").click()
            page.get_by_role("button", name="Load report").click()
            expect(page.locator("#status")).to_contain_text("Report loaded", timeout=240_000)

            # every plot is a rendered SVG image
            for name in ("unmet-needs", "lorenz", "funnel", "kpi-heatmap"):
                img = page.locator(f"#plot-{name}")
                assert img.evaluate("i => i.complete && i.naturalWidth > 100 && "
                                    "i.src.startsWith('blob:')"), name

            # the numbers shown are the JSON's (of the same store generation), table by
            # table, cell by cell
            expect(page.locator("#scope-line")).to_contain_text(
                f"store generation {report['generation']}.")
            for name, table in report["tables"].items():
                section = page.locator(f"section[data-table='{name}']")
                expect(section.locator("h2")).to_have_text(table["title"])
                rows = section.locator("tbody tr")
                assert rows.count() == min(len(table["rows"]), 25), name
                for i in range(rows.count()):
                    cells = rows.nth(i).locator("td").all_inner_texts()
                    want = table["rows"][i]
                    assert len(cells) == len(want), name
                    assert all(same(s, v) for s, v in zip(cells, want, strict=True)), \
                        (name, i, cells, want)
            expect(page.locator("#scope-line")).to_contain_text(f"{report['cities']} cities")
            page.screenshot(path=str(shot(tmp_path, "staff-programme.png")), full_page=True,
                            clip={"x": 0, "y": 0, "width": 1280, "height": 1900})

            # the XLSX download is the report, one sheet per table
            with page.expect_download() as info:
                page.get_by_role("button", name="Download XLSX").click()
            wb = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()),
                               read_only=True)
            assert wb.sheetnames == list(report["tables"])
            unmet = [list(r) for r in wb["unmet_needs"].iter_rows(values_only=True)]
            assert unmet[1:] == report["tables"]["unmet_needs"]["rows"]

            # print layout: controls hidden, plots and tables kept; it makes a PDF
            page.emulate_media(media="print")
            expect(page.locator("#key-section")).to_be_hidden()
            expect(page.locator("#plot-lorenz")).to_be_visible()
            pdf = page.pdf(format="A4")
            assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
            page.emulate_media(media="screen")

            # a region filter: the tables follow the JSON of that scope
            page.get_by_label("City region").fill("Europe")
            page.get_by_role("button", name="Load report").click()
            expect(page.locator("#scope-line")).to_contain_text(
                f"region Europe; {europe['cities']} cities")
            regions = page.locator("section[data-table='unmet_needs'] tbody tr td:first-child")
            assert set(regions.all_inner_texts()) == {
                r[0] for r in europe["tables"]["unmet_needs"]["rows"][:25]}

            # a bad filter: the problem is shown, naming the filter
            page.get_by_label("City region").fill("Atlantis")
            page.get_by_role("button", name="Load report").click()
            expect(page.locator("#problem")).to_contain_text("422")
            expect(page.locator("#problem")).to_contain_text("region")
        finally:
            browser.close()
    unexpected = [e for e in errors if "status of 422" not in e]
    assert not unexpected, unexpected
