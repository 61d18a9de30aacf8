"""The routes are plain, findable functions: each endpoint is a module-level function of an
``api.routers`` module whose name is the route's name (``grep -n 'def read_city'`` finds it),
and every route module keeps one router."""

from __future__ import annotations

import importlib
import inspect

from fastapi.routing import APIRoute

from api.app import create_app
from api.settings import Settings


def _api_routes() -> list[APIRoute]:
    app = create_app(Settings(store="sqlite:///:memory:"))
    out: list[APIRoute] = []
    for route in app.router.routes:
        original = getattr(route, "original_router", None)  # FastAPI >= 0.120 wraps routers
        routes = original.routes if original is not None else [route]
        out.extend(r for r in routes if isinstance(r, APIRoute))
    return out


def test_every_route_is_a_module_level_function_named_like_the_route() -> None:
    routes = _api_routes()
    assert len(routes) >= 60, "expected the whole API"
    for route in routes:
        fn = route.endpoint
        where = f"{route.methods} {route.path}"
        assert fn.__module__.startswith("api.routers."), where
        assert fn.__qualname__ == fn.__name__ == route.name, (
            f"{where}: endpoint {fn.__qualname__} is not a plain function named {route.name}")
        module = importlib.import_module(fn.__module__)
        assert getattr(module, fn.__name__) is fn, f"{where}: not found in {fn.__module__}"
        assert "__signature__" not in vars(fn), f"{where}: signature was patched"
        source = inspect.getsource(module)
        assert f"def {route.name}(" in source, where


def test_route_names_are_unique() -> None:
    names = [r.name for r in _api_routes()]
    assert len(names) == len(set(names))


def test_staff_pages_have_their_own_router() -> None:
    pages = {r.path: r.endpoint.__module__ for r in _api_routes() if r.path.startswith("/staff")}
    assert {"/staff", "/staff/{asset}"} <= set(pages)
    assert set(pages.values()) == {"api.routers.pages"}


def test_docs_pages_load_only_local_assets() -> None:
    """The HTML of /docs and /redoc names no other host; the browser test checks the rest."""
    import re

    from fastapi.testclient import TestClient

    client = TestClient(create_app(Settings(store="sqlite:///:memory:")))
    for path, script in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        r = client.get(path)
        assert r.status_code == 200
        assert not re.findall(r"(?:src|href)=\"?'?(?:https?:)?//", r.text), path
        assert "default-src 'none'" in r.headers["content-security-policy"]
        asset = client.get(f"/docs-assets/{script}")
        assert asset.status_code == 200 and len(asset.content) > 100_000
        assert b"cdn.redoc.ly" not in asset.content
