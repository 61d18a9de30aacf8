"""Exposure fairness over a full pass of recommendations (every city in scope, each kind).

A candidate at rank ``r`` of a city's top-``k`` list gets exposure ``1 / log2(r + 1)`` (the
usual position discount: rank 1 counts 1, rank 3 counts 0.5) and one *appearance*. Who the
exposure goes to:

========== ========== ==============================================================
kind       entity     how
========== ========== ==============================================================
solutions  provider   a recommended solution's exposure is split evenly among the
                      providers offering it (each gets an appearance)
providers  provider   the candidate itself
experts    member     the candidate itself (members open to matches are the universe)
peers      city       the candidate itself
========== ========== ==============================================================

The Gini coefficient and the Lorenz curve are over every entity of the universe, never
recommended ones included. The pass uses the batch form of :meth:`Engine.recommend` and is
cached per
(engine, store generation, kind, cities, k).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from graph_schema.schema import Label, RelType
from matchmaking.analytics.base import ProgrammeData
from matchmaking.kinds import Kind
from matchmaking.training import candidate_rows
from scoring.metrics import gini, lorenz_curve

if TYPE_CHECKING:
    from matchmaking.engine import Engine, Recommendation

#: City kinds of the pass, and the label of the entity that receives the exposure.
EXPOSURE_KINDS: dict[str, Label] = {"solutions": Label.PROVIDER, "providers": Label.PROVIDER,
                                    "experts": Label.MEMBER, "peers": Label.CITY}
PASS_K = 10
TOP = 10
LORENZ_POINTS = 21


@dataclass(frozen=True)
class ExposureSummary:
    kind: str
    entity: str
    lists: int  # cities with a non-empty list
    entities: int
    exposed: int
    never_recommended: int
    gini: float
    top10_share: float  # share of all exposure going to the 10 most exposed entities


@dataclass(frozen=True)
class TopExposed:
    kind: str
    rank: int
    id: str
    name: str
    country: str
    appearances: int
    exposure: float
    share: float


@dataclass(frozen=True)
class CountryExposure:
    kind: str
    country: str
    entities: int
    exposed: int
    appearances: int
    exposure: float
    share: float


@dataclass(frozen=True)
class LorenzPoint:
    kind: str
    entity_share: float
    exposure_share: float


@dataclass(frozen=True)
class NeverRecommended:
    """A provider no city in scope saw in its solutions or providers lists."""

    id: str
    name: str
    country: str


@dataclass(frozen=True)
class Exposure:
    summary: list[ExposureSummary]
    top: list[TopExposed]
    by_country: list[CountryExposure]
    lorenz: list[LorenzPoint]
    never: list[NeverRecommended]


def recommendation_pass(engine: Engine, kind: str, city_ids: Sequence[str],
                        k: int = PASS_K) -> list[list[Recommendation]]:
    """Top-``k`` lists of ``kind`` for every city (errors give an empty list), through the
    engine's batch path; cached per (engine, generation, kind, cities, k)."""
    generation = engine.projection.generation
    key = (id(engine), generation, kind, hash(tuple(city_ids)), len(city_ids), k)
    with _LOCK:
        hit = _PASSES.get(key)
    if hit is not None and hit[0] is engine:
        return hit[1]
    batch = engine.recommend(Kind(kind), list(city_ids), k=k)
    lists = [batch.results.get(c, []) for c in city_ids]
    with _LOCK:
        while len(_PASSES) >= 16:
            _PASSES.pop(next(iter(_PASSES)))
        _PASSES[key] = (engine, lists)
    return lists


_LOCK = threading.Lock()
_PASSES: dict[tuple[Any, ...], tuple[Engine, list[list[Recommendation]]]] = {}


def _country(data: ProgrammeData, row: int) -> str:
    return data.proj.country[row] or ""


def exposure(data: ProgrammeData, lists: Mapping[str, Sequence[Sequence[Recommendation]]],
             ) -> Exposure:
    """Exposure tables from one pass: ``lists[kind]`` holds each city's ranked list."""
    proj = data.proj
    offers = data.block(RelType.OFFERS, Label.PROVIDER, Label.SOLUTION).tocsc()
    prov_rows = proj.rows[Label.PROVIDER]
    out = Exposure([], [], [], [], [])
    never: set[int] = set(prov_rows.tolist())
    for kind, entity in EXPOSURE_KINDS.items():
        if kind not in lists:
            continue
        universe = prov_rows if entity is Label.PROVIDER else candidate_rows(proj, Kind(kind))
        pos = {int(r): i for i, r in enumerate(universe.tolist())}
        expo = np.zeros(universe.size)
        seen = np.zeros(universe.size, dtype=np.int64)
        n_lists = 0
        for recs in lists[kind]:
            n_lists += bool(recs)
            for rank, rec in enumerate(recs, start=1):
                w = 1.0 / np.log2(rank + 1)
                row = proj.index.get(rec.id)
                if row is None:
                    continue
                if kind == "solutions":
                    s = int(proj.local[row])
                    owners = prov_rows[offers.indices[offers.indptr[s]:offers.indptr[s + 1]]]
                    for p in owners.tolist():
                        expo[pos[p]] += w / owners.size
                        seen[pos[p]] += 1
                elif row in pos:
                    expo[pos[row]] += w
                    seen[pos[row]] += 1
        total = float(expo.sum())
        if entity is Label.PROVIDER:
            never &= {r for r, i in pos.items() if seen[i] == 0}
        order = sorted(range(universe.size), key=lambda i: (-expo[i], proj.ids[universe[i]]))
        top10 = float(sum(expo[i] for i in order[:TOP]))
        out.summary.append(ExposureSummary(
            kind, entity.value, n_lists, int(universe.size), int((seen > 0).sum()),
            int((seen == 0).sum()), round(gini(expo), 4), round(top10 / total, 4) if total
            else 0.0))
        for rank, i in enumerate([i for i in order[:TOP] if seen[i] > 0], start=1):
            r = int(universe[i])
            out.top.append(TopExposed(kind, rank, proj.ids[r], proj.name(r), _country(data, r),
                                      int(seen[i]), round(float(expo[i]), 4),
                                      round(float(expo[i]) / total, 4)))
        by: dict[str, list[float]] = {}
        for i, r in enumerate(universe.tolist()):
            acc = by.setdefault(_country(data, r), [0, 0, 0, 0.0])
            acc[0] += 1
            acc[1] += seen[i] > 0
            acc[2] += seen[i]
            acc[3] += float(expo[i])
        for c, (n, exposed, app, e) in sorted(by.items(), key=lambda x: (-x[1][3], x[0])):
            out.by_country.append(CountryExposure(kind, c, int(n), int(exposed), int(app),
                                                  round(e, 4), round(e / total, 4) if total
                                                  else 0.0))
        out.lorenz.extend(LorenzPoint(kind, p, v)
                          for p, v in lorenz_curve(expo, points=LORENZ_POINTS))
    if any(k in lists for k in ("solutions", "providers")):
        out.never.extend(NeverRecommended(proj.ids[r], proj.name(r), _country(data, r))
                         for r in sorted(never, key=lambda r: proj.ids[r]))
    return out
