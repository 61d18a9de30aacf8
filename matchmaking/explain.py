"""Human-readable reasons for a recommendation, grounded in the graph.

Every reason is built from adjacency lookups on the projection, so each entity it names is
connected to the subject and the candidate exactly as the sentence says (e.g. "Implemented by
Aarhus, which shares your needs "Air quality"" means ``Aarhus -IMPLEMENTED-> candidate`` and
``subject -NEEDS-> Air quality <-NEEDS- Aarhus``). Reasons are chosen in the order of the
components that contributed most to the score (a warm introduction, "2 of your contacts work
for ...", first); at most three. Members are never named in a
reason unless they are open to matches: an ``experts`` candidate, or a contact behind a
warm-introduction reason ("2 of your contacts work for Ghent's city administration: Ana
Lopez and 1 other"), where opted-out people are only counted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from graph_schema import reference
from graph_schema.schema import Label
from matchmaking.features import FeatureSpace

C, S, P, M, T, G, K = (Label.CITY, Label.SOLUTION, Label.PROVIDER, Label.MEMBER, Label.TOPIC,
                       Label.SDG, Label.KPI)
Builder = Callable[[int, int], str | None]
#: Components whose reason (people the parties know) comes first when it contributes.
WARM = frozenset({"contacts"})


def _and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _q(items: Sequence[str]) -> str:
    return _and([f'"{x}"' for x in items])


def _num(v: Any) -> float:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else float("nan")


def _km(lat0: float, lon0: float, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle distance in km (haversine)."""
    p0, p1 = np.radians(lat0), np.radians(lat)
    dl = np.radians(lon - lon0)
    a = np.sin((p1 - p0) / 2) ** 2 + np.cos(p0) * np.cos(p1) * np.sin(dl / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _inter(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.intersect1d(a, b)`` for short integer arrays: sorted unique common values."""
    dtype = np.result_type(a.dtype, b.dtype)
    if not a.size or not b.size:
        return np.zeros(0, dtype=dtype)
    return np.array(sorted(set(a.tolist()).intersection(b.tolist())), dtype=dtype)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


class Explainer:
    """Builds the reasons of one (subject, candidate) pair of a kind."""

    def __init__(self, fs: FeatureSpace) -> None:
        self.fs = fs
        self.p = fs.proj
        self.CIt = sp.csr_array(fs.CI.T)
        self.POt = sp.csr_array(fs.PO.T)
        self.Dt = sp.csr_array(fs.D.T)
        self.WFt = sp.csr_array(fs.WF.T)  # city -> its officials
        self.WFPt = sp.csr_array(fs.WFP.T)  # provider -> its staff
        self.MAt = sp.csr_array(fs.MA.T)  # city -> members who advised it
        self._builders: dict[str, dict[str, Any]] = {}  # reason builders by kind, made once

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _row(X: sp.csr_array, i: int) -> np.ndarray:
        return X.indices[X.indptr[i]:X.indptr[i + 1]]

    def _names(self, lab: Label, local: Sequence[int] | np.ndarray) -> list[str]:
        rows = self.p.rows[lab]
        return [self.p.name(int(rows[i])) for i in local]

    def _shared(self, A: sp.csr_array, i: int, B: sp.csr_array, j: int) -> np.ndarray:
        """Sorted common column indices of row ``i`` of ``A`` and row ``j`` of ``B`` (what
        ``np.intersect1d`` returns; a set intersection is much cheaper on such short rows)."""
        a, b = self._row(A, i), self._row(B, j)
        return _inter(a, b)

    def _by_similarity(self, city: int, others: np.ndarray) -> np.ndarray:
        """Cities ``others`` ordered by profile similarity to ``city`` (then by id)."""
        others = others[others != city]
        if not others.size:
            return others
        if city in self.fs._sim_cache or 8 * others.size >= self.CIt.shape[1]:
            sim = self._sim_row(city)[others]
        else:  # a few cities: cheaper than the city's whole similarity row
            sim = self.fs.city_sim(np.array([city]), others)[0]
        return others[np.lexsort((others, -np.round(sim, 9)))]

    def _sim_row(self, city: int) -> np.ndarray:
        return self.fs.city_sim_row(city)

    def _country(self, row: int) -> str:
        code = self.p.country[row]
        info = reference.country(code) if code else None
        return str(info["name"]) if info else (code or "")

    def _coords(self, cities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = self.p.rows[C][cities]
        lat = np.array([_num(self.p.props[int(r)].get("lat")) for r in rows], dtype=float)
        lon = np.array([_num(self.p.props[int(r)].get("lon")) for r in rows], dtype=float)
        return lat, lon

    def _sdg(self, local: int) -> str:
        row = int(self.p.rows[G][local])
        props = self.p.props[row]
        num = props.get("number") or self.p.ids[row].removeprefix("sdg:")
        return f"SDG {num} ({props['name']})" if props.get("name") else f"SDG {num}"

    def _terms(self, a_lab: Label, a: int, b_lab: Label, b: int) -> str | None:
        X, Y = self.fs.text[a_lab], self.fs.text[b_lab]
        ia, da = X.indices[X.indptr[a]:X.indptr[a + 1]], X.data[X.indptr[a]:X.indptr[a + 1]]
        ib, db = Y.indices[Y.indptr[b]:Y.indptr[b + 1]], Y.data[Y.indptr[b]:Y.indptr[b + 1]]
        common, pa, pb = np.intersect1d(ia, ib, assume_unique=True, return_indices=True)
        if not common.size or self.fs.terms is None:
            return None
        vals = da[pa] * db[pb]
        order = np.lexsort((common, -vals))[:3]
        terms = [str(self.fs.terms[common[i]]) for i in order]
        return f"Descriptions share the terms {_q(terms)}"

    def _geo(self, s: int, c: int, who: str) -> str | None:
        p = self.p
        if p.country[s] and p.country[s] == p.country[c]:
            return f"{who} in {self._country(c)}, like you"
        if p.subregion[s] and p.subregion[s] == p.subregion[c]:
            return f"{who} in {self._country(c)}, in your region ({p.subregion[c]})"
        return None

    def _people(self, members: np.ndarray) -> str:
        """``"Ana Lopez, Jan Berg and 1 other"``: names of members open to matches (at most
        two), the rest counted; opted-out members are never named."""
        rows = self.p.rows[M][np.sort(members)]
        named = [self.p.name(int(r)) for r in rows if self.p.open_to_matches[int(r)]][:2]
        rest = members.size - len(named)
        if rest:
            named.append(_plural(rest, "other", "others") if named else
                         _plural(rest, "person", "people"))
        return _and(named)

    def _known_among(self, people: np.ndarray, group: np.ndarray) -> np.ndarray:
        """Members of ``group`` known by at least one of ``people`` (local member indices)."""
        if not people.size or not group.size:
            return np.zeros(0, dtype=np.int64)
        kn = self.fs.KN
        known: set[int] = set()
        for x in people:
            known.update(self._row(kn, int(x)).tolist())
        dtype = np.result_type(kn.indices.dtype, group.dtype)
        return np.array(sorted(known.intersection(group.tolist())), dtype=dtype)

    def _city_admin(self, city_local: int) -> str:
        return f"{self._names(C, [city_local])[0]}'s city administration"

    def _language(self, s: int, c: int) -> str | None:
        shared = sorted(self.p.languages[s] & self.p.languages[c])
        return f"Speaks your language ({', '.join(shared)})" if shared else None

    # ------------------------------------------------------------------ entry point

    def reasons(self, kind: str, s: int, c: int, comps: dict[str, float]) -> list[str]:
        """One to three reasons for candidate row ``c`` of subject row ``s``."""
        builders: dict[str, Builder] | None = self._builders.get(kind)
        if builders is None:
            builders = self._builders[kind] = getattr(self, f"_{kind}")()
        sl, cl = int(self.p.local[s]), int(self.p.local[c])
        # a warm introduction is the most actionable reason: said first whenever it counts
        order = sorted((f for f, v in comps.items() if v > 0 and f in builders),
                       key=lambda f: (f not in WARM, -comps[f], f))
        out: list[str] = []
        extra: list[str] = list(builders.get("_extra_order", []))  # type: ignore[arg-type]
        for f in [*order, *extra]:
            reason = builders[f](sl, cl)
            if reason and reason not in out:
                out.append(reason)
            if len(out) == 3:
                break
        if not out:
            fb = self._geo(s, c, "Located") or self._language(s, c)
            out.append(fb or "Closest match to your profile among the candidates")
        return out

    # ------------------------------------------------------------------ solutions

    def _solutions(self) -> dict[str, Any]:
        fs = self.fs

        def need(s: int, c: int) -> str | None:
            t = self._shared(fs.CT, s, fs.ST, c)
            return f"Covers your needs {_q(self._names(T, t[:3]))}" if t.size else None

        def adopted(s: int, c: int) -> str | None:
            impl = self._by_similarity(s, self._row(self.CIt, c))
            if not impl.size:
                return None
            for named in (impl[:2], impl[:1]):
                common = self._row(fs.CT, s)
                for x in named:
                    common = _inter(common, self._row(fs.CT, int(x)))
                if common.size:
                    verb = "share" if len(named) > 1 else "shares"
                    return (f"Implemented by {_and(self._names(C, named))}, which {verb} your "
                            f"needs {_q(self._names(T, common[:2]))}")
            rest = impl.size - 2
            more = f" and {_plural(rest, 'other city', 'other cities')}" if rest > 0 else ""
            return f"Implemented by {_and(self._names(C, impl[:2]))}{more}"

        def collab(s: int, c: int) -> str | None:
            mine = self._row(fs.CI, s)
            for other in self._by_similarity(s, self._row(self.CIt, c)):
                both = _inter(mine, self._row(fs.CI, int(other)))
                if both.size:
                    return (f"{self._names(C, [other])[0]} implemented it together with "
                            f"{_q(self._names(S, both[:1]))}, which you implemented too")
            return None

        def sdg(s: int, c: int) -> str | None:
            g = self._shared(fs.CG, s, fs.SG, c)
            return (f"Addresses your priority {_and([self._sdg(int(x)) for x in g[:2]])}"
                    if g.size else None)

        def kpi(s: int, c: int) -> str | None:
            ks = self._row(fs.SK, c)
            if not ks.size:
                return None
            gaps = fs.kpi_gap[s, ks]
            best = int(np.lexsort((ks, -gaps))[0])
            if gaps[best] < 0.5:
                return None
            name = self._names(K, [ks[best]])[0]
            return (f'Improves "{name}", where {round(100 * gaps[best])}% of reporting cities '
                    "do better than you")

        def cost(s: int, c: int) -> str | None:
            lvl = self.p.props[int(self.p.rows[S][c])].get("cost")
            fit = fs.cost_fit(fs.band[[s]], fs.sol_cost[[c]])[0, 0]
            return f"Its cost level ({lvl}) fits a city of your size" if lvl and fit >= 1 else None

        def provider(s: int, c: int) -> str | None:
            provs = self._row(self.POt, c)
            if not provs.size:
                return None
            city = int(self.p.rows[C][s])
            sub = self.p.subregion[city]
            counts = []
            for pv in provs:
                delivered = self.p.rows[C][self._row(self.Dt, int(pv))]
                counts.append(sum(1 for x in delivered if sub and self.p.subregion[x] == sub
                                  and x != city))
            best = int(np.lexsort((provs, -np.asarray(counts)))[0])
            prow = int(self.p.rows[P][provs[best]])
            where = f" ({self.p.country[prow]})" if self.p.country[prow] else ""
            active = (f", active in {_plural(counts[best], 'city', 'cities')} of your region"
                      if counts[best] else "")
            return f"Offered by {self.p.name(prow)}{where}{active}"

        def nearby(s: int, c: int) -> str | None:
            impl = self._row(self.CIt, c)
            near = self._row(fs.near_adopt, s)  # solutions adopted by the nearest cities
            if not impl.size or c not in near:
                return None
            lat, lon = self._coords(impl)
            here = self._coords(np.array([s]))
            if not np.isfinite(here[0][0]):
                return None
            d = _km(here[0][0], here[1][0], lat, lon)
            ok = np.isfinite(d) & (impl != s)
            if not ok.any():
                return None
            order = np.lexsort((impl[ok], d[ok]))
            closest = impl[ok][order[:2]]
            dist = d[ok][order[:2]]
            return ("Implemented nearby: " + _and([f"{n} ({x:,.0f} km)" for n, x in zip(
                self._names(C, closest), dist, strict=True)]))

        return {"need": need, "peer_adoption": adopted, "popularity": adopted,
                "nearby": nearby,
                "collab": collab, "sdg": sdg, "kpi": kpi, "cost": cost, "size": adopted,
                "text": lambda s, c: self._terms(C, s, S, c), "ppr": provider,
                "_extra_order": ["ppr"]}

    # ------------------------------------------------------------------ providers

    def _providers(self) -> dict[str, Any]:
        fs = self.fs
        rows = self.p.rows

        def offers(s: int, c: int) -> str | None:
            sols = self._row(fs.PO, c)
            if not sols.size:
                return None
            mine = set(self._row(fs.CT, s).tolist())
            shared = [sorted(mine.intersection(self._row(fs.ST, int(x)).tolist()))
                      for x in sols]
            best = int(np.lexsort((sols, -np.array([len(x) for x in shared])))[0])
            name = self._names(S, [sols[best]])[0]
            if shared[best]:
                needs = _q(self._names(T, shared[best][:2]))
                return f'Offers "{name}", which covers your needs {needs}'
            return f'Offers "{name}"'

        def need(s: int, c: int) -> str | None:
            t = self._shared(fs.CT, s, fs.PT, c)
            return f"Its solutions cover your needs {_q(self._names(T, t[:3]))}" if t.size else None

        def track(s: int, c: int) -> str | None:
            cities = self._by_similarity(s, self._row(self.Dt, c))
            if not cities.size:
                return None
            return (f"Delivered solutions to {_plural(cities.size, 'city', 'cities')}, including "
                    f"{_and(self._names(C, cities[:2]))}")

        def region(s: int, c: int) -> str | None:
            sub = self.p.subregion[int(rows[C][s])]
            cities = [int(x) for x in self._row(self.Dt, c)
                      if x != s and sub and self.p.subregion[int(rows[C][x])] == sub]
            if not cities:
                return None
            return (f"Active in {_plural(len(cities), 'city', 'cities')} of {sub}, e.g. "
                    f"{self._names(C, cities[:1])[0]}")

        def contacts(s: int, c: int) -> str | None:
            known = self._known_among(self._row(self.WFPt, c), self._row(self.WFt, s))
            if not known.size:
                return None
            return (f"Its team knows {_plural(known.size, 'person', 'people')} in your city "
                    f"administration: {self._people(known)}")

        return {"fit": offers, "need": need, "track": track, "volume": track, "region": region,
                "contacts": contacts,
                "geo": lambda s, c: self._geo(int(rows[C][s]), int(rows[P][c]), "Based"),
                "language": lambda s, c: self._language(int(rows[C][s]), int(rows[P][c])),
                "text": lambda s, c: self._terms(C, s, P, c), "ppr": offers,
                "_extra_order": ["fit"]}

    # ------------------------------------------------------------------ peers

    def _peers(self) -> dict[str, Any]:
        fs = self.fs
        rows = self.p.rows

        def need(s: int, c: int) -> str | None:
            t = self._shared(fs.CT, s, fs.CT, c)
            return f"Shares your needs {_q(self._names(T, t[:3]))}" if t.size else None

        def solved(s: int, c: int) -> str | None:
            mine = self._row(fs.CT, s)
            for sol in self._row(fs.CI, c):
                t = _inter(mine, self._row(fs.ST, int(sol)))
                if t.size:
                    return (f'Already implemented "{self._names(S, [sol])[0]}", which covers '
                            f"your need {_q(self._names(T, t[:1]))}")
            return None

        def shared_impl(s: int, c: int) -> str | None:
            x = self._shared(fs.CI, s, fs.CI, c)
            return (f"Implemented the same solutions as you: {_q(self._names(S, x[:2]))}"
                    if x.size else None)

        def sdg(s: int, c: int) -> str | None:
            g = self._shared(fs.CG, s, fs.CG, c)
            return (f"Shares your priorities {_and([self._sdg(int(x)) for x in g[:2]])}"
                    if g.size else None)

        def size(s: int, c: int) -> str | None:
            a, b = self.p.population[rows[C][s]], self.p.population[rows[C][c]]
            if not (a > 0 and b > 0) or abs(np.log10(a / b)) > 0.3:  # beyond a factor 2
                return None
            return f"Similar size: {int(b):,} inhabitants (you: {int(a):,})"

        def partners(s: int, c: int) -> str | None:
            x = self._shared(fs.CP, s, fs.CP, c)
            return f"Partners with {_and(self._names(C, x[:2]))}, like you" if x.size else None

        return {"need": need, "solved": solved, "shared_impl": shared_impl, "sdg": sdg,
                "size": size, "ppr": partners,
                "geo": lambda s, c: self._geo(int(rows[C][s]), int(rows[C][c]), "Located"),
                "language": lambda s, c: self._language(int(rows[C][s]), int(rows[C][c])),
                "text": lambda s, c: self._terms(C, s, C, c), "_extra_order": ["need"]}

    # ------------------------------------------------------------------ members

    def _experts(self) -> dict[str, Any]:
        fs = self.fs
        rows = self.p.rows

        def need(s: int, c: int) -> str | None:
            t = self._shared(fs.CT, s, fs.MT, c)
            return f"Expert in {_q(self._names(T, t[:3]))}, which you need" if t.size else None

        def advised(s: int, c: int) -> str | None:
            cities = self._by_similarity(s, self._row(fs.MA, c))
            if not cities.size:
                return None
            if cities.size <= 2:
                return f"Advised {_and(self._names(C, cities))}"
            return (f"Advised {cities.size} cities, including "
                    f"{_and(self._names(C, cities[:2]))}")

        def contacts(s: int, c: int) -> str | None:
            known = _inter(self._row(fs.KN, c), self._row(self.WFt, s))
            if not known.size:
                return None
            return (f"Knows {_plural(known.size, 'person', 'people')} in your city "
                    f"administration: {self._people(known)}")

        def network(s: int, c: int) -> str | None:
            known = _inter(self._row(fs.KN, c), self._row(self.MAt, s))
            if not known.size:
                return None
            return (f"Knows {_plural(known.size, 'person', 'people')} who advised you: "
                    f"{self._people(known)}")

        return {"need": need, "ppr": need, "advised_similar": advised, "experience": advised,
                "contacts": contacts, "network": network, "local_need": need,
                "geo": lambda s, c: self._geo(int(rows[C][s]), int(rows[M][c]), "Based"),
                "language": lambda s, c: self._language(int(rows[C][s]), int(rows[M][c])),
                "text": lambda s, c: self._terms(C, s, M, c), "_extra_order": ["need"]}

    def _opportunities(self) -> dict[str, Any]:
        fs = self.fs
        rows = self.p.rows

        def need(s: int, c: int) -> str | None:
            t = self._shared(fs.MT, s, fs.CT, c)
            return f"Needs {_q(self._names(T, t[:3]))}, your expertise" if t.size else None

        def advised(s: int, c: int) -> str | None:
            cities = self._by_similarity(c, self._row(fs.MA, s))
            return (f"Similar to {self._names(C, cities[:1])[0]}, which you advised"
                    if cities.size else None)

        def contacts(s: int, c: int) -> str | None:
            known = _inter(self._row(fs.KN, s), self._row(self.WFt, c))
            if not known.size:
                return None
            verb = "works" if known.size == 1 else "work"
            return (f"{_plural(known.size, 'of your contacts', 'of your contacts')} {verb} "
                    f"for {self._city_admin(c)}: {self._people(known)}")

        def network(s: int, c: int) -> str | None:
            known = _inter(self._row(fs.KN, s), self._row(self.MAt, c))
            if not known.size:
                return None
            return (f"{_plural(known.size, 'of your contacts', 'of your contacts')} advised "
                    f"{self._names(C, [c])[0]}: {self._people(known)}")

        return {"need": need, "ppr": need, "advised_similar": advised, "contacts": contacts,
                "network": network, "local_need": need,
                "geo": lambda s, c: self._geo(int(rows[M][s]), int(rows[C][c]), "Located"),
                "language": lambda s, c: self._language(int(rows[M][s]), int(rows[C][c])),
                "text": lambda s, c: self._terms(M, s, C, c), "_extra_order": ["need"]}

    # ------------------------------------------------------------------ leads

    def _leads(self) -> dict[str, Any]:
        fs = self.fs
        rows = self.p.rows

        def need(s: int, c: int) -> str | None:
            mine = self._row(fs.CT, c)
            for sol in self._row(fs.PO, s):
                t = _inter(mine, self._row(fs.ST, int(sol)))
                if t.size:
                    return (f"Needs {_q(self._names(T, t[:2]))}, which your solution "
                            f'"{self._names(S, [sol])[0]}" covers')
            return None

        def lookalike(s: int, c: int) -> str | None:
            offered = self._row(fs.PO, s)
            impl = np.unique(np.concatenate([self._row(self.CIt, int(x)) for x in offered])
                             ) if offered.size else np.zeros(0, dtype=np.int64)
            for city in self._by_similarity(c, impl)[:1]:
                sol = _inter(offered, self._row(fs.CI, int(city)))
                return (f"Resembles {self._names(C, [city])[0]}, which implemented your "
                        f'solution "{self._names(S, sol[:1])[0]}"')
            return None

        def kpi(s: int, c: int) -> str | None:
            for sol in self._row(fs.PO, s):
                ks = self._row(fs.SK, int(sol))
                if ks.size:
                    gaps = fs.kpi_gap[c, ks]
                    best = int(np.lexsort((ks, -gaps))[0])
                    if gaps[best] >= 0.5:
                        return (f'Lags on "{self._names(K, [ks[best]])[0]}", which your '
                                f'solution "{self._names(S, [sol])[0]}" improves')
            return None

        def sdg(s: int, c: int) -> str | None:
            for sol in self._row(fs.PO, s):
                g = self._shared(fs.CG, c, fs.SG, int(sol))
                if g.size:
                    return (f"Prioritises {self._sdg(int(g[0]))}, which your solution "
                            f'"{self._names(S, [sol])[0]}" addresses')
            return None

        def contacts(s: int, c: int) -> str | None:
            known = self._known_among(self._row(self.WFPt, s), self._row(self.WFt, c))
            if not known.size:
                return None
            return (f"Your team knows {_plural(known.size, 'person', 'people')} in "
                    f"{self._city_admin(c)}: {self._people(known)}")

        return {"need": need, "ppr": need, "lookalike": lookalike, "kpi": kpi, "sdg": sdg,
                "contacts": contacts,
                "geo": lambda s, c: self._geo(int(rows[P][s]), int(rows[C][c]), "Located"),
                "language": lambda s, c: self._language(int(rows[P][s]), int(rows[C][c])),
                "text": lambda s, c: self._terms(P, s, C, c), "_extra_order": ["need"]}
