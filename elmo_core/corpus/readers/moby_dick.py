"""
Herman Melville's *Moby Dick* (Debian package ``r-cran-tokenizers``, object ``mobydick``).

The R package ships the Project Gutenberg text as one string in its lazy-load database
``usr/lib/R/site-library/tokenizers/data/Rdata.{rdx,rdb}``. The Gutenberg header and licence
(before ``*** START OF`` and after ``*** END OF`` / ``End of Project Gutenberg``) are dropped,
and paragraphs that are headings or tables are skipped.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from elmo_core.corpus.readers._rdata import read_lazyload_object
from elmo_core.corpus.readers._text import looks_like_prose, paragraphs
from elmo_core.packages import apt_path

NAME = "moby_dick"
LICENCE = "Public domain (Project Gutenberg text; tokenizers is MIT)"
REBUILD_HINT = "apt-get download r-cran-tokenizers && dpkg -x r-cran-tokenizers_*.deb . && pip install rdata"

_PACKAGE = "r-cran-tokenizers"
_DATA = "usr/lib/R/site-library/tokenizers/data"
_START = re.compile(r"^\*\*\* ?START OF TH.*$", re.MULTILINE | re.IGNORECASE)
_END = re.compile(r"^(?:\*\*\* ?END OF TH|End of (?:the )?Project Gutenberg).*$", re.MULTILINE | re.IGNORECASE)


def strip_gutenberg(text: str) -> str:
    """The body of a Project Gutenberg e-book, without its header and licence."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    start = _START.search(text)
    if start:
        text = text[start.end():]
    end = _END.search(text)
    if end:
        text = text[:end.start()]
    return text


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield the paragraphs of *Moby Dick*."""
    value = read_lazyload_object(apt_path(_PACKAGE, _DATA), "mobydick")
    text = "\n".join(str(part) for part in value)
    for paragraph in paragraphs(strip_gutenberg(text)):
        if looks_like_prose(paragraph):
            yield paragraph
