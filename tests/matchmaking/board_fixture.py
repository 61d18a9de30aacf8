"""A checkerboard ecosystem whose right answers are known by construction, for every kind.

Two clusters share nothing:

- cluster A (Denmark/Sweden, Danish): needs "Traffic congestion" and "Air quality", SDG 11,
  solutions sol:a1..sol:a3 (mobility, low cost) by prov:pa (DK, startup) and prov:pa2 (SE);
- cluster B (Spain, Spanish): needs "Water leakage" and "Flooding", SDG 6, solutions
  sol:b1..sol:b3 (environment, high cost) by prov:pb (ES).

city:a0 and city:b0 are cold-start cities (needs, SDGs, KPIs, description, but nothing
implemented). member:ea is the A expert, member:closed an equally good A expert who is not open
to matches, member:eb the B expert.
"""

from __future__ import annotations

from graph_schema.schema import Label, Node, Rel, RelType
from graph_schema.store import GraphStore

KPI_A = "kpi:EC:ICT:ICT:1C"  # higher is better: cluster A reports low values
KPI_B = "kpi:EC:P:EM:1C"


def _city(cid: str, name: str, country: str, pop: int, lang: str, text: str) -> Node:
    return Node(cid, Label.CITY, {"name": name, "country": country, "population": pop,
                                  "languages": [lang], "description": text})


