"""Programme analytics on a small hand-made programme, with values worked out by hand.

Three cities: Aarhus (DK) and Breda (NL) in Europe, Cairo (EG) in Africa. Two topics, two
solutions, three providers (one offers nothing), one KPI measured by all three cities
(higher is better: 90, 50, 10), dated implementations, advice, a partnership and feedback.
"""

from __future__ import annotations

import math

import pytest

from graph_schema.errors import InvalidInput
from graph_schema.schema import Label, Node, Rel, RelType
from graph_schema.store import GraphStore
from matchmaking.analytics import (
    ProgrammeData,
    Scope,
    demand_supply,
    exposure,
    feedback_funnel,
    kpi_gaps,
    kpi_gaps_by_region,
    network_growth,
    programme_report,
    unmet_needs,
    weak_kpis,
)
from matchmaking.engine import Engine, Recommendation

KPI = "kpi:EC:ICT:ICT:1C"  # Household Internet Access: economy, higher is better

NODES = [
    Node("city:a", Label.CITY, {"name": "Aarhus", "country": "DK"}),
    Node("city:b", Label.CITY, {"name": "Breda", "country": "NL"}),
    Node("city:c", Label.CITY, {"name": "Cairo", "country": "EG"}),
    Node("topic:x", Label.TOPIC, {"name": "Congestion"}),
    Node("topic:y", Label.TOPIC, {"name": "Flooding"}),
    Node("sol:s", Label.SOLUTION, {"name": "Smart parking", "category": "mobility"}),
    Node("sol:t", Label.SOLUTION, {"name": "Flood sensors", "category": "environment"}),
    Node("prov:p", Label.PROVIDER, {"name": "ParkWise", "country": "NL"}),
    Node("prov:q", Label.PROVIDER, {"name": "Quanta", "country": "DE"}),
    Node("prov:r", Label.PROVIDER, {"name": "Rien", "country": "FR"}),
    Node("mem:m", Label.MEMBER, {"name": "Mia", "country": "DK"}),
]
RELS = [
    Rel(RelType.NEEDS, "city:a", "topic:x"), Rel(RelType.NEEDS, "city:b", "topic:x"),
    Rel(RelType.NEEDS, "city:c", "topic:x"), Rel(RelType.NEEDS, "city:c", "topic:y"),
    Rel(RelType.COVERS, "sol:s", "topic:x"), Rel(RelType.COVERS, "sol:t", "topic:y"),
    Rel(RelType.ADDRESSES, "sol:s", "sdg:11"), Rel(RelType.IMPROVES, "sol:s", KPI),
    Rel(RelType.PRIORITIZES, "city:a", "sdg:11"), Rel(RelType.PRIORITIZES, "city:c", "sdg:11"),
    Rel(RelType.OFFERS, "prov:p", "sol:s"), Rel(RelType.OFFERS, "prov:q", "sol:t"),
    Rel(RelType.IMPLEMENTED, "city:a", "sol:s", {"year": 2020, "provider": "prov:p"}),
    Rel(RelType.IMPLEMENTED, "city:b", "sol:t", {"year": 2021}),
    Rel(RelType.ADVISED, "mem:m", "city:a", {"year": 2021}),
    Rel(RelType.PARTNERS_WITH, "city:a", "city:b", {"year": 2019}),
    Rel(RelType.MEASURES, "city:a", KPI, {"value": 90.0}),
    Rel(RelType.MEASURES, "city:b", KPI, {"value": 50.0}),
    Rel(RelType.MEASURES, "city:c", KPI, {"value": 10.0}),
    Rel(RelType.FEEDBACK, "city:a", "prov:p",
        {"kind": "providers", "verdict": "accepted", "at": "2026-10-03T10:00:00+00:00"}),
    Rel(RelType.FEEDBACK, "city:a", "prov:q",
        {"kind": "providers", "verdict": "declined", "at": "2026-10-20T10:00:00+00:00"}),
    Rel(RelType.FEEDBACK, "city:b", "prov:p",
        {"kind": "providers", "verdict": "contacted", "at": "2026-11-01T09:00:00+00:00"}),
    Rel(RelType.FEEDBACK, "city:c", "sol:s", {"kind": "solutions", "verdict": "not_relevant"}),
]
EUROPE = Scope(region="Europe")


