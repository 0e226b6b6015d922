"""
Quotations, jokes and aphorisms of the ``fortune`` program (Debian package ``fortunes``).

Each file in ``/usr/share/games/fortunes/`` (not the ``.dat`` indexes nor the ``.u8`` links)
holds items separated by lines containing just ``%``. One item is one document. Attribution
lines (``-- Mark Twain``), terminal overstriking (``_\\bx``) and items that are mostly not
letters (ASCII art, tables) are dropped.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from elmo_core.corpus.readers._text import looks_like_prose
from elmo_core.packages import apt_path

NAME = "fortunes"
LICENCE = "BSD-4-Clause / public domain collections (Debian fortunes-mod)"
REBUILD_HINT = "apt-get install fortunes"

_PACKAGE = "fortunes"
_DIR = "usr/share/games/fortunes"
_SKIP = {"ascii-art"}
_SEPARATOR = re.compile(r"^%\s*$", re.MULTILINE)
_ATTRIBUTION = re.compile(r"^\s*--\s.*$", re.MULTILINE)
_OVERSTRIKE = re.compile(r".\x08")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def split_items(text: str) -> list[str]:
    """Split a fortune file into cleaned items (attributions removed, white space kept)."""
    items = []
    for item in _SEPARATOR.split(_OVERSTRIKE.sub("", text)):
        item = _ATTRIBUTION.sub("", item).strip()
        if item and looks_like_prose(" ".join(item.split()), min_letter_ratio=0.7):
            items.append(item)
    return items


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield each fortune as one document, files in name order."""
    directory = apt_path(_PACKAGE, _DIR)
    for path in sorted(directory.iterdir()):
        if path.suffix in (".dat", ".u8") or path.name in _SKIP or path.is_symlink() or not path.is_file():
            continue
        yield from split_items(_decode(path.read_bytes()))
