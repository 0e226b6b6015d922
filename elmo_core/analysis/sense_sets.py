"""
Scores of a sense set, word by word: the sentences of a set (objects with a ``word`` and a
``sense``, such as :class:`elmo_core.datasets.sense_sentences.SenseSentence`) are grouped by
word, each word with two or more senses is scored on its own sentences, and a layer is set
against a baseline (the bag of context words, or another model's layer) on the very same
sentences.

- :func:`sense_groups`: word -> indices of its sentences.
- :func:`per_word_sense_accuracy`: a score (leave-one-out nearest-centroid accuracy, or another
  such as :func:`.senses.pair_ranking_auc`) per word and layer.
- :func:`sense_margin` / :func:`sense_margins`: a layer's (each layer's) leave-one-out accuracy
  minus a baseline's, with a paired bootstrap interval (:func:`.margins.sentence_margin`).
"""
from __future__ import annotations

from typing import Callable, Protocol, Sequence

import numpy as np

from .margins import Margin, sentence_margin
from .senses import chance_level, loo_centroid_accuracy, loo_centroid_correct


class LabelledSentence(Protocol):
    """What these functions read of a sentence: the word it is about and that word's sense."""

    word: str
    sense: str


def sense_groups(sentences: Sequence[LabelledSentence]) -> dict[str, list[int]]:
    """word -> indices of its sentences, for the words with two or more senses, sorted by word."""
    by_word: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        by_word.setdefault(s.word, []).append(i)
    return {word: indices for word, indices in sorted(by_word.items())
            if len({sentences[i].sense for i in indices}) >= 2}


def per_word_sense_accuracy(targets: np.ndarray, sentences: Sequence[LabelledSentence],
                            score: Callable[[np.ndarray, list[str]], float] = loo_centroid_accuracy
                            ) -> tuple[dict[str, list[float]], list[float]]:
    """Leave-one-out nearest-centroid accuracy (or another ``score(vectors, labels)``) per word
    and layer, from any model's vectors.

    targets (layers, n_sentences, dim): each sentence's target-word vector, in ``sentences`` order.
    Words with a single sense are skipped. Returns word -> score per layer, and the
    majority-sense share of each word kept.
    """
    per_word, chances = {}, []
    for word, indices in sense_groups(sentences).items():
        labels = [sentences[i].sense for i in indices]
        per_word[word] = [score(layer[indices], labels) for layer in targets]
        chances.append(chance_level(labels))
    return per_word, chances


def _correct_by_word(vectors: np.ndarray, sentences: Sequence[LabelledSentence]) -> list[np.ndarray]:
    """vectors (n_sentences, dim) -> per word of :func:`sense_groups`, (n_w,) 1.0 where its
    leave-one-out nearest centroid is right."""
    return [loo_centroid_correct(vectors[indices], [sentences[i].sense for i in indices])
            for indices in sense_groups(sentences).values()]


def sense_margin(vectors: np.ndarray, baseline: np.ndarray, sentences: Sequence[LabelledSentence]) -> Margin:
    """Leave-one-out accuracy of ``vectors`` minus that of ``baseline``, paired over the same
    sentences. vectors (n_sentences, dim) and baseline (n_sentences, dim'), in ``sentences`` order."""
    return sentence_margin(_correct_by_word(vectors, sentences), _correct_by_word(baseline, sentences))


def sense_margins(targets: np.ndarray, baseline: np.ndarray, sentences: Sequence[LabelledSentence]) -> list[Margin]:
    """:func:`sense_margin` of each layer: targets (layers, n_sentences, dim) against one
    baseline (n_sentences, dim'), e.g. the bag-of-context-words features."""
    base = _correct_by_word(baseline, sentences)
    return [sentence_margin(_correct_by_word(layer, sentences), base) for layer in targets]
