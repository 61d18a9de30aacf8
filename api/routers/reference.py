"""Reference data: the 17 SDGs, countries (with UN M49 regions) and KPIs. Any key may read."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from graph_schema import reference
from graph_schema.schema import Label

from ..deps import PrincipalDep, ServiceDep
from ..errors import problem_responses
from ..schemas import CountriesPublic, CountryPublic, KPIPublic, KPIsPublic, SDGPublic, SDGsPublic

router = APIRouter(tags=["reference"], responses=problem_responses(401, 422, 429, 503))


@router.get("/sdgs", response_model=SDGsPublic, summary="The 17 UN Sustainable Development Goals")
def list_sdgs(principal: PrincipalDep) -> SDGsPublic:
    data = [SDGPublic(**s) for s in reference.sdgs()]
    return SDGsPublic(data=data, count=len(data))


@router.get("/countries", response_model=CountriesPublic, summary="Countries (ISO 3166-1)")
def list_countries(
    principal: PrincipalDep,
    region: Annotated[str | None, Query(max_length=100, description="UN M49 region")] = None,
    q: Annotated[str | None, Query(max_length=100, description="text in the name")] = None,
) -> CountriesPublic:
    rows = reference.countries()
    if region:
        rows = [c for c in rows if region.lower() in (c.get("region", "").lower(),
                                                         c.get("subregion", "").lower())]
    if q:
        rows = [c for c in rows if q.lower() in c["name"].lower()]
    data = [CountryPublic(**{k: v for k, v in c.items() if v not in (None, "")}) for c in rows]
    return CountriesPublic(data=data, count=len(data))


@router.get("/kpis", response_model=KPIsPublic, response_model_exclude_none=True,
            summary="KPIs: the U4SSC catalogue and any defined by imported data")
def list_kpis(
    principal: PrincipalDep,
    service: ServiceDep,
    dimension: Annotated[str | None, Query(max_length=100)] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=100, description="text in the name")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Any:
    equals: dict[str, str | int | float | bool] = {}
    if dimension:
        equals["dimension"] = dimension
    if category:
        equals["category"] = category
    nodes, total = service.find(Label.KPI, equals=equals, q=q, limit=limit, offset=offset)
    return {"data": [KPIPublic(id=n.id, **n.props) for n in nodes], "count": total}
