"""
UMAP on the pages: the cost text states measured seconds, numba's compiled code is kept in the
project cache, large maps get exact cosine neighbours instead of nearest-neighbour descent, and
identical vectors are fitted once and share one point.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from elmo_explorer_ui.texts import umap_cost


def test_umap_cost_text_states_measured_seconds_and_compilation():
    assert "about 6 s per layer (measured on this server with 5,000 points), about 18 s for 3 layers" in \
        umap_cost(5000, 3, {5000: 6.0})
    assert "in the background" in umap_cost(20, 1, {}, compiling=True)


def test_umap_code_is_compiled_into_the_project_cache(monkeypatch, tmp_path):
    from elmo_core.analysis import umap_compile
    from elmo_core.analysis.umap_fit import WARM_UP_SIZES

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path))
    folder = umap_compile.numba_cache_folder()
    assert folder.parent == tmp_path / "numba" and "umap-learn-" in folder.name
    monkeypatch.undo()
    umap_compile.prepare_umap()
    import pynndescent.pynndescent_ as nnd
    import umap.umap_ as umap_

    cache = Path(os.environ["NUMBA_CACHE_DIR"])
    for function in (umap_.smooth_knn_dist, umap_.compute_membership_strengths, nnd.init_rp_tree):
        assert Path(function._cache._cache_path).is_relative_to(cache), function
    assert max(WARM_UP_SIZES) > umap_compile.UMAP_PAIRWISE_MAX  # nn-descent path too


def test_large_maps_get_exact_neighbours_without_nearest_neighbour_descent():
    from elmo_core.analysis import fit_umap
    from elmo_core.analysis.umap_compile import UMAP_PAIRWISE_MAX
    from elmo_core.analysis.umap_exact import ExactNeighboursUMAP, exact_cosine_neighbours

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 12)).astype(np.float32)
    x[7] = x[3] * 2  # a duplicate direction: distance 0, yet each row lists itself first
    indices, distances = exact_cosine_neighbours(x, 15, block=64)
    units = x / np.linalg.norm(x, axis=1, keepdims=True)
    brute = np.sort(np.maximum(1 - units @ units.T, 0), axis=1)[:, :15]
    assert (indices[:, 0] == np.arange(300)).all() and np.allclose(distances, brute, atol=1e-5)
    assert indices.dtype == np.int32 and distances.dtype == np.float32

    centres = np.eye(8, dtype=np.float32)[:3] * 5  # three directions: three clusters on the map
    cluster = np.arange(UMAP_PAIRWISE_MAX + 10) % 3
    large = centres[cluster] + rng.normal(scale=0.3, size=(len(cluster), 8)).astype(np.float32)
    coords, reducer = fit_umap(large, n_epochs=30)
    assert isinstance(reducer, ExactNeighboursUMAP) and coords.shape == (len(large), 2)
    assert np.array_equal(coords, fit_umap(large, n_epochs=30)[0])  # a fixed seed: the same map
    placed = reducer.transform(centres + rng.normal(scale=0.3, size=(3, 8)).astype(np.float32))
    middles = np.stack([coords[cluster == c].mean(axis=0) for c in range(3)])
    nearest = np.linalg.norm(placed[:, None] - middles[None], axis=2).argmin(axis=1)
    assert nearest.tolist() == [0, 1, 2]  # each new point lands in its own cluster


def test_identical_vectors_share_one_point_and_are_fitted_once():
    from elmo_core.analysis import fit_umap

    rng = np.random.default_rng(1)
    distinct = rng.normal(size=(40, 6)).astype(np.float32)
    rows = np.arange(200) % 40  # each vector five times, like one word's character layer
    coords, reducer = fit_umap(distinct[rows])
    assert reducer._raw_data.shape[0] == 40  # fitted on the distinct vectors
    assert all(np.array_equal(coords[i], coords[rows == rows[i]][0]) for i in range(200))
    assert len(np.unique(coords, axis=0)) == 40
