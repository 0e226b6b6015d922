"""
The human-rated sets of the VADER paper (Hutto & Gilbert, ICWSM 2014), read from the
``vaderSentiment==3.3.2`` source distribution on PyPI (MIT), where they sit in the inner archive
``hutto_ICWSM_2014.tar.gz``. Each line is ``id <TAB> mean rating <TAB> text`` (20 raters, -4..4):

    name           file                                          rated texts
    rt             movieReviewSnippets_GroundTruth.txt           10,605 movie-review snippets
    vader-tweets   tweets_GroundTruth.txt                         4,200 tweets
    vader-amazon   amazonReviewSnippets_GroundTruth.txt           3,708 product-review sentences
    vader-nyt      nytEditorialSnippets_GroundTruth.txt           5,190 editorial sentences

The ``rt`` snippets come from Rotten Tomatoes, the source of SST. A mean rating >= 0.5 is
positive (1), <= -0.5 negative (0); the texts in between are dropped, and repeated texts are kept
once. Splits come from :func:`~elmo_core.datasets.splits.stable_split` of the normalised text
(:func:`~elmo_core.datasets.normalize.normalize_text`), about 80/10/10. Measured for ``rt``:
10,605 snippets -> 10,070 examples (4,995 positive / 5,075 negative)::

    split   examples  positive  negative
    train      7,988     3,951     4,037
    dev        1,015       508       507
    test       1,067       536       531

:func:`sentiment_texts_for_exclusion` gives every ``rt`` snippet, normalised, for the corpus
builder to keep out of pretraining text.

>>> load_vader_domain("vader-tweets").counts()["test"]     # doctest: +SKIP
{0: 90, 1: 232}
"""
from __future__ import annotations

import io
import logging
import tarfile
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ..packages import SourceUnavailable, pip_sdist
from .normalize import normalize_text
from .splits import stable_split
from .types import BINARY_LABELS, LabeledText, PathLike, SentimentDataset

__all__ = ["VADER_SDIST", "VADER_DOMAINS", "load_rt", "load_vader_domain", "movie_rows", "polar_dataset",
           "read_vader_rows", "vader_member_bytes", "sentiment_texts_for_exclusion"]

log = logging.getLogger(__name__)

VADER_SDIST = ("vaderSentiment", "3.3.2")
_INNER = "hutto_ICWSM_2014.tar.gz"
_MOVIES = "movieReviewSnippets_GroundTruth.txt"
VADER_DOMAINS = {
    "vader-tweets": "tweets_GroundTruth.txt",
    "vader-amazon": "amazonReviewSnippets_GroundTruth.txt",
    "vader-nyt": "nytEditorialSnippets_GroundTruth.txt",
}
POSITIVE_MIN = 0.5
NEGATIVE_MAX = -0.5


def _find_member(tar: tarfile.TarFile, basename: str) -> tarfile.TarInfo | None:
    for member in tar.getmembers():
        if member.isfile() and member.name.rsplit("/", 1)[-1] == basename:
            return member
    return None


def vader_member_bytes(source: Path, basename: str = _MOVIES) -> bytes:
    """Raw bytes of one file of the VADER paper's data (default: the movie snippets) from the
    sdist, the inner ``hutto_ICWSM_2014.tar.gz`` archive, or the file itself (a ``.txt``)."""
    if source.suffix == ".txt":
        return source.read_bytes()
    try:
        with tarfile.open(source, "r:*") as outer:
            direct = _find_member(outer, basename)
            if direct is not None:
                return outer.extractfile(direct).read()
            inner_info = _find_member(outer, _INNER)
            if inner_info is None:
                raise SourceUnavailable(f"{source} contains neither {_INNER} nor {basename}")
            inner_bytes = outer.extractfile(inner_info).read()
        with tarfile.open(fileobj=io.BytesIO(inner_bytes), mode="r:*") as inner:
            member = _find_member(inner, basename)
            if member is None:
                raise SourceUnavailable(f"{source}: {_INNER} has no {basename}")
            return inner.extractfile(member).read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise SourceUnavailable(
            f"could not read {source} ({exc}); if it is a damaged download, delete it and "
            f"run again to fetch it anew"
        ) from exc


