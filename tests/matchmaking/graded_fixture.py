"""A graded ecosystem of 32 cities: orderings inside a cluster known by construction.

The checkerboard (board_fixture.py) separates two clusters and is too small for any kind to
learn its weights. This world is big enough that every kind learns (>= 20 usable hidden
positives each) and that the top-20 truncations of the collaborative features run
(``NEIGHBOURS`` similar cities, ``NEARBY`` nearest cities: 32 cities, all with coordinates).

Four clusters (mobility, water, energy, digital), each with two needs, one SDG, three
countries, two providers, four solutions and three experts. Every city implements two of its
cluster's solutions, partners with two cities of its cluster *in another country*
(transnational partnerships, as in the EU programmes), and is advised by two of its cluster's
experts.

Inside the clusters, *twins* are identical in everything that feeds a feature (needs, links,
text, coordinates, cost, ...) except one attribute, so that this attribute alone decides
their order for the named subject:

==============  ===========  ==========================================================
attribute       subject      pair (first must rank above second)
==============  ===========  ==========================================================
KPI gap         city:m0      ``sol:m-kpi-a`` improves a KPI where m0 is the weakest
                             reporter; ``sol:m-kpi-b`` one where m0 is the strongest
cost            city:w0      ``sol:w-cost-a`` is low cost, ``sol:w-cost-b`` medium cost;
                             w0 is small (band 0): a low cost fits it, medium does not
size            city:d0      ``sol:d-size-a`` is implemented by ``city:d-near`` (d0's
                             size), ``sol:d-size-b`` by its twin ``city:d-far`` (10x)
peer size       city:d0      peers ``city:d-near`` (d0's size) and ``city:d-far`` (10x)
language        city:d0      peers ``city:d-nl`` (speaks d0's Dutch) and ``city:d-fr``
                             (French), both Belgian like d0
==============  ===========  ==========================================================
"""

from __future__ import annotations

from graph_schema.schema import Label, Node, Rel, RelType
from graph_schema.store import GraphStore

R = RelType
KPI_A = "kpi:EC:ICT:ICT:1C"  # higher is better
KPI_B = "kpi:EC:ICT:ICT:3C"  # higher is better
KPI_OTHER = "kpi:EC:ICT:ICT:2C"  # measured by nobody
#: (cluster key, topics, SDG, [(country, language)], (lat, lon) of its centre, theme text)
CLUSTERS = [
    ("m", ("congestion", "air"), "sdg:11", [("DK", "da"), ("SE", "sv"), ("NO", "no")],
     (57.0, 12.0), "traffic congestion on roads and poor air from cars"),
    ("w", ("leakage", "flooding"), "sdg:6", [("ES", "es"), ("PT", "pt"), ("IT", "it")],
     (40.0, -2.0), "water leakage in old pipes and flooding after storms"),
    ("e", ("heating", "lighting"), "sdg:7", [("DE", "de"), ("AT", "de"), ("CZ", "cs")],
     (49.5, 13.0), "district heating losses and inefficient street lighting"),
    ("d", ("eservices", "broadband"), "sdg:9", [("BE", "nl"), ("NL", "nl"), ("FR", "fr")],
     (50.5, 3.5), "paper based public services and slow broadband coverage"),
]
TOPIC_NAMES = {"congestion": "Traffic congestion", "air": "Air quality",
               "leakage": "Water leakage", "flooding": "Flooding",
               "heating": "Heat losses", "lighting": "Street lighting",
               "eservices": "Digital public services", "broadband": "Broadband coverage"}
POPULATIONS = [400_000, 60_000, 1_200_000, 150_000, 800_000, 90_000, 2_500_000]
#: the four regular solutions of a cluster: (suffix, topic indices, cost)
REGULAR = [("1", (0,), "low"), ("2", (1,), "medium"), ("3", (0, 1), "high"),
           ("4", (0,), "medium")]
SUBJECTS = {"m": "city:m0", "w": "city:w0", "d": "city:d0"}
#: one unrelated word per solution: no two are near-duplicates (matchmaking.grouping), and
#: every name is a single word of its own, so twins' texts stay alike
_WORDS = iter(["Kestrel", "Osprey", "Heron", "Falcon", "Plover", "Curlew", "Bittern",
               "Warbler", "Siskin", "Linnet", "Dunlin", "Godwit", "Avocet", "Shrike", "Dipper",
               "Wryneck", "Bunting", "Redpoll", "Fulmar", "Gannet", "Puffin", "Merlin"])
