"""``leads``: cities a provider could sell to (Provider -> City).

A positive is a delivery (``IMPLEMENTED.provider`` names the provider), seen from the provider.
Features: the city's needs, SDG priorities and weak KPIs that the provider's solutions cover,
resemblance to the provider's existing customers (``lookalike``), affordability of its
cheapest offer, geography, language, text, graph proximity and warm introductions
(``contacts``: people the provider's staff know in the city administration).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from graph_schema.schema import Label, RelType
from matchmaking.kinds import End, Kind, KindSpec, LinkRule, TrainingSpec
from matchmaking.phrasing import intersect, plural, quoted
from matchmaking.projection import IntArray, Local
from scoring.sparse import binarize, dense, l1_rows, select_cols, select_rows

if TYPE_CHECKING:
    from matchmaking.explain import Builder, Explainer
    from matchmaking.features import FeatureSpace

FloatArray = NDArray[np.float64]
CITY, SOLUTION, PROVIDER = Label.CITY, Label.SOLUTION, Label.PROVIDER
TOPIC, KPI = Label.TOPIC, Label.KPI


def lookalike(fs: FeatureSpace, Sx: IntArray, Cx: IntArray) -> FloatArray:
    """Mean profile similarity (:meth:`FeatureSpace.city_sim`) of each city to the cities
    that implemented a solution the provider offers (a city's own term left out), scaled by
    the provider's best city: one product with the providers' customer centroid in
    ``city_profile``."""
    # providers x implementers of what they offer, rows summing to 1
    W = l1_rows(binarize(select_rows(fs.provider_solution, Sx) @ fs.city_solution.T))
    cent = sp.csr_array(W @ fs.city_profile)
    sim = fs.dot(cent, fs.city_profile, np.arange(Sx.size), Cx)
    self_term = dense(select_cols(W, Cx)) * fs.city_profile_sq[Cx][None, :]
    out = np.maximum(sim - self_term, 0.0)
    top = out.max(axis=1, keepdims=True) if out.size else out
    return np.divide(out, top, out=np.zeros_like(out), where=top > 0)


def features(fs: FeatureSpace, Sx: IntArray, Cx: IntArray,
             upstream: Mapping[str, float] | None = None) -> dict[str, FloatArray]:
    """The feature blocks, each of shape ``(len(Sx), len(Cx))`` (local indices)."""
    return {
        "need": fs.cos(fs.provider_topic_l2, fs.city_topic_l2, Sx, Cx),
        "sdg": fs.cos(fs.provider_sdg_l2, fs.city_sdg_l2, Sx, Cx),
        "kpi": fs.cos(fs.provider_kpi, fs.city_kpi_need, Sx, Cx),
        "lookalike": lookalike(fs, Sx, Cx),
        "cost": fs.cost_fit(fs.city_band[Cx], fs.provider_min_cost[Sx]).T,
        "geo": fs.geo(PROVIDER, CITY, Sx, Cx),
        "language": fs.language(PROVIDER, CITY, Sx, Cx),
        "text": fs.text_sim(PROVIDER, CITY, Sx, Cx),
        "ppr": fs.ppr_block(PROVIDER, CITY, Sx, Cx),
        "contacts": fs.path_counts(fs.provider_city_contacts, Sx, Cx),
    }


def reasons(ex: Explainer) -> dict[str, Builder]:
    """The reason builders of each feature."""
    fs = ex.fs

    def need(s: Local, c: Local) -> str | None:
        mine = ex.row(fs.city_topic, c)
        for sol in ex.row(fs.provider_solution, s):
            t = intersect(mine, ex.row(fs.solution_topic, int(sol)))
            if t.size:
                return (f"Needs {quoted(ex.names(TOPIC, t[:2]))}, which your solution "
                        f'"{ex.names(SOLUTION, [sol])[0]}" covers')
        return None

    def lookalike(s: Local, c: Local) -> str | None:
        offered = ex.row(fs.provider_solution, s)
        impl = np.unique(np.concatenate([ex.row(ex.solution_city, int(x)) for x in offered])
                         ) if offered.size else np.zeros(0, dtype=np.int64)
        for city in ex.by_similarity(c, impl)[:1]:
            sol = intersect(offered, ex.row(fs.city_solution, int(city)))
            return (f"Resembles {ex.names(CITY, [city])[0]}, which implemented your "
                    f'solution "{ex.names(SOLUTION, sol[:1])[0]}"')
        return None

    def kpi(s: Local, c: Local) -> str | None:
        for sol in ex.row(fs.provider_solution, s):
            ks = ex.row(fs.solution_kpi, int(sol))
            if ks.size:
                gaps = fs.city_kpi_gap[c, ks]
                best = int(np.lexsort((ks, -gaps))[0])
                if gaps[best] >= 0.5:
                    return (f'Lags on "{ex.names(KPI, [ks[best]])[0]}", which your '
                            f'solution "{ex.names(SOLUTION, [sol])[0]}" improves')
        return None

    def sdg(s: Local, c: Local) -> str | None:
        for sol in ex.row(fs.provider_solution, s):
            g = ex.shared(fs.city_sdg, c, fs.solution_sdg, int(sol))
            if g.size:
                return (f"Prioritises {ex.sdg_name(int(g[0]))}, which your solution "
                        f'"{ex.names(SOLUTION, [sol])[0]}" addresses')
        return None

    def contacts(s: Local, c: Local) -> str | None:
        known = ex.known_among(ex.row(ex.provider_member_staff, s), ex.row(ex.city_member_staff, c))
        if not known.size:
            return None
        return (f"Your team knows {plural(known.size, 'person', 'people')} in "
                f"{ex.city_admin(c)}{ex.people(known)}")

    return {"need": need, "ppr": need, "lookalike": lookalike, "kpi": kpi, "sdg": sdg,
            "contacts": contacts, **ex.located_builders(PROVIDER, CITY)}


SPEC: KindSpec = KindSpec(
    kind=Kind.LEADS,
    subject=PROVIDER,
    candidate=CITY,
    positive=LinkRule(RelType.IMPLEMENTED, End.PROVIDER, End.SRC),
    features=("need", "sdg", "kpi", "lookalike", "cost", "geo", "language", "text", "ppr",
              "contacts"),
    default_weights={"need": 0.3, "sdg": 0.1, "kpi": 0.1, "lookalike": 0.2, "cost": 0.05,
                     "geo": 0.05, "language": 0.05, "text": 0.05, "ppr": 0.1, "contacts": 0.1},
    compute=features,
    reasons=reasons,
    training=TrainingSpec(),
)
