"""
A UMAP map is cached once for every session (``st.cache_resource``) as a :class:`SharedFit`:
pickling a reducer for ``st.cache_data`` in two sessions at once failed (numba's dispatcher
``AssertionError``, seen in the memory soak), and every cache hit unpickled a copy.
"""
from __future__ import annotations

import sys
import threading
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from elmo_core.analysis import fit_pca_2d  # noqa: E402
from elmo_explorer_ui.points import SharedFit  # noqa: E402


@pytest.fixture
def shared():
    vectors = np.random.default_rng(0).normal(size=(40, 16)).astype(np.float32)
    coords, pca = fit_pca_2d(vectors)
    return SharedFit(coords, pca), coords, pca


def test_unpacks_like_the_fit_it_wraps_with_read_only_coordinates(shared):
    fit, coords, pca = shared
    xy, fitted = fit
    assert np.array_equal(xy, coords) and fit[0] is xy and fitted is fit
    with pytest.raises(ValueError):
        xy[0, 0] = 1.0
    new = np.random.default_rng(1).normal(size=(3, 16)).astype(np.float32)
    assert np.allclose(fitted.transform(new), pca.transform(new))


def test_transform_from_many_threads_gives_every_caller_its_own_answer(shared):
    fit, _, pca = shared
    inputs = [np.full((2, 16), float(i), dtype=np.float32) for i in range(8)]
    results = [None] * len(inputs)

    def work(i: int) -> None:
        results[i] = fit.transform(inputs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for x, y in zip(inputs, results):
        assert np.allclose(y, pca.transform(x))
