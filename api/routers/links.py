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
``owner: true`` property of one OFFERS link, which only staff set or clear (see
:mod:`matchmaking.service`). A target that is a hidden member is an unknown id to non-staff.

Reading follows the parent: anyone with a key for cities and providers; for members the
same rule as reading the member (staff, itself, or any key if the member is open to matches).

The routes are plain functions in the parent's module (``cities.py``: ``list_city_needs``,
``put_city_needs``, ``delete_city_needs``, ...); this module holds the steps they share.
"""

from typing import Annotated

from fastapi import Path, Response, status

from graph_schema.schema import ID_PATTERN, Label, Props, RelType
from matchmaking.keys import Role
from matchmaking.service import Service

from ..auth import Principal, forbidden, require_self_or_staff
from ..schemas import LinkPublic, LinksPublic
from .entities import read

IdPath = Annotated[str, Path(max_length=128)]
#: The target's id format is in the schema, so that a client (and Schemathesis) knows that a
#: malformed id is refused with 422 rather than looked up.
TargetPath = Annotated[str, Path(max_length=128, pattern=ID_PATTERN.pattern,
                                 description="id of the related node")]
#: Bound roles that may write links on their own node, besides staff.
STAFF_ONLY: frozenset[Role] = frozenset()
CITY = frozenset({Role.CITY})
MEMBER = frozenset({Role.MEMBER})
PROVIDER = frozenset({Role.PROVIDER})


def list_links(principal: Principal, service: Service, parent: Label, node_id: str,
               rel_type: RelType) -> LinksPublic:
    """The ``rel_type`` links of ``node_id``, if ``principal`` may read the parent."""
    read(principal, service, parent, node_id)  # 404 if it is hidden from the caller
    links = service.links(parent, node_id, rel_type)
    data = [LinkPublic(**link.to_json()) for link in links]
    return LinksPublic(data=data, count=len(data))


def put_link(principal: Principal, service: Service, parent: Label, node_id: str,
             rel_type: RelType, target: str, body: Props | None, *,
             writers: frozenset[Role]) -> LinkPublic:
    """Add or replace the ``rel_type`` link to ``target`` with the properties in ``body``.

    Staff may write any; a key of one of ``writers`` only on its own node.
    """
    require_self_or_staff(principal, node_id, writers)
    props = body.model_dump(exclude_none=True) if body is not None else {}
    if "owner" in props and not principal.is_staff:
        raise forbidden("only staff may assign or remove the ownership of a solution")
    link = service.put_link(parent, node_id, rel_type, target, props,
                            see_hidden=principal.is_staff, assign_owner=principal.is_staff)
    return LinkPublic(**link.to_json())


def delete_link(principal: Principal, service: Service, parent: Label, node_id: str,
                rel_type: RelType, target: str, *, writers: frozenset[Role]) -> Response:
    """Remove the ``rel_type`` link to ``target`` (staff, or a key of ``writers`` on itself)."""
    require_self_or_staff(principal, node_id, writers)
    service.delete_link(parent, node_id, rel_type, target)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
