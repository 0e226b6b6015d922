"""
A bag-of-context-words baseline for sense classification, with no language model.

The feature of a target occurrence is the mean static word vector (GloVe 6B 50d in
:func:`elmo_core.quality.context_baseline_probe`) of the content words within ``window`` tokens
on either side of it: the target itself, punctuation and the stop words of :data:`STOP_WORDS`
are left out, tokens are looked up lower-cased, words the table lacks are skipped, and an
occurrence with nothing left gets a zero vector. Senses are then classified exactly like the
biLM layers in :func:`elmo_core.quality.sense_probe`: leave-one-out nearest centroid (cosine),
per word, averaged over words.

What a biLM layer scores above this baseline is what it knows beyond "which topical words are
nearby": word order, syntax ("I saw ..." vs "the saw"), and words further away.

>>> from elmo_core.analysis.context_baseline import context_words
>>> context_words(["I", "saw", "a", "saw", "in", "the", "shed", "."], 3)
['saw', 'shed']
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from .margins import Margin
from .sense_sets import per_word_sense_accuracy, sense_margins

__all__ = ["STOP_WORDS", "WINDOW", "WordVectors", "ContextBaseline", "context_words",
           "context_features", "context_baseline_accuracy", "context_baseline_margins"]

WINDOW = 5

# Function words, pronouns, auxiliaries and clitics (as the tokenizer splits them: 's, n't).
STOP_WORDS = frozenset(
    """a an the and or but nor so yet if then than that this these those there here
    of in on at by for with from to into onto over under about above below between through
    during before after since until up down out off again further once upon within without
    as like near toward towards across along around behind beside against among per via
    i me my mine myself we us our ours ourselves you your yours yourself yourselves
    he him his himself she her hers herself it its itself they them their theirs themselves
    who whom whose which what when where why how whoever whatever
    is am are was were be been being have has had having do does did doing done
    will would shall should can could may might must ought
    not no n't 's 're 've 'll 'd 'm
    all any both each every few more most other some such only own same too very just also
    even still really quite rather almost enough much many lot
    one ones something anything nothing everything someone anyone everyone
    because while although though whether either neither
    let get got gets go goes went""".split()
)


class WordVectors(Protocol):
    """A static word -> vector table such as :class:`elmo_core.datasets.glove.StaticVectors`."""

    @property
    def dim(self) -> int: ...

    def lookup(self, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """-> vectors (n, dim) and found (n,) bool."""
        ...


class _Occurrence(Protocol):
    """What the baseline reads of one sentence
    (e.g. :class:`elmo_core.datasets.sense_sentences.SenseSentence`)."""

    word: str
    sense: str
    tokens: Sequence[str]
    target_index: int


@dataclass(frozen=True)
class ContextBaseline:
    """Leave-one-out nearest-centroid accuracy of the bag-of-context-words feature.

    ``accuracy`` is the mean of ``per_word`` over the words with at least two senses; ``chance``
    the mean majority-sense rate of those words; ``n_empty_contexts`` the occurrences that had
    no context word with a vector (zero feature).
    """

    accuracy: float
    chance: float
    per_word: dict[str, float]
    n_words: int
    n_sentences: int
    n_empty_contexts: int
    window: int
    description: str


def _is_punctuation(token: str) -> bool:
    return not any(ch.isalnum() for ch in token)


def context_words(tokens: Sequence[str], target_index: int, window: int = WINDOW) -> list[str]:
    """The lower-cased content words within ``window`` tokens of ``tokens[target_index]``, in order.

    The target itself, punctuation (tokens without a letter or digit) and :data:`STOP_WORDS`
    are left out. Another occurrence of the target word in the window is kept.
    """
    if not 0 <= target_index < len(tokens):
        raise IndexError(f"target_index {target_index} is out of range for {len(tokens)} tokens")
    lo, hi = max(0, target_index - window), min(len(tokens), target_index + window + 1)
    words = []
    for i in range(lo, hi):
        token = tokens[i].lower()
        if i != target_index and not _is_punctuation(token) and token not in STOP_WORDS:
            words.append(token)
    return words


def context_features(sentences: Sequence[_Occurrence], vectors: WordVectors,
                     window: int = WINDOW) -> tuple[np.ndarray, np.ndarray]:
    """Bag-of-context-words feature of each sentence's target occurrence.

    Returns ``features`` (n, dim) float64, the mean vector of the context words the table has
    (zeros where none), and ``empty`` (n,) bool, True where no context word had a vector.
    """
    features = np.zeros((len(sentences), vectors.dim), dtype=np.float64)
    empty = np.ones(len(sentences), dtype=bool)
    for i, s in enumerate(sentences):
        words = context_words(s.tokens, s.target_index, window)
        if not words:
            continue
        found_vectors, found = vectors.lookup(words)  # (k, dim), (k,)
        if found.any():
            features[i] = np.asarray(found_vectors, dtype=np.float64)[found].mean(axis=0)
            empty[i] = False
    return features, empty


def context_baseline_accuracy(sentences: Sequence[_Occurrence], vectors: WordVectors,
                              window: int = WINDOW) -> ContextBaseline:
    """Leave-one-out nearest-centroid sense accuracy of the bag-of-context-words feature,
    per word and averaged over words (words with a single sense are skipped, as in
    :func:`elmo_core.quality.sense_probe`)."""
    sentences = list(sentences)
    features, empty = context_features(sentences, vectors, window)  # (n, dim), (n,)
    scores, chances = per_word_sense_accuracy(features[None], sentences)  # word -> [accuracy]
    per_word = {word: layers[0] for word, layers in scores.items()}
    accuracy = float(np.mean(list(per_word.values()))) if per_word else 0.0
    return ContextBaseline(
        accuracy=accuracy,
        chance=float(np.mean(chances)) if chances else 0.0,
        per_word=per_word,
        n_words=len(per_word),
        n_sentences=len(sentences),
        n_empty_contexts=int(empty.sum()),
        window=window,
        description=(f"mean static vector of the content words within {window} tokens, leave-one-out "
                     f"nearest centroid over {len(per_word)} words, {len(sentences)} sentences"),
    )


def context_baseline_margins(targets: np.ndarray, sentences: Sequence[_Occurrence], vectors: WordVectors,
                             window: int = WINDOW) -> list[Margin]:
    """Each layer's leave-one-out sense accuracy minus the bag of context words', paired over the
    same sentences (:func:`.sense_sets.sense_margins`). targets (layers, n_sentences, dim): each
    sentence's target-word vector, in ``sentences`` order."""
    sentences = list(sentences)
    return sense_margins(targets, context_features(sentences, vectors, window)[0], sentences)
