"""Staff reports (admin and staff keys).

- ``GET /reports/meetings``: "who should meet whom", the best matches of one kind for every
  city in scope, with scores and reasons, paged by cursor (see
  :func:`matchmaking.reports.meetings`); ``/reports/meetings.csv`` and ``.xlsx``: the whole
  report. The programme report is in :mod:`api.routers.programme`.

The staff pages that show them are in :mod:`api.routers.pages`.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from matchmaking import reports as report_mod
from matchmaking.kinds import CityKind

from .. import xlsx
from ..auth import Principal, require_staff
from ..deps import EngineDep, PrincipalDep, StoreDep
from ..errors import problem_responses
from ..schemas import country_codes, region_names

XLSX = xlsx.MEDIA_TYPE

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
    """One page of the meetings report (``count`` rows in ``data``) and the report's figures."""

    data: list[MeetingPublic]
    count: int
    total: int = Field(description="rows in the whole report (all pages)")
    cities_in_scope: int = Field(description="cities matching the filters (all are considered)")
    cities_considered: int = Field(description="cities the report looked at: every city in "
                                               "scope")
    cities_with_meetings: int
    cities_short: int = Field(description="cities with fewer than `per_city` rows")
    order: Literal["score", "city", "country"]
    max_per_candidate: int | None = None
    fairness: str = Field(description="the fairness option used, in words")
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on "
                                                "the last page")


KindQuery = CityKind
CountryQuery = Annotated[str | None, Query(pattern=r"^[A-Z]{2}$",
                                           description="ISO 3166-1 alpha-2 code of the cities",
                                           json_schema_extra={"enum": country_codes()})]
RegionQuery = Annotated[str | None, Query(max_length=100,
                                          description="UN M49 region or subregion of the cities",
                                          json_schema_extra={"enum": region_names()})]
PerCityQuery = Annotated[int, Query(ge=1, le=report_mod.MAX_PER_CITY,
                                    description="matches per city")]
OrderQuery = Annotated[Literal["score", "city", "country"], Query(
    description="score (best first), city (by city name) or country (then city name)")]
FairQuery = Annotated[int | None, Query(
    ge=1, le=report_mod.MAX_PER_CANDIDATE,
    description="fairness: no candidate (expert, provider, ...) more than this many times")]


def _public(m: report_mod.Meeting) -> MeetingPublic:
    return MeetingPublic(
        city=m.city_id, city_name=m.city_name, city_country=m.city_country,
        kind=m.kind,
        rank=m.rank, candidate=m.candidate_id, candidate_label=m.candidate_label,
        candidate_name=m.candidate_name, score=m.score, components=m.components,
        reasons=m.reasons)


@router.get("/meetings", response_model=MeetingsReport,
            summary="Who should meet whom: the best matches for every city in scope, paged")
def meetings_report(
    principal: StaffDep,
    store: StoreDep,
    engine: EngineDep,
    kind: KindQuery = CityKind.EXPERTS,
    country: CountryQuery = None,
    region: RegionQuery = None,
    per_city: PerCityQuery = 1,
    order: OrderQuery = "score",
    max_per_candidate: FairQuery = None,
    limit: Annotated[int, Query(ge=1, le=report_mod.MAX_LIMIT,
                                description="rows per page")] = 50,
    cursor: Annotated[str | None, Query(max_length=2000,
                                        description="`next_cursor` of the previous page")
                      ] = None,
) -> MeetingsReport:
    """For every city in scope (matching `country` and `region`), its best `per_city`
    matches of `kind`, with score components and reasons; `limit` rows per page in `order`,
    the next page through `next_cursor`. Members not open to matches and declined pairs never
    appear. Admin and staff keys only."""
    page = report_mod.meetings(engine, store, kind=kind, country=country, region=region,
                               limit=limit, per_city=per_city, order=order,
                               max_per_candidate=max_per_candidate, cursor=cursor)
    rep = page.report
    data = [_public(m) for m in page.meetings]
    return MeetingsReport(
        data=data, count=len(data), total=len(rep.meetings), cities_in_scope=rep.cities_in_scope,
        cities_considered=rep.cities_in_scope, cities_with_meetings=rep.cities_with_meetings,
        cities_short=rep.cities_short, order=rep.order,
        max_per_candidate=rep.max_per_candidate, fairness=rep.fairness,
        next_cursor=page.next_cursor)


CSV_COLUMNS = ("score", "city", "city_name", "city_country", "kind", "rank", "candidate",
               "candidate_label", "candidate_name", "components", "reasons")


def _cells(m: report_mod.Meeting) -> list[Any]:
    comps = "; ".join(f"{k}={v}" for k, v in m.components.items())
    return [m.score, m.city_id, m.city_name, m.city_country, m.kind, m.rank, m.candidate_id,
            m.candidate_label, m.candidate_name, comps, " | ".join(m.reasons)]


def _safe(v: Any) -> Any:
    """A text cell starting with = + - @ would run as a formula in a spreadsheet."""
    return "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v


def _download_name(rep: report_mod.MeetingsReport, ext: str) -> str:
    fair = f"-max{rep.max_per_candidate}" if rep.max_per_candidate else ""
    return f'attachment; filename="meetings-{rep.kind}-{rep.order}{fair}.{ext}"'


@router.get("/meetings.csv", response_class=Response,
            summary="The whole meetings report as CSV (every page)",
            responses={200: {"content": {"text/csv": {}}}})
def meetings_csv(principal: StaffDep, store: StoreDep, engine: EngineDep,
                 kind: KindQuery = CityKind.EXPERTS, country: CountryQuery = None,
                 region: RegionQuery = None, per_city: PerCityQuery = 1,
                 order: OrderQuery = "score", max_per_candidate: FairQuery = None) -> Response:
    """Every row of `GET /reports/meetings` for these parameters, in its order. Admin and
    staff keys only."""
    rep = report_mod.meetings_report(engine, store, kind=kind, country=country, region=region,
                                     per_city=per_city, order=order,
                                     max_per_candidate=max_per_candidate)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    w.writerows([_safe(v) for v in _cells(m)] for m in rep.meetings)
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": _download_name(rep, "csv"),
                             "X-Fairness": rep.fairness})


@router.get("/meetings.xlsx", response_class=Response,
            summary="The whole meetings report as an Excel workbook",
            responses={200: {"content": {XLSX: {}}}})
def meetings_xlsx(principal: StaffDep, store: StoreDep, engine: EngineDep,
                  kind: KindQuery = CityKind.EXPERTS, country: CountryQuery = None,
                  region: RegionQuery = None, per_city: PerCityQuery = 1,
                  order: OrderQuery = "score", max_per_candidate: FairQuery = None) -> Response:
    """Every row of `GET /reports/meetings` (sheet `meetings`) and the options used (sheet
    `about`). Admin and staff keys only."""
    rep = report_mod.meetings_report(engine, store, kind=kind, country=country, region=region,
                                     per_city=per_city, order=order,
                                     max_per_candidate=max_per_candidate)
    about = [("kind", rep.kind), ("country", country or "all"), ("region", region or "all"),
             ("per_city", rep.per_city), ("order", rep.order), ("fairness", rep.fairness),
             ("cities_in_scope", rep.cities_in_scope), ("rows", len(rep.meetings))]
    body = xlsx.workbook({"meetings": [CSV_COLUMNS, *([_safe(v) for v in _cells(m)]
                                                      for m in rep.meetings)],
                          "about": about})
    return Response(body, media_type=XLSX,
                    headers={"Content-Disposition": _download_name(rep, "xlsx")})

