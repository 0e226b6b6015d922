"""
GCIDE, the Collaborative International Dictionary of English (Debian package ``dict-gcide``).

Webster's Revised Unabridged Dictionary (1913) with later additions, in the dictd format:
``usr/share/dictd/gcide.dict.dz`` (dictzip, readable as gzip) plus ``gcide.index``, whose lines
are ``headword<TAB>offset<TAB>length`` with numbers in dictd's base64. An entry looks like::

    Arrive \\Ar*rive"\\, v. t. [imp. & p. p. {Arrived}; ...]
       1. To reach; to come to. [Archaic]
          [1913 Webster]

             Ere he arrive the happy isle.         --Milton.
          [1913 Webster]

Definitions and quotations are kept as prose; headword lines (pronunciation, part of speech),
every ``[...]`` span (``[1913 Webster]`` source tags, etymologies, ``[Obs.]`` labels), quotation
authors (``--Milton.``), sense numbers, field labels (``(Zool.)``), inflection notes
(``imp. & p. p. of Read``), ``Syn:`` lists and ``{braces}`` of cross references are
removed. The database header and its licence text (index entries ``00-*``) are skipped.
"""
from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Iterator

from elmo_core.corpus.readers._text import looks_like_prose, paragraphs
from elmo_core.packages import apt_path

NAME = "gcide"
LICENCE = "GPL-2.0-or-later (GCIDE 0.48)"
REBUILD_HINT = "apt-get download dict-gcide && dpkg -x dict-gcide_*.deb ."

_PACKAGE = "dict-gcide"
_DICT = "usr/share/dictd/gcide.dict.dz"
_INDEX = "usr/share/dictd/gcide.index"
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

_BRACKETS = re.compile(r"\[[^\[\]]*\]")
_HEADER_LINE = re.compile(r"^\S.*$", re.MULTILINE)
_AUTHOR = re.compile(r"--+\s*(?=[A-Z])[^\n]*")
_SENSE = re.compile(r"^\s*(?:\d+\.|\([a-z]\)|\(\d+\))\s+")
_BRACES = re.compile(r"\{([^{}]*)\}")
_DOMAIN = re.compile(r"^\((?:[A-Z][A-Za-z]*\.?[\s,&]*)+\)\s*")  # (Bot.) (Zool. & Bot.)
_INNER_DOMAIN = re.compile(r"\s\((?:[A-Z][a-z]{1,9}\.[\s,&]*)+\)")  # "Spider hunter (Zool.), ..."
_FORM_NOTE = re.compile(r"^(?:imp\.|p\. ?p\.|p\. pr\.|pl\.|pref\.|superl\.|compar\.|3d pers\.|& )")
_SYN = re.compile(r"^\s*(?:Syn|Ant)\s*:", re.IGNORECASE)


def decode_number(text: str) -> int:
    """Decode a dictd base64 number (``"5I"`` -> 392)."""
    value = 0
    for ch in text:
        value = value * 64 + _B64.index(ch)
    return value


def clean_entry(entry: str) -> list[str]:
    """Prose paragraphs (definitions, notes, quotations) of one dictd GCIDE entry."""
    previous = None
    while previous != entry:  # innermost brackets first, so nested ones go too
        previous, entry = entry, _BRACKETS.sub(" ", entry)
    entry = _HEADER_LINE.sub("", entry)  # headword lines start at column 0
    entry = _AUTHOR.sub("", entry)
    result = []
    for paragraph in paragraphs(entry):
        if _SYN.match(paragraph):
            continue
        paragraph = _INNER_DOMAIN.sub("", _DOMAIN.sub("", _SENSE.sub("", paragraph)))
        if _FORM_NOTE.match(paragraph):  # "imp. & p. p. of Read": inflection notes, not prose
            continue
        paragraph = _BRACES.sub(r"\1", paragraph).replace("\\", "")
        if paragraph.startswith("Note:"):
            paragraph = paragraph[5:].strip()
        if looks_like_prose(paragraph):
            result.append(paragraph)
    return result


def _entry_spans(index_path: Path) -> list[tuple[int, int]]:
    spans = set()
    with open(index_path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or parts[0].startswith("00-"):  # database header and licence
                continue
            spans.add((decode_number(parts[1]), decode_number(parts[2])))
    return sorted(spans)


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield the prose paragraphs of every GCIDE entry, in dictionary order."""
    spans = _entry_spans(apt_path(_PACKAGE, _INDEX))
    with gzip.open(apt_path(_PACKAGE, _DICT), "rb") as handle:
        data = handle.read()
    for offset, length in spans:
        entry = data[offset:offset + length].decode("utf-8", errors="replace")
        yield from clean_entry(entry)
