"""The docstring examples are tests too: every module with examples runs them here."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "scoring.pagerank",
    "scoring.metapath",
    "scoring.sparse",
    "matchmaking.kinds",
    "matchmaking.engine",
    "scoring.similarity",
    "scoring.combiner",
    "scoring.diversity",
    "scoring.metrics",
    "graph_schema.store",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0, f"{name} has no examples left"
    assert result.failed == 0
