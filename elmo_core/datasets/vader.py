"""
The three other human-rated sets of the VADER paper (Hutto & Gilbert, ICWSM 2014), read from
the same ``vaderSentiment==3.3.2`` source distribution as the ``rt`` movie snippets:

    name           file in hutto_ICWSM_2014.tar.gz              rated texts
    vader-tweets   tweets_GroundTruth.txt                        4,200 tweets
    vader-amazon   amazonReviewSnippets_GroundTruth.txt          3,708 product-review sentences
    vader-nyt      nytEditorialSnippets_GroundTruth.txt          5,190 editorial sentences

Each line is ``id <TAB> mean rating <TAB> text`` (20 raters, -4..4). As for ``rt``, a mean
>= 0.5 is positive, <= -0.5 negative, the rest is dropped, and splits come from a hash of the
normalised text (:func:`elmo_core.sentiment_data.stable_split`).

>>> load_vader_domain("vader-tweets").counts()["test"]     # doctest: +SKIP
{0: 90, 1: 232}

:func:`load_negated_lexicon` turns the paper's rated word list into training phrases that show
what a negation does ("not brilliant" negative, "never boring" positive).
"""
from __future__ import annotations

from functools import lru_cache

from ..sentiment_data import SentimentDataset, VADER_SDIST, polar_dataset, read_vader_rows
from ..sources import pip_sdist

__all__ = ["VADER_DOMAINS", "load_vader_domain", "load_negated_lexicon", "NEGATORS"]

VADER_DOMAINS = {
    "vader-tweets": "tweets_GroundTruth.txt",
    "vader-amazon": "amazonReviewSnippets_GroundTruth.txt",
    "vader-nyt": "nytEditorialSnippets_GroundTruth.txt",
}


@lru_cache(maxsize=len(VADER_DOMAINS))
def load_vader_domain(name: str) -> SentimentDataset:
    """One of :data:`VADER_DOMAINS` as a binary :class:`SentimentDataset`. Raises
    :class:`~elmo_core.sources.SourceUnavailable` when the sdist cannot be had."""
    if name not in VADER_DOMAINS:
        raise ValueError(f"unknown VADER set {name!r}; choose one of {sorted(VADER_DOMAINS)}")
    return polar_dataset(name, read_vader_rows(pip_sdist(*VADER_SDIST), VADER_DOMAINS[name]))


# ---------------------------------------------------------------------------------------------
# Negated lexicon phrases: labelled data that shows what a negation does to a polar word

_LEXICON = "vader_lexicon.txt"
NEGATORS = ("not", "never", "not at all", "hardly")
LEXICON_MIN_VALENCE = 2.0
LEXICON_MAX_RANK = 50_000  # common English words only (GloVe frequency rank): no slang abbreviations


def _lexicon_words(path) -> list[tuple[str, float]]:
    from ..sentiment_data import vader_member_bytes

    rows = []
    for line in vader_member_bytes(path, _LEXICON).decode("utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].isalpha() and parts[0].islower():
            rows.append((parts[0], float(parts[1])))
    return rows


@lru_cache(maxsize=1)
def load_negated_lexicon() -> SentimentDataset:
    """Short phrases from VADER's human-rated lexicon (7,500 words and emoticons, valence -4..4):
    every alphabetic word of 3 or more letters with a mean valence of at least :data:`LEXICON_MIN_VALENCE` in size
    among GloVe's :data:`LEXICON_MAX_RANK` most frequent words, alone (its own polarity) and after each of :data:`NEGATORS` (the opposite polarity), e.g.
    "brilliant" positive, "not brilliant" negative, "never boring" positive. Training data only:
    every phrase is in the ``train`` split."""
    from ..sentiment_data import BINARY_LABELS, LabeledText

    from .glove import load_glove

    common = load_glove().index  # GloVe's rows are in frequency order
    examples = []
    for word, valence in _lexicon_words(pip_sdist(*VADER_SDIST)):
        if len(word) < 3 or abs(valence) < LEXICON_MIN_VALENCE or common.get(word, LEXICON_MAX_RANK) >= LEXICON_MAX_RANK:
            continue
        polarity = int(valence > 0)
        examples.append(LabeledText(word, polarity, "train"))
        for negator in NEGATORS:
            phrase = f"{negator} {word}" if negator != "not at all" else f"not {word} at all"
            examples.append(LabeledText(phrase, 1 - polarity, "train"))
    return SentimentDataset("vader-negated-lexicon", examples, BINARY_LABELS)
