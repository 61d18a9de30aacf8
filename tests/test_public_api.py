"""``import matchmaking`` is the public Python API: every name of ``__all__`` resolves to the
object its home module defines, and importing the package loads no heavy library."""

from __future__ import annotations

import subprocess
import sys

import pytest

import matchmaking
from graph_schema import errors, interchange, store
from matchmaking import engine, filtering, keys, kinds


def test_all_names_resolve_to_their_homes() -> None:
    homes = {
        "open_store": store, "GraphStore": store,
        "import_dataset": interchange, "export_dataset": interchange,
        "Engine": engine, "Recommendation": engine, "BatchResult": engine, "Kind": kinds,
        "Filters": filtering, "RecommendOptions": filtering, "Role": keys,
        "MatchmakingError": errors, "InvalidInput": errors, "NotFound": errors,
        "Conflict": errors, "StoreError": errors, "StoreUnavailable": errors,
        "MissingExtra": errors,
    }
    assert sorted(matchmaking.__all__) == sorted(homes)
    for name, module in homes.items():
        assert getattr(matchmaking, name) is getattr(module, name), name
    assert dir(matchmaking) == sorted(matchmaking.__all__)


def test_errors_share_one_root() -> None:
    for name in ("InvalidInput", "NotFound", "Conflict", "StoreError", "StoreUnavailable",
                 "MissingExtra"):
        assert issubclass(getattr(matchmaking, name), matchmaking.MatchmakingError)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Engines'"):
        matchmaking.Engines  # noqa: B018


def test_import_is_lazy() -> None:
    code = ("import sys, matchmaking; "
            "print(' '.join(m for m in ('numpy', 'scipy', 'sklearn', 'matchmaking.engine') "
            "if m in sys.modules)); "
            "matchmaking.Engine; print('numpy' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["", "True"]


def test_help_on_recommend_works() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import matchmaking; help(matchmaking.Engine.recommend)"],
        capture_output=True, text=True, timeout=120, env={"PAGER": "cat", "TERM": "dumb",
                                                           "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "Help on function recommend in module matchmaking.engine" in proc.stdout
