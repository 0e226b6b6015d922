"""
How well each layer separates the senses of a word.

``sense_accuracy`` is leave-one-out nearest-centroid classification with cosine similarity: each
occurrence is assigned the sense whose centroid (mean of the unit-length vectors of the *other*
occurrences of that sense) is most similar to it. ``chance`` is the majority-class rate, what
always guessing the most frequent sense would score. ``nearest_neighbours`` lists, per layer, the
occurrences most similar to one occurrence (the ELMo paper's Table 4), marking rows whose
same-sense verdict depends only on how equal similarities happen to be ordered.
``pair_ranking_auc`` scores separation without centroids: how often two occurrences of one
sense are closer than two of different senses. ``layer_evidence`` gives the intervals a page needs before it
calls a layer better than chance or best (Wilson against chance, paired bootstrap against the
next-best layer).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .intervals import paired_difference, wilson_interval
from .margins import Margin
from .similarity import cosine_matrix, cosine_to, unit_rows

TIE_TOLERANCE = 1e-9
#: Cosines closer than this count as equal in a nearest-neighbour table (identical vectors from
#: float32 batches of different shapes can differ in the last bits).
NEIGHBOUR_TIE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class SenseAccuracy:
    """Per-layer leave-one-out accuracy (length L) and the majority-class rate."""

    per_layer: tuple[float, ...]
    chance: float
    n_occurrences: int
    n_senses: int


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


def loo_centroid_correct(vectors: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """(n,) float: 1.0 where row i of (n, D) ``vectors`` gets its own label back by leave-one-out
    nearest centroid, else 0.0."""
    predictions = loo_centroid_predictions(vectors, labels)
    return np.array([p == label for p, label in zip(predictions, labels)], dtype=float)


def loo_centroid_accuracy(vectors: np.ndarray, labels: Sequence[str]) -> float:
    """Share of rows of (n, D) ``vectors`` whose leave-one-out nearest centroid has their label."""
    if len(labels) == 0:
        return 0.0
    return float(loo_centroid_correct(vectors, labels).mean())


def pair_ranking_auc(vectors: np.ndarray, labels: Sequence[str], tolerance: float = NEIGHBOUR_TIE_TOLERANCE) -> float:
    """How often a same-sense pair of occurrences is more similar than a different-sense pair.

    vectors (n, D), labels (n,). Over every combination of one same-sense pair and one
    different-sense pair, the share in which the same-sense pair has the higher cosine, cosines
    within ``tolerance`` counting half: 0.5 for vectors blind to the sense (a context-free layer),
    1.0 when every same-sense pair is closer than every different-sense pair. Unlike the
    leave-one-out centroid it has no bias against senses with only two or three occurrences.
    NaN when there is no pair of one kind.
    """
    sims = cosine_matrix(np.asarray(vectors))
    labels_array = np.asarray(labels)
    upper = np.triu(np.ones(sims.shape, dtype=bool), k=1)
    same = labels_array[:, None] == labels_array[None, :]
    within, between = sims[same & upper], sims[~same & upper]
    if within.size == 0 or between.size == 0:
        return float("nan")
    difference = within[:, None] - between[None, :]
    return float(np.mean(np.where(np.abs(difference) <= tolerance, 0.5, difference > 0)))


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
    """One row of a nearest-neighbour table: the ``rank``-th most similar occurrence in ``layer``.

    ``tie``: other occurrences are as similar to the query (within ``NEIGHBOUR_TIE_TOLERANCE``)
    and, among all of them, some
    have the query's sense and some another one, so whether this row shows the same sense is
    decided by the order of equal similarities, not by the layer (``labels`` given only).
    """

    layer: int
    rank: int
    index: int
    similarity: float
    tie: bool = False


def nearest_neighbours(vectors: np.ndarray, query: int, k: int = 5,
                       labels: Sequence[str] | None = None) -> list[Neighbour]:
    """The ``k`` occurrences most similar to occurrence ``query`` (itself excluded), per layer.

    ``vectors`` is (L, n, D). Returns L * min(k, n - 1) rows, layer by layer, best first;
    equal similarities keep the order of the occurrences. With the sense ``labels`` of the n
    occurrences, rows whose same-sense verdict is only a matter of tie order get ``tie=True``.
    """
    vectors = np.asarray(vectors)
    if vectors.ndim != 3:
        raise ValueError(f"expected (L, n, D) vectors, got shape {vectors.shape}")
    n = vectors.shape[1]
    if not 0 <= query < n:
        raise IndexError(f"query {query} is out of range for {n} occurrences")
    if labels is not None and len(labels) != n:
        raise ValueError(f"expected {n} labels, got {len(labels)}")
    sims = cosine_to(vectors, query)  # (L, n)
    rows = []
    for layer, layer_sims in enumerate(sims):
        others = np.array([j for j in range(n) if j != query], dtype=int)
        order = others[np.argsort(-layer_sims[others], kind="stable")][:k]
        rows.extend(Neighbour(layer, rank, int(j), float(layer_sims[j]),
                              _ambiguous(layer_sims, others, int(j), query, labels))
                    for rank, j in enumerate(order, 1))
    return rows


def _ambiguous(sims: np.ndarray, others: np.ndarray, j: int, query: int, labels: Sequence[str] | None) -> bool:
    """True if the occurrences as similar to ``query`` as ``j`` include both its sense and another."""
    if labels is None:
        return False
    group = others[np.abs(sims[others] - sims[j]) <= NEIGHBOUR_TIE_TOLERANCE]
    same = {labels[i] == labels[query] for i in group}
    return len(same) == 2


@dataclass(frozen=True)
class LayerEvidence:
    """What the sentences of one word allow a page to claim about its layers.

    ``correct`` (L, n): 1.0 where a layer's leave-one-out centroid gets an occurrence's sense right.
    ``best``: the layer with the highest accuracy (the lowest such index on a tie); ``runner_up``:
    the next-best layer (None with one layer). ``vs_chance``: the Wilson interval of the best
    layer's accuracy, to compare with ``chance`` (the majority-sense rate); ``vs_runner_up``: the
    paired bootstrap interval of best minus runner-up accuracy on the same occurrences.
    """

    per_layer: tuple[float, ...]
    chance: float
    n_occurrences: int
    best: int
    runner_up: int | None
    vs_chance: Margin
    vs_runner_up: "Margin | None"
    below_chance: tuple[int, ...]

    @property
    def beats_chance(self) -> bool:
        """The best layer's interval lies wholly above the majority-sense rate."""
        return self.vs_chance.above(self.chance)

    @property
    def best_is_clear(self) -> bool:
        """The best layer beats chance and the next-best layer beyond noise."""
        return self.beats_chance and (self.vs_runner_up is None or self.vs_runner_up.low > 0)


