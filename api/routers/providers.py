"""``/providers``: the Provider entity and the solutions it offers.

Access rules: :mod:`api.routers.entities` (the entity) and :mod:`api.routers.links`.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request, Response, status

from graph_schema.schema import Label, ProviderKind, RelType

from ..deps import PrincipalDep, ServiceDep
from ..errors import problem_responses
from ..schemas import (
    LinkPublic,
    LinksPublic,
    OfferProps,
    ProviderCreate,
    ProviderPublic,
    ProvidersPublic,
    ProviderUpdate,
)
from . import entities, links
from .entities import Country, Limit, NameQuery, Offset
from .links import PROVIDER, IdPath, TargetPath

router = APIRouter(prefix="/providers", tags=["providers"], responses=entities.RESPONSES)
ProviderId = Annotated[str, Path(description="Provider id", max_length=128)]
NOT_FOUND = problem_responses(404)


@router.get("", response_model=ProvidersPublic, response_model_exclude_none=True,
            summary="List providers", description=entities.list_description("providers"))
def list_providers(
    principal: PrincipalDep, service: ServiceDep, limit: Limit = 50, offset: Offset = 0,
    q: NameQuery = None, country: Country | None = None,
    kind: ProviderKind | None = None,
) -> dict[str, Any]:
    return entities.list_page(principal, service, Label.PROVIDER, limit=limit, offset=offset,
                              q=q, country=country, kind=kind)


@router.get("/{id}", response_model=ProviderPublic, response_model_exclude_none=True,
            summary="Read one provider", responses=NOT_FOUND)
def read_provider(principal: PrincipalDep, service: ServiceDep, id: ProviderId
                  ) -> dict[str, Any]:
    return entities.read(principal, service, Label.PROVIDER, id)


@router.post("", response_model=ProviderPublic, response_model_exclude_none=True,
             status_code=status.HTTP_201_CREATED, summary="Create a provider",
             responses=problem_responses(409))
def create_provider(
    principal: PrincipalDep, service: ServiceDep,
    body: Annotated[ProviderCreate, Body()],  # type: ignore[valid-type]
) -> dict[str, Any]:
    return entities.create(principal, service, Label.PROVIDER, body)


@router.patch("/{id}", response_model=ProviderPublic, response_model_exclude_none=True,
              summary="Change a provider", responses=NOT_FOUND)
def update_provider(
    principal: PrincipalDep, service: ServiceDep, id: ProviderId,
    body: Annotated[ProviderUpdate, Body()],  # type: ignore[valid-type]
) -> dict[str, Any]:
    return entities.update(principal, service, Label.PROVIDER, id, body)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               summary="Delete a provider and its relationships", responses=NOT_FOUND)
def delete_provider(
    principal: PrincipalDep, service: ServiceDep, id: ProviderId, request: Request
) -> Response:
    return entities.delete(principal, service, Label.PROVIDER, id, request.app.state.keys)


# --------------------------------------------------------------------------- solutions


@router.get("/{id}/solutions", response_model=LinksPublic,
            summary="List the provider solutions", responses=NOT_FOUND)
def list_provider_solutions(principal: PrincipalDep, service: ServiceDep, id: IdPath
                            ) -> LinksPublic:
    return links.list_links(principal, service, Label.PROVIDER, id, RelType.OFFERS)


@router.put("/{id}/solutions/{target}", response_model=LinkPublic,
            summary="Add or replace one of the provider solutions (with its properties)",
            responses=NOT_FOUND)
def put_provider_solutions(
    principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath,
    body: Annotated[OfferProps | None, Body()] = None,
) -> LinkPublic:
    return links.put_link(principal, service, Label.PROVIDER, id, RelType.OFFERS, target,
                          body, writers=PROVIDER)


@router.delete("/{id}/solutions/{target}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, summary="Remove one of the provider solutions",
               responses=NOT_FOUND)
def delete_provider_solutions(
    principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath
) -> Response:
    return links.delete_link(principal, service, Label.PROVIDER, id, RelType.OFFERS, target,
                             writers=PROVIDER)
