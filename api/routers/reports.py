"""Staff reports (admin and staff keys).

- ``GET /reports/meetings``: "who should meet whom", the best matches of one kind for each
  city in scope, with scores and reasons (see :func:`matchmaking.reports.meetings`).

The staff pages that show them are in :mod:`api.routers.pages`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from matchmaking import reports as report_mod
from matchmaking.kinds import CityKind

from ..auth import Principal, require_staff
from ..deps import EngineDep, PrincipalDep, StoreDep
from ..errors import problem_responses

router = APIRouter(prefix="/reports", tags=["reports"],
                   responses=problem_responses(401, 403, 422, 429, 503))


def _staff(principal: PrincipalDep) -> Principal:
    """Admin and staff keys only; runs before the engine is touched."""
    require_staff(principal)
    return principal


StaffDep = Annotated[Principal, Depends(_staff)]


class MeetingPublic(BaseModel):
    """One suggested meeting: a city, a candidate of ``kind``, the score and the reasons."""

    city: str = Field(description="city id")
    city_name: str
    city_country: str | None = None
    kind: CityKind
    rank: int = Field(description="rank of the candidate among this city's matches (1 = best)")
    candidate: str = Field(description="candidate id")
    candidate_label: str
    candidate_name: str
    score: float
    components: dict[str, float] = Field(default_factory=dict)
    reasons: list[str] = Field(default_factory=list)


class MeetingsReport(BaseModel):
    """Meetings sorted by (-score, city, candidate); ``count`` is the number in ``data``."""

    data: list[MeetingPublic]
    count: int
    cities_in_scope: int = Field(description="cities matching the filters")
    cities_considered: int = Field(
        description="cities the report looked at: the first `limit` in scope by id")


@router.get("/meetings", response_model=MeetingsReport,
            summary="Who should meet whom: the best matches for each city in scope")
def meetings_report(
    principal: StaffDep,
    store: StoreDep,
    engine: EngineDep,
    kind: CityKind = CityKind.EXPERTS,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$",
                                         description="ISO 3166-1 alpha-2 code of the cities")
                       ] = None,
    region: Annotated[str | None, Query(max_length=100,
                                        description="UN M49 region or subregion of the cities")
                      ] = None,
    limit: Annotated[int, Query(ge=1, le=report_mod.MAX_LIMIT,
                                description="at most this many cities and rows")] = 50,
    per_city: Annotated[int, Query(ge=1, le=report_mod.MAX_PER_CITY,
                                   description="matches per city")] = 1,
) -> MeetingsReport:
    """For each city in scope (the first `limit` by id matching `country` and `region`), its
    best `per_city` matches of `kind`, with score components and reasons; at most `limit`
    rows, best first. Members not open to matches and declined pairs never appear.
    Admin and staff keys only."""
    report = report_mod.meetings(engine, store, kind=kind, country=country, region=region,
                                 limit=limit, per_city=per_city)
    data = [
        MeetingPublic(
            city=m.city_id, city_name=m.city_name, city_country=m.city_country, kind=kind,
            rank=m.rank, candidate=m.candidate_id, candidate_label=m.candidate_label,
            candidate_name=m.candidate_name, score=m.score, components=m.components,
            reasons=m.reasons,
        )
        for m in report.meetings
    ]
    return MeetingsReport(data=data, count=len(data), cities_in_scope=report.cities_in_scope,
                          cities_considered=report.cities_considered)

