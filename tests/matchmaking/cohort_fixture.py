"""A random world of dated implementations and the ``cohort`` and ``national`` features of
the ``solutions`` kind computed by brute force from its relationships.

:func:`world` draws 70 cities (more than ``COHORT`` = 50, so the cohort is really cut to its
top 50) in three countries plus a few without one, 16 solutions of very different
popularity, and ``IMPLEMENTED`` links with years (some undated, some pairs linked twice with
two years). :class:`Brute` recomputes both features in plain Python from the relationship
list: counts, logs, a sort for the 50th similarity, powers of one half. It shares no code
with :mod:`scoring.cohort` or :mod:`matchmaking.features`, only their documented definitions.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from graph_schema.schema import Label, Node, Rel, RelType

#: (country, number of cities); five more cities have no country
COUNTRIES = [("IT", 30), ("FR", 22), ("DE", 13)]
NO_COUNTRY = 5
SOLUTIONS = 16
#: the newest year of the world, on exactly two links (hiding them moves the newest year)
NEWEST = 2024


def world(seed: int = 0, dated: bool = True) -> tuple[list[Node], list[Rel]]:
    """Nodes and relationships of the random world (see the module docstring)."""
    rng = np.random.default_rng(seed)
    nodes: list[Node] = []
    cities: list[str] = []
    for cc, n in [*COUNTRIES, (None, NO_COUNTRY)]:
        for i in range(n):
            cid = f"city:{(cc or 'xx').lower()}{i:02d}"
            props: dict = {"name": f"{(cc or 'Nowhere').title()} {i}"}
            if cc:
                props["country"] = cc.lower() if i == 0 else cc  # codes are upper-cased
            nodes.append(Node(cid, Label.CITY, props))
            cities.append(cid)
    sols = [f"sol:{j:02d}" for j in range(SOLUTIONS)]
    nodes += [Node(s, Label.SOLUTION, {"name": f"Solution {j}", "category": "mobility"})
              for j, s in enumerate(sols)]
    # popularity from 2 % to 90 %: rare items make a cohort, common ones hardly count
    share = np.linspace(0.02, 0.9, SOLUTIONS)
    rels: list[Rel] = []
    for c in cities[:-1]:  # the last city implemented nothing
        for j, s in enumerate(sols):
            if rng.random() < share[j]:
                props = {} if not dated or rng.random() < 0.2 else {
                    "year": int(rng.integers(2008, NEWEST))}
                rels.append(Rel(RelType.IMPLEMENTED, c, s, props))
    if dated:
        # a pair linked twice: the projection keeps the later year
        rels.append(Rel(RelType.IMPLEMENTED, cities[3], sols[5], {"year": 2009}))
        rels.append(Rel(RelType.IMPLEMENTED, cities[3], sols[5], {"year": 2021}))
        rels.append(Rel(RelType.IMPLEMENTED, cities[40], sols[2], {"year": NEWEST}))
        rels.append(Rel(RelType.IMPLEMENTED, cities[41], sols[9], {"year": NEWEST}))
    return nodes, rels


class Brute:
    """``cohort`` and ``national`` of every (city, solution) pair, from the relationships."""

    def __init__(self, nodes: list[Node], rels: list[Rel], k: int, half_life: float) -> None:
        self.cities = sorted(n.id for n in nodes if n.label is Label.CITY)
        self.solutions = sorted(n.id for n in nodes if n.label is Label.SOLUTION)
        self.country = {n.id: str(n.props["country"]).upper() for n in nodes
                        if n.label is Label.CITY and n.props.get("country")}
        self.impl: dict[str, set[str]] = defaultdict(set)
        self.year: dict[tuple[str, str], int] = {}
        for r in rels:
            if r.type is RelType.IMPLEMENTED:
                self.impl[r.src].add(r.dst)
                y = r.props.get("year")
                if y:
                    self.year[(r.src, r.dst)] = max(y, self.year.get((r.src, r.dst), y))
        self.k, self.half_life = k, half_life
        active = sum(1 for c in self.cities if self.impl[c])
        self.rarity = {}
        for s in self.solutions:
            adopters = sum(1 for c in self.cities if s in self.impl[c])
            self.rarity[s] = max(math.log(active / adopters), 0.0) if adopters else 0.0
        self.newest = max(self.year.values(), default=0)

    def national(self, city: str, sol: str) -> float:
        code = self.country.get(city)
        if code is None:
            return 0.0
        members = [c for c in self.cities if self.country.get(c) == code]
        return sum(1 for c in members if sol in self.impl[c]) / len(members)

    def similarity(self, a: str, b: str) -> float:
        # summed in item order, as a sparse product does: ties stay exact ties
        return sum(self.rarity[s] * self.rarity[s] for s in sorted(self.impl[a] & self.impl[b]))

    def cohort_members(self, city: str) -> dict[str, float]:
        """The cohort of ``city``: other cities by weight (ties at the k-th kept)."""
        sim = {x: 0.0 if x == city else self.similarity(city, x) for x in self.cities}
        cut = sorted(sim.values(), reverse=True)[self.k - 1] if len(sim) > self.k else 0.0
        kept = {x: v for x, v in sim.items() if v > 0 and v >= cut}
        tot = sum(kept.values())
        return {x: v / tot for x, v in kept.items()}

    def recent(self, city: str, sol: str) -> float:
        if sol not in self.impl[city]:
            return 0.0
        if not self.year:  # nothing dated anywhere: every link counts fully
            return 1.0
        y = self.year.get((city, sol))
        return 0.5 ** ((self.newest - y) / self.half_life) if y else 0.0

    def cohort(self, city: str) -> dict[str, float]:
        """``cohort`` of ``city`` for every solution."""
        members = self.cohort_members(city)
        return {s: min(sum(w * self.recent(x, s) for x, w in members.items()), 1.0)
                for s in self.solutions}
