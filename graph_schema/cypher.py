"""Every Cypher statement of :mod:`graph_schema.neo4j_store`, in one place.

Values always travel as ``$parameters``. The only strings ever interpolated into a
statement are labels and relationship types taken from the :class:`Label` and
:class:`RelType` enums (backtick-quoted by :func:`q`) and index names derived from them.

Every domain node carries the generic label ``:Node`` (unique ``id``) plus its domain label.
Built-in reference nodes that the data has not touched carry the hidden property
``_builtin: true``. The write-generation counter lives on one ``:Meta {key: 'generation'}``
node, outside ``:Node``.
"""

from __future__ import annotations

from functools import cache

from graph_schema.schema import Label, RelType

NODE = "Node"
BUILTIN = "_builtin"
#: Property keys that the store uses itself and that never leave it as domain properties.
RESERVED_KEYS = frozenset({"id", BUILTIN})


def q(name: Label | RelType) -> str:
    """Backtick-quote a label or relationship type taken from our enums."""
    value = name.value  # enums only: a plain str has no .value and fails here
    if "`" in value:
        raise ValueError(f"refusing to quote {value!r}")
    return f"`{value}`"


def index_name(label: Label) -> str:
    """The deterministic name of the per-label id index, e.g. ``city_id``."""
    return f"{label.value.lower()}_id"


# ------------------------------------------------------------------------------- schema


def schema_statements() -> list[str]:
    """Constraints and indexes created by ``init`` (idempotent)."""
    stmts = [
        f"CREATE CONSTRAINT node_id IF NOT EXISTS FOR (n:{NODE}) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (m:Meta) REQUIRE m.key IS UNIQUE",
    ]
    stmts += [
        f"CREATE INDEX {index_name(label)} IF NOT EXISTS FOR (n:{q(label)}) ON (n.id)"
        for label in Label
    ]
    return stmts


AWAIT_INDEXES = "CALL db.awaitIndexes($seconds)"

BUMP_GENERATION = """
MERGE (m:Meta {key: 'generation'})
ON CREATE SET m.value = 0
SET m.value = m.value + 1
"""

GENERATION = "MATCH (m:Meta {key: 'generation'}) RETURN m.value AS value"

BUMP_PRIVACY = """
MERGE (m:Meta {key: 'privacy'})
ON CREATE SET m.value = 0
SET m.value = m.value + 1
"""

PRIVACY_GENERATION = "MATCH (m:Meta {key: 'privacy'}) RETURN m.value AS value"

INSTANCE = """
OPTIONAL MATCH (m:Meta {key: 'generation'})
WITH elementId(m) AS meta
CALL { MATCH (n) RETURN count(n) AS nodes }
CALL { MATCH ()-[r]->() RETURN count(r) AS rels }
RETURN meta, nodes, rels
"""

PING = "RETURN 1 AS ok"


# ------------------------------------------------------------------------------- writes


@cache
def upsert_builtin(label: Label) -> str:
    """Create a reference node, or refresh it while it is still marked built-in and differs.

    ``row.props`` holds the full property map including ``id`` and ``_builtin``. The
    statement's counters show an update only when something changed.
    """
    return f"""
UNWIND $rows AS row
MERGE (n:{NODE} {{id: row.id}})
ON CREATE SET n:{q(label)}, n.{BUILTIN} = true
WITH n, row WHERE n.{BUILTIN} = true AND properties(n) <> row.props
SET n = row.props
"""


@cache
def upsert_nodes(label: Label, replace: bool) -> str:
    """Upsert nodes of one label; with ``replace`` ``row.props`` also carries ``id``."""
    setter = "SET n = row.props" if replace else f"SET n += row.props REMOVE n.{BUILTIN}"
    return f"""
UNWIND $rows AS row
MERGE (n:{NODE} {{id: row.id}})
ON CREATE SET n:{q(label)}
{setter}
"""


LABELS_OF = f"""
UNWIND $ids AS id
MATCH (n:{NODE} {{id: id}})
RETURN n.id AS id, [x IN labels(n) WHERE x <> '{NODE}'] AS labels
"""

MISSING_IDS = f"""
UNWIND $ids AS id
OPTIONAL MATCH (n:{NODE} {{id: id}})
WITH id, n WHERE n IS NULL
RETURN id
"""

DERIVE_LOCATED_IN = f"""
UNWIND $ids AS id
MATCH (n:{NODE} {{id: id}})
OPTIONAL MATCH (n)-[old:{q(RelType.LOCATED_IN)}]->()
DELETE old
WITH DISTINCT n
MATCH (c:{NODE} {{id: 'country:' + n.country}})
MERGE (n)-[:{q(RelType.LOCATED_IN)}]->(c)
"""


