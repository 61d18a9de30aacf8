"""Pure math of the matchmaking engine, one topic per module.

============================  ==============================================================
module                        what
============================  ==============================================================
:mod:`scoring.sparse`         binarise, row normalisation, row-block products (``rows_dot``)
:mod:`scoring.pagerank`       personalized PageRank (``PPROperator``)
:mod:`scoring.metapath`       typed graphs, meta-paths, PathSim, Adamic-Adar
:mod:`scoring.similarity`     sets, city size, cost and KPI fit, shared TF-IDF terms
:mod:`scoring.text`           text similarity (TF-IDF, ``TextSimilarity``)
:mod:`scoring.combiner`       the learned combiner ``HybridRanker``
:mod:`scoring.diversity`      MMR re-ranking
:mod:`scoring.metrics`        offline ranking metrics
============================  ==============================================================

The names load lazily (PEP 562): only :mod:`scoring.combiner` and :mod:`scoring.text`
import scikit-learn, so serving from a persisted feature space never loads it.
Imports numpy, scipy and scikit-learn only, never another package of ours (networkx is a test
oracle: the PageRank and Adamic-Adar tests compare against it).
Inputs are matrices on a global node index (``A[i, j]`` = weight of ``i -> j``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scoring.combiner import HybridRanker, group_holdout_split, sample_negatives
    from scoring.diversity import mmr
    from scoring.metapath import (
        adamic_adar,
        adamic_adar_weights,
        combine_typed_adjacency,
        metapath_matrix,
        normalized_path_count,
        pathsim,
    )
    from scoring.metrics import (
        catalogue_coverage,
        gini,
        mrr,
        ndcg_at_k,
        recall_at_k,
        reciprocal_rank,
    )
    from scoring.pagerank import (
        ConvergenceError,
        PPROperator,
        personalized_pagerank,
        personalized_pagerank_many,
        transition_matrix,
    )
    from scoring.similarity import (
        COST_LEVELS,
        cosine_similarity_sparse,
        cost_fit,
        cost_fit_matrix,
        jaccard,
        kpi_gap_matrix,
        kpi_gap_scores,
        kpi_gaps,
        kpi_need_weights,
        log_size_similarity,
        set_overlap_matrix,
        size_fit,
        size_fit_matrix,
        size_profile,
        top_shared_terms,
    )
    from scoring.text import TextSimilarity

#: Public name -> the module that defines it (loaded on first use, PEP 562: ``import scoring``
#: costs nothing, and ``from scoring import mmr`` does not load scikit-learn).
_HOMES: dict[str, str] = {
    "HybridRanker": "scoring.combiner",
    "group_holdout_split": "scoring.combiner",
    "sample_negatives": "scoring.combiner",
    "mmr": "scoring.diversity",
    "adamic_adar": "scoring.metapath",
    "adamic_adar_weights": "scoring.metapath",
    "combine_typed_adjacency": "scoring.metapath",
    "metapath_matrix": "scoring.metapath",
    "normalized_path_count": "scoring.metapath",
    "pathsim": "scoring.metapath",
    "catalogue_coverage": "scoring.metrics",
    "gini": "scoring.metrics",
    "mrr": "scoring.metrics",
    "ndcg_at_k": "scoring.metrics",
    "recall_at_k": "scoring.metrics",
    "reciprocal_rank": "scoring.metrics",
    "ConvergenceError": "scoring.pagerank",
    "PPROperator": "scoring.pagerank",
    "personalized_pagerank": "scoring.pagerank",
    "personalized_pagerank_many": "scoring.pagerank",
    "transition_matrix": "scoring.pagerank",
    "COST_LEVELS": "scoring.similarity",
    "cosine_similarity_sparse": "scoring.similarity",
    "cost_fit": "scoring.similarity",
    "cost_fit_matrix": "scoring.similarity",
    "jaccard": "scoring.similarity",
    "kpi_gap_matrix": "scoring.similarity",
    "kpi_gap_scores": "scoring.similarity",
    "kpi_gaps": "scoring.similarity",
    "kpi_need_weights": "scoring.similarity",
    "log_size_similarity": "scoring.similarity",
    "set_overlap_matrix": "scoring.similarity",
    "size_fit": "scoring.similarity",
    "size_fit_matrix": "scoring.similarity",
    "size_profile": "scoring.similarity",
    "top_shared_terms": "scoring.similarity",
    "TextSimilarity": "scoring.text",
}

__all__ = [
    "COST_LEVELS",
    "ConvergenceError",
    "HybridRanker",
    "PPROperator",
    "TextSimilarity",
    "adamic_adar",
    "adamic_adar_weights",
    "catalogue_coverage",
    "combine_typed_adjacency",
    "cosine_similarity_sparse",
    "cost_fit",
    "cost_fit_matrix",
    "gini",
    "group_holdout_split",
    "jaccard",
    "kpi_gap_matrix",
    "kpi_gap_scores",
    "kpi_gaps",
    "kpi_need_weights",
    "log_size_similarity",
    "metapath_matrix",
    "mmr",
    "mrr",
    "ndcg_at_k",
    "normalized_path_count",
    "pathsim",
    "personalized_pagerank",
    "personalized_pagerank_many",
    "recall_at_k",
    "reciprocal_rank",
    "sample_negatives",
    "set_overlap_matrix",
    "size_fit",
    "size_fit_matrix",
    "size_profile",
    "top_shared_terms",
    "transition_matrix",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'scoring' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
