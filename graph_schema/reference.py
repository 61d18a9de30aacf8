"""Built-in reference data: SDGs, countries and the U4SSC KPI catalogue.

The data ships as JSON package data in ``graph_schema/data/`` and is regenerated with
``scripts/build_reference_data.py``. Every loader is cached; callers must treat the returned
lists and dicts as read-only (copy before changing them).

Region convention for countries
-------------------------------
``region`` is the UN M49 *region* (``Africa``, ``Americas``, ``Asia``, ``Europe``,
``Oceania``). ``subregion`` is the most specific M49 grouping below it: the M49
*intermediate region* where M49 defines one, otherwise the M49 *sub-region*. So Germany is
``Europe`` / ``Western Europe``, Brazil is ``Americas`` / ``South America`` (M49 intermediate
region of the sub-region "Latin America and the Caribbean"), Mexico is ``Americas`` /
``Central America``, Nigeria is ``Africa`` / ``Western Africa`` (within "Sub-Saharan Africa"),
and the United States is ``Americas`` / ``Northern America``. This is the familiar "UN
geoscheme" grouping. Antarctica belongs to no M49 region, so both strings are empty. Taiwan
and Kosovo, which M49 does not list separately, carry the grouping of their neighbours
(``Eastern Asia``, ``Southern Europe``).

Country aliases
---------------
``country_alias_hint`` maps common non-ISO two-letter codes (``UK``, ``EL``, ISO's reserved
codes such as ``FX`` or ``ZR``) to the ISO 3166-1 code they stand for, so the importer can
reject them with a useful hint.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "country",
    "country_alias_hint",
    "countries",
    "kpi_catalogue",
    "kpis",
    "reference_nodes",
    "sdgs",
]

_SDG_PROPS = ("name", "number", "title")
_COUNTRY_PROPS = ("name", "code", "alpha3", "region", "subregion")
_KPI_PROPS = ("name", "code", "unit", "dimension", "subdimension", "category", "type", "direction")


def _load(name: str) -> Any:
    text = resources.files("graph_schema").joinpath("data", name).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def sdgs() -> list[dict[str, Any]]:
    """Return the 17 UN Sustainable Development Goals.

    Returns
    -------
    list of dict
        ``{"id": "sdg:N", "number": N, "name": ..., "title": ...}`` ordered by number.
    """
    data: list[dict[str, Any]] = _load("sdgs.json")
    return data


@cache
def _countries_file() -> dict[str, Any]:
    data: dict[str, Any] = _load("countries.json")
    return data


@cache
def countries() -> list[dict[str, Any]]:
    """Return every ISO 3166-1 country or territory, plus Kosovo (``XK``).

    Returns
    -------
    list of dict
        ``{"id": "country:XX", "code", "alpha3", "name", "region", "subregion"}`` ordered by
        code. See the module docstring for the region convention.
    """
    data: list[dict[str, Any]] = _countries_file()["countries"]
    return data


@cache
def _countries_by_code() -> dict[str, dict[str, Any]]:
    return {c["code"]: c for c in countries()}


def country(code: str) -> dict[str, Any] | None:
    """Look up a country by its ISO 3166-1 alpha-2 code (case-insensitive).

    Parameters
    ----------
    code : str
        Two-letter code such as ``"DE"``; ``"XK"`` (Kosovo) is accepted.

    Returns
    -------
    dict or None
        The country record, or ``None`` for an unknown code (aliases such as ``"UK"``
        included: use :func:`country_alias_hint` for those).
    """
    return _countries_by_code().get(code.strip().upper())


def country_alias_hint(code: str) -> str | None:
    """Return the ISO code that a common non-ISO country code stands for.

    Parameters
    ----------
    code : str
        A code that is not ISO 3166-1, such as ``"UK"`` or ``"EL"`` (case-insensitive).

    Returns
    -------
    str or None
        The ISO 3166-1 alpha-2 code (``"GB"`` for ``"UK"``, ``"GR"`` for ``"EL"``), or
        ``None`` when the code is no known alias.
    """
    aliases: dict[str, str] = _countries_file()["aliases"]
    return aliases.get(code.strip().upper())


@cache
def _kpi_file() -> dict[str, Any]:
    data: dict[str, Any] = _load("kpis.json")
    return data


@cache
def kpis() -> list[dict[str, Any]]:
    """Return the U4SSC key performance indicators for smart sustainable cities.

    Returns
    -------
    list of dict
        ``{"id": "kpi:<code>", "code", "name", "unit", "dimension", "subdimension",
        "category", "type", "direction"}``; ``type`` is ``"core"`` or ``"advanced"``,
        ``direction`` is ``"higher_is_better"`` or ``"lower_is_better"``.
    """
    data: list[dict[str, Any]] = _kpi_file()["kpis"]
    return data


@cache
def kpi_catalogue() -> dict[str, Any]:
    """Return the structure of the U4SSC catalogue, without the KPIs themselves.

    Returns
    -------
    dict
        ``{"source": str, "dimensions": [...], "subdimensions": [...], "categories": [...]}``.
        Each category has a ``name`` and its ``placements``: the (dimension, sub-dimension)
        pairs it appears under, since e.g. "Water and Sanitation" occurs in three
        sub-dimensions.
    """
    data = _kpi_file()
    return {key: data[key] for key in ("source", "dimensions", "subdimensions", "categories")}


def _props(record: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: record[k] for k in keys if record.get(k) not in (None, "")}


@cache
def _reference_nodes() -> tuple[tuple[str, str, dict[str, Any]], ...]:
    nodes: list[tuple[str, str, dict[str, Any]]] = []
    nodes.extend((s["id"], "SDG", _props(s, _SDG_PROPS)) for s in sdgs())
    nodes.extend((c["id"], "Country", _props(c, _COUNTRY_PROPS)) for c in countries())
    nodes.extend((k["id"], "KPI", _props(k, _KPI_PROPS)) for k in kpis())
    return tuple(nodes)


def reference_nodes() -> list[tuple[str, str, dict[str, Any]]]:
    """Return every built-in reference node as ``(id, label, props)``.

    Labels are ``"SDG"``, ``"Country"`` and ``"KPI"``. Property values are JSON scalars;
    empty values (e.g. Antarctica's region) are left out. The list is a fresh copy of the
    cached data with fresh property dicts, so callers may modify it.

    Returns
    -------
    list of tuple
        SDGs first (by number), then countries (by code), then KPIs (catalogue order).
    """
    return [(node_id, label, dict(props)) for node_id, label, props in _reference_nodes()]
