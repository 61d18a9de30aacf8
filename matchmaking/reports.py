"""Reports for programme staff: "who should meet whom", and why, for the whole programme.

:func:`meetings_report` pairs **every** city in scope with its best matches of one kind
(experts by default), through the engine's batch path, and returns all rows in one stable
order: by score (default, ``(-score, city id, candidate id)``), by city name, or by country.
The report is cached per (engine, store generation, parameters), so paging through it and
downloading it cost one pass. :func:`meetings` returns one page of it: ``limit`` rows after
an opaque ``cursor`` (keyset paging: the cursor holds the sort key of the last row shown, so
pages never repeat or skip a row while the store is unchanged).

Fairness: with ``max_per_candidate=M`` no candidate (expert, provider, solution, peer city)
appears more than ``M`` times in the whole report. Pairs are taken best first across all
cities from each city's top candidates; a city whose candidates are all used up gets its next
best (or fewer rows: ``cities_short`` counts them). The report names the option it used.

The engine's own rules hold: members who are not open to matches and declined pairs never
appear, and what a city already has (its advisers, partners, solutions) is left out.

>>> from graph_schema.sqlite_store import SQLiteStore
>>> from graph_schema.schema import Label, Node, Rel, RelType
>>> from matchmaking.engine import Engine
>>> import os, tempfile
>>> store = SQLiteStore(os.path.join(tempfile.mkdtemp(), "graph.db")); store.init()
>>> store.write([Node("city:a", Label.CITY, {"name": "Aarhus", "country": "DK"}),
...              Node("topic:t", Label.TOPIC, {"name": "Traffic"}),
...              Node("sol:s", Label.SOLUTION, {"name": "Signals"}),
...              Node("mem:m", Label.MEMBER, {"name": "Mia"})],
...             [Rel(RelType.NEEDS, "city:a", "topic:t"),
...              Rel(RelType.EXPERT_IN, "mem:m", "topic:t")])
>>> page = meetings(Engine(store, background=False), store)
>>> [(m.city_id, m.candidate_id) for m in page.meetings], page.next_cursor
([('city:a', 'mem:m')], None)
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph_schema import reference
from graph_schema.errors import InvalidInput, NotFound
from graph_schema.schema import Label, Node
from graph_schema.store import GraphStore
from matchmaking.engine import Engine
from matchmaking.kinds import Kind, kinds_for

#: Recommendation kinds a meetings report can use (a city meets one of these).
MEETING_KINDS: tuple[Kind, ...] = kinds_for(Label.CITY)
#: Orders of the report's rows.
ORDERS = ("score", "city", "country")
MAX_LIMIT = 200
MAX_PER_CITY = 5
MAX_PER_CANDIDATE = 10_000
#: Candidates looked at per city when a fairness cap may push a city to its next best.
FAIR_POOL = 20


@dataclass(frozen=True)
class Meeting:
    """One suggested meeting: a city and a candidate, with the engine's score and reasons."""

    city_id: str
    city_name: str
    city_country: str | None
    kind: str
    rank: int
    candidate_id: str
    candidate_label: str
    candidate_name: str
    score: float
    components: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MeetingsReport:
    """The whole report: every row in ``order``, and what it covers.

    ``cities_in_scope`` counts every city matching the filters (all are considered);
    ``cities_short`` those that got fewer than ``per_city`` rows (no more candidates, or the
    fairness cap); ``fairness`` says which option was used, in words.
    """

    kind: str
    order: str
    per_city: int
    max_per_candidate: int | None
    meetings: list[Meeting]
    cities_in_scope: int
    cities_with_meetings: int
    cities_short: int

    @property
    def fairness(self) -> str:
        if self.max_per_candidate is None:
            return "none: each city gets its own best matches, whoever else they also suit"
        return f"no candidate more than {self.max_per_candidate} times in the whole report"


@dataclass(frozen=True)
class MeetingsPage:
    """``limit`` rows of a :class:`MeetingsReport` and the cursor of the next page."""

    report: MeetingsReport
    meetings: list[Meeting]
    next_cursor: str | None



