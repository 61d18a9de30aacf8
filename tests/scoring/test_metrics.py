import math

import pytest

from scoring.metrics import (
    catalogue_coverage,
    gini,
    mrr,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)


def test_ndcg_exact() -> None:
    # relevant at ranks 2 and 3: DCG = 1/log2(3) + 1/log2(4); IDCG = 1 + 1/log2(3)
    expected = (1 / math.log2(3) + 0.5) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(["a", "b", "c"], {"b", "c"}, k=3) == pytest.approx(expected)
    assert ndcg_at_k(["b", "c", "a"], {"b", "c"}, k=3) == 1.0
    assert ndcg_at_k(["a", "b"], {"b"}, k=1) == 0.0
    assert ndcg_at_k(["a"], set(), k=5) == 0.0
    # graded: gains b=3, a=1; ranking a, b -> (1 + 3/log2 3) / (3 + 1/log2 3)
    graded = ndcg_at_k(["a", "b"], {"a": 1, "b": 3}, k=2)
    assert graded == pytest.approx((1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3)))


def test_recall_rr_mrr() -> None:
    assert recall_at_k([1, 2, 3, 4], {2, 4, 9, 10}, k=3) == 0.25
    assert recall_at_k([1], set(), k=3) == 0.0
    assert reciprocal_rank([5, 6, 7], {7}) == pytest.approx(1 / 3)
    assert reciprocal_rank([5, 6, 7], {8}) == 0.0
    assert mrr([[1, 2], [3, 4], [5]], [{1}, {4}, {9}]) == pytest.approx(0.5)
    assert mrr([], []) == 0.0


def test_coverage_and_gini() -> None:
    assert catalogue_coverage([[0, 1], [1], []], n_items=4) == 0.5
    assert gini([1, 1, 1, 1]) == 0.0
    assert gini([0, 0, 0, 4]) == pytest.approx(0.75)
    # x = [1, 2, 3]: sum((2i - 4) x_i) = -2 + 0 + 6 = 4; / (3 * 6) = 2/9
    assert gini([3, 1, 2]) == pytest.approx(2 / 9)
    assert gini([]) == 0.0 and gini([0, 0]) == 0.0
    with pytest.raises(ValueError):
        gini([-1, 2])
