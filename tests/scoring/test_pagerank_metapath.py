import math

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from scoring import (
    ConvergenceError,
    PPROperator,
    adamic_adar,
    combine_typed_adjacency,
    metapath_matrix,
    normalized_path_count,
    pathsim,
    personalized_pagerank,
    personalized_pagerank_many,
    transition_matrix,
)


def random_weighted_digraph(n: int, m: int, seed: int) -> sp.csr_array:
    rng = np.random.default_rng(seed)
    r = rng.integers(0, n, m)
    c = rng.integers(0, n, m)
    keep = r != c
    w = rng.uniform(0.1, 3.0, m)
    A = sp.csr_array((w[keep], (r[keep], c[keep])), shape=(n, n))
    A.sum_duplicates()
    # force a few dangling nodes (no out-edges)
    A = sp.lil_array(A)
    A[[0, n - 1], :] = 0
    A = sp.csr_array(A)
    A.eliminate_zeros()
    return A


def nx_ppr(A: sp.csr_array, pers: dict[int, float], alpha: float) -> np.ndarray:
    G = nx.from_scipy_sparse_array(A, create_using=nx.DiGraph)
    G.add_nodes_from(range(A.shape[0]))
    ref = nx.pagerank(G, alpha=alpha, personalization=pers, weight="weight", tol=1e-14,
                      max_iter=1000)
    return np.array([ref[i] for i in range(A.shape[0])])


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("alpha", [0.5, 0.85])
def test_ppr_matches_networkx(seed: int, alpha: float) -> None:
    A = random_weighted_digraph(30, 80, seed)
    _, dangling = transition_matrix(A)
    assert dangling[0] and dangling[-1]
    pers = {0: 1.0, 5: 2.0, 17: 0.5}
    expected = nx_ppr(A, pers, alpha)
    got = personalized_pagerank(A, pers, alpha=alpha)
    np.testing.assert_allclose(got, expected, atol=1e-8)
    dense = np.zeros(30)
    for k, v in pers.items():
        dense[k] = v
    np.testing.assert_allclose(personalized_pagerank(A, dense, alpha=alpha), expected, atol=1e-8)
    np.testing.assert_allclose(PPROperator(A, alpha).push(pers, eps=1e-13), expected, atol=1e-8)


def test_ppr_many_equals_single_and_input_untouched() -> None:
    A = random_weighted_digraph(25, 60, 7)
    before = A.copy()
    P = np.zeros((3, 25))
    P[0, 3] = 1
    P[1, [4, 9]] = [1, 3]
    P[2, 0] = 1  # a dangling seed
    many = personalized_pagerank_many(A, P)
    for i in range(3):
        np.testing.assert_allclose(many[i], personalized_pagerank(A, P[i]), atol=1e-12)
    np.testing.assert_allclose(many[1], nx_ppr(A, {4: 1, 9: 3}, 0.85), atol=1e-8)
    assert (before != A).nnz == 0
    np.testing.assert_allclose(PPROperator(A).query_many(sp.csr_array(P)), many, atol=1e-12)


def test_ppr_undirected_graph_matches_networkx() -> None:
    G = nx.gnm_random_graph(40, 90, seed=3)
    for u, v in G.edges:
        G.edges[u, v]["weight"] = 1.0 + (u + v) % 4
    G.add_node(40)  # isolated node is dangling
    A = nx.to_scipy_sparse_array(G, nodelist=range(41), weight="weight")
    ref = nx.pagerank(G, personalization={1: 1.0}, tol=1e-14, max_iter=1000)
    np.testing.assert_allclose(
        personalized_pagerank(A, {1: 1.0}), [ref[i] for i in range(41)], atol=1e-8
    )


def test_ppr_errors() -> None:
    A = np.array([[0, 1], [1, 0]], dtype=float)
    with pytest.raises(ValueError, match="at least one positive"):
        personalized_pagerank(A, {0: 0.0})
    with pytest.raises(IndexError):
        personalized_pagerank(A, {5: 1.0})
    with pytest.raises(ValueError, match="alpha"):
        PPROperator(A, alpha=1.0)
    with pytest.raises(ValueError, match="negative"):
        personalized_pagerank(-A, {0: 1.0})
    with pytest.raises(ConvergenceError):
        personalized_pagerank(A, {0: 1.0}, max_iter=2)


