"""The in-memory projection of the graph that the engine scores on.

A :class:`Projection` holds, on one global node index (node ids sorted):

- one CSR adjacency per relationship type (``adj[RelType]``, shape ``(n, n)``), weighted by the
  relationship's own strength property where it has one (``NEEDS.urgency``,
  ``PRIORITIZES.weight``, ``EXPERT_IN.level``); ``KNOWS`` and ``PARTNERS_WITH`` are symmetrised;
- id <-> row maps, per-label row arrays and the local index of each row inside its label;
- feature tables: name, country, region, subregion, population, budget, cost level, category,
  languages, provider kind, ``open_to_matches``;
- the side tables scoring needs beyond adjacency: ``IMPLEMENTED.provider`` triples,
  ``MEASURES`` values, ``FEEDBACK`` verdicts and the ``year`` of ``IMPLEMENTED`` and
  ``ADVISED`` links (``link_year``; training hides each subject's newest links).

Building streams the store once; per-edge work is a dict lookup and a few list appends, the
matrices are assembled from numpy COO arrays.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NewType

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from graph_schema import reference
from graph_schema.schema import (
    EVENT_LABELS,
    EVENT_TYPES,
    SYMMETRIC_TYPES,
    Label,
    Node,
    Rel,
    RelType,
)
from graph_schema.store import GraphStore
from scoring.similarity import COST_LEVELS

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
#: A node's position in the global index (``ids[row]``, ``adj[t][row]``).
Row = NewType("Row", int)
#: A node's position among the nodes of its label (``rows[label][local] == row``); the
#: per-label matrices of :class:`matchmaking.features.FeatureSpace` are indexed by it.
Local = NewType("Local", int)

#: Labels in code order (``Projection.label_code``).
LABELS: tuple[Label, ...] = tuple(Label)

#: Relationship types that become adjacency matrices (FEEDBACK is kept as a side table;
#: events and meetings are not part of the recommendation graph).
PROJECTED_TYPES: tuple[RelType, ...] = tuple(
    t for t in RelType if t is not RelType.FEEDBACK and t not in EVENT_TYPES
)
#: Relationship types whose ``year`` property :attr:`Projection.link_year` keeps.
DATED_TYPES: tuple[RelType, ...] = (RelType.IMPLEMENTED, RelType.ADVISED)
#: Labels that are never projected.
UNPROJECTED_LABELS = frozenset({Label.API_KEY, *EVENT_LABELS})


def _strength(rel_type: RelType, props: Mapping[str, Any]) -> float:
    """Edge weight of one relationship: 1, or a strength in [0.5, 1] from its property."""
    key = {RelType.NEEDS: "urgency", RelType.PRIORITIZES: "weight"}.get(rel_type)
    if key is not None:
        v = props.get(key)
        return 1.0 if v is None else 0.5 + 0.5 * float(v)
    if rel_type is RelType.EXPERT_IN:
        v = props.get("level")
        return 1.0 if v is None else 0.5 + 0.1 * float(v)
    return 1.0


@dataclass
class Projection:
    """Typed sparse adjacency, index maps and feature tables of one graph snapshot."""

    ids: list[str]
    index: dict[str, int]
    label_code: NDArray[np.int8]
    rows: dict[Label, IntArray]
    local: IntArray
    adj: dict[RelType, sp.csr_array]
    props: list[dict[str, Any]]
    country: list[str | None]
    region: list[str | None]
    subregion: list[str | None]
    population: FloatArray
    budget: FloatArray
    cost: FloatArray
    languages: list[frozenset[str]]
    open_to_matches: NDArray[np.bool_]
    impl_provider: IntArray  # (m, 3): city row, solution row, provider row
    measures: tuple[IntArray, IntArray, FloatArray]  # city rows, KPI rows, values
    feedback: list[tuple[int, int, str, str]]  # (src row, dst row, kind, verdict)
    #: ``link_year[t][src, dst]``: the year of a dated link of type ``t`` (the latest one if
    #: there are several), 0 when it has none; for the types in :data:`DATED_TYPES`.
    link_year: dict[RelType, sp.csr_array] = dataclasses.field(default_factory=dict)
    generation: int | None = None

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_store(cls, store: GraphStore) -> Projection:
        """Project the whole store (the generation is read first, so a concurrent write
        makes the snapshot look stale rather than fresh)."""
        generation = store.generation()
        proj = cls.build(store.iter_nodes(), store.iter_rels())
        proj.generation = generation
        return proj

    @classmethod
    def build(cls, nodes: Iterable[Node], rels: Iterable[Rel]) -> Projection:
        """Project nodes and relationships; relationships with an unknown endpoint are skipped.

        API keys, events and meetings are never projected.
        """
        node_list = sorted(
            (n for n in nodes if n.label not in UNPROJECTED_LABELS), key=lambda n: n.id
        )
        ids = [n.id for n in node_list]
        index = {node_id: i for i, node_id in enumerate(ids)}
        n = len(ids)
        code_of = {lab: i for i, lab in enumerate(LABELS)}
        label_code = np.fromiter((code_of[x.label] for x in node_list), dtype=np.int8, count=n)
        rows = {lab: np.flatnonzero(label_code == code_of[lab]).astype(np.int64) for lab in LABELS}
        local = np.zeros(n, dtype=np.int64)
        for r in rows.values():
            local[r] = np.arange(r.size)
        props = [n_.props for n_ in node_list]
        country_props = {
            x.id.removeprefix("country:"): x.props for x in node_list if x.label is Label.COUNTRY
        }
        country: list[str | None] = []
        region: list[str | None] = []
        subregion: list[str | None] = []
        for x in node_list:
            code = x.props.get("country") if x.label is not Label.COUNTRY else None
            if x.label is Label.COUNTRY:
                code = x.id.removeprefix("country:")
            code = code.upper() if isinstance(code, str) else None
            info = country_props.get(code) if code else None
            if code and info is None:
                info = reference.country(code)
            country.append(code)
            region.append((info or {}).get("region") or None)
            subregion.append((info or {}).get("subregion") or None)
        population = np.array([_num(p.get("population")) for p in props], dtype=np.float64)
        budget = np.array([_num(p.get("budget_eur")) for p in props], dtype=np.float64)
        cost = np.array([COST_LEVELS.get(str(p.get("cost")), np.nan) for p in props],
                        dtype=np.float64)
        languages = [frozenset(p.get("languages") or ()) for p in props]
        open_ = np.array([p.get("open_to_matches", True) is not False for p in props], dtype=bool)
        proj = cls(
            ids=ids, index=index, label_code=label_code, rows=rows, local=local, adj={},
            props=props, country=country, region=region, subregion=subregion,
            population=population, budget=budget, cost=cost, languages=languages,
            open_to_matches=open_, impl_provider=np.zeros((0, 3), dtype=np.int64),
            measures=(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)), feedback=[],
        )
        proj._read_rels(rels)
        return proj

    def _read_rels(self, rels: Iterable[Rel]) -> None:
        index = self.index
        src: dict[RelType, list[int]] = {t: [] for t in PROJECTED_TYPES}
        dst: dict[RelType, list[int]] = {t: [] for t in PROJECTED_TYPES}
        weight: dict[RelType, list[float]] = {t: [] for t in PROJECTED_TYPES}
        weighted = {RelType.NEEDS, RelType.PRIORITIZES, RelType.EXPERT_IN}
        triples: list[tuple[int, int, int]] = []
        mc: list[int] = []
        mk: list[int] = []
        mv: list[float] = []
        years: dict[RelType, dict[tuple[int, int], int]] = {t: {} for t in DATED_TYPES}
        get = index.get
        for rel in rels:
            s = get(rel.src)
            d = get(rel.dst)
            if s is None or d is None:
                continue
            t = rel.type
            if t is RelType.FEEDBACK:
                self.feedback.append(
                    (s, d, str(rel.props.get("kind", "")), str(rel.props.get("verdict", "")))
                )
                continue
            src[t].append(s)
            dst[t].append(d)
            if t in years:
                y = rel.props.get("year")
                if isinstance(y, int) and not isinstance(y, bool):
                    dated = years[t]
                    dated[(s, d)] = max(y, dated.get((s, d), y))
            if t in weighted:
                weight[t].append(_strength(t, rel.props))
            elif t is RelType.IMPLEMENTED:
                p = rel.props.get("provider")
                pr = get(p) if isinstance(p, str) else None
                if pr is not None:
                    triples.append((s, d, pr))
            elif t is RelType.MEASURES:
                v = rel.props.get("value")
                if isinstance(v, int | float) and not isinstance(v, bool):
                    mc.append(s)
                    mk.append(d)
                    mv.append(float(v))
        n = len(self.ids)
        for t in PROJECTED_TYPES:
            s_arr = np.asarray(src[t], dtype=np.int64)
            d_arr = np.asarray(dst[t], dtype=np.int64)
            w_arr = (np.asarray(weight[t], dtype=np.float64) if t in weighted
                     else np.ones(s_arr.size))
            if t in SYMMETRIC_TYPES:
                s_arr, d_arr = np.concatenate([s_arr, d_arr]), np.concatenate([d_arr, s_arr])
                w_arr = np.concatenate([w_arr, w_arr])
            M = sp.csr_array((w_arr, (s_arr, d_arr)), shape=(n, n))
            M.sum_duplicates()
            if t in SYMMETRIC_TYPES and M.nnz:
                M.data[:] = np.minimum(M.data, 1.0)  # (a, b) and (b, a) are the same tie
            self.adj[t] = M
        for t, dated in years.items():
            pairs = np.array(list(dated), dtype=np.int64).reshape(-1, 2)
            self.link_year[t] = sp.csr_array(
                (np.fromiter(dated.values(), dtype=np.int64, count=len(dated)),
                 (pairs[:, 0], pairs[:, 1])), shape=(n, n))
        self.impl_provider = (
            np.asarray(sorted(triples), dtype=np.int64).reshape(-1, 3)
        )
        self.measures = (
            np.asarray(mc, dtype=np.int64), np.asarray(mk, dtype=np.int64),
            np.asarray(mv, dtype=np.float64),
        )
        self.feedback.sort()

    # ------------------------------------------------------------------ access

    @property
    def n(self) -> int:
        return len(self.ids)

    def label(self, row: int) -> Label:
        return LABELS[int(self.label_code[row])]

    def name(self, row: int) -> str:
        return str(self.props[row].get("name") or self.ids[row])

    def block(self, rel_type: RelType, src: Label, dst: Label) -> sp.csr_array:
        """The adjacency of ``rel_type`` restricted to ``src`` rows and ``dst`` columns, on the
        labels' local indices (shape ``(n_src, n_dst)``)."""
        M = self.adj[rel_type]
        return sp.csr_array(M[self.rows[src]][:, self.rows[dst]])

    def without(self, removed: Mapping[RelType, tuple[IntArray, IntArray]]) -> Projection:
        """A copy with the given (src row, dst row) edges removed from their adjacency.

        Removing ``IMPLEMENTED`` edges also drops their ``IMPLEMENTED.provider`` triples;
        symmetric types lose both directions. Feature tables are shared, not copied.
        """
        adj = dict(self.adj)
        impl = self.impl_provider
        n = self.n
        for t, (s, d) in removed.items():
            s = np.asarray(s, dtype=np.int64)
            d = np.asarray(d, dtype=np.int64)
            if t in SYMMETRIC_TYPES:
                s, d = np.concatenate([s, d]), np.concatenate([d, s])
            mask = sp.csr_array((np.ones(s.size), (s, d)), shape=(n, n))
            mask.sum_duplicates()
            M = adj[t].copy()
            M = sp.csr_array(M - M.multiply(mask.astype(bool)))
            M.eliminate_zeros()
            adj[t] = M
            if t is RelType.IMPLEMENTED and impl.size:
                gone = set(zip(s.tolist(), d.tolist(), strict=True))
                keep = [i for i, (c, so, _) in enumerate(impl.tolist()) if (c, so) not in gone]
                impl = impl[np.asarray(keep, dtype=np.int64)].reshape(-1, 3)
        return dataclasses.replace(self, adj=adj, impl_provider=impl)


def _num(v: Any) -> float:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    return float("nan")
