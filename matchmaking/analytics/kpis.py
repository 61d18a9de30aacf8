"""KPI weak spots: how far cities are from the programme's best on each U4SSC KPI.

The **shortfall** of a city on a KPI is ``(best - value) / (best - worst)`` clipped to
[0, 1], where *best* and *worst* are the 95th and 5th percentiles of all the programme's
reported values (direction-aware: for ``lower_is_better`` KPIs the low values are best). 0
means at or above the programme's best, 1 at or below its worst. It is used instead of the
engine's percentile gap (``FeatureSpace.kpi_gap``), which is uniform over the cities by
construction and so cannot tell one KPI from another. The percentiles are taken over every
city, whatever the scope, so a country's shortfalls are measured against the whole programme.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from graph_schema.schema import Label, RelType
from matchmaking.analytics.base import ProgrammeData, Scope
from matchmaking.projection import Projection

#: A shortfall at least this large counts as a weak spot (and as demand for its dimension).
WEAK = 0.5
LOW_PCT, HIGH_PCT = 5.0, 95.0


def kpi_shortfall(proj: Projection) -> NDArray[np.float64]:
    """Shortfall of every city (rows: local city index) on every KPI (columns: local KPI
    index); NaN where the city reports no value."""
    cities, kpis, values = proj.measures
    n_c, n_k = proj.rows[Label.CITY].size, proj.rows[Label.KPI].size
    V = np.full((n_c, n_k), np.nan)
    if cities.size:
        V[proj.local[cities], proj.local[kpis]] = values
    lower = np.array([proj.props[r].get("direction") == "lower_is_better"
                      for r in proj.rows[Label.KPI]], dtype=bool)
    V = np.where(lower, -V, V)
    gap = np.full_like(V, np.nan)
    for j in np.flatnonzero(np.isfinite(V).any(axis=0)):
        col = V[:, j]
        ok = np.isfinite(col)
        lo, hi = np.percentile(col[ok], [LOW_PCT, HIGH_PCT])
        gap[ok, j] = np.clip((hi - col[ok]) / (hi - lo), 0.0, 1.0) if hi > lo else 0.0
    return gap


@dataclass(frozen=True)
class KpiGap:
    """The distribution of the cities' shortfalls on one KPI."""

    kpi: str
    name: str
    dimension: str
    cities_reporting: int
    mean_gap: float
    p25: float
    median: float
    p75: float
    weak_share: float  # share of reporting cities with a shortfall >= WEAK


@dataclass(frozen=True)
class WeakKpiSolution:
    """A weak KPI and one solution that improves it (a KPI no solution improves has one row
    with an empty solution)."""

    kpi_rank: int
    kpi: str
    kpi_name: str
    mean_gap: float
    solution: str
    solution_name: str
    adopting_cities: int  # in scope
    adopting_cities_all: int  # in the whole programme


@dataclass(frozen=True)
class RegionGap:
    """Mean shortfall on one KPI among the reporting cities of one region."""

    region: str
    kpi: str
    kpi_name: str
    cities_reporting: int
    mean_gap: float


def _r(x: float) -> float:
    return round(float(x), 4)


def kpi_gaps(data: ProgrammeData, scope: Scope) -> list[KpiGap]:
    """Per KPI reported by a city in scope, the distribution of shortfalls, weakest first
    (by mean shortfall, then KPI id)."""
    proj = data.proj
    gap = kpi_shortfall(proj)[proj.local[scope.cities(proj)]]
    out = []
    for j, r in enumerate(proj.rows[Label.KPI].tolist()):
        col = gap[:, j]
        col = col[np.isfinite(col)]
        if not col.size:
            continue
        q25, q50, q75 = np.percentile(col, [25, 50, 75])
        out.append(KpiGap(proj.ids[r], proj.name(r), str(proj.props[r].get("dimension") or ""),
                          int(col.size), _r(col.mean()), _r(q25), _r(q50), _r(q75),
                          _r((col >= WEAK).mean())))
    out.sort(key=lambda g: (-g.mean_gap, g.kpi))
    return out


def weak_kpis(data: ProgrammeData, scope: Scope, *, top: int = 10,
              per_kpi: int = 5) -> list[WeakKpiSolution]:
    """The ``top`` weakest KPIs (as :func:`kpi_gaps`) with up to ``per_kpi`` solutions that
    improve each, most adopted first (programme-wide adoptions, then solution id)."""
    proj = data.proj
    improves = data.block(RelType.IMPROVES, Label.SOLUTION, Label.KPI).tocsc()
    impl = data.block(RelType.IMPLEMENTED, Label.CITY, Label.SOLUTION)
    adopt_all = np.asarray(impl.sum(axis=0)).ravel()
    in_scope = proj.local[scope.cities(proj)]
    adopt_scope = np.asarray(impl[in_scope].sum(axis=0)).ravel() if in_scope.size \
        else np.zeros_like(adopt_all)
    sol_rows = proj.rows[Label.SOLUTION]
    out = []
    for rank, g in enumerate(kpi_gaps(data, scope)[:top], start=1):
        j = int(proj.local[proj.index[g.kpi]])
        sols = improves.indices[improves.indptr[j]:improves.indptr[j + 1]]
        sols = sorted(sols.tolist(), key=lambda s: (-adopt_all[s], proj.ids[sol_rows[s]]))
        if not sols:
            out.append(WeakKpiSolution(rank, g.kpi, g.name, g.mean_gap, "", "", 0, 0))
        for s in sols[:per_kpi]:
            r = int(sol_rows[s])
            out.append(WeakKpiSolution(rank, g.kpi, g.name, g.mean_gap, proj.ids[r],
                                       proj.name(r), int(adopt_scope[s]), int(adopt_all[s])))
    return out


def kpi_gaps_by_region(data: ProgrammeData, scope: Scope) -> list[RegionGap]:
    """Mean shortfall per (region, KPI) over the cities in scope (cities without a region
    are left out); sorted by region, then KPI id."""
    proj = data.proj
    rows = scope.cities(proj)
    gap = kpi_shortfall(proj)[proj.local[rows]]
    regions = np.array([proj.region[r] or "" for r in rows.tolist()], dtype=object)
    kpi_rows = proj.rows[Label.KPI].tolist()
    out = []
    for region in sorted(set(regions.tolist()) - {""}):
        sub = gap[regions == region]
        for j, r in enumerate(kpi_rows):
            col = sub[:, j]
            col = col[np.isfinite(col)]
            if col.size:
                out.append(RegionGap(region, proj.ids[r], proj.name(r), int(col.size),
                                     _r(col.mean())))
    out.sort(key=lambda x: (x.region, x.kpi))
    return out
