"""
Static word vectors as a second token input of a task head: the paper's ``[x_k; ELMo_k]``.

A head with ``HeadConfig.static_dim > 0`` receives, beside the biLM layers, a (B, T, S) tensor of
context-free word vectors (GloVe 6B 50d by default; zeros for words the table lacks, which the
character-based biLM still covers). :class:`StaticSource` wraps a layer source so that every
batch carries them::

    source = StaticSource(FeatureLayers(arrays, device), sentences, glove)
    layers, mask, static = source(indices)       # (L, B, T, D), (B, T), (B, T, S)
    logits = head(layers, mask, static)

A shipped head keeps only the rows it may need (:func:`trim_vectors`), saved next to it with
:func:`save_vectors` (``static_vectors.npz``: words + float16 vectors).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import torch

from ..datasets.glove import StaticVectors, load_glove

__all__ = ["INPUTS", "STATIC_TABLES", "uses_static", "uses_elmo", "load_static", "static_batch", "StaticSource",
           "EmptyLayers", "trim_vectors", "save_vectors", "load_vectors", "VECTORS_FILE"]

INPUTS = ("elmo", "static", "static+elmo")
STATIC_TABLES = ("glove-6b-50d",)
VECTORS_FILE = "static_vectors.npz"


def uses_static(inputs: str) -> bool:
    return inputs in ("static", "static+elmo")


def uses_elmo(inputs: str) -> bool:
    return inputs in ("elmo", "static+elmo")


def load_static(name: str = "glove-6b-50d") -> StaticVectors:
    """The static table ``name`` (see :data:`STATIC_TABLES`)."""
    if name != "glove-6b-50d":
        raise ValueError(f"unknown static vectors {name!r}; choose one of {STATIC_TABLES}")
    return load_glove()


def static_batch(table: StaticVectors, sentences: Sequence[Sequence[str]], time: int,
                 device: torch.device | str = "cpu") -> torch.Tensor:
    """Token lists -> (B, time, S) float32: each token's vector, zeros where missing or padded."""
    out = np.zeros((len(sentences), max(time, 1), table.dim), dtype=np.float32)
    for i, tokens in enumerate(sentences):
        tokens = list(tokens)[:time]
        if tokens:
            out[i, : len(tokens)] = table.lookup(tokens)[0]
    return torch.from_numpy(out).to(device)


class EmptyLayers:
    """A layer source without a biLM, for static-only heads: (0, B, T, 1) layers and the mask."""

    def __init__(self, sentences: Sequence[Sequence[str]], device: torch.device):
        self.sentences = sentences
        self.device = device

    def lengths(self) -> list[int]:
        return [len(s) for s in self.sentences]

    def __call__(self, indices: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        lengths = [len(self.sentences[i]) for i in indices]
        time = max(1, max(lengths))
        mask = torch.arange(time).unsqueeze(0) < torch.as_tensor(lengths).unsqueeze(1)
        return torch.zeros(0, len(indices), time, 1, device=self.device), mask.to(self.device)


class StaticSource:
    """A layer source whose batches also carry static vectors: ``(layers, mask, static)``."""

    def __init__(self, source, sentences: Sequence[Sequence[str]], table: StaticVectors):
        self.source = source
        self.sentences = sentences
        self.table = table

    def lengths(self) -> list[int]:
        return self.source.lengths()

    def refresh_state(self, state) -> None:
        self.source.refresh_state(state)

    def __call__(self, indices: list[int]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        layers, mask = self.source(indices)
        static = static_batch(self.table, [self.sentences[i] for i in indices], mask.shape[1], mask.device)
        return layers, mask, static


def trim_vectors(table: StaticVectors, corpus: Iterable[Sequence[str]], *, top: int = 40_000) -> StaticVectors:
    """The rows of ``table`` for the ``top`` most frequent words of the table (GloVe's rows are in
    frequency order) plus every word of ``corpus`` (token lists) that it has."""
    normalise = str.lower if table.lowercase else (lambda token: token)
    wanted = Counter(normalise(t) for tokens in corpus for t in tokens)
    rows = set(range(min(top, len(table.vectors))))
    rows.update(table.index[w] for w in wanted if w in table.index)
    order = sorted(rows)
    inverse = {row: word for word, row in table.index.items() if row in rows}
    words = [inverse[r] for r in order]
    vectors = np.asarray(table.vectors[order], dtype=np.float32)
    return StaticVectors(table.name, vectors, {w: i for i, w in enumerate(words)}, table.lowercase)


def save_vectors(table: StaticVectors, path: str | Path) -> None:
    """Write ``table`` as ``npz`` (``words``: str array, ``vectors``: float16)."""
    words = np.array(sorted(table.index, key=table.index.__getitem__))
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, words=words, vectors=table.vectors.astype(np.float16),
                        name=np.array(table.name), lowercase=np.array(table.lowercase))
    tmp.replace(path)


def load_vectors(path: str | Path) -> StaticVectors:
    """Read a table written by :func:`save_vectors` (vectors back as float32)."""
    with np.load(path, allow_pickle=False) as data:
        words = data["words"].tolist()
        vectors = data["vectors"].astype(np.float32)
        return StaticVectors(str(data["name"]), vectors, {w: i for i, w in enumerate(words)},
                             bool(data["lowercase"]))
