"""The staff page in a real headless Chromium (Playwright), against `matchmaking serve`.

A real server process on a temporary SQLite store holding the ``tiny`` demo ecosystem
(`matchmaking demo-data`, `matchmaking import`) and a staff key from `matchmaking keys create`.
Needs the Debian ``chromium`` package at /usr/bin/chromium (Playwright's own browser download
is not used). Without it the test is skipped, or fails when ``MATCHMAKING_REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import ServedApi, run_cli, tiny_demo_store
from tests.conftest import env_flag

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
CHROMIUM = os.environ.get("MATCHMAKING_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
TIMEOUT_MS = 30_000
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def shot(tmp_path: Path, name: str) -> Path:
    """Where a screenshot goes: docs/img/ when ``MATCHMAKING_SCREENSHOTS=docs`` (to refresh
    the pictures of docs/staff-pages.md), else the test's temporary folder."""
    return (DOCS_IMG if os.environ.get("MATCHMAKING_SCREENSHOTS") == "docs" else tmp_path) / name


def _require_browser() -> None:
    required = env_flag("MATCHMAKING_REQUIRE_BROWSER")
    problem = None
    if not Path(CHROMIUM).exists():
        problem = (f"Chromium not found at {CHROMIUM}: install it with "
                   "`apt-get install -y chromium` (Debian package)")
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "Playwright for Python is not installed: pip install -e '.[dev]'"
    if problem is None:
        return
    if required:
        pytest.fail(f"MATCHMAKING_REQUIRE_BROWSER is set but {problem}", pytrace=False)
    pytest.skip(problem)


class Site:
    def __init__(self, server: ServedApi, staff_key: str, member_key: str) -> None:
        self.server = server
        self.staff_key = staff_key
        self.member_key = member_key


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    _require_browser()
    root = tmp_path_factory.mktemp("staff")
    url = tiny_demo_store(root, "staff")
    member = next(n["id"] for n in map(json.loads, (root / "demo" / "nodes.jsonl").open())
                  if n["label"] == "Member")
    staff_key = run_cli(url, "keys", "create", "--role", "staff", "--name", "browser").strip()
    member_key = run_cli(url, "keys", "create", "--role", "member", "--subject", member).strip()
    server = ServedApi(url, MATCHMAKING_RATE_LIMIT="0")
    yield Site(server, staff_key, member_key)
    log = server.stop()
    for key in (staff_key, member_key):  # keys never reach the access log
        secret = key.split("_", 2)[2]  # the secret itself may contain "_"
        assert secret not in log, "an API key secret is in the server log"


def pick_city(site: Site) -> dict[str, Any]:
    """A city with experts and solutions to recommend (found through the API)."""
    h = {"Authorization": f"Bearer {site.staff_key}"}
    with httpx.Client(base_url=site.server.base, headers=h, timeout=60) as c:
        for city in c.get("/cities", params={"limit": 30}).json()["data"]:
            recs = [c.get(f"/cities/{city['id']}/recommendations/{kind}").json()["count"]
                    for kind in ("experts", "solutions")]
            if all(recs):
                return dict(city)
    raise AssertionError("no city in the tiny demo has experts and solutions")


