"""Pinned top-10 lists: a refactor of the engine must not change any recommendation.

The demo world ``small`` (seed 42) is big enough that every kind but ``experts`` learns its
weights (the fixture records ``learned`` per kind; see ``NOT_LEARNED``). For a handful of
subjects per kind, and a few option variants (filters, ``reciprocal``, ``diversify``), the
expected ids (in order), scores, components and reasons are stored in
``pinned_recommendations.json`` next to this file.

A deliberate change of the recommendations (quality work) regenerates the fixture, visibly in
the diff of the commit that makes it::

    .venv/bin/python tests/matchmaking/test_pinned_recommendations.py --regen
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

if __name__ == "__main__":  # run as a script (--regen): make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from graph_schema.interchange import import_dataset
from graph_schema.schema import Label
from graph_schema.sqlite_store import SQLiteStore
from matchmaking.demo import write_dataset
from matchmaking.engine import Engine, Recommendation
from matchmaking.filtering import Filters, RecommendOptions

FIXTURE = Path(__file__).with_name("pinned_recommendations.json")
SCALE, SEED = "small", 42
SUBJECTS_PER_KIND = 5
#: (kind, subject label) in a fixed order, spelled out here so that the pin does not depend on
#: the registry it protects.
KIND_SUBJECTS = [("solutions", Label.CITY), ("providers", Label.CITY), ("peers", Label.CITY),
                 ("experts", Label.CITY), ("opportunities", Label.MEMBER),
                 ("leads", Label.PROVIDER)]
#: Extra cases through the options and filters (first subject of the kind).
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("solutions", {"diversify": True}),
    ("solutions", {"filters": {"category": "mobility", "max_cost": "medium"}}),
    ("providers", {"filters": {"provider_kind": "company"}}),
    ("peers", {"reciprocal": True}),
    ("experts", {"reciprocal": True}),
    ("opportunities", {"reciprocal": True, "diversify": True}),
    ("leads", {"filters": {"region": "Europe"}}),
    ("solutions", {"include_known": True}),
]
SCORE_TOL = 2e-6  # scores are rounded to 6 decimals; allow one unit of that rounding


def _store(folder: Path) -> SQLiteStore:
    write_dataset(folder / "data", SCALE, seed=SEED)
    store = SQLiteStore(folder / "pin.db")
    store.init()
    report = import_dataset(store, folder / "data")
    assert report.ok, report.errors[:3]
    return store


def _subjects(store: SQLiteStore, label: Label) -> list[str]:
    nodes, _ = store.find_nodes(label, limit=100_000)
    ids = sorted(n.id for n in nodes)
    step = max(1, len(ids) // SUBJECTS_PER_KIND)
    return ids[::step][:SUBJECTS_PER_KIND]


def _run(engine: Engine, kind: str, subject: str, opts: dict[str, Any]) -> list[Recommendation]:
    opts = dict(opts)
    filters = Filters(**opts.pop("filters")) if "filters" in opts else None
    return engine.recommend(kind, subject, k=10, filters=filters,
                            options=RecommendOptions(**opts))


def _as_json(recs: list[Recommendation]) -> list[dict[str, Any]]:
    return [{"id": r.id, "score": round(r.score, 6),
             "components": {k: round(v, 6) for k, v in sorted(r.components.items())},
             "reasons": r.reasons} for r in recs]


def compute() -> dict[str, Any]:
    """The current engine's lists for every case (what ``--regen`` writes)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = _store(Path(tmp))
        try:
            engine = Engine(store, background=False).fit()
            cases: list[dict[str, Any]] = []
            first: dict[str, str] = {}
            for kind, label in KIND_SUBJECTS:
                for sid in _subjects(store, label):
                    first.setdefault(kind, sid)
                    cases.append({"kind": kind, "subject": sid, "options": {},
                                  "top": _as_json(_run(engine, kind, sid, {}))})
            for kind, opts in VARIANTS:
                sid = first[kind]
                cases.append({"kind": kind, "subject": sid, "options": opts,
                              "top": _as_json(_run(engine, kind, sid, opts))})
            learned = {kind: engine.model(kind).learned for kind, _ in KIND_SUBJECTS}
            return {"scale": SCALE, "seed": SEED, "learned": learned, "cases": cases}
        finally:
            store.close()


@pytest.fixture(scope="module")
def current() -> Iterator[dict[str, Any]]:
    yield compute()


#: Kinds whose model on ``small`` is not learned. ``experts``: since training hides each
#: subject's newest advice and draws cities with a history first (2026-11-27), its logistic
#: combiner finds no positive weight on this world (with either change alone it learns) and
#: the selection keeps the defaults; the learned experts model is pinned by test_graded.py.
NOT_LEARNED = {"experts"}


def test_fixture_covers_every_kind_with_learned_weights() -> None:
    pinned = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert pinned["learned"] == {kind: kind not in NOT_LEARNED for kind, _ in KIND_SUBJECTS}
    kinds = {c["kind"] for c in pinned["cases"] if not c["options"]}
    assert kinds == {kind for kind, _ in KIND_SUBJECTS}
    assert all(c["top"] for c in pinned["cases"] if not c["options"])


def test_top10_lists_are_unchanged(current: dict[str, Any]) -> None:
    pinned = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert current["learned"] == pinned["learned"]
    assert len(current["cases"]) == len(pinned["cases"])
    for got, want in zip(current["cases"], pinned["cases"], strict=True):
        where = f"{want['kind']} for {want['subject']} with {want['options']}"
        assert (got["kind"], got["subject"], got["options"]) == (
            want["kind"], want["subject"], want["options"]), where
        assert [r["id"] for r in got["top"]] == [r["id"] for r in want["top"]], where
        for g, w in zip(got["top"], want["top"], strict=True):
            assert math.isclose(g["score"], w["score"], abs_tol=SCORE_TOL), (where, g["id"])
            assert g["components"].keys() == w["components"].keys(), (where, g["id"])
            for name, value in w["components"].items():
                assert math.isclose(g["components"][name], value, abs_tol=SCORE_TOL), (
                    where, g["id"], name)
            assert g["reasons"] == w["reasons"], (where, g["id"])


if __name__ == "__main__":
    if sys.argv[1:] != ["--regen"]:
        sys.exit(f"usage: {sys.argv[0]} --regen   (rewrites {FIXTURE.name} from this engine)")
    data = compute()
    FIXTURE.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE} ({len(data['cases'])} cases)")
