"""The API documentation pages, served offline: ``/docs`` (Swagger UI) and ``/redoc``.

FastAPI's own pages load their scripts from a CDN, so they are blank on a machine without
internet. Here the Swagger UI and ReDoc bundles come from the installed ``fastapi-offline``
package (its ``static/`` folder: Swagger UI under the Apache-2.0 licence, ReDoc under MIT),
served under :data:`ASSETS_URL`. The one request ReDoc would still send out, a logo in its
footer from its vendor's CDN, is rewritten to an empty ``data:`` image when the script is
served (ReDoc then leaves the logo out), and a Content-Security-Policy keeps every other
request on this server.
"""

from functools import cache
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

#: Where the Swagger UI and ReDoc scripts, style sheet and icon are served from.
ASSETS_URL = "/docs-assets"
ASSETS_DIR = Path(str(resources.files("fastapi_offline").joinpath("static")))
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
#: The image in ReDoc's footer that its bundle loads from the vendor's CDN.
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
#: Only this server: scripts, styles and fonts from here (Swagger UI starts with one inline
#: script, both UIs inject inline styles, ReDoc runs its search in a blob: worker).
CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer"}

router = APIRouter(include_in_schema=False)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", ""))


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI on this API's OpenAPI schema."""
    app: FastAPI = request.app
    root = _root(request)
    page = get_swagger_ui_html(
        openapi_url=f"{root}{app.openapi_url}",
        title=f"{app.title} - Swagger UI",
        oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
        swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
        # no validator badge: it would send the schema's URL to validator.swagger.io
        swagger_ui_parameters={"validatorUrl": None},
    )
    page.headers.update(HEADERS)
    return page


@router.get(OAUTH2_REDIRECT_URL)
def swagger_ui_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 redirect page (part of Swagger UI; the API itself uses keys)."""
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc on this API's OpenAPI schema."""
    app: FastAPI = request.app
    root = _root(request)
    page = get_redoc_html(
        openapi_url=f"{root}{app.openapi_url}",
        title=f"{app.title} - ReDoc",
        redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
        with_google_fonts=False,
    )
    page.headers.update(HEADERS)
    return page


@cache
def _redoc_script() -> bytes:
    return (ASSETS_DIR / "redoc.standalone.js").read_bytes().replace(REDOC_LOGO, b"data:,")


@router.get(f"{ASSETS_URL}/redoc.standalone.js")
def redoc_script() -> Response:
    """The ReDoc bundle, without the request for its vendor's logo."""
    return Response(_redoc_script(), media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "max-age=3600"})


def install(app: FastAPI) -> None:
    """Serve the documentation pages and their assets on ``app`` (built with
    ``docs_url=None, redoc_url=None``)."""
    app.include_router(router)  # before the mount: it serves one of the mount's files
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
