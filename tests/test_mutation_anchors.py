"""The hand-written mutants of ``benchmarks/mutations.py`` still point at real code: each
mutant's original text occurs exactly once in its file, so a refactor that moves the code
fails here instead of silently dropping the mutant from the next mutation run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("mutations", ROOT / "benchmarks" / "mutations.py")
assert _spec is not None and _spec.loader is not None
mutations = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("mutations", mutations)  # its dataclass looks its module up
_spec.loader.exec_module(mutations)


@pytest.mark.parametrize("m", mutations.MUTATIONS, ids=lambda m: m.key)
def test_every_mutant_anchors_once(m: object) -> None:
    text = (ROOT / m.path).read_text(encoding="utf-8")  # type: ignore[attr-defined]
    assert text.count(m.old) == 1, (m.key, m.path)  # type: ignore[attr-defined]
