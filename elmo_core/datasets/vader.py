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
"""
from __future__ import annotations

from functools import lru_cache

from ..sentiment_data import SentimentDataset, VADER_SDIST, polar_dataset, read_vader_rows
from ..sources import pip_sdist

__all__ = ["VADER_DOMAINS", "load_vader_domain"]

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
