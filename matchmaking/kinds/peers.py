"""``peers``: cities a city should talk to (City -> City).

A positive is a ``PARTNERS_WITH`` link (either direction). Features, all learned by the
combiner (none is a flat bonus):

- profile: shared needs (``need``), SDG focus (``sdg``), KPI gaps (``kpi``: cosine of the
  cities' KPI need weights), similar size (``size``), description text (``text``);
- experience: the peer already solved the city's needs (``solved``);
- ties: shared implementations, i.e. co-membership of the same programmes and networks
  (``shared_impl``, Adamic-Adar), common partners (``partners``), common advisers
  (``advisers``) and graph proximity (``ppr``);
- place: same ``country``, same UN ``region`` (1 same subregion, 0.5 same continent) and a
  shared ``language``.

A peer is never part of the subject: :func:`excluded` drops the city's own districts, the city
it belongs to and its siblings (through the City property ``part_of``, see
:mod:`graph_schema.part_of`) and any city within the urban radius of the larger of the two
(:func:`near_km`), so that data without ``part_of`` is covered too. Reciprocal: the reverse
kind is ``peers`` itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from graph_schema.schema import Label, RelType
from matchmaking.kinds import End, Kind, KindSpec, LinkRule, TrainingSpec
from matchmaking.phrasing import and_list, intersect, quoted
from matchmaking.projection import IntArray, Local
from scoring.metapath import adamic_adar_weights
from scoring.similarity import log_size_similarity
from scoring.sparse import dense, l2_rows, select_rows, squash

if TYPE_CHECKING:
    from matchmaking.explain import Builder, Explainer
    from matchmaking.features import FeatureSpace

FloatArray = NDArray[np.float64]
CITY, SOLUTION, TOPIC, KPI, MEMBER = (Label.CITY, Label.SOLUTION, Label.TOPIC, Label.KPI,
                                      Label.MEMBER)
#: Two cities closer than this are one place, whatever their size.
NEAR_KM = 5.0
#: Urban radius cap: no city's built-up area is taken to reach further.
MAX_URBAN_KM = 20.0
#: Inhabitants per km2 assumed for the urban radius ``sqrt(population / (pi * density))``.
URBAN_DENSITY = 5000.0
EARTH_KM = 6371.0


def near_km(population: FloatArray) -> FloatArray:
    """Distance under which a city counts as part of a city of this population: the radius
    of a disc holding its inhabitants at :data:`URBAN_DENSITY`, between :data:`NEAR_KM` and
    :data:`MAX_URBAN_KM` (New York 20 km, Vienna 11 km, Gent 5 km).

    Examples
    --------
    >>> near_km(np.array([8_300_000.0, 1_900_000.0, 250_000.0, np.nan])).round(1).tolist()
    [20.0, 11.0, 5.0, 5.0]
    """
    pop = np.nan_to_num(np.asarray(population, dtype=np.float64), nan=0.0)
    r = np.sqrt(np.maximum(pop, 0.0) / (np.pi * URBAN_DENSITY))
    return np.clip(r, NEAR_KM, MAX_URBAN_KM)


class PeerSpace:
    """What the peer features and the exclusion rule need, made once per feature space.

    Attributes
    ----------
    root : ndarray of int
        Local index of the top city of each city's ``part_of`` chain (itself without one).
    lat, lon : ndarray
        Coordinates in radians (NaN when unknown).
    reach : ndarray
        :func:`near_km` of each city's population.
    """

    def __init__(self, fs: FeatureSpace) -> None:
        proj = fs.proj
        rc = proj.rows[CITY]
        idx = {int(r): i for i, r in enumerate(rc.tolist())}
        parent = np.arange(rc.size)
        for i, r in enumerate(rc.tolist()):
            p = proj.index.get(str(proj.props[r].get("part_of")))
            if p is not None and int(p) in idx:
                parent[i] = idx[int(p)]
        root = parent.copy()
        for _ in range(64):  # import refuses cycles; the bound guards a store edited by hand
            nxt = parent[root]
            if np.array_equal(nxt, root):
                break
            root = nxt
        self.root = root
        self.lat = np.radians(np.array([_num(proj.props[r].get("lat")) for r in rc.tolist()]))
        self.lon = np.radians(np.array([_num(proj.props[r].get("lon")) for r in rc.tolist()]))
        self.reach = near_km(fs.city_population)
        self.kpi_l2 = l2_rows(fs.city_kpi_need)
        self.partner = fs.city_partner
        self.partner_aa = sp.csr_array(fs.city_partner @ sp.diags_array(
            adamic_adar_weights(fs.city_partner)))
        self.city_adviser = sp.csr_array(fs.member_city_advised.T)
        self.city_adviser_aa = sp.csr_array(self.city_adviser @ sp.diags_array(
            adamic_adar_weights(self.city_adviser)))

    def excluded(self, Sx: IntArray, Cx: IntArray) -> NDArray[np.bool_]:
        """``(len(Sx), len(Cx))``: True where the candidate is part of the subject's place
        (same ``part_of`` root, or closer than the urban radius of the larger city)."""
        out = self.root[Sx][:, None] == self.root[Cx][None, :]
        return out | (self.distance_km(Sx, Cx) < np.maximum(self.reach[Sx][:, None],
                                                            self.reach[Cx][None, :]))

    def distance_km(self, Sx: IntArray, Cx: IntArray) -> FloatArray:
        """Great-circle distances (NaN where a city has no coordinates)."""
        la, lb = self.lat[Sx][:, None], self.lat[Cx][None, :]
        h = (np.sin((lb - la) / 2) ** 2
             + np.cos(la) * np.cos(lb) * np.sin((self.lon[Cx][None, :] - self.lon[Sx][:, None])
                                                / 2) ** 2)
        out: FloatArray = 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
        return out


def _num(v: object) -> float:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else float("nan")


def excluded(fs: FeatureSpace, Sx: IntArray, Cx: IntArray) -> NDArray[np.bool_]:
    """The candidates that are part of the subject's own place (see :class:`PeerSpace`)."""
    return fs.peers.excluded(Sx, Cx)


