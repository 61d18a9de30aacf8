"""Human-readable reasons for a recommendation, grounded in the graph.

Every reason is built from adjacency lookups on the projection, so each entity it names is
connected to the subject and the candidate exactly as the sentence says (e.g. "Implemented by
Aarhus, which shares your needs "Air quality"" means ``Aarhus -IMPLEMENTED-> candidate`` and
``subject -NEEDS-> Air quality <-NEEDS- Aarhus``). Reasons are chosen in the order of the
components that contributed most to the score (a warm introduction, "2 of your contacts work
for ...", first); at most three. Members are never named in a reason unless they are open to
matches: an ``experts`` candidate, or a contact behind a warm-introduction reason ("2 of your
contacts work for Ghent's city administration: Ana Lopez and 1 other"), where opted-out people
are only counted.

Each kind's sentences are in its module (``reasons(explainer)`` in :mod:`matchmaking.kinds`);
:class:`Explainer` holds the lookups they share. Builders take *local* indices (position inside
the label, :data:`~matchmaking.projection.Local`); :meth:`Explainer.reasons` takes global rows
(:data:`~matchmaking.projection.Row`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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

    # ------------------------------------------------------------------ entry point

    def reasons(self, kind: Kind, s: Row, c: Row, comps: dict[str, float]) -> list[str]:
        """One to three reasons for candidate row ``c`` of subject row ``s``."""
        spec = KINDS[kind]
        builders = self._builders.get(kind)
        if builders is None:
            builders = self._builders[kind] = spec.reasons(self)
        sl, cl = Local(int(self.proj.local[s])), Local(int(self.proj.local[c]))
        # a warm introduction is the most actionable reason: said first whenever it counts
        order = sorted((f for f, v in comps.items() if v > 0 and f in builders),
                       key=lambda f: (f not in WARM, -comps[f], f))
        out: list[str] = []
        for f in [*order, *spec.fallback_reasons]:
            reason = builders[f](sl, cl)
            if reason and reason not in out:
                out.append(reason)
            if len(out) == 3:
                break
        if not out:
            fb = self.geo(s, c, "Located") or self.language(s, c)
            out.append(fb or "Closest match to your profile among the candidates")
        return out

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
        rows = self.proj.rows[Label.CITY][cities]
        lat = np.array([_num(self.proj.props[int(r)].get("lat")) for r in rows], dtype=float)
        lon = np.array([_num(self.proj.props[int(r)].get("lon")) for r in rows], dtype=float)
        return lat, lon

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
        """``"Ana Lopez, Jan Berg and 1 other"``: names of members open to matches (at most
        two), the rest counted; opted-out members are never named."""
        p = self.proj
        rows = p.rows[Label.MEMBER][np.sort(members)]
        named = [p.name(int(r)) for r in rows if p.open_to_matches[int(r)]][:2]
        rest = members.size - len(named)
        if rest:
            named.append(plural(rest, "other", "others") if named else
                         plural(rest, "person", "people"))
        return and_list(named)

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
