"""
2-d UMAP maps of token vectors (umap-learn, seconds), and a warm-up that fits small maps so a
user's first map finds umap's compiled code ready.

:func:`fit_umap` returns the fitted reducer with the coordinates, so new vectors can be placed on
an existing map with its ``transform``. Before umap is imported, :func:`.umap_compile.prepare_umap`
turns on numba's disk cache for it; maps of up to :data:`.umap_exact.NUMPY_NEIGHBOURS_MAX` points
get exact neighbours from numpy (:mod:`.umap_exact`) instead of umap's own search.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .identical_vectors import distinct_row_index
from .umap_compile import UMAP_PAIRWISE_MAX, prepare_umap

DEFAULT_RANDOM_STATE = 42
#: Fewest points (distinct vectors) a UMAP map is fitted on.
MIN_UMAP_POINTS = 4
#: Point counts of the warm-up maps: one below and one above umap's own pairwise-neighbour limit.
WARM_UP_SIZES = (40, UMAP_PAIRWISE_MAX + 65)


def umap_neighbours(n_points: int, wanted: int = 15) -> int:
    """UMAP's ``n_neighbors`` for ``n_points`` points: ``wanted``, at most n - 1, at least 2."""
    return max(2, min(wanted, n_points - 1))


def fit_umap(vectors: np.ndarray, *, n_neighbors: int = 15, min_dist: float = 0.1,
             metric: str = "cosine", random_state: int = DEFAULT_RANDOM_STATE,
             n_epochs: int | None = None) -> tuple[np.ndarray, Any]:
    """UMAP of (n, D) vectors -> ((n, 2) float32 coordinates, fitted ``umap.UMAP`` reducer).

    A fixed ``random_state`` makes the map reproducible; ``n_epochs`` (UMAP's default: 500 below
    10,000 points) trades layout quality for speed. Identical vectors (after rounding, as
    :func:`.identical_vectors.distinct_rows`; e.g. one word's character layer) are fitted once
    and share a point, which also spares UMAP's spectral start the near-empty eigengap that makes
    it slow to fail (with fewer than :data:`MIN_UMAP_POINTS` distinct rows all rows are fitted).
    With the cosine metric, up to :data:`.umap_exact.NUMPY_NEIGHBOURS_MAX` points get exact
    neighbours from :func:`.umap_exact.exact_cosine_neighbours` (one matrix product, instead of
    umap's pairwise loop up to :data:`.umap_compile.UMAP_PAIRWISE_MAX` points and its
    nearest-neighbour descent, slow to compile, above).
    Raises ``ValueError`` for fewer than :data:`MIN_UMAP_POINTS` points.
    """
    prepare_umap()  # numba's disk cache on for umap's functions, before umap is imported
    import umap

    from .umap_exact import NUMPY_NEIGHBOURS_MAX, ExactNeighboursUMAP, exact_cosine_neighbours

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
        if metric == "cosine" and x.shape[0] <= NUMPY_NEIGHBOURS_MAX:
            indices, distances = exact_cosine_neighbours(x, k)
            reducer = ExactNeighboursUMAP(**options, precomputed_knn=(indices, distances, None))
        else:
            reducer = umap.UMAP(**options)
        coords = reducer.fit_transform(x)
    return np.asarray(coords, dtype=np.float32), reducer


def warm_up_umap(sizes: tuple[int, ...] = WARM_UP_SIZES) -> None:
    """Fit small UMAPs with the app's settings (cosine metric, 15 neighbours, float32 vectors)
    at each size of ``sizes``, then ``transform`` with each, so numba compiles every function
    a user's map needs (or loads it from the cache) before anyone waits for it."""
    rng = np.random.default_rng(0)
    fitted = []
    for size in sizes:
        points = rng.normal(size=(size, 16)).astype(np.float32)
        fitted.append((points, fit_umap(points, n_neighbors=15, n_epochs=5 if size > 1000 else None)[1]))
    for points, reducer in fitted:
        reducer.transform(points[:3])
