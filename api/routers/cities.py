"""``/cities``: the City entity and its links (implementations, needs, SDGs, KPIs).

Access rules: :mod:`api.routers.entities` (the entity) and :mod:`api.routers.links`.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request, Response, status

from graph_schema.schema import Label, RelType

from ..deps import PrincipalDep, ServiceDep
from ..errors import problem_responses
from ..schemas import (
    CitiesPublic,
    CityCreate,
    CityPublic,
    CityUpdate,
    ImplementationProps,
    LinkPublic,
    LinksPublic,
    MeasurementProps,
    NeedProps,
    PriorityProps,
)
from . import entities, links
from .entities import Country, Limit, NameQuery, Offset
from .links import CITY, STAFF_ONLY, IdPath, TargetPath

router = APIRouter(prefix="/cities", tags=["cities"], responses=entities.RESPONSES)
CityId = Annotated[str, Path(description="City id", max_length=128)]
NOT_FOUND = problem_responses(404)


@router.get("", response_model=CitiesPublic, response_model_exclude_none=True,
            summary="List cities", description=entities.list_description("cities"))
def list_cities(
    principal: PrincipalDep, service: ServiceDep, limit: Limit = 50, offset: Offset = 0,
    q: NameQuery = None, country: Country | None = None,
) -> dict[str, Any]:
    return entities.list_page(principal, service, Label.CITY, limit=limit, offset=offset, q=q,
                              country=country)


@router.get("/{id}", response_model=CityPublic, response_model_exclude_none=True,
            summary="Read one city", responses=NOT_FOUND)
def read_city(principal: PrincipalDep, service: ServiceDep, id: CityId) -> dict[str, Any]:
    return entities.read(principal, service, Label.CITY, id)


@router.post("", response_model=CityPublic, response_model_exclude_none=True,
             status_code=status.HTTP_201_CREATED, summary="Create a city",
             responses=problem_responses(409))
def create_city(
    principal: PrincipalDep, service: ServiceDep,
    body: Annotated[CityCreate, Body()],  # type: ignore[valid-type]
) -> dict[str, Any]:
    return entities.create(principal, service, Label.CITY, body)


@router.patch("/{id}", response_model=CityPublic, response_model_exclude_none=True,
              summary="Change a city", responses=NOT_FOUND)
def update_city(
    principal: PrincipalDep, service: ServiceDep, id: CityId,
    body: Annotated[CityUpdate, Body()],  # type: ignore[valid-type]
) -> dict[str, Any]:
    return entities.update(principal, service, Label.CITY, id, body)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               summary="Delete a city and its relationships", responses=NOT_FOUND)
def delete_city(
    principal: PrincipalDep, service: ServiceDep, id: CityId, request: Request
) -> Response:
    return entities.delete(principal, service, Label.CITY, id, request.app.state.keys)


# --------------------------------------------------------------------------- implementations


@router.get("/{id}/implementations", response_model=LinksPublic,
            summary="List the city implementations", responses=NOT_FOUND)
def list_city_implementations(principal: PrincipalDep, service: ServiceDep, id: IdPath
                              ) -> LinksPublic:
    return links.list_links(principal, service, Label.CITY, id, RelType.IMPLEMENTED)


@router.put("/{id}/implementations/{target}", response_model=LinkPublic,
            summary="Add or replace one of the city implementations (with its properties)",
            responses=NOT_FOUND)
def put_city_implementations(
    principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath,
    body: Annotated[ImplementationProps | None, Body()] = None,
) -> LinkPublic:
    return links.put_link(principal, service, Label.CITY, id, RelType.IMPLEMENTED, target,
                          body, writers=STAFF_ONLY)


@router.delete("/{id}/implementations/{target}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, summary="Remove one of the city implementations",
               responses=NOT_FOUND)
def delete_city_implementations(
    principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath
) -> Response:
    return links.delete_link(principal, service, Label.CITY, id, RelType.IMPLEMENTED, target,
                             writers=STAFF_ONLY)


# --------------------------------------------------------------------------- needs


@router.get("/{id}/needs", response_model=LinksPublic, summary="List the city needs",
            responses=NOT_FOUND)
def list_city_needs(principal: PrincipalDep, service: ServiceDep, id: IdPath) -> LinksPublic:
    return links.list_links(principal, service, Label.CITY, id, RelType.NEEDS)


@router.put("/{id}/needs/{target}", response_model=LinkPublic,
            summary="Add or replace one of the city needs (with its properties)",
            responses=NOT_FOUND)
def put_city_needs(
    principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath,
    body: Annotated[NeedProps | None, Body()] = None,
) -> LinkPublic:
    return links.put_link(principal, service, Label.CITY, id, RelType.NEEDS, target, body,
                          writers=CITY)


@router.delete("/{id}/needs/{target}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, summary="Remove one of the city needs",
               responses=NOT_FOUND)
def delete_city_needs(
    principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath
) -> Response:
    return links.delete_link(principal, service, Label.CITY, id, RelType.NEEDS, target,
                             writers=CITY)


# --------------------------------------------------------------------------- sdgs


@router.get("/{id}/sdgs", response_model=LinksPublic, summary="List the city sdgs",
            responses=NOT_FOUND)
def list_city_sdgs(principal: PrincipalDep, service: ServiceDep, id: IdPath) -> LinksPublic:
    return links.list_links(principal, service, Label.CITY, id, RelType.PRIORITIZES)


@router.put("/{id}/sdgs/{target}", response_model=LinkPublic,
            summary="Add or replace one of the city sdgs (with its properties)",
            responses=NOT_FOUND)
def put_city_sdgs(
    principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath,
    body: Annotated[PriorityProps | None, Body()] = None,
) -> LinkPublic:
    return links.put_link(principal, service, Label.CITY, id, RelType.PRIORITIZES, target,
                          body, writers=CITY)


@router.delete("/{id}/sdgs/{target}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, summary="Remove one of the city sdgs",
               responses=NOT_FOUND)
def delete_city_sdgs(
    principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath
) -> Response:
    return links.delete_link(principal, service, Label.CITY, id, RelType.PRIORITIZES, target,
                             writers=CITY)


# --------------------------------------------------------------------------- kpis


@router.get("/{id}/kpis", response_model=LinksPublic, summary="List the city kpis",
            responses=NOT_FOUND)
def list_city_kpis(principal: PrincipalDep, service: ServiceDep, id: IdPath) -> LinksPublic:
    return links.list_links(principal, service, Label.CITY, id, RelType.MEASURES)


@router.put("/{id}/kpis/{target}", response_model=LinkPublic,
            summary="Add or replace one of the city kpis (with its properties)",
            responses=NOT_FOUND)
def put_city_kpis(
    principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath,
    body: Annotated[MeasurementProps, Body()],
) -> LinkPublic:
    return links.put_link(principal, service, Label.CITY, id, RelType.MEASURES, target, body,
                          writers=CITY)


@router.delete("/{id}/kpis/{target}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, summary="Remove one of the city kpis",
               responses=NOT_FOUND)
def delete_city_kpis(
    principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath
) -> Response:
    return links.delete_link(principal, service, Label.CITY, id, RelType.MEASURES, target,
                             writers=CITY)
