"""Human-readable reasons for a recommendation, grounded in the graph.

**Faithful.** Every reason is built by the builder of one feature, and only for a feature
whose component (``weight * value``) is positive for this pair: a reason never cites a
signal that did not raise the score. Each builder reads the same adjacency as its feature,
so every entity a sentence names is connected to the subject and the candidate exactly as
the sentence says (e.g. "Implemented by Aarhus, one of the cities most like yours, which
also needs "Air quality"" means ``Aarhus -IMPLEMENTED-> candidate``, Aarhus is among the
subject's most similar cities (``peer_adoption``), and ``subject -NEEDS-> Air quality
<-NEEDS- Aarhus`` with ``candidate -COVERS-> Air quality``). When no contributing feature
gives a sentence, the reason names the feature that contributes most ("Ranked on: graph
proximity to you"). :attr:`Recommendation.reason_features` records the feature behind each
reason.

**Telling.** Reasons are chosen for a whole list at once (:meth:`Explainer.explain`), so that
they set a candidate apart from the others in the list:

1. a warm introduction ("2 of your contacts work for ...") comes first whenever it counts;
2. then the *telling* reasons, by contribution: those of features from which this candidate
   gets more than the median of the other candidates in the list;
3. then the others, by contribution. A feature that gives every candidate the same
   (the cost level fits your size, for nearly all) is never telling, so it goes last;
4. a sentence given word for word to at least :data:`COMMON_SHARE` of a list of three or
   more is dropped, unless a candidate would be left without a reason.

At most :data:`MAX_REASONS` per candidate. Members are never named in a reason unless they are
open to matches: an ``experts`` candidate, or a contact behind a warm-introduction reason ("2
of your contacts work for Ghent's city administration: Ana Lopez and 1 other"), where
opted-out people are only counted ("Knows 1 person in your city administration").

Each kind's sentences are in its module (``reasons(explainer)`` in :mod:`matchmaking.kinds`);
:class:`Explainer` holds the lookups they share. Builders take *local* indices (position inside
the label, :data:`~matchmaking.projection.Local`); :meth:`Explainer.reasons` takes global rows
(:data:`~matchmaking.projection.Row`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from graph_schema import reference
from graph_schema.schema import Label
from matchmaking.features import FeatureSpace
from matchmaking.kinds import KINDS, Kind
from matchmaking.phrasing import and_list, intersect, plural, quoted
from matchmaking.projection import Local, Row

#: A reason builder: (subject, candidate) local indices -> a sentence, or None if it does not
#: apply to this pair.
Builder = Callable[[Local, Local], str | None]
#: Components whose reason (people the parties know) comes first when it contributes.
WARM = frozenset({"contacts"})
MAX_REASONS = 3
#: A sentence given word for word to at least this share of a list is dropped (see above).
COMMON_SHARE = 0.8
#: How the generic reason names a feature that has no sentence for a pair.
FEATURE_NAMES = {
    "ppr": "graph proximity to you", "text": "similar descriptions", "need": "your needs",
    "popularity": "adoption by many cities", "size": "fit to your size",
    "cost": "fit of its cost to your size", "geo": "location", "language": "language",
    "fit": "fit of its solutions to you", "volume": "its deliveries",
    "lookalike": "likeness to its past clients", "experience": "experience",
    "local_need": "needs near you", "advised_similar": "advice to cities like you",
}


def _median_of_others(M: np.ndarray) -> np.ndarray:
    """``out[i, f]``: the median of column ``f`` of ``M`` without row ``i`` (``n >= 2``).

    Examples
    --------
    >>> _median_of_others(np.array([[1.0], [5.0], [3.0], [4.0]])).ravel().tolist()
    [4.0, 3.0, 4.0, 3.0]
    """
    n = M.shape[0]
    order = np.argsort(M, axis=0, kind="stable")
    S = np.take_along_axis(M, order, axis=0)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(n)[:, None], M.shape), axis=0)

    def reduced(j: int) -> np.ndarray:  # j-th smallest of the column without row i
        return np.take_along_axis(S, j + (j >= rank).astype(np.int64), axis=0)

    return (reduced((n - 2) // 2) + reduced((n - 1) // 2)) / 2


def _num(v: Any) -> float:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else float("nan")


class Explainer:
    """The lookups reasons are built from, and the reasons of one (subject, candidate) pair.

    Parameters
    ----------
    fs : FeatureSpace
        The feature space of the snapshot (its matrices are read, never changed).
    """

    def __init__(self, fs: FeatureSpace) -> None:
        self.fs = fs
        self.proj = fs.proj
        self.solution_city = sp.csr_array(fs.city_solution.T)  # solution -> its implementers
        self.solution_provider = sp.csr_array(fs.provider_solution.T)  # solution -> its sellers
        self.provider_city_delivered = sp.csr_array(fs.city_provider_delivered.T)
        self.city_member_staff = sp.csr_array(fs.member_city_staff.T)  # city -> its officials
        self.provider_member_staff = sp.csr_array(fs.member_provider_staff.T)  # provider -> staff
        self.city_member_advised = sp.csr_array(fs.member_city_advised.T)  # city -> advisers
        self._builders: dict[Kind, dict[str, Builder]] = {}  # reason builders by kind, made once
        self._coords: tuple[np.ndarray, np.ndarray] | None = None

    # ------------------------------------------------------------------ entry point

    def reasons(self, kind: Kind, s: Row, c: Row, comps: dict[str, float]) -> list[str]:
        """One to three reasons for candidate row ``c`` of subject row ``s`` alone (no list
        to stand out from: by contribution)."""
        return [r for _, r in self.explain(kind, s, [c], [comps])[0]]

    def explain(self, kind: Kind, s: Row, cands: Sequence[Row],
                comps: Sequence[dict[str, float]]) -> list[list[tuple[str, str]]]:
        """``(feature, sentence)`` reasons of each candidate of one list, most telling first.

        Parameters
        ----------
        kind : Kind
        s : Row
            The subject.
        cands : sequence of Row
            The candidates of the list, in its order.
        comps : sequence of dict
            Each candidate's components (feature -> ``weight * value``).

        Returns
        -------
        list of list of (str, str)
            Per candidate, one to :data:`MAX_REASONS` reasons with the feature behind each
            (see the module docstring for the rule).
        """
        builders = self._builders.get(kind)
        if builders is None:
            builders = self._builders[kind] = KINDS[kind].reasons(self)
        sl = Local(int(self.proj.local[s]))
        typical: list[dict[str, float]] = [{} for _ in cands]  # median of the others
        if len(cands) >= 3:
            feats = sorted({f for cp in comps for f in cp})
            M = np.array([[cp.get(f, 0.0) for f in feats] for cp in comps])
            typical = [dict(zip(feats, row, strict=True))
                       for row in _median_of_others(M).tolist()]
        streams = [self._stream(builders, sl, Local(int(self.proj.local[c])), cp, ty)
                   for c, cp, ty in zip(cands, comps, typical, strict=True)]
        pulled: list[list[tuple[str, str]]] = [[] for _ in streams]

        def shown(i: int, common: set[str]) -> list[tuple[str, str]]:
            """Candidate ``i``'s first reasons that are not common, pulling as needed."""
            kept = [x for x in pulled[i] if x[1] not in common]
            for x in streams[i]:
                if len(kept) >= MAX_REASONS:
                    break
                pulled[i].append(x)
                if x[1] not in common:
                    kept.append(x)
            return kept[:MAX_REASONS]

        # Drop sentences given to COMMON_SHARE of the list; a successor pulled in to replace
        # one may make another sentence common, so repeat until nothing new is common.
        common: set[str] = set()
        while True:
            lists = [shown(i, common) for i in range(len(streams))]
            if len(cands) < 3:
                break
            counts = Counter(r for xs in lists for _, r in xs)
            more = {r for r, n in counts.items() if n >= COMMON_SHARE * len(cands)} - common
            if not more:
                break
            common |= more
        out = []
        for i, (kept, cp) in enumerate(zip(lists, comps, strict=True)):
            out.append(kept or pulled[i][:1] or [self._generic(cp)])
        return out

    @staticmethod
    def _stream(builders: dict[str, Builder], s: Local, c: Local, comps: dict[str, float],
                typical: dict[str, float]) -> Iterator[tuple[str, str]]:
        """The pair's reasons, lazily, in the order of the module docstring (``typical``:
        the median component of the other candidates; empty: a list too short to tell)."""
        def key(f: str) -> tuple[bool, bool, float, str]:
            telling = not typical or comps[f] > typical.get(f, 0.0) + 1e-9
            return (f not in WARM, not telling, -comps[f], f)

        seen: set[str] = set()
        for f in sorted((f for f, v in comps.items() if v > 0 and f in builders), key=key):
            reason = builders[f](s, c)
            if reason and reason not in seen:
                seen.add(reason)
                yield f, reason

    @staticmethod
    def _generic(comps: dict[str, float]) -> tuple[str, str]:
        """The reason of a pair whose contributing features have no sentence for it."""
        best = max(sorted(comps), key=lambda f: comps[f], default=None)
        if best is None or comps[best] <= 0:
            return "", "Closest match to your profile among the candidates"
        return best, f"Ranked on {FEATURE_NAMES.get(best, best.replace('_', ' '))}"

    # ------------------------------------------------------------------ shared builders

    def located_builders(self, s_lab: Label, c_lab: Label) -> dict[str, Builder]:
        """The ``geo``, ``language`` and ``text`` reasons of a pair of located labels."""
        rows = self.proj.rows
        who = "Located" if c_lab is Label.CITY else "Based"
        return {
            "geo": lambda s, c: self.geo(Row(int(rows[s_lab][s])), Row(int(rows[c_lab][c])), who),
            "language": lambda s, c: self.language(Row(int(rows[s_lab][s])),
                                                   Row(int(rows[c_lab][c]))),
            "text": self.text_builder(s_lab, c_lab),
        }

    def text_builder(self, s_lab: Label, c_lab: Label) -> Builder:
        """The ``text`` reason: the terms that contribute most to the descriptions' cosine."""
        return lambda s, c: self.terms(s_lab, s, c_lab, c)

    # ------------------------------------------------------------------ lookups

    @staticmethod
    def row(X: sp.csr_array, i: int) -> np.ndarray:
        """Column indices of the non-zeros of row ``i`` (e.g. the topics a city needs)."""
        return X.indices[X.indptr[i]:X.indptr[i + 1]]

    def names(self, lab: Label, local: Sequence[int] | np.ndarray) -> list[str]:
        """Names of nodes of label ``lab`` at the given local indices."""
        rows = self.proj.rows[lab]
        return [self.proj.name(int(rows[i])) for i in local]

    def shared(self, A: sp.csr_array, i: int, B: sp.csr_array, j: int) -> np.ndarray:
        """Sorted common column indices of row ``i`` of ``A`` and row ``j`` of ``B``."""
        return intersect(self.row(A, i), self.row(B, j))

    def by_similarity(self, city: int, others: np.ndarray) -> np.ndarray:
        """Cities ``others`` ordered by profile similarity to ``city`` (then by index)."""
        others = others[others != city]
        if not others.size:
            return others
        if self.fs.has_sim_row(city) or 8 * others.size >= self.solution_city.shape[1]:
            sim = self.fs.city_sim_row(city)[others]
        else:  # a few cities: cheaper than the city's whole similarity row
            sim = self.fs.city_sim(np.array([city]), others)[0]
        return others[np.lexsort((others, -np.round(sim, 9)))]

    def country_name(self, row: Row) -> str:
        code = self.proj.country[row]
        info = reference.country(code) if code else None
        return str(info["name"]) if info else (code or "")

    def coords(self, cities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Latitude and longitude of cities (local indices); NaN where unknown."""
        if self._coords is None:  # every city's, read once
            rows = self.proj.rows[Label.CITY].tolist()
            self._coords = (
                np.array([_num(self.proj.props[r].get("lat")) for r in rows], dtype=float),
                np.array([_num(self.proj.props[r].get("lon")) for r in rows], dtype=float))
        return self._coords[0][cities], self._coords[1][cities]

    def sdg_name(self, local: int) -> str:
        """``"SDG 11 (Sustainable cities and communities)"``."""
        row = int(self.proj.rows[Label.SDG][local])
        props = self.proj.props[row]
        num = props.get("number") or self.proj.ids[row].removeprefix("sdg:")
        return f"SDG {num} ({props['name']})" if props.get("name") else f"SDG {num}"

    def terms(self, a_lab: Label, a: Local, b_lab: Label, b: Local) -> str | None:
        """``Descriptions share the terms ...``: :meth:`scoring.TextSimilarity.top_terms`."""
        top = self.fs.top_terms(a_lab, a, b_lab, b, k=3)
        return f"Descriptions share the terms {quoted(top)}" if top else None

    def geo(self, s: Row, c: Row, who: str) -> str | None:
        """``"<who> in Denmark, like you"`` or ``"... in your region (Northern Europe)"``."""
        p = self.proj
        if p.country[s] and p.country[s] == p.country[c]:
            return f"{who} in {self.country_name(c)}, like you"
        if p.subregion[s] and p.subregion[s] == p.subregion[c]:
            return f"{who} in {self.country_name(c)}, in your region ({p.subregion[c]})"
        return None

    def language(self, s: Row, c: Row) -> str | None:
        shared = sorted(self.proj.languages[s] & self.proj.languages[c])
        return f"Speaks your language ({', '.join(shared)})" if shared else None

    def people(self, members: np.ndarray) -> str:
        """``": Ana Lopez, Jan Berg and 1 other"``: names of members open to matches (at
        most two), the rest counted; opted-out members are never named. Empty when nobody
        may be named (the sentence has already said how many people there are)."""
        p = self.proj
        rows = p.rows[Label.MEMBER][np.sort(members)]
        named = [p.name(int(r)) for r in rows if p.open_to_matches[int(r)]][:2]
        if not named:
            return ""
        rest = members.size - len(named)
        if rest:
            named.append(plural(rest, "other", "others"))
        return ": " + and_list(named)

    def known_among(self, people: np.ndarray, group: np.ndarray) -> np.ndarray:
        """Members of ``group`` known by at least one of ``people`` (local member indices)."""
        if not people.size or not group.size:
            return np.zeros(0, dtype=np.int64)
        kn = self.fs.member_knows
        known: set[int] = set()
        for x in people:
            known.update(self.row(kn, int(x)).tolist())
        dtype = np.result_type(kn.indices.dtype, group.dtype)
        return np.array(sorted(known.intersection(group.tolist())), dtype=dtype)

    def city_admin(self, city: int) -> str:
        return f"{self.names(Label.CITY, [city])[0]}'s city administration"
