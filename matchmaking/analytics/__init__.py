"""Programme analytics: the whole programme as plain tables.

Pure functions over a :class:`ProgrammeData` (the engine's projection plus dated
relationships and feedback) and a :class:`Scope` (country and/or region of the cities),
each returning a list of dataclass rows:

- :func:`demand_supply`, :func:`unmet_needs`: demand and supply per topic, SDG and KPI
  dimension, and the market gaps overall and per region (:mod:`.demand`);
- :func:`kpi_gaps`, :func:`weak_kpis`, :func:`kpi_gaps_by_region`: KPI weak spots
  (:mod:`.kpis`);
- :func:`exposure` over :func:`recommendation_pass`: exposure fairness (:mod:`.exposure`);
- :func:`feedback_funnel`, :func:`network_growth` (:mod:`.activity`).

:func:`programme_report` runs them all and returns named :class:`Table` objects, the form
the API (JSON and XLSX), the staff page and the notebooks use.

>>> from graph_schema.sqlite_store import SQLiteStore
>>> from graph_schema.schema import Label, Node, Rel, RelType
>>> from matchmaking.engine import Engine
>>> import os, tempfile
>>> store = SQLiteStore(os.path.join(tempfile.mkdtemp(), "graph.db")); store.init()
>>> store.write([Node("city:a", Label.CITY, {"name": "Aarhus", "country": "DK"}),
...              Node("topic:t", Label.TOPIC, {"name": "Traffic"})],
...             [Rel(RelType.NEEDS, "city:a", "topic:t")])
>>> report = programme_report(Engine(store, background=False))
>>> report.tables["unmet_needs"].records()[0]["name"]
'Traffic'
"""

from __future__ import annotations

from dataclasses import dataclass

from matchmaking.analytics.activity import (
    FunnelRow,
    GrowthRow,
    feedback_funnel,
    network_growth,
)
from matchmaking.analytics.base import History, ProgrammeData, Scope, Table, read_history
from matchmaking.analytics.demand import DemandSupply, UnmetNeed, demand_supply, unmet_needs
from matchmaking.analytics.exposure import (
    EXPOSURE_KINDS,
    PASS_K,
    CountryExposure,
    Exposure,
    ExposureSummary,
    LorenzPoint,
    NeverRecommended,
    TopExposed,
    exposure,
    recommendation_pass,
)
from matchmaking.analytics.kpis import (
    KpiGap,
    RegionGap,
    WeakKpiSolution,
    kpi_gaps,
    kpi_gaps_by_region,
    kpi_shortfall,
    weak_kpis,
)
from matchmaking.engine import Engine

__all__ = [
    "EXPOSURE_KINDS", "CountryExposure", "DemandSupply", "Exposure", "ExposureSummary",
    "FunnelRow", "GrowthRow", "History", "KpiGap", "LorenzPoint", "NeverRecommended",
    "ProgrammeData", "ProgrammeReport", "RegionGap", "Scope", "Table", "TopExposed",
    "UnmetNeed", "WeakKpiSolution", "demand_supply", "exposure", "feedback_funnel",
    "kpi_gaps", "kpi_gaps_by_region", "kpi_shortfall", "network_growth", "programme_report",
    "read_history", "recommendation_pass", "unmet_needs", "weak_kpis",
]


@dataclass(frozen=True)
class ProgrammeReport:
    """Every programme table for one scope, by table name (in :data:`TABLES` order)."""

    scope: Scope
    generation: int | None
    cities: int
    tables: dict[str, Table]


#: Table names and titles, in report order.
TABLES: dict[str, str] = {
    "unmet_needs": "Unmet needs (market gaps), overall and per region",
    "demand_supply": "Demand and supply per topic, SDG and KPI dimension",
    "kpi_gaps": "KPI shortfall distribution per KPI, weakest first",
    "weak_kpis": "Weakest KPIs and the solutions that improve them",
    "kpi_gaps_by_region": "Mean KPI shortfall per region",
    "exposure_summary": "Exposure fairness per kind",
    "exposure_top": "Most exposed entities per kind",
    "exposure_by_country": "Exposure per country and kind",
    "exposure_lorenz": "Lorenz curve of exposure per kind",
    "never_recommended": "Providers never recommended",
    "feedback_funnel": "Feedback funnel per kind and month",
    "network_growth": "Network growth per year",
}


def programme_report(engine: Engine, scope: Scope | None = None, *, top: int = 10,
                     k: int = PASS_K) -> ProgrammeReport:
    """Every programme table for ``scope`` (default: all cities).

    Parameters
    ----------
    engine : Engine
        Its projection is the data; its batch path makes the exposure pass (cached per
        store generation).
    scope : Scope, optional
        Country and/or region of the cities covered.
    top : int, default 10
        Rows of each ranking (unmet needs per region, weakest KPIs).
    k : int, default 10
        Length of each city's list in the exposure pass.

    Returns
    -------
    ProgrammeReport
    """
    scope = scope or Scope()
    data = ProgrammeData.load(engine)
    proj = data.proj
    city_ids = [proj.ids[r] for r in scope.cities(proj).tolist()]
    lists = {kind: recommendation_pass(engine, kind, city_ids, k) for kind in EXPOSURE_KINDS}
    ex = exposure(data, lists)
    rows: dict[str, tuple[type, list[object]]] = {
        "unmet_needs": (UnmetNeed, list(unmet_needs(data, scope, top=top))),
        "demand_supply": (DemandSupply, list(demand_supply(data, scope))),
        "kpi_gaps": (KpiGap, list(kpi_gaps(data, scope))),
        "weak_kpis": (WeakKpiSolution, list(weak_kpis(data, scope, top=top))),
        "kpi_gaps_by_region": (RegionGap, list(kpi_gaps_by_region(data, scope))),
        "exposure_summary": (ExposureSummary, list(ex.summary)),
        "exposure_top": (TopExposed, list(ex.top)),
        "exposure_by_country": (CountryExposure, list(ex.by_country)),
        "exposure_lorenz": (LorenzPoint, list(ex.lorenz)),
        "never_recommended": (NeverRecommended, list(ex.never)),
        "feedback_funnel": (FunnelRow, list(feedback_funnel(data, scope))),
        "network_growth": (GrowthRow, list(network_growth(data, scope))),
    }
    tables = {name: Table.of(name, TABLES[name], *rows[name]) for name in TABLES}
    return ProgrammeReport(scope, data.generation, len(city_ids), tables)
