"""Which subjects training draws and which of their links it hides (matchmaking.training).

``links_to_hide``: half of a subject's links (at least one); the newest dated ones where links
carry years (ties within a year at random, never an undated link, so never more than are
dated), else a random half. ``draw_subjects``: a uniform draw without years; with years,
subjects with at least ``HISTORY_LINKS`` links first, filled up from the others when they are
too few. Expectations are read off the inputs (sorting years by hand), over many seeds where
the rule involves chance.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from matchmaking.training import HISTORY_LINKS, draw_subjects, links_to_hide


def dated(years: dict[int, list[int]]) -> bool:
    """Whether any link has a year (what ``fit_kind`` tells ``draw_subjects``)."""
    return any(any(y) for y in years.values())


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


# ---------------------------------------------------------------------------- links_to_hide

@pytest.mark.parametrize(("years", "want"), [
    ([2015, 2021, 2019, 2012], [1, 2]),  # half of 4: the two newest
    ([2010, 2011, 2012, 2013, 2014, 2015], [3, 4, 5]),
    ([2019, 2012, 2020, 2008, 2016], [0, 2]),  # half of 5 rounds down
    ([2020], [0]),  # at least one
    ([2001, 2002], [1]),
])
def test_the_newest_dated_links_are_hidden(years: list[int], want: list[int]) -> None:
    for seed in range(5):
        assert links_to_hide(years, rng(seed)) == want


def test_undated_links_are_never_hidden_when_some_are_dated() -> None:
    years = [0, 2014, 0, 0, 2018, 0, 0, 0]  # half of 8 is 4, but only 2 are dated
    for seed in range(10):
        assert links_to_hide(years, rng(seed)) == [1, 4]
    assert links_to_hide([0, 0, 0, 2019, 0], rng(0)) == [3]


def test_ties_within_a_year_are_broken_at_random() -> None:
    years = [2018, 2020, 2020, 2020, 2010, 2020]  # hide 3 of the four 2020 links
    seen: Counter[tuple[int, ...]] = Counter()
    for seed in range(200):
        pick = links_to_hide(years, rng(seed))
        assert len(pick) == 3 and all(years[i] == 2020 for i in pick)
        assert pick == sorted(pick)
        seen[tuple(pick)] += 1
    assert len(seen) == 4  # every 3 of the 4 tied links, each about a quarter of the time
    assert min(seen.values()) > 20


def test_without_years_a_random_half_is_hidden() -> None:
    years = [0] * 7
    seen: Counter[int] = Counter()
    picks = set()
    for seed in range(300):
        pick = links_to_hide(years, rng(seed))
        assert len(pick) == 3 and len(set(pick)) == 3 and pick == sorted(pick)
        assert all(0 <= i < 7 for i in pick)
        seen.update(pick)
        picks.add(tuple(pick))
    # uniform: every link hidden about 3/7 of the time, many different halves
    assert set(seen) == set(range(7))
    assert all(abs(n / 300 - 3 / 7) < 0.12 for n in seen.values())
    assert len(picks) > 20
    assert links_to_hide([0], rng(0)) == [0]


# ---------------------------------------------------------------------------- draw_subjects

def world(n_rich: int, n_poor: int, dated: bool) -> tuple[dict[int, list[int]],
                                                          dict[int, list[int]]]:
    """Subjects 0.. with HISTORY_LINKS links (rich) then with fewer (poor)."""
    by_subject: dict[int, list[int]] = {}
    years: dict[int, list[int]] = {}
    for s in range(n_rich + n_poor):
        n = HISTORY_LINKS + s % 3 if s < n_rich else 1 + s % (HISTORY_LINKS - 1)
        by_subject[10 * s] = list(range(n))  # subject ids need not be 0..n-1
        years[10 * s] = [2010 + i if dated else 0 for i in range(n)]
    return by_subject, years


def is_rich(by_subject: dict[int, list[int]], s: int) -> bool:
    return len(by_subject[s]) >= HISTORY_LINKS


def test_small_populations_are_drawn_whole() -> None:
    by_subject, years = world(3, 4, dated=True)
    got = draw_subjects(by_subject, dated(years), 7, rng(0))
    assert got.tolist() == sorted(by_subject)
    assert draw_subjects(by_subject, dated(years), 50, rng(0)).tolist() == sorted(by_subject)


def test_without_years_the_draw_is_uniform() -> None:
    by_subject, years = world(10, 30, dated=False)
    counts: Counter[int] = Counter()
    for seed in range(200):
        got = draw_subjects(by_subject, dated(years), 10, rng(seed))
        assert got.size == 10 and np.unique(got).size == 10
        assert got.tolist() == sorted(got.tolist())
        assert set(got.tolist()) <= set(by_subject)
        counts.update(got.tolist())
    # every subject is drawn, rich or poor, about 10/40 of the time
    assert set(counts) == set(by_subject)
    poor = [counts[s] for s in by_subject if not is_rich(by_subject, s)]
    rich = [counts[s] for s in by_subject if is_rich(by_subject, s)]
    assert abs(np.mean(poor) - np.mean(rich)) < 15  # 50 expected for each


def test_with_years_subjects_with_a_history_come_first() -> None:
    by_subject, years = world(25, 30, dated=True)
    seen: set[int] = set()
    for seed in range(50):
        got = draw_subjects(by_subject, dated(years), 10, rng(seed)).tolist()
        assert len(got) == 10 and len(set(got)) == 10 and got == sorted(got)
        assert all(is_rich(by_subject, s) for s in got), got
        seen.update(got)
    # a random draw among the rich, not always the same ten
    assert len(seen) > 20


def test_with_years_too_few_rich_subjects_are_filled_from_the_others() -> None:
    by_subject, years = world(4, 30, dated=True)
    rich = {s for s in by_subject if is_rich(by_subject, s)}
    assert len(rich) == 4
    fill: set[int] = set()
    for seed in range(50):
        got = draw_subjects(by_subject, dated(years), 10, rng(seed)).tolist()
        assert len(got) == 10 and len(set(got)) == 10 and got == sorted(got)
        assert rich <= set(got)  # all the rich, then six others
        fill.update(set(got) - rich)
    assert len(fill) > 15  # drawn at random among the others


def test_one_dated_link_anywhere_turns_on_the_rich_first_draw() -> None:
    by_subject, years = world(12, 30, dated=False)
    first_poor = next(s for s in by_subject if not is_rich(by_subject, s))
    years[first_poor][0] = 2020
    for seed in range(20):
        got = draw_subjects(by_subject, dated(years), 10, rng(seed)).tolist()
        assert all(is_rich(by_subject, s) for s in got)
