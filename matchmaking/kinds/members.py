"""``experts`` (City -> Member) and ``opportunities`` (Member -> City): advice, both ways.

A positive is an ``ADVISED`` link (member -> city); a city's own staff (``WORKS_FOR``) is
known too, so it is not recommended as an expert. Only members open to matches are
candidates. Both kinds share the (city, member) features: the member's expertise on the
city's needs (``need``, and ``local_need`` when they are also nearby), how similar the cities
the member advised are (``advised_similar``), experience, geography, language, text, graph
proximity and warm introductions (``contacts``: the member knows people working for the city;
``network``: the member knows people who advised it). Each kind is the other's ``reverse``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from graph_schema.schema import Label, RelType
from matchmaking.kinds import End, Kind, KindSpec, LinkRule, TrainingSpec
from matchmaking.phrasing import and_list, intersect, plural, quoted
from matchmaking.projection import IntArray, Local
from scoring.sparse import is_full_range, select_rows

if TYPE_CHECKING:
    from matchmaking.explain import Builder, Explainer
    from matchmaking.features import FeatureSpace

FloatArray = NDArray[np.float64]
CITY, MEMBER, TOPIC = Label.CITY, Label.MEMBER, Label.TOPIC


def _advised_similar(fs: FeatureSpace, cities: IntArray, members: IntArray) -> FloatArray:
    """Mean profile similarity of each city to the cities each member advised."""
    if cities.size <= members.size:  # few cities (a request): all members at once
        n_c = fs.proj.rows[CITY].size
        full = (fs.city_sim_row(int(cities[0]))[None, :] if cities.size == 1
                else fs.city_sim(cities, np.arange(n_c)))
        out = np.asarray(fs.member_city_advised_l1 @ full.T).T  # (|cities|, all members)
        return (out if is_full_range(members, fs.member_city_advised_l1.shape[0])
                else out[:, members])
    advised = select_rows(fs.member_city_advised_l1, members)
    used = np.unique(advised.indices)
    if not used.size:
        return np.zeros((cities.size, members.size))
    sim = fs.city_sim(cities, used)  # (|cities|, |used|)
    return np.asarray(sp.csr_array(advised[:, used]) @ sim.T).T


def _member_side(fs: FeatureSpace, Cx: IntArray, Mx: IntArray) -> dict[str, FloatArray]:
    """Features of (city, member) pairs, shape (|Cx|, |Mx|): shared by experts and
    opportunities (the latter transposes them)."""
    exp = np.log1p(fs.member_advised_count)
    etop = exp.max() if exp.size and exp.max() > 0 else 1.0
    need = fs.cos(fs.city_topic_l2, fs.member_topic_l2, Cx, Mx)
    geo = fs.geo(CITY, MEMBER, Cx, Mx)
    return {
        "need": need,
        "advised_similar": np.minimum(_advised_similar(fs, Cx, Mx), 1.0),
        "language": fs.language(CITY, MEMBER, Cx, Mx),
        "geo": geo,
        "local_need": need * geo,
        "text": fs.text_sim(CITY, MEMBER, Cx, Mx),
        "experience": np.broadcast_to(exp[Mx][None, :] / etop, (Cx.size, Mx.size)),
    }


def expert_features(fs: FeatureSpace, Sx: IntArray, Cx: IntArray,
                    upstream: Mapping[str, float] | None = None) -> dict[str, FloatArray]:
    """``experts`` features: cities ``Sx`` x members ``Cx`` (local indices)."""
    out = _member_side(fs, Sx, Cx)
    out["ppr"] = fs.ppr_block(CITY, MEMBER, Sx, Cx)
    out["contacts"] = fs.path_counts(fs.city_member_contacts, Sx, Cx)
    out["network"] = fs.path_counts(fs.city_member_network, Sx, Cx)
    return out


def opportunity_features(fs: FeatureSpace, Sx: IntArray, Cx: IntArray,
                         upstream: Mapping[str, float] | None = None) -> dict[str, FloatArray]:
    """``opportunities`` features: members ``Sx`` x cities ``Cx`` (local indices)."""
    out = {k: np.asarray(v).T for k, v in _member_side(fs, Cx, Sx).items()}
    out["ppr"] = fs.ppr_block(MEMBER, CITY, Sx, Cx)
    out["contacts"] = fs.path_counts(fs.member_city_contacts, Sx, Cx)
    out["network"] = fs.path_counts(fs.member_city_network, Sx, Cx)
    return out


def expert_reasons(ex: Explainer) -> dict[str, Builder]:
    """The reason builders of each feature."""
    fs = ex.fs

    def need(s: Local, c: Local) -> str | None:
        t = ex.shared(fs.city_topic, s, fs.member_topic, c)
        return f"Expert in {quoted(ex.names(TOPIC, t[:3]))}, which you need" if t.size else None

    def advised(s: Local, c: Local) -> str | None:
        cities = ex.by_similarity(s, ex.row(fs.member_city_advised, c))
        if not cities.size:
            return None
        if cities.size <= 2:
            return f"Advised {and_list(ex.names(CITY, cities))}"
        return (f"Advised {cities.size} cities, including "
                f"{and_list(ex.names(CITY, cities[:2]))}")

    def contacts(s: Local, c: Local) -> str | None:
        known = intersect(ex.row(fs.member_knows, c), ex.row(ex.city_member_staff, s))
        if not known.size:
            return None
        return (f"Knows {plural(known.size, 'person', 'people')} in your city "
                f"administration{ex.people(known)}")

    def network(s: Local, c: Local) -> str | None:
        known = intersect(ex.row(fs.member_knows, c), ex.row(ex.city_member_advised, s))
        if not known.size:
            return None
        return (f"Knows {plural(known.size, 'person', 'people')} who advised you"
                f"{ex.people(known)}")

    return {"need": need, "ppr": need, "advised_similar": advised, "experience": advised,
            "contacts": contacts, "network": network, "local_need": need,
            **ex.located_builders(CITY, MEMBER)}


def opportunity_reasons(ex: Explainer) -> dict[str, Builder]:
    """The reason builders of each feature."""
    fs = ex.fs

    def need(s: Local, c: Local) -> str | None:
        t = ex.shared(fs.member_topic, s, fs.city_topic, c)
        return f"Needs {quoted(ex.names(TOPIC, t[:3]))}, your expertise" if t.size else None

    def advised(s: Local, c: Local) -> str | None:
        cities = ex.by_similarity(c, ex.row(fs.member_city_advised, s))
        return (f"Similar to {ex.names(CITY, cities[:1])[0]}, which you advised"
                if cities.size else None)

    def contacts(s: Local, c: Local) -> str | None:
        known = intersect(ex.row(fs.member_knows, s), ex.row(ex.city_member_staff, c))
        if not known.size:
            return None
        verb = "works" if known.size == 1 else "work"
        return (f"{known.size} of your contacts {verb} "
                f"for {ex.city_admin(c)}{ex.people(known)}")

    def network(s: Local, c: Local) -> str | None:
        known = intersect(ex.row(fs.member_knows, s), ex.row(ex.city_member_advised, c))
        if not known.size:
            return None
        return (f"{known.size} of your contacts advised "
                f"{ex.names(CITY, [c])[0]}{ex.people(known)}")

    return {"need": need, "ppr": need, "advised_similar": advised, "contacts": contacts,
            "network": network, "local_need": need, **ex.located_builders(MEMBER, CITY)}


_FEATURES = ("need", "advised_similar", "language", "geo", "text", "ppr", "experience",
             "contacts", "network", "local_need")
_DEFAULTS = {"need": 0.4, "advised_similar": 0.15, "language": 0.1, "geo": 0.05, "text": 0.15,
             "ppr": 0.1, "experience": 0.05, "contacts": 0.15, "network": 0.05}
#: Advice is sparse: a member advised a few of thousands of cities, so uniform negatives are
#: separated by mere connectedness (``ppr``) and a model fitted on them orders the plausible
#: candidates badly. Both kinds learn from hard negatives only (what serving has to re-order);
#: opportunities also from more subjects. When no feature orders the hard negatives below the
#: positives, the kind keeps its default weights (e.g. experts on the demo data).
EXPERTS: KindSpec = KindSpec(
    kind=Kind.EXPERTS,
    subject=CITY,
    candidate=MEMBER,
    positive=LinkRule(RelType.ADVISED, End.DST, End.SRC),
    also_known=(LinkRule(RelType.WORKS_FOR, End.DST, End.SRC),),
    features=_FEATURES,
    default_weights=_DEFAULTS,
    compute=expert_features,
    reasons=expert_reasons,
    training=TrainingSpec(hard_share=1.0),
    reverse=Kind.OPPORTUNITIES,
)
OPPORTUNITIES: KindSpec = KindSpec(
    kind=Kind.OPPORTUNITIES,
    subject=MEMBER,
    candidate=CITY,
    positive=LinkRule(RelType.ADVISED, End.SRC, End.DST),
    also_known=(LinkRule(RelType.WORKS_FOR, End.SRC, End.DST),),
    features=_FEATURES,
    default_weights=_DEFAULTS,
    compute=opportunity_features,
    reasons=opportunity_reasons,
    training=TrainingSpec(hard_share=1.0, max_subjects=800),
    reverse=Kind.EXPERTS,
)
