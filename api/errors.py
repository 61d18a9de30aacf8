"""Every error the API returns is RFC 9457 ``application/problem+json``, mapped here.

- :class:`~graph_schema.errors.InvalidInput` and request validation errors → 422 (with the
  field paths in ``errors``), :class:`~graph_schema.errors.NotFound` → 404,
  :class:`~graph_schema.errors.Conflict` → 409,
  :class:`~graph_schema.errors.StoreUnavailable` → 503 with ``Retry-After`` (it opens the
  circuit breaker of :mod:`api.deps`, except :class:`~graph_schema.errors.StoreBusy`: a
  write lock held by another writer fails this request only).
- :class:`ApiProblem` carries the HTTP-only cases (401, 403, 413, 429, 503 engine).
- Anything unexpected → 500 with an ``error_id`` that is also in the log. No stack trace and
  no exception text ever reaches the client.
"""

from __future__ import annotations

import logging
import uuid
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from graph_schema.errors import (
    Conflict,
    InvalidInput,
    MatchmakingError,
    NotFound,
    StoreBusy,
    StoreError,
    StoreUnavailable,
)

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("api")


class Problem(BaseModel):
    """An RFC 9457 problem document (extension members allowed)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class ApiProblem(Exception):
    """An HTTP-level error raised by the API itself."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug
        self.headers = headers or {}
        self.extra = extra


def unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(401, detail, slug="unauthorized", headers={"WWW-Authenticate": "Bearer"})


def forbidden(detail: str) -> ApiProblem:
    return ApiProblem(403, detail, slug="forbidden")


def problem_response(
    status: int,
    detail: str | None,
    *,
    slug: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": f"urn:matchmaking:problem:{slug}" if slug else "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    out = []
    for e in exc.errors():
        loc = [str(x) for x in e.get("loc", ())]
        out.append(
            {
                "field": ".".join(loc),
                "message": str(e.get("msg", "invalid")).removeprefix("Value error, "),
                "type": str(e.get("type", "")),
            }
        )
    return out


def install(app: FastAPI) -> None:
    """Register the exception handlers on ``app``."""

    def retry_after(request: Request) -> str:
        settings = getattr(request.app.state, "settings", None)
        return str(getattr(settings, "store_retry_after", 2))

    @app.exception_handler(ApiProblem)
    async def _api_problem(request: Request, exc: ApiProblem) -> JSONResponse:
        return problem_response(
            exc.status, exc.detail, slug=exc.slug, instance=request.url.path,
            headers=exc.headers, **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem_response(
            422, detail or "invalid request", slug="validation", instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method of the path, not only the first route's
            headers["Allow"] = ", ".join(allowed_methods(request))
        detail = exc.detail if isinstance(exc.detail, str) else None
        # 413: a chunked body cut off while streaming (api.middleware.TooLarge) gets the same
        # problem type as a declared Content-Length over the limit
        slug = "too-large" if exc.status_code == 413 else None
        return problem_response(exc.status_code, detail, slug=slug, instance=request.url.path,
                                headers=headers or None)

    @app.exception_handler(MatchmakingError)
    async def _domain(request: Request, exc: MatchmakingError) -> JSONResponse:
        path = request.url.path
        if isinstance(exc, InvalidInput):
            return problem_response(422, str(exc), slug="invalid-input", instance=path,
                                    errors=[{"field": "", "message": str(exc), "type": "value"}])
        if isinstance(exc, NotFound):
            return problem_response(404, str(exc), slug="not-found", instance=path)
        if isinstance(exc, Conflict):
            return problem_response(409, str(exc), slug="conflict", instance=path)
        if isinstance(exc, StoreUnavailable):
            breaker = getattr(request.app.state, "breaker", None)
            if breaker is not None and not isinstance(exc, StoreBusy):
                breaker.trip()  # a lock held by another writer says nothing about reads
            log.warning("store unavailable: %s", exc)
            return problem_response(
                503, "the store is unavailable; retry shortly", slug="store-unavailable",
                instance=path, headers={"Retry-After": retry_after(request)},
            )
        if isinstance(exc, StoreError):
            return _internal(request, exc)
        return problem_response(400, str(exc), slug="bad-request", instance=path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _internal(request, exc)


METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app serves at this request's path, sorted."""
    routes = request.app.router.routes
    return [m for m in METHODS
            if any(r.matches({**request.scope, "method": m})[0] is Match.FULL for r in routes)]


def _internal(request: Request, exc: BaseException) -> JSONResponse:
    error_id = uuid.uuid4().hex[:16]
    log.error(
        "unexpected error %s on %s %s", error_id, request.method, request.url.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return problem_response(
        500, f"an unexpected error occurred; quote error id {error_id} when reporting it",
        slug="internal", instance=request.url.path, error_id=error_id,
    )


#: ``responses=`` entries for OpenAPI: the problems every authenticated route may return.
def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {
        code: {
            "model": Problem,
            "description": HTTPStatus(code).phrase,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }
