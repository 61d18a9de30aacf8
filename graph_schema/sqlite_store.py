"""The embedded store: the whole graph in one SQLite file (stdlib ``sqlite3``, WAL mode).

Nodes and relationships are rows with their properties as JSON text. One call of
:meth:`SQLiteStore.write` (or of :meth:`SQLiteStore.write_all`, a whole import) is one
``BEGIN IMMEDIATE`` transaction, so it is applied whole or not at all, even if the process
is killed half-way; WAL readers keep reading the old state until the commit. Each thread
gets its own connection; WAL lets readers proceed while one writer writes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from graph_schema import reference
from graph_schema.errors import (
    Conflict,
    InvalidInput,
    NoStore,
    NotFound,
    StoreBusy,
    StoreUnavailable,
)
from graph_schema.schema import LOCATED_LABELS, Label, Node, Rel, RelType
from graph_schema.store import Counts, Direction, touches_privacy

_DDL = """
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    props TEXT NOT NULL,
    builtin INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS nodes_label ON nodes(label, id);
CREATE TABLE IF NOT EXISTS rels (
    type TEXT NOT NULL,
    src TEXT NOT NULL,
    dst TEXT NOT NULL,
    props TEXT NOT NULL,
    PRIMARY KEY (type, src, dst)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rels_src ON rels(src, type);
CREATE INDEX IF NOT EXISTS rels_dst ON rels(dst, type);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('generation', 0);
INSERT OR IGNORE INTO meta(key, value) VALUES ('privacy', 0);
INSERT OR IGNORE INTO meta(key, value) VALUES ('instance', random() & 9223372036854775807);
"""

_CHUNK = 5000  # ids per IN (...) lookup (SQLite allows 32,766 variables)


def _dumps(props: dict[str, Any]) -> str:
    if not props:
        return "{}"
    try:
        return orjson.dumps(props, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError as e:  # e.g. a lone surrogate that slipped past validation
        raise InvalidInput(f"a property value cannot be stored: {e}") from None


def _node(row: sqlite3.Row | tuple[Any, ...]) -> Node:
    return Node(row[0], Label(row[1]), orjson.loads(row[2]))


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class SQLiteStore:
    """A :class:`~graph_schema.store.GraphStore` in one SQLite file."""

    def __init__(self, path: str | Path, *, timeout: float = 10.0, create: bool = True) -> None:
        self.path = str(path)
        self.url = f"sqlite:///{self.path}"
        self._timeout = timeout
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        if self.path != ":memory:":
            parent = Path(self.path).expanduser().resolve().parent
            if not parent.is_dir():
                raise InvalidInput(
                    f"cannot open {self.url}: folder {parent} does not exist; create it first"
                )
            if not create and not Path(self.path).expanduser().is_file():
                raise NoStore(
                    f"no store at {self.path}: run `matchmaking init` or `import` "
                    "(or check the --store URL / MATCHMAKING_STORE)"
                )
        try:
            self._con().executescript(_DDL)
        except sqlite3.Error as e:
            raise StoreUnavailable(f"cannot use {self.url}: {e}") from e

    # ------------------------------------------------------------------ connections

    def _con(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            try:
                con = sqlite3.connect(
                    self.path, timeout=self._timeout, isolation_level=None,
                    check_same_thread=False,
                )
                con.execute("PRAGMA journal_mode=WAL")
                con.execute("PRAGMA synchronous=NORMAL")
                con.execute("PRAGMA cache_size=-65536")
                # SQLite's lower() folds ASCII only; name_contains must fold "Zürich" too.
                con.create_function("py_lower", 1, _lower, deterministic=True)
            except sqlite3.Error as e:
                raise StoreUnavailable(f"cannot open {self.url}: {e}") from e
            self._local.con = con
            with self._lock:
                self._all.append(con)
        return con

    @contextmanager
    def _tx(self, privacy: bool = False, *, bump_always: bool = True
            ) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction that bumps the generation when it commits
        (without ``bump_always``: only if it changed a row), and the privacy generation too
        when ``privacy``."""
        con = self._con()
        try:
            con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            if "locked" in str(e) or "busy" in str(e):  # another writer: this request only
                raise StoreBusy(f"{self.url} is locked by another writer: {e}") from e
            raise StoreUnavailable(f"{self.url} is busy or unwritable: {e}") from e
        changes = con.total_changes
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        else:
            if bump_always or con.total_changes != changes:
                con.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
                if privacy:
                    con.execute("INSERT INTO meta(key, value) VALUES ('privacy', 1) "
                                "ON CONFLICT(key) DO UPDATE SET value = value + 1")
            con.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            for con in self._all:
                con.close()
            self._all.clear()
        self._local = threading.local()

    def ping(self) -> None:
        try:
            self._con().execute("SELECT 1").fetchone()
        except sqlite3.Error as e:
            raise StoreUnavailable(f"{self.url} does not answer: {e}") from e

    # ------------------------------------------------------------------ writes

    def init(self) -> None:
        rows = [
            (node_id, label, _dumps(props)) for node_id, label, props in reference.reference_nodes()
        ]
        # Only a real change bumps the generation: a repeated init invalidates no projection.
        with self._tx(bump_always=False) as con:
            con.executemany(
                "INSERT INTO nodes(id, label, props, builtin) VALUES (?, ?, ?, 1) "
                "ON CONFLICT(id) DO UPDATE SET props = excluded.props "
                "WHERE nodes.builtin = 1 AND nodes.props <> excluded.props",
                rows,
            )

    def write(
        self, nodes: Sequence[Node] = (), rels: Sequence[Rel] = (), *, replace: bool = False
    ) -> None:
        if not nodes and not rels:
            return
        with self._tx(privacy=touches_privacy(nodes, rels)) as con:
            if nodes:
                self._write_nodes(con, nodes, replace)
            if rels:
                self._write_rels(con, rels, replace)

    def _write_nodes(self, con: sqlite3.Connection, nodes: Sequence[Node], replace: bool) -> None:
        existing = self._labels(con, [n.id for n in nodes])
        for n in nodes:
            old = existing.setdefault(n.id, n.label)  # also catches a clash within the batch
            if old is not n.label:
                raise Conflict(
                    f"id '{n.id}' already exists as a {old.value}, not a {n.label.value}"
                )
        merge = "excluded.props" if replace else "json_patch(nodes.props, excluded.props)"
        con.executemany(
            "INSERT INTO nodes(id, label, props, builtin) VALUES (?, ?, ?, 0) "
            f"ON CONFLICT(id) DO UPDATE SET props = {merge}, builtin = 0",
            [(n.id, n.label.value, _dumps(n.props)) for n in nodes],
        )
        located = [(i,) for i in dict.fromkeys(n.id for n in nodes if n.label in LOCATED_LABELS)]
        if located:
            con.executemany("DELETE FROM rels WHERE type = 'LOCATED_IN' AND src = ?", located)
            con.executemany(
                "INSERT INTO rels(type, src, dst, props) "
                "SELECT 'LOCATED_IN', n.id, c.id, '{}' FROM nodes n JOIN nodes c "
                "ON c.id = 'country:' || json_extract(n.props, '$.country') WHERE n.id = ?",
                located,
            )

    def _write_rels(self, con: sqlite3.Connection, rels: Sequence[Rel], replace: bool) -> None:
        ends = sorted({r.src for r in rels} | {r.dst for r in rels})
        found = self._labels(con, ends)
        missing = [x for x in ends if x not in found]
        if missing:
            raise NotFound(f"relationship endpoint '{missing[0]}' does not exist")
        merge = "excluded.props" if replace else "json_patch(rels.props, excluded.props)"
        con.executemany(
            "INSERT INTO rels(type, src, dst, props) VALUES (?, ?, ?, ?) "
            f"ON CONFLICT(type, src, dst) DO UPDATE SET props = {merge}",
            [(r.type.value, r.src, r.dst, _dumps(r.props)) for r in rels],
        )

    def write_all(self, batches: Iterable[tuple[Sequence[Node], Sequence[Rel]]]) -> None:
        with self._tx(privacy=True) as con:  # an import may change who is hidden
            for nodes, rels in batches:
                if nodes:
                    self._write_nodes(con, nodes, False)
                if rels:
                    self._write_rels(con, rels, False)

    def delete_nodes(self, ids: Sequence[str]) -> int:
        deleted = 0
        with self._tx(privacy=True, bump_always=False) as con:  # deleting nothing: no change
            for chunk in _chunks(list(ids)):
                marks = ",".join("?" * len(chunk))
                con.execute(f"DELETE FROM rels WHERE src IN ({marks})", chunk)
                con.execute(f"DELETE FROM rels WHERE dst IN ({marks})", chunk)
                deleted += con.execute(f"DELETE FROM nodes WHERE id IN ({marks})", chunk).rowcount
        return deleted

    def delete_rels(self, keys: Sequence[tuple[RelType, str, str]]) -> int:
        with self._tx(privacy=True, bump_always=False) as con:
            before = con.total_changes
            con.executemany(
                "DELETE FROM rels WHERE type = ? AND src = ? AND dst = ?",
                [(RelType(t).value, s, d) for t, s, d in keys],
            )
            return con.total_changes - before

    # ------------------------------------------------------------------ reads

    def _labels(self, con: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Label]:
        out: dict[str, Label] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for node_id, label in con.execute(
                f"SELECT id, label FROM nodes WHERE id IN ({marks})", chunk
            ):
                out[node_id] = Label(label)
        return out

    def labels_of(self, ids: Iterable[str]) -> dict[str, Label]:
        return self._labels(self._con(), sorted(set(ids)))

    def get_nodes(self, ids: Iterable[str]) -> dict[str, Node]:
        out: dict[str, Node] = {}
        con = self._con()
        for chunk in _chunks(sorted(set(ids))):
            marks = ",".join("?" * len(chunk))
            for row in con.execute(
                f"SELECT id, label, props FROM nodes WHERE id IN ({marks})", chunk
            ):
                out[row[0]] = _node(row)
        return out

    def neighbours(
        self, node_id: str, rel_type: RelType | None = None, direction: Direction = "out"
    ) -> list[tuple[Rel, Node]]:
        out: list[tuple[Rel, Node]] = []
        type_sql, args = ("AND r.type = ?", [RelType(rel_type).value]) if rel_type else ("", [])
        con = self._con()
        if direction in ("out", "both"):
            q = (
                "SELECT r.type, r.src, r.dst, r.props, n.id, n.label, n.props FROM rels r "
                f"JOIN nodes n ON n.id = r.dst WHERE r.src = ? {type_sql}"
            )
            out += [_pair(row) for row in con.execute(q, [node_id, *args])]
        if direction in ("in", "both"):
            q = (
                "SELECT r.type, r.src, r.dst, r.props, n.id, n.label, n.props FROM rels r "
                f"JOIN nodes n ON n.id = r.src WHERE r.dst = ? {type_sql}"
            )
            out += [_pair(row) for row in con.execute(q, [node_id, *args])]
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
        where = ["label = ?"]
        args: list[Any] = [Label(label).value]
        for key, value in (equals or {}).items():
            where.append("json_extract(props, ?) = ?")
            args += [f'$."{key}"', value]
        if name_contains:
            where.append("instr(py_lower(json_extract(props, '$.name')), py_lower(?)) > 0")
            args.append(name_contains)
        sql_where = " AND ".join(where)
        con = self._con()
        total = con.execute(f"SELECT count(*) FROM nodes WHERE {sql_where}", args).fetchone()[0]
        rows = con.execute(
            f"SELECT id, label, props FROM nodes WHERE {sql_where} ORDER BY id LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
        return [_node(r) for r in rows], int(total)

    def counts(self) -> Counts:
        con = self._con()
        return Counts(
            nodes=dict(con.execute("SELECT label, count(*) FROM nodes GROUP BY label ORDER BY 1")),
            rels=dict(con.execute("SELECT type, count(*) FROM rels GROUP BY type ORDER BY 1")),
        )

    def iter_nodes(
        self, label: Label | None = None, *, include_builtin: bool = True
    ) -> Iterator[Node]:
        where: dict[str, str | None] = {}
        if label is not None:
            where["label = ?"] = Label(label).value
        if not include_builtin:
            where["builtin = 0"] = None
        for row in self._stream("SELECT id, label, props FROM nodes", where, "id"):
            yield _node(row)

    def iter_rels(
        self, rel_type: RelType | None = None, *, include_derived: bool = True
    ) -> Iterator[Rel]:
        where: dict[str, str | None] = {}
        if rel_type is not None:
            where["type = ?"] = RelType(rel_type).value
        if not include_derived:
            where["type <> 'LOCATED_IN'"] = None
        for t, s, d, p in self._stream(
            "SELECT type, src, dst, props FROM rels", where, "type, src, dst"
        ):
            yield Rel(RelType(t), s, d, orjson.loads(p))

    def _stream(
        self, select: str, where: dict[str, str | None], order: str
    ) -> Iterator[tuple[Any, ...]]:
        """Rows of ``select`` filtered by the ``where`` conditions (a condition maps to its
        parameter, or None), sorted by ``order``, read on a connection of their own so that a
        long iteration does not hold the thread's one."""
        sql = select + (" WHERE " + " AND ".join(where) if where else "") + f" ORDER BY {order}"
        con = sqlite3.connect(self.path, timeout=self._timeout)
        try:
            yield from con.execute(sql, [v for v in where.values() if v is not None])
        finally:
            con.close()

    def privacy_generation(self) -> int:
        row = self._con().execute("SELECT value FROM meta WHERE key = 'privacy'").fetchone()
        return int(row[0]) if row else 0

    def generation(self) -> int:
        row = self._con().execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0])

    def instance(self) -> str:
        """A random number drawn when the file was created: a file deleted and made again
        (whose generation may count up to the same value) has another one."""
        row = self._con().execute("SELECT value FROM meta WHERE key = 'instance'").fetchone()
        return str(row[0]) if row else ""


def _pair(row: tuple[Any, ...]) -> tuple[Rel, Node]:
    t, s, d, p, nid, nlabel, nprops = row
    return Rel(RelType(t), s, d, orjson.loads(p)), Node(nid, Label(nlabel), orjson.loads(nprops))