@cache
def upsert_rels(rel_type: RelType, replace: bool) -> str:
    """Upsert relationships of one type between existing nodes; returns how many rows matched."""
    setter = "SET r = row.props" if replace else "SET r += row.props"
    return f"""
UNWIND $rows AS row
MATCH (a:{NODE} {{id: row.src}})
MATCH (b:{NODE} {{id: row.dst}})
MERGE (a)-[r:{q(rel_type)}]->(b)
{setter}
RETURN count(*) AS matched
"""


DELETE_NODES = f"""
UNWIND $ids AS id
MATCH (n:{NODE} {{id: id}})
DETACH DELETE n
RETURN count(*) AS deleted
"""


@cache
def delete_rels(rel_type: RelType) -> str:
    return f"""
UNWIND $rows AS row
MATCH (a:{NODE} {{id: row.src}})-[r:{q(rel_type)}]->(b:{NODE} {{id: row.dst}})
DELETE r
RETURN count(*) AS deleted
"""


# ------------------------------------------------------------------------------- reads

_NODE_FIELDS = f"n.id AS id, [x IN labels(n) WHERE x <> '{NODE}'] AS labels, properties(n) AS props"

GET_NODES = f"""
UNWIND $ids AS id
MATCH (n:{NODE} {{id: id}})
RETURN {_NODE_FIELDS}
"""


@cache
def neighbours(direction: str, rel_type: RelType | None) -> str:
    """Relationships at ``$id`` in one direction (``out`` or ``in``) with the other node."""
    rel = f"[r:{q(rel_type)}]" if rel_type is not None else "[r]"
    pattern = f"-{rel}->" if direction == "out" else f"<-{rel}-"
    return f"""
MATCH (a:{NODE} {{id: $id}}){pattern}(n:{NODE})
RETURN type(r) AS type, startNode(r).id AS src, endNode(r).id AS dst,
       properties(r) AS rprops, {_NODE_FIELDS}
"""


@cache
def find_nodes(label: Label, n_equals: int, name_contains: bool) -> str:
    """The total count and one page (by id) of the nodes of ``label`` that match.

    Filters use ``$k0/$v0 ...`` (property equality) and ``$name`` (case-insensitive
    substring of ``name``); the page is ``$offset``/``$limit``.
    """
    where = [f"n[$k{i}] = $v{i}" for i in range(n_equals)]
    if name_contains:
        where.append("toLower(toStringOrNull(n.name)) CONTAINS toLower($name)")
    cond = ("WHERE " + " AND ".join(where)) if where else ""
    match = f"MATCH (n:{q(label)}:{NODE}) {cond}"
    return f"""
CALL () {{ {match} RETURN count(n) AS total }}
CALL () {{
  {match}
  WITH n ORDER BY n.id SKIP $offset LIMIT $limit
  RETURN collect({{id: n.id, labels: [x IN labels(n) WHERE x <> '{NODE}'],
                   props: properties(n)}}) AS page
}}
RETURN total, page
"""


@cache
def counts() -> str:
    """Node counts per label (``n0, n1, ...`` in :class:`Label` order) and relationship
    counts per type (``r0, r1, ...`` in :class:`RelType` order), all from the count store."""
    parts = [f"CALL () {{ MATCH (n:{q(label)}) RETURN count(n) AS n{i} }}"
             for i, label in enumerate(Label)]
    parts += [f"CALL () {{ MATCH ()-[r:{q(t)}]->() RETURN count(r) AS r{i} }}"
              for i, t in enumerate(RelType)]
    return "\n".join(parts) + "\nRETURN *"


@cache
def node_page(label: Label | None, include_builtin: bool) -> str:
    """One page of nodes with id > ``$after``, ordered by id (index-backed)."""
    match = f"(n:{q(label)}:{NODE})" if label is not None else f"(n:{NODE})"
    extra = "" if include_builtin else f" AND n.{BUILTIN} IS NULL"
    return f"""
MATCH {match} WHERE n.id > $after{extra}
RETURN {_NODE_FIELDS}
ORDER BY n.id
LIMIT $limit
"""


@cache
def rel_page(rel_type: RelType) -> str:
    """Relationships of one type whose source is among the next ``$limit`` source nodes
    (by id, after ``$after``) that have any; ordered by (src, dst)."""
    t = q(rel_type)
    return f"""
MATCH (a:{NODE}) WHERE a.id > $after AND EXISTS {{ (a)-[:{t}]->(:{NODE}) }}
WITH a ORDER BY a.id LIMIT $limit
MATCH (a)-[r:{t}]->(b:{NODE})
RETURN a.id AS src, b.id AS dst, properties(r) AS props
ORDER BY src, dst
"""

