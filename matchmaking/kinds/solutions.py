"""``solutions``: what a city could implement next (City -> Solution).

A positive is an ``IMPLEMENTED`` link. Features: the city's needs, SDG priorities and weak
KPIs that the solution covers; adoption by similar cities (``peer_adoption``), by the nearest
ones (``nearby``), by the cities of its country (``national``) and, lately, by the city's
cohort, the cities that share its rarer implementations (``cohort``, :mod:`scoring.cohort`);
co-implementation with what the city already has (``collab``); description text, fit of the
implementers' size and of the cost level, graph proximity, popularity and how recent its
uptake is (``trend``). ``providers`` builds on this kind's score (its ``fit`` feature).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from graph_schema.schema import Label, RelType
from matchmaking.kinds import End, Kind, KindSpec, LinkRule, TrainingSpec
from matchmaking.phrasing import and_list, intersect, km, plural, quoted
from matchmaking.projection import IntArray, Local, Row
from scoring.sparse import dense, select_cols, select_rows, sparse_dot_dense

if TYPE_CHECKING:
    from matchmaking.explain import Builder, Explainer
    from matchmaking.features import FeatureSpace

FloatArray = NDArray[np.float64]
CITY, SOLUTION, PROVIDER = Label.CITY, Label.SOLUTION, Label.PROVIDER
TOPIC, KPI = Label.TOPIC, Label.KPI


def features(fs: FeatureSpace, Sx: IntArray, Cx: IntArray,
             upstream: Mapping[str, float] | None = None) -> dict[str, FloatArray]:
    """The feature blocks, each of shape ``(len(Sx), len(Cx))`` (local indices)."""
    n_impl = np.diff(fs.city_solution.indptr)[Sx][:, None].astype(np.float64)
    together = select_rows(fs.city_solution, Sx) @ select_cols(fs.solution_cooccurrence, Cx)
    collab = dense(together) / np.maximum(n_impl, 1.0)
    pop = np.log1p(fs.solution_adopters)
    top = pop.max() if pop.size and pop.max() > 0 else 1.0
    return {
        "need": fs.cos(fs.city_topic_l2, fs.solution_topic_l2, Sx, Cx),
        "sdg": fs.cos(fs.city_sdg_l2, fs.solution_sdg_l2, Sx, Cx),
        "kpi": fs.cos(fs.city_kpi_need, fs.solution_kpi, Sx, Cx),
        "peer_adoption": np.minimum(
            sparse_dot_dense(fs.neighbours(Sx), select_cols(fs.city_solution, Cx)), 1.0),
        "collab": np.minimum(collab, 1.0),
        "text": fs.text_sim(CITY, SOLUTION, Sx, Cx),
        "size": fs.size_fit(Sx, Cx),
        "cost": fs.cost_fit(fs.city_band[Sx], fs.solution_cost[Cx]),
        "ppr": fs.ppr_block(CITY, SOLUTION, Sx, Cx),
        "popularity": np.broadcast_to(pop[Cx][None, :] / top, (Sx.size, Cx.size)),
        "nearby": np.minimum(dense(select_rows(fs.city_solution_nearby, Sx))[:, Cx], 1.0),
        "national": fs.national(Sx, Cx),
        "trend": np.broadcast_to(fs.solution_trend[Cx][None, :], (Sx.size, Cx.size)),
        "cohort": np.minimum(
            sparse_dot_dense(fs.cohort(Sx), select_cols(fs.city_solution_recent, Cx)), 1.0),
    }


def reasons(ex: Explainer) -> dict[str, Builder]:
    """The reason builders of each feature."""
    fs = ex.fs

    def need(s: Local, c: Local) -> str | None:
        t = ex.shared(fs.city_topic, s, fs.solution_topic, c)
        return f"Covers your needs {quoted(ex.names(TOPIC, t[:3]))}" if t.size else None

    similar: dict[int, FloatArray] = {}  # the last subject's neighbour weights

    def adopted(s: Local, c: Local) -> str | None:
        # peer_adoption: the implementers among the subject's most similar cities
        # (FeatureSpace.neighbours); a shared need is named only when the solution covers it
        if s not in similar:
            similar.clear()
            similar[s] = fs.neighbours(np.array([s]))[0]
        weight = similar[s]
        impl = ex.row(ex.solution_city, c)
        impl = impl[weight[impl] > 0]
        if not impl.size:
            return None
        impl = impl[np.lexsort((impl, -weight[impl]))]
        covered = ex.shared(fs.city_topic, s, fs.solution_topic, c)
        for named in (impl[:2], impl[:1]):
            common = covered
            for x in named:
                common = intersect(common, ex.row(fs.city_topic, int(x)))
            if common.size:
                who = "two of the cities" if len(named) > 1 else "one of the cities"
                verb = "need" if len(named) > 1 else "needs"
                return (f"Implemented by {and_list(ex.names(CITY, named))}, {who} most like "
                        f"yours, which also {verb} {quoted(ex.names(TOPIC, common[:2]))}")
        who = "two of the cities" if impl.size > 1 else "one of the cities"
        return f"Implemented by {and_list(ex.names(CITY, impl[:2]))}, {who} most like yours"

    def popular(s: Local, c: Local) -> str | None:
        impl = ex.by_similarity(s, ex.row(ex.solution_city, c))
        if impl.size < 2:
            return None
        return (f"Implemented by {plural(impl.size, 'city', 'cities')}, e.g. "
                f"{and_list(ex.names(CITY, impl[:2]))}")

    def size(s: Local, c: Local) -> str | None:
        # size: the implementers' sizes against the subject's; name those within a factor 2
        mine = fs.city_logpop[s]
        impl = ex.row(ex.solution_city, c)
        impl = impl[impl != s]
        if not np.isfinite(mine) or not impl.size:
            return None
        gap = np.abs(fs.city_logpop[impl] - mine)
        near = np.isfinite(gap) & (gap <= np.log10(2.0))
        if not near.any():
            return None
        close = impl[near][np.lexsort((impl[near], gap[near]))][:2]
        pops = [f"{n} ({int(ex.proj.population[int(ex.proj.rows[CITY][x])]):,})"
                for n, x in zip(ex.names(CITY, close), close, strict=True)]
        you = int(ex.proj.population[int(ex.proj.rows[CITY][s])])
        return (f"Implemented by cities of your size ({you:,} inhabitants): "
                f"{and_list(pops)}")

    def collab(s: Local, c: Local) -> str | None:
        mine = ex.row(fs.city_solution, s)
        for other in ex.by_similarity(s, ex.row(ex.solution_city, c)):
            both = intersect(mine, ex.row(fs.city_solution, int(other)))
            if both.size:
                return (f"{ex.names(CITY, [other])[0]} implemented it together with "
                        f"{quoted(ex.names(SOLUTION, both[:1]))}, which you implemented too")
        return None

    recent_by_solution = sp.csr_array(fs.city_solution_recent.T)  # solution -> recent takers

    def cohort(s: Local, c: Local) -> str | None:
        # cohort: the co-members that took the solution up, most recent and closest first,
        # named with the rarest implementations they share with the subject
        took = ex.row(recent_by_solution, c)
        weight = recent_by_solution.data[
            recent_by_solution.indptr[c]:recent_by_solution.indptr[c + 1]] * fs.cohort(
            np.array([s]))[0][took]
        took, weight = took[weight > 0], weight[weight > 0]
        if not took.size:
            return None
        took = took[np.lexsort((took, -weight))]
        rarity = fs.city_solution_rare
        mine = ex.row(fs.city_solution, s)
        for named in (took[:2], took[:1]):
            common = mine
            for x in named:
                common = intersect(common, ex.row(fs.city_solution, int(x)))
            if common.size:
                common = common[np.argsort(-rarity[[named[0]], common].ravel(), kind="stable")]
                years = [int(fs.city_solution_year[int(x), c]) for x in named]
                who = and_list([f"{n} ({y})" if y else n
                                for n, y in zip(ex.names(CITY, named), years, strict=True)])
                lately = " lately" if all(years) else ""
                return (f"Taken up{lately} by {who}, which like you implemented "
                        f"{quoted(ex.names(SOLUTION, common[:2]))}")
        return None

    solution_years = sp.csr_array(fs.city_solution_year.T)  # solution -> implementers' years

    def trend(s: Local, c: Local) -> str | None:
        # trend: how much of its uptake is recent; named as the implementations of the last
        # two years of the graph
        since = fs.latest_year - 1
        n = int(fs.solution_adopters[c])
        years = solution_years.data[solution_years.indptr[c]:solution_years.indptr[c + 1]]
        recent = int(np.count_nonzero(years >= since))
        if fs.latest_year == 0 or n < 2 or not recent:
            return None
        return (f"On the rise: {recent} of the {n} cities that implemented it did so in "
                f"{since} or later")

    def national(s: Local, c: Local) -> str | None:
        # national: the share of the subject's country's cities that implemented it
        code = int(fs.geo_codes[CITY][0][s])
        if code < 0:
            return None
        n = int(fs.country_cities[code])
        took = int(round(fs.country_solution_share[code, c] * n))
        if not took or n < 2:
            return None
        where = ex.country_name(Row(int(ex.proj.rows[CITY][s])))
        return f"Implemented by {took:,} of the {n:,} cities in {where}"

    def sdg(s: Local, c: Local) -> str | None:
        g = ex.shared(fs.city_sdg, s, fs.solution_sdg, c)
        return (f"Addresses your priority {and_list([ex.sdg_name(int(x)) for x in g[:2]])}"
                if g.size else None)

    def kpi(s: Local, c: Local) -> str | None:
        ks = ex.row(fs.solution_kpi, c)
        if not ks.size:
            return None
        gaps = fs.city_kpi_gap[s, ks]
        best = int(np.lexsort((ks, -gaps))[0])
        if gaps[best] < 0.5:
            return None
        name = ex.names(KPI, [ks[best]])[0]
        return (f'Improves "{name}", where {round(100 * gaps[best])}% of reporting cities '
                "do better than you")

    def cost(s: Local, c: Local) -> str | None:
        lvl = ex.proj.props[int(ex.proj.rows[SOLUTION][c])].get("cost")
        fit = fs.cost_fit(fs.city_band[[s]], fs.solution_cost[[c]])[0, 0]
        return f"Its cost level ({lvl}) fits a city of your size" if lvl and fit >= 1 else None

    def proximity(s: Local, c: Local) -> str | None:
        # ppr: a short walk from the subject to the candidate, through a partner city that
        # implemented it or a provider that offers it and already delivered to the subject
        partners = intersect(ex.row(fs.city_partner, s), ex.row(ex.solution_city, c))
        if partners.size:
            return (f"Implemented by your partner "
                    f"{and_list(ex.names(CITY, ex.by_similarity(s, partners)[:2]))}")
        provs = intersect(ex.row(ex.solution_provider, c), ex.row(fs.city_provider_delivered, s))
        if provs.size:
            return (f"Offered by {ex.names(PROVIDER, provs[:1])[0]}, which already delivered "
                    "a solution to you")
        return None

    def nearby(s: Local, c: Local) -> str | None:
        impl = ex.row(ex.solution_city, c)
        near = ex.row(fs.city_solution_nearby, s)  # solutions adopted by the nearest cities
        if not impl.size or c not in near:
            return None
        lat, lon = ex.coords(impl)
        here = ex.coords(np.array([s]))
        if not np.isfinite(here[0][0]):
            return None
        d = km(here[0][0], here[1][0], lat, lon)
        ok = np.isfinite(d) & (impl != s)
        if not ok.any():
            return None
        order = np.lexsort((impl[ok], d[ok]))
        closest = impl[ok][order[:2]]
        dist = d[ok][order[:2]]
        return ("Implemented nearby: " + and_list([f"{n} ({x:,.0f} km)" for n, x in zip(
            ex.names(CITY, closest), dist, strict=True)]))

    return {"need": need, "peer_adoption": adopted, "popularity": popular, "nearby": nearby,
            "collab": collab, "cohort": cohort, "national": national,
            "trend": trend, "sdg": sdg, "kpi": kpi,
            "cost": cost, "size": size,
            "text": ex.text_builder(CITY, SOLUTION), "ppr": proximity}


SPEC: KindSpec = KindSpec(
    kind=Kind.SOLUTIONS,
    subject=CITY,
    candidate=SOLUTION,
    positive=LinkRule(RelType.IMPLEMENTED, End.SRC, End.DST),
    features=("need", "sdg", "kpi", "peer_adoption", "collab", "text", "size", "cost", "ppr",
              "popularity", "nearby", "national", "trend", "cohort"),
    default_weights={"need": 0.25, "sdg": 0.1, "kpi": 0.1, "peer_adoption": 0.1,
                     "collab": 0.1, "text": 0.1, "size": 0.05, "cost": 0.05, "ppr": 0.1,
                     "popularity": 0.0, "nearby": 0.05, "national": 0.0, "trend": 0.0,
                     "cohort": 0.05},
    compute=features,
    reasons=reasons,
    training=TrainingSpec(),
)
