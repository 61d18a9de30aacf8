"""PPR convergence: iteration budget, float64 fallback, best iterate instead of an exception."""

import logging

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from scoring import ConvergenceError, PPROperator, personalized_pagerank, transition_matrix
from scoring.pagerank import iteration_budget


def hub_graph(n: int = 300, seed: int = 0) -> sp.csr_array:
    """Node 0 is a hub on more than half of all edges; nodes n-10.. are dangling."""
    rng = np.random.default_rng(seed)
    others = np.arange(1, n)
    src = [*others, *rng.choice(others, n // 2)]  # everyone -> hub, some hub -> node
    dst = [*np.zeros(n - 1, int), *np.zeros(n // 2, int)]
    dst[n - 1:] = rng.choice(others, n // 2).tolist()
    src[n - 1:] = [0] * (n // 2)
    r, c = rng.integers(1, n, n // 3), rng.integers(1, n, n // 3)
    src += r.tolist()
    dst += c.tolist()
    w = rng.uniform(0.5, 2.0, len(src))
    A = sp.lil_array(sp.csr_array((w, (src, dst)), shape=(n, n)))
    A.setdiag(0)
    A[n - 10:, :] = 0  # dangling nodes
    A = sp.csr_array(A)
    A.eliminate_zeros()
    return A


def nx_reference(A: sp.csr_array, pers: dict[int, float], alpha: float) -> np.ndarray:
    G = nx.from_scipy_sparse_array(A, create_using=nx.DiGraph)
    G.add_nodes_from(range(A.shape[0]))
    ref = nx.pagerank(G, alpha=alpha, personalization=pers, weight="weight", tol=1e-15,
                      max_iter=2000)
    return np.array([ref[i] for i in range(A.shape[0])])


@pytest.mark.parametrize("alpha", [0.5, 0.85, 0.95])
def test_hub_and_dangling_nodes_match_networkx(alpha: float) -> None:
    A = hub_graph()
    n = A.shape[0]
    coo = A.tocoo()
    assert np.mean((coo.row == 0) | (coo.col == 0)) > 0.5  # the hub holds > half the links
    _, dangling = transition_matrix(A)
    assert dangling[-10:].all() and dangling.sum() == 10
    for seed in (5, n - 1):  # an ordinary seed and a dangling one
        expected = nx_reference(A, {seed: 1.0}, alpha)
        op = PPROperator(A, alpha)
        np.testing.assert_allclose(op.query({seed: 1.0}), expected, atol=1e-9)
        np.testing.assert_allclose(op.query_seed(seed), expected, atol=1e-9)
        np.testing.assert_allclose(op.query_many(np.eye(n)[[seed]])[0], expected, atol=1e-9)
        np.testing.assert_allclose(op.push({seed: 1.0}, eps=1e-14), expected, atol=1e-8)
        op32 = PPROperator(A, alpha, dtype=np.float32)
        got = op32.query_seed(seed, tol=1e-4)
        assert got.dtype == np.float32
        assert np.abs(got - expected).sum() < 1e-4 * alpha / (1 - alpha) + 1e-5


@pytest.mark.parametrize("alpha", [0.3, 0.5, 0.85, 0.95])
@pytest.mark.parametrize("tol", [1e-4, 1e-8, 1e-12])
def test_budget_suffices_in_float64(alpha: float, tol: float) -> None:
    A = hub_graph(120, seed=2)
    budget = iteration_budget(alpha, tol, margin=1)
    x = personalized_pagerank(A, {3: 1.0}, alpha=alpha, tol=tol, max_iter=budget, strict=True)
    assert np.isclose(x.sum(), 1.0)
    assert iteration_budget(alpha, tol) == budget + 9  # default margin 10


def test_budget_grows_with_alpha_and_precision() -> None:
    assert iteration_budget(0.5, 1e-4) < iteration_budget(0.85, 1e-4) < iteration_budget(
        0.85, 1e-10)
    with pytest.raises(ValueError, match="tol"):
        iteration_budget(0.5, 0.0)
    with pytest.raises(ValueError, match="alpha"):
        iteration_budget(1.0, 1e-4)


def test_float32_stall_continues_in_float64(caplog: pytest.LogCaptureFixture) -> None:
    n = 3000
    A = sp.random(n, n, density=0.002, random_state=1, format="csr")
    op32 = PPROperator(A, 0.85, dtype=np.float32)
    exact = PPROperator(A, 0.85).query_seed(0, tol=1e-13)
    with caplog.at_level(logging.DEBUG, logger="scoring.pagerank"):
        x = op32.query_seed(0, tol=1e-12)  # below float32's rounding noise on 3000 nodes
        X = op32.query_many(np.eye(n, dtype=np.float32)[[0, 7]], tol=1e-12)
    assert any("continuing in float64" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert x.dtype == np.float32 and X.dtype == np.float32
    np.testing.assert_allclose(x, exact, atol=1e-7)
    np.testing.assert_allclose(X[0], exact, atol=1e-7)


def test_not_converged_returns_best_iterate_with_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    A = hub_graph(200, seed=1)
    op = PPROperator(A, 0.85)
    exact = op.query_seed(4)
    for dtype in (np.float64, np.float32):
        caplog.clear()
        op = PPROperator(A, 0.85, dtype=dtype)
        with caplog.at_level(logging.WARNING, logger="scoring.pagerank"):
            x = op.query_seed(4, max_iter=3)
            X = op.query_many(np.eye(200)[[4, 9]], max_iter=3)
            y = op.query({4: 1.0}, max_iter=3)
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 3 and all("did not converge in 3 iterations" in w
                                           for w in warnings)
        for v in (x, X[0], y):
            assert np.all(np.isfinite(v)) and np.isclose(float(v.sum()), 1.0, atol=1e-5)
            # an iterate, not the answer, but closer to it than the seed itself
            assert 0 < np.abs(v - exact).sum() < np.abs(np.eye(200)[4] - exact).sum()
        with pytest.raises(ConvergenceError, match="did not converge in 3 iterations"):
            op.query_seed(4, max_iter=3, strict=True)
        with pytest.raises(ConvergenceError):
            op.query_many(np.eye(200)[[4]], max_iter=3, strict=True)
