"""
UMAP on exact cosine neighbours computed with numpy, for maps of up to
:data:`NUMPY_NEIGHBOURS_MAX` points.

umap-learn finds neighbours with a pairwise loop over a numba distance function up to
:data:`.umap_compile.UMAP_PAIRWISE_MAX` points (seconds for a few thousand) and with
pynndescent's nearest-neighbour descent above (a numba function that cannot be kept in numba's
disk cache and costs tens of seconds to compile in every new process). With numpy the exact
cosine neighbours take one matrix product per block of rows: :func:`exact_cosine_neighbours`
computes them and :class:`ExactNeighboursUMAP` takes them as umap's ``precomputed_knn``; placing
new points (``transform``) then uses exact distances to the fitted points, umap's own path for
small maps, instead of a search index. Import this module only after
:func:`.umap_compile.prepare_umap` (it imports umap).
"""
from __future__ import annotations

import numpy as np
import umap

from .similarity import unit_rows

#: Our limit: up to this many points :func:`.umap_fit.fit_umap` computes exact neighbours with
#: numpy (an n x n product in blocks); above it, umap finds its own neighbours.
NUMPY_NEIGHBOURS_MAX = 20_000


def exact_cosine_neighbours(vectors: np.ndarray, k: int, block: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest rows of (n, D) ``vectors`` by cosine distance (1 - cosine), each row
    itself first (distance 0), as umap's neighbour graphs are: ((n, k) int32 indices,
    (n, k) float32 distances), nearest first; equal distances keep a fixed order."""
    units = unit_rows(vectors).astype(np.float32)
    n = units.shape[0]
    k = min(k, n)
    indices = np.empty((n, k), dtype=np.int32)
    distances = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, block):
        stop = min(start + block, n)
        rows = np.arange(start, stop)
        dist = np.maximum(1.0 - units[start:stop] @ units.T, 0.0)  # (b, n)
        dist[rows - start, rows] = -1.0  # the row itself first, whatever its duplicates
        nearest = np.argpartition(dist, k - 1, axis=1)[:, :k]
        near = np.take_along_axis(dist, nearest, axis=1)
        order = np.argsort(near, axis=1, kind="stable")
        indices[start:stop] = np.take_along_axis(nearest, order, axis=1)
        distances[start:stop] = np.maximum(np.take_along_axis(near, order, axis=1), 0.0)
    return indices, distances


class ExactNeighboursUMAP(umap.UMAP):
    """``umap.UMAP`` fitted with ``precomputed_knn=(indices, distances, None)``. Its
    ``transform`` finds the new points' neighbours among the fitted ones exactly, as umap does
    for maps of up to :data:`.umap_compile.UMAP_PAIRWISE_MAX` points, so no search index is ever built (nor its code compiled)."""

    def fit(self, X, *args, **kwargs):
        super().fit(X, *args, **kwargs)
        self._small_data = True  # transform: exact distances to self._raw_data
        self._knn_search_index = EXACT_SEARCH  # umap only checks that an index is not None
        return self


#: Stands in for the search index of an :class:`ExactNeighboursUMAP` (never queried).
EXACT_SEARCH = "exact distances to the fitted points"
