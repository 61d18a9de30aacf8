"""Health, readiness and statistics."""

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from ..deps import PrincipalDep, StoreDep
from ..errors import problem_responses
from ..schemas import Health, StatsPublic

router = APIRouter(tags=["system"])


@router.get("/health", response_model=Health, summary="The process is up (no store access)")
async def health() -> Health:
    return Health(status="ok")


@router.get("/ready", response_model=Health, responses=problem_responses(503),
            summary="The store answers (503 when it does not)")
async def ready(request: Request) -> Health:
    store = request.app.state.store
    await run_in_threadpool(store.ping)  # StoreUnavailable -> 503 (api.errors)
    request.app.state.breaker.close()
    return Health(status="ok")


@router.get("/stats", response_model=StatsPublic,
            responses=problem_responses(401, 429, 503),
            summary="Node counts per label and relationship counts per type")
def stats(principal: PrincipalDep, store: StoreDep) -> StatsPublic:
    counts = store.counts()
    nodes = {k: v for k, v in counts.nodes.items() if k != "ApiKey"}
    rels = {k: v for k, v in counts.rels.items()}
    return StatsPublic(nodes=nodes, relationships=rels, generation=store.generation())