@pytest.fixture
def data(store: GraphStore) -> ProgrammeData:
    store.write(NODES, RELS)
    return ProgrammeData.load(Engine(store, background=False))


def by_id(rows: list, key: str = "id") -> dict:
    return {getattr(r, key): r for r in rows}


def test_demand_and_supply(data: ProgrammeData) -> None:
    rows = by_id(demand_supply(data, Scope()))
    x, y, sdg11 = rows["topic:x"], rows["topic:y"], rows["sdg:11"]
    # all three need congestion; only Aarhus implemented the parking solution that covers it
    assert (x.demand_cities, x.served_cities, x.unmet_cities, x.unmet_share) == (3, 1, 2, 0.6667)
    assert (x.solutions, x.providers, x.implementations) == (1, 1, 1)
    # Breda's flood sensors do not serve Cairo's flooding need
    assert (y.demand_cities, y.served_cities, y.unmet_cities, y.implementations) == (1, 0, 1, 1)
    assert (sdg11.demand_cities, sdg11.served_cities, sdg11.unmet_cities) == (2, 1, 1)
    assert rows["sdg:1"].demand_cities == 0 and rows["sdg:1"].unmet_share == 0.0
    # KPI dimension: Breda (shortfall 0.5) and Cairo (1.0) are weak on an economy KPI; the
    # one solution improving it was implemented by Aarhus only
    econ = rows["dimension:Economy"]
    assert (econ.demand_cities, econ.served_cities, econ.unmet_cities) == (2, 0, 2)
    assert (econ.solutions, econ.providers, econ.implementations) == (1, 1, 1)
    europe = by_id(demand_supply(data, EUROPE))
    assert (europe["topic:x"].demand_cities, europe["topic:x"].unmet_cities) == (2, 1)
    assert europe["topic:y"].demand_cities == 0


def test_unmet_needs_are_ranked_overall_and_per_region(data: ProgrammeData) -> None:
    got = [(u.region, u.rank, u.id, u.unmet_cities) for u in unmet_needs(data, Scope())]
    assert got == [
        ("All regions", 1, "dimension:Economy", 2), ("All regions", 2, "topic:x", 2),
        ("All regions", 3, "sdg:11", 1), ("All regions", 4, "topic:y", 1),
        ("Africa", 1, "dimension:Economy", 1), ("Africa", 2, "sdg:11", 1),
        ("Africa", 3, "topic:x", 1), ("Africa", 4, "topic:y", 1),
        ("Europe", 1, "dimension:Economy", 1), ("Europe", 2, "topic:x", 1),
    ]
    assert [u.id for u in unmet_needs(data, Scope(), top=1)] == [
        "dimension:Economy", "dimension:Economy", "dimension:Economy"]


def test_kpi_gaps(data: ProgrammeData) -> None:
    # percentiles of (10, 50, 90): 5th = 14, 95th = 86; shortfall = (86 - v) / 72, clipped:
    # Aarhus 0, Breda 0.5, Cairo 1
    (g,) = kpi_gaps(data, Scope())
    assert (g.kpi, g.cities_reporting, g.mean_gap, g.p25, g.median, g.p75, g.weak_share) == (
        KPI, 3, 0.5, 0.25, 0.5, 0.75, 0.6667)
    assert g.dimension == "Economy"
    (w,) = weak_kpis(data, Scope())
    assert (w.kpi_rank, w.kpi, w.solution, w.adopting_cities, w.adopting_cities_all) == (
        1, KPI, "sol:s", 1, 1)
    (w,) = weak_kpis(data, Scope(country="NL"))
    assert (w.mean_gap, w.adopting_cities, w.adopting_cities_all) == (0.5, 0, 1)
    regions = [(r.region, r.cities_reporting, r.mean_gap) for r in kpi_gaps_by_region(
        data, Scope())]
    assert regions == [("Africa", 1, 1.0), ("Europe", 2, 0.25)]


