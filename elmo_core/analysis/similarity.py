"""
Cosine similarities between token vectors, for one layer (n, D) or all layers at once (L, n, D).

Zero vectors have similarity 0 to everything (instead of NaN).
"""
from __future__ import annotations

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
