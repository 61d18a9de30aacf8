"""``peers``: cities a city should talk to (City -> City).

A positive is a ``PARTNERS_WITH`` link (either direction). Features: shared needs and SDG
priorities, whether the peer already solved the city's needs (``solved``), shared
implementations (Adamic-Adar), similar size, geography, language, description text and graph
proximity (``ppr``). Reciprocal: the reverse kind is ``peers`` itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from graph_schema.schema import Label, RelType
from matchmaking.kinds import End, Kind, KindSpec, LinkRule, TrainingSpec
from matchmaking.phrasing import and_list, intersect, quoted
from matchmaking.projection import IntArray, Local
from scoring.similarity import log_size_similarity
from scoring.sparse import squash

if TYPE_CHECKING:
    from matchmaking.explain import Builder, Explainer
    from matchmaking.features import FeatureSpace

FloatArray = NDArray[np.float64]
CITY, SOLUTION, TOPIC = Label.CITY, Label.SOLUTION, Label.TOPIC


def features(fs: FeatureSpace, Sx: IntArray, Cx: IntArray,
             upstream: Mapping[str, float] | None = None) -> dict[str, FloatArray]:
    """The feature blocks, each of shape ``(len(Sx), len(Cx))`` (local indices)."""
    solved = fs.cos(fs.city_topic_l1, fs.city_topic_covered, Sx, Cx)
    aa = fs.dot(fs.city_solution_aa, fs.city_solution, Sx, Cx)
    same = Sx[:, None] == Cx[None, :]
    out = {
        "need": fs.cos(fs.city_topic_l2, fs.city_topic_l2, Sx, Cx),
        "sdg": fs.cos(fs.city_sdg_l2, fs.city_sdg_l2, Sx, Cx),
        "solved": np.minimum(solved, 1.0),
        "shared_impl": squash(aa),
        "size": log_size_similarity(fs.city_population[Sx][:, None],
                                    fs.city_population[Cx][None, :]),
        "geo": fs.geo(CITY, CITY, Sx, Cx),
        "language": fs.language(CITY, CITY, Sx, Cx),
        "text": fs.text_sim(CITY, CITY, Sx, Cx),
        "ppr": fs.ppr_block(CITY, CITY, Sx, Cx),
    }
    for v in out.values():
        v[same] = 0.0
    return out


def reasons(ex: Explainer) -> dict[str, Builder]:
    """The reason builders of each feature."""
    fs = ex.fs
    rows = ex.proj.rows

    def need(s: Local, c: Local) -> str | None:
        t = ex.shared(fs.city_topic, s, fs.city_topic, c)
        return f"Shares your needs {quoted(ex.names(TOPIC, t[:3]))}" if t.size else None

    def solved(s: Local, c: Local) -> str | None:
        mine = ex.row(fs.city_topic, s)
        for sol in ex.row(fs.city_solution, c):
            t = intersect(mine, ex.row(fs.solution_topic, int(sol)))
            if t.size:
                return (f'Already implemented "{ex.names(SOLUTION, [sol])[0]}", which covers '
                        f"your need {quoted(ex.names(TOPIC, t[:1]))}")
        return None

    def shared_impl(s: Local, c: Local) -> str | None:
        x = ex.shared(fs.city_solution, s, fs.city_solution, c)
        return (f"Implemented the same solutions as you: {quoted(ex.names(SOLUTION, x[:2]))}"
                if x.size else None)

    def sdg(s: Local, c: Local) -> str | None:
        g = ex.shared(fs.city_sdg, s, fs.city_sdg, c)
        return (f"Shares your priorities {and_list([ex.sdg_name(int(x)) for x in g[:2]])}"
                if g.size else None)

    def size(s: Local, c: Local) -> str | None:
        a, b = ex.proj.population[rows[CITY][s]], ex.proj.population[rows[CITY][c]]
        if not (a > 0 and b > 0) or abs(np.log10(a / b)) > 0.3:  # beyond a factor 2
            return None
        return f"Similar size: {int(b):,} inhabitants (you: {int(a):,})"

    def partners(s: Local, c: Local) -> str | None:
        x = ex.shared(fs.city_partner, s, fs.city_partner, c)
        return f"Partners with {and_list(ex.names(CITY, x[:2]))}, like you" if x.size else None

    return {"need": need, "solved": solved, "shared_impl": shared_impl, "sdg": sdg,
            "size": size, "ppr": partners, **ex.located_builders(CITY, CITY)}


SPEC: KindSpec = KindSpec(
    kind=Kind.PEERS,
    subject=CITY,
    candidate=CITY,
    positive=LinkRule(RelType.PARTNERS_WITH, End.SRC, End.DST),
    features=("need", "sdg", "solved", "shared_impl", "size", "geo", "language", "text", "ppr"),
    default_weights={"need": 0.25, "sdg": 0.1, "solved": 0.2, "shared_impl": 0.1, "size": 0.05,
                     "geo": 0.05, "language": 0.05, "text": 0.1, "ppr": 0.1},
    compute=features,
    reasons=reasons,
    fallback_reasons=("need",),
    training=TrainingSpec(),
    reverse=Kind.PEERS,
)