def test_staff_page_in_chromium(site: Site, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    city = pick_city(site)
    console_errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900},
                                    accept_downloads=True)
            page.set_default_timeout(TIMEOUT_MS)
            page.on("console", lambda m: console_errors.append(m.text)
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: console_errors.append(str(e)))
            page.goto(f"{site.server.base}/staff")
            expect(page).to_have_title("Matchmaking: staff pages")

            # 1. the key
            page.get_by_label("API key (admin or staff)").fill(site.staff_key)
            page.get_by_role("button", name="Use key").click()
            expect(page.locator("#key-status")).to_have_text("Key accepted (staff access).")
            assert site.staff_key not in page.url
            assert page.evaluate("sessionStorage.getItem('matchmaking.staffKey')") == \
                site.staff_key

            # 2. search a city by part of its name and pick it
            page.get_by_label("Search cities by name").fill(city["name"][:4].lower())
            page.get_by_role("button", name="Search").click()
            page.locator(f"#city-results button[data-id='{city['id']}']").click()

            rows = page.locator("#recs-table tbody tr")
            caption = page.locator("#recs-caption")
            for kind, tab in (("experts", "Experts"), ("solutions", "Solutions"),
                              ("providers", "Providers"), ("peer cities", "Peer cities")):
                page.get_by_role("tab", name=tab).click()
                expect(caption).to_contain_text(f" {kind} for {city['name']}")
                expect(page.get_by_role("tab", name=tab)).to_have_attribute(
                    "aria-selected", "true")
                if kind in ("experts", "solutions"):
                    assert rows.count() > 0, kind
                    first = rows.first.locator("td")
                    assert first.nth(0).inner_text() == "1"
                    assert float(first.nth(2).inner_text()) > 0
                    assert first.nth(3).locator("meter").count() >= 1
                    assert first.nth(4).locator("li").first.inner_text().strip(), kind
                if kind == "experts":
                    page.screenshot(path=str(shot(tmp_path, "staff-recommendations.png")))
            page.get_by_role("tab", name="Experts").click()
            expect(caption).to_contain_text(" experts for ")
            expect(page.locator("#problem")).to_be_hidden()

            # 3. who should meet whom, and its CSV
            page.get_by_label("Match with").select_option("experts")
            page.get_by_role("button", name="Load report").click()
            m_rows = page.locator("#meetings-table tbody tr")
            m_status = page.locator("#m-status")
            expect(m_status).to_contain_text("cities in scope considered")
            expect(page.locator("#m-caption")).to_contain_text("suggested meetings with experts")
            n = m_rows.count()
            assert n > 0
            assert m_rows.first.locator("td").nth(6).inner_text().strip()
            expect(m_status).to_contain_text("Fairness: none")
            with page.expect_download() as info:
                page.get_by_role("button", name="Download CSV").click()
            lines = list(csv.reader(io.StringIO(Path(info.value.path()).read_text())))
            # the download is the whole report: one row per city of the demo with an expert
            assert lines[0][:3] == ["score", "city", "city_name"] and len(lines) == n + 1
            assert {x[1] for x in lines[1:]} == {r.split("\n")[-1] for r in
                                                 m_rows.locator("td:nth-child(2)")
                                                 .all_inner_texts()}
            page.locator("#meetings-section").scroll_into_view_if_needed()
            page.screenshot(path=str(shot(tmp_path, "staff-meetings.png")))

            # paging: 7 rows a page, every row once, in the order of the download
            page.get_by_label("Rows per page").fill("7")
            page.get_by_role("button", name="Load report").click()
            expect(page.locator("#m-caption")).to_contain_text("(rows 1-7)")
            paged: list[str] = []
            while True:
                expect(m_status).to_contain_text("in scope considered")
                paged += [r.split("\n")[-1] + " " + c.split("\n")[-1] for r, c in zip(
                    m_rows.locator("td:nth-child(2)").all_inner_texts(),
                    m_rows.locator("td:nth-child(4)").all_inner_texts(), strict=True)]
                if page.locator("#m-next").is_disabled():
                    break
                page.get_by_role("button", name="Next page").click()
                expect(page.locator("#m-caption")).to_contain_text(f"(rows {len(paged) + 1}-")
            assert paged == [f"{x[1]} {x[6]}" for x in lines[1:]]
            page.get_by_role("button", name="Previous page").click()
            expect(page.locator("#m-caption")).to_contain_text("-")

            # fairness: no expert more than twice, and the report says so
            page.get_by_label("At most per candidate").fill("2")
            page.get_by_label("Order").select_option("city")
            page.get_by_role("button", name="Load report").click()
            expect(m_status).to_contain_text("Fairness: no candidate more than 2 times")
            expect(page.locator("#m-caption")).to_contain_text("by city name")
            with page.expect_download() as info:
                page.get_by_role("button", name="Download XLSX").click()
            assert info.value.suggested_filename == "meetings-experts-city-max2.xlsx"
            page.get_by_label("At most per candidate").fill("")
            page.get_by_label("Order").select_option("score")
            page.get_by_label("Rows per page").fill("50")

            # filters: a country with cities gives only that country's cities
            page.get_by_label("City country (ISO code)").fill(city["country"])
            page.get_by_role("button", name="Load report").click()
            expect(m_status).to_contain_text("in scope considered")
            countries = m_rows.locator("td:nth-child(3)").all_inner_texts()
            assert countries and set(countries) == {city["country"]}

            # 4. forgetting the key clears the data; a key of another role: 403 shown
            page.get_by_role("button", name="Forget key").click()
            expect(page.locator("#recs")).to_be_hidden()
            expect(page.locator("#meetings-table")).to_be_hidden()
            assert page.evaluate("sessionStorage.length") == 0
            page.get_by_label("API key (admin or staff)").fill(site.member_key)
            page.get_by_role("button", name="Use key").click()
            problem = page.locator("#problem")
            expect(problem).to_be_visible()
            expect(problem).to_contain_text("403 Forbidden")
            expect(problem).to_contain_text("admin or staff")
            expect(page.locator("#key-status")).to_contain_text("403 Forbidden")

            # 5. a wrong key (the staff key's id with another secret): 401 shown, also on
            # the next call
            _, key_id, secret = site.staff_key.split("_", 2)
            wrong = f"mm_{key_id}_{'x' * len(secret)}"
            page.get_by_label("API key (admin or staff)").fill(wrong)
            page.get_by_role("button", name="Use key").click()
            expect(problem).to_contain_text("401 Unauthorized: unknown or wrong API key")
            expect(problem).to_contain_text("Check the key")
            page.get_by_role("button", name="Load report").click()
            expect(page.locator("#m-status")).to_contain_text("401 Unauthorized")
            expect(page.locator("#meetings-table")).to_be_hidden()
            page.screenshot(path=str(tmp_path / "staff-page-401.png"), full_page=True)
            assert "xxxx" not in page.url
        finally:
            browser.close()
    # the only console errors are the failed (401/403) requests themselves: no CSP
    # violations, no script errors
    unexpected = [e for e in console_errors
                  if "status of 401" not in e and "status of 403" not in e]
    assert not unexpected, unexpected


