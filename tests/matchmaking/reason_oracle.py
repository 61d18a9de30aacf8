"""An independent reader of reasons: parses a reason sentence back into the entities it names
and checks, against the relationships read from the store, that they connect the subject and
the candidate exactly as the sentence says.

Written from the sentences, not from the builders: each pattern below is what a reader takes
the sentence to claim ("Covers your needs "Air quality"" claims ``subject -NEEDS-> t`` and
``candidate -COVERS-> t`` for a topic ``t`` named "Air quality"). A sentence that no pattern
reads is a failure too, so a new kind of reason cannot slip past unchecked.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable

from graph_schema import reference
from graph_schema.schema import Label, RelType
from graph_schema.store import GraphStore

Q = r'((?:"[^"]*"(?:, | and )?)+)'  # a quoted list: "A", "B" and "C"
N = r"(\d[\d,]*)"  # a count or a population: 1,234


def quoted(text: str) -> list[str]:
    return re.findall(r'"([^"]*)"', text)


def number(text: str) -> int:
    return int(text.replace(",", ""))


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


class Oracle:
    """The store's nodes and relationships as sets, and one check per reason pattern."""

    def __init__(self, store: GraphStore) -> None:
        self.label: dict[str, Label] = {}
        self.props: dict[str, dict] = {}
        self.by_name: dict[tuple[Label, str], set[str]] = defaultdict(set)
        for n in store.iter_nodes():
            self.label[n.id] = n.label
            self.props[n.id] = n.props
            name = n.props.get("name")
            if isinstance(name, str):
                self.by_name[(n.label, name)].add(n.id)
        self.out: dict[tuple[RelType, str], set[str]] = defaultdict(set)
        self.into: dict[tuple[RelType, str], set[str]] = defaultdict(set)
        self.delivered: dict[str, set[str]] = defaultdict(set)  # provider -> cities
        self.year: dict[tuple[str, str], int] = {}  # (city, solution) -> latest IMPLEMENTED year
        for r in store.iter_rels():
            self.out[(r.type, r.src)].add(r.dst)
            self.into[(r.type, r.dst)].add(r.src)
            if r.type in (RelType.KNOWS, RelType.PARTNERS_WITH):
                self.out[(r.type, r.dst)].add(r.src)
                self.into[(r.type, r.src)].add(r.dst)
            if r.type is RelType.IMPLEMENTED and isinstance(r.props.get("provider"), str):
                self.delivered[r.props["provider"]].add(r.src)
            if r.type is RelType.IMPLEMENTED and isinstance(r.props.get("year"), int):
                key = (r.src, r.dst)
                self.year[key] = max(r.props["year"], self.year.get(key, r.props["year"]))
        countries = {c["code"]: c for c in reference.countries()}
        self.country_name = {code: str(c["name"]) for code, c in countries.items()}
        self.subregion = {code: c.get("subregion") for code, c in countries.items()}

    # ------------------------------------------------------------------ lookups

    def ids(self, label: Label, name: str) -> set[str]:
        found = self.by_name.get((label, name), set())
        assert found, f"no {label.value} named {name!r}"
        return found

    def rel(self, t: RelType, src: str, dst: str) -> bool:
        return dst in self.out[(t, src)]

    def any_rel(self, t: RelType, src: str, label: Label, name: str) -> set[str]:
        """The nodes named ``name`` that ``src`` links to by ``t``."""
        return {x for x in self.ids(label, name) if self.rel(t, src, x)}

    def names_list(self, text: str, label: Label) -> list[set[str]]:
        """An unquoted and-list of names ("Aalborg, Aabenraa and Odense") as id sets; names
        may hold commas or "and", so every split into known names is tried."""
        parts = re.split(r"(, | and )", text)
        for cut in range(len(parts)):  # fewest names first: the longest names that exist
            out = self._split(parts, label, cut + 1)
            if out is not None:
                return out
        raise AssertionError(f"cannot read {text!r} as names of {label.value} nodes")

    def _split(self, parts: list[str], label: Label, n: int) -> list[set[str]] | None:
        words = parts[::2]
        if n > len(words):
            return None
        seps = [i for i in range(1, len(parts), 2)]

        def rec(start: int, left: int) -> list[set[str]] | None:
            if left == 1:
                name = "".join(parts[start:])
                return [self.by_name[(label, name)]] if (label, name) in self.by_name else None
            for s in seps:
                if s <= start:
                    continue
                name = "".join(parts[start:s])
                if (label, name) in self.by_name:
                    rest = rec(s + 1, left - 1)
                    if rest is not None:
                        return [self.by_name[(label, name)], *rest]
            return None

        return rec(0, n)

    def population(self, x: str) -> float:
        v = self.props[x].get("population")
        return float(v) if isinstance(v, int | float) else float("nan")

    def text(self, x: str) -> str:
        """What the text feature reads for ``x``: its description and the names around it."""
        p = self.props[x]
        parts = [str(p.get("description") or ""), str(p.get("bio") or ""), str(p.get("name"))]
        for t in (RelType.NEEDS, RelType.COVERS, RelType.EXPERT_IN, RelType.OFFERS):
            parts += [str(self.props[y].get("name")) for y in self.out[(t, x)]]
        return fold(" ".join(parts))

    def staff(self, org: str) -> set[str]:
        return self.into[(RelType.WORKS_FOR, org)]

    def open_member(self, m: str) -> bool:
        return self.props[m].get("open_to_matches", True) is not False

    def people(self, rest: str, pool: set[str], count: int) -> None:
        """``": Ana Lopez and 1 other"`` (or nothing) after a count of ``pool`` people."""
        assert len(pool) == count, (count, sorted(pool))
        if not rest:
            assert not any(self.open_member(m) for m in pool), "an open contact not named"
            return
        m = re.fullmatch(r": (.*?)(?: and (\d+) others?)?", rest)
        assert m, rest
        named = re.split(r", | and ", m.group(1))
        ok = {x for x in pool if self.open_member(x)}
        for name in named:
            assert self.ids(Label.MEMBER, name) & ok, f"{name} is not an open contact"
        assert len(named) + int(m.group(2) or 0) == count


