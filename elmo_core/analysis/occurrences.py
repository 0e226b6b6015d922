"""
Finding a word in tokenized sentences and gathering its vectors.

Positions are ``(sentence index, token index)`` pairs into a ``list[list[str]]``; vectors are
the per-sentence arrays of :meth:`elmo_core.BiLM.embed`, shape (layers, n_tokens, dim).

>>> find_occurrences([["I", "saw", "a", "saw", "."], ["Saw", "it"]], "SAW")
[(0, 1), (0, 3), (1, 0)]
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

Position = tuple[int, int]


def find_occurrences(sentences: Sequence[Sequence[str]], word: str) -> list[Position]:
    """Every ``(sentence, token)`` whose token equals ``word``, ignoring case, in reading order."""
    key = word.strip().lower()
    if not key:
        return []
    return [(s, t) for s, tokens in enumerate(sentences) for t, token in enumerate(tokens)
            if token.lower() == key]


def repeated_words(sentences: Sequence[Sequence[str]], min_count: int = 2) -> list[str]:
    """Lower-cased tokens with a letter in them that occur at least ``min_count`` times,
    in order of first appearance (the words worth comparing across contexts)."""
    counts: dict[str, int] = {}
    for tokens in sentences:
        for token in tokens:
            if any(ch.isalpha() for ch in token):
                counts[token.lower()] = counts.get(token.lower(), 0) + 1
    return [word for word, count in counts.items() if count >= min_count]


#: Frequent function words: a repeated "to" or "the" is not the word a reader wants to compare.
FUNCTION_WORDS = frozenset("""a an the to of in on at by for with from into onto and or but nor as if than
    is are was were be been being am it its he she they we i you him her them us me his their our my your this
    that these those there here not no so do does did has have had will would can could shall should may might
    must 's 't""".split())


def focus_word(sentences: Sequence[Sequence[str]], wanted: str = "") -> str | None:
    """The repeated word to compare by default (lower-cased): ``wanted`` when it repeats, else
    the repeated word outside :data:`FUNCTION_WORDS` found in the most sentences (the first to
    appear among equals), else the first repeated word; ``None`` when no word repeats.

    >>> focus_word([["He", "went", "to", "the", "bank", "to", "pay"], ["The", "bank", "closed"]])
    'bank'
    """
    words = repeated_words(sentences)
    if not words:
        return None
    key = wanted.strip().lower()
    if key in words:
        return key
    content = [w for w in words if w not in FUNCTION_WORDS]
    if not content:
        return words[0]
    spread = {w: sum(any(t.lower() == w for t in tokens) for tokens in sentences) for w in content}
    return max(content, key=lambda w: spread[w])  # max keeps the first of equal words


def flatten_positions(sentences: Sequence[Sequence[str]]) -> list[Position]:
    """All ``(sentence, token)`` positions in reading order (the rows of a token x token matrix)."""
    return [(s, t) for s, tokens in enumerate(sentences) for t in range(len(tokens))]


def sentence_starts(sentences: Sequence[Sequence[str]]) -> list[int]:
    """Flat index at which each sentence after the first starts (where boundaries are drawn)."""
    starts, total = [], 0
    for tokens in sentences[:-1]:
        total += len(tokens)
        starts.append(total)
    return starts


def gather_vectors(vectors: Sequence[np.ndarray], positions: Sequence[Position]) -> np.ndarray:
    """Stack the vectors at ``positions``: list of (L, n_tokens_i, D) -> (L, len(positions), D)."""
    if not positions:
        if not vectors:
            raise ValueError("no vectors and no positions: nothing to gather")
        layers, _, dim = vectors[0].shape
        return np.zeros((layers, 0, dim), dtype=np.float32)
    return np.stack([vectors[s][:, t] for s, t in positions], axis=1)


def concat_tokens(vectors: Sequence[np.ndarray]) -> np.ndarray:
    """All tokens of all sentences side by side: list of (L, n_i, D) -> (L, sum n_i, D)."""
    if not vectors:
        raise ValueError("no vectors to concatenate")
    return np.concatenate(list(vectors), axis=1)
