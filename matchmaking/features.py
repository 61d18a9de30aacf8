"""Match features of (subject, candidate) pairs, computed in blocks on a projection.

:class:`FeatureSpace` precomputes, once per projection, the label-block incidence matrices,
their normalised forms, TF-IDF vectors, KPI gaps, geography codes and the PPR operator. Every
feature is then a *block* function ``f(S, C) -> (len(S), len(C))`` on local indices (position
of a node inside its label), so the same code serves a request (one subject, all candidates),
the reverse direction of a reciprocal match (all subjects, one candidate) and training (a batch
of subjects). Every feature lies in [0, 1]; higher is a better match.

Besides content (needs, SDGs, KPIs, text), collaborative (co-implementation, similar cities)
and geography (same country, the ``NEARBY`` closest cities' adoption), the graph's social ties
are used as meta-paths, i.e. warm introductions: ``contacts`` counts the people on
``Member -KNOWS-> Member -WORKS_FOR-> City`` (experts, opportunities) and on
``Provider <-WORKS_FOR- Member -KNOWS-> Member -WORKS_FOR-> City`` (providers, leads);
``network`` counts a member's contacts who advised the city. Counts are squashed with
``x / (1 + x)``; the ``ppr`` feature is log-scaled (see :func:`_logscale`).

Single-subject blocks (a request) are computed as dense-vector times sparse-matrix products on
matrices prepared here, so a request costs one PPR walk plus a few matrix-vector products.

The per-kind feature lists live in :data:`KIND_FEATURES`; :mod:`matchmaking.training` learns
their weights and :data:`DEFAULT_WEIGHTS` is the fallback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from graph_schema.schema import Label, RelType
from matchmaking.projection import IntArray, Projection
from scoring import PPROperator, TextSimilarity, combine_typed_adjacency

FloatArray = NDArray[np.float64]
C, S, P, M, T, G, K = (Label.CITY, Label.SOLUTION, Label.PROVIDER, Label.MEMBER, Label.TOPIC,
                       Label.SDG, Label.KPI)

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

KIND_FEATURES: dict[str, tuple[str, ...]] = {
    "solutions": ("need", "sdg", "kpi", "peer_adoption", "collab", "text", "size", "cost",
                  "ppr", "popularity", "nearby"),
    "providers": ("fit", "need", "track", "region", "geo", "language", "text", "ppr", "volume",
                  "contacts"),
    "peers": ("need", "sdg", "solved", "shared_impl", "size", "geo", "language", "text", "ppr"),
    "experts": ("need", "advised_similar", "language", "geo", "text", "ppr", "experience",
                "contacts", "network", "local_need"),
    "opportunities": ("need", "advised_similar", "language", "geo", "text", "ppr", "experience",
                      "contacts", "network", "local_need"),
    "leads": ("need", "sdg", "kpi", "lookalike", "cost", "geo", "language", "text", "ppr",
              "contacts"),
}

#: Fallback weights (normalised to sum 1) when a kind has too little history to learn from.
DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    "solutions": {"need": 0.25, "sdg": 0.1, "kpi": 0.1, "peer_adoption": 0.15, "collab": 0.1,
                  "text": 0.1, "size": 0.05, "cost": 0.05, "ppr": 0.1, "popularity": 0.0,
                  "nearby": 0.05},
    "providers": {"fit": 0.3, "need": 0.15, "track": 0.15, "region": 0.1, "geo": 0.05,
                  "language": 0.1, "text": 0.05, "ppr": 0.1, "volume": 0.0, "contacts": 0.1},
    "peers": {"need": 0.25, "sdg": 0.1, "solved": 0.2, "shared_impl": 0.1, "size": 0.05,
              "geo": 0.05, "language": 0.05, "text": 0.1, "ppr": 0.1},
    "experts": {"need": 0.4, "advised_similar": 0.15, "language": 0.1, "geo": 0.05,
                "text": 0.15, "ppr": 0.1, "experience": 0.05, "contacts": 0.15, "network": 0.05},
    "opportunities": {"need": 0.4, "advised_similar": 0.15, "language": 0.1, "geo": 0.05,
                      "text": 0.15, "ppr": 0.1, "experience": 0.05, "contacts": 0.15,
                      "network": 0.05},
    "leads": {"need": 0.3, "sdg": 0.1, "kpi": 0.1, "lookalike": 0.2, "cost": 0.05, "geo": 0.05,
              "language": 0.05, "text": 0.05, "ppr": 0.1, "contacts": 0.1},
}


def _binary(X: Any) -> sp.csr_array:
    B = sp.csr_array(X, dtype=np.float64, copy=True)
    B.eliminate_zeros()
    B.data[:] = 1.0
    return B


def _l2rows(X: sp.csr_array) -> sp.csr_array:
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    inv = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_array(sp.diags_array(inv) @ X)


def _l1rows(X: sp.csr_array) -> sp.csr_array:
    s = np.asarray(X.sum(axis=1)).ravel()
    inv = np.divide(1.0, s, out=np.zeros_like(s), where=s > 0)
    return sp.csr_array(sp.diags_array(inv) @ X)


def _dense(X: Any) -> FloatArray:
    return np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)


def _full(idx: IntArray, n: int) -> bool:
    """Whether ``idx`` is exactly ``0..n-1`` (then slicing can be skipped)."""
    return idx.size == n and (n == 0 or (idx[0] == 0 and idx[-1] == n - 1
                                         and bool(np.all(np.diff(idx) == 1))))


def _rows_of(X: sp.csr_array, idx: IntArray) -> sp.csr_array:
    return X if _full(idx, X.shape[0]) else X[idx]


_T_CACHE: dict[int, tuple[sp.csr_array, sp.csr_array]] = {}


def _transposed(X: sp.csr_array) -> sp.csr_array:
    """``X.T`` as CSR, cached per matrix object (the matrices are never mutated)."""
    hit = _T_CACHE.get(id(X))
    if hit is None or hit[0] is not X:
        if len(_T_CACHE) > 256:
            _T_CACHE.clear()
        hit = _T_CACHE[id(X)] = (X, sp.csr_array(X.T))
    return hit[1]


def _prod(A: sp.csr_array, B: sp.csr_array, S: IntArray, Cn: IntArray) -> FloatArray:
    """``A[S] @ B[Cn].T`` as a dense array.

    Multiplies by the cached transpose of the whole of ``B`` and selects the columns of the
    (small) dense result: slicing and transposing ``B[Cn]`` per call costs far more."""
    if S.size == 1:  # one subject (a request): a dense vector times B, one matvec
        i = int(S[0])
        v = np.zeros(A.shape[1])
        v[A.indices[A.indptr[i]:A.indptr[i + 1]]] = A.data[A.indptr[i]:A.indptr[i + 1]]
        if _full(Cn, B.shape[0]):
            return np.asarray(B @ v)[None, :]
        if 4 * Cn.size < B.shape[0]:
            return np.asarray(B[Cn] @ v)[None, :]
        return np.asarray(B @ v)[None, Cn]
    if _full(Cn, B.shape[0]):
        return _dense(_rows_of(A, S) @ _transposed(B))
    if 4 * Cn.size < B.shape[0]:  # few candidates (e.g. the reverse side of one pair)
        return _dense(_rows_of(A, S) @ sp.csr_array(B[Cn].T))
    return _dense(_rows_of(A, S) @ _transposed(B))[:, Cn]


def _cos(A: sp.csr_array, B: sp.csr_array, S: IntArray, Cn: IntArray) -> FloatArray:
    """Cosine of L2-normalised rows ``A[S]`` and ``B[Cn]`` (clipped to 1)."""
    return np.minimum(_prod(A, B, S, Cn), 1.0)


def _cols(X: sp.csr_array, idx: IntArray) -> sp.csr_array:
    return X if _full(idx, X.shape[1]) else sp.csr_array(X[:, idx])


def _spmm(W: FloatArray, X: sp.csr_array) -> FloatArray:
    """Dense ``W`` (mostly zeros) times sparse ``X``, as a dense array."""
    return _dense(sp.csr_array(W) @ X)


def _codes(values: list[str | None]) -> NDArray[np.int64]:
    table: dict[str, int] = {}
    return np.array([-1 if v is None else table.setdefault(v, len(table)) for v in values],
                    dtype=np.int64)


def _squash(x: FloatArray) -> FloatArray:
    return x / (1.0 + x)


def _logscale(x: FloatArray, top: FloatArray) -> FloatArray:
    """PPR mass relative to ``top`` on a log scale: 1 at ``top``, 0 at ``PPR_DECADES`` orders
    of magnitude below it (and for no mass). Raw PPR mass is heavy-tailed (direct neighbours
    take nearly all of it), so a linear ratio leaves every other candidate near 0."""
    ratio = np.divide(x, top, out=np.zeros_like(x), where=top > 0)
    with np.errstate(divide="ignore"):
        lg = np.log10(np.maximum(ratio, 1e-300))
    return np.clip(1.0 + lg / PPR_DECADES, 0.0, 1.0)


def _pick(X: sp.csr_array, Sx: IntArray, Cx: IntArray) -> FloatArray:
    """``squash(X[Sx][:, Cx])`` as a dense array (counts of paths -> [0, 1))."""
    out = _dense(_rows_of(X, Sx))
    return _squash(out if _full(Cx, X.shape[1]) else out[:, Cx])


class FeatureSpace:
    """Everything the features of every kind need, precomputed on one projection."""

    def __init__(self, proj: Projection) -> None:
        self.proj = proj
        b = proj.block
        self.CT = b(RelType.NEEDS, C, T)
        self.ST = _binary(b(RelType.COVERS, S, T))
        self.CG = b(RelType.PRIORITIZES, C, G)
        self.SG = _binary(b(RelType.ADDRESSES, S, G))
        self.CI = _binary(b(RelType.IMPLEMENTED, C, S))
        self.PO = _binary(b(RelType.OFFERS, P, S))
        self.MT = b(RelType.EXPERT_IN, M, T)
        self.MA = _binary(b(RelType.ADVISED, M, C))
        self.CP = _binary(b(RelType.PARTNERS_WITH, C, C))
        self.SK = _binary(b(RelType.IMPROVES, S, K))
        self.WF = _binary(b(RelType.WORKS_FOR, M, C))
        self.WFP = _binary(b(RelType.WORKS_FOR, M, P))
        KN = _binary(b(RelType.KNOWS, M, M))
        KN.setdiag(0.0)
        KN.eliminate_zeros()
        self.KN = KN
        n_c, n_p = proj.rows[C].size, proj.rows[P].size
        ip = proj.impl_provider
        self.D = _binary(sp.csr_array(
            (np.ones(len(ip)), (proj.local[ip[:, 0]], proj.local[ip[:, 2]])), shape=(n_c, n_p)
        )) if len(ip) else sp.csr_array((n_c, n_p))
        # derived incidences
        self.PT = _binary(self.PO @ self.ST)
        self.PG = _binary(self.PO @ self.SG)
        self.PK = _binary(self.PO @ self.SK)
        self.covered = _binary(self.CI @ self.ST)  # topics a city's implementations cover
        self.CTn, self.STn, self.PTn, self.MTn = map(_l2rows, (self.CT, self.ST, self.PT, self.MT))
        self.CGn, self.SGn, self.PGn = map(_l2rows, (self.CG, self.SG, self.PG))
        self.MAn = _l1rows(self.MA)
        self.CTw = _l1rows(self.CT)
        # collaborative: solution x solution cosine of co-implementation, no self pairs
        CIn = _l2rows(sp.csr_array(self.CI.T))
        IS = sp.csr_array(CIn @ CIn.T)
        IS.setdiag(0.0)
        IS.eliminate_zeros()
        self.IS = IS
        deg = np.asarray(self.CI.sum(axis=0)).ravel()
        aaw = np.divide(1.0, np.log(np.maximum(deg, 2.0)), out=np.zeros_like(deg), where=deg > 1)
        self.CIaa = sp.csr_array(self.CI @ sp.diags_array(aaw))  # Adamic-Adar weighted
        self.impl_count = np.asarray(self.CI.sum(axis=0)).ravel()
        self.deliveries = np.asarray(self.D.sum(axis=0)).ravel()
        self.advised_count = np.asarray(self.MA.sum(axis=1)).ravel()
        # social meta-paths (warm introductions), as counts of distinct people:
        # member -KNOWS-> member -WORKS_FOR-> city: contacts working for the city
        self.MC_contacts = sp.csr_array(self.KN @ self.WF)
        self.CM_contacts = sp.csr_array(self.MC_contacts.T)
        # provider <-WORKS_FOR- staff -KNOWS-> official -WORKS_FOR-> city: officials known
        self.PC_contacts = sp.csr_array(_binary(sp.csr_array(self.WFP.T @ self.KN)) @ self.WF)
        self.CP_contacts = sp.csr_array(self.PC_contacts.T)
        # member -KNOWS-> member -ADVISED-> city: contacts who advised the city
        self.MC_network = sp.csr_array(self.KN @ self.MA)
        self.CM_network = sp.csr_array(self.MC_network.T)
        self._ppr_cache: dict[int, NDArray[np.float32]] = {}
        self._sim_cache: dict[int, FloatArray] = {}
        self._init_tables()
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
        self.lang = {}
        for lab in (C, P, M):
            r = proj.rows[lab]
            pairs = [(i, li[x]) for i, row in enumerate(r.tolist()) for x in proj.languages[row]]
            a = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
            self.lang[lab] = sp.csr_array(
                (np.ones(len(a)), (a[:, 0], a[:, 1])), shape=(r.size, max(len(langs), 1))
            )
        rc = proj.rows[C]
        self.logpop = np.log10(np.where(proj.population[rc] > 0, proj.population[rc], np.nan))
        pop_band = np.searchsorted([1e5, 1e6], proj.population[rc], side="right").astype(float)
        bud_band = np.searchsorted([1e7, 1e8], proj.budget[rc], side="right").astype(float)
        self.band = np.where(np.isfinite(proj.population[rc]) & (proj.population[rc] > 0),
                             pop_band,
                             np.where(np.isfinite(proj.budget[rc]), bud_band, np.nan))
        self.sol_cost = proj.cost[proj.rows[S]]
        self._init_geo_adoption()
        # implementer size profile of each solution (mean, std of log10 population)
        lp = np.nan_to_num(self.logpop, nan=0.0)
        has = np.isfinite(self.logpop).astype(float)
        CIt = sp.csr_array(self.CI.T)
        cnt = CIt @ has
        s1 = CIt @ lp
        s2 = CIt @ (lp**2)
        mean = np.divide(s1, cnt, out=np.zeros_like(s1), where=cnt > 0)
        var = np.divide(s2, cnt, out=np.zeros_like(s2), where=cnt > 0) - mean**2
        self.size_mean, self.size_std, self.size_has = (
            mean, np.maximum(np.sqrt(np.maximum(var, 0.0)), 0.25), cnt > 0)
        # cheapest offered cost level per provider
        lev = np.nan_to_num(self.sol_cost, nan=1.0)
        big = sp.csr_array(self.PO @ sp.diags_array(3.0 - lev))  # 3 - level: max = cheapest
        self.prov_min_cost = np.where(
            np.diff(self.PO.indptr) > 0, 3.0 - _rowmax(big), np.nan)
        self._init_kpi()

    def _init_geo_adoption(self) -> None:
        """``near_adopt[c, s]``: share of the ``NEARBY`` cities closest to ``c`` (great-circle
        distance; none without coordinates) that implemented ``s`` (neighbours join the same
        programmes and buy from the same vendors)."""
        proj = self.proj
        rc = proj.rows[C]
        n_c, n_s = rc.size, self.CI.shape[1]
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
            self.near_adopt = sp.csr_array(NB @ self.CI)
        else:
            self.near_adopt = sp.csr_array((n_c, n_s))

    def _init_kpi(self) -> None:
        proj = self.proj
        cities, kpis, values = proj.measures
        n_c, n_k = proj.rows[C].size, proj.rows[K].size
        V = np.full((n_c, n_k), np.nan)
        if cities.size:
            V[proj.local[cities], proj.local[kpis]] = values
        higher = np.array([proj.props[r].get("direction") != "lower_is_better"
                           for r in proj.rows[K]], dtype=bool)
        Vs = V * np.where(higher, 1.0, -1.0)
        gaps = np.zeros_like(V)
        for j in range(n_k):  # per KPI: gap = 1 - mid-rank percentile (as scoring.kpi_gaps)
            col = Vs[:, j]
            ok = np.isfinite(col)
            nv = int(ok.sum())
            if not nv:
                continue
            vals = col[ok]
            srt = np.sort(vals)
            below = np.searchsorted(srt, vals, side="left")
            ties = np.searchsorted(srt, vals, side="right") - below
            gaps[ok, j] = 1.0 - (below + 0.5 * ties) / nv
        self.kpi_gap = gaps
        w = gaps**2
        self.G = sp.csr_array(np.divide(w, w.sum(axis=1, keepdims=True),
                                        out=np.zeros_like(w), where=w.sum(axis=1,
                                                                          keepdims=True) > 0))

    def _init_text(self) -> None:
        proj = self.proj
        tname = [proj.name(r) for r in proj.rows[T]]
        sname = [proj.name(r) for r in proj.rows[S]]

        def topics(X: sp.csr_array, i: int) -> str:
            return ". ".join(tname[j] for j in X.indices[X.indptr[i]:X.indptr[i + 1]])

        docs: dict[Label, list[str]] = {
            C: [f"{proj.props[r].get('description') or ''}. {topics(self.CT, i)}"
                for i, r in enumerate(proj.rows[C])],
            S: [f"{proj.name(r)}. {proj.props[r].get('description') or ''}. "
                f"{topics(self.ST, i)}" for i, r in enumerate(proj.rows[S])],
            P: [f"{proj.props[r].get('description') or ''}. " + ". ".join(
                sname[j] for j in self.PO.indices[self.PO.indptr[i]:self.PO.indptr[i + 1]])
                for i, r in enumerate(proj.rows[P])],
            M: [f"{proj.props[r].get('bio') or ''}. {topics(self.MT, i)}"
                for i, r in enumerate(proj.rows[M])],
        }
        order = (C, S, P, M)
        allocs = [docs[lab] for lab in order]
        flat = [d for ds in allocs for d in ds]
        self.text: dict[Label, sp.csr_array] = {}
        self.terms: NDArray[np.str_] | None = None
        try:
            ts = TextSimilarity(min_df=2 if len(flat) > 2000 else 1, max_df=0.5 if len(flat) > 50
                                else 1.0, ngram_range=(1, 1)).fit(flat)
            X = ts.matrix_
            self.terms = ts.terms_
        except ValueError:  # no usable text at all
            X = sp.csr_array((len(flat), 1))
        start = 0
        for lab, ds in zip(order, allocs, strict=True):
            self.text[lab] = sp.csr_array(X[start:start + len(ds)])
            start += len(ds)

    def _init_ppr(self) -> None:
        proj = self.proj
        mats = {t.value: proj.adj[t] for t in proj.adj}
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
        ``alpha = 0.5`` that takes about 14 iterations; the error is then below 1e-4).
        """
        op = self.ppr_op
        if len(seeds) == 1:
            return op.query_seed(int(seeds[0]), tol=PPR_TOL, max_iter=60)[None, :]
        P = np.zeros((len(seeds), op.n), dtype=np.float32)
        P[np.arange(len(seeds)), np.asarray(seeds)] = 1.0
        return op.query_many(P, tol=PPR_TOL, max_iter=60)

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

    def city_sim(self, A: IntArray, B: IntArray) -> FloatArray:
        """Profile similarity of cities: needs (0.5), SDG priorities (0.2), text (0.3).

        One product of the stacked profile ``Z`` (see :meth:`_init_profile`)."""
        return np.clip(_prod(self.Z, self.Z, A, B), 0.0, 1.0)

    def _init_profile(self) -> None:
        """``Z = [sqrt(.5) needs, sqrt(.2) SDGs, sqrt(.3) text]`` (L2-normalised parts), so
        that ``Z[a] . Z[b]`` is the weighted sum of the three cosines of :meth:`city_sim`."""
        self.Z = sp.csr_array(sp.hstack([np.sqrt(0.5) * self.CTn, np.sqrt(0.2) * self.CGn,
                                         np.sqrt(0.3) * self.text[C]], format="csr"))
        self.Zsq = np.asarray(self.Z.multiply(self.Z).sum(axis=1)).ravel()

    def city_sim_row(self, city: int) -> FloatArray:
        """``city_sim([city], all cities)[0]``, cached (LRU of 256 rows)."""
        hit = self._sim_cache.pop(city, None)
        if hit is None:
            hit = self.city_sim(np.array([city]), np.arange(self.proj.rows[C].size))[0]
            if len(self._sim_cache) >= 256:
                _evict(self._sim_cache)
        self._sim_cache[city] = hit
        return hit

    def neighbours(self, Sx: IntArray) -> FloatArray:
        """Weights of each city's ``NEIGHBOURS`` most similar other cities (rows sum to 1)."""
        n_c = self.proj.rows[C].size
        if len(Sx) == 1:
            sim = self.city_sim_row(int(Sx[0]))[None, :].copy()
        else:
            sim = self.city_sim(Sx, np.arange(n_c))
        sim[np.arange(len(Sx)), Sx] = 0.0
        if n_c > NEIGHBOURS:
            cut = np.partition(sim, n_c - NEIGHBOURS, axis=1)[:, n_c - NEIGHBOURS][:, None]
            sim = np.where(sim >= cut, sim, 0.0)
        tot = sim.sum(axis=1, keepdims=True)
        return np.divide(sim, tot, out=np.zeros_like(sim), where=tot > 0)

    def geo(self, s_lab: Label, c_lab: Label, Sx: IntArray, Cx: IntArray) -> FloatArray:
        """1 same country, 0.5 same UN subregion, 0.25 same region, else 0."""
        a = [x[Sx][:, None] for x in self.geo_codes[s_lab]]
        b = [x[Cx][None, :] for x in self.geo_codes[c_lab]]
        out = np.where((a[2] == b[2]) & (a[2] >= 0), 0.25, 0.0)
        out = np.where((a[1] == b[1]) & (a[1] >= 0), 0.5, out)
        return np.where((a[0] == b[0]) & (a[0] >= 0), 1.0, out)

    def language(self, s_lab: Label, c_lab: Label, Sx: IntArray, Cx: IntArray) -> FloatArray:
        """1 if they share a language, 0 if both list languages and share none, else 0.5."""
        La, Lb = self.lang[s_lab], self.lang[c_lab]
        shared = _cos(La, Lb, Sx, Cx) > 0
        ka = np.diff(La.indptr)[Sx][:, None] > 0
        kb = np.diff(Lb.indptr)[Cx][None, :] > 0
        return np.where(shared, 1.0, np.where(ka & kb, 0.0, 0.5))

    def text_sim(self, s_lab: Label, c_lab: Label, Sx: IntArray, Cx: IntArray) -> FloatArray:
        return _cos(self.text[s_lab], self.text[c_lab], Sx, Cx)

    def cost_fit(self, bands: FloatArray, levels: FloatArray) -> FloatArray:
        """As :func:`scoring.cost_fit`, for arrays of city bands (rows) and levels (columns)."""
        b, lv = bands[:, None], levels[None, :]
        score = 1.0 - 0.5 * np.maximum(0.0, lv - b)
        return np.where(np.isnan(b) | np.isnan(lv), 0.5, np.clip(score, 0.0, 1.0))

    def size_fit(self, Sx: IntArray, Cx: IntArray) -> FloatArray:
        """As :func:`scoring.size_fit`: Gaussian of log-population vs the implementers'."""
        x = self.logpop[Sx][:, None]
        z = (x - self.size_mean[Cx][None, :]) / self.size_std[Cx][None, :]
        score = np.exp(-0.5 * z**2)
        return np.where(np.isnan(x) | ~self.size_has[Cx][None, :], 0.5, score)

    # ------------------------------------------------------------------ per kind

    def features(self, kind: str, Sx: IntArray, Cx: IntArray,
                 sol_weights: dict[str, float] | None = None) -> NDArray[np.float64]:
        """Feature tensor of shape ``(len(Sx), len(Cx), len(KIND_FEATURES[kind]))``."""
        Sx = np.asarray(Sx, dtype=np.int64)
        Cx = np.asarray(Cx, dtype=np.int64)
        fn: Callable[..., dict[str, FloatArray]] = getattr(self, f"_f_{kind}")
        parts = fn(Sx, Cx, sol_weights) if kind == "providers" else fn(Sx, Cx)
        names = KIND_FEATURES[kind]
        out = np.empty((Sx.size, Cx.size, len(names)))
        for j, name in enumerate(names):
            out[:, :, j] = parts[name]
        return out

    def _f_solutions(self, Sx: IntArray, Cx: IntArray) -> dict[str, FloatArray]:
        n_impl = np.diff(self.CI.indptr)[Sx][:, None].astype(np.float64)
        collab = _dense(_rows_of(self.CI, Sx) @ _cols(self.IS, Cx)) / np.maximum(n_impl, 1.0)
        pop = np.log1p(self.impl_count)
        top = pop.max() if pop.size and pop.max() > 0 else 1.0
        return {
            "need": _cos(self.CTn, self.STn, Sx, Cx),
            "sdg": _cos(self.CGn, self.SGn, Sx, Cx),
            "kpi": _cos(self.G, self.SK, Sx, Cx),
            "peer_adoption": np.minimum(_spmm(self.neighbours(Sx), _cols(self.CI, Cx)), 1.0),
            "collab": np.minimum(collab, 1.0),
            "text": self.text_sim(C, S, Sx, Cx),
            "size": self.size_fit(Sx, Cx),
            "cost": self.cost_fit(self.band[Sx], self.sol_cost[Cx]),
            "ppr": self.ppr_block(C, S, Sx, Cx),
            "popularity": np.broadcast_to(pop[Cx][None, :] / top, (Sx.size, Cx.size)),
            "nearby": np.minimum(_dense(_rows_of(self.near_adopt, Sx))[:, Cx], 1.0),
        }

    def solution_scores(self, Sx: IntArray, weights: dict[str, float]) -> FloatArray:
        """Weighted solutions score of cities ``Sx`` for every solution."""
        allc = np.arange(self.proj.rows[S].size)
        X = self.features("solutions", Sx, allc)
        w = np.array([weights.get(f, 0.0) for f in KIND_FEATURES["solutions"]])
        return np.asarray(X @ w)

    def _f_providers(self, Sx: IntArray, Cx: IntArray,
                     sol_weights: dict[str, float] | None) -> dict[str, FloatArray]:
        sol = self.solution_scores(Sx, sol_weights or DEFAULT_WEIGHTS["solutions"])
        PO = _rows_of(self.PO, Cx)
        fit = np.zeros((Sx.size, Cx.size))
        nz = np.diff(PO.indptr) > 0
        if PO.nnz:
            fit[:, nz] = np.maximum.reduceat(sol[:, PO.indices], PO.indptr[:-1][nz], axis=1)
        sub = self.geo_codes[C][1][Sx]
        csub = self.geo_codes[C][1]
        in_region = (csub[None, :] == sub[:, None]) & (sub[:, None] >= 0)  # (|S|, n_c)
        region = _spmm(in_region.astype(float), _cols(self.D, Cx))
        vol = np.log1p(self.deliveries)
        vtop = vol.max() if vol.size and vol.max() > 0 else 1.0
        return {
            "fit": np.minimum(fit, 1.0),
            "need": _cos(self.CTn, self.PTn, Sx, Cx),
            "track": np.minimum(_spmm(self.neighbours(Sx), _cols(self.D, Cx)), 1.0),
            "region": np.log1p(region) / np.log1p(max(1.0, float(self.deliveries.max(
                initial=1.0)))),
            "geo": self.geo(C, P, Sx, Cx),
            "language": self.language(C, P, Sx, Cx),
            "text": self.text_sim(C, P, Sx, Cx),
            "ppr": self.ppr_block(C, P, Sx, Cx),
            "volume": np.broadcast_to(vol[Cx][None, :] / vtop, (Sx.size, Cx.size)),
            "contacts": _pick(self.CP_contacts, Sx, Cx),
        }

    def _f_peers(self, Sx: IntArray, Cx: IntArray) -> dict[str, FloatArray]:
        solved = _cos(self.CTw, self.covered, Sx, Cx)
        aa = _prod(self.CIaa, self.CI, Sx, Cx)
        same = Sx[:, None] == Cx[None, :]
        out = {
            "need": _cos(self.CTn, self.CTn, Sx, Cx),
            "sdg": _cos(self.CGn, self.CGn, Sx, Cx),
            "solved": np.minimum(solved, 1.0),
            "shared_impl": _squash(aa),
            "size": _log_size(self.logpop[Sx][:, None], self.logpop[Cx][None, :]),
            "geo": self.geo(C, C, Sx, Cx),
            "language": self.language(C, C, Sx, Cx),
            "text": self.text_sim(C, C, Sx, Cx),
            "ppr": self.ppr_block(C, C, Sx, Cx),
        }
        for v in out.values():
            v[same] = 0.0
        return out

    def _advised_similar(self, cities: IntArray, members: IntArray) -> FloatArray:
        """Mean profile similarity of each city to the cities each member advised."""
        if cities.size <= members.size:  # few cities (a request): all members at once
            n_c = self.proj.rows[C].size
            full = (self.city_sim_row(int(cities[0]))[None, :] if cities.size == 1
                    else self.city_sim(cities, np.arange(n_c)))
            out = np.asarray(self.MAn @ full.T).T  # (|cities|, all members)
            return out if _full(members, self.MAn.shape[0]) else out[:, members]
        MA = _rows_of(self.MAn, members)
        used = np.unique(MA.indices)
        if not used.size:
            return np.zeros((cities.size, members.size))
        sim = self.city_sim(cities, used)  # (|cities|, |used|)
        return np.asarray(sp.csr_array(MA[:, used]) @ sim.T).T

    def _member_side(self, Cx: IntArray, Mx: IntArray) -> dict[str, FloatArray]:
        """Features of (city, member) pairs, shape (|Cx|, |Mx|): shared by experts and
        opportunities (the latter transposes them)."""
        exp = np.log1p(self.advised_count)
        etop = exp.max() if exp.size and exp.max() > 0 else 1.0
        need = _cos(self.CTn, self.MTn, Cx, Mx)
        geo = self.geo(C, M, Cx, Mx)
        return {
            "need": need,
            "advised_similar": np.minimum(self._advised_similar(Cx, Mx), 1.0),
            "language": self.language(C, M, Cx, Mx),
            "geo": geo,
            "local_need": need * geo,
            "text": self.text_sim(C, M, Cx, Mx),
            "experience": np.broadcast_to(exp[Mx][None, :] / etop, (Cx.size, Mx.size)),
        }

    def _f_experts(self, Sx: IntArray, Cx: IntArray) -> dict[str, FloatArray]:
        out = self._member_side(Sx, Cx)
        out["ppr"] = self.ppr_block(C, M, Sx, Cx)
        out["contacts"] = _pick(self.CM_contacts, Sx, Cx)
        out["network"] = _pick(self.CM_network, Sx, Cx)
        return out

    def _f_opportunities(self, Sx: IntArray, Cx: IntArray) -> dict[str, FloatArray]:
        out = {k: np.asarray(v).T for k, v in self._member_side(Cx, Sx).items()}
        out["ppr"] = self.ppr_block(M, C, Sx, Cx)
        out["contacts"] = _pick(self.MC_contacts, Sx, Cx)
        out["network"] = _pick(self.MC_network, Sx, Cx)
        return out

    def lookalike(self, Sx: IntArray, Cx: IntArray) -> FloatArray:
        """Mean profile similarity (:meth:`city_sim`) of each city to the cities that
        implemented a solution the provider offers (a city's own term left out), scaled by the
        provider's best city: one product with the providers' customer centroid in ``Z``."""
        W = _l1rows(_binary(_rows_of(self.PO, Sx) @ self.CI.T))  # providers x implementers
        cent = sp.csr_array(W @ self.Z)
        sim = _prod(cent, self.Z, np.arange(Sx.size), Cx)
        self_term = _dense(_cols(W, Cx)) * self.Zsq[Cx][None, :]
        out = np.maximum(sim - self_term, 0.0)
        top = out.max(axis=1, keepdims=True) if out.size else out
        return np.divide(out, top, out=np.zeros_like(out), where=top > 0)

    def _f_leads(self, Sx: IntArray, Cx: IntArray) -> dict[str, FloatArray]:
        return {
            "need": _cos(self.PTn, self.CTn, Sx, Cx),
            "sdg": _cos(self.PGn, self.CGn, Sx, Cx),
            "kpi": _cos(self.PK, self.G, Sx, Cx),
            "lookalike": self.lookalike(Sx, Cx),
            "cost": self.cost_fit(self.band[Cx], self.prov_min_cost[Sx]).T,
            "geo": self.geo(P, C, Sx, Cx),
            "language": self.language(P, C, Sx, Cx),
            "text": self.text_sim(P, C, Sx, Cx),
            "ppr": self.ppr_block(P, C, Sx, Cx),
            "contacts": _pick(self.PC_contacts, Sx, Cx),
        }


def _evict(cache: dict[int, Any]) -> None:
    """Drop the least recently used entry (insertion order); tolerant of concurrent use."""
    with contextlib.suppress(RuntimeError, StopIteration):
        cache.pop(next(iter(cache)), None)


def _log_size(a: FloatArray, b: FloatArray) -> FloatArray:
    d = np.abs(a - b)
    return np.where(np.isnan(d), 0.5, 1.0 / (1.0 + d))


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
