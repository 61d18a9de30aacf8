"""A second synthetic ecosystem with its own causal story and its own ground truth.

Written independently of :mod:`matchmaking.demo` (it imports nothing from it and shares no
catalogue), so that the engine can be evaluated on data whose mechanisms it was not built
around. numpy only, deterministic per seed, about a second for 300 cities.

The story (what causes what):

- **Countries and regions.** 16 European countries in four regions, each with its own
  language(s). A city speaks its country's language (one of them in bilingual countries)
  and English with probability 0.5.
- **Latent needs, seen through heavy noise.** Every city has a sparse latent need profile
  over 30 topics (Dirichlet, concentration 0.3). Its ``NEEDS`` links reveal the strongest
  needs only with some probability and add a false one half of the time; ``PRIORITIZES``
  names the SDGs of its two main needs (70%) plus a random SDG.
- **Text is written independently of the needs.** A city's description names its size and
  country and six topic words drawn uniformly at random, never from its needs.
- **Hidden programme networks.** 20 programmes (regional or EU-wide) that cities join by
  region and activity. They are *not* in the graph; only the ``PARTNERS_WITH`` ties they
  cause are (probability 0.22 per shared programme, plus a little for proximity).
- **Providers specialise by country.** A provider delivers mostly at home (affinity 1.0),
  less in its region (0.35) and rarely elsewhere (0.08), weighted by its quality.
- **Adoption spreads through partnerships and programmes, not needs.** Over 2013-2024 a
  city adopts a solution with hazard
  ``base * activity_c * appeal_s * availability(c, s) * (1 + 1.5 partners_adopted +
  4 programme_share_adopted) * (1 + 0.5 need_match)``: the need term is weak; exposure
  through partners and hidden programmes and the availability of a provider nearby carry
  most of it. Each adoption is delivered by one of the solution's providers (affinity ×
  quality), which makes the ``providers`` and ``leads`` positives.
- **Advice follows topic need, language and region, with heavy noise.** An expert advises
  1 + Poisson(2.5) cities drawn with probability proportional to
  ``(0.05 + need·expertise) * language * region`` times a per-pair log-normal noise
  (sigma 1) that the ground truth does not know.

Ground truth (:attr:`SyntheticWorld.truth`): the generator's own expected utility per
(kind, subject, candidate): the adoption hazard at the end of the simulation (solutions),
summed over solutions and split by the provider-choice probabilities (providers, leads),
the tie probability (peers) and the noise-free advice propensity (experts,
opportunities). Ranking by it is the *oracle*: the best a method can expect to do without
knowing the draws' noise.

Examples
--------
>>> world = generate_world(seed=1, cities=60)
>>> sum(1 for n in world.nodes if n.label.value == "City")
60
>>> truth = world.truth["solutions"]
>>> world.oracle("solutions", world.city_ids[0], truth.candidates).shape == (len(truth.candidates),)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from graph_schema import interchange
from graph_schema.schema import Label, Node, Rel, RelType

__all__ = ["SyntheticWorld", "Truth", "generate_world"]

# code, region, lat, lon, languages, name
_COUNTRIES = (
    ("SE", "north", 59.3, 16.1, ("sv",), "Sweden"), ("FI", "north", 62.0, 25.0, ("fi", "sv"),
                                                       "Finland"),
    ("DK", "north", 55.9, 10.0, ("da",), "Denmark"), ("NO", "north", 60.5, 9.0, ("no",), "Norway"),
    ("NL", "west", 52.1, 5.3, ("nl",), "the Netherlands"), ("BE", "west", 50.7, 4.5, ("nl", "fr"),
                                                            "Belgium"),
    ("FR", "west", 46.6, 2.4, ("fr",), "France"), ("DE", "west", 51.0, 10.0, ("de",), "Germany"),
    ("IT", "south", 42.8, 12.5, ("it",), "Italy"), ("ES", "south", 40.4, -3.7, ("es", "ca"),
                                                     "Spain"),
    ("PT", "south", 39.6, -8.0, ("pt",), "Portugal"), ("GR", "south", 38.5, 22.5, ("el",),
                                                       "Greece"),
    ("PL", "east", 52.0, 19.4, ("pl",), "Poland"), ("CZ", "east", 49.8, 15.5, ("cs",), "Czechia"),
    ("HU", "east", 47.2, 19.5, ("hu",), "Hungary"), ("RO", "east", 45.9, 24.9, ("ro",), "Romania"),
)
# slug, name, solution category, SDG numbers, two extra words
_TOPICS = (
    ("bike-share", "Bike sharing", "mobility", (11, 3), "cycling docks"),
    ("signals", "Adaptive traffic signals", "mobility", (11, 9), "junction congestion"),
    ("e-bus", "Electric bus fleets", "mobility", (7, 13), "depot charging"),
    ("parking", "Parking guidance", "mobility", (11,), "kerbside occupancy"),
    ("ride-pool", "Demand-responsive transit", "mobility", (11, 10), "rural shuttle"),
    ("flood", "Flood early warning", "environment", (13, 6), "river gauges"),
    ("trees", "Urban tree canopy", "environment", (15, 13), "shade planting"),
    ("air", "Air quality sensing", "environment", (3, 11), "particulate monitors"),
    ("waste", "Waste sorting", "environment", (12,), "bins recycling"),
    ("heat", "Heat island cooling", "environment", (13, 3), "roofs albedo"),
    ("leaks", "Water leak detection", "environment", (6,), "pipes acoustic"),
    ("budget", "Open budget portal", "government", (16,), "spending transparency"),
    ("permits", "Digital permits", "government", (16, 9), "licences online"),
    ("participation", "Participatory budgeting", "government", (16, 10), "votes residents"),
    ("cyber", "Cyber resilience", "government", (16, 9), "incident response"),
    ("data-market", "Urban data marketplace", "government", (9, 17), "datasets sharing"),
    ("retrofit", "Social housing retrofit", "living", (7, 11), "insulation tenants"),
    ("telecare", "Telecare for older people", "living", (3,), "alarms homecare"),
    ("safety", "Public space safety", "living", (16, 11), "patrols lighting"),
    ("noise", "Noise mapping", "living", (3, 11), "decibel nightlife"),
    ("lighting", "Adaptive street lighting", "living", (7, 11), "lampposts dimming"),
    ("incubation", "Startup incubation", "economy", (8, 9), "founders accelerator"),
    ("local-shops", "Local e-commerce", "economy", (8,), "retailers delivery"),
    ("tourism", "Tourism flow analytics", "economy", (8, 12), "visitors crowding"),
    ("procurement", "Circular procurement", "economy", (12,), "tenders reuse"),
    ("skills", "Digital skills training", "people", (4, 8), "courses literacy"),
    ("schools", "Energy education in schools", "people", (4, 7), "pupils classrooms"),
    ("volunteers", "Civic volunteering", "people", (11, 17), "associations neighbours"),
    ("makerspace", "Library makerspaces", "people", (4, 9), "fabrication workshops"),
    ("energy-community", "Energy communities", "people", (7, 13), "cooperative solar"),
)
_SYLLABLES = ("ar", "bel", "cor", "dun", "el", "fal", "gor", "hav", "is", "jor", "kel", "lun",
              "mar", "nor", "ost", "pel", "quin", "ros", "sal", "tor", "ul", "ven", "wes", "zel")
_FILLER = ("municipal", "strategy", "plan", "council", "district", "residents", "services",
           "programme", "partnership", "investment", "pilot", "roadmap")
_ADJ = ("Open", "Smart", "Adaptive", "Community", "Integrated", "Modular", "Cloud", "Green")
_NOUN = ("platform", "kit", "service", "network", "toolkit", "programme", "suite")
_AFFINITY = {"country": 1.0, "region": 0.35, "abroad": 0.08}
_YEARS = range(2013, 2025)


@dataclass
class Truth:
    """True utility of one kind: ``scores[i, j]`` for ``subjects[i]`` and ``candidates[j]``."""

    subjects: list[str]
    candidates: list[str]
    scores: np.ndarray
    row: dict[str, int] = field(default_factory=dict)
    col: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.row = {s: i for i, s in enumerate(self.subjects)}
        self.col = {c: j for j, c in enumerate(self.candidates)}


@dataclass
class SyntheticWorld:
    """The generated graph and its ground truth (see the module docstring)."""

    nodes: list[Node]
    rels: list[Rel]
    truth: dict[str, Truth]
    seed: int
    city_ids: list[str]

    def oracle(self, kind: str, subject: str, candidates: Sequence[str]) -> np.ndarray:
        """True utility of ``candidates`` for ``subject`` under ``kind`` (0 when unknown).

        Parameters
        ----------
        kind : str
            A recommendation kind (``"solutions"``, ...).
        subject : str
            The subject's id.
        candidates : sequence of str
            Candidate ids, in the order of the returned scores.

        Returns
        -------
        numpy.ndarray
            One float per candidate.
        """
        t = self.truth[str(kind)]
        i = t.row.get(subject)
        out = np.zeros(len(candidates))
        if i is None:
            return out
        cols = np.array([t.col.get(c, -1) for c in candidates], dtype=np.intp)
        ok = cols >= 0
        out[ok] = t.scores[i, cols[ok]]
        return out

    def write(self, folder: str | Path) -> interchange.Counts:
        """Write the graph as a smartcity-graph/1 dataset folder."""
        return interchange.write_dataset(
            folder, self.nodes, self.rels, meta={"name": f"synthetic world, seed {self.seed}"}
        )


def _names(rng: np.random.Generator, n: int, suffix: str) -> list[str]:
    out, seen = [], set()
    for i in range(n):
        parts = rng.choice(len(_SYLLABLES), size=2 + int(rng.random() < 0.4))
        name = "".join(_SYLLABLES[p] for p in parts).capitalize()
        if name in seen:
            name = f"{name} {i}"
        seen.add(name)
        out.append(f"{name}{suffix}")
    return out


def _words(rng: np.random.Generator, topics: np.ndarray, n: int) -> str:
    """``n`` words from the names and extra words of ``topics`` (a uniform draw)."""
    pool = [w.lower() for t in topics for w in (_TOPICS[t][1] + " " + _TOPICS[t][4]).split()]
    return " ".join(rng.choice(pool, size=n).tolist()) if pool else ""


def _haversine_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    dlat = la[:, None] - la[None, :]
    dlon = lo[:, None] - lo[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(la)[:, None] * np.cos(la)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _affinity(country_a: np.ndarray, country_b: np.ndarray) -> np.ndarray:
    region = np.array([c[1] for c in _COUNTRIES])
    same_c = country_a[:, None] == country_b[None, :]
    same_r = region[country_a][:, None] == region[country_b][None, :]
    return np.where(same_c, _AFFINITY["country"],
                    np.where(same_r, _AFFINITY["region"], _AFFINITY["abroad"]))


def generate_world(seed: int = 0, cities: int = 300) -> SyntheticWorld:
    """Generate the ecosystem (see the module docstring).

    Parameters
    ----------
    seed : int
        Every random draw comes from ``numpy.random.default_rng(seed)``.
    cities : int
        Number of cities; providers, solutions, members and programmes scale with it.

    Returns
    -------
    SyntheticWorld
    """
    if cities < 20:
        raise ValueError("cities must be at least 20")
    g = _Generator(seed, cities)
    g.reference()
    g.cities()
    tie = g.partnerships()
    g.market()
    u_solutions, u_providers = g.adoption()
    u_advice = g.advice(g.members())
    ids = g.ids
    truth = {
        "solutions": Truth(ids["city"], ids["solution"], u_solutions),
        "providers": Truth(ids["city"], ids["provider"], u_providers),
        "leads": Truth(ids["provider"], ids["city"], u_providers.T.copy()),
        "peers": Truth(ids["city"], ids["city"], tie),
        "experts": Truth(ids["city"], ids["member"], u_advice.T.copy()),
        "opportunities": Truth(ids["member"], ids["city"], u_advice),
    }
    return SyntheticWorld(g.nodes, _dedupe(g.rels), truth, seed, ids["city"])


class _Generator:
    """The generator's state; each method is one step of the story, in order."""

    def __init__(self, seed: int, cities: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.n_t, self.n_co = len(_TOPICS), len(_COUNTRIES)
        self.n_c, self.n_p = cities, max(8, cities // 4)
        self.n_s, self.n_m = max(12, (cities * 3) // 4), max(20, (cities * 4) // 3)
        self.n_net = max(4, cities // 15)
        self.nodes: list[Node] = []
        self.rels: list[Rel] = []
        self.regions = np.array([c[1] for c in _COUNTRIES])
        self.ids = {
            "topic": [f"topic:syn-{t[0]}" for t in _TOPICS],
            "kpi": [f"kpi:syn-{t[0]}" for t in _TOPICS],
            "city": [f"syn:c{i:04d}" for i in range(self.n_c)],
            "provider": [f"syn:p{i:03d}" for i in range(self.n_p)],
            "solution": [f"syn:s{i:04d}" for i in range(self.n_s)],
            "member": [f"syn:m{i:04d}" for i in range(self.n_m)],
        }

    def rel(self, rel_type: RelType, src: str, dst: str, **props: object) -> None:
        self.rels.append(Rel(rel_type, src, dst, dict(props)))

    def reference(self) -> None:
        for t, (_, name, cat, _sdg, extra) in enumerate(_TOPICS):
            self.nodes.append(Node(self.ids["topic"][t], Label.TOPIC, {
                "name": name, "description": f"{name}: {extra}."}))
            self.nodes.append(Node(self.ids["kpi"][t], Label.KPI, {
                "name": f"{name} index", "unit": "score", "category": cat}))

    def cities(self) -> None:
        """Cities with latent needs, revealed through noise; text independent of needs."""
        rng, n_c, n_t, n_co = self.rng, self.n_c, self.n_t, self.n_co
        share = np.linspace(1.6, 0.6, n_co)
        self.country = country = rng.choice(n_co, size=n_c, p=share / share.sum())
        self.lat = np.array([_COUNTRIES[k][2] for k in country]) + rng.normal(0, 1.4, n_c)
        self.lon = np.array([_COUNTRIES[k][3] for k in country]) + rng.normal(0, 1.8, n_c)
        population = np.clip(np.exp(rng.normal(11.3, 1.1, n_c)), 5_000, 3_000_000).astype(int)
        self.activity = np.exp(rng.normal(0.0, 0.6, n_c))
        self.need = need = rng.dirichlet(np.full(n_t, 0.3), size=n_c)  # latent needs
        self.langs: list[set[str]] = []
        for i, name in enumerate(_names(rng, n_c, "")):
            k = country[i]
            own = list(_COUNTRIES[k][4])
            lang = [own[int(rng.integers(len(own)))]] + (["en"] if rng.random() < 0.5 else [])
            self.langs.append(set(lang))
            size = ("large" if population[i] > 250_000 else
                    "mid-sized" if population[i] > 50_000 else "small")
            text = (f"{name} is a {size} city in {_COUNTRIES[k][5]}. "
                    f"{' '.join(rng.choice(_FILLER, 3).tolist())} "
                    f"{_words(rng, np.arange(n_t), 6)}.")  # independent of the needs
            city = self.ids["city"][i]
            self.nodes.append(Node(city, Label.CITY, {
                "name": name, "country": _COUNTRIES[k][0], "population": int(population[i]),
                "lat": round(float(np.clip(self.lat[i], -90, 90)), 4),
                "lon": round(float(np.clip(self.lon[i], -180, 180)), 4),
                "languages": lang, "description": text}))
            reveal = rng.random(n_t) < np.clip(need[i] * 3.0, 0.0, 0.85)
            if rng.random() < 0.5:
                reveal[rng.integers(n_t)] = True  # a need that is not one
            for t in np.flatnonzero(reveal).tolist():
                urgency = float(np.clip(need[i, t] * 2 + rng.normal(0, 0.15), 0.05, 1.0))
                self.rel(RelType.NEEDS, city, self.ids["topic"][t], urgency=round(urgency, 2))
            sdgs = {s for t in np.argsort(-need[i])[:2] if rng.random() < 0.7
                    for s in _TOPICS[t][3]}
            sdgs.add(int(rng.integers(1, 18)))
            for s in sorted(sdgs):
                self.rel(RelType.PRIORITIZES, city, f"sdg:{s}",
                         weight=round(float(rng.uniform(0.3, 1.0)), 2))
            for t in rng.choice(n_t, size=int(rng.integers(2, 6)), replace=False).tolist():
                self.rel(RelType.MEASURES, city, self.ids["kpi"][t],
                         value=round(float(rng.uniform(0, 100)), 1), year=2023)

    def partnerships(self) -> np.ndarray:
        """Hidden programmes and the ties they cause; returns the tie probabilities."""
        rng, n_c, n_net = self.rng, self.n_c, self.n_net
        net_region = rng.choice([*sorted(set(self.regions)), "eu"], size=n_net)
        weight = np.where(net_region[None, :] == self.regions[self.country][:, None], 3.0,
                          np.where(net_region[None, :] == "eu", 1.5, 0.3))
        self.member = member = np.zeros((n_c, n_net))
        for i in range(n_c):
            k = min(n_net, int(rng.poisson(1.2 * self.activity[i])))
            if k:
                member[i, rng.choice(n_net, size=k, replace=False,
                                     p=weight[i] / weight[i].sum())] = 1
        dist = _haversine_km(self.lat, self.lon)
        tie = np.clip(0.22 * (member @ member.T) + 0.04 * np.exp(-dist / 250.0), 0.0, 0.9)
        np.fill_diagonal(tie, 0.0)
        draw = np.triu(rng.random((n_c, n_c)) < tie, 1)
        self.partners = (draw | draw.T).astype(float)
        for i, j in zip(*np.nonzero(draw), strict=True):
            self.rel(RelType.PARTNERS_WITH, self.ids["city"][i], self.ids["city"][j])
        return tie

    def market(self) -> None:
        """Providers specialised by country and category, and the solutions they offer."""
        rng, n_p, n_s, n_t = self.rng, self.n_p, self.n_s, self.n_t
        self.p_country = rng.integers(self.n_co, size=n_p)
        quality = np.exp(rng.normal(0.0, 0.5, n_p))
        cats = sorted({t[2] for t in _TOPICS})
        p_cats = [set(rng.choice(cats, size=1 + int(rng.random() < 0.4), replace=False)
                      .tolist()) for _ in range(n_p)]
        for i, name in enumerate(_names(rng, n_p, " Systems")):
            k = self.p_country[i]
            self.nodes.append(Node(self.ids["provider"][i], Label.PROVIDER, {
                "name": name, "country": _COUNTRIES[k][0],
                "kind": str(rng.choice(["company", "startup", "research", "ngo"])),
                "employees": int(rng.integers(3, 900)),
                "languages": [_COUNTRIES[k][4][0], "en"],
                "description": f"{name} works on {' and '.join(sorted(p_cats[i]))} in "
                               f"{_COUNTRIES[k][5]}."}))
        self.covers = np.zeros((n_s, n_t))
        self.appeal = np.exp(rng.normal(0.0, 0.8, n_s))
        sell = np.zeros((n_s, n_p))
        for s in range(n_s):
            sol = self.ids["solution"][s]
            main = int(rng.integers(n_t))
            cat = _TOPICS[main][2]
            same = [t for t in range(n_t) if _TOPICS[t][2] == cat and t != main]
            topics = [main,
                      *rng.choice(same, size=int(rng.integers(0, 3)), replace=False).tolist()]
            self.covers[s, topics] = 1
            name = f"{rng.choice(_ADJ)} {_TOPICS[main][1].lower()} {rng.choice(_NOUN)}"
            self.nodes.append(Node(sol, Label.SOLUTION, {
                "name": name, "category": cat,
                "cost": str(rng.choice(["low", "medium", "high"])),
                "maturity": str(rng.choice(["pilot", "proven", "scaled"])),
                "description": f"{name}. {_words(rng, np.array(topics), 5)} "
                               f"{' '.join(rng.choice(_FILLER, 2).tolist())}."}))
            for t in topics:
                self.rel(RelType.COVERS, sol, self.ids["topic"][t])
                self.rel(RelType.IMPROVES, sol, self.ids["kpi"][t])
            for goal in sorted({goal for t in topics for goal in _TOPICS[t][3]}):
                self.rel(RelType.ADDRESSES, sol, f"sdg:{goal}")
            able = [p for p in range(n_p) if cat in p_cats[p]] or list(range(n_p))
            sellers = rng.choice(able, size=min(len(able), 1 + int(rng.binomial(2, 0.35))),
                                 replace=False).tolist()
            sell[s, sellers] = 1
            for n, p in enumerate(sellers):
                self.rel(RelType.OFFERS, self.ids["provider"][p], sol, owner=n == 0)
        aff = _affinity(self.country, self.p_country) * quality[None, :]  # cities × providers
        choice = aff[:, None, :] * sell[None, :, :]  # cities × solutions × providers
        self.avail = choice.max(axis=2) / quality.max()
        self.choice = choice / choice.sum(axis=2, keepdims=True)

    def adoption(self) -> tuple[np.ndarray, np.ndarray]:
        """Adoption spreading through partners and programmes, 2013-2024; returns the true
        utility of solutions and of providers (cities × candidates)."""
        rng, member = self.rng, self.member
        need_match = self.need @ (self.covers / self.covers.sum(axis=1, keepdims=True)).T
        net_size = np.maximum(member.sum(axis=0), 1.0)
        own_share = (member / net_size[None, :]).sum(axis=1, keepdims=True)
        static = (self.activity[:, None] * self.appeal[None, :] * self.avail
                  * (1.0 + 0.5 * need_match * self.n_t / 3))

        def hazard(adopted: np.ndarray) -> np.ndarray:
            via_partners = self.partners @ adopted
            # share of each programme's other members that adopted (one's own adoption is
            # taken out, so the end-state truth of an adopted pair does not count itself)
            via_programmes = member @ ((member.T @ adopted) / net_size[:, None])
            via_programmes -= adopted * own_share
            return static * (1.0 + 1.5 * via_partners + 4.0 * via_programmes)

        adopted = np.zeros((self.n_c, self.n_s))
        base = 0.35 * self.n_c / static.sum()
        for year in _YEARS:
            h = base * hazard(adopted)
            new = (rng.random(adopted.shape) < 1.0 - np.exp(-h)) & (adopted == 0)
            for i, s in zip(*np.nonzero(new), strict=True):
                p = int(rng.choice(self.n_p, p=self.choice[i, s]))
                self.rel(RelType.IMPLEMENTED, self.ids["city"][i], self.ids["solution"][s],
                         year=year, provider=self.ids["provider"][p],
                         rating=float(rng.integers(2, 6)))
            adopted[new] = 1.0
        u_solutions = base * hazard(adopted)
        return u_solutions, np.einsum("cs,csp->cp", u_solutions, self.choice)

    def members(self) -> np.ndarray:
        """Experts, researchers, officials and provider staff; returns their kinds."""
        rng, n_m, n_t = self.rng, self.n_m, self.n_t
        m_kind = rng.choice(["expert", "researcher", "city_official", "provider_staff"],
                            size=n_m, p=[0.45, 0.15, 0.25, 0.15])
        self.m_country = m_country = rng.choice(self.n_co, size=n_m)
        self.expertise = np.zeros((n_m, n_t))
        self.m_lang: list[set[str]] = []
        for i, name in enumerate(_names(rng, n_m, "")):
            me = self.ids["member"][i]
            if m_kind[i] == "city_official":
                c = int(rng.integers(self.n_c))
                m_country[i] = self.country[c]
                self.rel(RelType.WORKS_FOR, me, self.ids["city"][c], role="officer")
            elif m_kind[i] == "provider_staff":
                p = int(rng.integers(self.n_p))
                m_country[i] = self.p_country[p]
                self.rel(RelType.WORKS_FOR, me, self.ids["provider"][p])
            home = int(m_country[i])
            spoken = {str(rng.choice(_COUNTRIES[home][4]))} | (
                {"en"} if rng.random() < 0.6 else set())
            self.m_lang.append(spoken)
            skills = rng.choice(n_t, size=int(rng.integers(1, 4)), replace=False)
            for t in skills.tolist():
                level = int(rng.integers(2, 6))
                self.expertise[i, t] = level / 5.0
                self.rel(RelType.EXPERT_IN, me, self.ids["topic"][t], level=level)
            role = str(m_kind[i]).replace("_", " ").capitalize()
            bio = (f"{role} based in {_COUNTRIES[home][5]}. "
                   f"{_words(rng, skills, 3)} {_words(rng, np.arange(n_t), 4)}.")
            self.nodes.append(Node(me, Label.MEMBER, {
                "kind": str(m_kind[i]), "name": f"{name} {rng.choice(_SYLLABLES).capitalize()}son",
                "country": _COUNTRIES[home][0], "languages": sorted(spoken), "bio": bio,
                "open_to_matches": bool(rng.random() > 0.1)}))
        for i in range(n_m):
            compatriots = np.flatnonzero(m_country == m_country[i])
            for j in rng.choice(compatriots if rng.random() < 0.7 else np.arange(n_m),
                                size=int(rng.poisson(1.5))).tolist():
                if j != i:
                    self.rel(RelType.KNOWS, self.ids["member"][min(i, j)],
                             self.ids["member"][max(i, j)])
        return m_kind

    def advice(self, m_kind: np.ndarray) -> np.ndarray:
        """Advice by need, language and region with heavy noise; returns the true
        propensity (members × cities)."""
        rng, n_c, country, m_country = self.rng, self.n_c, self.country, self.m_country
        lang_ok = np.array([[1.0 if spoken & self.langs[c] else 0.25 for c in range(n_c)]
                            for spoken in self.m_lang])
        same_region = self.regions[m_country][:, None] == self.regions[country][None, :]
        region_ok = np.where(m_country[:, None] == country[None, :], 1.0,
                             np.where(same_region, 0.5, 0.15))
        u_advice = (0.05 + self.expertise @ self.need.T) * lang_ok * region_ok
        advises = np.isin(m_kind, ["expert", "researcher"])
        u_advice[~advises] = 0.0
        for m in np.flatnonzero(advises):
            w = u_advice[m] * np.exp(rng.normal(0.0, 1.0, n_c))  # noise the truth does not know
            picks = rng.choice(n_c, size=min(n_c, 1 + int(rng.poisson(2.5))), replace=False,
                               p=w / w.sum())
            for c in picks.tolist():
                self.rel(RelType.ADVISED, self.ids["member"][m], self.ids["city"][c],
                         year=int(rng.integers(2014, 2025)))
        return u_advice


def _dedupe(rels: list[Rel]) -> list[Rel]:
    """At most one relationship of a type between two nodes (the format's rule)."""
    seen: set[tuple[RelType, str, str]] = set()
    out = []
    for r in rels:
        a, b = sorted((r.src, r.dst)) if r.type is RelType.KNOWS else (r.src, r.dst)
        key = (r.type, a, b)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out
