"""
The server's cache of ELMo vectors is bounded in bytes, not in entries (a bound on entries let a
server sit at 2.2 GB idle after an afternoon of use: 512 cached chunks of any size).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from elmo_explorer_ui import runtime  # noqa: E402
from elmo_explorer_ui.model_info import DEFAULT_SPEC  # noqa: E402
from elmo_explorer_ui.settings import LIMITS  # noqa: E402
from elmo_explorer_ui.vector_cache import VectorCache  # noqa: E402

KB = 1024


def arrays(kb: int) -> list[np.ndarray]:
    return [np.ones(kb * KB // 4, dtype=np.float32)]


def test_the_cache_never_holds_more_than_its_bytes():
    cache = VectorCache(100 * KB)
    for i in range(50):
        cache.put(i, arrays(30))
        assert cache.nbytes <= 100 * KB
    assert len(cache) == 3 and cache.get(46) is None and cache.get(49) is not None


def test_least_recently_used_goes_first_and_oversized_entries_are_not_kept():
    cache = VectorCache(100 * KB)
    for key in "abc":
        cache.put(key, arrays(30))
    assert cache.get("a") is not None  # "a" is now the most recent
    cache.put("d", arrays(30))
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("d") is not None
    big = cache.put("huge", arrays(200))
    assert big[0].nbytes == 200 * KB and cache.get("huge") is None and cache.nbytes <= 100 * KB


def test_cached_arrays_are_shared_read_only():
    cache = VectorCache(100 * KB)
    stored = cache.put("x", arrays(10))
    with pytest.raises(ValueError):
        stored[0][0] = 2.0
    assert cache.get("x")[0] is stored[0]


def test_the_app_embeds_through_the_bounded_cache():
    cache = runtime.vector_cache()
    assert cache.max_bytes == LIMITS.vector_cache_mb * 2**20 <= 512 * 2**20
    cache.clear()
    sentences = [["I", "saw", "a", "saw", "."], ["The", "bank", "closed", "."]]
    first = runtime.embed(DEFAULT_SPEC, sentences)
    assert len(cache) == 1 and cache.nbytes == sum(v.nbytes for v in first)
    again = runtime.embed(DEFAULT_SPEC, sentences)
    assert all(a is b for a, b in zip(first, again))  # one copy for every session, no unpickling
    assert first[0].shape[1] == 5 and not first[0].flags.writeable
