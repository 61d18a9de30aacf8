"""The storage contract shared by the embedded SQLite store and the Neo4j store.

Both stores keep the same property graph and behave identically under the contract test
suite (``tests/graph_schema/test_store_contract.py``):

- ``write`` upserts nodes and relationships in one transaction (``write_all`` many
  batches in one transaction, for imports): properties are merged
  (``SET n += props``) unless ``replace=True``, and the derived ``LOCATED_IN`` relationship
  follows the ``country`` property of City, Provider and Member nodes.
- Built-in reference nodes (SDGs, countries, U4SSC KPIs) are written by ``init``; a later
  write to one of them marks it as defined by the data, so export includes it.
- Every write transaction increments ``generation()``, which other processes poll cheaply
  to learn that their in-memory projection is stale. A write that may change who is hidden,
  which pairs are declined or which API keys are valid (it writes a Member, an ApiKey or a
  FEEDBACK relationship, or deletes anything) also increments ``privacy_generation()``,
  which the engine reads on every recommendation (:mod:`matchmaking.privacy`) and the API
  on every authenticated request (its key cache).
- Iteration is deterministic: nodes by id, relationships by (type, src, dst).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable
from urllib.parse import urlparse

from graph_schema.errors import InvalidInput
from graph_schema.schema import Label, Node, Rel, RelType

Direction = Literal["out", "in", "both"]
DEFAULT_STORE_URL = "sqlite:///./matchmaking.db"


@dataclass
class Counts:
    """Node counts per label and relationship counts per type."""

    nodes: dict[str, int] = field(default_factory=dict)
    rels: dict[str, int] = field(default_factory=dict)


@runtime_checkable
class GraphStore(Protocol):
    """What every store offers. See the module docstring for the semantics."""

    url: str

    def init(self) -> None:
        """Create constraints/indexes and the built-in reference nodes (idempotent)."""

    def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the store answers a trivial query."""

    def close(self) -> None: ...

    def write(
        self, nodes: Sequence[Node] = (), rels: Sequence[Rel] = (), *, replace: bool = False
    ) -> None:
        """Upsert ``nodes`` then ``rels`` in one transaction.

        Relationship endpoints must exist (in the store or in ``nodes``); a missing endpoint
        raises :class:`NotFound` and nothing is written.
        """

    def write_all(self, batches: Iterable[tuple[Sequence[Node], Sequence[Rel]]]) -> None:
        """Upsert every ``(nodes, rels)`` batch, in order, in ONE transaction.

        All or nothing: an error in any batch, or the process dying half-way, leaves the
        store as it was, and ``generation()`` grows by one only when it commits. Readers
        see the old state until then. Used by imports; on Neo4j the whole write must fit
        into the server's transaction memory (see docs/neo4j.md).
        """

    def delete_nodes(self, ids: Sequence[str]) -> int:
        """Delete nodes and all their relationships; return how many nodes were deleted."""

    def delete_rels(self, keys: Sequence[tuple[RelType, str, str]]) -> int:
        """Delete relationships by (type, src, dst); return how many were deleted."""

    def get_nodes(self, ids: Iterable[str]) -> dict[str, Node]:
        """The nodes that exist among ``ids``, by id."""

    def labels_of(self, ids: Iterable[str]) -> dict[str, Label]:
        """The label of each id that exists among ``ids``."""

    def neighbours(
        self, node_id: str, rel_type: RelType | None = None, direction: Direction = "out"
    ) -> list[tuple[Rel, Node]]:
        """Relationships at ``node_id`` with the node at their other end, sorted by
        (type, other id)."""

    def find_nodes(
        self,
        label: Label,
        *,
        equals: dict[str, str | int | float | bool] | None = None,
        name_contains: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Node], int]:
        """A page of nodes of ``label`` sorted by id, and the total count of matches.

        ``equals`` filters on property equality, ``name_contains`` on a case-insensitive
        substring of ``name``.
        """

    def counts(self) -> Counts: ...

    def iter_nodes(
        self, label: Label | None = None, *, include_builtin: bool = True
    ) -> Iterator[Node]:
        """All nodes sorted by id; without untouched built-in nodes if asked."""

    def iter_rels(
        self, rel_type: RelType | None = None, *, include_derived: bool = True
    ) -> Iterator[Rel]:
        """All relationships sorted by (type, src, dst)."""

    def generation(self) -> int:
        """A counter that grows with every write transaction."""

    def privacy_generation(self) -> int:
        """A counter that grows with every write that may change privacy (see above)."""


def touches_privacy(nodes: Sequence[Node], rels: Sequence[Rel]) -> bool:
    """Whether a write of ``nodes`` and ``rels`` must bump the privacy generation: it writes
    a Member (opt-out), an ApiKey (creation, revocation) or feedback (declines)."""
    return any(n.label in _ACCESS_LABELS for n in nodes) or any(
        r.type is RelType.FEEDBACK for r in rels
    )


_ACCESS_LABELS = frozenset({Label.MEMBER, Label.API_KEY})


def parse_store_url(url: str) -> tuple[str, str]:
    """Split a store URL into (kind, location) or raise :class:`InvalidInput`.

    >>> parse_store_url("sqlite:///./data/x.db")
    ('sqlite', './data/x.db')
    >>> parse_store_url("bolt://localhost:7687")
    ('neo4j', 'bolt://localhost:7687')
    """
    hint = "use sqlite:///PATH or neo4j://HOST:PORT or bolt://HOST:PORT"
    if not isinstance(url, str) or "://" not in url:
        raise InvalidInput(f"malformed store URL {url!r}: {hint}")
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        if parsed.netloc or not url.startswith("sqlite:///") or len(url) <= len("sqlite:///"):
            raise InvalidInput(f"malformed store URL {url!r}: {hint}")
        path = url[len("sqlite:///") :]
        return "sqlite", path
    if parsed.scheme in ("neo4j", "bolt", "neo4j+s", "bolt+s", "neo4j+ssc", "bolt+ssc"):
        if not parsed.hostname:
            raise InvalidInput(f"malformed store URL {url!r}: the host is missing; {hint}")
        if parsed.username or parsed.password:
            raise InvalidInput(
                f"store URL {parsed.scheme}://{parsed.hostname} contains credentials: "
                "set NEO4J_USERNAME and NEO4J_PASSWORD in the environment instead"
            )
        try:
            _ = parsed.port
        except ValueError:
            raise InvalidInput(f"malformed store URL {url!r}: bad port; {hint}") from None
        return "neo4j", url
    raise InvalidInput(f"unsupported store URL scheme {parsed.scheme!r}: {hint}")


def open_store(url: str | None = None, *, create: bool = True) -> GraphStore:
    """Open the store a URL names (default: ``MATCHMAKING_STORE`` or the local SQLite file).

    With ``create=False`` a SQLite file that does not exist raises :class:`NoStore` instead
    of being created empty (read commands use this, so a mistyped path is reported).
    Neo4j credentials come from ``NEO4J_USERNAME``/``NEO4J_PASSWORD`` (no auth when unset),
    the database from ``NEO4J_DATABASE``.
    """
    url = url or os.environ.get("MATCHMAKING_STORE") or DEFAULT_STORE_URL
    kind, location = parse_store_url(url)
    if kind == "sqlite":
        from graph_schema.sqlite_store import SQLiteStore

        return SQLiteStore(location, create=create)
    from graph_schema.neo4j_store import Neo4jStore

    return Neo4jStore.from_env(location)