def test_transition_matrix_exact() -> None:
    A = sp.csr_array(np.array([[0, 1, 3], [0, 0, 0], [2, 0, 0]], dtype=float))
    P, dangling = transition_matrix(A)
    np.testing.assert_array_equal(P.toarray(), [[0, 0.25, 0.75], [0, 0, 0], [1, 0, 0]])
    assert dangling.tolist() == [False, True, False]
    assert A[0, 2] == 3  # not mutated


def test_combine_typed_adjacency() -> None:
    a = sp.csr_array(([1.0], ([0], [1])), shape=(3, 3))
    b = sp.csr_array(([2.0], ([0], [1])), shape=(3, 3))
    S = combine_typed_adjacency({"A": a, "B": b}, {"A": 3.0}, symmetric=False)
    assert S.toarray().tolist() == [[0, 5, 0], [0, 0, 0], [0, 0, 0]]  # B defaults to weight 1
    S2 = combine_typed_adjacency({"A": a, "B": b}, {"A": 1.0, "B": 0.0})
    assert S2.toarray().tolist() == [[0, 1, 0], [1, 0, 0], [0, 0, 0]]
    with pytest.raises(ValueError, match="unknown relationship types"):
        combine_typed_adjacency({"A": a}, {"TYPO": 1.0})
    with pytest.raises(ValueError, match="shape"):
        combine_typed_adjacency({"A": a, "B": sp.csr_array((4, 4))}, {})


def test_metapath_matrix_and_shape_error() -> None:
    ct = np.array([[1, 0], [1, 1]])
    ts = np.array([[2, 0, 1], [0, 1, 0]])
    assert metapath_matrix([ct, ts]).toarray().tolist() == [[2, 0, 1], [2, 1, 1]]
    with pytest.raises(ValueError, match="rows"):
        metapath_matrix([ct, ct.T, ts.T])


def test_pathsim_exact() -> None:
    # cities x topics; M = CT CT^T: M00=2, M11=1, M22=2, M01=1, M02=1, M12=0
    CT = np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1]])
    M = metapath_matrix([CT, CT.T])
    S = pathsim(M).toarray()
    expected = np.array([[1, 2 / 3, 0.5], [2 / 3, 1, 0], [0.5, 0, 1]])
    np.testing.assert_allclose(S, expected)
    np.testing.assert_allclose(pathsim(M, rows=[2, 0]).toarray(), expected[[2, 0]])
    with pytest.raises(ValueError, match="symmetric"):
        pathsim(np.array([[1.0, 1.0], [0.0, 1.0]]))


def test_normalized_path_count_exact() -> None:
    L = np.array([[1, 1, 0, 0], [0, 0, 0, 0]])  # city 1 has no topics
    R = np.array([[1, 0, 0, 0], [1, 1, 1, 1], [0, 0, 1, 0]])
    S = normalized_path_count(L, R, rows=None).toarray()
    # city0-expert0: 1 / sqrt(2*1); city0-expert1: 2 / sqrt(2*4)
    np.testing.assert_allclose(S, [[1 / math.sqrt(2), 2 / math.sqrt(8), 0], [0, 0, 0]])
    assert S.max() <= 1.0


def test_adamic_adar_exact_and_vs_networkx() -> None:
    B = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 1, 0], [0, 0, 0, 1]])
    aa = adamic_adar(B).toarray()
    # middle degrees: z0=3, z1=2, z2=2, z3=1
    assert aa[0, 1] == pytest.approx(1 / math.log(3))
    assert aa[0, 2] == pytest.approx(1 / math.log(3) + 1 / math.log(2))
    assert aa[1, 2] == pytest.approx(1 / math.log(3) + 1 / math.log(2))
    assert np.all(aa[3] == 0) and np.all(np.diag(aa) == 0)

    rng = np.random.default_rng(0)
    Br = (rng.random((12, 7)) < 0.35).astype(float)
    G = nx.Graph()
    G.add_nodes_from(range(12 + 7))
    G.add_edges_from((int(s), 12 + int(z)) for s, z in zip(*np.nonzero(Br), strict=True))
    pairs = [(u, v) for u in range(12) for v in range(12) if u < v]
    aa = adamic_adar(Br, rows=list(range(12))).toarray()
    for u, v, p in nx.adamic_adar_index(G, pairs):
        assert aa[u, v] == pytest.approx(p, abs=1e-12)
        assert aa[v, u] == pytest.approx(p, abs=1e-12)
