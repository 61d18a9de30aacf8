"""The server store: the graph in Neo4j 5, through the official ``neo4j`` driver.

It behaves exactly like :class:`~graph_schema.sqlite_store.SQLiteStore` (the contract suite
runs on both). One :meth:`Neo4jStore.write` is one managed write transaction
(``session.execute_write``, which retries transient errors such as deadlocks), so a batch is
applied whole or not at all; :meth:`Neo4jStore.write_all` (an import) is one explicit
transaction over all its batches. Reads use ``driver.execute_query`` with read routing; long
iterations page through the id index (keyset pagination) instead of holding one huge result,
so unlike SQLite's single cursor an iteration is not one snapshot: each page is read in its
own transaction.

Every Cypher statement lives in :mod:`graph_schema.cypher`. Credentials come only from the
environment (:meth:`Neo4jStore.from_env`) and are never logged or put into messages.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from neo4j import (
    Driver,
    GraphDatabase,
    ManagedTransaction,
    NotificationMinimumSeverity,
    Record,
    RoutingControl,
    Transaction,
)
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConnectionPoolError,
    ConstraintError,
    DatabaseUnavailable,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph_schema import cypher, reference
from graph_schema.errors import (
    Conflict,
    InvalidInput,
    LimitExceeded,
    MatchmakingError,
    NotFound,
    StoreError,
    StoreUnavailable,
)
from graph_schema.schema import LOCATED_LABELS, Label, Node, Rel, RelType
from graph_schema.store import Counts, Direction, touches_privacy

T = TypeVar("T")

CONNECT_TIMEOUT = 3.0  # seconds to open a connection / to get one from the pool
RETRY_TIME = 3.0  # seconds that managed transactions retry transient errors (a down
# server must give a 503 or a CLI error within seconds, not after a long retry loop)
NODE_PAGE = 20_000  # nodes per page of iter_nodes
REL_PAGE_SOURCES = 2_000  # source nodes per page of iter_rels
ID_CHUNK = 10_000  # ids per lookup query
_ALREADY_EXISTS = ("EquivalentSchemaRuleAlreadyExists", "AlreadyExists")


def _label(labels: Sequence[str]) -> Label:
    return Label(labels[0])


def _props(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in cypher.RESERVED_KEYS}


def _node(record: Record | dict[str, Any]) -> Node:
    return Node(record["id"], _label(record["labels"]), _props(record["props"]))


def _chunks(items: Sequence[T], size: int = ID_CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Neo4jStore:
    """A :class:`~graph_schema.store.GraphStore` on a Neo4j 5 server.

    Parameters
    ----------
    uri : str
        Bolt or Neo4j URI without credentials, e.g. ``bolt://127.0.0.1:7687``.
    auth : tuple of (str, str) or None
        Username and password; ``None`` for a server without authentication.
    database : str
        Name of the database to use.
    driver : neo4j.Driver, optional
        An existing driver to share (the store then does not close it).
    """

    def __init__(
        self,
        uri: str,
        *,
        auth: tuple[str, str] | None = None,
        database: str = "neo4j",
        driver: Driver | None = None,
    ) -> None:
        self.url = uri
        self.database = database
        self._owns_driver = driver is None
        self._connected = False
        if driver is None:
            try:
                driver = GraphDatabase.driver(
                    uri,
                    auth=auth,
                    connection_timeout=CONNECT_TIMEOUT,
                    connection_acquisition_timeout=CONNECT_TIMEOUT,
                    max_transaction_retry_time=RETRY_TIME,
                    # e.g. "relationship type does not exist" for types not yet written
                    notifications_min_severity=NotificationMinimumSeverity.OFF,
                )
            except (DriverError, ValueError) as e:
                raise InvalidInput(f"cannot use Neo4j URI {uri}: {e}") from e
        self._driver = driver

    @classmethod
    def from_env(cls, uri: str) -> Neo4jStore:
        """Open ``uri`` with ``NEO4J_USERNAME``/``NEO4J_PASSWORD`` (no auth when both are
        unset) and ``NEO4J_DATABASE`` (default ``neo4j``) from the environment."""
        user = os.environ.get("NEO4J_USERNAME") or ""
        password = os.environ.get("NEO4J_PASSWORD") or ""
        auth = (user or "neo4j", password) if (user or password) else None
        database = os.environ.get("NEO4J_DATABASE") or "neo4j"
        return cls(uri, auth=auth, database=database)

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        """Translate driver errors into our error hierarchy."""
        where = f"Neo4j at {self.url}"
        try:
            yield
        except MatchmakingError:
            raise
        except AuthError as e:
            raise StoreUnavailable(
                f"{where} rejected the credentials: check NEO4J_USERNAME and NEO4J_PASSWORD"
            ) from e
        except (ServiceUnavailable, SessionExpired, DatabaseUnavailable) as e:
            raise StoreUnavailable(f"cannot reach {where}: {e}") from e
        except ConstraintError as e:
            raise Conflict(f"{doing} clashes with existing data in {where}: {e.message}") from e
        except TransientError as e:
            raise StoreUnavailable(f"{where} is busy ({doing}); retry later: {e.message}") from e
        except Neo4jError as e:
            if e.code == "Neo.ClientError.Database.DatabaseNotFound":
                raise StoreError(
                    f"{where} has no database '{self.database}': set NEO4J_DATABASE"
                ) from e
            raise StoreError(f"{where} failed {doing}: {e.message or e}") from e
        except ConnectionPoolError as e:  # e.g. no connection free within the timeout
            raise StoreUnavailable(f"cannot reach {where}: {e}") from e
        except DriverError as e:
            raise StoreError(f"{where} failed {doing}: {e}") from e

    def _connect(self) -> None:
        """Check once that the server answers, so that an unreachable server fails fast
        instead of being retried by managed transactions."""
        if self._connected:
            return
        with self._guard("connecting"):
            self._driver.verify_connectivity()
        self._connected = True

    def _read(self, query: str, **params: Any) -> list[Record]:
        self._connect()
        with self._guard("reading"):
            records, _, _ = self._driver.execute_query(
                query, params, database_=self.database, routing_=RoutingControl.READ
            )
        return records

    def _write_tx(self, work: Callable[[ManagedTransaction], T], privacy: bool = False,
                  changed: Callable[[T], bool] | None = None) -> T:
        """Run ``work`` in one managed write transaction that also bumps the generation (and
        the privacy generation when ``privacy``); with ``changed``, only if ``changed`` says
        that ``work``'s result changed something (a delete of nothing changes nothing)."""

        def tx_fn(tx: ManagedTransaction) -> T:
            out = work(tx)
            if changed is None or changed(out):
                tx.run(cypher.BUMP_GENERATION).consume()
                if privacy:
                    tx.run(cypher.BUMP_PRIVACY).consume()
            return out

        self._connect()
        with (
            self._guard("writing"),
            self._driver.session(
                database=self.database,
                bookmark_manager=self._driver.execute_query_bookmark_manager,
            ) as session,
        ):
            return session.execute_write(tx_fn)

    def close(self) -> None:
        if self._owns_driver:
            self._driver.close()

    def ping(self) -> None:
        with (
            self._guard("answering a ping"),
            self._driver.session(database=self.database) as session,
        ):
            session.run(cypher.PING).consume()
        self._connected = True

    # ------------------------------------------------------------------ writes

    def init(self) -> None:
        self._connect()
        for stmt in cypher.schema_statements():
            self._schema(stmt)
        with self._guard("waiting for indexes"):
            self._driver.execute_query(cypher.AWAIT_INDEXES, {"seconds": 120},
                                       database_=self.database)
        groups: dict[Label, list[dict[str, Any]]] = {}
        for node_id, label, props in reference.reference_nodes():
            full = {**props, "id": node_id, cypher.BUILTIN: True}
            groups.setdefault(Label(label), []).append({"id": node_id, "props": full})

        def work(tx: ManagedTransaction) -> None:
            changed = False
            for label, rows in groups.items():
                summary = tx.run(cypher.upsert_builtin(label), rows=rows).consume()
                changed = changed or summary.counters.contains_updates
            if changed:  # a repeated init invalidates no projection
                tx.run(cypher.BUMP_GENERATION).consume()

        with (
            self._guard("writing"),
            self._driver.session(
                database=self.database,
                bookmark_manager=self._driver.execute_query_bookmark_manager,
            ) as session,
        ):
            session.execute_write(work)

    def _schema(self, stmt: str) -> None:
        try:
            with self._guard("creating the schema"):
                self._driver.execute_query(stmt, database_=self.database)
        except StoreError as e:
            cause = e.__cause__
            if not (isinstance(cause, ClientError) and any(
                x in (cause.code or "") for x in _ALREADY_EXISTS
            )):
                raise

    def write(
        self, nodes: Sequence[Node] = (), rels: Sequence[Rel] = (), *, replace: bool = False
    ) -> None:
        if not nodes and not rels:
            return
        node_groups = _node_rows(nodes, replace)
        rel_groups = _rel_rows(rels, replace)

        def work(tx: ManagedTransaction) -> None:
            if nodes:
                _write_nodes(tx, nodes, node_groups, replace)
            if rels:
                _write_rels(tx, rels, rel_groups, replace)

        self._write_tx(work, privacy=touches_privacy(nodes, rels))

    def write_all(self, batches: Iterable[tuple[Sequence[Node], Sequence[Rel]]]) -> None:
        """All batches in one explicit transaction (not a managed one: ``batches`` is read
        once, so a transient error is not retried but rolls everything back). If the
        client dies, the server rolls the open transaction back when the connection drops.
        """
        self._connect()
        try:
            with (
                self._guard("writing"),
                self._driver.session(
                    database=self.database,
                    bookmark_manager=self._driver.execute_query_bookmark_manager,
                ) as session,
                session.begin_transaction() as tx,
            ):
                for nodes, rels in batches:
                    if nodes:
                        _write_nodes(tx, nodes, _node_rows(nodes, False), False)
                    if rels:
                        _write_rels(tx, rels, _rel_rows(rels, False), False)
                tx.run(cypher.BUMP_GENERATION).consume()
                tx.run(cypher.BUMP_PRIVACY).consume()  # an import may change who is hidden
                tx.commit()
        except StoreUnavailable as e:
            cause = e.__cause__
            if isinstance(cause, Neo4jError) and "MemoryPoolOutOfMemory" in (cause.code or ""):
                raise LimitExceeded(
                    f"the import does not fit into one transaction of Neo4j at {self.url} "
                    f"({cause.message}); nothing was written: give the server more heap "
                    "(db.memory.transaction.total.max) or split the dataset"
                ) from e
            raise

    def delete_nodes(self, ids: Sequence[str]) -> int:
        unique = list(dict.fromkeys(ids))

        def work(tx: ManagedTransaction) -> int:
            deleted = 0
            for chunk in _chunks(unique):
                deleted += _single_int(tx, cypher.DELETE_NODES, "deleted", ids=list(chunk))
            return deleted

        return self._write_tx(work, privacy=True, changed=bool)

    def delete_rels(self, keys: Sequence[tuple[RelType, str, str]]) -> int:
        groups: dict[RelType, dict[tuple[str, str], None]] = {}
        for t, s, d in keys:
            groups.setdefault(RelType(t), {})[(s, d)] = None

        def work(tx: ManagedTransaction) -> int:
            deleted = 0
            for t, pairs in groups.items():
                rows = [{"src": s, "dst": d} for s, d in pairs]
                deleted += _single_int(tx, cypher.delete_rels(t), "deleted", rows=rows)
            return deleted

        return self._write_tx(work, privacy=True, changed=bool)

    # ------------------------------------------------------------------ reads

    def labels_of(self, ids: Iterable[str]) -> dict[str, Label]:
        out: dict[str, Label] = {}
        for chunk in _chunks(sorted(set(ids))):
            for r in self._read(cypher.LABELS_OF, ids=list(chunk)):
                out[r["id"]] = _label(r["labels"])
        return out

    def get_nodes(self, ids: Iterable[str]) -> dict[str, Node]:
        out: dict[str, Node] = {}
        for chunk in _chunks(sorted(set(ids))):
            for r in self._read(cypher.GET_NODES, ids=list(chunk)):
                out[r["id"]] = _node(r)
        return out

    def neighbours(
        self, node_id: str, rel_type: RelType | None = None, direction: Direction = "out"
    ) -> list[tuple[Rel, Node]]:
        t = RelType(rel_type) if rel_type else None
        out: list[tuple[Rel, Node]] = []
        for d in ("out", "in"):
            if direction in (d, "both"):
                for r in self._read(cypher.neighbours(d, t), id=node_id):
                    rel = Rel(RelType(r["type"]), r["src"], r["dst"], dict(r["rprops"]))
                    out.append((rel, _node(r)))
        out.sort(key=lambda p: (p[0].type.value, p[1].id, p[0].src))
        return out

    def find_nodes(
        self,
        label: Label,
        *,
        equals: dict[str, str | int | float | bool] | None = None,
        name_contains: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Node], int]:
        label = Label(label)
        equals = equals or {}
        if cypher.RESERVED_KEYS & equals.keys():
            return [], 0  # no node has such a property: they are not domain properties
        params: dict[str, Any] = {
            "offset": max(offset, 0),
            "limit": limit if limit >= 0 else 2**62,  # as SQLite: a negative limit is none
        }
        for i, (key, value) in enumerate(equals.items()):
            params[f"k{i}"] = key
            params[f"v{i}"] = value
        if name_contains:
            params["name"] = name_contains
        query = cypher.find_nodes(label, len(equals), bool(name_contains))
        record = self._read(query, **params)[0]
        return [_node(x) for x in record["page"]], int(record["total"])

    def counts(self) -> Counts:
        record = self._read(cypher.counts())[0]
        nodes = {x.value: int(record[f"n{i}"]) for i, x in enumerate(Label)}
        rels = {x.value: int(record[f"r{i}"]) for i, x in enumerate(RelType)}
        return Counts(
            nodes={k: v for k, v in sorted(nodes.items()) if v},
            rels={k: v for k, v in sorted(rels.items()) if v},
        )

    def iter_nodes(
        self, label: Label | None = None, *, include_builtin: bool = True
    ) -> Iterator[Node]:
        query = cypher.node_page(Label(label) if label is not None else None, include_builtin)
        after = ""
        while True:
            page = self._read(query, after=after, limit=NODE_PAGE)
            for r in page:
                yield _node(r)
            if len(page) < NODE_PAGE:
                return
            after = page[-1]["id"]

    def iter_rels(
        self, rel_type: RelType | None = None, *, include_derived: bool = True
    ) -> Iterator[Rel]:
        present = self.counts().rels
        types = sorted(RelType(t) for t in present)
        if rel_type is not None:
            types = [t for t in types if t is RelType(rel_type)]
        if not include_derived:
            types = [t for t in types if t is not RelType.LOCATED_IN]
        for t in types:
            yield from self._iter_rels_of(t)

    def _iter_rels_of(self, rel_type: RelType) -> Iterator[Rel]:
        query = cypher.rel_page(rel_type)
        after = ""
        while True:
            page = self._read(query, after=after, limit=REL_PAGE_SOURCES)
            sources = 0
            last = None
            for r in page:
                if r["src"] != last:
                    sources += 1
                    last = r["src"]
                yield Rel(rel_type, r["src"], r["dst"], dict(r["props"]))
            if sources < REL_PAGE_SOURCES or last is None:
                return
            after = last

    def generation(self) -> int:
        records = self._read(cypher.GENERATION)
        return int(records[0]["value"]) if records else 0

    def privacy_generation(self) -> int:
        records = self._read(cypher.PRIVACY_GENERATION)
        return int(records[0]["value"]) if records else 0

    def instance(self) -> str:
        """Changes when the database is wiped and filled again even if the generation counts
        up to the same value: the generation node's element id and the node and
        relationship counts (both read from Neo4j's count store)."""
        records = self._read(cypher.INSTANCE)
        if not records:
            return ""
        r = records[0]
        return f"{self.database}|{r['meta']}|{r['nodes']}|{r['rels']}"


