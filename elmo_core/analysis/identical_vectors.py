"""
Identical token vectors: how many different ones a set holds, and whether a whole layer has
collapsed to one point.

Layer 0 (the character CNN) sees only the spelling, so every occurrence of one word gets the same
vector there: a map of that layer is a single point, and UMAP cannot lay out fewer than a few
distinct points. Vectors computed in batches of different shapes can differ in the last bits,
and a corpus may store them as float16, so "the same" is judged with a tolerance.
"""
from __future__ import annotations

import numpy as np

#: Rows coincide when every dimension spreads by at most this share of the vectors' scale
#: (``1 + max |x|``): far above float32 rounding and one float16 step (2**-10 of a value), far
#: below the spread of any two contexts at an LSTM layer.
COLLAPSED_LAYER_TOLERANCE = 1e-3


def is_collapsed_layer(vectors: np.ndarray, tolerance: float = COLLAPSED_LAYER_TOLERANCE) -> bool:
    """True when the (n, D) ``vectors`` of one layer all coincide (n >= 2): the largest spread
    (max - min) of any dimension is at most ``tolerance * (1 + max |x|)``. Fewer than two rows
    (or no dimension) have nothing to coincide with: False."""
    x = np.asarray(vectors)  # no float64 copy: a map's layer may hold 5,000 x 1,024 values
    if x.ndim != 2:
        raise ValueError(f"expected (n, D) vectors, got shape {x.shape}")
    if x.shape[0] < 2 or x.shape[1] == 0:
        return False
    low, high = x.min(axis=0).astype(np.float64), x.max(axis=0).astype(np.float64)  # (D,) each
    scale = max(-low.min(), high.max(), 0.0)  # max |x|
    return bool((high - low).max() <= tolerance * (1.0 + scale))


def distinct_rows(vectors: np.ndarray, decimals: int = 6) -> int:
    """Number of different rows of (n, D) ``vectors`` after rounding (UMAP needs a few)."""
    x = np.asarray(vectors)
    return 0 if x.shape[0] == 0 else int(np.unique(np.round(x, decimals), axis=0).shape[0])


def distinct_row_index(vectors: np.ndarray, decimals: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """(indices of the first of each distinct row of (n, D) ``vectors``, in order; for every row
    the position of its distinct row in that list), rows compared after rounding."""
    _, first, inverse = np.unique(np.round(vectors, decimals), axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[np.ravel(inverse)]
