"""Reasons are faithful: over a sample of every kind's results in two worlds, every reason is
read back into the entities it names (:mod:`reason_oracle`), the relationships it states are
checked in the store, and the feature behind it contributes positively to the score.

Worlds: the demo at ``small`` scale (seed 42, where every kind learns its weights) and the
independently written synthetic ecosystem of :mod:`matchmaking.evaluation.synthetic` (seed 3,
300 cities: another causal story, other names, other text).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from reason_oracle import GENERIC, Oracle, check_reason

from graph_schema.interchange import import_dataset
from graph_schema.sqlite_store import SQLiteStore
from matchmaking.demo import write_dataset
from matchmaking.engine import Engine
from matchmaking.evaluation.synthetic import generate_world
from matchmaking.filtering import RecommendOptions
from matchmaking.kinds import KINDS, Kind

WORLDS = ("demo-small-42", "synthetic-3")
SUBJECTS_PER_KIND = 8


@pytest.fixture(scope="module", params=WORLDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          ) -> Iterator[tuple[SQLiteStore, Engine, Oracle]]:
    root = tmp_path_factory.mktemp(request.param)
    if request.param == "synthetic-3":
        generate_world(seed=3, cities=300).write(root / "data")
    else:
        write_dataset(root / "data", "small", seed=42)
    store = SQLiteStore(root / "w.db")
    store.init()
    assert import_dataset(store, root / "data").ok
    engine = Engine(store, background=False, persist=False)
    yield store, engine, Oracle(store)
    store.close()


def _subjects(store: SQLiteStore, kind: Kind) -> list[str]:
    nodes, _ = store.find_nodes(KINDS[kind].subject, limit=100_000)
    ids = sorted(n.id for n in nodes)
    step = max(1, len(ids) // SUBJECTS_PER_KIND)
    return ids[::step][:SUBJECTS_PER_KIND]


def test_every_reason_is_true_in_the_store_and_cites_a_contributing_feature(
        world: tuple[SQLiteStore, Engine, Oracle]) -> None:
    store, engine, oracle = world
    read_by: Counter[str] = Counter()
    per_kind: Counter[str] = Counter()
    for kind in Kind:
        for options in (RecommendOptions(), RecommendOptions(reciprocal=True, group=False)):
            for subject in _subjects(store, kind):
                for r in engine.recommend(kind, subject, k=10, options=options):
                    assert 1 <= len(r.reasons) <= 3, (kind, subject, r.id)
                    assert len(r.reason_features) == len(r.reasons)
                    assert len(set(r.reasons)) == len(r.reasons)
                    for reason, feature in zip(r.reasons, r.reason_features, strict=True):
                        # the feature behind the sentence raised this candidate's score
                        assert r.components.get(feature, 0.0) > 0, (kind, r.id, reason,
                                                                   feature, r.components)
                        read_by[check_reason(oracle, subject, r.id, reason)] += 1
                        per_kind[kind] += 1
    assert set(per_kind) == set(Kind), per_kind  # every kind was explained
    # the check is not vacuous: many different sentence patterns were read and checked, and
    # the generic "Ranked on ..." (which names a feature, not a path) is a rare last resort
    assert len(read_by) >= 25, read_by
    assert read_by[GENERIC.pattern] <= 0.05 * sum(read_by.values()), read_by


def test_the_oracle_rejects_false_reasons(world: tuple[SQLiteStore, Engine, Oracle]) -> None:
    """The checks can fail: true reasons moved to another pair are caught."""
    store, engine, oracle = world
    subjects = _subjects(store, Kind.SOLUTIONS)
    caught = tried = 0
    for subject in subjects[:3]:
        recs = engine.recommend(Kind.SOLUTIONS, subject, k=10)
        for r in recs:
            for reason in r.reasons:
                if reason.startswith("Descriptions share"):
                    continue  # common words may well be shared by another pair too
                for other in [x for x in subjects if x != subject][:3]:
                    tried += 1
                    try:
                        check_reason(oracle, other, r.id, reason)
                    except (AssertionError, KeyError):
                        caught += 1
    assert tried and caught >= 0.5 * tried, (caught, tried)
    with pytest.raises(AssertionError, match="no pattern"):
        check_reason(oracle, subjects[0], "sol:x", "Trust me, it is great")


def test_peer_adoption_never_cites_a_need_the_solution_does_not_address(
        world: tuple[SQLiteStore, Engine, Oracle]) -> None:
    """The Hague case: "Implemented by X, one of the cities most like yours, which also
    needs "T"" must name a need T of the subject that the solution covers. Checked on the
    sentence of every (city, top-20 solution) pair, shown or not."""
    store, engine, oracle = world
    snap = engine._snapshot()
    proj = snap.proj
    adopted = KINDS[Kind.SOLUTIONS].reasons(snap.explainer)["peer_adoption"]
    with_need = checked = 0
    for subject in _subjects(store, Kind.SOLUTIONS):
        for r in engine.recommend(Kind.SOLUTIONS, subject, k=20, options=RecommendOptions(
                group=False)):
            sentence = adopted(int(proj.local[proj.index[subject]]),
                               int(proj.local[proj.index[r.id]]))
            if sentence:
                check_reason(oracle, subject, r.id, sentence)
                checked += 1
                with_need += "which also need" in sentence
    assert checked > 0 and with_need > 0, (checked, with_need)


def test_a_reason_true_of_nearly_every_candidate_goes_last_or_away(
        world: tuple[SQLiteStore, Engine, Oracle]) -> None:
    store, engine, _ = world
    lists = 0
    for kind in Kind:
        for subject in _subjects(store, kind):
            recs = engine.recommend(kind, subject, k=10)
            if len(recs) < 5:
                continue
            lists += 1
            counts = Counter(x for r in recs for x in r.reasons)
            for text, n in counts.items():  # no sentence word for word in 80% of the list,
                # unless it is all that some candidate has to say
                assert n < 0.8 * len(recs) or any(r.reasons == [text] for r in recs), (
                    kind, subject, text)
    assert lists > 0
