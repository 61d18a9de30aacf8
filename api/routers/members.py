"""``/members``: the Member entity, its expertise and its affiliations.

The list is staff-only; a member hidden from the caller (``open_to_matches`` false) is a 404,
links included. Access rules: :mod:`api.routers.entities` and :mod:`api.routers.links`.
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Request, Response, status

from graph_schema.schema import Label, RelType

from ..auth import require_staff
from ..deps import PrincipalDep, ServiceDep
from ..errors import problem_responses
from ..schemas import (
    AffiliationProps,
    ExpertiseProps,
    LinkPublic,
    LinksPublic,
    MemberCreate,
    MemberPublic,
    MembersPublic,
    MemberUpdate,
)
from . import entities, links
from .entities import Country, Limit, NameQuery, Offset
from .links import MEMBER, STAFF_ONLY, IdPath, TargetPath

router = APIRouter(prefix="/members", tags=["members"], responses=entities.RESPONSES)
MemberId = Annotated[str, Path(description="Member id", max_length=128)]
NOT_FOUND = problem_responses(404)


@router.get("", response_model=MembersPublic, response_model_exclude_none=True,
            summary="List members", description=entities.list_description("members"))
def list_members(
    principal: PrincipalDep, service: ServiceDep, limit: Limit = 50, offset: Offset = 0,
    q: NameQuery = None, country: Country | None = None,
    kind: Literal["expert", "city_official", "provider_staff", "researcher", "other"]
    | None = None,
) -> dict[str, Any]:
    require_staff(principal)
    return entities.list_page(principal, service, Label.MEMBER, limit=limit, offset=offset,
                              q=q, country=country, kind=kind)


@router.get("/{id}", response_model=MemberPublic, response_model_exclude_none=True,
            summary="Read one member", responses=NOT_FOUND)
def read_member(principal: PrincipalDep, service: ServiceDep, id: MemberId) -> dict[str, Any]:
    return entities.read(principal, service, Label.MEMBER, id)


@router.post("", response_model=MemberPublic, response_model_exclude_none=True,
             status_code=status.HTTP_201_CREATED, summary="Create a member",
             responses=problem_responses(409))
def create_member(
    principal: PrincipalDep, service: ServiceDep,
    body: Annotated[MemberCreate, Body()],  # type: ignore[valid-type]
) -> dict[str, Any]:
    return entities.create(principal, service, Label.MEMBER, body)


@router.patch("/{id}", response_model=MemberPublic, response_model_exclude_none=True,
              summary="Change a member", responses=NOT_FOUND)
def update_member(
    principal: PrincipalDep, service: ServiceDep, id: MemberId,
    body: Annotated[MemberUpdate, Body()],  # type: ignore[valid-type]
) -> dict[str, Any]:
    return entities.update(principal, service, Label.MEMBER, id, body)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               summary="Delete a member and its relationships", responses=NOT_FOUND)
def delete_member(
    principal: PrincipalDep, service: ServiceDep, id: MemberId, request: Request
) -> Response:
    return entities.delete(principal, service, Label.MEMBER, id, request.app.state.keys)


# --------------------------------------------------------------------------- expertise


@router.get("/{id}/expertise", response_model=LinksPublic,
            summary="List the member expertise", responses=NOT_FOUND)
def list_member_expertise(principal: PrincipalDep, service: ServiceDep, id: IdPath
                          ) -> LinksPublic:
    return links.list_links(principal, service, Label.MEMBER, id, RelType.EXPERT_IN)


@router.put("/{id}/expertise/{target}", response_model=LinkPublic,
            summary="Add or replace one of the member expertise (with its properties)",
            responses=NOT_FOUND)
def put_member_expertise(
    principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath,
    body: Annotated[ExpertiseProps | None, Body()] = None,
) -> LinkPublic:
    return links.put_link(principal, service, Label.MEMBER, id, RelType.EXPERT_IN, target,
                          body, writers=MEMBER)


@router.delete("/{id}/expertise/{target}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, summary="Remove one of the member expertise",
               responses=NOT_FOUND)
def delete_member_expertise(
    principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath
) -> Response:
    return links.delete_link(principal, service, Label.MEMBER, id, RelType.EXPERT_IN, target,
                             writers=MEMBER)


# --------------------------------------------------------------------------- affiliations


@router.get("/{id}/affiliations", response_model=LinksPublic,
            summary="List the member affiliations", responses=NOT_FOUND)
def list_member_affiliations(principal: PrincipalDep, service: ServiceDep, id: IdPath
                             ) -> LinksPublic:
    return links.list_links(principal, service, Label.MEMBER, id, RelType.WORKS_FOR)


@router.put("/{id}/affiliations/{target}", response_model=LinkPublic,
            summary="Add or replace one of the member affiliations (with its properties)",
            responses=NOT_FOUND)
def put_member_affiliations(
    principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath,
    body: Annotated[AffiliationProps | None, Body()] = None,
) -> LinkPublic:
    return links.put_link(principal, service, Label.MEMBER, id, RelType.WORKS_FOR, target,
                          body, writers=STAFF_ONLY)


@router.delete("/{id}/affiliations/{target}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, summary="Remove one of the member affiliations",
               responses=NOT_FOUND)
def delete_member_affiliations(
    principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath
) -> Response:
    return links.delete_link(principal, service, Label.MEMBER, id, RelType.WORKS_FOR, target,
                             writers=STAFF_ONLY)