def _check(kind: Kind | str, country: str | None, region: str | None, limit: int,
           per_city: int, order: str, max_per_candidate: int | None) -> None:
    if kind not in MEETING_KINDS:
        raise InvalidInput(f"unknown kind {kind!r} for a meetings report: use one of "
                           f"{', '.join(MEETING_KINDS)}")
    if order not in ORDERS:
        raise InvalidInput(f"unknown order {order!r}: use one of {', '.join(ORDERS)}")
    bounds = [("limit", limit, MAX_LIMIT), ("per_city", per_city, MAX_PER_CITY)]
    if max_per_candidate is not None:
        bounds.append(("max_per_candidate", max_per_candidate, MAX_PER_CANDIDATE))
    for name, value, top in bounds:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            raise InvalidInput(f"{name!r} must be an integer between 1 and {top}, got {value!r}")
    if country is not None and reference.country(country) is None:
        raise InvalidInput(f"filter 'country': {country!r} is not an ISO 3166-1 alpha-2 "
                           "country code (e.g. 'DK')")
    if region is not None and not _region_countries(region):
        raise InvalidInput(f"filter 'region': {region!r} is not a UN M49 region or subregion "
                           "(e.g. 'Europe', 'Northern Europe')")


def _region_countries(region: str) -> frozenset[str]:
    """ISO codes of the countries whose region or subregion is ``region`` (any case)."""
    want = region.strip().lower()
    return frozenset(
        str(c["code"]).upper() for c in reference.countries()
        if want and want in {str(c.get("region") or "").lower(),
                             str(c.get("subregion") or "").lower()}
    )


def cities_in_scope(store: GraphStore, *, country: str | None = None,
                    region: str | None = None) -> list[Node]:
    """Every city matching the filters, by id (one pass over the store's cities)."""
    codes = _region_countries(region) if region is not None else None
    if country is not None:
        codes = (codes if codes is not None else frozenset({country.upper()})) & {
            country.upper()}
    return [node for node in store.iter_nodes(Label.CITY, include_builtin=False)
            if codes is None or str(node.props.get("country") or "").upper() in codes]


def _lists(engine: Engine, kind: Kind, cities: Sequence[Node], k: int) -> list[list[Any]]:
    ids = [c.id for c in cities]
    batch = engine.recommend(kind, ids, k=k)
    missing = [i for i, e in batch.errors.items() if isinstance(e, NotFound)]
    if missing:
        # cities newer than the engine's projection: catch up once, then retry them
        engine.refresh(force=True)
        batch.results.update(engine.recommend(kind, missing, k=k).results)
    return [batch.results.get(i, []) for i in ids]


def _sort_key(order: str, m: Meeting) -> tuple[Any, ...]:
    if order == "city":
        return (m.city_name.casefold(), m.city_id, m.rank, m.candidate_id)
    if order == "country":
        return (m.city_country or "", m.city_name.casefold(), m.city_id, m.rank,
                m.candidate_id)
    return (-m.score, m.city_id, m.candidate_id)


def meetings_report(engine: Engine, store: GraphStore, *, kind: Kind | str = Kind.EXPERTS,
                    country: str | None = None, region: str | None = None, per_city: int = 1,
                    order: str = "score", max_per_candidate: int | None = None
                    ) -> MeetingsReport:
    """Who should meet whom: the best ``per_city`` matches of ``kind`` for every city in
    scope, in ``order`` (cached per store generation).

    Parameters
    ----------
    engine : Engine
        The recommendation engine (on ``store``).
    store : GraphStore
        Where the cities in scope are looked up.
    kind : Kind or str
        What a city should meet: one of :data:`MEETING_KINDS` (the kinds whose subject is a
        city).
    country, region : str, optional
        Restrict the *cities* (not the candidates) to an ISO country code or a UN M49
        region/subregion.
    per_city : int, default 1
        Matches per city (1..5).
    order : {"score", "city", "country"}
        Best first; by city name; or by city country, then name.
    max_per_candidate : int, optional
        Fairness: no candidate more than this many times in the whole report.

    Raises
    ------
    InvalidInput
        A bad kind, order, filter or bound.
    """
    _check(kind, country, region, 1, per_city, order, max_per_candidate)
    kind = Kind(kind)
    key = (id(engine), store.generation(), kind, (country or "").upper(),
           (region or "").strip().lower(), per_city, order, max_per_candidate)
    with _LOCK:
        hit = _REPORTS.get(key)
    if hit is not None and hit[0] is engine:
        return hit[1]
    cities = cities_in_scope(store, country=country, region=region)
    k = per_city if max_per_candidate is None else max(FAIR_POOL, per_city)
    rows: list[Meeting] = []
    for city, recs in zip(cities, _lists(engine, kind, cities, k) if cities else [],
                          strict=True):
        rows.extend(_meetings_of(city, kind, recs))
    if max_per_candidate is None:
        rows = [m for m in rows if m.rank <= per_city]
    else:
        rows = _spread(rows, per_city, max_per_candidate)
    rows.sort(key=lambda m: _sort_key(order, m))
    per = Counter(m.city_id for m in rows)
    report = MeetingsReport(kind, order, per_city, max_per_candidate, rows, len(cities),
                            len(per), sum(1 for c in cities if per[c.id] < per_city))
    with _LOCK:
        while len(_REPORTS) >= 16:
            _REPORTS.pop(next(iter(_REPORTS)))
        _REPORTS[key] = (engine, report)
    return report


