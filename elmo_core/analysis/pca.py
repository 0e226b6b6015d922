"""
2-d PCA of token vectors (numpy SVD, instant), with the fitted projection kept so that new
vectors can be placed on an existing map (:meth:`Pca2d.transform`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Pca2d:
    """A fitted 2-component PCA: ``mean`` (D,), ``components`` (2, D)."""

    mean: np.ndarray
    components: np.ndarray

    def transform(self, vectors: np.ndarray) -> np.ndarray:
        """(n, D) -> (n, 2) coordinates on this map."""
        return (np.asarray(vectors, dtype=np.float64) - self.mean) @ self.components.T


def fit_pca_2d(vectors: np.ndarray) -> tuple[np.ndarray, Pca2d]:
    """PCA of (n, D) vectors -> ((n, 2) coordinates, fitted Pca2d).

    Signs are fixed (largest loading of each component positive) so the map does not flip
    between runs. With fewer than 2 informative directions the missing axis is zero.
    """
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"expected (n, D) vectors with n >= 1, got shape {x.shape}")
    mean = x.mean(axis=0)
    _, singular, vt = np.linalg.svd(x - mean, full_matrices=False)
    informative = singular > max(1e-10, 1e-9 * (singular[0] if singular.size else 0.0))
    components = np.zeros((2, x.shape[1]))
    for i in range(min(2, int(informative.sum()))):
        components[i] = vt[i]
    for row in components:
        if row.any() and row[np.argmax(np.abs(row))] < 0:
            row *= -1
    pca = Pca2d(mean=mean, components=components)
    return pca.transform(x), pca
