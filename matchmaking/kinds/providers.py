"""``providers``: who could deliver what a city needs (City -> Provider).

A positive is a delivery: an ``IMPLEMENTED`` link whose ``provider`` property names the
provider. Features: the best ``solutions`` score among the solutions the provider offers
(``fit``; the ``solutions`` weights are this kind's ``upstream``), the needs its solutions
cover, its track record with similar cities and in the city's region, delivery volume,
geography, language, text, graph proximity and warm introductions (``contacts``: people the
provider's staff know in the city administration).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from graph_schema.schema import Label, RelType
from matchmaking.kinds import End, Kind, KindSpec, LinkRule, TrainingSpec, solutions
from matchmaking.phrasing import and_list, plural, quoted
from matchmaking.projection import IntArray, Local
from scoring.sparse import select_cols, select_rows, sparse_dot_dense

if TYPE_CHECKING:
    from matchmaking.explain import Builder, Explainer
    from matchmaking.features import FeatureSpace

FloatArray = NDArray[np.float64]
CITY, SOLUTION, PROVIDER, TOPIC = Label.CITY, Label.SOLUTION, Label.PROVIDER, Label.TOPIC


def features(fs: FeatureSpace, Sx: IntArray, Cx: IntArray,
             upstream: Mapping[str, float] | None = None) -> dict[str, FloatArray]:
    """The feature blocks, each of shape ``(len(Sx), len(Cx))`` (local indices)."""
    sol = solution_scores(fs, Sx, upstream or solutions.SPEC.default_weights)
    offers = select_rows(fs.provider_solution, Cx)
    fit = np.zeros((Sx.size, Cx.size))
    nz = np.diff(offers.indptr) > 0
    if offers.nnz:
        fit[:, nz] = np.maximum.reduceat(sol[:, offers.indices], offers.indptr[:-1][nz], axis=1)
    sub = fs.geo_codes[CITY][1][Sx]
    csub = fs.geo_codes[CITY][1]
    in_region = (csub[None, :] == sub[:, None]) & (sub[:, None] >= 0)  # (|S|, n_c)
    delivered = select_cols(fs.city_provider_delivered, Cx)
    region = sparse_dot_dense(in_region.astype(float), delivered)
    vol = np.log1p(fs.provider_deliveries)
    vtop = vol.max() if vol.size and vol.max() > 0 else 1.0
    return {
        "fit": np.minimum(fit, 1.0),
        "need": fs.cos(fs.city_topic_l2, fs.provider_topic_l2, Sx, Cx),
        "track": np.minimum(sparse_dot_dense(fs.neighbours(Sx), delivered), 1.0),
        "region": np.log1p(region) / np.log1p(max(1.0, float(fs.provider_deliveries.max(
            initial=1.0)))),
        "geo": fs.geo(CITY, PROVIDER, Sx, Cx),
        "language": fs.language(CITY, PROVIDER, Sx, Cx),
        "text": fs.text_sim(CITY, PROVIDER, Sx, Cx),
        "ppr": fs.ppr_block(CITY, PROVIDER, Sx, Cx),
        "volume": np.broadcast_to(vol[Cx][None, :] / vtop, (Sx.size, Cx.size)),
        "contacts": fs.path_counts(fs.city_provider_contacts, Sx, Cx),
    }


def solution_scores(fs: FeatureSpace, Sx: IntArray, weights: Mapping[str, float]) -> FloatArray:
    """Weighted ``solutions`` score of cities ``Sx`` for every solution."""
    allc = np.arange(fs.proj.rows[SOLUTION].size)
    X = fs.features(Kind.SOLUTIONS, Sx, allc)
    w = np.array([weights.get(f, 0.0) for f in solutions.SPEC.features])
    return np.asarray(X @ w)


def reasons(ex: Explainer) -> dict[str, Builder]:
    """The reason builders of each feature."""
    fs = ex.fs
    rows = ex.proj.rows

    def offers(s: Local, c: Local) -> str | None:
        sols = ex.row(fs.provider_solution, c)
        if not sols.size:
            return None
        mine = set(ex.row(fs.city_topic, s).tolist())
        shared = [sorted(mine.intersection(ex.row(fs.solution_topic, int(x)).tolist()))
                  for x in sols]
        best = int(np.lexsort((sols, -np.array([len(x) for x in shared])))[0])
        name = ex.names(SOLUTION, [sols[best]])[0]
        if shared[best]:
            needs = quoted(ex.names(TOPIC, shared[best][:2]))
            return f'Offers "{name}", which covers your needs {needs}'
        return f'Offers "{name}"'

    def need(s: Local, c: Local) -> str | None:
        t = ex.shared(fs.city_topic, s, fs.provider_topic, c)
        return (f"Its solutions cover your needs {quoted(ex.names(TOPIC, t[:3]))}" if t.size
                else None)

    def track(s: Local, c: Local) -> str | None:
        cities = ex.by_similarity(s, ex.row(ex.provider_city_delivered, c))
        if not cities.size:
            return None
        return (f"Delivered solutions to {plural(cities.size, 'city', 'cities')}, including "
                f"{and_list(ex.names(CITY, cities[:2]))}")

    def region(s: Local, c: Local) -> str | None:
        sub = ex.proj.subregion[int(rows[CITY][s])]
        cities = [int(x) for x in ex.row(ex.provider_city_delivered, c)
                  if x != s and sub and ex.proj.subregion[int(rows[CITY][x])] == sub]
        if not cities:
            return None
        return (f"Active in {plural(len(cities), 'city', 'cities')} of {sub}, e.g. "
                f"{ex.names(CITY, cities[:1])[0]}")

    def contacts(s: Local, c: Local) -> str | None:
        known = ex.known_among(ex.row(ex.provider_member_staff, c), ex.row(ex.city_member_staff, s))
        if not known.size:
            return None
        return (f"Its team knows {plural(known.size, 'person', 'people')} in your city "
                f"administration{ex.people(known)}")

    return {"fit": offers, "need": need, "track": track, "volume": track, "region": region,
            "contacts": contacts, "ppr": offers, **ex.located_builders(CITY, PROVIDER)}


SPEC: KindSpec = KindSpec(
    kind=Kind.PROVIDERS,
    subject=CITY,
    candidate=PROVIDER,
    positive=LinkRule(RelType.IMPLEMENTED, End.SRC, End.PROVIDER),
    features=("fit", "need", "track", "region", "geo", "language", "text", "ppr", "volume",
              "contacts"),
    default_weights={"fit": 0.3, "need": 0.15, "track": 0.15, "region": 0.1, "geo": 0.05,
                     "language": 0.1, "text": 0.05, "ppr": 0.1, "volume": 0.0,
                     "contacts": 0.1},
    compute=features,
    reasons=reasons,
    training=TrainingSpec(),
    upstream=Kind.SOLUTIONS,
)