_LOCK = threading.Lock()
_REPORTS: dict[tuple[Any, ...], tuple[Engine, MeetingsReport]] = {}


def _spread(rows: list[Meeting], per_city: int, cap: int) -> list[Meeting]:
    """Take pairs best first across all cities while the city has room and the candidate
    has been used fewer than ``cap`` times."""
    taken: Counter[str] = Counter()
    used: Counter[str] = Counter()
    out = []
    for m in sorted(rows, key=lambda m: (-m.score, m.city_id, m.rank)):
        if taken[m.city_id] < per_city and used[m.candidate_id] < cap:
            taken[m.city_id] += 1
            used[m.candidate_id] += 1
            out.append(m)
    return out


def _params_tag(report: MeetingsReport, country: str | None, region: str | None) -> str:
    text = json.dumps([report.kind, report.order, report.per_city, report.max_per_candidate,
                       (country or "").upper(), (region or "").strip().lower()])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def encode_cursor(tag: str, key: tuple[Any, ...]) -> str:
    """An opaque cursor: the report's parameters tag and the last row's sort key."""
    raw = json.dumps({"t": tag, "k": list(key)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, tag: str) -> tuple[Any, ...]:
    """The sort key in ``cursor``; :class:`InvalidInput` if it is not one of this report."""
    bad = InvalidInput("'cursor' is not a cursor of this report (it comes from "
                       "'next_cursor' of the same query): start again without it")
    try:
        obj = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        raise bad from None
    if not isinstance(obj, dict) or obj.get("t") != tag or not isinstance(obj.get("k"), list):
        raise bad
    return tuple(obj["k"])


def meetings(engine: Engine, store: GraphStore, *, kind: Kind | str = Kind.EXPERTS,
             country: str | None = None, region: str | None = None, limit: int = 50,
             per_city: int = 1, order: str = "score", max_per_candidate: int | None = None,
             cursor: str | None = None) -> MeetingsPage:
    """One page of :func:`meetings_report`: ``limit`` rows (1..200) after ``cursor``.

    Returns
    -------
    MeetingsPage
        The rows and ``next_cursor`` (None on the last page).

    Raises
    ------
    InvalidInput
        A bad kind, order, filter, bound or cursor.
    """
    _check(kind, country, region, limit, per_city, order, max_per_candidate)
    report = meetings_report(engine, store, kind=kind, country=country, region=region,
                             per_city=per_city, order=order,
                             max_per_candidate=max_per_candidate)
    tag = _params_tag(report, country, region)
    rows = report.meetings
    start = 0
    if cursor:
        after = decode_cursor(cursor, tag)
        try:
            while start < len(rows) and _sort_key(order, rows[start]) <= after:
                start += 1
        except TypeError:  # a key of another shape
            raise InvalidInput("'cursor' is not a cursor of this report: start again "
                               "without it") from None
    page = rows[start:start + limit]
    more = start + limit < len(rows)
    return MeetingsPage(report, page,
                        encode_cursor(tag, _sort_key(order, page[-1])) if more else None)


def _meetings_of(city: Node, kind: str, recs: Iterable[Any]) -> list[Meeting]:
    country = city.props.get("country")
    return [
        Meeting(
            city_id=city.id, city_name=str(city.props.get("name") or city.id),
            city_country=str(country) if country else None, kind=kind, rank=rank,
            candidate_id=r.id, candidate_label=r.label, candidate_name=r.name, score=r.score,
            components=dict(r.components), reasons=list(r.reasons),
        )
        for rank, r in enumerate(recs, start=1)
    ]
