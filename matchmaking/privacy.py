"""An always-fresh privacy overlay: who is hidden and which pairs were declined.

The engine answers from an in-memory projection that is rebuilt in the background after a
write, which takes seconds on a large store. Privacy cannot wait for that: a member who opts
out (``open_to_matches: false``) or a declined pair must leave the very next recommendation,
in every process. :class:`PrivacyOverlay` therefore reads ``store.privacy_generation()`` on
every call (one indexed row on SQLite, a few microseconds) and re-reads the privacy state
(opted-out member ids, negative feedback) only when it changed, that is after a write of a
Member or of feedback, or a delete (other writes do not cost a reload). The engine
applies it to its current snapshot before answering (:meth:`Engine._snapshot`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from graph_schema.schema import NEGATIVE_VERDICTS, Label, RelType
from graph_schema.store import GraphStore

_ALL = 1 << 62  # "no limit" for find_nodes


@dataclass(frozen=True)
class Privacy:
    """The privacy state of the store at privacy generation ``generation``."""

    generation: int
    #: Ids of members not open to matches.
    hidden: frozenset[str] = frozenset()
    #: (kind, subject id, candidate id) of every declined or not-relevant pair.
    declined: frozenset[tuple[str, str, str]] = field(default_factory=frozenset)


class PrivacyOverlay:
    """The store's current :class:`Privacy`, re-read only when the generation changed.

    Parameters
    ----------
    store : GraphStore
        The store to read; :meth:`current` may raise its errors (e.g.
        :class:`~graph_schema.errors.StoreUnavailable`).
    """

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._state: Privacy | None = None
        self._lock = threading.Lock()

    def current(self) -> Privacy:
        """The privacy state as of now (one counter read; a reload if it moved)."""
        generation = self.store.privacy_generation()
        state = self._state
        if state is not None and state.generation == generation:
            return state
        with self._lock:
            state = self._state
            if state is None or state.generation != generation:
                state = self._load(generation)
                self._state = state
        return state

    def _load(self, generation: int) -> Privacy:
        # The generation is read before the data: a write in between makes the next call
        # reload again, never hides a change.
        nodes, _ = self.store.find_nodes(Label.MEMBER, equals={"open_to_matches": False},
                                         limit=_ALL)
        declined = frozenset(
            (str(r.props.get("kind", "")), r.src, r.dst)
            for r in self.store.iter_rels(RelType.FEEDBACK)
            if r.props.get("verdict") in NEGATIVE_VERDICTS
        )
        return Privacy(generation, frozenset(n.id for n in nodes), declined)
