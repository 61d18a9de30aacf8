"""Relationship sub-resources: list, upsert (PUT with properties) and delete.

=====================================  ====================  =========================
path                                   relationship          who may write
=====================================  ====================  =========================
``/cities/{id}/implementations``       IMPLEMENTED Solution  staff
``/cities/{id}/needs``                 NEEDS Topic           staff, the city itself
``/cities/{id}/sdgs``                  PRIORITIZES SDG       staff, the city itself
``/cities/{id}/kpis``                  MEASURES KPI          staff, the city itself
``/members/{id}/expertise``            EXPERT_IN Topic       staff, the member itself
``/members/{id}/affiliations``         WORKS_FOR City/Prov.  staff
``/providers/{id}/solutions``          OFFERS Solution       staff, the provider itself
=====================================  ====================  =========================

No link gives rights: offering a solution does not let a provider edit it. Ownership is the
``owner: true`` property of one OFFERS link, which only staff set (see
:mod:`matchmaking.service`). A target that is a hidden member is an unknown id to non-staff.

Reading follows the parent: anyone with a key for cities and providers; for members the
same rule as reading the member (staff, itself, or any key if the member is open to matches).
"""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response, status

from graph_schema.errors import NotFound
from graph_schema.schema import Label, RelType, _Props

from ..auth import Principal, forbidden, require_self_or_staff
from ..deps import PrincipalDep, ServiceDep
from ..errors import problem_responses
from ..schemas import (
    AffiliationProps,
    ExpertiseProps,
    ImplementationProps,
    LinkPublic,
    LinksPublic,
    MeasurementProps,
    NeedProps,
    OfferProps,
    PriorityProps,
)
from .entities import member_visible


@dataclass(frozen=True)
class LinkSpec:
    parent: Label
    prefix: str
    name: str
    rel_type: RelType
    props: type[_Props]
    writers: frozenset[str]  # bound roles that may write on their own object


LINKS = (
    LinkSpec(Label.CITY, "/cities", "implementations", RelType.IMPLEMENTED,
             ImplementationProps, frozenset()),
    LinkSpec(Label.CITY, "/cities", "needs", RelType.NEEDS, NeedProps, frozenset({"city"})),
    LinkSpec(Label.CITY, "/cities", "sdgs", RelType.PRIORITIZES, PriorityProps,
             frozenset({"city"})),
    LinkSpec(Label.CITY, "/cities", "kpis", RelType.MEASURES, MeasurementProps,
             frozenset({"city"})),
    LinkSpec(Label.MEMBER, "/members", "expertise", RelType.EXPERT_IN, ExpertiseProps,
             frozenset({"member"})),
    LinkSpec(Label.MEMBER, "/members", "affiliations", RelType.WORKS_FOR, AffiliationProps,
             frozenset()),
    LinkSpec(Label.PROVIDER, "/providers", "solutions", RelType.OFFERS, OfferProps,
             frozenset({"provider"})),
)
TAGS = {Label.CITY: "cities", Label.MEMBER: "members", Label.PROVIDER: "providers"}
IdPath = Annotated[str, Path(max_length=128)]
TargetPath = Annotated[str, Path(max_length=128, description="id of the related node")]


def _check_read(p: Principal, service: Any, parent: Label, node_id: str) -> None:
    node = service.get(parent, node_id)
    if parent is Label.MEMBER and not member_visible(p, node):
        raise NotFound(f"unknown member id '{node_id}'")


def _add(router: APIRouter, spec: LinkSpec) -> None:
    path = f"{spec.prefix}/{{id}}/{spec.name}"
    what = f"{spec.parent.value.lower()} {spec.name}"
    required = any(f.is_required() for f in spec.props.model_fields.values())

    def list_links(principal: PrincipalDep, service: ServiceDep, id: IdPath) -> LinksPublic:
        _check_read(principal, service, spec.parent, id)
        links = service.links(spec.parent, id, spec.rel_type)
        data = [LinkPublic(**link.to_json()) for link in links]
        return LinksPublic(data=data, count=len(data))

    router.add_api_route(
        path, list_links, methods=["GET"], response_model=LinksPublic,
        summary=f"List the {what}", name=f"list_{spec.parent.value.lower()}_{spec.name}",
        responses=problem_responses(404),
    )

    def put_link(
        principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath,
        body: Any = None,
    ) -> LinkPublic:
        require_self_or_staff(principal, id, spec.writers)
        props = body.model_dump(exclude_none=True) if body is not None else {}
        if "owner" in props and not principal.is_staff:
            raise forbidden("only staff may assign or remove the ownership of a solution")
        link = service.put_link(spec.parent, id, spec.rel_type, target, props,
                                see_hidden=principal.is_staff,
                                assign_owner=principal.is_staff)
        return LinkPublic(**link.to_json())

    body_ann = (
        Annotated[spec.props, Body()] if required
        else Annotated[spec.props | None, Body()]
    )
    put_link.__annotations__["body"] = body_ann
    if required:
        put_link.__defaults__ = None
    router.add_api_route(
        f"{path}/{{target}}", put_link, methods=["PUT"], response_model=LinkPublic,
        summary=f"Add or replace one of the {what} (with its properties)",
        name=f"put_{spec.parent.value.lower()}_{spec.name}", responses=problem_responses(404),
    )

    def delete_link(
        principal: PrincipalDep, service: ServiceDep, id: IdPath, target: TargetPath
    ) -> Response:
        require_self_or_staff(principal, id, spec.writers)
        service.delete_link(spec.parent, id, spec.rel_type, target)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    router.add_api_route(
        f"{path}/{{target}}", delete_link, methods=["DELETE"],
        status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
        summary=f"Remove one of the {what}",
        name=f"delete_{spec.parent.value.lower()}_{spec.name}", responses=problem_responses(404),
    )


def routers() -> list[APIRouter]:
    out = []
    for parent, tag in TAGS.items():
        router = APIRouter(tags=[tag], responses=problem_responses(401, 403, 422, 429, 503))
        for spec in LINKS:
            if spec.parent is parent:
                _add(router, spec)
        out.append(router)
    return out
