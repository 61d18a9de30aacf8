"""Matchmaking events on a store: participants, schedules, agendas and replies.

:class:`Events` is the one place that turns the graph (``Event``, ``ATTENDS``, ``Meeting``,
``HELD_AT``, ``MEETS``) into a :class:`~matchmaking.scheduling.EventInput`, asks the engine for
pair values, runs :func:`~matchmaking.scheduling.schedule` and writes the result back. The CLI
and the API both use it.

Stored meetings keep their id for the same pair at the same event (``mtg:`` + a digest of
event and pair), so a rescheduled meeting is an update, not a new meeting. Applying a plan:

- ``accepted`` meetings are fixed: they keep slot and table;
- ``declined`` meetings stay stored (the pair is never proposed again at this event);
- ``proposed`` meetings are replaced by the new plan (kept where the plan keeps them).

Pairs that either side declined or marked not relevant in recommendation feedback are never
proposed. A member who is not open to matches only meets those it asked to meet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph_schema.errors import Conflict, InvalidInput, NotFound
from graph_schema.events import EventShape, check_cross, slot_start
from graph_schema.schema import (
    AttendsProps,
    EventProps,
    Label,
    Node,
    Rel,
    RelType,
    check_id,
    validate_props,
)
from graph_schema.store import GraphStore
from matchmaking.scheduling import (
    EventInput,
    Meeting,
    Participant,
    Schedule,
    pair_key,
    schedule,
)

if TYPE_CHECKING:
    from matchmaking.engine import Engine

PARTICIPANT_LABELS = (Label.CITY, Label.MEMBER, Label.PROVIDER)
#: Engine kinds that score a pair of participants: (kind, subject label, candidate label).
PAIR_KINDS = (
    ("providers", Label.CITY, Label.PROVIDER),
    ("leads", Label.PROVIDER, Label.CITY),
    ("peers", Label.CITY, Label.CITY),
    ("experts", Label.CITY, Label.MEMBER),
    ("opportunities", Label.MEMBER, Label.CITY),
)
NEGATIVE = frozenset({"declined", "not_relevant"})
STATUSES = ("proposed", "accepted", "declined")
MAX_REASONS = 4


def meeting_id(event_id: str, a: str, b: str) -> str:
    """The stable id of the meeting of a pair at an event."""
    x, y = pair_key(a, b)
    return "mtg:" + hashlib.sha256(f"{event_id}\n{x}\n{y}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class StoredMeeting:
    """A meeting as stored: its parties are ``a < b``."""

    id: str
    a: str
    b: str
    slot: int
    table: int
    status: str
    value: float = 0.0
    reasons: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "a": self.a, "b": self.b, "slot": self.slot,
                "table": self.table, "status": self.status, "value": round(self.value, 6),
                "reasons": list(self.reasons)}


@dataclass
class Plan:
    """A schedule for an event and how it differs from the stored meetings."""

    event_id: str
    schedule: Schedule
    meetings: list[StoredMeeting]
    added: list[StoredMeeting] = field(default_factory=list)
    moved: list[tuple[StoredMeeting, StoredMeeting]] = field(default_factory=list)
    removed: list[StoredMeeting] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event_id, "summary": self.schedule.to_json(),
            "meetings": [m.to_json() for m in self.meetings],
            "diff": {"added": [m.to_json() for m in self.added],
                     "moved": [{"from": a.to_json(), "to": b.to_json()} for a, b in self.moved],
                     "removed": [m.to_json() for m in self.removed]},
        }


class Events:
    """Events of one store (see the module docstring)."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    # ------------------------------------------------------------------ events, attendance

    def create_event(self, event_id: str, props: dict[str, Any]) -> Node:
        """Create an ``Event`` node; :class:`Conflict` if the id exists."""
        check_id(event_id)
        validate_props(EventProps, props)
        if self.store.labels_of([event_id]):
            raise Conflict(f"id '{event_id}' already exists; choose another event id")
        node = Node(event_id, Label.EVENT, dict(props))
        self.store.write(nodes=[node])
        return node

    def event(self, event_id: str) -> Node:
        """The ``Event`` node, or :class:`NotFound`."""
        node = self.store.get_nodes([event_id]).get(event_id)
        if node is None or node.label is not Label.EVENT:
            raise NotFound(f"no event with id {event_id!r}")
        return node

    def set_participant(self, event_id: str, pid: str, props: dict[str, Any]) -> Rel:
        """Create or replace ``pid -[ATTENDS]-> event_id`` with ``props``."""
        event = self.event(event_id)
        node = self.store.get_nodes([pid]).get(pid)
        if node is None:
            raise NotFound(f"unknown id {pid!r}")
        if node.label not in PARTICIPANT_LABELS:
            raise InvalidInput(f"'{pid}' is a {node.label.value}; only a City, Member or "
                               "Provider can attend an event")
        validate_props(AttendsProps, props)
        shape = EventShape.of(event.props)
        if shape is not None:
            check_cross(shape, availability=props.get("availability"),
                        max_meetings=props.get("max_meetings"))
        for key in ("wants", "avoids"):
            if pid in (props.get(key) or ()):
                raise InvalidInput(f"property '{key}' lists the participant itself; remove it")
        rel = Rel(RelType.ATTENDS, pid, event_id, dict(props))
        self.store.write(rels=[rel], replace=True)
        return rel

    def remove_participant(self, event_id: str, pid: str) -> int:
        """``pid`` drops out: its attendance and its meetings that are not accepted go."""
        self.event(event_id)
        gone = [m.id for m in self.meetings(event_id)
                if pid in (m.a, m.b) and m.status != "accepted"]
        if gone:
            self.store.delete_nodes(gone)
        return self.store.delete_rels([(RelType.ATTENDS, pid, event_id)])

    def participants(self, event_id: str) -> list[tuple[Rel, Node]]:
        """The ``ATTENDS`` relationships of an event with their participant, by id."""
        self.event(event_id)
        return self.store.neighbours(event_id, RelType.ATTENDS, "in")

    def meetings(self, event_id: str) -> list[StoredMeeting]:
        """The stored meetings of an event, sorted by (slot, table)."""
        nodes = {n.id: n for _, n in self.store.neighbours(event_id, RelType.HELD_AT, "in")}
        if not nodes:
            return []
        parties: dict[str, list[str]] = {}
        for rel in self.store.iter_rels(RelType.MEETS):
            if rel.src in nodes:
                parties.setdefault(rel.src, []).append(rel.dst)
        out = []
        for mid, node in nodes.items():
            who = sorted(parties.get(mid, []))
            if len(who) != 2:
                continue  # a participant was deleted: the meeting no longer exists
            p = node.props
            out.append(StoredMeeting(mid, who[0], who[1], int(p["slot"]), int(p["table"]),
                                     str(p["status"]), float(p.get("value") or 0.0),
                                     tuple(p.get("reasons") or ())))
        return sorted(out, key=lambda m: (m.slot, m.table, m.id))

    def fairness(self, event_id: str) -> dict[str, Any]:
        """Figures of the stored schedule (declined meetings do not count): participants,
        meetings, mean count, and the worst-served participants by count and by value."""
        ids = sorted(n.id for _, n in self.participants(event_id))
        held = [m for m in self.meetings(event_id) if m.status != "declined"]
        count = dict.fromkeys(ids, 0)
        value = dict.fromkeys(ids, 0.0)
        for m in held:
            for who in (m.a, m.b):
                if who in count:
                    count[who] += 1
                    value[who] += m.value
        worst = min(count.values(), default=0)
        low = min(ids, key=lambda i: (value[i], i)) if ids else None
        return {"participants": len(ids), "meetings": len(held),
                "mean_count": round(2 * len(held) / len(ids), 4) if ids else 0.0,
                "worst_count": worst, "worst_count_ids": [i for i in ids if count[i] == worst],
                "worst_value": round(value[low], 6) if low else 0.0, "worst_value_id": low}

    # ------------------------------------------------------------------ scheduling

    def plan(self, event_id: str, engine: Engine, *, time_limit: float = 10.0,
             min_meetings: int = 1) -> Plan:
        """Schedule the event (nothing is written; see :meth:`apply`)."""
        event = self.event(event_id)
        attends = self.participants(event_id)
        current = self.meetings(event_id)
        labels = {n.id: n.label for _, n in attends}
        values, reasons = pair_values(engine, labels)
        inp = self._input(event, attends, values, current)
        fixed = [Meeting(m.a, m.b, m.slot, m.table) for m in current
                 if m.status == "accepted" and {m.a, m.b} <= labels.keys()]
        previous = [Meeting(m.a, m.b, m.slot, m.table) for m in current
                    if m.status == "proposed"]
        result = schedule(inp, time_limit=time_limit, min_meetings=min_meetings, fixed=fixed,
                          previous=previous)
        return self._diff(event_id, result, current, reasons)

    def _input(self, event: Node, attends: list[tuple[Rel, Node]],
               values: dict[tuple[str, str], float], current: list[StoredMeeting]) -> EventInput:
        slots, tables = int(event.props["slots"]), int(event.props["tables"])
        people: list[Participant] = []
        closed: set[str] = set()
        for rel, node in attends:
            p = rel.props
            people.append(Participant(
                node.id,
                frozenset(p["availability"]) if "availability" in p else frozenset(range(slots)),
                int(p.get("max_meetings", slots)),
                frozenset(p.get("wants") or ()), frozenset(p.get("avoids") or ())))
            if node.label is Label.MEMBER and node.props.get("open_to_matches") is False:
                closed.add(node.id)
        if closed:  # a closed member meets only whom it asked for
            people = [x if x.id in closed else
                      Participant(x.id, x.availability, x.max_meetings, x.wants - closed,
                                  x.avoids) for x in people]
            wants = {x.id: x.wants for x in people}
            values = {k: v for k, v in values.items()
                      if not ({k[0], k[1]} & closed)
                      or (k[0] in closed and k[1] in wants[k[0]])
                      or (k[1] in closed and k[0] in wants[k[1]])}
        ids = [x.id for x in people]
        declined = {pair_key(m.a, m.b) for m in current if m.status == "declined"}
        declined |= self._declined_feedback(ids)
        return EventInput(slots=slots, tables=tables, participants=people, values=values,
                          declined=declined)

    def _declined_feedback(self, ids: Iterable[str]) -> set[tuple[str, str]]:
        here = set(ids)
        out = set()
        for rel in self.store.iter_rels(RelType.FEEDBACK):
            if rel.src in here and rel.dst in here and rel.props.get("verdict") in NEGATIVE:
                out.add(pair_key(rel.src, rel.dst))
        return out

    def _diff(self, event_id: str, result: Schedule, current: list[StoredMeeting],
              reasons: Mapping[tuple[str, str], list[str]]) -> Plan:
        by_pair = {(m.a, m.b): m for m in current}
        planned: list[StoredMeeting] = []
        for m in result.meetings:
            old = by_pair.get(m.pair)
            status = old.status if old is not None and old.status == "accepted" else "proposed"
            why = _merge(reasons.get((m.a, m.b), []), reasons.get((m.b, m.a), []))
            planned.append(StoredMeeting(meeting_id(event_id, m.a, m.b), m.a, m.b, m.slot,
                                         m.table, status, m.value, tuple(why)))
        plan = Plan(event_id, result, planned)
        new_pairs = {(m.a, m.b) for m in planned}
        for pm in planned:
            old = by_pair.get((pm.a, pm.b))
            if old is None or old.status == "declined":
                plan.added.append(pm)
            elif (old.slot, old.table) != (pm.slot, pm.table):
                plan.moved.append((old, pm))
        plan.removed = [m for m in current if (m.a, m.b) not in new_pairs
                        and m.status != "declined"]
        return plan

    def apply(self, plan: Plan) -> None:
        """Store a plan: its meetings are upserted and the removed ones deleted."""
        nodes, rels = [], []
        for m in plan.meetings:
            props: dict[str, Any] = {"slot": m.slot, "table": m.table, "status": m.status,
                                     "value": round(m.value, 6)}
            if m.reasons:
                props["reasons"] = list(m.reasons)
            nodes.append(Node(m.id, Label.MEETING, props))
            rels += [Rel(RelType.HELD_AT, m.id, plan.event_id), Rel(RelType.MEETS, m.id, m.a),
                     Rel(RelType.MEETS, m.id, m.b)]
        if plan.removed:
            self.store.delete_nodes([m.id for m in plan.removed])
        self.store.write(nodes=nodes, rels=rels, replace=True)

    # ------------------------------------------------------------------ participants' side

    def agenda(self, event_id: str, pid: str) -> list[dict[str, Any]]:
        """``pid``'s meetings at the event, by slot, with times, the other party and reasons."""
        event = self.event(event_id)
        mine = [m for m in self.meetings(event_id) if pid in (m.a, m.b)]
        others = self.store.get_nodes([m.b if m.a == pid else m.a for m in mine])
        minutes = int(event.props["slot_minutes"])
        out = []
        for m in mine:
            other = others.get(m.b if m.a == pid else m.a)
            start = slot_start(event.props, m.slot)
            out.append({
                "meeting": m.id, "slot": m.slot, "table": m.table, "status": m.status,
                "start": start.isoformat(),
                "end": (start + dt.timedelta(minutes=minutes)).isoformat(),
                "with": {"id": other.id, "label": other.label.value,
                         "name": str(other.props.get("name", other.id))} if other else None,
                "value": round(m.value, 6), "reasons": list(m.reasons),
            })
        return out

    def respond(self, event_id: str, mid: str, pid: str | None, verdict: str) -> StoredMeeting:
        """Accept or decline a meeting; ``pid`` must be one of its parties (None: staff)."""
        if verdict not in ("accept", "decline"):
            raise InvalidInput(f"'verdict' must be 'accept' or 'decline', got {verdict!r}")
        meeting = next((m for m in self.meetings(event_id) if m.id == mid), None)
        if meeting is None or (pid is not None and pid not in (meeting.a, meeting.b)):
            raise NotFound(f"no meeting {mid!r} in your agenda of event {event_id!r}")
        status = "accepted" if verdict == "accept" else "declined"
        node = self.store.get_nodes([mid])[mid]
        self.store.write(nodes=[Node(mid, Label.MEETING, {**node.props, "status": status})])
        return StoredMeeting(meeting.id, meeting.a, meeting.b, meeting.slot, meeting.table,
                             status, meeting.value, meeting.reasons)


