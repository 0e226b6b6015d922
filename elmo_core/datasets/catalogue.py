"""
The catalogue of sentiment sources: every name the sentiment task accepts, with its loader and,
where they are fixed, the names of its integer labels. :func:`load_sentiment_dataset` looks a
name up here; :data:`SENTIMENT_SOURCES` and :func:`label_names` are read off the same table, so
adding a source is one entry.

``rt`` (default, works offline)
    VADER's rated movie-review snippets (:mod:`~elmo_core.datasets.vader`), 10,070 examples.
``vader-tweets`` / ``vader-amazon`` / ``vader-nyt``
    VADER's other rated sets (:mod:`~elmo_core.datasets.vader`).
``vader-negated-lexicon``
    Rated words alone and negated (:mod:`~elmo_core.datasets.vader_lexicon`); training only.
``sst2`` / ``sst5``
    The Stanford Sentiment Treebank from the hub or a local directory
    (:mod:`~elmo_core.datasets.sst`).
``csv``
    A user's CSV file with columns ``text,label`` and optionally ``split``
    (:mod:`~elmo_core.datasets.user_csv`).
``imdb`` / ``imdb-sentences``
    IMDB reviews, or their sentences (:mod:`~elmo_core.datasets.imdb`).
``negation``
    The project's negation set, dev and test only (:mod:`~elmo_core.datasets.negation`).
``rt-contrast`` / ``negation-frames``
    Training sets made here: "a , but b" pairs of ``rt`` snippets
    (:mod:`~elmo_core.datasets.contrast`), templated negations of rated adjectives
    (:mod:`~elmo_core.datasets.negation_frames`).

Unless a source fixes them, splits are assigned 80/10/10 by
:func:`~elmo_core.datasets.splits.stable_split` of the normalised text, so an example keeps its
split across runs, machines and Python versions, and identical texts always land in the same split.

>>> load_sentiment_dataset("rt").counts()["dev"]      # doctest: +SKIP
{1: 508, 0: 507}
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import IO, Callable

from .contrast import load_contrast_pairs
from .imdb import load_imdb
from .negation import load_negation
from .negation_frames import load_negation_frames
from .sst import SST5_LABELS, load_sst
from .types import BINARY_LABELS, LabeledText, PathLike, SentimentDataset
from .user_csv import load_csv
from .vader import VADER_DOMAINS, load_rt, load_vader_domain
from .vader_lexicon import load_negated_lexicon

__all__ = ["SentimentSource", "CATALOGUE", "SENTIMENT_SOURCES", "load_sentiment_dataset",
           "load_sentiment", "label_names"]

PathOrUpload = PathLike | bytes | IO[bytes] | None


@dataclass(frozen=True)
class SentimentSource:
    """One entry of the catalogue.

    ``load`` is called with the keyword arguments named in ``options`` (``path``,
    ``max_reviews``) and no others. ``label_names`` is ``None`` where the labels come from the
    data (a user's CSV file).
    """

    load: Callable[..., SentimentDataset]
    label_names: tuple[str, ...] | None
    options: tuple[str, ...] = ()


CATALOGUE: dict[str, SentimentSource] = {
    "rt": SentimentSource(load_rt, BINARY_LABELS, ("path",)),
    "sst2": SentimentSource(partial(load_sst, "sst2"), BINARY_LABELS, ("path",)),
    "sst5": SentimentSource(partial(load_sst, "sst5"), SST5_LABELS, ("path",)),
    "csv": SentimentSource(load_csv, None, ("path",)),
    **{name: SentimentSource(partial(load_vader_domain, name), BINARY_LABELS) for name in VADER_DOMAINS},
    "vader-negated-lexicon": SentimentSource(load_negated_lexicon, BINARY_LABELS),
    "imdb": SentimentSource(partial(load_imdb, "documents"), BINARY_LABELS, ("max_reviews",)),
    "imdb-sentences": SentimentSource(partial(load_imdb, "sentences"), BINARY_LABELS, ("max_reviews",)),
    "negation": SentimentSource(load_negation, BINARY_LABELS),
    "rt-contrast": SentimentSource(load_contrast_pairs, BINARY_LABELS),
    "negation-frames": SentimentSource(load_negation_frames, BINARY_LABELS),
}
SENTIMENT_SOURCES = tuple(CATALOGUE)


def _entry(name: str) -> tuple[str, SentimentSource]:
    key = name.strip().lower()
    if key not in CATALOGUE:
        raise ValueError(f"unknown sentiment source {name!r}; choose one of {SENTIMENT_SOURCES}")
    return key, CATALOGUE[key]


def load_sentiment_dataset(name: str = "rt", *, path: PathOrUpload = None, max_reviews: int = 0) -> SentimentDataset:
    """Load a sentiment source with its label names (see the module docstring for sources).

    ``path``: for ``rt`` an alternative vaderSentiment sdist / ``hutto_ICWSM_2014.tar.gz`` /
    ground-truth TSV; for ``sst2``/``sst5`` a local directory of train/validation/test files
    (parquet, csv, tsv, jsonl) with ``sentence`` or ``text`` and ``label`` columns, so
    ``datasets`` and the network are not needed; for ``csv`` the file itself (a path, its bytes,
    or a binary file object such as an upload). Other sources take no ``path``.
    ``max_reviews``: reviews kept per split by the ``imdb`` sources (0 = all); ignored by the rest.

    Raises :class:`~elmo_core.packages.SourceUnavailable` when a download is impossible and
    ``ValueError`` for an unknown source, a ``path`` the source cannot take, or a malformed file.
    """
    key, source = _entry(name)
    if path is not None and "path" not in source.options:
        raise ValueError(f"the sentiment source {key!r} takes no path=; only "
                         f"{', '.join(n for n, s in CATALOGUE.items() if 'path' in s.options)} do")
    given = {"path": path, "max_reviews": max_reviews}
    return source.load(**{option: given[option] for option in source.options})


def load_sentiment(name: str = "rt", *, path: PathOrUpload = None) -> list[LabeledText]:
    """The examples of a sentiment source as a list of :class:`LabeledText`.

    ``load_sentiment()`` gives the offline ``rt`` task (10,070 binary examples). See
    :func:`load_sentiment_dataset` for ``path`` and the errors raised, and :func:`label_names`
    for what the integer labels mean.
    """
    return load_sentiment_dataset(name, path=path).examples


def label_names(name: str = "rt", path: PathOrUpload = None) -> tuple[str, ...]:
    """Names of the integer labels of a source: ``label_names(...)[i]`` names label ``i``.

    Read off the catalogue where they are fixed; for ``csv`` the distinct labels of the file in
    sorted order (numeric order when they are all numbers), which is how they were mapped to
    0, 1, 2...
    """
    key, source = _entry(name)
    if source.label_names is not None:
        return source.label_names
    return load_sentiment_dataset(key, path=path).label_names
