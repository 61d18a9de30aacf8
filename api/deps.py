"""FastAPI dependencies as ``Annotated`` aliases: StoreDep, ServiceDep, EngineDep, PrincipalDep.

The store and the engine live on ``app.state`` (opened in the lifespan, one per process).
A small circuit breaker sits in front of the store: after a :class:`StoreUnavailable` the
API answers 503 at once instead of waiting for driver timeouts, and probes the store with a
cheap ping at most once per ``PROBE_INTERVAL``; the first successful ping closes it again. No
connection state is cached: the driver reconnects by itself.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from graph_schema.errors import StoreUnavailable
from graph_schema.store import GraphStore
from matchmaking.engine import Engine
from matchmaking.service import Service

from .auth import Principal
from .errors import unauthorized
from .settings import Settings

PROBE_INTERVAL = 1.0
log = logging.getLogger("api")


class Breaker:
    """Fail fast while the store is known to be down; probe it now and then."""

    def __init__(self, store: GraphStore, probe_interval: float = PROBE_INTERVAL) -> None:
        self.store = store
        self.probe_interval = probe_interval
        self._open = False
        self._next_probe = 0.0
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self._open

    def trip(self) -> None:
        with self._lock:
            if not self._open:
                self._open = True
                self._next_probe = time.monotonic() + self.probe_interval

    def close(self) -> None:
        with self._lock:
            self._open = False

    def check(self) -> None:
        """Raise :class:`StoreUnavailable` at once while open, except for one probe."""
        if not self._open:
            return
        with self._lock:
            if not self._open:
                return
            now = time.monotonic()
            if now < self._next_probe:
                raise StoreUnavailable("the store was unreachable a moment ago")
            self._next_probe = now + self.probe_interval
        self.store.ping()  # raises StoreUnavailable if still down
        self.close()


class EngineHolder:
    """Builds the recommendation engine on first use (so a store that is down at startup
    does not stop the API) and keeps it for the life of the process."""

    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._warmer: threading.Thread | None = None

    def get(self) -> Engine:
        """The engine, built on the first call (thread-safe)."""
        engine = self._engine
        if engine is None:
            with self._lock:
                engine = self._engine
                if engine is None:
                    engine = self._engine = Engine(
                        self.store,
                        refresh_interval=self.settings.engine_refresh,
                        random_state=self.settings.random_state,
                    )
        return engine

    @property
    def built(self) -> Engine | None:
        """The engine if it has been built already, else None (never builds it)."""
        return self._engine

    def warm(self) -> threading.Thread:
        """Build the engine and its projection in a background thread (best effort)."""

        def run() -> None:
            try:
                self.get().refresh()
            except Exception as e:  # the first request will try again and report it
                log.warning("engine warm-up failed: %s", type(e).__name__)

        self._warmer = threading.Thread(target=run, name="engine-warmup", daemon=True)
        self._warmer.start()
        return self._warmer

    def close(self) -> None:
        """Wait for a running warm-up, then close the engine (it is built again if used)."""
        if self._warmer is not None:
            self._warmer.join(timeout=60)
        if self._engine is not None:
            self._engine.close()
        self._engine = None


# The dependencies below are ``async`` so that FastAPI calls them on the event loop instead of
# handing each one to the thread pool (a thread hop per dependency per request). Whatever may
# block (a probe of a store known to be down, building the engine) still runs in the pool.


def _checked_store(request: Request) -> GraphStore:
    """The process's store, after the circuit breaker check (may probe the store)."""
    request.app.state.breaker.check()
    store: GraphStore = request.app.state.store
    return store


async def get_store(request: Request) -> GraphStore:
    """The process's store, after the circuit breaker check."""
    breaker: Breaker = request.app.state.breaker
    if breaker.is_open:  # the check may probe the store: not on the event loop
        await run_in_threadpool(breaker.check)
    store: GraphStore = request.app.state.store
    return store


async def get_service(store: Annotated[GraphStore, Depends(get_store)]) -> Service:
    return Service(store)


async def get_engine(request: Request, store: Annotated[GraphStore, Depends(get_store)]) -> Engine:
    """The process's recommendation engine (built on first use, in the thread pool)."""
    holder: EngineHolder = request.app.state.engine
    engine = holder.built
    if engine is not None:
        return engine
    return await run_in_threadpool(holder.get)  # builds it: not on the event loop


bearer = HTTPBearer(
    auto_error=False,
    description="An API key: `Authorization: Bearer mm_<key_id>_<secret>` "
    "(create one with `matchmaking keys create`).",
)


def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller, from a valid key; 401 otherwise, 429 over the rate limit."""
    if credentials is None or not credentials.credentials:
        raise unauthorized("missing API key: send 'Authorization: Bearer <key>'")
    state = request.app.state
    principal: Principal = state.keys.authenticate(_checked_store(request),
                                                   credentials.credentials)
    state.limiter.check(principal.key_id)
    return principal


StoreDep = Annotated[GraphStore, Depends(get_store)]
ServiceDep = Annotated[Service, Depends(get_service)]
EngineDep = Annotated[Engine, Depends(get_engine)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