Check = Callable[[Oracle, str, str, re.Match[str]], None]


def _sdgs(text: str) -> list[str]:
    return [f"sdg:{n}" for n in re.findall(r"SDG (\d+)", text)]


def _geo(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    cs, cc = o.props[s].get("country"), o.props[c].get("country")
    assert o.country_name.get(cc) == m.group(2), (cc, m.group(2))
    if not m.group(3):
        assert cs == cc
    else:
        assert cs != cc and o.subregion.get(cs) == o.subregion.get(cc) == m.group(3)


def _language(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    for code in m.group(1).split(", "):
        assert code in (o.props[s].get("languages") or []), code
        assert code in (o.props[c].get("languages") or []), code


def _text(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    a, b = o.text(s), o.text(c)
    for term in quoted(m.group(1)):
        assert fold(term) in a and fold(term) in b, term


def _topics_both(rel_s: RelType, rel_c: RelType) -> Check:
    def check(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
        for name in quoted(m.group(1)):
            assert o.any_rel(rel_s, s, Label.TOPIC, name) & o.any_rel(
                rel_c, c, Label.TOPIC, name), f"{name}: not {rel_s} by subject and {rel_c}"
    return check


def _sdg_both(rel_s: RelType, rel_c: RelType) -> Check:
    def check(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
        for g in _sdgs(m.group(0)):
            assert o.rel(rel_s, s, g) and o.rel(rel_c, c, g), g
    return check


def _implementers(o: Oracle, c: str, text: str) -> list[set[str]]:
    groups = o.names_list(text, Label.CITY)
    for g in groups:
        assert g & o.into[(RelType.IMPLEMENTED, c)], f"{text}: did not implement {c}"
    return groups


# ---------------------------------------------------------------------------- per kind

def _sol_adopted(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    groups = _implementers(o, c, m.group(1))
    assert len(groups) == (2 if m.group(2) == "two" else 1)
    for name in quoted(m.group(4) or ""):
        t = o.any_rel(RelType.NEEDS, s, Label.TOPIC, name) & o.any_rel(
            RelType.COVERS, c, Label.TOPIC, name)
        assert t, f"{name}: not a need of the subject that the solution covers"
        for g in groups:
            assert any(o.rel(RelType.NEEDS, x, y) for x in g for y in t), name


def _sol_popular(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    assert len(o.into[(RelType.IMPLEMENTED, c)] - {s}) == number(m.group(1))
    _implementers(o, c, m.group(2))


def _sol_size(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    mine = o.population(s)
    assert mine == number(m.group(1))
    for name, pop in re.findall(r"(.+?) \(([\d,]+)\)(?:, | and |$)", m.group(2)):
        ok = [x for x in _implementers(o, c, name)[0] if o.population(x) == number(pop)]
        assert ok and abs(math.log10(number(pop) / mine)) <= math.log10(2) + 1e-9, name


def _sol_collab(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    other = _implementers(o, c, m.group(1))[0]
    both = o.ids(Label.SOLUTION, m.group(2))
    assert any(o.rel(RelType.IMPLEMENTED, x, y) for x in other for y in both)
    assert any(o.rel(RelType.IMPLEMENTED, s, y) for y in both)


def _sol_cohort(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    # "Taken up lately by A (2019) and B (2018), which like you implemented "X"": A and B
    # implemented c (in those years), and each of them and the subject implemented X
    dated = re.findall(r"(.+?) \((\d{4})\)(?:, | and |$)", m.group(2))
    if m.group(1):  # "lately": every city is named with the year it took c up
        groups = [(o.names_list(name, Label.CITY)[0], int(y)) for name, y in dated]
        assert groups, m.group(2)
        for g, y in groups:
            assert any(o.year.get((x, c)) == y for x in g), f"{g}: did not take {c} up in {y}"
        cities = [g for g, _ in groups]
    else:
        cities = _implementers(o, c, m.group(2))
    for name in quoted(m.group(3)):
        both = o.ids(Label.SOLUTION, name)
        assert any(o.rel(RelType.IMPLEMENTED, s, y) for y in both), name
        for g in cities:
            assert any(o.rel(RelType.IMPLEMENTED, x, y) for x in g for y in both), (g, name)


def _sol_national(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    code = str(o.props[s].get("country") or "").upper()
    assert o.country_name.get(code) == m.group(3), (code, m.group(3))
    cities = {x for x, lab in o.label.items() if lab is Label.CITY
              and str(o.props[x].get("country") or "").upper() == code}
    assert len(cities) == number(m.group(2))
    assert len(cities & o.into[(RelType.IMPLEMENTED, c)]) == number(m.group(1))


def _sol_trend(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    since = int(m.group(3))
    assert since == max(o.year.values()) - 1, since
    took = o.into[(RelType.IMPLEMENTED, c)]
    assert len(took) == number(m.group(2))
    assert sum(o.year.get((x, c), 0) >= since for x in took) == number(m.group(1))


def _sol_kpi(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    k = o.any_rel(RelType.IMPROVES, c, Label.KPI, m.group(1))
    assert k and any(o.rel(RelType.MEASURES, s, x) for x in k), m.group(1)


def _sol_cost(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    assert o.props[c].get("cost") == m.group(1)


def _sol_partner(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    for g in _implementers(o, c, m.group(1)):
        assert g & o.out[(RelType.PARTNERS_WITH, s)]


def _sol_delivered(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    p = o.ids(Label.PROVIDER, m.group(1))
    assert any(o.rel(RelType.OFFERS, x, c) and s in o.delivered[x] for x in p)


def _sol_nearby(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    lat0, lon0 = o.props[s]["lat"], o.props[s]["lon"]
    for name, dist in re.findall(r"(.+?) \(([\d,]+) km\)(?:, | and |$)", m.group(1)):
        def km(x: str) -> float:
            la, lo = map(math.radians, (o.props[x]["lat"], o.props[x]["lon"]))
            la0, lo0 = math.radians(lat0), math.radians(lon0)
            h = (math.sin((la - la0) / 2) ** 2
                 + math.cos(la0) * math.cos(la) * math.sin((lo - lo0) / 2) ** 2)
            return 2 * 6371.0088 * math.asin(math.sqrt(h))
        ok = [x for x in _implementers(o, c, name)[0] if abs(km(x) - number(dist)) <= 1.5]
        assert ok, (name, dist)


def _offers(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    sols = {x for x in o.ids(Label.SOLUTION, m.group(1)) if o.rel(RelType.OFFERS, c, x)}
    assert sols, m.group(1)
    for name in quoted(m.group(2) or ""):
        assert any(o.any_rel(RelType.COVERS, x, Label.TOPIC, name) for x in sols)
        assert o.any_rel(RelType.NEEDS, s, Label.TOPIC, name), name


def _prov_needs(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    covered = {t for x in o.out[(RelType.OFFERS, c)] for t in o.out[(RelType.COVERS, x)]}
    for name in quoted(m.group(1)):
        assert o.any_rel(RelType.NEEDS, s, Label.TOPIC, name) & covered, name


def _prov_track(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    cities = o.delivered[c]
    assert len(cities) == number(m.group(1)), (len(cities), m.group(1))
    for g in o.names_list(m.group(2), Label.CITY):
        assert g & cities


def _prov_region(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    sub = o.subregion.get(o.props[s].get("country"))
    assert sub == m.group(2)
    cities = {x for x in o.delivered[c] - {s}
              if o.subregion.get(o.props[x].get("country")) == sub}
    assert len(cities) == number(m.group(1))
    assert o.ids(Label.CITY, m.group(3)) & cities


def _knows_staff(o: Oracle, people: set[str], org: str) -> set[str]:
    """Staff of ``org`` known by at least one of ``people``."""
    return {x for p in people for x in o.out[(RelType.KNOWS, p)]} & o.staff(org)


def _prov_contacts(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    o.people(m.group(2), _knows_staff(o, o.staff(c), s), number(m.group(1)))


def _peer_solved(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    sols = {x for x in o.ids(Label.SOLUTION, m.group(1)) if o.rel(RelType.IMPLEMENTED, c, x)}
    t = o.any_rel(RelType.NEEDS, s, Label.TOPIC, m.group(2))
    assert any(o.rel(RelType.COVERS, x, y) for x in sols for y in t)


def _peer_same(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    for name in quoted(m.group(1)):
        assert (o.any_rel(RelType.IMPLEMENTED, s, Label.SOLUTION, name)
                & o.any_rel(RelType.IMPLEMENTED, c, Label.SOLUTION, name)), name


def _peer_size(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    assert (o.population(c), o.population(s)) == (number(m.group(1)), number(m.group(2)))


def _peer_partners(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    for g in o.names_list(m.group(1), Label.CITY):
        assert g & o.out[(RelType.PARTNERS_WITH, s)] & o.out[(RelType.PARTNERS_WITH, c)]


def _peer_kpis(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    for name in quoted(m.group(1)):
        assert (o.any_rel(RelType.MEASURES, s, Label.KPI, name)
                & o.any_rel(RelType.MEASURES, c, Label.KPI, name)), name


def _peer_advisers(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    both = o.into[(RelType.ADVISED, s)] & o.into[(RelType.ADVISED, c)]
    for g in o.names_list(m.group(1), Label.MEMBER):
        assert any(x in both and o.open_member(x) for x in g), g


def _lead_solution(rel_c: RelType, rel_sol: RelType, label: Label) -> Check:
    """"<c rel_c X>, which your solution "S" <rel_sol X>" for leads."""
    def check(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
        sols = {x for x in o.ids(Label.SOLUTION, m.group(2)) if o.rel(RelType.OFFERS, s, x)}
        assert sols, m.group(2)
        names = _sdgs(m.group(1)) if label is Label.SDG else quoted(m.group(1))
        for name in names:
            xs = {name} if label is Label.SDG else o.ids(label, name)
            assert any(o.rel(rel_c, c, x) and o.rel(rel_sol, y, x) for x in xs for y in sols)
    return check


def _lead_lookalike(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    sols = {x for x in o.ids(Label.SOLUTION, m.group(2)) if o.rel(RelType.OFFERS, s, x)}
    assert any(o.rel(RelType.IMPLEMENTED, x, y) for x in o.ids(Label.CITY, m.group(1))
               for y in sols)


def _lead_contacts(o: Oracle, s: str, c: str, m: re.Match[str]) -> None:
    assert o.props[c].get("name") == m.group(2)
    o.people(m.group(3), _knows_staff(o, o.staff(s), c), number(m.group(1)))


def _advised(o: Oracle, member: str, m: re.Match[str]) -> None:
    done = o.out[(RelType.ADVISED, member)]
    if m.group(1):
        assert len(done) == number(m.group(1))
    for g in o.names_list(m.group(2), Label.CITY):
        assert g & done


def _known_people(o: Oracle, member: str, others: set[str], m: re.Match[str]) -> None:
    o.people(m.group(2), o.out[(RelType.KNOWS, member)] & others, number(m.group(1)))


PATTERNS: list[tuple[str, Check]] = [
    # shared by several kinds
    (r"(Located|Based) in (.+?), like you()", _geo),
    (r"(Located|Based) in (.+?), in your region \((.+)\)", _geo),
    (r"Speaks your language \((.+)\)", _language),
    (r"Descriptions share the terms " + Q, _text),
    # solutions
    (r"Covers your needs " + Q, _topics_both(RelType.NEEDS, RelType.COVERS)),
    (r"Implemented by (.+?), (one|two) of the cities most like yours(, which also needs? "
     + Q + ")?", _sol_adopted),
    (r"Implemented by " + N + r" cities, e\.g\. (.+)", _sol_popular),
    (r"Implemented by cities of your size \(" + N + r" inhabitants\): (.+)", _sol_size),
    (r'(.+) implemented it together with "(.+)", which you implemented too', _sol_collab),
    (r"Addresses your priority (.+)", _sdg_both(RelType.PRIORITIZES, RelType.ADDRESSES)),
    (r'Improves "(.+)", where \d+% of reporting cities do better than you', _sol_kpi),
    (r"Its cost level \((\w+)\) fits a city of your size", _sol_cost),
    (r"Implemented by your partner (.+)", _sol_partner),
    (r"Offered by (.+), which already delivered a solution to you", _sol_delivered),
    (r"Implemented nearby: (.+)", _sol_nearby),
    (r"Taken up( lately)? by (.+), which like you implemented " + Q, _sol_cohort),
    (r"Implemented by " + N + r" of the " + N + r" cities in (.+)", _sol_national),
    (r"On the rise: " + N + r" of the " + N + r" cities that implemented it did so in "
     r"(\d{4}) or later", _sol_trend),
    # providers
    (r'Offers "(.+?)"(?:, which covers your needs ' + Q + ")?", _offers),
    (r"Its solutions cover your needs " + Q, _prov_needs),
    (r"Delivered solutions to " + N + r" cit(?:y|ies), including (.+)", _prov_track),
    (r"Active in " + N + r" cit(?:y|ies) of (.+?), e\.g\. (.+)", _prov_region),
    (r"Its team knows " + N + r" (?:person|people) in your city administration(.*)",
     _prov_contacts),
    # peers
    (r"Shares your needs " + Q, _topics_both(RelType.NEEDS, RelType.NEEDS)),
    (r'Already implemented "(.+)", which covers your need "(.+)"', _peer_solved),
    (r"Implemented the same solutions as you: " + Q, _peer_same),
    (r"Shares your priorities (.+)", _sdg_both(RelType.PRIORITIZES, RelType.PRIORITIZES)),
    (r"Similar size: " + N + r" inhabitants \(you: " + N + r"\)", _peer_size),
    (r"Partners with (.+), like you", _peer_partners),
    (r"Lags on the same KPIs as you: " + Q, _peer_kpis),
    (r"Has advisers in common with you: (.+)", _peer_advisers),
    # leads
    (r'Needs ((?:"[^"]*"(?:, | and )?)+), which your solution "(.+)" covers',
     _lead_solution(RelType.NEEDS, RelType.COVERS, Label.TOPIC)),
    (r'Resembles (.+), which implemented your solution "(.+)"', _lead_lookalike),
    (r'Lags on ("[^"]*"), which your solution "(.+)" improves',
     _lead_solution(RelType.MEASURES, RelType.IMPROVES, Label.KPI)),
    (r'Prioritises (SDG .+), which your solution "(.+)" addresses',
     _lead_solution(RelType.PRIORITIZES, RelType.ADDRESSES, Label.SDG)),
    (r"Your team knows " + N + r" (?:person|people) in (.+)'s city administration(.*)",
     _lead_contacts),
    # experts
    (r"Expert in " + Q + ", which you need", _topics_both(RelType.NEEDS, RelType.EXPERT_IN)),
    (r"Advised (?:" + N + r" cities, including )?(.+)", lambda o, s, c, m: _advised(o, c, m)),
    (r"Knows " + N + r" (?:person|people) in your city administration(.*)",
     lambda o, s, c, m: _known_people(o, c, o.staff(s), m)),
    (r"Knows " + N + r" (?:person|people) who advised you(.*)",
     lambda o, s, c, m: _known_people(o, c, o.into[(RelType.ADVISED, s)], m)),
    # opportunities
    (r"Needs " + Q + ", your expertise", _topics_both(RelType.EXPERT_IN, RelType.NEEDS)),
    (r"Similar to (.+), which you advised",
     lambda o, s, c, m: _advised(o, s, _Pad(m))),
    (N + r" of your contacts works? for (.+)'s city administration(.*)",
     lambda o, s, c, m: _known_people(o, s, o.staff(c), _Drop(m, 2))),
    (N + r" of your contacts advised (.+?)((?:: .*)?)$",
     lambda o, s, c, m: _known_people(o, s, o.into[(RelType.ADVISED, c)], _Drop(m, 2))),
]


class _Pad:
    """``Similar to X`` read as ``Advised X`` (no count)."""

    def __init__(self, m: re.Match[str]) -> None:
        self.m = m

    def group(self, i: int) -> str | None:
        return None if i == 1 else self.m.group(1)


class _Drop:
    """A match without group ``i`` (the groups after it move down by one)."""

    def __init__(self, m: re.Match[str], i: int) -> None:
        self.m, self.i = m, i

    def group(self, j: int) -> str | None:
        return self.m.group(j if j < self.i else j + 1)


GENERIC = re.compile(r"Ranked on (.+)")


def check_reason(o: Oracle, s: str, c: str, reason: str) -> str:
    """Check one sentence; returns the pattern that read it (AssertionError if none did, or
    if what it claims is not in the store)."""
    for pattern, check in PATTERNS:
        m = re.fullmatch(pattern, reason)
        if m is not None:
            try:
                check(o, s, c, m)  # type: ignore[arg-type]
            except AssertionError as e:
                raise AssertionError(f"{s} -> {c}: {reason!r} is not true: {e}") from None
            return pattern
    if GENERIC.fullmatch(reason):
        return GENERIC.pattern
    raise AssertionError(f"{s} -> {c}: no pattern reads {reason!r}")