def _merge(*lists: list[str]) -> list[str]:
    out: list[str] = []
    for lst in lists:
        for r in lst:
            if r not in out:
                out.append(r)
    return out[:MAX_REASONS]


def pair_values(engine: Engine, labels: Mapping[str, Label]) -> tuple[
        dict[tuple[str, str], float], dict[tuple[str, str], list[str]]]:
    """The engine's value of each pair of participants, both directions summed, and its
    reasons by (subject, candidate).

    Each participant's candidates of every kind that applies are ranked among the other
    participants only (at most the best 100 per kind); members who are not open to matches
    are never candidates.
    """
    from matchmaking.filtering import RecommendOptions

    values: dict[tuple[str, str], float] = {}
    reasons: dict[tuple[str, str], list[str]] = {}
    options = RecommendOptions(include_known=True)
    for kind, s_lab, c_lab in PAIR_KINDS:
        subjects = sorted(i for i, lab in labels.items() if lab is s_lab)
        cands = sorted(i for i, lab in labels.items() if lab is c_lab)
        if not subjects or not cands:
            continue
        batch = engine.recommend(kind, subjects, k=100, options=options, candidates=cands)
        for sid, recs in batch.results.items():
            for r in recs:
                if r.id != sid:
                    key = pair_key(sid, r.id)
                    values[key] = values.get(key, 0.0) + float(r.score)
                    reasons[(sid, r.id)] = list(r.reasons)
    return values, reasons