def checkerboard() -> tuple[list[Node], list[Rel]]:
    a_text = "Congestion on inner city roads and poor air quality from traffic."
    b_text = "Water leakage in the old pipe network and flooding after storms."
    nodes = [
        Node("topic:congestion", Label.TOPIC, {"name": "Traffic congestion"}),
        Node("topic:air", Label.TOPIC, {"name": "Air quality"}),
        Node("topic:leakage", Label.TOPIC, {"name": "Water leakage"}),
        Node("topic:flooding", Label.TOPIC, {"name": "Flooding"}),
    ]
    a_cities = [("city:a0", "Arhus Nord", "DK"), ("city:a1", "Aalborg", "DK"),
                ("city:a2", "Aabenraa", "DK"), ("city:a3", "Aarhus", "DK"),
                ("city:a4", "Alingsas", "SE")]
    b_cities = [("city:b0", "Badajoz", "ES"), ("city:b1", "Barcelona", "ES"),
                ("city:b2", "Bilbao", "ES"), ("city:b3", "Burgos", "ES"),
                ("city:b4", "Benidorm", "ES")]
    for i, (cid, name, cc) in enumerate(a_cities):
        nodes.append(_city(cid, name, cc, 250_000 + 10_000 * i, "da", a_text))
    for i, (cid, name, cc) in enumerate(b_cities):
        nodes.append(_city(cid, name, cc, 2_500_000 + 100_000 * i, "es", b_text))
    sols = [("sol:a1", "Adaptive traffic signals", "mobility", "low", "traffic congestion"),
            ("sol:a2", "Air quality sensors", "mobility", "low", "air quality traffic"),
            ("sol:a3", "Congestion charging", "mobility", "low", "congestion roads"),
            ("sol:b1", "Leak detection", "environment", "high", "water leakage pipe"),
            ("sol:b2", "Flood barriers", "environment", "high", "flooding storms"),
            ("sol:b3", "Smart water meters", "environment", "high", "water pipe network")]
    for sid, name, cat, cost, text in sols:
        nodes.append(Node(sid, Label.SOLUTION, {"name": name, "category": cat, "cost": cost,
                                                "description": text}))
    nodes += [
        Node("prov:pa", Label.PROVIDER, {"name": "ParkWise", "country": "DK", "kind": "startup",
                                         "languages": ["da", "en"]}),
        Node("prov:pa2", Label.PROVIDER, {"name": "Nordic Air", "country": "SE",
                                          "kind": "company", "languages": ["sv", "da"]}),
        Node("prov:pb", Label.PROVIDER, {"name": "AquaSys", "country": "ES", "kind": "company",
                                         "languages": ["es"]}),
        Node("member:ea", Label.MEMBER, {"name": "Anna Expert", "country": "DK",
                                         "languages": ["da"], "bio": "traffic and air quality",
                                         "open_to_matches": True}),
        Node("member:closed", Label.MEMBER, {"name": "Hidden Person", "country": "DK",
                                             "languages": ["da"], "bio": "traffic air quality",
                                             "open_to_matches": False}),
        Node("member:ea2", Label.MEMBER, {"name": "Axel Helper", "country": "DK",
                                          "languages": ["da"], "bio": "traffic"}),
        Node("member:eb", Label.MEMBER, {"name": "Berta Expert", "country": "ES",
                                         "languages": ["es"], "bio": "water and flooding"}),
    ]
    R = RelType
    rels: list[Rel] = []
    for cid, _, _ in a_cities:
        rels += [Rel(R.NEEDS, cid, "topic:congestion", {"urgency": 0.9}),
                 Rel(R.NEEDS, cid, "topic:air", {"urgency": 0.6}),
                 Rel(R.PRIORITIZES, cid, "sdg:11", {"weight": 1.0}),
                 Rel(R.MEASURES, cid, KPI_A, {"value": 10.0 + int(cid[-1])}),
                 Rel(R.MEASURES, cid, KPI_B, {"value": 1.0})]
    for cid, _, _ in b_cities:
        rels += [Rel(R.NEEDS, cid, "topic:leakage", {"urgency": 0.9}),
                 Rel(R.NEEDS, cid, "topic:flooding", {"urgency": 0.6}),
                 Rel(R.PRIORITIZES, cid, "sdg:6", {"weight": 1.0}),
                 Rel(R.MEASURES, cid, KPI_A, {"value": 90.0}),
                 Rel(R.MEASURES, cid, KPI_B, {"value": 9.0 + int(cid[-1])})]
    covers = {"sol:a1": ["topic:congestion"], "sol:a2": ["topic:air"],
              "sol:a3": ["topic:congestion", "topic:air"], "sol:b1": ["topic:leakage"],
              "sol:b2": ["topic:flooding"], "sol:b3": ["topic:leakage"]}
    for sid, topics in covers.items():
        rels += [Rel(R.COVERS, sid, t) for t in topics]
        rels.append(Rel(R.ADDRESSES, sid, "sdg:11" if sid.startswith("sol:a") else "sdg:6"))
        rels.append(Rel(R.IMPROVES, sid, KPI_A if sid.startswith("sol:a") else KPI_B))
    rels += [Rel(R.OFFERS, "prov:pa", "sol:a1"), Rel(R.OFFERS, "prov:pa", "sol:a2"),
             Rel(R.OFFERS, "prov:pa2", "sol:a3"), Rel(R.OFFERS, "prov:pb", "sol:b1"),
             Rel(R.OFFERS, "prov:pb", "sol:b2"), Rel(R.OFFERS, "prov:pb", "sol:b3")]
    impl = [("city:a1", "sol:a1", "prov:pa"), ("city:a1", "sol:a2", "prov:pa"),
            ("city:a2", "sol:a1", "prov:pa"), ("city:a2", "sol:a3", "prov:pa2"),
            ("city:a3", "sol:a2", "prov:pa"), ("city:a4", "sol:a3", "prov:pa2"),
            ("city:b1", "sol:b1", "prov:pb"), ("city:b1", "sol:b2", "prov:pb"),
            ("city:b2", "sol:b3", "prov:pb"), ("city:b3", "sol:b1", "prov:pb"),
            ("city:b4", "sol:b2", "prov:pb")]
    rels += [Rel(R.IMPLEMENTED, c, s, {"year": 2020, "provider": p}) for c, s, p in impl]
    rels += [Rel(R.PARTNERS_WITH, "city:a1", "city:a2"), Rel(R.PARTNERS_WITH, "city:a3",
                                                             "city:a4"),
             Rel(R.PARTNERS_WITH, "city:b1", "city:b2"), Rel(R.PARTNERS_WITH, "city:b3",
                                                             "city:b4")]
    rels += [Rel(R.EXPERT_IN, "member:ea", "topic:congestion", {"level": 5}),
             Rel(R.EXPERT_IN, "member:ea", "topic:air", {"level": 4}),
             Rel(R.EXPERT_IN, "member:closed", "topic:congestion", {"level": 5}),
             Rel(R.EXPERT_IN, "member:closed", "topic:air", {"level": 5}),
             Rel(R.EXPERT_IN, "member:ea2", "topic:congestion", {"level": 3}),
             Rel(R.EXPERT_IN, "member:eb", "topic:leakage", {"level": 5}),
             Rel(R.EXPERT_IN, "member:eb", "topic:flooding", {"level": 4}),
             Rel(R.ADVISED, "member:ea", "city:a1", {"year": 2021}),
             Rel(R.ADVISED, "member:closed", "city:a3", {"year": 2021}),
             Rel(R.ADVISED, "member:eb", "city:b1", {"year": 2021}),
             Rel(R.WORKS_FOR, "member:ea2", "city:a2"),
             Rel(R.KNOWS, "member:ea", "member:closed")]
    return nodes, rels


def write_checkerboard(store: GraphStore) -> None:
    nodes, rels = checkerboard()
    store.write(nodes, rels)