def rec(node_id: str) -> Recommendation:
    return Recommendation(node_id, "x", node_id, 1.0)


def test_exposure(data: ProgrammeData) -> None:
    ex = exposure(data, {"providers": [[rec("prov:p"), rec("prov:q")], [rec("prov:p")], []],
                         "solutions": [[rec("sol:t")]]})
    summary = by_id(ex.summary, "kind")
    q = 1 / math.log2(3)  # rank 2
    total = 2 + q
    g = summary["providers"]
    assert (g.entity, g.lists, g.entities, g.exposed, g.never_recommended) == (
        "Provider", 2, 3, 2, 1)
    assert g.gini == round(4 / (3 * total), 4)  # exposures (0, q, 2)
    assert g.top10_share == 1.0
    top = [(t.kind, t.rank, t.id, t.appearances, t.share) for t in ex.top]
    assert top == [("solutions", 1, "prov:q", 1, 1.0),  # prov:q offers the solution
                   ("providers", 1, "prov:p", 2, round(2 / total, 4)),
                   ("providers", 2, "prov:q", 1, round(q / total, 4))]
    countries = [(c.country, c.exposed, c.exposure) for c in ex.by_country
                 if c.kind == "providers"]
    assert countries == [("NL", 1, 2.0), ("DE", 1, round(q, 4)), ("FR", 0, 0.0)]
    assert [n.id for n in ex.never] == ["prov:r"]
    lorenz = [(p.entity_share, p.exposure_share) for p in ex.lorenz if p.kind == "providers"]
    assert lorenz[0] == (0.0, 0.0) and lorenz[-1] == (1.0, 1.0) and len(lorenz) == 21
    assert "experts" not in summary


def test_feedback_funnel(data: ProgrammeData) -> None:
    rows = [(f.kind, f.month, f.given, f.contacted, f.accepted, f.declined, f.not_relevant,
             f.accepted_rate, f.declined_rate) for f in feedback_funnel(data, Scope())]
    assert rows == [("providers", "2026-10", 2, 0, 1, 1, 0, 0.5, 0.5),
                    ("providers", "2026-11", 1, 1, 0, 0, 0, 0.0, 0.0),
                    ("solutions", None, 1, 0, 0, 0, 1, 0.0, 0.0)]
    nl = feedback_funnel(data, Scope(country="NL"))
    assert [(f.month, f.contacted_rate) for f in nl] == [("2026-11", 1.0)]


def test_network_growth(data: ProgrammeData) -> None:
    rows = [(g.year, g.implementations, g.partnerships, g.advice)
            for g in network_growth(data, Scope())]
    assert rows == [(2019, 0, 1, 0), (2020, 1, 0, 0), (2021, 1, 0, 1)]
    assert [(g.year, g.implementations) for g in network_growth(data, Scope(country="EG"))
            ] == []


def test_report_tables_and_the_engine_pass(store: GraphStore) -> None:
    store.write(NODES, RELS)
    engine = Engine(store, background=False)
    rep = programme_report(engine, EUROPE)
    assert rep.cities == 2
    assert list(rep.tables["exposure_summary"].records()[0]) == [
        "kind", "entity", "lists", "entities", "exposed", "never_recommended", "gini",
        "top10_share"]
    # the exposure pass is the engine's own lists for every city in scope
    expected = {c: [r.id for r in engine.recommend("providers", c, k=10)]
                for c in ("city:a", "city:b")}
    seen = sum(len(v) for v in expected.values())
    summary = {r["kind"]: r for r in rep.tables["exposure_summary"].records()}
    appearances = sum(r["appearances"] for r in rep.tables["exposure_by_country"].records()
                      if r["kind"] == "providers")
    assert appearances == seen
    assert summary["providers"]["lists"] == sum(1 for v in expected.values() if v)


@pytest.mark.parametrize("kwargs", [{"country": "XX"}, {"country": "dk1"},
                                    {"region": "Atlantis"}])
def test_bad_scope_names_the_filter(kwargs: dict[str, str]) -> None:
    with pytest.raises(InvalidInput, match=f"filter '{next(iter(kwargs))}'"):
        Scope(**kwargs)
