"""A service facade over a :class:`~graph_schema.store.GraphStore` for entity CRUD.

Used by the HTTP API (and usable from scripts). Every write is validated with the property
models of :mod:`graph_schema.schema`, so the rules live in one place; errors are the
project's :class:`~graph_schema.errors.MatchmakingError` subclasses.

Two rules about who may see and own what live here too (the API decides who is asking):

- Hidden members: a Member with ``open_to_matches: false`` is, for a caller that may not see
  it (``see_hidden=False``), indistinguishable from an unknown id: the same 404 message.
- Solution ownership: the provider whose ``OFFERS`` relationship carries ``owner: true`` owns
  the solution (:meth:`Service.solution_owner`). Offering a solution gives no edit rights.
  Ownership is set by staff (``owner: true`` on the link; this clears it on every other
  provider's link in the same transaction), by the first ``OFFERS`` link staff write to a
  solution nobody offers yet, or by imported data. A provider re-linking keeps its flag.
- Deleting a City, Member or Provider revokes every API key bound to it
  (:func:`matchmaking.keys.revoke_subject_keys`), so a recreated id starts with no keys.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph_schema.errors import Conflict, InvalidInput, NotFound
from graph_schema.part_of import check_part_of
from graph_schema.schema import (
    ENDPOINTS,
    NODE_PROPS,
    REL_PROPS,
    Label,
    Node,
    Props,
    Rel,
    RelType,
    check_endpoints,
    check_id,
    check_property_names,
    validate_props,
)
from graph_schema.store import GraphStore
from matchmaking.kinds import KINDS, kind_of

#: Labels that the service creates, updates and deletes.
ENTITY_LABELS = (Label.CITY, Label.PROVIDER, Label.SOLUTION, Label.MEMBER, Label.TOPIC)


def _what(label: Label) -> str:
    return label.value.lower() if label is not Label.KPI else "KPI"


def is_hidden(node: Node) -> bool:
    """Whether ``node`` is a member who is not open to matches (hidden from non-staff)."""
    return node.label is Label.MEMBER and node.props.get("open_to_matches") is False


@dataclass(frozen=True)
class Link:
    """A relationship seen from its source: the target node and the relationship's props."""

    rel: Rel
    target: Node

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target.id,
            "target_label": self.target.label.value,
            "target_name": self.target.props.get("name"),
            "properties": dict(sorted(self.rel.props.items())),
        }


