"""
Batches for training and evaluating task heads: padding lists of per-sentence arrays into batch
tensors with a mask, and choosing which sentences go together (similar lengths, less padding).

Not to be confused with :mod:`elmo_core.embedding_batches`, which plans the batches the biLM
embeds under a token budget.
"""
from __future__ import annotations

import numpy as np
import torch

__all__ = ["pad_features", "pad_tags", "length_batches", "shuffled_length_batches"]


def pad_features(arrays: list[np.ndarray], device: torch.device | str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """Per-sentence (L, n_i, D) arrays -> layers (L, B, T, D) float32 and mask (B, T) bool.

    ``T`` is the longest ``n_i`` (at least 1, so an all-empty batch still has a time axis).
    """
    if not arrays:
        raise ValueError("cannot pad an empty batch")
    num_layers, _, dim = arrays[0].shape
    time = max(1, max(a.shape[1] for a in arrays))
    out = np.zeros((num_layers, len(arrays), time, dim), dtype=np.float32)
    mask = np.zeros((len(arrays), time), dtype=bool)
    for i, a in enumerate(arrays):
        n = a.shape[1]
        out[:, i, :n] = a
        mask[i, :n] = True
    return torch.from_numpy(out).to(device), torch.from_numpy(mask).to(device)


def pad_tags(tags: list[list[int]], time: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """Per-sentence tag lists -> (B, time) int64, -100 (ignored by cross entropy) where padded."""
    out = torch.full((len(tags), time), -100, dtype=torch.long)
    for i, row in enumerate(tags):
        out[i, : len(row)] = torch.as_tensor(row, dtype=torch.long)
    return out.to(device)


def length_batches(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Index batches of similar length (less padding), for evaluation; every index once."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[s : s + batch_size] for s in range(0, len(order), batch_size)]


def shuffled_length_batches(lengths: list[int], batch_size: int, rng: np.random.Generator) -> list[list[int]]:
    """Training batches: random order, but each batch holds examples of similar length.

    Examples are sorted by length with random tie-breaking, cut into batches, and the batches
    are shuffled; every index appears once per call. A last batch of one example is merged
    into the one before it (batch normalisation needs two examples).
    """
    keys = np.asarray(lengths, dtype=np.float64) + rng.random(len(lengths))
    order = np.argsort(keys, kind="stable").tolist()
    batches = [order[s : s + batch_size] for s in range(0, len(order), batch_size)]
    if len(batches) > 1 and len(batches[-1]) == 1:
        batches[-2].extend(batches.pop())
    return [batches[i] for i in rng.permutation(len(batches))]