def test_grouped_solutions_over_http_and_on_the_page(site: Site) -> None:
    """A city whose solutions hold another offer of the same idea: real HTTP with and
    without ``group``, and the staff page names the other providers under the solution."""
    from playwright.sync_api import expect, sync_playwright

    h = {"Authorization": f"Bearer {site.staff_key}"}
    with httpx.Client(base_url=site.server.base, headers=h, timeout=60) as c:
        for city in c.get("/cities", params={"limit": 30}).json()["data"]:
            url = f"/cities/{city['id']}/recommendations/solutions"
            data = c.get(url).json()["data"]
            grouped = [r for r in data if r.get("also_offered_by")]
            if grouped:
                break
        else:
            raise AssertionError("no city of the tiny demo has a grouped solution")
        plain = c.get(url, params={"group": "false"}).json()["data"]
    other = grouped[0]["also_offered_by"][0]
    assert other["id"] not in {r["id"] for r in data}
    assert not any("also_offered_by" in r for r in plain)
    ranked = [r["id"] for r in plain]
    assert grouped[0]["id"] in ranked and (other["id"] in ranked or len(ranked) == 10)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{site.server.base}/staff")
            page.get_by_label("API key (admin or staff)").fill(site.staff_key)
            page.get_by_role("button", name="Use key").click()
            page.get_by_label("Search cities by name").fill(city["name"])
            page.get_by_role("button", name="Search").click()
            page.locator(f"#city-results button[data-id='{city['id']}']").click()
            page.get_by_role("tab", name="Solutions").click()
            expect(page.locator("#recs-caption")).to_contain_text(" solutions for ")
            row = page.locator("#recs-table tbody tr").nth(data.index(grouped[0]))
            expect(row.locator(".also")).to_contain_text(
                "also offered by " + other["providers"][0]["name"])
            assert page.locator("#recs-table .also").count() == len(grouped)
        finally:
            browser.close()
