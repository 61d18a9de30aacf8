"""Pure math of the matchmaking engine: proximity, similarity, the learned combiner,
diversity re-ranking and offline metrics.

Imports numpy, scipy, scikit-learn and networkx only, never another package of ours.
Inputs are matrices on a global node index (``A[i, j]`` = weight of ``i -> j``).
"""

from scoring.combiner import HybridRanker, group_holdout_split, sample_negatives
from scoring.diversity import mmr
from scoring.metrics import (
    catalogue_coverage,
    gini,
    mrr,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)
from scoring.proximity import (
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
from scoring.similarity import (
    COST_LEVELS,
    TextSimilarity,
    cosine_similarity_sparse,
    cost_fit,
    jaccard,
    kpi_gap_scores,
    kpi_gaps,
    log_size_similarity,
    set_overlap_matrix,
    size_fit,
)

__all__ = [
    "COST_LEVELS",
    "ConvergenceError",
    "HybridRanker",
    "PPROperator",
    "TextSimilarity",
    "adamic_adar",
    "catalogue_coverage",
    "combine_typed_adjacency",
    "cosine_similarity_sparse",
    "cost_fit",
    "gini",
    "group_holdout_split",
    "jaccard",
    "kpi_gap_scores",
    "kpi_gaps",
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
    "transition_matrix",
]
