"""
Token representation cache: layer 0 of ELMo (the character CNN's output) depends only on the
word, so each :class:`~elmo_core.bilm.BiLM` keeps the vectors of the words it has seen in an LRU
cache keyed by the word string, and runs the CNN only on words it has not seen.

- ``lookup(words)`` returns the vectors of distinct words, computing the missing ones in one
  batched, length-sorted CNN call (:meth:`CharCNN.encode`).
- ``precompute(words)`` pins a vocabulary (e.g. a model's ``vocab.txt``): pinned words are never
  evicted and do not count against the LRU capacity.
- The cache belongs to one model instance and notices when the CNN weights change (a parameter
  replaced or modified in place, as by fine-tuning or ``load_weights``): it then forgets every
  vector (pinned words are recomputed on their next use) so it never serves stale values.

Vectors equal what the CNN gives for the word in any batch up to float rounding (< 1e-6).
The cache is thread-safe (one lock per cache).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Iterable

import numpy as np
import torch

from .char_cnn import CharCNN
from .chars import token_to_ids
from .param_versions import parameters_key

DEFAULT_CACHE_BYTES = 64 * 2**20  # LRU part: 64 MiB of vectors (~131k words of width 128)



class TokenCache:
    """LRU cache word -> layer-0 vector (projection_dim,) for one :class:`CharCNN`."""

    def __init__(self, char_cnn: CharCNN, capacity: int | None = None, max_bytes: int = DEFAULT_CACHE_BYTES):
        self.char_cnn = char_cnn
        width = char_cnn.output_dim
        self.capacity = int(capacity) if capacity is not None else max(1024, max_bytes // (4 * width))
        if self.capacity < 0:
            raise ValueError(f"capacity must be >= 0, got {capacity}")
        self._lock = threading.RLock()
        self._reset()
        self._pinned_words: list[str] = []
        self.hits = 0
        self.misses = 0

    def __getstate__(self) -> dict:  # copy.deepcopy / pickle: a lock cannot be copied
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ bookkeeping
    def _reset(self) -> None:
        self._slots: OrderedDict[str, int] = OrderedDict()  # LRU order, oldest first
        self._storage: torch.Tensor | None = None  # (rows, P), grows up to capacity
        self._free: list[int] = []  # unused rows of _storage
        self._pinned: dict[str, int] = {}
        self._pinned_storage: torch.Tensor | None = None
        self._fingerprint = self._current_fingerprint()

    def _current_fingerprint(self) -> tuple:
        params = tuple(self.char_cnn.parameters())
        first = params[0]
        return parameters_key(params) + (first.dtype, first.device)

    def _check_fingerprint(self) -> None:
        if self._current_fingerprint() != self._fingerprint:
            pinned = self._pinned_words
            self._reset()
            if pinned:
                self._pin(pinned)

    def __len__(self) -> int:
        return len(self._slots) + len(self._pinned)

    def __contains__(self, word: str) -> bool:
        return word in self._pinned or word in self._slots

    def clear(self) -> None:
        """Forget every vector, pinned vocabulary included; statistics restart."""
        with self._lock:
            self._pinned_words = []
            self._reset()
            self.hits = self.misses = 0

    def stats(self) -> dict:
        return {"entries": len(self._slots), "pinned": len(self._pinned), "capacity": self.capacity,
                "hits": self.hits, "misses": self.misses}

    # ------------------------------------------------------------------ computing
    def _compute(self, words: list[str]) -> torch.Tensor:
        max_chars = self.char_cnn.config.max_characters_per_token
        ids = np.empty((len(words), max_chars), dtype=np.int64)
        for row, word in enumerate(words):
            ids[row] = token_to_ids(word, max_chars)
        device = self.char_cnn.char_embedding.device
        return self.char_cnn.encode(torch.from_numpy(ids).to(device))

    def _pin(self, words: list[str]) -> None:
        distinct = list(dict.fromkeys(words))
        self._pinned_words = distinct
        self._pinned = {word: row for row, word in enumerate(distinct)}
        self._pinned_storage = self._compute(distinct) if distinct else None
        for word in distinct:  # a pinned word needs no LRU slot
            slot = self._slots.pop(word, None)
            if slot is not None:
                self._free.append(slot)

    def precompute(self, words: Iterable[str] | str | Path) -> int:
        """Pin the vectors of a vocabulary: a list of words or a text file with one word per line.

        Replaces any earlier pinned vocabulary. Returns the number of distinct pinned words.
        """
        if isinstance(words, (str, Path)):
            text = Path(words).read_text(encoding="utf-8")
            words = [line.strip() for line in text.splitlines()]
        words = [w for w in words if w and not w.isspace()]
        with self._lock, torch.inference_mode():
            self._check_fingerprint()
            self._pin(words)
            return len(self._pinned)

    def lookup(self, words: list[str]) -> torch.Tensor:
        """Vectors of ``words``, shape (len(words), P), on the model's device."""
        distinct = list(dict.fromkeys(words))
        if len(distinct) != len(words):
            position = {word: i for i, word in enumerate(distinct)}
            vectors = self.lookup(distinct)
            return vectors[torch.tensor([position[w] for w in words], device=vectors.device)]
        with self._lock, torch.inference_mode():
            self._check_fingerprint()
            width = self.char_cnn.output_dim
            param = self.char_cnn.char_embedding
            result = param.new_empty(len(words), width)
            pinned_pos, pinned_rows, hit_pos, hit_slots, miss_pos, miss_words = [], [], [], [], [], []
            slots, pinned = self._slots, self._pinned
            for position, word in enumerate(words):
                row = pinned.get(word)
                if row is not None:
                    pinned_pos.append(position)
                    pinned_rows.append(row)
                    continue
                slot = slots.get(word)
                if slot is not None:
                    slots.move_to_end(word)
                    hit_pos.append(position)
                    hit_slots.append(slot)
                else:
                    miss_pos.append(position)
                    miss_words.append(word)
            device = param.device
            if pinned_pos:
                result[torch.tensor(pinned_pos, device=device)] = \
                    self._pinned_storage[torch.tensor(pinned_rows, device=device)]
            if hit_pos:
                result[torch.tensor(hit_pos, device=device)] = self._storage[torch.tensor(hit_slots, device=device)]
            if miss_pos:
                computed = self._compute(miss_words)
                result[torch.tensor(miss_pos, device=device)] = computed
                self._insert(miss_words, computed)
            self.hits += len(pinned_pos) + len(hit_pos)
            self.misses += len(miss_pos)
            return result

    def _insert(self, words: list[str], vectors: torch.Tensor) -> None:
        """Store new words, evicting the least recently used ones beyond the capacity."""
        if self.capacity == 0:
            return
        if len(words) > self.capacity:  # only the last `capacity` words can stay
            words, vectors = words[-self.capacity :], vectors[-self.capacity :]
        rows = 0 if self._storage is None else self._storage.shape[0]
        if len(words) > len(self._free) and rows < self.capacity:
            grown = min(self.capacity, max(rows + len(words) - len(self._free), 2 * rows, 256))
            storage = vectors.new_empty(grown, vectors.shape[1])
            if self._storage is not None:
                storage[:rows] = self._storage
            self._storage = storage
            self._free.extend(range(grown - 1, rows - 1, -1))
        targets = []
        for word in words:
            if self._free:
                slot = self._free.pop()
            else:
                _, slot = self._slots.popitem(last=False)
            self._slots[word] = slot
            targets.append(slot)
        self._storage[torch.tensor(targets, device=vectors.device)] = vectors