def layer_evidence(vectors: np.ndarray, labels: Sequence[str]) -> LayerEvidence:
    """Per-layer leave-one-out accuracy of (L, n, D) ``vectors`` with the intervals that back (or do
    not back) "layer k separates the senses" (Wilson, against chance) and "layer k is the best"
    (paired bootstrap, against the next-best layer). ``below_chance`` lists layers whose Wilson
    interval lies wholly below chance."""

    vectors = np.asarray(vectors)
    if vectors.ndim != 3:
        raise ValueError(f"expected (L, n, D) vectors, got shape {vectors.shape}")
    correct = np.stack([loo_centroid_correct(layer, labels) for layer in vectors])  # (L, n)
    n = len(labels)
    per_layer = correct.mean(axis=1) if n else np.zeros(len(vectors))
    chance = chance_level(labels)
    order = sorted(range(len(vectors)), key=lambda l: (-per_layer[l], l))
    best = order[0]
    runner_up = order[1] if len(order) > 1 else None
    hits = correct.sum(axis=1).round().astype(int)
    vs_runner_up = None if runner_up is None else paired_difference(correct[best], correct[runner_up])
    below = tuple(l for l in range(len(vectors)) if n and wilson_interval(int(hits[l]), n).below(chance))
    return LayerEvidence(tuple(float(a) for a in per_layer), chance, n, best, runner_up,
                         wilson_interval(int(hits[best]), max(n, 1)), vs_runner_up, below)
