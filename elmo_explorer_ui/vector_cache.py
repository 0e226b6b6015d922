"""
The app's cache of ELMo vectors: one per server, shared by every session, bounded in bytes.

``st.cache_data(max_entries=512)`` bounded the number of cached chunks, not their size. A chunk
(the vectors of up to 64 sentences, 3 KB per token with ``mini``, 12 KB with the large models)
is anything from 50 KB to 40 MB, so after an afternoon of use the cache held gigabytes, and every
hit unpickled a copy. :class:`VectorCache` keeps the arrays themselves (read-only, so sessions
can share them) and drops the least recently used chunks once they pass ``max_bytes``.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Hashable

import numpy as np

__all__ = ["VectorCache"]


class VectorCache:
    """Least-recently-used lists of arrays, at most ``max_bytes`` in all; thread-safe."""

    def __init__(self, max_bytes: int):
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0, got {max_bytes}")
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[list[np.ndarray], int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays held now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> list[np.ndarray] | None:
        """The arrays stored under ``key`` (now the most recently used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return list(entry[0])

    def put(self, key: Hashable, arrays: list[np.ndarray]) -> list[np.ndarray]:
        """Store ``arrays`` (made read-only) under ``key`` and return them. Older entries go
        until everything fits; a list larger than the whole cache is returned but not kept."""
        arrays = [np.asarray(a) for a in arrays]
        for a in arrays:
            a.setflags(write=False)
        size = sum(a.nbytes for a in arrays)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if size <= self.max_bytes:
                self._entries[key] = (arrays, size)
                self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
        return list(arrays)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
