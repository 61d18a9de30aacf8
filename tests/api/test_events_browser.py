"""The staff page of an event in a real headless Chromium, against `matchmaking serve` on the
tiny demo (which holds one event): grid, fairness, reschedule preview (the diff), apply."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from matchmaking.demo.event import EVENT_ID, SLOTS
from tests.api.conftest import ServedApi, run_cli, tiny_demo_store
from tests.api.test_staff_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, _require_browser

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
SLOW_MS = 180_000  # building the engine and solving, on a machine that may be busy


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServedApi, str]]:
    _require_browser()
    root = tmp_path_factory.mktemp("event-page")
    url = tiny_demo_store(root, "events")
    key = run_cli(url, "keys", "create", "--role", "staff", "--name", "events").strip()
    server = ServedApi(url, MATCHMAKING_RATE_LIMIT="0")
    yield server, key
    log = server.stop()
    assert key.split("_", 2)[2] not in log


def test_event_page_in_chromium(served: tuple[ServedApi, str], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    server, key = served
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(TIMEOUT_MS)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{server.base}/staff/events/{EVENT_ID}")
            expect(page).to_have_title("Matchmaking: event schedule")
            page.get_by_label("API key (admin or staff)").fill(key)
            page.get_by_role("button", name="Use key").click()
            expect(page.locator("#event-title")).to_contain_text("Smart City Expo")
            expect(page.locator("#grid-status")).to_contain_text(f"0 meetings at 0 of 30 "
                                                                 f"tables in {SLOTS} slots")
            expect(page.locator("#fairness")).to_contain_text("Participants")

            # preview: the diff is shown, nothing is stored yet
            page.get_by_label("Time limit (s)").fill("5")
            page.get_by_role("button", name="Reschedule (preview)").click()
            expect(page.locator("#diff")).to_be_visible(timeout=SLOW_MS)
            expect(page.locator("#diff-summary")).to_contain_text(" added, 0 moved, 0 removed")
            added = page.locator("#diff-list li").count()
            assert added > 0
            h = {"Authorization": f"Bearer {key}"}
            stored = httpx.get(f"{server.base}/events/{EVENT_ID}/meetings", headers=h,
                               timeout=30).json()
            assert stored["count"] == 0

            page.get_by_role("button", name="Apply this schedule").click()
            expect(page.locator("#plan-status")).to_contain_text("Applied: ", timeout=SLOW_MS)
            stored = httpx.get(f"{server.base}/events/{EVENT_ID}/meetings", headers=h,
                               timeout=30).json()
            assert stored["count"] > 0
            expect(page.locator("#grid-status")).to_contain_text(
                f"{stored['count']} meetings at ")
            assert page.locator("#grid tbody tr").count() == SLOTS
            first = stored["data"][0]
            cell = page.locator("#grid tbody tr").nth(first["slot"]).locator("td").first
            expect(page.locator("#grid")).to_contain_text(f"{first['a']} \u00d7 {first['b']}")
            assert cell.count() == 1
            expect(page.locator("#fairness")).to_contain_text(
                f"{stored['fairness']['worst_count']} (")
            page.screenshot(path=str(tmp_path / "event-page.png"), full_page=True)
            assert json.dumps(errors) == "[]", errors
        finally:
            browser.close()
