"""The ``part_of`` property of a City: which city a district or borough belongs to.

A City may name the city it is part of (``"part_of": "city:at-vienna"`` on Hietzing). The
engine then never recommends the two as peers of each other, nor two parts of one city
(:mod:`matchmaking.kinds.peers`). The property is checked across records, after every node
of a dataset has been read (:class:`PartOfChecks`), and on a single write through the service
(:func:`check_part_of`):

- it must name a City of the dataset or the store (not another label, not a rejected line);
- it must not lead back to the city itself through other cities' ``part_of`` (no cycle),
  counting the dataset's values over the store's (an import replaces them).

A city naming itself is refused line by line (:func:`graph_schema.schema.node_from_json`).
"""

from __future__ import annotations

from collections.abc import Mapping

from graph_schema.errors import InvalidInput
from graph_schema.schema import Label, Node
from graph_schema.store import GraphStore

__all__ = ["MAX_DEPTH", "PartOfChecks", "check_part_of"]

#: Longest chain of ``part_of`` followed when looking for a cycle (district, city, region...).
MAX_DEPTH = 64


class PartOfChecks:
    """Collects the ``part_of`` of a dataset's cities and checks them once all are read.

    Parameters
    ----------
    store : GraphStore
        The store the dataset is imported into (parents may already be there).
    """

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.parent: dict[str, tuple[str, int]] = {}  # city id -> (part_of, nodes line)

    def node(self, node: Node, lineno: int) -> None:
        """Remember a valid City node's ``part_of``."""
        value = node.props.get("part_of")
        if node.label is Label.CITY and isinstance(value, str):
            self.parent[node.id] = (value, lineno)

    def finish(self, labels: Mapping[str, Label],
               rejected: Mapping[str, int]) -> list[tuple[str, int, str]]:
        """``(city id, nodes line, message)`` of every city whose ``part_of`` is refused.

        Parameters
        ----------
        labels : Mapping
            Label of every valid node of the dataset, by id.
        rejected : Mapping
            Nodes line of every id whose line was rejected.
        """
        errors: list[tuple[str, int, str]] = []
        outside = {p for p, _ in self.parent.values() if p not in labels and p not in rejected}
        in_store = self.store.labels_of(outside) if outside else {}
        for cid, (p, line) in self.parent.items():
            if p in rejected and p not in labels:
                errors.append((cid, line, f"'part_of' names '{p}', which was rejected (nodes line "
                                     f"{rejected[p]}); fix that line or leave 'part_of' out"))
                continue
            label = labels.get(p) or in_store.get(p)
            msg = _label_error(cid, p, label)
            if msg:
                errors.append((cid, line, msg))
        chain = _Chains(self.store, {c: p for c, (p, _) in self.parent.items()})
        chain.prefetch()
        for cid, (_, line) in self.parent.items():
            cycle = chain.cycle_from(cid)
            if cycle:
                errors.append((cid, line, _cycle_message(cycle)))
        return errors


def check_part_of(store: GraphStore, city_id: str, part_of: str | None) -> None:
    """Refuse a ``part_of`` for one city written on its own (the service's create/update).

    Raises
    ------
    InvalidInput
        If ``part_of`` is the city itself, not a City of the store, or makes a cycle.
    """
    if part_of is None:
        return
    if part_of == city_id:
        raise InvalidInput(f"'part_of' of '{city_id}' names the city itself: give the id of "
                           "the city it belongs to, or leave 'part_of' out")
    msg = _label_error(city_id, part_of, store.labels_of([part_of]).get(part_of))
    if msg:
        raise InvalidInput(msg)
    cycle = _Chains(store, {city_id: part_of}).cycle_from(city_id)
    if cycle:
        raise InvalidInput(_cycle_message(cycle))


def _label_error(city_id: str, part_of: str, label: Label | None) -> str | None:
    if label is None:
        return (f"'part_of' of '{city_id}' names '{part_of}', which is no node of the dataset "
                "or the store: give the id of an existing City, or leave 'part_of' out")
    if label is not Label.CITY:
        return (f"'part_of' of '{city_id}' must name a City, but '{part_of}' is a "
                f"{label.value}")
    return None


def _cycle_message(cycle: list[str]) -> str:
    return (f"'part_of' makes a cycle: {' -> '.join(cycle)}; a city cannot be part of a "
            "city that is (through others) part of it")


class _Chains:
    """Follows ``part_of`` through the given values first, then the store's (fetched in
    batches and cached)."""

    def __init__(self, store: GraphStore, given: Mapping[str, str]) -> None:
        self.store = store
        self.known: dict[str, str | None] = dict(given)

    def prefetch(self) -> None:
        """Fetch the store's ``part_of`` of every city reachable from the given ones, one
        batch per step of the chains."""
        frontier = {p for p in self.known.values() if p is not None} - set(self.known)
        for _ in range(MAX_DEPTH):
            if not frontier:
                return
            self._fetch(frontier)
            frontier = {p for i in frontier if (p := self.known[i]) is not None} - set(
                self.known)

    def _fetch(self, ids: set[str]) -> None:
        nodes: dict[str, Node] = {}
        order = sorted(ids)
        for start in range(0, len(order), 5000):
            nodes.update(self.store.get_nodes(order[start:start + 5000]))
        for i in ids:
            node = nodes.get(i)
            value = node.props.get("part_of") if node is not None else None
            self.known[i] = value if isinstance(value, str) else None

    def cycle_from(self, start: str) -> list[str] | None:
        """The chain from ``start`` back to itself, or None (also for a chain longer than
        :data:`MAX_DEPTH` or one that joins another cycle: that one is reported on its own
        cities)."""
        path = [start]
        seen = {start}
        cur = start
        for _ in range(MAX_DEPTH):
            if cur not in self.known:
                self._fetch({cur})
            nxt = self.known.get(cur)
            if nxt is None:
                return None
            path.append(nxt)
            if nxt == start:
                return path
            if nxt in seen:
                return None
            seen.add(nxt)
            cur = nxt
        return None