# ---------------------------------------------------------------------- transaction bodies


def _single_int(tx: ManagedTransaction | Transaction, query: str, key: str, **params: Any) -> int:
    record = tx.run(query, params).single(strict=True)
    return int(record[key])


def _node_rows(nodes: Sequence[Node], replace: bool) -> dict[Label, list[dict[str, Any]]]:
    groups: dict[Label, list[dict[str, Any]]] = {}
    for n in nodes:
        reserved = cypher.RESERVED_KEYS & n.props.keys()
        if reserved:
            raise InvalidInput(
                f"node '{n.id}' has a property named '{min(reserved)}', which the store "
                "uses itself: rename the property"
            )
        props = {**n.props, "id": n.id} if replace else n.props
        groups.setdefault(Label(n.label), []).append({"id": n.id, "props": props})
    return groups


def _rel_rows(rels: Sequence[Rel], replace: bool) -> dict[RelType, list[dict[str, Any]]]:
    groups: dict[RelType, list[dict[str, Any]]] = {}
    for r in rels:
        groups.setdefault(RelType(r.type), []).append(
            {"src": r.src, "dst": r.dst, "props": r.props}
        )
    return groups


def _write_nodes(
    tx: ManagedTransaction | Transaction,
    nodes: Sequence[Node],
    groups: dict[Label, list[dict[str, Any]]],
    replace: bool,
) -> None:
    ids = list(dict.fromkeys(n.id for n in nodes))
    existing: dict[str, Label] = {}
    for chunk in _chunks(ids):
        for r in tx.run(cypher.LABELS_OF, ids=list(chunk)):
            existing[r["id"]] = _label(r["labels"])
    for n in nodes:
        old = existing.setdefault(n.id, n.label)
        if old is not n.label:
            raise Conflict(f"id '{n.id}' already exists as a {old.value}, not a {n.label.value}")
    for label, rows in groups.items():
        tx.run(cypher.upsert_nodes(label, replace), rows=rows).consume()
    located = [i for i in ids if existing[i] in LOCATED_LABELS]
    if located:
        tx.run(cypher.DERIVE_LOCATED_IN, ids=located).consume()


def _write_rels(
    tx: ManagedTransaction | Transaction,
    rels: Sequence[Rel],
    groups: dict[RelType, list[dict[str, Any]]],
    replace: bool,
) -> None:
    for rel_type, rows in groups.items():
        matched = _single_int(tx, cypher.upsert_rels(rel_type, replace), "matched", rows=rows)
        if matched < len(rows):
            ends = sorted({r.src for r in rels} | {r.dst for r in rels})
            missing = sorted(r["id"] for r in tx.run(cypher.MISSING_IDS, ids=ends))
            if missing:
                raise NotFound(f"relationship endpoint '{missing[0]}' does not exist")
            raise StoreError("relationship endpoints vanished during the write; retry it")
