"""
How well each layer separates the senses of a word.

``sense_accuracy`` is leave-one-out nearest-centroid classification with cosine similarity: each
occurrence is assigned the sense whose centroid (mean of the unit-length vectors of the *other*
occurrences of that sense) is most similar to it. ``chance`` is the majority-class rate, what
always guessing the most frequent sense would score. ``nearest_neighbours`` lists, per layer, the
occurrences most similar to one occurrence (the ELMo paper's Table 4).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .similarity import cosine_to, unit_rows

TIE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class SenseAccuracy:
    """Per-layer leave-one-out accuracy (length L) and the majority-class rate."""

    per_layer: tuple[float, ...]
    chance: float
    n_occurrences: int
    n_senses: int

    @property
    def best_layer(self) -> int:
        return int(np.argmax(self.per_layer))


def chance_level(labels: Sequence[str]) -> float:
    """Share of the most frequent label (majority-class rate); 0.0 for no labels."""
    if not labels:
        return 0.0
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return float(counts.max() / len(labels))


def loo_centroid_predictions(vectors: np.ndarray, labels: Sequence[str]) -> list[str | None]:
    """Leave-one-out nearest-centroid prediction for every row of (n, D) ``vectors``.

    A sense whose only member is the held-out row has no centroid. ``None`` when no sense is
    left to compare with. Scores within ``TIE_TOLERANCE`` of the best count as a tie (identical
    vectors, e.g. layer 0 for one spelling, must not be told apart by rounding noise); a tie goes
    to the sense that is most frequent in ``labels`` (then to the one seen first), so a layer
    that cannot separate the senses scores exactly the chance level.
    """
    vectors = np.asarray(vectors)
    if vectors.ndim != 2 or vectors.shape[0] != len(labels):
        raise ValueError(f"expected (n, D) vectors with n = {len(labels)} labels, got {vectors.shape}")
    senses = list(dict.fromkeys(labels))
    label_ids = np.array([senses.index(label) for label in labels], dtype=int)
    unit = unit_rows(vectors)
    sums = np.stack([unit[label_ids == k].sum(axis=0) for k in range(len(senses))])  # (S, D)
    counts = np.bincount(label_ids, minlength=len(senses)).astype(float)  # (S,)
    predictions: list[str | None] = []
    for i, row in enumerate(unit):
        own = label_ids[i]
        held_out_sums = sums.copy()
        held_out_sums[own] -= row
        held_out_counts = counts.copy()
        held_out_counts[own] -= 1
        available = held_out_counts > 0
        if not available.any():
            predictions.append(None)
            continue
        centroids = unit_rows(held_out_sums)  # mean and sum point the same way
        scores = np.where(available, centroids @ row, -np.inf)
        tied = np.flatnonzero(scores >= scores.max() - TIE_TOLERANCE)
        best = min(tied, key=lambda k: (-counts[k], k))
        predictions.append(senses[int(best)])
    return predictions


def loo_centroid_accuracy(vectors: np.ndarray, labels: Sequence[str]) -> float:
    """Share of rows of (n, D) ``vectors`` whose leave-one-out nearest centroid has their label."""
    if len(labels) == 0:
        return 0.0
    predictions = loo_centroid_predictions(vectors, labels)
    return float(np.mean([p == label for p, label in zip(predictions, labels)]))


def sense_accuracy(vectors: np.ndarray, labels: Sequence[str]) -> SenseAccuracy:
    """Leave-one-out nearest-centroid accuracy of each layer of (L, n, D) ``vectors``."""
    vectors = np.asarray(vectors)
    if vectors.ndim != 3:
        raise ValueError(f"expected (L, n, D) vectors, got shape {vectors.shape}")
    per_layer = tuple(loo_centroid_accuracy(layer, labels) for layer in vectors)
    return SenseAccuracy(per_layer=per_layer, chance=chance_level(labels),
                         n_occurrences=len(labels), n_senses=len(set(labels)))


@dataclass(frozen=True)
class Neighbour:
    """One row of a nearest-neighbour table: the ``rank``-th most similar occurrence in ``layer``."""

    layer: int
    rank: int
    index: int
    similarity: float


def nearest_neighbours(vectors: np.ndarray, query: int, k: int = 5) -> list[Neighbour]:
    """The ``k`` occurrences most similar to occurrence ``query`` (itself excluded), per layer.

    ``vectors`` is (L, n, D). Returns L * min(k, n - 1) rows, layer by layer, best first;
    equal similarities keep the order of the occurrences.
    """
    vectors = np.asarray(vectors)
    if vectors.ndim != 3:
        raise ValueError(f"expected (L, n, D) vectors, got shape {vectors.shape}")
    n = vectors.shape[1]
    if not 0 <= query < n:
        raise IndexError(f"query {query} is out of range for {n} occurrences")
    sims = cosine_to(vectors, query)  # (L, n)
    rows = []
    for layer, layer_sims in enumerate(sims):
        others = np.array([j for j in range(n) if j != query], dtype=int)
        order = others[np.argsort(-layer_sims[others], kind="stable")][:k]
        rows.extend(Neighbour(layer, rank, int(j), float(layer_sims[j])) for rank, j in enumerate(order, 1))
    return rows