class Service:
    """Entity, relationship and feedback operations on one store."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    # ------------------------------------------------------------------ entities

    def get(self, label: Label, node_id: str) -> Node:
        """The node ``node_id`` of ``label``; :class:`NotFound` otherwise."""
        node = self.store.get_nodes([node_id]).get(node_id)
        if node is None or node.label is not label:
            raise NotFound(f"unknown {_what(label)} id '{node_id}'")
        return node

    def create(self, label: Label, node_id: str, props: dict[str, Any]) -> Node:
        """Create a node; :class:`Conflict` if the id exists (under any label)."""
        check_id(node_id)
        check_property_names(props)
        validate_props(NODE_PROPS[label], props)
        if label is Label.CITY:
            check_part_of(self.store, node_id, props.get("part_of"))
        existing = self.store.labels_of([node_id]).get(node_id)
        if existing is not None:
            raise Conflict(
                f"id '{node_id}' already exists (a {existing.value}); "
                "use PATCH to change it or choose another id"
            )
        node = Node(node_id, label, dict(props))
        self.store.write(nodes=[node])
        return node

    def update(
        self, label: Label, node_id: str, changes: dict[str, Any], remove: Collection[str] = ()
    ) -> Node:
        """Merge ``changes`` into a node and drop the properties in ``remove``.

        The result is validated as a whole, so removing a required property is refused.
        """
        old = self.get(label, node_id)
        check_property_names(changes)
        props = {k: v for k, v in old.props.items() if k not in remove}
        props.update(changes)
        validate_props(NODE_PROPS[label], props)
        if label is Label.CITY:
            check_part_of(self.store, node_id, props.get("part_of"))
        node = Node(node_id, label, props)
        self.store.write(nodes=[node], replace=True)
        return node

    def delete(self, label: Label, node_id: str) -> list[str]:
        """Delete a node and all its relationships; return the ids of the API keys bound to
        it, which are revoked first (so a later node with the same id inherits no key)."""
        from matchmaking.keys import revoke_subject_keys

        self.get(label, node_id)
        revoked = revoke_subject_keys(self.store, node_id)
        self.store.delete_nodes([node_id])
        return revoked

    def find(
        self,
        label: Label,
        *,
        equals: dict[str, str | int | float | bool] | None = None,
        q: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Node], int]:
        """A page of nodes of ``label`` sorted by id and the total count."""
        return self.store.find_nodes(
            label, equals=equals or None, name_contains=q or None, limit=limit, offset=offset
        )

    # ------------------------------------------------------------------ relationships

    def links(self, label: Label, node_id: str, rel_type: RelType) -> list[Link]:
        """The outgoing ``rel_type`` relationships of a node, sorted by target id."""
        self.get(label, node_id)
        return [Link(r, n) for r, n in self.store.neighbours(node_id, rel_type, "out")]

    def put_link(
        self, label: Label, node_id: str, rel_type: RelType, target: str, props: dict[str, Any],
        *, see_hidden: bool = True, assign_owner: bool = True,
    ) -> Link:
        """Create or replace the relationship ``node_id -[rel_type]-> target``.

        ``see_hidden=False`` treats a hidden member as an unknown id. For ``OFFERS``,
        ``assign_owner`` says whether this write may set ownership (staff): an explicit
        ``owner: true`` then moves ownership to ``node_id``, and the first link to a solution
        nobody offers makes ``node_id`` its owner. Without it, ``owner`` keeps its stored
        value (see the module docstring).
        """
        self.get(label, node_id)
        check_id(target, "target")
        check_property_names(props)
        validate_props(REL_PROPS.get(rel_type, Props), props)
        target_node = self.store.get_nodes([target]).get(target)
        if target_node is None or (not see_hidden and is_hidden(target_node)):
            want = " or ".join(sorted(x.value for x in ENDPOINTS[rel_type][1]))
            raise NotFound(f"unknown {want} id '{target}'")
        rel = Rel(rel_type, node_id, target, dict(props))
        check_endpoints(rel, label, target_node.label)
        provider = props.get("provider")
        if (
            rel_type is RelType.IMPLEMENTED
            and provider is not None
            and self.store.labels_of([provider]).get(provider) is not Label.PROVIDER
        ):
            raise InvalidInput(f"property 'provider': unknown provider id '{provider}'")
        rels = [rel]
        if rel_type is RelType.OFFERS:
            rels = self._offers(rel, assign_owner)
        self.store.write(rels=rels, replace=True)
        return Link(rels[0], target_node)

    def _offers(self, rel: Rel, assign_owner: bool) -> list[Rel]:
        """The OFFERS relationships to write so that ownership follows the rules."""
        others = {r.src: r for r, _ in self.store.neighbours(rel.dst, RelType.OFFERS, "in")}
        mine = others.pop(rel.src, None)
        props = dict(rel.props)
        if not assign_owner or "owner" not in props:
            props.pop("owner", None)
            kept = mine is not None and mine.props.get("owner") is True
            first = assign_owner and mine is None and not others  # the creating provider
            if kept or first:
                props["owner"] = True
        if props.get("owner") is False:
            del props["owner"]
        out = [Rel(rel.type, rel.src, rel.dst, props)]
        if props.get("owner") is True:  # one owner: clear the flag elsewhere
            out += [
                Rel(r.type, r.src, r.dst, {k: v for k, v in r.props.items() if k != "owner"})
                for r in others.values() if "owner" in r.props
            ]
        return out

    def solution_owner(self, solution_id: str) -> str | None:
        """The provider that owns ``solution_id`` (its OFFERS link has ``owner: true``)."""
        for rel, _ in self.store.neighbours(solution_id, RelType.OFFERS, "in"):
            if rel.props.get("owner") is True:
                return rel.src
        return None

    def delete_link(self, label: Label, node_id: str, rel_type: RelType, target: str) -> None:
        """Delete one relationship; :class:`NotFound` if there is none."""
        self.get(label, node_id)
        if not self.store.delete_rels([(rel_type, node_id, target)]):
            raise NotFound(f"'{node_id}' has no {rel_type.value} relationship to '{target}'")

    # ------------------------------------------------------------------ feedback

    def give_feedback(
        self, subject: str, candidate: str, kind: str, verdict: str, note: str | None = None,
        *, see_hidden: bool = True,
    ) -> Rel:
        """Store feedback as ``subject -[FEEDBACK]-> candidate`` (one per pair, replaced).

        ``see_hidden=False`` treats a hidden member candidate as an unknown id.
        """
        kind = kind_of(kind)
        want = KINDS[kind].subject
        check_id(subject, "subject")
        check_id(candidate, "candidate")
        labels = self.store.labels_of([subject, candidate])
        if labels.get(subject) is not want:
            raise NotFound(f"unknown {_what(want)} id '{subject}' (the subject of '{kind}')")
        if candidate not in labels or (
            not see_hidden and labels[candidate] is Label.MEMBER
            and is_hidden(self.get(Label.MEMBER, candidate))
        ):
            raise NotFound(f"unknown candidate id '{candidate}'")
        if subject == candidate:
            raise InvalidInput("subject and candidate are the same id")
        props: dict[str, Any] = {
            "kind": kind.value,
            "verdict": verdict,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if note is not None:
            props["note"] = note
        validate_props(REL_PROPS[RelType.FEEDBACK], props)
        rel = Rel(RelType.FEEDBACK, subject, candidate, props)
        check_endpoints(rel, labels[subject], labels[candidate])
        self.store.write(rels=[rel], replace=True)
        return rel

    def feedback(
        self,
        *,
        subject: str | None = None,
        candidate: str | None = None,
        kind: str | None = None,
        verdict: str | None = None,
    ) -> list[Rel]:
        """Feedback relationships matching every given filter, sorted by (subject, candidate)."""
        if subject is not None:
            rels = [r for r, _ in self.store.neighbours(subject, RelType.FEEDBACK, "out")]
        elif candidate is not None:
            rels = [r for r, _ in self.store.neighbours(candidate, RelType.FEEDBACK, "in")]
        else:
            rels = list(self.store.iter_rels(RelType.FEEDBACK))
        out = [
            r
            for r in rels
            if (candidate is None or r.dst == candidate)
            and (kind is None or r.props.get("kind") == kind)
            and (verdict is None or r.props.get("verdict") == verdict)
        ]
        out.sort(key=lambda r: (r.src, r.dst))
        return out
