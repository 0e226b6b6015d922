"""
2-d projections of token vectors: PCA (numpy SVD, instant) and UMAP (umap-learn, seconds).

Both return the fitted projection so that new vectors can be placed on an existing map:
``Pca2d.transform`` and the UMAP reducer's ``transform``.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_RANDOM_STATE = 42


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


def umap_neighbours(n_points: int, wanted: int = 15) -> int:
    """UMAP's ``n_neighbors`` for ``n_points`` points: ``wanted``, at most n - 1, at least 2."""
    return max(2, min(wanted, n_points - 1))


MIN_UMAP_POINTS = 4


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


def fit_umap(vectors: np.ndarray, *, n_neighbors: int = 15, min_dist: float = 0.1,
             metric: str = "cosine", random_state: int = DEFAULT_RANDOM_STATE,
             n_epochs: int | None = None) -> tuple[np.ndarray, Any]:
    """UMAP of (n, D) vectors -> ((n, 2) float32 coordinates, fitted ``umap.UMAP`` reducer).

    A fixed ``random_state`` makes the map reproducible; ``n_epochs`` (UMAP's default: 500 below
    10,000 points) trades layout quality for speed. Identical vectors (after rounding, as
    :func:`distinct_rows`; e.g. one word's character layer) are fitted once and share a point,
    which also spares UMAP's spectral start the near-empty eigengap that makes it slow to fail
    (with fewer than :data:`MIN_UMAP_POINTS` distinct rows all rows are fitted). With the cosine
    metric, up to 20,000 points get exact neighbours from
    :func:`~.umap_exact.exact_cosine_neighbours` (one matrix product, instead of umap's
    pairwise loop below 4,096 points and its nearest-neighbour descent, slow to compile, above).
    Raises ``ValueError`` for fewer than :data:`MIN_UMAP_POINTS` points.
    """
    from .umap_compile import prepare_umap

    prepare_umap()  # numba's disk cache on for umap's functions, before umap is imported
    import umap

    x = np.asarray(vectors, dtype=np.float32)
    if x.ndim != 2 or x.shape[0] < MIN_UMAP_POINTS:
        raise ValueError(f"UMAP needs (n, D) vectors with n >= {MIN_UMAP_POINTS}, got shape {x.shape}")
    keep, inverse = distinct_row_index(x)
    if len(keep) < x.shape[0] and len(keep) >= MIN_UMAP_POINTS:  # identical vectors: one point each
        coords, reducer = fit_umap(x[keep], n_neighbors=n_neighbors, min_dist=min_dist, metric=metric,
                                   random_state=random_state, n_epochs=n_epochs)
        return coords[inverse], reducer
    k = umap_neighbours(x.shape[0], n_neighbors)
    options = dict(n_components=2, n_neighbors=k, min_dist=min_dist, metric=metric, random_state=random_state,
                   n_epochs=n_epochs, init="spectral" if x.shape[0] > 2 * n_neighbors else "random")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*n_jobs value.*")  # fixed seed -> one thread
        warnings.filterwarnings("ignore", message=r".*precomputed_knn\[2\].*")  # built on first transform
        from .umap_exact import EXACT_NEIGHBOURS_MAX, ExactNeighboursUMAP, exact_cosine_neighbours

        if metric == "cosine" and x.shape[0] <= EXACT_NEIGHBOURS_MAX:
            indices, distances = exact_cosine_neighbours(x, k)
            reducer = ExactNeighboursUMAP(**options, precomputed_knn=(indices, distances, None))
        else:
            reducer = umap.UMAP(**options)
        coords = reducer.fit_transform(x)
    return np.asarray(coords, dtype=np.float32), reducer
