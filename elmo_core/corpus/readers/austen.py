"""
Jane Austen's six completed novels (Debian package ``r-cran-janeaustenr``).

The R package keeps each novel as a character vector of text lines in its lazy-load database
``usr/lib/R/site-library/janeaustenr/data/Rdata.{rdx,rdb}`` (read with
:mod:`elmo_core.corpus.readers._rdata`). Lines are joined into paragraphs at blank lines;
titles, ``CHAPTER`` headings and the ``_underscores_`` marking italics are removed.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from elmo_core.corpus.readers._rdata import read_lazyload_object
from elmo_core.corpus.readers._text import looks_like_prose, paragraphs
from elmo_core.packages import apt_path

NAME = "austen"
LICENCE = "Public domain (Project Gutenberg texts; janeaustenr is MIT)"
REBUILD_HINT = "apt-get download r-cran-janeaustenr && dpkg -x r-cran-janeaustenr_*.deb . && pip install rdata"

_PACKAGE = "r-cran-janeaustenr"
_DATA = "usr/lib/R/site-library/janeaustenr/data"
NOVELS = ["sensesensibility", "prideprejudice", "mansfieldpark", "emma", "northangerabbey", "persuasion"]
_ITALICS = re.compile(r"(?<!\w)_([^_]+)_(?!\w)")


def lines_to_paragraphs(lines: list[str]) -> Iterator[str]:
    """Prose paragraphs of a novel given as text lines (blank lines between paragraphs)."""
    for paragraph in paragraphs("\n".join(lines)):
        paragraph = _ITALICS.sub(r"\1", paragraph)
        if looks_like_prose(paragraph):
            yield paragraph


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield the paragraphs of the six novels, in order of publication."""
    data_dir = apt_path(_PACKAGE, _DATA)
    for novel in NOVELS:
        lines = [str(line) for line in read_lazyload_object(data_dir, novel)]
        yield from lines_to_paragraphs(lines)
