"""The FastAPI application factory.

``create_app(settings)`` builds an app; its lifespan opens the store (one Neo4j driver per
process) and closes it, together with the recommendation engine, at shutdown. Nothing is
created at import time. Run it with ``matchmaking serve`` (uvicorn, ``factory=True``).

Access by role (every route but /health, /ready, the docs (/docs, /redoc, /openapi.json,
/docs-assets/) and the static /staff pages needs a key):

==============================  =====  =====  ===========  ===========  ===========
route group                     admin  staff  city         member       provider
==============================  =====  =====  ===========  ===========  ===========
reference, stats, read topics,  yes    yes    yes          yes          yes
solutions, cities, providers
list members                    yes    yes    no           no           no
read a member                   yes    yes    if open      own / open   if open
create/delete entities          yes    yes    no           no           no
update an entity                yes    yes    own city     own member   own provider
                                                                        + solutions it
                                                                        owns
write needs, sdgs, kpis         yes    yes    own          no           no
write implementations,          yes    yes    no           no           no
affiliations
write expertise                 yes    yes    no           own          no
write provider solutions        yes    yes    no           no           own
recommendations                 yes    yes    own city     own          own leads
give feedback                   yes    yes    as itself    as itself    as itself
read feedback                   all    all    its own      its own      its own
imports                         yes    yes    no           no           no
keys                            yes    no     no           no           no
reports, staff page data        yes    yes    no           no           no
events: create, participants,   yes    yes    no           no           no
schedule, all meetings
event agenda (+ .ics), reply    any    any    own          own          own
to a meeting
==============================  =====  =====  ===========  ===========  ===========
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from graph_schema.errors import StoreUnavailable
from graph_schema.store import GraphStore, open_store

from . import errors, logs
from .auth import KeyCache, RateLimiter
from .deps import Breaker, EngineHolder
from .middleware import BodySizeLimit
from .result_cache import ResultCache
from .routers import (
    cities,
    docs,
    events,
    feedback,
    imports,
    keys,
    members,
    pages,
    programme,
    providers,
    recommendations,
    reference,
    reports,
    solutions,
    system,
    topics,
)
from .settings import Settings, get_settings

log = logging.getLogger("api")

DESCRIPTION = """Matchmaking for smart-city ecosystems: cities, solutions, providers and
experts on a property graph.

Authenticate with `Authorization: Bearer <key>` (create keys with `matchmaking keys create`).
Errors are RFC 9457 `application/problem+json`.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    logs.install()
    given: GraphStore | None = app.state.given_store
    store = given if given is not None else open_store(settings.store)
    app.state.store = store
    app.state.breaker = Breaker(store)
    app.state.engine = EngineHolder(store, settings)
    imports.clean_stale_uploads(settings)
    if settings.init_store:
        try:
            store.init()
        except StoreUnavailable as e:
            # Start anyway: /ready says 503 until the store answers, and requests recover.
            log.warning("store not available at startup: %s", e)
            app.state.breaker.trip()
    if settings.warm_engine:
        app.state.engine.warm()
    try:
        yield
    finally:
        app.state.engine.close()
        if given is None:
            store.close()


def create_app(settings: Settings | None = None, *, store: GraphStore | None = None) -> FastAPI:
    """Build the API application.

    Parameters
    ----------
    settings : Settings, optional
        Defaults to the ``MATCHMAKING_*`` environment (:func:`get_settings`).
    store : GraphStore, optional
        Use this open store instead of opening ``settings.store`` (the caller closes it).
    """
    settings = settings or get_settings()
    app = FastAPI(
        title="Smart-city matchmaking API",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        # any body that is not JSON (or nests too deep) is a 400 before validation
        responses=errors.problem_responses(400),
        docs_url=None,  # /docs and /redoc come from routers.docs: offline, no CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.given_store = store
    app.state.keys = KeyCache(settings.key_cache_seconds)
    app.state.limiter = RateLimiter(settings.rate_limit)
    app.state.results = ResultCache(settings.result_cache)
    errors.install(app)
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, import_bytes=settings.max_import_bytes
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Retry-After"],
        )
    docs.install(app)
    app.include_router(system.router)
    app.include_router(reference.router)
    app.include_router(cities.router)
    app.include_router(providers.router)
    app.include_router(solutions.router)
    app.include_router(members.router)
    app.include_router(topics.router)
    app.include_router(recommendations.router)
    app.include_router(feedback.router)
    app.include_router(events.router)
    app.include_router(imports.router)
    app.include_router(keys.router)
    app.include_router(reports.router)
    app.include_router(programme.router)
    app.include_router(pages.router)
    return app
