"""
Sense accuracy split by what tells a word's senses apart: **part of speech** ("saw": a verb and
a noun) or **topic** alone ("bank": two nouns, one about rivers, one about money).

A biLM trained briefly learns syntax before it learns topics, so the two kinds can score very
differently on the same layer; one average over both would hide that. Each word is scored on
its own sentences (leave-one-out sense centroids, :func:`~elmo_core.analysis.senses.loo_centroid_correct`),
then the occurrences of all words of a kind are pooled.

>>> kinds = accuracy_by_sense_kind(target_vectors, curated_sentences)      # doctest: +SKIP
>>> kinds["part of speech"].per_layer, kinds["topic"].per_layer           # doctest: +SKIP
((0.5, 0.93, 0.95), (0.49, 0.80, 0.81))
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from .intervals import paired_difference, wilson_interval
from .margins import Margin
from .senses import loo_centroid_correct

__all__ = ["PART_OF_SPEECH", "TOPIC", "KindAccuracy", "sense_kind", "accuracy_by_sense_kind", "kind_accuracy"]

PART_OF_SPEECH = "part of speech"
TOPIC = "topic"


class SenseLabelled(Protocol):
    word: str
    sense: str
    pos: str


@dataclass(frozen=True)
class KindAccuracy:
    """The pooled leave-one-out sense accuracy of the words of one kind.

    ``correct`` (L, n): 1.0 where a layer's centroid gets an occurrence's sense right;
    ``intervals``: a Wilson interval per layer; ``chance``: the share of occurrences in their
    word's most frequent sense (what always guessing that sense scores); ``top_vs_below``: the
    paired bootstrap interval of the top layer's accuracy minus the layer below it.
    """

    kind: str
    words: tuple[str, ...]
    correct: np.ndarray
    per_layer: tuple[float, ...]
    intervals: tuple[Margin, ...]
    chance: float
    top_vs_below: Margin | None

    @property
    def n(self) -> int:
        return int(self.correct.shape[1])


def sense_kind(sentences: Sequence[SenseLabelled]) -> str:
    """:data:`PART_OF_SPEECH` when one word's senses come in more than one part of speech,
    else :data:`TOPIC`."""
    return PART_OF_SPEECH if len({s.pos for s in sentences}) > 1 else TOPIC


def accuracy_by_sense_kind(vectors: np.ndarray, sentences: Sequence[SenseLabelled]) -> dict[str, KindAccuracy]:
    """``vectors`` (L, n, D): each layer's vector of each sentence's target word, in the order of
    ``sentences``. Words with a single sense are left out (nothing to separate). Returns the
    kinds that have at least one word, keyed by kind."""
    vectors = np.asarray(vectors)
    if vectors.ndim != 3 or vectors.shape[1] != len(sentences):
        raise ValueError(f"expected (L, {len(sentences)}, D) vectors, got shape {vectors.shape}")
    by_word: dict[str, list[int]] = {}
    for i, sentence in enumerate(sentences):
        by_word.setdefault(sentence.word.lower(), []).append(i)
    pooled: dict[str, tuple[list[str], list[np.ndarray], int]] = {}
    for word, rows in by_word.items():
        labels = [sentences[i].sense for i in rows]
        if len(set(labels)) < 2:
            continue
        kind = sense_kind([sentences[i] for i in rows])
        correct = np.stack([loo_centroid_correct(layer[rows], labels) for layer in vectors])  # (L, n_word)
        majority = max(labels.count(label) for label in set(labels))
        words, parts, in_majority = pooled.get(kind, ([], [], 0))
        pooled[kind] = (words + [word], parts + [correct], in_majority + majority)
    return {kind: kind_accuracy(kind, words, np.concatenate(parts, axis=1), in_majority / sum(p.shape[1] for p in parts))
            for kind, (words, parts, in_majority) in pooled.items()}


def kind_accuracy(kind: str, words: Sequence[str], correct: np.ndarray, chance: float) -> KindAccuracy:
    """A :class:`KindAccuracy` from its ``correct`` (L, n) table (e.g. one read back from a cache)."""
    correct = np.asarray(correct, dtype=float)
    n = correct.shape[1]
    hits = correct.sum(axis=1).round().astype(int)
    top = correct.shape[0] - 1
    return KindAccuracy(kind=kind, words=tuple(sorted(words)), correct=correct,
                        per_layer=tuple(float(h / n) for h in hits),
                        intervals=tuple(wilson_interval(int(h), n) for h in hits), chance=float(chance),
                        top_vs_below=paired_difference(correct[top], correct[top - 1]) if top > 0 else None)