NAMES = {f"sol:{k}{x}": next(_WORDS) for k in "mwed" for x in "1234"}
NAMES.update({sid: next(_WORDS) for sid in ("sol:m-kpi-a", "sol:m-kpi-b", "sol:w-cost-a",
                                            "sol:w-cost-b", "sol:d-size-a", "sol:d-size-b")})


def _city(cid: str, country: str, lang: str, pop: int, lat: float, lon: float,
          text: str) -> Node:
    return Node(cid, Label.CITY, {"name": cid.removeprefix("city:").title(), "country": country,
                                  "population": pop, "languages": [lang], "lat": lat,
                                  "lon": lon, "description": text})


def graded() -> tuple[list[Node], list[Rel]]:
    nodes: list[Node] = [Node(f"topic:{t}", Label.TOPIC, {"name": n})
                         for t, n in TOPIC_NAMES.items()]
    rels: list[Rel] = []
    for key, topics, sdg, countries, (lat0, lon0), text in CLUSTERS:
        _cluster(key, topics, sdg, countries, lat0, lon0, text, nodes, rels)
    return nodes, rels


def _cluster(key: str, topics: tuple[str, str], sdg: str, countries: list[tuple[str, str]],
             lat0: float, lon0: float, text: str, nodes: list[Node], rels: list[Rel]) -> None:
    t = [f"topic:{x}" for x in topics]
    # -- cities: 7 regular ones (index 0 is the cluster's subject), countries in turn
    cities: list[tuple[str, str]] = []  # (id, country)
    for i in range(7):
        cc, lang = countries[i % 3]
        cid = f"city:{key}{i}"
        pop = {"city:d0": 300_000, "city:w0": 60_000}.get(cid, POPULATIONS[i])
        nodes.append(_city(cid, cc, lang, pop, lat0 + 0.9 * (i % 4), lon0 + 1.3 * (i // 4 + i),
                           f"{text.capitalize()}; city number {i} of the region."))
        cities.append((cid, cc))
    # -- providers and solutions
    provs = [f"prov:{key}1", f"prov:{key}2"]
    for j, pid in enumerate(provs):
        cc, lang = countries[j]
        nodes.append(Node(pid, Label.PROVIDER, {"name": f"{key.upper()} vendor {j + 1}",
                                                "country": cc, "kind": "company",
                                                "languages": [lang, "en"]}))
    sols: list[tuple[str, tuple[int, ...], str, str]] = [
        (f"sol:{key}{suffix}", tix, cost, provs[0] if suffix in "12" else provs[1])
        for suffix, tix, cost in REGULAR]
    # twins: one pair per cluster where a twin attribute is a solution attribute
    twin_sols = {"m": [("sol:m-kpi-a", "low"), ("sol:m-kpi-b", "low")],
                 "w": [("sol:w-cost-a", "low"), ("sol:w-cost-b", "medium")],
                 "d": [("sol:d-size-a", "low"), ("sol:d-size-b", "low")]}.get(key, [])
    for sid, cost in twin_sols:
        sols.append((sid, (0,), cost, provs[0]))
    for sid, tix, cost, pid in sols:
        words = " ".join(TOPIC_NAMES[topics[i]].lower() for i in tix)
        twin = sid.rsplit("-", 1)[-1] if "-" in sid else ""
        nodes.append(Node(sid, Label.SOLUTION, {
            "name": NAMES[sid],
            "category": {"m": "mobility", "w": "environment", "e": "energy",
                         "d": "governance"}[key],
            "cost": cost, "description": f"Tackles {words}" + (" (twin)" if twin else "")}))
        rels += [Rel(R.COVERS, sid, t[i]) for i in tix]
        rels += [Rel(R.ADDRESSES, sid, sdg), Rel(R.OFFERS, pid, sid)]
        kpi = {"sol:m-kpi-a": KPI_A, "sol:m-kpi-b": KPI_B}.get(sid, KPI_OTHER)
        rels.append(Rel(R.IMPROVES, sid, kpi))
    # -- twin cities of the digital cluster: identical but for language / population
    if key == "d":
        for cid, lang, pop in (("city:d-nl", "nl", 500_000), ("city:d-fr", "fr", 500_000),
                               ("city:d-near", "nl", 300_000), ("city:d-far", "nl", 3_000_000)):
            nodes.append(_city(cid, "BE", lang, pop, 51.0, 4.4,
                               f"{text.capitalize()}; a twin city of the region."))
    # -- needs, priorities, KPIs
    for i, (cid, _) in enumerate(cities):
        rels += [Rel(R.NEEDS, cid, t[0], {"urgency": 0.9}),
                 Rel(R.NEEDS, cid, t[1], {"urgency": 0.5 + 0.05 * i}),
                 Rel(R.PRIORITIZES, cid, sdg, {"weight": 1.0}),
                 Rel(R.MEASURES, cid, KPI_A, {"value": 5.0 if cid == "city:m0" else 40.0 + i}),
                 Rel(R.MEASURES, cid, KPI_B, {"value": 95.0 if cid == "city:m0" else 40.0 + i})]
    if key == "d":
        for cid in ("city:d-nl", "city:d-fr", "city:d-near", "city:d-far"):
            rels += [Rel(R.NEEDS, cid, t[0], {"urgency": 0.9}),
                     Rel(R.NEEDS, cid, t[1], {"urgency": 0.6}),
                     Rel(R.PRIORITIZES, cid, sdg, {"weight": 1.0}),
                     Rel(R.MEASURES, cid, KPI_A, {"value": 50.0}),
                     Rel(R.MEASURES, cid, KPI_B, {"value": 50.0}),
                     Rel(R.PARTNERS_WITH, cid, "city:d2")]  # d2 is French
    # -- implementations: every city three of the four regular solutions
    for i, (cid, _) in enumerate(cities):
        for s in (i % 4, (i + 1) % 4, (i + 2) % 4):
            sid, _, _, pid = sols[s]
            rels.append(Rel(R.IMPLEMENTED, cid, sid, {"year": 2018 + i % 5, "provider": pid}))
    if key == "d":
        for cid in ("city:d-nl", "city:d-fr", "city:d-near", "city:d-far"):
            rels.append(Rel(R.IMPLEMENTED, cid, "sol:d1", {"year": 2020,
                                                           "provider": "prov:d1"}))
        rels += [Rel(R.IMPLEMENTED, "city:d-near", "sol:d-size-a",
                     {"year": 2021, "provider": "prov:d1"}),
                 Rel(R.IMPLEMENTED, "city:d-far", "sol:d-size-b",
                     {"year": 2021, "provider": "prov:d1"})]
    # -- transnational partnerships: each city with the next two of another country
    seen: set[frozenset[str]] = set()
    for i, (cid, cc) in enumerate(cities):
        others = [cities[(i + d) % 7] for d in range(1, 7)]
        for oid, _ in [o for o in others if o[1] != cc][:2]:
            if frozenset((cid, oid)) not in seen:
                seen.add(frozenset((cid, oid)))
                rels.append(Rel(R.PARTNERS_WITH, cid, oid))
    # -- experts: three per cluster, each city advised by two of them
    for j in range(3):
        cc, lang = countries[j]
        mid = f"member:{key}{j}"
        nodes.append(Node(mid, Label.MEMBER, {
            "name": f"Expert {key.upper()}{j}", "country": cc, "languages": [lang, "en"],
            "bio": f"Advises cities on {TOPIC_NAMES[topics[j % 2]].lower()}"}))
        rels += [Rel(R.EXPERT_IN, mid, t[0], {"level": 5 - j}),
                 Rel(R.EXPERT_IN, mid, t[1], {"level": 3 + j % 2})]
        for i, (cid, _) in enumerate(cities):
            if j in (i % 3, (i + 1) % 3):
                rels.append(Rel(R.ADVISED, mid, cid, {"year": 2019 + i % 4}))


def write_graded(store: GraphStore) -> None:
    nodes, rels = graded()
    store.write(nodes, rels)
