"""
Pure analysis of ELMo vectors: similarities, word occurrences, sense separation, sense-set
scores with their margins over a baseline, and 2-d maps. Plain numpy in, numpy or small
dataclasses out; no UI code here.
"""
from .baseline_vectors import glove_if_local
from .context_baseline import ContextBaseline, context_baseline_accuracy, context_baseline_margins, context_words
from .identical_vectors import COLLAPSED_LAYER_TOLERANCE, distinct_rows, is_collapsed_layer
from .intervals import (WeightEvidence, mean_interval, paired_difference, weight_evidence,
                        wilson_interval)
from .margins import Margin
from .occurrences import (
    FUNCTION_WORDS, Position, concat_tokens, find_occurrences, flatten_positions, focus_word, gather_vectors,
    repeated_words, sentence_starts,
)
from .pca import Pca2d, fit_pca_2d
from .sense_sets import per_word_sense_accuracy, sense_groups, sense_margin, sense_margins
from .senses import (
    NEIGHBOUR_TIE_TOLERANCE, LayerEvidence, Neighbour, SenseAccuracy, chance_level, layer_evidence,
    loo_centroid_accuracy, loo_centroid_predictions, nearest_neighbours, pair_ranking_auc, sense_accuracy,
)
from .similarity import (cosine_matrix, cosine_to, mean_within_between, pool_similarities, similarity_blocks,
                         unit_rows)
from .umap_compile import UMAP_PAIRWISE_MAX, numba_cache_folder, prepare_umap
from .umap_fit import MIN_UMAP_POINTS, fit_umap, umap_neighbours, warm_up_umap

__all__ = [
    "FUNCTION_WORDS", "focus_word", "Position", "concat_tokens", "find_occurrences", "flatten_positions",
    "gather_vectors", "repeated_words", "sentence_starts",
    "COLLAPSED_LAYER_TOLERANCE", "distinct_rows", "is_collapsed_layer",
    "Pca2d", "fit_pca_2d",
    "MIN_UMAP_POINTS", "fit_umap", "umap_neighbours", "warm_up_umap",
    "UMAP_PAIRWISE_MAX", "numba_cache_folder", "prepare_umap",
    "NEIGHBOUR_TIE_TOLERANCE", "Neighbour", "SenseAccuracy",
    "chance_level", "loo_centroid_accuracy", "loo_centroid_predictions", "nearest_neighbours",
    "pair_ranking_auc", "sense_accuracy", 
    "Margin", "per_word_sense_accuracy", "sense_groups", "sense_margin", "sense_margins",
    "cosine_matrix", "cosine_to", "mean_within_between", "unit_rows", "similarity_blocks", "pool_similarities",
    "ContextBaseline", "context_baseline_accuracy", "context_baseline_margins", "context_words", 
    "glove_if_local", "WeightEvidence", "paired_difference", "mean_interval", "weight_evidence",
    "wilson_interval", "LayerEvidence", "layer_evidence",
]
