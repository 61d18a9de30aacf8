"""CRUD routers for the five entity kinds: /cities, /providers, /solutions, /members, /topics.

One factory builds the five routers, so every entity behaves the same way. Access rules:

- read one / list: any key for cities, providers, solutions and topics. Members: the list is
  staff-only; one member is readable by staff and by the member itself, and by other keys
  only when ``open_to_matches`` is not false (404 otherwise, so hidden members are not
  revealed). ``email`` is shown only to staff and to the member itself.
- create / delete: staff.
- update: staff; a bound key on its own City/Member/Provider; a provider key on a Solution it
  owns (its OFFERS link has ``owner: true``; offering alone gives no edit rights).
- delete: staff; the API keys bound to the deleted node are revoked with it.
"""

import inspect
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Request, Response, status

from graph_schema.schema import Label, Node
from matchmaking.service import Service

from ..auth import Principal, forbidden, require_staff
from ..deps import PrincipalDep, ServiceDep
from ..errors import problem_responses
from ..schemas import ENTITY_SCHEMAS, PLURALS, country_codes

Country = Annotated[str, Query(description="ISO 3166-1 alpha-2 code", pattern=r"^[A-Z]{2}$",
                               json_schema_extra={"enum": country_codes()})]
MAX_LIMIT = 200


@dataclass(frozen=True)
class EntitySpec:
    label: Label
    prefix: str
    filters: dict[str, Any] = field(default_factory=dict)


SPECS = (
    EntitySpec(Label.CITY, "/cities", {"country": Country}),
    EntitySpec(
        Label.PROVIDER,
        "/providers",
        {
            "country": Country,
            "kind": Literal["company", "startup", "research", "ngo", "public"],
        },
    ),
    EntitySpec(
        Label.SOLUTION,
        "/solutions",
        {
            "category": Literal[
                "economy", "environment", "government", "living", "mobility", "people"
            ],
            "cost": Literal["low", "medium", "high"],
            "maturity": Literal["pilot", "proven", "scaled"],
        },
    ),
    EntitySpec(
        Label.MEMBER,
        "/members",
        {
            "country": Country,
            "kind": Literal["expert", "city_official", "provider_staff", "researcher", "other"],
        },
    ),
    EntitySpec(Label.TOPIC, "/topics"),
)

BOUND_LABEL = {"city": Label.CITY, "member": Label.MEMBER, "provider": Label.PROVIDER}


def member_visible(p: Principal, node: Node) -> bool:
    """Whether ``p`` may see member ``node`` at all."""
    return p.is_staff or p.is_self(node.id) or node.props.get("open_to_matches") is not False


def public_props(p: Principal, node: Node) -> dict[str, Any]:
    """A node as the API shows it to ``p`` (email only to staff and the member itself)."""
    props = dict(node.props)
    if "email" in props and not (p.is_staff or p.is_self(node.id)):
        del props["email"]
    return {"id": node.id, **props}


def can_update(p: Principal, service: Service, label: Label, node_id: str) -> bool:
    if p.is_staff:
        return True
    if BOUND_LABEL.get(p.role) is label and p.is_self(node_id):
        return True
    if label is Label.SOLUTION and p.role == "provider" and p.subject:
        return service.solution_owner(node_id) == p.subject
    return False


def _typed(func: Any, **annotations: Any) -> Any:
    """Give a generated endpoint real annotations (FastAPI reads them)."""
    func.__annotations__.update(annotations)
    return func


def _with_filters(func: Any, filters: dict[str, Any]) -> Any:
    """Add one optional query parameter per filter to ``func``'s signature."""
    sig = inspect.signature(func)
    params = [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                          annotation=ann | None)
        for name, ann in filters.items()
    ]
    func.__signature__ = sig.replace(parameters=[*params, *extra])
    return func


def make_router(spec: EntitySpec) -> APIRouter:
    label = spec.label
    name = label.value
    what = name.lower()
    create_model, update_model, public_model, page_model = ENTITY_SCHEMAS[name]
    tag = PLURALS[name].lower()
    router = APIRouter(
        prefix=spec.prefix, tags=[tag], responses=problem_responses(401, 403, 422, 429, 503)
    )
    IdPath = Annotated[str, Path(description=f"{name} id", max_length=128)]

    def list_entities(
        principal: PrincipalDep,
        service: ServiceDep,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        q: Annotated[str | None, Query(max_length=200, description="text in the name")] = None,
        **filters: Any,
    ) -> Any:
        if label is Label.MEMBER:
            require_staff(principal)
        equals = {k: v for k, v in filters.items() if v is not None}
        nodes, total = service.find(label, equals=equals, q=q, limit=limit, offset=offset)
        return {"data": [public_props(principal, n) for n in nodes], "count": total}

    list_entities.__doc__ = (
        f"List {tag} sorted by id: a page (`limit` ≤ {MAX_LIMIT}, `offset`) and the total "
        "`count` of matches."
    )
    router.add_api_route(
        "", _with_filters(list_entities, spec.filters), methods=["GET"],
        response_model=page_model, response_model_exclude_none=True,
        summary=f"List {tag}", name=f"list_{tag}",
    )

    def read_entity(principal: PrincipalDep, service: ServiceDep, id: IdPath) -> Any:
        node = service.get(label, id)
        if label is Label.MEMBER and not member_visible(principal, node):
            from graph_schema.errors import NotFound

            raise NotFound(f"unknown member id '{id}'")
        return public_props(principal, node)

    router.add_api_route(
        "/{id}", read_entity, methods=["GET"], response_model=public_model,
        response_model_exclude_none=True, summary=f"Read one {what}", name=f"read_{what}",
        responses=problem_responses(404),
    )

    def create_entity(principal: PrincipalDep, service: ServiceDep, body: Any) -> Any:
        require_staff(principal)
        # null is the same as leaving a property out (the schema allows it)
        data = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
        node_id = data.pop("id")
        node = service.create(label, node_id, data)
        return public_props(principal, node)

    router.add_api_route(
        "", _typed(create_entity, body=Annotated[create_model, Body()]), methods=["POST"],
        response_model=public_model, response_model_exclude_none=True,
        status_code=status.HTTP_201_CREATED, summary=f"Create a {what}",
        name=f"create_{what}", responses=problem_responses(409),
    )

    def update_entity(principal: PrincipalDep, service: ServiceDep, id: IdPath, body: Any) -> Any:
        if not can_update(principal, service, label, id):
            raise forbidden(f"this key (role '{principal.role}') may not change '{id}'")
        data = body.model_dump(exclude_unset=True)
        remove = {k for k, v in data.items() if v is None}
        changes = {k: v for k, v in data.items() if v is not None}
        node = service.update(label, id, changes, remove)
        return public_props(principal, node)

    router.add_api_route(
        "/{id}", _typed(update_entity, body=Annotated[update_model, Body()]),
        methods=["PATCH"], response_model=public_model, response_model_exclude_none=True,
        summary=f"Change a {what}", name=f"update_{what}", responses=problem_responses(404),
    )

    def delete_entity(
        principal: PrincipalDep, service: ServiceDep, id: IdPath, request: Request
    ) -> Response:
        require_staff(principal)
        for key_id in service.delete(label, id):  # revoked with the node: not cached here
            request.app.state.keys.forget(key_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    router.add_api_route(
        "/{id}", delete_entity, methods=["DELETE"], status_code=status.HTTP_204_NO_CONTENT,
        response_class=Response, summary=f"Delete a {what} and its relationships",
        name=f"delete_{what}", responses=problem_responses(404),
    )
    return router


def routers() -> list[APIRouter]:
    return [make_router(spec) for spec in SPECS]



