"""The baselines the hybrid engine is compared with, each fitted on the training graph only.

Every baseline scores all candidates of a :class:`~matchmaking.evaluation.tasks.Task` for one
subject; ranking, exclusion of known candidates and tie-breaking are shared (see
:func:`top_k`), so the comparison is like for like.

- ``popularity``: how many training positives a candidate has.
- ``content``: TF-IDF cosine between the subject's and the candidate's documents.
- ``item_knn``: item-based collaborative filtering (cosine between candidates' columns).
- ``ppr``: personalized PageRank from the subject on the whole (unweighted, undirected)
  training graph.
- ``als``: implicit-feedback matrix factorisation from the ``implicit`` package (the ``eval``
  extra; without it ``evaluate`` skips ALS with a note saying what to install).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from graph_schema.schema import Node, Rel
from matchmaking.evaluation.tasks import Task
from scoring.pagerank import PPROperator
from scoring.text import TextSimilarity


class Baseline(Protocol):
    name: str

    def scores(self, subject: str) -> np.ndarray: ...


def top_k(
    scores: np.ndarray, candidates: Sequence[str], exclude: np.ndarray, k: int
) -> list[str]:
    """The ``k`` best candidates by (-score, id), without the excluded columns."""
    s = np.asarray(scores, dtype=float).copy()
    s[exclude] = -np.inf
    # candidates are sorted by id, so a stable sort on -score breaks ties by id
    order = np.argsort(-s, kind="stable")
    return [candidates[i] for i in order[:k] if np.isfinite(s[i])]


class Popularity:
    name = "popularity"

    def __init__(self, task: Task) -> None:
        self.counts = np.asarray(task.interactions.sum(axis=0)).ravel()

    def scores(self, subject: str) -> np.ndarray:
        return self.counts


class Content:
    name = "content"

    def __init__(self, task: Task, docs: dict[str, str]) -> None:
        subjects = [docs.get(s, "") for s in task.subjects]
        candidates = [docs.get(c, "") for c in task.candidates]
        model = TextSimilarity(min_df=2).fit(subjects + candidates)
        self.S = model.matrix_[: len(subjects)]
        self.C = model.matrix_[len(subjects) :]
        self.row_of = task.row_of

    def scores(self, subject: str) -> np.ndarray:
        row = self.S[[self.row_of[subject]]]
        return np.asarray((row @ self.C.T).todense()).ravel()


class ItemKNN:
    name = "item_knn"

    def __init__(self, task: Task) -> None:
        R = sp.csr_array(task.interactions)
        Rn = normalize(R, axis=0)
        S = sp.csr_array(Rn.T @ Rn)
        S.setdiag(0)
        self.R, self.S, self.row_of = R, S, task.row_of

    def scores(self, subject: str) -> np.ndarray:
        row = self.R[[self.row_of[subject]]]
        return np.asarray((row @ self.S).todense()).ravel()


class GraphPPR:
    name = "ppr"

    def __init__(self, task: Task, nodes: list[Node], rels: list[Rel]) -> None:
        index = {n.id: i for i, n in enumerate(nodes)}
        src = [index[r.src] for r in rels if r.src in index and r.dst in index]
        dst = [index[r.dst] for r in rels if r.src in index and r.dst in index]
        n = len(nodes)
        A = sp.csr_array((np.ones(len(src)), (src, dst)), shape=(n, n))
        A = sp.csr_array(A + A.T)
        A.data[:] = 1.0
        self.op = PPROperator(A, alpha=0.85)
        self.index = index
        self.cols = np.array([index[c] for c in task.candidates], dtype=np.intp)

    def scores(self, subject: str) -> np.ndarray:
        x = self.op.query({self.index[subject]: 1.0}, tol=1e-8)
        return np.asarray(x)[self.cols]


class ALS:
    name = "als"

    def __init__(self, task: Task, *, factors: int = 64, random_state: int = 0) -> None:
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, "blas"):  # implicit's advice: BLAS threads fight its own
            model = AlternatingLeastSquares(
                factors=factors, regularization=0.05, iterations=20, random_state=random_state,
                num_threads=1,
            )
            model.fit(sp.csr_matrix(task.interactions) * 20.0, show_progress=False)
        self.U: Any = model.user_factors
        self.V: Any = model.item_factors
        self.row_of = task.row_of

    def scores(self, subject: str) -> np.ndarray:
        return np.asarray(self.V @ self.U[self.row_of[subject]]).ravel()


#: Printed by ``matchmaking evaluate`` when the ``eval`` extra (``implicit``) is missing.
ALS_MISSING = ("ALS baseline skipped: the 'implicit' package is not installed; install the "
               "eval extra: pip install 'smartcity-matchmaking[eval]'")


def als_available() -> bool:
    """Whether the ALS baseline can run (the ``implicit`` package of the ``eval`` extra)."""
    try:
        import implicit.cpu.als  # noqa: F401
    except ImportError:
        return False
    return True


def fit_baselines(
    task: Task, nodes: list[Node], train: list[Rel], docs: dict[str, str], random_state: int,
    *, als: bool = True,
) -> list[Baseline]:
    """All baselines for one task, fitted on the training graph (ALS only with ``als``: see
    :func:`als_available`)."""
    out: list[Baseline] = [
        Popularity(task),
        Content(task, docs),
        ItemKNN(task),
        GraphPPR(task, nodes, train),
    ]
    if als:
        out.append(ALS(task, random_state=random_state))
    return out