def read_vader_rows(path: Path, basename: str) -> tuple[tuple[str, float], ...]:
    """``(text, mean rating)`` of every line of one VADER ground-truth TSV (id, rating, text)."""
    raw = vader_member_bytes(path, basename)
    rows = []
    for lineno, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError(f"{path}: line {lineno} does not have 3 tab-separated fields")
        _, score, text = parts
        rows.append((text.strip(), float(score)))
    return tuple(rows)


@lru_cache(maxsize=1)
def _packaged_movie_rows() -> tuple[tuple[str, float], ...]:
    """The movie snippets from the (cached) vaderSentiment sdist, read once per process."""
    return read_vader_rows(pip_sdist(*VADER_SDIST), _MOVIES)


def movie_rows(source: PathLike | None = None) -> tuple[tuple[str, float], ...]:
    """``(text, mean rating)`` of every snippet of the movie set, in file order.

    ``source=None`` reads the packaged sdist; otherwise a user-given file (never cached, so an
    edited file is read afresh).
    """
    if source is None:
        return _packaged_movie_rows()
    return read_vader_rows(Path(source), _MOVIES)


def polar_dataset(name: str, rows: Iterable[tuple[str, float]]) -> SentimentDataset:
    """Binary examples from ``(text, mean rating)`` rows: >= 0.5 positive, <= -0.5 negative, the
    rest dropped; repeated texts kept once; splits by ``stable_split`` of the normalised text."""
    seen: set[str] = set()
    examples = []
    for text, score in rows:
        if score >= POSITIVE_MIN:
            label = 1
        elif score <= NEGATIVE_MAX:
            label = 0
        else:
            continue
        key = normalize_text(text)
        if not key or key in seen:
            continue
        seen.add(key)
        examples.append(LabeledText(text, label, stable_split(key)))
    return SentimentDataset(name, examples, BINARY_LABELS)


def load_rt(path: PathLike | None = None) -> SentimentDataset:
    """The ``rt`` movie snippets (10,070 binary examples). ``path`` may name another copy of the
    sdist, of ``hutto_ICWSM_2014.tar.gz`` or of the ground-truth TSV itself."""
    return polar_dataset("rt", movie_rows(path))


@lru_cache(maxsize=len(VADER_DOMAINS))
def load_vader_domain(name: str) -> SentimentDataset:
    """One of :data:`VADER_DOMAINS` as a binary :class:`SentimentDataset`. Raises
    :class:`~elmo_core.packages.SourceUnavailable` when the sdist cannot be had."""
    if name not in VADER_DOMAINS:
        raise ValueError(f"unknown VADER set {name!r}; choose one of {sorted(VADER_DOMAINS)}")
    return polar_dataset(name, read_vader_rows(pip_sdist(*VADER_SDIST), VADER_DOMAINS[name]))


def sentiment_texts_for_exclusion() -> set[str]:
    """Normalised texts (:func:`normalize_text`) of every snippet in the VADER movie set.

    All 10,605 snippets (10,603 distinct texts), whatever their split and including the neutral
    ones that ``rt`` drops, so that the pretraining corpus builder can leave every evaluation
    sentence out. Compare with ``normalize_text(candidate) in excluded``. Returns an empty set,
    with a logged warning, when the source distribution cannot be fetched or read.
    """
    try:
        rows = movie_rows()
    except (SourceUnavailable, OSError, ValueError) as exc:
        log.warning("sentiment evaluation texts unavailable, nothing will be excluded: %s", exc)
        return set()
    return {normalize_text(text) for text, _ in rows if text.strip()}
