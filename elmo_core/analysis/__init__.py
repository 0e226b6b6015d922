"""
Pure analysis of ELMo vectors: similarities, word occurrences, sense separation and 2-d maps.
Plain numpy in, numpy or small dataclasses out; no UI code here.
"""
from .context_baseline import ContextBaseline, context_baseline_accuracy, context_words
from .occurrences import (
    FUNCTION_WORDS, Position, concat_tokens, find_occurrences, flatten_positions, focus_word, gather_vectors,
    repeated_words, sentence_starts,
)
from .projection import MIN_UMAP_POINTS, Pca2d, distinct_rows, fit_pca_2d, fit_umap, umap_neighbours
from .umap_compile import EXACT_NEIGHBOURS_LIMIT, numba_cache_folder, prepare_umap, warm_up_umap
from .senses import (
    NEIGHBOUR_TIE_TOLERANCE, Neighbour, SenseAccuracy, SenseVerdict, chance_level, loo_centroid_accuracy, loo_centroid_predictions,
    nearest_neighbours, pair_ranking_auc, sense_accuracy, sense_verdict,
)
from .similarity import (cosine_matrix, cosine_to, mean_within_between, pool_similarities, similarity_blocks,
                         unit_rows)

__all__ = [
    "FUNCTION_WORDS", "focus_word", "Position", "concat_tokens", "find_occurrences", "flatten_positions",
    "gather_vectors",
    "repeated_words", "sentence_starts", "MIN_UMAP_POINTS", "distinct_rows", "Pca2d", "fit_pca_2d", "fit_umap",
    "umap_neighbours", "warm_up_umap", "EXACT_NEIGHBOURS_LIMIT", "numba_cache_folder", "prepare_umap",
    "NEIGHBOUR_TIE_TOLERANCE", "Neighbour", "SenseAccuracy",
    "SenseVerdict", "chance_level", "loo_centroid_accuracy", "loo_centroid_predictions", "nearest_neighbours",
    "pair_ranking_auc", "sense_accuracy", "sense_verdict",
    "cosine_matrix", "cosine_to", "mean_within_between", "unit_rows", "similarity_blocks", "pool_similarities",
    "ContextBaseline", "context_baseline_accuracy", "context_words",
]
