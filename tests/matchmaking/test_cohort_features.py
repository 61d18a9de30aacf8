"""The ``national`` and ``cohort`` features of ``solutions`` against brute force.

On the random world of cohort_fixture.py (70 cities, so the cohort is cut to its top 50),
every (city, solution) value the engine computes must equal the value recomputed in plain
Python from the relationships; hiding links with ``Projection.without`` (as training does)
must give the values of the graph without those links, including the years: the newest
links are hidden, so a leak of their years would age every other link against the wrong
year.
"""

from __future__ import annotations

import numpy as np
import pytest
from cohort_fixture import NEWEST, NO_COUNTRY, Brute, world

from graph_schema.schema import Label, Node, Rel, RelType
from matchmaking.features import COHORT, HALF_LIFE, FeatureSpace
from matchmaking.kinds import KINDS, Kind
from matchmaking.projection import Projection

#: the cohort size and half-life (years) the feature is documented with
#: (``matchmaking.features.COHORT`` and ``HALF_LIFE``), written out so a change shows here
TOP, HALF = 50, 1.5
FEATURES = list(KINDS[Kind.SOLUTIONS].features)


def brute_of(nodes: list[Node], rels: list[Rel]) -> Brute:
    return Brute(nodes, rels, k=TOP, half_life=HALF)


def engine_values(proj: Projection, feature: str) -> dict[tuple[str, str], float]:
    """``feature`` of every (city, solution) pair, by id, from the kind's feature tensor."""
    fs = FeatureSpace(proj)
    rc, rs = proj.rows[Label.CITY], proj.rows[Label.SOLUTION]
    X = fs.features(Kind.SOLUTIONS, np.arange(rc.size), np.arange(rs.size))
    j = FEATURES.index(feature)
    return {(proj.ids[a], proj.ids[b]): float(X[i, m, j])
            for i, a in enumerate(rc.tolist()) for m, b in enumerate(rs.tolist())}


def brute_values(brute: Brute, feature: str) -> dict[tuple[str, str], float]:
    if feature == "national":
        return {(c, s): brute.national(c, s) for c in brute.cities for s in brute.solutions}
    return {(c, s): v for c in brute.cities for s, v in brute.cohort(c).items()}


def assert_same(got: dict[tuple[str, str], float], want: dict[tuple[str, str], float]) -> None:
    assert got.keys() == want.keys()
    bad = [(k, got[k], want[k]) for k in want if abs(got[k] - want[k]) > 1e-9]
    assert not bad, f"{len(bad)} of {len(want)} pairs differ, e.g. {bad[:3]}"


@pytest.fixture(scope="module")
def dated() -> tuple[list[Node], list[Rel]]:
    return world(seed=0, dated=True)


def test_the_world_exercises_the_cut_and_the_edge_cases(dated: tuple[list[Node], list[Rel]],
                                                        ) -> None:
    """Preconditions: otherwise the comparisons below would not test the top-50 cut."""
    nodes, rels = dated
    brute = brute_of(nodes, rels)
    assert (COHORT, HALF_LIFE) == (TOP, HALF) and len(brute.cities) > TOP + 1
    sharers = [sum(1 for x in brute.cities if x != c and brute.similarity(c, x) > 0)
               for c in brute.cities]
    assert sum(n > TOP for n in sharers) >= 10  # the cut removes cities for many subjects
    cohorts = [brute.cohort_members(c) for c in brute.cities]
    assert any(0 < len(m) < n for m, n in zip(cohorts, sharers, strict=True))
    assert sum(len(m) > TOP for m in cohorts) >= 5  # ties at the 50th similarity, all kept
    assert not cohorts[-1]  # the city without implementations has no cohort
    undated = [r for r in rels if r.type is RelType.IMPLEMENTED and "year" not in r.props]
    assert len(undated) > 20
    assert sum(1 for y in brute.year.values() if y == NEWEST) == 2


@pytest.mark.parametrize("feature", ["national", "cohort"])
def test_feature_equals_brute_force(dated: tuple[list[Node], list[Rel]], feature: str) -> None:
    nodes, rels = dated
    got = engine_values(Projection.build(nodes, rels), feature)
    assert_same(got, brute_values(brute_of(nodes, rels), feature))
    # not a world of zeros (recent adoptions are few: the years spread over 16 half-lives)
    assert max(got.values()) > {"national": 0.5, "cohort": 0.1}[feature]
    assert sum(v > 0 for v in got.values()) > len(got) // 4


def test_national_is_the_share_of_the_country_and_zero_without_one(
        dated: tuple[list[Node], list[Rel]]) -> None:
    nodes, rels = dated
    proj = Projection.build(nodes, rels)
    got = engine_values(proj, "national")
    brute = brute_of(nodes, rels)
    # one hand-counted value: Italian cities (30, one with the lower-case code "it")
    italian = [c for c in brute.cities if c.startswith("city:it")]
    assert len(italian) == 30
    took = sum(1 for c in italian if "sol:10" in brute.impl[c])
    assert 0 < took < 30
    assert got[("city:it05", "sol:10")] == pytest.approx(took / 30)
    assert got[("city:it00", "sol:10")] == pytest.approx(took / 30)  # "it" counts as Italy
    nowhere = [c for c in brute.cities if c.startswith("city:xx")]
    assert len(nowhere) == NO_COUNTRY
    assert all(got[(c, s)] == 0.0 for c in nowhere for s in brute.solutions)
    # ... although they implemented things themselves
    assert any(brute.impl[c] for c in nowhere)


def test_cohort_without_any_year_is_plain_co_adoption() -> None:
    nodes, rels = world(seed=1, dated=False)
    brute = brute_of(nodes, rels)
    assert not brute.year
    got = engine_values(Projection.build(nodes, rels), "cohort")
    assert_same(got, brute_values(brute, "cohort"))
    assert max(got.values()) > 0.5


def test_hidden_links_and_their_years_do_not_count(dated: tuple[list[Node], list[Rel]]) -> None:
    """``Projection.without`` (training's edge removal) gives the features of the graph
    without those links; the hidden links include both of the newest year, so their years
    leaking into the recency weights would move every value."""
    nodes, rels = dated
    proj = Projection.build(nodes, rels)
    brute_full = brute_of(nodes, rels)
    # hide each of 15 cities' newest dated link, and both links of the newest year
    hide: set[tuple[str, str]] = {k for k, y in brute_full.year.items() if y == NEWEST}
    for c in brute_full.cities[::5][:15]:
        mine = [(y, s) for (x, s), y in brute_full.year.items() if x == c]
        if mine:
            hide.add((c, max(mine)[1]))
    assert len(hide) >= 15
    kept = [r for r in rels if not (r.type is RelType.IMPLEMENTED and (r.src, r.dst) in hide)]
    pairs = sorted(hide)
    reduced = proj.without({RelType.IMPLEMENTED: (
        np.array([proj.index[a] for a, _ in pairs]), np.array([proj.index[b] for _, b in pairs]))})
    brute = brute_of(nodes, kept)
    assert brute.newest < NEWEST  # the hidden links held the newest year
    for feature in ("cohort", "national"):
        got = engine_values(reduced, feature)
        assert_same(got, brute_values(brute, feature))
        # the same as a projection built without them
        assert_same(got, engine_values(Projection.build(nodes, kept), feature))
        # canary: the full graph's values differ, so the comparison can fail
        full = engine_values(proj, feature)
        assert any(abs(full[k] - got[k]) > 1e-6 for k in got), feature
