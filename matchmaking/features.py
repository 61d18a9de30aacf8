"""Match features of (subject, candidate) pairs, computed in blocks on a projection.

:class:`FeatureSpace` precomputes, once per projection, the incidence matrices between labels
(each named for what it joins, see the table below), their normalised forms, TF-IDF vectors,
KPI gaps, geography codes and the PPR operator. Every feature is a *block* function
``f(S, C) -> (len(S), len(C))`` on local indices (position of a node inside its label), so the
same code serves a request (one subject, all candidates), the reverse direction of a
reciprocal match (all subjects, one candidate) and training (a batch of subjects). Every
feature lies in [0, 1]; higher is a better match.

The features of each kind live in that kind's module (:mod:`matchmaking.kinds`); this module
holds what they share. Besides content (needs, SDGs, KPIs, text), collaborative
(co-implementation, similar cities) and geography, the graph's social ties are meta-paths,
i.e. warm introductions: ``member_city_contacts`` counts the people on
``Member -KNOWS-> Member -WORKS_FOR-> City``. Counts are squashed with ``x / (1 + x)``; the
``ppr`` feature is log-scaled (see :func:`_logscale`). The formulas themselves are in
:mod:`scoring` (cosines are :func:`scoring.sparse.rows_dot` of L2-normalised rows).

Matrices (rows x columns, local indices; ``_l2``/``_l1`` = rows normalised):

==============================  ===========================================================
``city_topic``                  City -NEEDS-> Topic (weighted by urgency)
``solution_topic``              Solution -COVERS-> Topic
``city_sdg``, ``solution_sdg``  -PRIORITIZES-> / -ADDRESSES-> SDG
``city_solution``               City -IMPLEMENTED-> Solution
``provider_solution``           Provider -OFFERS-> Solution
``member_topic``                Member -EXPERT_IN-> Topic (weighted by level)
``member_city_advised``         Member -ADVISED-> City
``city_partner``                City -PARTNERS_WITH- City
``solution_kpi``                Solution -IMPROVES-> KPI
``member_city_staff``           Member -WORKS_FOR-> City (``member_provider_staff``: Provider)
``member_knows``                Member -KNOWS- Member (no self loops)
``city_provider_delivered``     City x Provider: an ``IMPLEMENTED.provider`` delivery
``provider_topic`` etc.         Provider x Topic/SDG/KPI through the solutions it offers
``city_topic_covered``          City x Topic covered by what the city implemented
``solution_cooccurrence``       Solution x Solution cosine of their implementer sets
``city_solution_aa``            ``city_solution`` with Adamic-Adar weights per solution
``city_kpi_need``               City x KPI need weights (``scoring.kpi_need_weights``)
``city_profile``                City x [needs, SDGs, text] (see :meth:`FeatureSpace.city_sim`)
``city_solution_nearby``        City x Solution: share of the nearest cities implementing it
``city_solution_rare``          ``city_solution`` with rarity (IDF) weights per solution
``city_solution_recent``        ``city_solution`` weighted by how recent each link is
``city_solution_year``          the year of each dated ``city_solution`` link (0: undated)
``country_solution_share``      Country code x Solution: share of its cities implementing it
``*_contacts``, ``*_network``   warm-introduction path counts (see ``__init__``)
==============================  ===========================================================
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from graph_schema.schema import SYMMETRIC_TYPES, Label, RelType
from matchmaking.kinds import KINDS, Kind
from matchmaking.kinds.peers import PeerSpace
from matchmaking.projection import IntArray, Projection
from scoring.cohort import cohort_weights, rarity_weights, recency_weights, top_k_weights
from scoring.metapath import adamic_adar_weights, combine_typed_adjacency
from scoring.pagerank import PPROperator
from scoring.similarity import (
    cost_fit_matrix,
    kpi_gap_matrix,
    kpi_need_weights,
    size_fit_matrix,
    size_profile,
    top_shared_terms,
)
from scoring.sparse import (
    binarize,
    dense,
    is_full_range,
    l1_rows,
    l2_rows,
    rows_dot,
    select_rows,
    squash,
)

FloatArray = NDArray[np.float64]

#: Weight of each relationship type in the graph personalized PageRank walks on. ``KNOWS`` is
#: left out on purpose: social ties are the explicit ``contacts``/``network`` meta-path features
#: (explainable, and a KNOWS-weighted walk made the learned weights collinear and unstable).
PPR_WEIGHTS: dict[str, float] = {
    "NEEDS": 1.0, "COVERS": 1.0, "IMPLEMENTED": 1.0, "OFFERS": 1.0, "EXPERT_IN": 1.0,
    "ADVISED": 1.0, "PARTNERS_WITH": 0.5, "ADDRESSES": 0.3, "PRIORITIZES": 0.3,
    "IMPROVES": 0.2, "WORKS_FOR": 0.3, "LOCATED_IN": 0.1, "KNOWS": 0.0, "MEASURES": 0.0,
}
PPR_ALPHA = 0.5  # probability to follow an edge: short, local walks (and fast convergence)
PPR_TOL = 1e-4  # L1; the ppr feature spans 4 decades below the best candidate's mass
PPR_DECADES = 4.0  # orders of magnitude of PPR mass the ppr feature spans (log scale)
NEIGHBOURS = 20  # similar cities consulted by the collaborative features
NEARBY = 20  # nearest cities (great-circle distance) consulted by the ``nearby`` feature
COHORT = 50  # co-members consulted by the ``cohort`` feature (scoring.cohort)
HALF_LIFE = 1.5  # years after which an adoption counts half in the ``cohort`` feature


def _codes(values: list[str | None]) -> NDArray[np.int64]:
    table: dict[str, int] = {}
    return np.array([-1 if v is None else table.setdefault(v, len(table)) for v in values],
                    dtype=np.int64)


def _logscale(x: FloatArray, top: FloatArray) -> FloatArray:
    """PPR mass relative to ``top`` on a log scale: 1 at ``top``, 0 at ``PPR_DECADES`` orders
    of magnitude below it (and for no mass). Raw PPR mass is heavy-tailed (direct neighbours
    take nearly all of it), so a linear ratio leaves every other candidate near 0."""
    ratio = np.divide(x, top, out=np.zeros_like(x), where=top > 0)
    with np.errstate(divide="ignore"):
        lg = np.log10(np.maximum(ratio, 1e-300))
    return np.clip(1.0 + lg / PPR_DECADES, 0.0, 1.0)


#: The links that feed the text documents of :meth:`FeatureSpace._init_text`.
_TEXT_LINKS = (RelType.NEEDS, RelType.COVERS, RelType.OFFERS, RelType.EXPERT_IN)


def _same_text_links(a: Projection, b: Projection) -> bool:
    """Whether two projections of the same nodes hold the same text-bearing links."""
    return a.ids == b.ids and all(
        (t in a.adj) == (t in b.adj) and (t not in a.adj or (a.adj[t] != b.adj[t]).nnz == 0)
        for t in _TEXT_LINKS)


class FeatureSpace:
    """Everything the features of every kind need, precomputed on one projection.

    Parameters
    ----------
    proj : Projection
        The graph snapshot; the matrices are named in the module docstring.
    text_of : FeatureSpace, optional
        A space on the same nodes whose TF-IDF text model to reuse (e.g. training's, whose
        graphs differ only in hidden links) when the links that feed the documents (needs,
        coverage, offers, expertise) are the same; otherwise it is fitted again.
    """

    #: TF-IDF rows of each label's documents (:meth:`_init_text`)
    text: dict[Label, sp.csr_array]
    #: the TF-IDF vocabulary (column names of ``text``), a plain array: serving from a
    #: persisted feature space never needs scikit-learn's vectorizer
    text_terms: NDArray[np.str_]

    def __init__(self, proj: Projection, text_of: FeatureSpace | None = None) -> None:
        self.proj = proj
        b = proj.block
        self.city_topic = b(RelType.NEEDS, Label.CITY, Label.TOPIC)
        self.solution_topic = binarize(b(RelType.COVERS, Label.SOLUTION, Label.TOPIC))
        self.city_sdg = b(RelType.PRIORITIZES, Label.CITY, Label.SDG)
        self.solution_sdg = binarize(b(RelType.ADDRESSES, Label.SOLUTION, Label.SDG))
        self.city_solution = binarize(b(RelType.IMPLEMENTED, Label.CITY, Label.SOLUTION))
        self.provider_solution = binarize(b(RelType.OFFERS, Label.PROVIDER, Label.SOLUTION))
        self.member_topic = b(RelType.EXPERT_IN, Label.MEMBER, Label.TOPIC)
        self.member_city_advised = binarize(b(RelType.ADVISED, Label.MEMBER, Label.CITY))
        self.city_partner = binarize(b(RelType.PARTNERS_WITH, Label.CITY, Label.CITY))
        self.solution_kpi = binarize(b(RelType.IMPROVES, Label.SOLUTION, Label.KPI))
        self.member_city_staff = binarize(b(RelType.WORKS_FOR, Label.MEMBER, Label.CITY))
        self.member_provider_staff = binarize(b(RelType.WORKS_FOR, Label.MEMBER, Label.PROVIDER))
        knows = binarize(b(RelType.KNOWS, Label.MEMBER, Label.MEMBER))
        knows.setdiag(0.0)
        knows.eliminate_zeros()
        self.member_knows = knows
        n_c, n_p = proj.rows[Label.CITY].size, proj.rows[Label.PROVIDER].size
        ip = proj.impl_provider
        self.city_provider_delivered = binarize(sp.csr_array(
            (np.ones(len(ip)), (proj.local[ip[:, 0]], proj.local[ip[:, 2]])), shape=(n_c, n_p)
        )) if len(ip) else sp.csr_array((n_c, n_p))
        # derived incidences
        self.provider_topic = binarize(self.provider_solution @ self.solution_topic)
        self.provider_sdg = binarize(self.provider_solution @ self.solution_sdg)
        self.provider_kpi = binarize(self.provider_solution @ self.solution_kpi)
        # topics a city's implementations cover
        self.city_topic_covered = binarize(self.city_solution @ self.solution_topic)
        self.city_topic_l2 = l2_rows(self.city_topic)
        self.solution_topic_l2 = l2_rows(self.solution_topic)
        self.provider_topic_l2 = l2_rows(self.provider_topic)
        self.member_topic_l2 = l2_rows(self.member_topic)
        self.city_sdg_l2 = l2_rows(self.city_sdg)
        self.solution_sdg_l2 = l2_rows(self.solution_sdg)
        self.provider_sdg_l2 = l2_rows(self.provider_sdg)
        self.member_city_advised_l1 = l1_rows(self.member_city_advised)
        self.city_topic_l1 = l1_rows(self.city_topic)
        # collaborative: solution x solution cosine of co-implementation, no self pairs
        adopters = l2_rows(sp.csr_array(self.city_solution.T))
        cooc = sp.csr_array(adopters @ adopters.T)
        cooc.setdiag(0.0)
        cooc.eliminate_zeros()
        self.solution_cooccurrence = cooc
        self.city_solution_aa = sp.csr_array(
            self.city_solution @ sp.diags_array(adamic_adar_weights(self.city_solution)))
        self.solution_adopters = np.asarray(self.city_solution.sum(axis=0)).ravel()
        # cohorts (scoring.cohort): rarity-weighted co-implementation, recency of each link
        self.city_solution_rare = sp.csr_array(
            self.city_solution @ sp.diags_array(rarity_weights(self.city_solution)))
        self.solution_city_rare = sp.csr_array(self.city_solution_rare.T)
        years = proj.link_year.get(RelType.IMPLEMENTED)
        self.city_solution_year = sp.csr_array(self.city_solution.astype(bool).multiply(
            sp.csr_array(self.city_solution.shape) if years is None
            else years[proj.rows[Label.CITY]][:, proj.rows[Label.SOLUTION]]), dtype=np.int64)
        self.city_solution_year.eliminate_zeros()
        self.latest_year = int(self.city_solution_year.max()) if self.city_solution_year.nnz \
            else 0
        self.city_solution_recent = recency_weights(
            self.city_solution, self.city_solution_year, HALF_LIFE)
        # trend: the recency-weighted share of a solution's implementations
        self.solution_trend = np.asarray(self.city_solution_recent.sum(axis=0)).ravel() / \
            np.maximum(self.solution_adopters, 1.0)
        self.provider_deliveries = np.asarray(self.city_provider_delivered.sum(axis=0)).ravel()
        self.member_advised_count = np.asarray(self.member_city_advised.sum(axis=1)).ravel()
        # social meta-paths (warm introductions), as counts of distinct people:
        # member -KNOWS-> member -WORKS_FOR-> city: contacts working for the city
        self.member_city_contacts = sp.csr_array(self.member_knows @ self.member_city_staff)
        self.city_member_contacts = sp.csr_array(self.member_city_contacts.T)
        # provider <-WORKS_FOR- staff -KNOWS-> official -WORKS_FOR-> city: officials known
        staff_knows = binarize(sp.csr_array(self.member_provider_staff.T @ self.member_knows))
        self.provider_city_contacts = sp.csr_array(staff_knows @ self.member_city_staff)
        self.city_provider_contacts = sp.csr_array(self.provider_city_contacts.T)
        # member -KNOWS-> member -ADVISED-> city: contacts who advised the city
        self.member_city_network = sp.csr_array(self.member_knows @ self.member_city_advised)
        self.city_member_network = sp.csr_array(self.member_city_network.T)
        self._ppr_cache: dict[int, NDArray[np.float32]] = {}
        self._sim_cache: dict[int, FloatArray] = {}
        self._cohort_cache: dict[int, FloatArray] = {}
        self._transposes: dict[int, tuple[sp.csr_array, sp.csr_array]] = {}
        self._init_tables()
        if text_of is not None and _same_text_links(proj, text_of.proj):
            self.text, self.text_terms = text_of.text, text_of.text_terms
        else:
            self._init_text()
        self._init_profile()
        self._init_ppr()

    # ------------------------------------------------------------------ setup

    def _init_tables(self) -> None:
        proj = self.proj
        country = _codes(proj.country)
        sub = _codes(proj.subregion)
        reg = _codes(proj.region)
        self.geo_codes = {lab: (country[r], sub[r], reg[r]) for lab, r in proj.rows.items()}
        langs = sorted({x for s in proj.languages for x in s})
        li = {x: i for i, x in enumerate(langs)}
        self.language_incidence = {}
        for lab in (Label.CITY, Label.PROVIDER, Label.MEMBER):
            r = proj.rows[lab]
            pairs = [(i, li[x]) for i, row in enumerate(r.tolist()) for x in proj.languages[row]]
            a = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
            self.language_incidence[lab] = sp.csr_array(
                (np.ones(len(a)), (a[:, 0], a[:, 1])), shape=(r.size, max(len(langs), 1))
            )
        rc = proj.rows[Label.CITY]
        self.city_population = proj.population[rc]
        self.city_logpop = np.log10(np.where(proj.population[rc] > 0, proj.population[rc], np.nan))
        pop_band = np.searchsorted([1e5, 1e6], proj.population[rc], side="right").astype(float)
        bud_band = np.searchsorted([1e7, 1e8], proj.budget[rc], side="right").astype(float)
        self.city_band = np.where(np.isfinite(proj.population[rc]) & (proj.population[rc] > 0),
                                  pop_band,
                                  np.where(np.isfinite(proj.budget[rc]), bud_band, np.nan))
        self.solution_cost = proj.cost[proj.rows[Label.SOLUTION]]
        self._init_geo_adoption()
        # implementer size profile of each solution (mean, std of log10 population)
        self.solution_size_mean, self.solution_size_std, self.solution_size_known = (
            size_profile(self.city_solution, self.city_logpop, min_std=0.25))
        # cheapest offered cost level per provider
        lev = np.nan_to_num(self.solution_cost, nan=1.0)
        # 3 - level: the row maximum is the cheapest level
        big = sp.csr_array(self.provider_solution @ sp.diags_array(3.0 - lev))
        self.provider_min_cost = np.where(
            np.diff(self.provider_solution.indptr) > 0, 3.0 - _rowmax(big), np.nan)
        self._init_kpi()

    def _init_geo_adoption(self) -> None:
        """``city_solution_nearby[c, s]``: share of the ``NEARBY`` cities closest to ``c``
        (great-circle distance; none without coordinates) that implemented ``s`` (neighbours
        join the same programmes and buy from the same vendors); ``country_solution_share``
        the same over all the cities of a country."""
        proj = self.proj
        rc = proj.rows[Label.CITY]
        n_c, n_s = rc.size, self.city_solution.shape[1]
        lat = np.array([_num(proj.props[r].get("lat")) for r in rc.tolist()], dtype=np.float64)
        lon = np.array([_num(proj.props[r].get("lon")) for r in rc.tolist()], dtype=np.float64)
        has = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
        k = min(NEARBY, has.size - 1)
        if k >= 1:
            from sklearn.neighbors import BallTree

            pts = np.radians(np.c_[lat[has], lon[has]])
            _, nb = BallTree(pts, metric="haversine").query(pts, k=k + 1)
            nb = nb[:, 1:]  # drop the city itself (first: distance 0)
            NB = sp.csr_array((np.full(nb.size, 1.0 / k), (np.repeat(has, k), has[nb.ravel()])),
                              shape=(n_c, n_c))
            self.city_solution_nearby = sp.csr_array(NB @ self.city_solution)
        else:
            self.city_solution_nearby = sp.csr_array((n_c, n_s))
        # national adoption: country x solution share of the country's cities implementing it
        code = self.geo_codes[Label.CITY][0]
        has = np.flatnonzero(code >= 0)
        in_country = sp.csr_array((np.ones(has.size), (code[has], has)),
                                  shape=(int(code.max(initial=-1)) + 1, code.size))
        self.country_cities = np.asarray(in_country.sum(axis=1)).ravel()
        self.country_solution_share = sp.csr_array(
            sp.diags_array(1.0 / np.maximum(self.country_cities, 1.0)) @ in_country
            @ self.city_solution)

    def _init_kpi(self) -> None:
        proj = self.proj
        cities, kpis, values = proj.measures
        n_c, n_k = proj.rows[Label.CITY].size, proj.rows[Label.KPI].size
        V = np.full((n_c, n_k), np.nan)
        if cities.size:
            V[proj.local[cities], proj.local[kpis]] = values
        higher = np.array([proj.props[r].get("direction") != "lower_is_better"
                           for r in proj.rows[Label.KPI]], dtype=bool)
        self.city_kpi_gap = kpi_gap_matrix(V, higher)
        self.city_kpi_need = sp.csr_array(kpi_need_weights(self.city_kpi_gap, power=2.0))

    def _init_text(self) -> None:
        proj = self.proj
        tname = [proj.name(r) for r in proj.rows[Label.TOPIC]]
        sname = [proj.name(r) for r in proj.rows[Label.SOLUTION]]

        offers = self.provider_solution

        def topics(X: sp.csr_array, i: int) -> str:
            return ". ".join(tname[j] for j in X.indices[X.indptr[i]:X.indptr[i + 1]])

        docs: dict[Label, list[str]] = {
            Label.CITY: [f"{proj.props[r].get('description') or ''}. {topics(self.city_topic, i)}"
                for i, r in enumerate(proj.rows[Label.CITY])],
            Label.SOLUTION: [f"{proj.name(r)}. {proj.props[r].get('description') or ''}. "
                             f"{topics(self.solution_topic, i)}"
                             for i, r in enumerate(proj.rows[Label.SOLUTION])],
            Label.PROVIDER: [f"{proj.props[r].get('description') or ''}. " + ". ".join(
                sname[j] for j in offers.indices[offers.indptr[i]:offers.indptr[i + 1]])
                for i, r in enumerate(proj.rows[Label.PROVIDER])],
            Label.MEMBER: [f"{proj.props[r].get('bio') or ''}. {topics(self.member_topic, i)}"
                for i, r in enumerate(proj.rows[Label.MEMBER])],
        }
        order = (Label.CITY, Label.SOLUTION, Label.PROVIDER, Label.MEMBER)
        allocs = [docs[lab] for lab in order]
        flat = [d for ds in allocs for d in ds]
        self.text = {}
        self.text_terms = np.array([], dtype=str)
        try:
            from scoring.text import TextSimilarity  # scikit-learn: only when building

            ts = TextSimilarity(min_df=2 if len(flat) > 2000 else 1, max_df=0.5 if len(flat) > 50
                                else 1.0, ngram_range=(1, 1)).fit(flat)
            X = ts.matrix_
            self.text_terms = np.asarray(ts.terms_, dtype=str)
        except ValueError:  # no usable text at all
            X = sp.csr_array((len(flat), 1))
        start = 0
        for lab, ds in zip(order, allocs, strict=True):
            self.text[lab] = sp.csr_array(X[start:start + len(ds)])
            start += len(ds)

    def top_terms(self, a_lab: Label, a: int, b_lab: Label, b: int, k: int = 3) -> list[str]:
        """The ``k`` terms contributing most to the text cosine of two nodes (local indices):
        :func:`scoring.similarity.top_shared_terms` on their descriptions."""
        if not self.text_terms.size:
            return []
        return [t for t, _ in top_shared_terms(self.text[a_lab], a, self.text[b_lab], b,
                                               self.text_terms, k)]

    def _init_ppr(self) -> None:
        proj = self.proj
        # symmetric types (PARTNERS_WITH) are stored in both directions and the walk graph is
        # S + S.T: halve them, or a partnership would weigh twice its PPR_WEIGHTS entry
        mats = {t.value: proj.adj[t] * 0.5 if t in SYMMETRIC_TYPES else proj.adj[t]
                for t in proj.adj}
        weights = {k: v for k, v in PPR_WEIGHTS.items() if k in mats}
        A = combine_typed_adjacency(mats, weights, symmetric=True) if mats else sp.csr_array(
            (proj.n, proj.n))
        self.ppr_op = PPROperator(A, alpha=PPR_ALPHA, dtype=np.float32)
        self.degree = np.asarray(A.sum(axis=1)).ravel()

    # ------------------------------------------------------------------ shared blocks

    def ppr(self, seeds: IntArray) -> NDArray[np.float32]:
        """As :meth:`ppr_walk`; single-seed results are cached (LRU of 64 vectors), since one
        request often needs the same walk twice (e.g. ``providers`` reuses the solutions')."""
        if len(seeds) != 1:
            return self.ppr_walk(seeds)
        key = int(seeds[0])
        hit = self._ppr_cache.pop(key, None)
        if hit is None:
            hit = self.ppr_walk(seeds)
            if len(self._ppr_cache) >= 64:
                _evict(self._ppr_cache)
        self._ppr_cache[key] = hit
        return hit

    def ppr_walk(self, seeds: IntArray) -> NDArray[np.float32]:
        """Personalized PageRank from each global row in ``seeds``: shape (len(seeds), n).

        Power iteration in float32 until the L1 change is below ``PPR_TOL`` (with
        ``alpha = 0.5`` that takes about 14 iterations; the error is then below 1e-4), within
        :func:`scoring.pagerank.iteration_budget`; a float32 stall continues in float64, and
        a walk that still misses ``PPR_TOL`` returns its best iterate with a logged warning
        (never an exception on the request path).
        """
        op = self.ppr_op
        if len(seeds) == 1:
            return op.query_seed(int(seeds[0]), tol=PPR_TOL)[None, :]
        seed = np.zeros((len(seeds), op.n), dtype=np.float32)
        seed[np.arange(len(seeds)), np.asarray(seeds)] = 1.0
        return op.query_many(seed, tol=PPR_TOL)

    def ppr_block(self, s_lab: Label, c_lab: Label, Sx: IntArray, Cx: IntArray) -> FloatArray:
        """PPR mass of each candidate, scaled by the best candidate of its label per subject.

        For many subjects and few candidates it walks from the candidates instead and uses
        the reversibility of PPR on the undirected graph, ``d_s pi_s(c) = d_c pi_c(s)``.
        """
        rs, rc = self.proj.rows[s_lab][Sx], self.proj.rows[c_lab][Cx]
        if not rs.size or not rc.size:
            return np.zeros((rs.size, rc.size))
        if rs.size <= rc.size or rs.size <= 4:
            full = self.ppr(rs)
            cand = full[:, self.proj.rows[c_lab]].astype(np.float64)
            if s_lab is c_lab:
                cand[np.arange(rs.size), Sx] = 0.0
            top = cand.max(axis=1, keepdims=True)
            out = full[:, rc].astype(np.float64)
            if s_lab is c_lab:
                out[rs[:, None] == rc[None, :]] = 0.0
            return _logscale(out, top)
        rev = self.ppr(rc).astype(np.float64)[:, rs].T  # pi_c(s), shape (|S|, |C|)
        deg = self.degree
        ds = np.where(deg[rs] > 0, deg[rs], 1.0)[:, None]
        out = rev * deg[rc][None, :] / ds
        if s_lab is c_lab:
            out[rs[:, None] == rc[None, :]] = 0.0
        top = out.max(axis=0, keepdims=True)  # no per-subject maximum here: scale per column
        return _logscale(out, top)

    @cached_property
    def peers(self) -> PeerSpace:
        """The peer features' extra tables and the place rule (built on first use)."""
        return PeerSpace(self)

    def city_sim(self, A: IntArray, B: IntArray) -> FloatArray:
        """Profile similarity of cities: needs (0.5), SDG priorities (0.2), text (0.3).

        One product of the stacked profile ``Z`` (see :meth:`_init_profile`)."""
        return np.clip(self.dot(self.city_profile, self.city_profile, A, B), 0.0, 1.0)

    def _init_profile(self) -> None:
        """``city_profile = [sqrt(.5) needs, sqrt(.2) SDGs, sqrt(.3) text]`` (L2-normalised
        parts), so that ``city_profile[a] . city_profile[b]`` is the weighted sum of the three
        cosines of :meth:`city_sim`."""
        self.city_profile = sp.csr_array(sp.hstack(
            [np.sqrt(0.5) * self.city_topic_l2, np.sqrt(0.2) * self.city_sdg_l2,
             np.sqrt(0.3) * self.text[Label.CITY]], format="csr"))
        prof = self.city_profile
        self.city_profile_sq = np.asarray(prof.multiply(prof).sum(axis=1)).ravel()

    def has_sim_row(self, city: int) -> bool:
        """Whether :meth:`city_sim_row` of ``city`` is cached (then it costs nothing)."""
        return city in self._sim_cache

    def city_sim_row(self, city: int) -> FloatArray:
        """``city_sim([city], all cities)[0]``, cached (LRU of 256 rows)."""
        hit = self._sim_cache.pop(city, None)
        if hit is None:
            hit = self.city_sim(np.array([city]), np.arange(self.proj.rows[Label.CITY].size))[0]
            if len(self._sim_cache) >= 256:
                _evict(self._sim_cache)
        self._sim_cache[city] = hit
        return hit

    def neighbours(self, Sx: IntArray) -> FloatArray:
        """Weights of each city's ``NEIGHBOURS`` most similar other cities (rows sum to 1)."""
        n_c = self.proj.rows[Label.CITY].size
        if len(Sx) == 1:
            sim = self.city_sim_row(int(Sx[0]))[None, :].copy()
        else:
            sim = self.city_sim(Sx, np.arange(n_c))
        sim[np.arange(len(Sx)), Sx] = 0.0
        return top_k_weights(sim, NEIGHBOURS)

    def national(self, Sx: IntArray, Cx: IntArray) -> FloatArray:
        """Share of the cities of each city's country that implemented each solution (0 for
        a city without a country)."""
        code = self.geo_codes[Label.CITY][0][Sx]
        out = np.zeros((Sx.size, Cx.size))
        known = code >= 0
        if known.any():
            out[known] = dense(select_rows(self.country_solution_share, code[known]))[:, Cx]
        return out

    def cohort(self, Sx: IntArray) -> FloatArray:
        """Weights of each city's ``COHORT`` nearest co-members (rows sum to 1; see
        :func:`scoring.cohort.cohort_weights`); a single city's row is cached (LRU of 256
        rows), so that its reasons reuse what its features computed. Read-only."""
        if len(Sx) != 1:
            return cohort_weights(self.city_solution_rare, self.solution_city_rare, Sx, COHORT)
        city = int(Sx[0])
        hit = self._cohort_cache.pop(city, None)
        if hit is None:
            hit = cohort_weights(self.city_solution_rare, self.solution_city_rare, Sx, COHORT)
            if len(self._cohort_cache) >= 256:
                _evict(self._cohort_cache)
        self._cohort_cache[city] = hit
        return hit

    def geo(self, s_lab: Label, c_lab: Label, Sx: IntArray, Cx: IntArray) -> FloatArray:
        """1 same country, 0.5 same UN subregion, 0.25 same region, else 0."""
        a = [x[Sx][:, None] for x in self.geo_codes[s_lab]]
        b = [x[Cx][None, :] for x in self.geo_codes[c_lab]]
        out = np.where((a[2] == b[2]) & (a[2] >= 0), 0.25, 0.0)
        out = np.where((a[1] == b[1]) & (a[1] >= 0), 0.5, out)
        return np.where((a[0] == b[0]) & (a[0] >= 0), 1.0, out)

    def language(self, s_lab: Label, c_lab: Label, Sx: IntArray, Cx: IntArray) -> FloatArray:
        """1 if they share a language, 0 if both list languages and share none, else 0.5."""
        La, Lb = self.language_incidence[s_lab], self.language_incidence[c_lab]
        shared = self.cos(La, Lb, Sx, Cx) > 0
        ka = np.diff(La.indptr)[Sx][:, None] > 0
        kb = np.diff(Lb.indptr)[Cx][None, :] > 0
        return np.where(shared, 1.0, np.where(ka & kb, 0.0, 0.5))

    def text_sim(self, s_lab: Label, c_lab: Label, Sx: IntArray, Cx: IntArray) -> FloatArray:
        """TF-IDF cosine of the descriptions."""
        return self.cos(self.text[s_lab], self.text[c_lab], Sx, Cx)

    def cost_fit(self, bands: FloatArray, levels: FloatArray) -> FloatArray:
        """:func:`scoring.cost_fit_matrix` of city bands (rows) and cost levels (columns)."""
        return cost_fit_matrix(bands, levels)

    def size_fit(self, Sx: IntArray, Cx: IntArray) -> FloatArray:
        """:func:`scoring.size_fit_matrix`: cities ``Sx``' size against the implementers of
        solutions ``Cx``."""
        return size_fit_matrix(self.city_logpop[Sx], self.solution_size_mean[Cx],
                               self.solution_size_std[Cx], self.solution_size_known[Cx])

    # ------------------------------------------------------------------ products

    def transposed(self, X: sp.csr_array) -> sp.csr_array:
        """``X.T`` as CSR, cached per matrix of this space (the matrices are never mutated)."""
        hit = self._transposes.get(id(X))
        if hit is None or hit[0] is not X:
            hit = self._transposes[id(X)] = (X, sp.csr_array(X.T))
        return hit[1]

    def dot(self, A: sp.csr_array, B: sp.csr_array, Sx: IntArray, Cx: IntArray) -> FloatArray:
        """``A[Sx] @ B[Cx].T`` as a dense block (:func:`scoring.sparse.rows_dot`)."""
        B_T = None if Sx.size == 1 else self.transposed(B)
        return rows_dot(A, B, Sx, Cx, B_T=B_T)

    def cos(self, A: sp.csr_array, B: sp.csr_array, Sx: IntArray, Cx: IntArray) -> FloatArray:
        """Cosine of L2-normalised rows ``A[Sx]`` and ``B[Cx]`` (clipped to 1)."""
        return np.minimum(self.dot(A, B, Sx, Cx), 1.0)

    @staticmethod
    def path_counts(X: sp.csr_array, Sx: IntArray, Cx: IntArray) -> FloatArray:
        """``squash(X[Sx][:, Cx])`` as a dense array (counts of paths -> [0, 1))."""
        out = dense(select_rows(X, Sx))
        return squash(out if is_full_range(Cx, X.shape[1]) else out[:, Cx])

    # ------------------------------------------------------------------ per kind

    def features(self, kind: Kind, Sx: IntArray, Cx: IntArray,
                 upstream: Mapping[str, float] | None = None) -> NDArray[np.float64]:
        """Feature tensor of shape ``(len(Sx), len(Cx), len(KINDS[kind].features))``.

        ``Sx`` and ``Cx`` are local indices of the kind's subject and candidate labels;
        ``upstream`` are the weights of the kind's ``upstream`` kind, if it has one.
        """
        spec = KINDS[kind]
        Sx = np.asarray(Sx, dtype=np.int64)
        Cx = np.asarray(Cx, dtype=np.int64)
        parts = spec.compute(self, Sx, Cx, upstream)
        out = np.empty((Sx.size, Cx.size, len(spec.features)))
        for j, name in enumerate(spec.features):
            out[:, :, j] = parts[name]
        return out


def _evict(cache: dict[int, Any]) -> None:
    """Drop the least recently used entry (insertion order); tolerant of concurrent use."""
    with contextlib.suppress(RuntimeError, StopIteration):
        cache.pop(next(iter(cache)), None)


def _rowmax(X: sp.csr_array) -> FloatArray:
    out = np.zeros(X.shape[0])
    nz = np.diff(X.indptr) > 0
    if X.nnz:
        out[nz] = np.maximum.reduceat(X.data, X.indptr[:-1][nz])
    return out


def _num(v: Any) -> float:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    return float("nan")
