"""Failures a user can meet on their own data: fits that cannot learn, engine failures in the
CLI, and ``evaluate`` without the ``eval`` extra."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from board_fixture import checkerboard

from graph_schema.sqlite_store import SQLiteStore
from matchmaking.kinds import KINDS, Kind
from matchmaking.projection import Projection
from matchmaking.training import _fit_ranker, default_model, fit_kind

ROOT = Path(__file__).resolve().parents[2]


def test_fit_without_enough_positives_uses_defaults_and_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    proj = Projection.build(*checkerboard())
    with caplog.at_level(logging.WARNING, logger="matchmaking.training"):
        model = fit_kind(proj, Kind.SOLUTIONS)
    assert not model.learned
    assert model.weights == default_model(Kind.SOLUTIONS).weights
    assert model.fallback == "11 training positives, fewer than min_positives=20"
    assert model.combiner == f"default weights (fallback: {model.fallback})"
    assert [r.getMessage() for r in caplog.records] == [
        f"solutions: cannot learn weights ({model.fallback}); using the default weights"]
    learned = fit_kind(proj, Kind.OPPORTUNITIES, min_positives=1)
    assert learned.learned and learned.fallback == ""
    assert learned.combiner.startswith("learned pairwise logistic weights (3 positives")


@pytest.mark.parametrize("kind", list(Kind))
def test_degenerate_samples_fall_back_to_the_kinds_defaults(kind: Kind) -> None:
    names = list(KINDS[kind].features)
    y = np.r_[np.ones(30), np.zeros(30)].astype(int)
    constant = np.ones((60, len(names)))
    m = _fit_ranker(kind, constant, y, names, min_positives=5, random_state=0)
    assert not m.learned and "every feature is constant" in m.fallback
    assert m.weights == default_model(kind).weights
    nan = np.random.default_rng(0).random((60, len(names)))
    nan[3, 0] = np.nan
    m = _fit_ranker(kind, nan, y, names, min_positives=5, random_state=0)
    assert not m.learned and m.fallback == "non-finite feature values in the training samples"
    single = np.random.default_rng(1).random((60, len(names)))
    m = _fit_ranker(kind, single, np.ones(60, dtype=int), names, min_positives=5,
                    random_state=0)
    assert not m.learned and "single class" in m.fallback
    # a feature that separates the classes is learned, not replaced by the defaults
    sep = np.random.default_rng(2).random((60, len(names)))
    sep[:30, 0] += 2.0
    m = _fit_ranker(kind, sep, y, names, min_positives=5, random_state=0)
    assert m.learned and m.fallback == "" and max(m.weights, key=m.weights.get) == names[0]


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MATCHMAKING_STORE",
                                                          "MATCHMAKING_DEBUG")}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=300, env=env, cwd=ROOT)


FAULTY_FIT = """
import sys
import matchmaking.engine as engine

def broken_fit(*args, **kwargs):
    raise RuntimeError("injected fault in the fit\\nsecond line")

engine.fit_kind = broken_fit
from matchmaking.cli import main
main(sys.argv[1:])
"""


def test_engine_failure_is_one_line_and_non_zero(board_store: SQLiteStore) -> None:
    proc = _python(FAULTY_FIT, "--store", board_store.url, "recommend", "solutions", "city:a0")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        "error: recommend failed: RuntimeError: injected fault in the fit second line "
        "(set MATCHMAKING_DEBUG=1 for the traceback)"]
    assert proc.stdout == ""


NO_IMPLICIT = """
import sys
sys.modules["implicit"] = None  # as if the eval extra were not installed
from matchmaking.cli import main
main(sys.argv[1:])
"""


def test_evaluate_without_the_eval_extra_skips_als_with_a_note(
    board_store: SQLiteStore,
) -> None:
    proc = _python(NO_IMPLICIT, "--store", board_store.url, "evaluate", "--kinds",
                   "solutions,leads")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "ModuleNotFoundError" not in proc.stderr
    note = ("note: ALS baseline skipped: the 'implicit' package is not installed; install the "
            "eval extra: pip install 'smartcity-matchmaking[eval]'")
    assert note in proc.stdout.splitlines()
    assert "| als |" not in proc.stdout
    assert "| ppr |" in proc.stdout and "| hybrid |" in proc.stdout
    # which combiner each kind used, and why it fell back
    assert ("hybrid combiner: default weights (fallback: 7 training positives, fewer than "
            "min_positives=20)") in proc.stdout
    assert "solutions: cannot learn weights" in proc.stderr  # the log line


def test_evaluate_with_the_eval_extra_runs_als(board_store: SQLiteStore) -> None:
    pytest.importorskip("implicit")
    proc = _python("import sys\nfrom matchmaking.cli import main\nmain(sys.argv[1:])",
                   "--store", board_store.url, "evaluate", "--kinds", "solutions")
    assert proc.returncode == 0, proc.stderr
    assert "| als |" in proc.stdout and "ALS baseline skipped" not in proc.stdout
