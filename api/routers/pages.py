"""The staff pages: ``GET /staff`` and ``GET /staff/{asset}``; ``GET /staff/programme`` and
``GET /staff/programme/{asset}`` (the programme report); an event's page
``GET /staff/events/{event_id}`` with ``GET /staff/event-assets/{asset}``.

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

#: The programme report page and its files; it shows its plots through blob: image URLs.
PROGRAMME_ASSETS = {"programme.js": "text/javascript; charset=utf-8",
                    "programme.css": "text/css; charset=utf-8"}
PROGRAMME_HEADERS = {**PAGE_HEADERS, "Content-Security-Policy": PAGE_HEADERS[
    "Content-Security-Policy"].replace("img-src 'self' data:", "img-src 'self' data: blob:")}

router = APIRouter(prefix="/staff", include_in_schema=False)


def static_file(name: str, media_type: str,
                headers: dict[str, str] | None = None) -> Response:
    """``api/static/<name>`` with the page headers (or ``headers``); 404 if the file is not
    installed."""
    try:
        body = (STATIC / name).read_bytes()
    except FileNotFoundError:
        raise ApiProblem(404, f"the staff page file '{name}' is not installed",
                         slug="not-found") from None
    return Response(body, media_type=media_type, headers=headers or PAGE_HEADERS)


@router.get("")
def staff_page() -> Response:
    """The staff page (static HTML)."""
    return static_file("staff.html", "text/html; charset=utf-8")


@router.get("/programme")
def programme_page() -> Response:
    """The programme report page (static HTML; data from ``/reports/programme``)."""
    return static_file("programme.html", "text/html; charset=utf-8", PROGRAMME_HEADERS)


@router.get("/programme/{asset}")
def programme_asset(asset: str) -> Response:
    """The programme page's script and style sheet (nothing else is served)."""
    media_type = PROGRAMME_ASSETS.get(asset)
    if media_type is None:
        raise ApiProblem(404, f"no programme page file '{asset}'", slug="not-found")
    return static_file(asset, media_type, PROGRAMME_HEADERS)


# after /programme, which it would otherwise take
@router.get("/{asset}")
def staff_asset(asset: str) -> Response:
    """The staff page's script and style sheet (nothing else is served)."""
    media_type = ASSETS.get(asset)
    if media_type is None:
        raise ApiProblem(404, f"no staff page file '{asset}'", slug="not-found")
    return static_file(asset, media_type)


#: The event page's own script and style sheet (it also uses staff.css).
EVENT_ASSETS = {"events.js": "text/javascript; charset=utf-8",
                "events.css": "text/css; charset=utf-8"}


@router.get("/events/{event_id}")
def event_page(event_id: str) -> Response:
    """The staff page of one event (static HTML; its script reads the id from the URL)."""
    return static_file("events.html", "text/html; charset=utf-8")


@router.get("/event-assets/{asset}")
def event_asset(asset: str) -> Response:
    """The event page's script and style sheet (nothing else is served)."""
    media_type = EVENT_ASSETS.get(asset)
    if media_type is None:
        raise ApiProblem(404, f"no staff page file '{asset}'", slug="not-found")
    return static_file(asset, media_type)
