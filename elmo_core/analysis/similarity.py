"""
Cosine similarities between token vectors, for one layer (n, D) or all layers at once (L, n, D).

Zero vectors have similarity 0 to everything (instead of NaN). Large matrices can be drawn
as block means (:func:`similarity_blocks`, :func:`pool_similarities`).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 along the last axis; zero rows stay zero. Same shape, float64."""
    vectors = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    """Pairwise cosine similarity: (n, D) -> (n, n), or per layer (L, n, D) -> (L, n, n)."""
    vectors = np.asarray(vectors)
    if vectors.ndim not in (2, 3):
        raise ValueError(f"expected (n, D) or (L, n, D) vectors, got shape {vectors.shape}")
    unit = unit_rows(vectors)
    sims = unit @ np.swapaxes(unit, -1, -2)
    return np.clip(sims, -1.0, 1.0)


def cosine_to(vectors: np.ndarray, index: int) -> np.ndarray:
    """Cosine similarity of row ``index`` to every row: (n, D) -> (n,), (L, n, D) -> (L, n)."""
    unit = unit_rows(vectors)
    query = unit[..., index : index + 1, :]
    return np.clip((unit * query).sum(axis=-1), -1.0, 1.0)


def mean_within_between(sims: np.ndarray, labels: list[str]) -> tuple[float, float]:
    """Mean off-diagonal similarity of same-label pairs and of different-label pairs of one
    (n, n) matrix; NaN where there are no such pairs."""
    labels_array = np.asarray(labels)
    same = labels_array[:, None] == labels_array[None, :]
    off_diagonal = ~np.eye(len(labels_array), dtype=bool)
    within = sims[same & off_diagonal]
    between = sims[~same]
    return (float(within.mean()) if within.size else float("nan"),
            float(between.mean()) if between.size else float("nan"))


def similarity_blocks(n: int, boundaries: Sequence[int], max_side: int) -> list[tuple[int, int]]:
    """``[start, stop)`` blocks of consecutive rows covering ``range(n)``, at most ``max_side``
    of them, each of at most the same number of rows, as few rows as that allows (one row each
    when ``n <= max_side``). Blocks do not cross a ``boundaries`` index (a sense or sentence
    boundary) unless there are more than ``max_side // 2`` groups.

    >>> similarity_blocks(5, [2], 3)
    [(0, 2), (2, 4), (4, 5)]
    """
    if n <= max_side:
        return [(i, i + 1) for i in range(n)]
    inner = sorted({b for b in boundaries if 0 < b < n})
    edges = [0, *inner, n] if len(inner) + 1 <= max_side // 2 else [0, n]
    size = max(1, n // max_side)
    while True:
        blocks = [(a, min(a + size, stop)) for start, stop in zip(edges, edges[1:]) for a in range(start, stop, size)]
        if len(blocks) <= max_side:
            return blocks
        size += 1


def pool_similarities(sims: np.ndarray, blocks: Sequence[tuple[int, int]]) -> np.ndarray:
    """Mean of an (n, n) similarity matrix over every pair of ``blocks`` -> (m, m)."""
    sims = np.asarray(sims, dtype=np.float64)
    weights = np.zeros((len(blocks), sims.shape[-1]))
    for row, (start, stop) in enumerate(blocks):
        weights[row, start:stop] = 1.0 / (stop - start)
    return weights @ sims @ weights.T
