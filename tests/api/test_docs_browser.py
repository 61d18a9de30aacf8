"""The API docs (/docs: Swagger UI, /redoc: ReDoc) work offline, in a real headless Chromium.

A real ``matchmaking serve`` process; every request the page makes is recorded, and any to a
host other than the server's is answered with an abort (so the test also passes on a machine
without internet, and a page that needs a CDN shows no operations).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.api.conftest import ServedApi, run_cli
from tests.api.test_staff_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, _require_browser

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApi]:
    _require_browser()
    url = f"sqlite:///{tmp_path_factory.mktemp('docs') / 'docs.db'}"
    run_cli(url, "init")
    served = ServedApi(url)
    yield served
    served.stop()


def _operations(server: ServedApi) -> list[tuple[str, str, str]]:
    """(method, path, summary) of every operation in the server's OpenAPI schema."""
    spec = httpx.get(f"{server.base}/openapi.json", timeout=30).json()
    return [(method.upper(), path, op["summary"])
            for path, ops in spec["paths"].items() for method, op in ops.items()]


def _visit(server: ServedApi, path: str, ready_selector: str, shot: Path
           ) -> tuple[list[str], list[str], list[str], str]:
    """Load ``path``; return (all request URLs, aborted foreign URLs, script and console
    errors, the page's text)."""
    from playwright.sync_api import Route, sync_playwright

    requests: list[str] = []
    foreign: list[str] = []
    errors: list[str] = []

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(TIMEOUT_MS)
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.route("**/*", guard)
            page.goto(f"{server.base}{path}")
            page.wait_for_selector(ready_selector)
            page.wait_for_load_state("networkidle")
            text = page.inner_text("body")
            page.screenshot(path=str(shot), full_page=False)
        finally:
            browser.close()
    return requests, foreign, errors, text


def test_swagger_ui_lists_every_operation_without_leaving_the_machine(
    server: ServedApi, tmp_path: Path
) -> None:
    requests, foreign, errors, text = _visit(server, "/docs", ".opblock", tmp_path / "docs.png")
    assert not foreign, f"requests left the machine: {foreign}"
    assert {urlsplit(u).hostname for u in requests} <= LOCAL_HOSTS
    assert any(u.endswith("/docs-assets/swagger-ui-bundle.js") for u in requests)
    assert any(u.endswith("/openapi.json") for u in requests)
    assert not errors, errors
    operations = _operations(server)
    assert len(operations) >= 60
    for method, path, summary in operations:
        assert summary in text, f"{method} {path} ({summary}) is not listed on /docs"
    assert "/cities/{id}/recommendations/{kind}" in text


def test_redoc_renders_the_operations_without_leaving_the_machine(
    server: ServedApi, tmp_path: Path
) -> None:
    requests, foreign, errors, text = _visit(server, "/redoc", "[data-section-id]",
                                             tmp_path / "redoc.png")
    assert not foreign, f"requests left the machine: {foreign}"
    assert {urlsplit(u).hostname for u in requests} <= LOCAL_HOSTS
    assert any(u.endswith("/docs-assets/redoc.standalone.js") for u in requests)
    assert not errors, errors
    for _, _, summary in _operations(server):
        assert summary in text, f"{summary} is not listed on /redoc"
