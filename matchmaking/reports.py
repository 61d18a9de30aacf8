"""Reports for programme staff: "who should meet whom", and why.

:func:`meetings` pairs each city in scope with its best matches of one kind (experts by
default) and returns them as one list sorted by ``(-score, city id, candidate id)``. The
work is bounded: the cities in scope are the first ``limit`` cities by id that match the
``country``/``region`` filters, so a report costs at most ``limit`` engine calls (each with
``k = per_city``), whatever the size of the graph. The engine's own rules hold: members who are
not open to matches and declined pairs never appear, and what a city already has (its
advisers, partners, solutions) is left out.

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
>>> report = meetings(Engine(store, background=False), store)
>>> [(m.city_id, m.candidate_id) for m in report.meetings]
[('city:a', 'mem:m')]
"""

from __future__ import annotations

from collections.abc import Iterable
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
MAX_LIMIT = 200
MAX_PER_CITY = 5


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
    """The meetings, best first, and how much of the scope they cover.

    ``cities_in_scope`` counts every city matching the filters; ``cities_considered`` those
    the report asked the engine about (at most ``limit``, the first by id).
    """

    kind: str
    meetings: list[Meeting]
    cities_in_scope: int
    cities_considered: int


def _check(kind: str, country: str | None, region: str | None, limit: int,
           per_city: int) -> None:
    if kind not in MEETING_KINDS:
        raise InvalidInput(f"unknown kind {kind!r} for a meetings report: use one of "
                           f"{', '.join(MEETING_KINDS)}")
    for name, value, top in (("limit", limit, MAX_LIMIT), ("per_city", per_city, MAX_PER_CITY)):
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
                    region: str | None = None, limit: int = 50) -> tuple[list[Node], int]:
    """The first ``limit`` cities by id matching the filters, and how many match in all.

    A country filter (or none) is one store query; a region filter reads the cities once and
    keeps those in the region's countries.
    """
    if region is None:
        equals: dict[str, str | int | float | bool] | None = (
            {"country": country.upper()} if country else None)
        return store.find_nodes(Label.CITY, equals=equals, limit=limit)
    codes = _region_countries(region)
    if country is not None:
        codes = codes & {country.upper()}
    first: list[Node] = []
    total = 0
    for node in store.iter_nodes(Label.CITY, include_builtin=False):
        if str(node.props.get("country") or "").upper() in codes:
            total += 1
            if len(first) < limit:
                first.append(node)
    return first, total


def _recommend(engine: Engine, kind: str, city: str, k: int) -> list[Any]:
    try:
        return engine.recommend(kind, city, k=k)
    except NotFound:
        # The city is newer than the engine's projection: catch up once, then retry.
        engine.refresh(force=True)
        try:
            return engine.recommend(kind, city, k=k)
        except NotFound:  # deleted meanwhile
            return []


def meetings(engine: Engine, store: GraphStore, *, kind: Kind | str = Kind.EXPERTS,
             country: str | None = None, region: str | None = None, limit: int = 50,
             per_city: int = 1) -> MeetingsReport:
    """Who should meet whom: the best ``per_city`` matches of ``kind`` for each city in scope.

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
    limit : int, default 50
        At most this many cities are considered (the first by id) and at most this many
        meetings are returned (1..200).
    per_city : int, default 1
        Matches per city (1..5).

    Returns
    -------
    MeetingsReport
        Meetings sorted by ``(-score, city id, candidate id)``.

    Raises
    ------
    InvalidInput
        A bad kind, filter or bound.
    """
    _check(kind, country, region, limit, per_city)
    cities, total = cities_in_scope(store, country=country, region=region, limit=limit)
    rows: list[Meeting] = []
    for city in cities:
        rows.extend(_meetings_of(city, kind, _recommend(engine, kind, city.id, per_city)))
    rows.sort(key=lambda m: (-m.score, m.city_id, m.candidate_id))
    return MeetingsReport(kind=kind, meetings=rows[:limit], cities_in_scope=total,
                          cities_considered=len(cities))


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
