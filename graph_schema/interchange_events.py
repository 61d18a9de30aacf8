"""Import checks of smartcity-graph/1.1 records that need more than one line.

:class:`EventChecks` remembers the dimensions of every ``Event`` and the slot/table of every
``Meeting`` that the nodes pass accepted, then checks ``ATTENDS`` (availability and
max_meetings inside the event's slots) and ``HELD_AT`` (the meeting's slot and table inside
the event's) against them or against the store, and that every meeting of the dataset is
held at one event with two participants.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph_schema.errors import InvalidInput
from graph_schema.events import EventShape, check_cross
from graph_schema.schema import EVENT_LABELS, EVENT_TYPES, Label, Node, Rel, RelType
from graph_schema.store import GraphStore

FORMAT_1 = "smartcity-graph/1"
FORMAT_1_1 = "smartcity-graph/1.1"
SUPPORTED_FORMATS = (FORMAT_1, FORMAT_1_1)


def needs_1_1(node: Node | None = None, rel: Rel | None = None) -> bool:
    """Whether a record exists only in smartcity-graph/1.1."""
    return (node is not None and node.label in EVENT_LABELS) or (
        rel is not None and rel.type in EVENT_TYPES
    )


def format_error(declared: str | None) -> str:
    return (f"events and meetings need format '{FORMAT_1_1}', but meta.json declares "
            f"{declared!r}: set \"format\": \"{FORMAT_1_1}\" in meta.json")


class EventChecks:
    """Cross-record checks of events for one import (see the module docstring)."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.shapes: dict[str, EventShape] = {}
        self.meetings: dict[str, tuple[dict[str, Any], int]] = {}
        self.held: dict[str, list[int]] = {}
        self.parties: dict[str, list[int]] = {}

    def node(self, node: Node, lineno: int) -> None:
        if node.label is Label.EVENT:
            shape = EventShape.of(node.props)
            if shape is not None:
                self.shapes[node.id] = shape
        elif node.label is Label.MEETING:
            self.meetings[node.id] = (node.props, lineno)

    def prefetch(self, rels: Iterable[Rel]) -> None:
        """Read the events and meetings that ``rels`` refer to from the store (one query)."""
        want = {r.dst for r in rels if r.type in (RelType.ATTENDS, RelType.HELD_AT)}
        want |= {r.src for r in rels if r.type is RelType.HELD_AT}
        want -= self.shapes.keys() | self.meetings.keys()
        for node in self.store.get_nodes(want).values() if want else ():
            if node.label is Label.EVENT:
                shape = EventShape.of(node.props)
                if shape is not None:
                    self.shapes[node.id] = shape
            elif node.label is Label.MEETING:
                self.meetings[node.id] = (node.props, 0)

    def rel(self, rel: Rel, lineno: int) -> None:
        """Raise :class:`InvalidInput` if ``rel`` (with valid endpoints) breaks a rule."""
        if rel.type is RelType.ATTENDS:
            shape = self.shapes.get(rel.dst)
            if shape is not None:
                check_cross(shape, availability=rel.props.get("availability"),
                            max_meetings=rel.props.get("max_meetings"))
            for key in ("wants", "avoids"):
                if rel.src in (rel.props.get(key) or ()):
                    raise InvalidInput(f"property '{key}' lists the participant itself "
                                       f"('{rel.src}'); remove it")
        elif rel.type is RelType.HELD_AT:
            shape = self.shapes.get(rel.dst)
            meeting = self.meetings.get(rel.src)
            if shape is not None and meeting is not None:
                check_cross(shape, slot=meeting[0].get("slot"), table=meeting[0].get("table"))
            self.held.setdefault(rel.src, []).append(lineno)
        elif rel.type is RelType.MEETS:
            self.parties.setdefault(rel.src, []).append(lineno)

    def finish(self) -> list[tuple[int, str, list[int]]]:
        """(nodes line, message, its relationship lines) for each meeting of the dataset
        that is not held at exactly one event with exactly two participants."""
        out = []
        for mid, (_, lineno) in sorted(self.meetings.items(), key=lambda x: x[1][1]):
            if lineno == 0:
                continue
            held, parties = self.held.get(mid, []), self.parties.get(mid, [])
            if len(held) != 1 or len(parties) != 2:
                out.append((lineno, f"meeting '{mid}' needs exactly one HELD_AT relationship "
                                    f"and two MEETS relationships, it has {len(held)} and "
                                    f"{len(parties)}", held + parties))
        return out
