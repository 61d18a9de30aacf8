"""Pure math of the matchmaking engine, one topic per module.

============================  ==============================================================
module                        what
============================  ==============================================================
:mod:`scoring.sparse`         binarise, row normalisation, row-block products (``rows_dot``)
:mod:`scoring.pagerank`       personalized PageRank (``PPROperator``)
:mod:`scoring.metapath`       typed graphs, meta-paths, PathSim, Adamic-Adar
:mod:`scoring.similarity`     text (TF-IDF), sets, city size, cost and KPI fit
:mod:`scoring.combiner`       the learned combiner ``HybridRanker``
:mod:`scoring.trees`          tree ensembles as numpy arrays (``TreeEnsemble``, ``export_hgb``)
:mod:`scoring.diversity`      MMR re-ranking
:mod:`scoring.metrics`        offline ranking metrics
============================  ==============================================================

Imports numpy, scipy and scikit-learn only, never another package of ours (networkx is a test
oracle: the PageRank and Adamic-Adar tests compare against it).
Inputs are matrices on a global node index (``A[i, j]`` = weight of ``i -> j``).
"""

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
    TextSimilarity,
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
)

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
    "transition_matrix",
]
