"""
VADER's human-rated word list (``vader_lexicon.txt`` of the ``vaderSentiment==3.3.2`` sdist:
7,500 words and emoticons, mean valence -4..4), and training phrases made from it that show what
a negation does to a polar word: "brilliant" positive, "not brilliant" negative, "never boring"
positive (:func:`load_negated_lexicon`).
"""
from __future__ import annotations

from functools import lru_cache

from ..packages import pip_sdist
from .glove import load_glove
from .types import BINARY_LABELS, LabeledText, SentimentDataset
from .vader import VADER_SDIST, vader_member_bytes

__all__ = ["rated_words", "load_negated_lexicon", "NEGATORS", "LEXICON_MIN_VALENCE", "LEXICON_MAX_RANK"]

_LEXICON = "vader_lexicon.txt"
NEGATORS = ("not", "never", "not at all", "hardly")
LEXICON_MIN_VALENCE = 2.0
LEXICON_MAX_RANK = 50_000  # common English words only (GloVe frequency rank): no slang abbreviations


@lru_cache(maxsize=1)
def rated_words() -> tuple[tuple[str, float], ...]:
    """``(word, mean valence)`` of every lower-case alphabetic entry of the lexicon, in file order."""
    rows = []
    for line in vader_member_bytes(pip_sdist(*VADER_SDIST), _LEXICON).decode("utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].isalpha() and parts[0].islower():
            rows.append((parts[0], float(parts[1])))
    return tuple(rows)


@lru_cache(maxsize=1)
def load_negated_lexicon() -> SentimentDataset:
    """Short phrases from the lexicon: every word of 3 or more letters with a mean valence of at
    least :data:`LEXICON_MIN_VALENCE` in size among GloVe's :data:`LEXICON_MAX_RANK` most frequent
    words, alone (its own polarity) and after each of :data:`NEGATORS` (the opposite polarity).
    Training data only: every phrase is in the ``train`` split."""
    common = load_glove().index  # GloVe's rows are in frequency order
    examples = []
    for word, valence in rated_words():
        if len(word) < 3 or abs(valence) < LEXICON_MIN_VALENCE or common.get(word, LEXICON_MAX_RANK) >= LEXICON_MAX_RANK:
            continue
        polarity = int(valence > 0)
        examples.append(LabeledText(word, polarity, "train"))
        for negator in NEGATORS:
            phrase = f"{negator} {word}" if negator != "not at all" else f"not {word} at all"
            examples.append(LabeledText(phrase, 1 - polarity, "train"))
    return SentimentDataset("vader-negated-lexicon", examples, BINARY_LABELS)
