"""Recommendations: for a city (solutions, providers, peers, experts), a member
(opportunities) and a provider (leads). Staff may ask for anyone; a bound key only for its
own object. The engine leaves out members who are not open to matches and pairs declined
in feedback.
"""

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request, Response

from graph_schema.errors import InvalidInput, NotFound
from graph_schema.schema import Label, ProviderKind, SolutionCategory
from matchmaking.engine import Engine
from matchmaking.filtering import Filters, RecommendOptions
from matchmaking.keys import Role
from matchmaking.service import Service

from ..auth import Principal, require_self_or_staff
from ..deps import EngineDep, PrincipalDep, ServiceDep
from ..errors import problem_responses
from ..result_cache import ResultCache
from ..schemas import (
    CityKind,
    Kind,
    RecommendationsPublic,
    country_codes,
    region_names,
)

MAX_K = 100
IdPath = Annotated[str, Path(max_length=128)]


class RecommendationQuery:
    """The engine's options and filters, as query parameters."""

    def __init__(
        self,
        k: Annotated[int, Query(ge=1, le=MAX_K, description="number of results")] = 10,
        country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$",
                                             json_schema_extra={"enum": country_codes()})
                           ] = None,
        region: Annotated[str | None, Query(max_length=100, description="UN M49 region",
                                            json_schema_extra={"enum": region_names()})] = None,
        language: Annotated[str | None, Query(pattern=r"^[a-z]{2}$")] = None,
        sdg: Annotated[int | None, Query(ge=1, le=17)] = None,
        category: SolutionCategory | None = None,
        max_cost: Literal["low", "medium", "high"] | None = None,
        provider_kind: ProviderKind | None = None,
        include_known: bool = False,
        diversify: bool = False,
        reciprocal: bool = False,
        group: Annotated[bool, Query(description=(
            "solutions: show near-duplicate offers of one idea (the same kind of solution "
            "from several providers) once: the best offer, with the others in "
            "'also_offered_by'. false lists every offer separately. Other kinds ignore it."
        ))] = True,
    ) -> None:
        self.k = k
        self.filters: dict[str, Any] = {
            "country": country,
            "region": region,
            "language": language,
            "sdg": sdg,
            "category": category,
            "max_cost": max_cost,
            "provider_kind": provider_kind,
        }
        self.options = {
            "include_known": include_known,
            "diversify": diversify,
            "reciprocal": reciprocal,
            "group": group,
        }


QueryDep = Annotated[RecommendationQuery, Depends()]


def _owner(role: Role) -> Any:
    """A dependency that lets staff and the bound key of ``role`` on ``{id}`` through; it runs
    before the engine is touched."""

    async def check(principal: PrincipalDep, id: IdPath) -> Principal:  # no I/O: on the loop
        require_self_or_staff(principal, id, frozenset({role}))
        return principal

    return Depends(check)


CityOwner = Annotated[Principal, _owner(Role.CITY)]
MemberOwner = Annotated[Principal, _owner(Role.MEMBER)]
ProviderOwner = Annotated[Principal, _owner(Role.PROVIDER)]
router = APIRouter(tags=["recommendations"],
                   responses=problem_responses(401, 403, 404, 422, 429, 503))


def _recommend(
    request: Request, engine: Engine, service: Service, label: Label, subject: str, kind: str,
    rq: RecommendationQuery,
) -> Response:
    """The response body, from the process's result cache when the store has not changed
    since it was computed (see :mod:`api.result_cache`); else computed and serialised with
    orjson straight from the engine's output (its shape is RecommendationsPublic)."""
    cache: ResultCache = request.app.state.results
    generation = service.store.generation()
    key = (kind, subject, rq.k, tuple(rq.filters.items()), tuple(rq.options.items()))
    body = cache.get(generation, key)
    if body is not None:
        return Response(body, media_type="application/json")
    filters = Filters(**{k: v for k, v in rq.filters.items() if v is not None})
    options = RecommendOptions(**rq.options)
    # The engine's in-memory snapshot answers without a store round trip. Only an id it does
    # not know (unknown, of another label, or newer than the snapshot) is looked up in the
    # store: 404 naming the id, or a refresh of the snapshot and a retry.
    try:
        recs = engine.recommend(kind, subject, k=rq.k, filters=filters, options=options)
    except (NotFound, InvalidInput):
        service.get(label, subject)
        engine.refresh(force=True)
        recs = engine.recommend(kind, subject, k=rq.k, filters=filters, options=options)
    body = orjson.dumps({"subject": subject, "kind": kind, "data": [r.to_json() for r in recs],
                         "count": len(recs)})
    if engine.generation() == generation:  # computed on a snapshot of this very store state
        cache.put(generation, key, body)
    return Response(body, media_type="application/json")


@router.get("/cities/{id}/recommendations/{kind}", response_model=RecommendationsPublic,
            summary="Recommend solutions, providers, peer cities or experts for a city")
def city_recommendations(
    request: Request, principal: CityOwner, service: ServiceDep, engine: EngineDep, id: IdPath,
    kind: CityKind, rq: QueryDep,
) -> Response:
    return _recommend(request, engine, service, Label.CITY, id, kind, rq)


@router.get("/members/{id}/recommendations/opportunities",
            response_model=RecommendationsPublic,
            summary="Recommend opportunities (cities to help) for a member")
def member_opportunities(
    request: Request, principal: MemberOwner, service: ServiceDep, engine: EngineDep,
    id: IdPath, rq: QueryDep,
) -> Response:
    return _recommend(request, engine, service, Label.MEMBER, id, Kind.OPPORTUNITIES, rq)


@router.get("/providers/{id}/recommendations/leads", response_model=RecommendationsPublic,
            summary="Recommend leads (cities likely to need its solutions) for a provider")
def provider_leads(
    request: Request, principal: ProviderOwner, service: ServiceDep, engine: EngineDep,
    id: IdPath, rq: QueryDep,
) -> Response:
    return _recommend(request, engine, service, Label.PROVIDER, id, Kind.LEADS, rq)
