"""What the five entity routers share: access rules, query parameters and the CRUD steps.

The routes themselves are plain functions, one module per entity: ``cities.py``,
``providers.py``, ``solutions.py``, ``members.py`` and ``topics.py`` (``read_city``,
``list_cities``, ``create_city``, ...). Access rules:

- read one / list: any key for cities, providers, solutions and topics. Members: the list is
  staff-only; one member is readable by staff and by the member itself, and by other keys
  only when ``open_to_matches`` is not false (404 otherwise, so hidden members are not
  revealed). ``email`` is shown only to staff and to the member itself.
- create / delete: staff.
- update: staff; a bound key on its own City/Member/Provider; a provider key on a Solution it
  owns (its OFFERS link has ``owner: true``; offering alone gives no edit rights).
- delete: staff; the API keys bound to the deleted node are revoked with it.
"""

from typing import Annotated, Any

from fastapi import Query, Response, status
from pydantic import BaseModel

from graph_schema.errors import NotFound
from graph_schema.schema import Label, Node
from matchmaking.keys import BOUND_ROLES, Role
from matchmaking.service import Service

from ..auth import KeyCache, Principal, forbidden, require_staff
from ..errors import problem_responses
from ..schemas import country_codes

MAX_LIMIT = 200

#: Problems any entity route may answer (each route adds its own, e.g. 404 or 409).
RESPONSES = problem_responses(401, 403, 422, 429, 503)
Country = Annotated[str, Query(description="ISO 3166-1 alpha-2 code", pattern=r"^[A-Z]{2}$",
                               json_schema_extra={"enum": country_codes()})]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
NameQuery = Annotated[str | None, Query(max_length=200, description="text in the name")]


def list_description(plural: str) -> str:
    """The OpenAPI description of the list route of ``plural`` (e.g. ``"cities"``)."""
    return (
        f"List {plural} sorted by id: a page (`limit` ≤ {MAX_LIMIT}, `offset`) and the total "
        "`count` of matches."
    )


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
    """Whether ``p`` may change node ``node_id`` of ``label`` (see the module docstring)."""
    if p.is_staff:
        return True
    if BOUND_ROLES.get(p.role) is label and p.is_self(node_id):
        return True
    if label is Label.SOLUTION and p.role == Role.PROVIDER and p.subject:
        return service.solution_owner(node_id) == p.subject
    return False


def list_page(
    principal: Principal, service: Service, label: Label, *, limit: int, offset: int,
    q: str | None, **filters: Any,
) -> dict[str, Any]:
    """One page of ``label`` nodes matching ``q`` and the given (non-None) ``filters``."""
    equals = {k: v for k, v in filters.items() if v is not None}
    nodes, total = service.find(label, equals=equals, q=q, limit=limit, offset=offset)
    return {"data": [public_props(principal, n) for n in nodes], "count": total}


def read(principal: Principal, service: Service, label: Label, node_id: str) -> dict[str, Any]:
    """Node ``node_id`` of ``label`` as ``principal`` may see it (404 for hidden members)."""
    node = service.get(label, node_id)
    if label is Label.MEMBER and not member_visible(principal, node):
        raise NotFound(f"unknown member id '{node_id}'")
    return public_props(principal, node)


def create(principal: Principal, service: Service, label: Label, body: BaseModel
           ) -> dict[str, Any]:
    """Create the node described by ``body`` (its ``id`` and properties); staff only."""
    require_staff(principal)
    # null is the same as leaving a property out (the schema allows it)
    data = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    node_id = data.pop("id")
    return public_props(principal, service.create(label, node_id, data))


def update(principal: Principal, service: Service, label: Label, node_id: str,
           body: BaseModel) -> dict[str, Any]:
    """Apply ``body`` to the node: given properties change, ``null`` removes one."""
    if not can_update(principal, service, label, node_id):
        raise forbidden(f"this key (role '{principal.role}') may not change '{node_id}'")
    data = body.model_dump(exclude_unset=True)
    remove = {k for k, v in data.items() if v is None}
    changes = {k: v for k, v in data.items() if v is not None}
    return public_props(principal, service.update(label, node_id, changes, remove))


def delete(principal: Principal, service: Service, label: Label, node_id: str,
           keys: KeyCache | None = None) -> Response:
    """Delete the node and its relationships; staff only. The keys bound to it are revoked
    and dropped from this worker's ``keys`` cache at once."""
    require_staff(principal)
    for key_id in service.delete(label, node_id):
        if keys is not None:
            keys.forget(key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
