"""
The World English Bible with Deuterocanon, a public-domain modern translation (Debian package
``sword-text-web``).

The SWORD ``zText`` module keeps each testament in three files under
``usr/share/sword/modules/texts/ztext/engWEB2015eb/``: ``.bzs`` has one 12-byte record per
compressed block (offset, compressed size, size; little-endian u32), ``.bzz`` the zlib blocks,
and ``.bzv`` the verse index (10-byte records: block, offset, size). Blocks hold one book each,
as OSIS XML; decompressed in order they are the whole text, so the verse index is not needed.

``<note>`` (footnotes) and ``<title>`` (headings) elements are dropped with their content,
every other tag is removed, and OSIS paragraph and chapter marks become paragraph breaks.
"""
from __future__ import annotations

import html
import re
import struct
import zlib
from pathlib import Path
from typing import Iterator

from elmo_core.corpus.readers._text import paragraphs
from elmo_core.packages import apt_path

NAME = "bible"
LICENCE = "Public domain (World English Bible)"
REBUILD_HINT = "apt-get download sword-text-web && dpkg -x sword-text-web_*.deb ."

_PACKAGE = "sword-text-web"
_DIR = "usr/share/sword/modules/texts/ztext/engWEB2015eb"
_DROPPED = re.compile(r"<(note|title)\b[^>]*?(?<!/)>.*?</\1>", re.DOTALL)
_BREAK = re.compile(r'<(?:div\b[^>]*\bsID="[^"]*"[^>]*type="x-p"|chapter\b|lb\b|l\b)[^>]*/?>')
_TAG = re.compile(r"<[^>]*>")


def osis_to_text(osis: str) -> str:
    """Plain text of an OSIS fragment: notes and titles dropped, paragraphs as blank lines."""
    text = _DROPPED.sub(" ", osis)
    text = _BREAK.sub("\n\n", text)
    return html.unescape(_TAG.sub("", text))


def read_blocks(directory: Path, testament: str) -> Iterator[str]:
    """Decompressed OSIS blocks of ``ot`` or ``nt``, in file order."""
    index = (directory / f"{testament}.bzs").read_bytes()
    data = (directory / f"{testament}.bzz").read_bytes()
    for start in range(0, len(index) - 11, 12):
        offset, compressed, _size = struct.unpack_from("<III", index, start)
        if compressed:
            yield zlib.decompress(data[offset:offset + compressed]).decode("utf-8", errors="replace")


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield the paragraphs of the Old Testament, Deuterocanon and New Testament."""
    directory = apt_path(_PACKAGE, _DIR)
    for testament in ("ot", "nt"):
        for block in read_blocks(directory, testament):
            yield from paragraphs(osis_to_text(block))
