"""scoring.cohort against plain-Python brute force (rarity, recency, top-k cohorts).

Every expectation is computed here from the incidence as nested lists (counts, logs, powers of
one half, a sort for the k-th similarity), never by calling the functions under test.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.cohort import cohort_weights, rarity_weights, recency_weights, top_k_weights


def brute_rarity(X: list[list[int]]) -> list[float]:
    """``log(active rows / adopters)`` per column, 0 for unseen or universal items."""
    active = sum(1 for row in X if any(row))
    out = []
    for j in range(len(X[0])):
        adopters = sum(1 for row in X if row[j])
        out.append(max(math.log(active / adopters), 0.0) if adopters else 0.0)
    return out


def brute_cohort(W: list[list[float]], r: int, k: int) -> list[float]:
    """Row ``r``'s weights over the other rows: dot products, the ``k`` best (ties at the
    ``k``-th kept, self excluded, zero similarity never kept), normalised to sum 1."""
    n = len(W)
    sim = [0.0 if x == r else sum(a * b for a, b in zip(W[r], W[x], strict=True))
           for x in range(n)]
    cut = sorted(sim, reverse=True)[k - 1] if n > k else 0.0
    kept = [s if s > 0 and s >= cut else 0.0 for s in sim]
    tot = sum(kept)
    return [s / tot if tot else 0.0 for s in kept]


def csr(rows: Sequence[Sequence[float]]) -> sp.csr_array:
    return sp.csr_array(np.array(rows, dtype=np.float64))


# ---------------------------------------------------------------------------- rarity

def test_rarity_matches_brute_force() -> None:
    X = [[1, 1, 0, 1, 0],
         [1, 0, 0, 1, 0],
         [1, 1, 1, 0, 0],
         [1, 0, 0, 0, 0],
         [0, 0, 0, 0, 0]]  # an inactive row: not counted in "active"
    got = rarity_weights(csr(X))
    want = brute_rarity(X)
    assert got.tolist() == pytest.approx(want)
    # item 0 is held by every active row (4 of 4, the empty row does not count): no rarity;
    # item 4 nobody has: 0, not infinity
    assert got[0] == 0.0 and got[4] == 0.0
    assert got[2] == pytest.approx(math.log(4)) and got[1] == pytest.approx(math.log(2))
    # rarer items weigh more
    assert got[2] > got[1] > got[0]


def test_rarity_of_an_empty_incidence_is_zero() -> None:
    assert rarity_weights(sp.csr_array((3, 4))).tolist() == [0.0] * 4


# ---------------------------------------------------------------------------- recency

def test_recency_half_life_arithmetic() -> None:
    X = csr([[1, 1, 1, 0], [1, 1, 0, 1]])
    years = csr([[2022, 2019, 0, 0], [2016, 2022, 2020, 2021]])  # (0, 2) undated; (1, 2) no link
    R = recency_weights(X, years, half_life=1.5).toarray()
    latest = 2022
    want = [[1.0, 0.5 ** ((latest - 2019) / 1.5), 0.0, 0.0],
            [0.5 ** ((latest - 2016) / 1.5), 1.0, 0.0, 0.5 ** ((latest - 2021) / 1.5)]]
    np.testing.assert_allclose(R, want, rtol=1e-12)
    assert R[0, 1] == pytest.approx(0.25)  # three years = two half-lives
    assert R[0, 2] == 0.0  # an undated link says nothing about being recent


def test_recency_ignores_years_of_links_that_are_not_there() -> None:
    """A year without a link (e.g. a link hidden for training) neither counts nor moves the
    newest year the others are aged against."""
    X = csr([[1, 0], [0, 1]])
    years = csr([[2018, 2024], [0, 2020]])  # 2024 belongs to no link of X
    R = recency_weights(X, years, half_life=2.0).toarray()
    np.testing.assert_allclose(R, [[0.5, 0.0], [0.0, 1.0]])  # aged against 2020, not 2024


def test_recency_without_any_dated_link_is_plain_incidence() -> None:
    X = csr([[1, 0, 1], [0, 1, 0]])
    for years in (sp.csr_array((2, 3)), csr([[0, 2020, 0], [0, 0, 0]])):  # none on a link
        R = recency_weights(X, years, half_life=1.5)
        assert R.toarray().tolist() == X.toarray().tolist()
        assert R.dtype == np.float64


@pytest.mark.parametrize("half_life", [0.0, -1.0])
def test_recency_rejects_a_non_positive_half_life(half_life: float) -> None:
    with pytest.raises(ValueError, match="half_life"):
        recency_weights(csr([[1.0]]), csr([[2020]]), half_life=half_life)


# ---------------------------------------------------------------------------- cohorts

def test_cohort_weights_on_a_worked_example() -> None:
    # row 0 shares item 1 (weight 2) with rows 1 and 2, item 0 (weight 1) with row 3,
    # items 0 and 1 with row 4; row 5 shares nothing with anybody
    W = [[1.0, 2.0, 0.0],
         [0.0, 2.0, 0.0],
         [0.0, 2.0, 3.0],
         [1.0, 0.0, 0.0],
         [1.0, 2.0, 0.0],
         [0.0, 0.0, 0.0]]
    X = csr(W)
    XT = sp.csr_array(X.T)
    # sims of row 0: [self, 4, 4, 1, 5, 0]
    got = cohort_weights(X, XT, np.array([0]), k=2)[0]
    # top 2 are row 4 (5) and rows 1, 2 tied at the 2nd value 4: ties kept, so three rows
    np.testing.assert_allclose(got, [0, 4 / 13, 4 / 13, 0, 5 / 13, 0])
    got = cohort_weights(X, XT, np.array([0]), k=1)[0]
    np.testing.assert_allclose(got, [0, 0, 0, 0, 1, 0])
    got = cohort_weights(X, XT, np.array([0]), k=10)[0]  # k beyond the rows: every sharer
    np.testing.assert_allclose(got, [0, 4 / 14, 4 / 14, 1 / 14, 5 / 14, 0])
    # a row sharing nothing: all zeros, not NaN
    assert cohort_weights(X, XT, np.array([5]), k=2)[0].tolist() == [0.0] * 6


def test_cohort_excludes_the_row_itself_even_when_it_is_the_most_similar() -> None:
    W = [[5.0, 5.0], [1.0, 0.0], [0.0, 1.0]]
    X = csr(W)
    got = cohort_weights(X, sp.csr_array(X.T), np.array([0]), k=1)[0]
    assert got[0] == 0.0
    np.testing.assert_allclose(got, [0.0, 0.5, 0.5])  # rows 1 and 2 tie at 5


@pytest.mark.parametrize("k", [1, 2, 4, 6])
def test_top_k_weights_equal_brute_force(k: int) -> None:
    """The shared cut (also the similar-city neighbours'): the k largest of each row, ties at
    the k-th all kept, normalised; a row of zeros stays zeros."""
    rng = np.random.default_rng(k)
    S = rng.integers(0, 4, size=(30, 6)).astype(np.float64)  # small integers: many exact ties
    S[0] = 0.0
    got = top_k_weights(S.copy(), k)
    for r, row in enumerate(S.tolist()):
        cut = sorted(row, reverse=True)[k - 1] if len(row) > k else 0.0
        kept = [v if v >= cut else 0.0 for v in row]
        tot = sum(kept)
        np.testing.assert_allclose(got[r], [v / tot if tot else 0.0 for v in kept], atol=1e-12)
    assert got[0].tolist() == [0.0] * 6
    if k < S.shape[1]:  # some row kept a tie beyond k (k = 6: every column, no cut)
        assert any((row > 0).sum() > k for row in got)


def _random_incidence(seed: int, n: int = 40, m: int = 12) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    return (rng.random((n, m)) < 0.25).astype(int).tolist()


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [1, 3, 10])
def test_cohort_weights_equal_brute_force_with_rarity(seed: int, k: int) -> None:
    X = _random_incidence(seed)
    rarity = brute_rarity(X)
    W = [[x * r for x, r in zip(row, rarity, strict=True)] for row in X]
    Xw = csr(W)
    rows = np.arange(len(X))
    got = cohort_weights(Xw, sp.csr_array(Xw.T), rows, k=k)
    want = np.array([brute_cohort(W, r, k) for r in range(len(X))])
    np.testing.assert_allclose(got, want, atol=1e-12)
    sums = got.sum(axis=1)
    shares = np.array([any(W[r][j] * W[x][j] for j in range(len(W[0])) for x in range(len(W))
                           if x != r) for r in range(len(W))])
    np.testing.assert_allclose(sums[shares], 1.0)
    assert (sums[~shares] == 0).all()
    assert (got[rows, rows] == 0).all()


@pytest.mark.parametrize("seed", range(3))
def test_batched_rows_equal_single_rows(seed: int) -> None:
    X = _random_incidence(seed + 10)
    rarity = brute_rarity(X)
    Xw = csr([[x * r for x, r in zip(row, rarity, strict=True)] for row in X])
    XT = sp.csr_array(Xw.T)
    rows = np.array([7, 0, 31, 7, 12], dtype=np.int64)  # unsorted, one repeated
    batch = cohort_weights(Xw, XT, rows, k=5)
    for i, r in enumerate(rows.tolist()):
        single = cohort_weights(Xw, XT, np.array([r], dtype=np.int64), k=5)[0]
        np.testing.assert_allclose(batch[i], single, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 9).flatmap(lambda n: st.tuples(
    st.lists(st.lists(st.integers(0, 3), min_size=4, max_size=4), min_size=n, max_size=n),
    st.integers(1, n + 1))))
def test_cohort_weights_property(case: tuple[list[list[int]], int]) -> None:
    """Small integer weights make every similarity exact, so ties are exact too."""
    W, k = case
    Wf = [[float(x) for x in row] for row in W]
    X = csr(Wf)
    rows = np.arange(len(W), dtype=np.int64)
    got = cohort_weights(X, sp.csr_array(X.T), rows, k=k)
    want = np.array([brute_cohort(Wf, r, k) for r in range(len(W))])
    np.testing.assert_allclose(got, want, atol=1e-12)
    sums = got.sum(axis=1)
    assert np.all((np.abs(sums - 1.0) < 1e-9) | (sums == 0.0))
    # at least min(k, sharers) rows are kept when a row shares anything
    for r in range(len(W)):
        sharers = sum(1 for x, s in enumerate(want[r]) if x != r and s > 0)
        assert int((got[r] > 0).sum()) == sharers