def features(fs: FeatureSpace, Sx: IntArray, Cx: IntArray,
             upstream: Mapping[str, float] | None = None) -> dict[str, FloatArray]:
    """The feature blocks, each of shape ``(len(Sx), len(Cx))`` (local indices)."""
    ps = fs.peers
    solved = fs.cos(fs.city_topic_l1, fs.city_topic_covered, Sx, Cx)
    aa = fs.dot(fs.city_solution_aa, fs.city_solution, Sx, Cx)
    same = Sx[:, None] == Cx[None, :]
    geo = fs.geo(CITY, CITY, Sx, Cx)
    out = {
        "need": fs.cos(fs.city_topic_l2, fs.city_topic_l2, Sx, Cx),
        "sdg": fs.cos(fs.city_sdg_l2, fs.city_sdg_l2, Sx, Cx),
        "kpi": fs.cos(ps.kpi_l2, ps.kpi_l2, Sx, Cx),
        "solved": np.minimum(solved, 1.0),
        "shared_impl": squash(aa),
        "partners": squash(fs.dot(ps.partner_aa, ps.partner, Sx, Cx)),
        "advisers": squash(fs.dot(ps.city_adviser_aa, ps.city_adviser, Sx, Cx)),
        "size": log_size_similarity(fs.city_population[Sx][:, None],
                                    fs.city_population[Cx][None, :]),
        "country": (geo == 1.0).astype(np.float64),
        "region": np.where(geo == 0.5, 1.0, np.where(geo == 0.25, 0.5, 0.0)),
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

    def kpi(s: Local, c: Local) -> str | None:
        K = fs.city_kpi_need
        k = ex.shared(K, s, K, c)
        if not k.size:
            return None
        both = dense(select_rows(K, np.array([s, c])))[:, k].sum(axis=0)
        top = k[np.argsort(-both, kind="stable")[:2]]
        return f"Lags on the same KPIs as you: {quoted(ex.names(KPI, top))}"

    def advisers(s: Local, c: Local) -> str | None:
        A = fs.peers.city_adviser
        m = ex.shared(A, s, A, c)
        m = m[ex.proj.open_to_matches[ex.proj.rows[MEMBER][m]]] if m.size else m
        return f"Has advisers in common with you{ex.people(m[:2])}" if m.size else None

    located = ex.located_builders(CITY, CITY)
    return {"need": need, "solved": solved, "shared_impl": shared_impl, "sdg": sdg,
            "kpi": kpi, "size": size, "ppr": partners, "partners": partners,
            "advisers": advisers, "country": located["geo"], "region": located["geo"],
            "language": located["language"], "text": located["text"]}


SPEC: KindSpec = KindSpec(
    kind=Kind.PEERS,
    subject=CITY,
    candidate=CITY,
    positive=LinkRule(RelType.PARTNERS_WITH, End.SRC, End.DST),
    features=("need", "sdg", "kpi", "solved", "shared_impl", "partners", "advisers", "size",
              "country", "region", "language", "text", "ppr"),
    # a prior only: learned weights replace it (mixed in at training.PRIOR_SHARE)
    default_weights={"need": 0.2, "sdg": 0.1, "kpi": 0.05, "solved": 0.15, "shared_impl": 0.1,
                     "partners": 0.1, "advisers": 0.05, "size": 0.05, "country": 0.025,
                     "region": 0.025, "language": 0.025, "text": 0.075, "ppr": 0.05},
    compute=features,
    reasons=reasons,
    exclude=excluded,
    training=TrainingSpec(hard_share=0.0),
    reverse=Kind.PEERS,
)
