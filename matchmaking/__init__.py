"""Matchmaking for smart-city ecosystems: the public Python API.

Everything a program needs is importable from here; the names load lazily (PEP 562), so
``import matchmaking`` and the command line stay fast until the engine is used.

=====================  ====================================================================
name                   what it is
=====================  ====================================================================
``open_store``         open a store from a URL: ``sqlite:///PATH`` or ``bolt://HOST:PORT``
``GraphStore``         the storage contract both stores implement (SQLite, Neo4j)
``import_dataset``     validate and import a ``smartcity-graph/1`` dataset folder
``export_dataset``     write the store out as a dataset folder
``Engine``             learns the weights (``fit``) and recommends (``recommend``)
``Kind``               the kinds of match: solutions, providers, peers, experts, ...
``Recommendation``     one scored candidate with its score components and reasons
``BatchResult``        what ``Engine.recommend`` returns for many subjects at once
``Filters``            restrictions on the candidates (country, region, language, ...)
``RecommendOptions``   include known candidates, diversify, reciprocal scores
``Role``               what an API key may do
errors                 ``MatchmakingError`` and its subclasses ``InvalidInput``, ``NotFound``,
                       ``Conflict``, ``StoreError``, ``StoreUnavailable``, ``MissingExtra``
=====================  ====================================================================

Examples
--------
>>> import matchmaking
>>> store = matchmaking.open_store("sqlite:///:memory:")
>>> isinstance(store, matchmaking.GraphStore)
True
>>> store.close()
>>> issubclass(matchmaking.NotFound, matchmaking.MatchmakingError)
True

The README's "Python usage" section shows a whole session on the demo ecosystem.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph_schema.errors import (
        Conflict,
        InvalidInput,
        MatchmakingError,
        MissingExtra,
        NotFound,
        StoreError,
        StoreUnavailable,
    )
    from graph_schema.interchange import export_dataset, import_dataset
    from graph_schema.store import GraphStore, open_store
    from matchmaking.engine import BatchResult, Engine, Recommendation
    from matchmaking.filtering import Filters, RecommendOptions
    from matchmaking.keys import Role
    from matchmaking.kind_names import Kind

#: Public name -> the module that defines it.
_HOMES: dict[str, str] = {
    "open_store": "graph_schema.store",
    "GraphStore": "graph_schema.store",
    "import_dataset": "graph_schema.interchange",
    "export_dataset": "graph_schema.interchange",
    "Engine": "matchmaking.engine",
    "Recommendation": "matchmaking.engine",
    "BatchResult": "matchmaking.engine",
    "Kind": "matchmaking.kind_names",
    "Filters": "matchmaking.filtering",
    "RecommendOptions": "matchmaking.filtering",
    "Role": "matchmaking.keys",
    "MatchmakingError": "graph_schema.errors",
    "InvalidInput": "graph_schema.errors",
    "NotFound": "graph_schema.errors",
    "Conflict": "graph_schema.errors",
    "StoreError": "graph_schema.errors",
    "StoreUnavailable": "graph_schema.errors",
    "MissingExtra": "graph_schema.errors",
}

__all__ = [
    "BatchResult",
    "Conflict",
    "Engine",
    "Filters",
    "GraphStore",
    "InvalidInput",
    "Kind",
    "MatchmakingError",
    "MissingExtra",
    "NotFound",
    "RecommendOptions",
    "Recommendation",
    "Role",
    "StoreError",
    "StoreUnavailable",
    "export_dataset",
    "import_dataset",
    "open_store",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'matchmaking' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
