"""
The Jargon File 4.4.7, hacker slang and folklore (Debian package ``jargon-text``).

The plain-text edition ``/usr/share/doc/jargon-text/jargon.txt.gz`` has one entry per
``:headword: pos.`` line followed by paragraphs of definition. Headword lines, the table of
contents and headings are dropped; cross references ``{word}`` keep their word, sense numbers
and leading ``[etymology]`` brackets are removed.
"""
from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Iterator

from elmo_core.corpus.readers._text import looks_like_prose, paragraphs
from elmo_core.packages import apt_path

NAME = "jargon"
LICENCE = "Public domain (The Jargon File, Eric S. Raymond)"
REBUILD_HINT = "apt-get install jargon-text"

_PACKAGE = "jargon-text"
_FILE = "usr/share/doc/jargon-text/jargon.txt.gz"
_HEADWORD = re.compile(r"^:[^:]+:")
_LEADING_BRACKET = re.compile(r"^\[[^\]]*\]\s*")
_SENSE = re.compile(r"^\d+\.\s+")
_XREF = re.compile(r"\{([^{}]*)\}")


def clean_paragraph(paragraph: str) -> str | None:
    """Prose of one Jargon File paragraph, or ``None`` for a headword line or a heading."""
    if _HEADWORD.match(paragraph):
        return None
    paragraph = _SENSE.sub("", _LEADING_BRACKET.sub("", paragraph))
    paragraph = _XREF.sub(r"\1", paragraph)
    return paragraph if looks_like_prose(paragraph) else None


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield the prose paragraphs of the Jargon File."""
    path = apt_path(_PACKAGE, _FILE)
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    for paragraph in paragraphs(text):
        cleaned = clean_paragraph(paragraph)
        if cleaned:
            yield cleaned
