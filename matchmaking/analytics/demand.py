"""Demand and supply per topic, SDG and U4SSC KPI dimension, and the unmet needs.

For each *need* (a topic, an SDG or a KPI dimension):

- **demand**: the cities in scope that need it: ``NEEDS`` a topic, ``PRIORITIZES`` an SDG,
  or have a weak spot (shortfall >= :data:`~matchmaking.analytics.kpis.WEAK`) on a KPI of
  the dimension;
- **served**: those demand cities that implemented at least one solution for it (a solution
  ``COVERS`` the topic, ``ADDRESSES`` the SDG, ``IMPROVES`` a KPI of the dimension);
- **unmet**: demand minus served, the market gap;
- **supply**: the solutions for it, the providers that offer at least one of them (anywhere:
  providers serve across borders), and the implementations of those solutions by cities in
  scope.

Unmet needs are ranked by unmet cities (most first), then by providers (fewest first: less
supply is the larger gap), then kind and id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from graph_schema.schema import Label, RelType
from matchmaking.analytics.base import ProgrammeData, Scope
from matchmaking.analytics.kpis import WEAK, kpi_shortfall
from matchmaking.projection import IntArray

ALL_REGIONS = "All regions"


@dataclass(frozen=True)
class DemandSupply:
    """Demand for one need among the cities in scope, and the supply for it."""

    need: str  # "topic", "sdg" or "kpi_dimension"
    id: str
    name: str
    demand_cities: int
    served_cities: int
    unmet_cities: int
    unmet_share: float
    solutions: int
    providers: int
    implementations: int


@dataclass(frozen=True)
class UnmetNeed:
    """One ranked market gap, overall (``region = "All regions"``) or in one region."""

    region: str
    rank: int
    need: str
    id: str
    name: str
    unmet_cities: int
    demand_cities: int
    unmet_share: float
    providers: int


def _needs(data: ProgrammeData) -> list[tuple[str, list[str], list[str], sp.csr_array,
                                              sp.csr_array]]:
    """Per kind of need: ids, names, city x need demand (0/1) and solution x need (0/1)."""
    proj = data.proj
    C, S, T, G, K = Label.CITY, Label.SOLUTION, Label.TOPIC, Label.SDG, Label.KPI
    out = []
    for need, lab, demand_t, supply_t in (("topic", T, RelType.NEEDS, RelType.COVERS),
                                          ("sdg", G, RelType.PRIORITIZES, RelType.ADDRESSES)):
        rows = proj.rows[lab].tolist()
        out.append((need, [proj.ids[r] for r in rows], [proj.name(r) for r in rows],
                    data.block(demand_t, C, lab), data.block(supply_t, S, lab)))
    kpi_rows = proj.rows[K].tolist()
    dims = sorted({str(proj.props[r].get("dimension")) for r in kpi_rows
                   if proj.props[r].get("dimension")})
    col = {d: i for i, d in enumerate(dims)}
    pairs = [(j, col[str(proj.props[r].get("dimension"))]) for j, r in enumerate(kpi_rows)
             if proj.props[r].get("dimension")]
    K2D = sp.csr_array((np.ones(len(pairs)), ([p[0] for p in pairs], [p[1] for p in pairs])),
                       shape=(len(kpi_rows), len(dims)))
    weak = np.nan_to_num(kpi_shortfall(proj), nan=0.0) >= WEAK
    demand = sp.csr_array((sp.csr_array(weak.astype(np.float64)) @ K2D) > 0).astype(np.float64)
    supply = sp.csr_array(
        (data.block(RelType.IMPROVES, S, K) @ K2D) > 0).astype(np.float64)
    out.append(("kpi_dimension", [f"dimension:{d}" for d in dims], dims, demand, supply))
    return out


def _rows(data: ProgrammeData, cities: IntArray) -> list[DemandSupply]:
    proj = data.proj
    local = proj.local[cities]
    impl = data.block(RelType.IMPLEMENTED, Label.CITY, Label.SOLUTION)[local]
    offers = data.block(RelType.OFFERS, Label.PROVIDER, Label.SOLUTION)
    out = []
    for need, ids, names, demand_all, supply in _needs(data):
        demand = demand_all[local].toarray() > 0
        has = (impl @ supply).toarray() > 0 if local.size else np.zeros_like(demand)
        served = demand & has
        n_demand = demand.sum(axis=0)
        n_served = served.sum(axis=0)
        n_sol = np.asarray(supply.sum(axis=0)).ravel()
        n_prov = ((offers @ supply).toarray() > 0).sum(axis=0)
        n_impl = np.asarray((impl @ supply).sum(axis=0)).ravel()
        for j, (i, name) in enumerate(zip(ids, names, strict=True)):
            d, s = int(n_demand[j]), int(n_served[j])
            out.append(DemandSupply(need, i, name, d, s, d - s,
                                    round((d - s) / d, 4) if d else 0.0, int(n_sol[j]),
                                    int(n_prov[j]), int(n_impl[j])))
    return out


def demand_supply(data: ProgrammeData, scope: Scope) -> list[DemandSupply]:
    """Demand and supply for every topic, SDG and KPI dimension (in that order, then id)."""
    return _rows(data, scope.cities(data.proj))


def _rank(rows: list[DemandSupply], region: str, top: int) -> list[UnmetNeed]:
    gaps = sorted((r for r in rows if r.unmet_cities > 0),
                  key=lambda r: (-r.unmet_cities, r.providers, r.need, r.id))
    return [UnmetNeed(region, i, r.need, r.id, r.name, r.unmet_cities, r.demand_cities,
                      r.unmet_share, r.providers) for i, r in enumerate(gaps[:top], start=1)]


def unmet_needs(data: ProgrammeData, scope: Scope, *, top: int = 10) -> list[UnmetNeed]:
    """The ``top`` unmet needs over all cities in scope, then the ``top`` of each region
    (regions in name order; cities without a region only count in the overall ranking)."""
    proj = data.proj
    cities = scope.cities(proj)
    out = _rank(_rows(data, cities), ALL_REGIONS, top)
    regions = np.array([proj.region[r] or "" for r in cities.tolist()], dtype=object)
    for region in sorted(set(regions.tolist()) - {""}):
        out.extend(_rank(_rows(data, cities[regions == region]), region, top))
    return out
