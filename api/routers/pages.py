"""The staff pages: ``GET /staff`` and ``GET /staff/{asset}``.

One static HTML file with its script and style sheet from ``api/static/``. They hold no data
and need no key: the page asks for a key and sends it with each API call (it keeps it in
``sessionStorage``). They are left out of the OpenAPI schema. The data comes from the API
itself, e.g. ``/reports/meetings`` (:mod:`api.routers.reports`).
"""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from ..errors import ApiProblem

STATIC = Path(__file__).resolve().parent.parent / "static"
#: The only files the staff pages serve besides the page itself, with their media types.
ASSETS = {"staff.js": "text/javascript; charset=utf-8", "staff.css": "text/css; charset=utf-8"}
#: The page loads nothing but its own script and style and talks only to this API.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(prefix="/staff", include_in_schema=False)


def static_file(name: str, media_type: str) -> Response:
    """``api/static/<name>`` with the page headers; 404 if the file is not installed."""
    try:
        body = (STATIC / name).read_bytes()
    except FileNotFoundError:
        raise ApiProblem(404, f"the staff page file '{name}' is not installed",
                         slug="not-found") from None
    return Response(body, media_type=media_type, headers=PAGE_HEADERS)


@router.get("")
def staff_page() -> Response:
    """The staff page (static HTML)."""
    return static_file("staff.html", "text/html; charset=utf-8")


@router.get("/{asset}")
def staff_asset(asset: str) -> Response:
    """The staff page's script and style sheet (nothing else is served)."""
    media_type = ASSETS.get(asset)
    if media_type is None:
        raise ApiProblem(404, f"no staff page file '{asset}'", slug="not-found")
    return static_file(asset, media_type)
