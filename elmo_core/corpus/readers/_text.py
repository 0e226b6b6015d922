"""
Small text-cleaning helpers shared by the source readers.

Every reader yields *paragraphs of prose*: markup removed, white space collapsed. These helpers
do the parts that several readers need: splitting text at blank lines, and telling a heading or
a table-of-contents line from a sentence.
"""
from __future__ import annotations

import re
from typing import Iterator

__all__ = ["paragraphs", "looks_like_prose", "collapse"]

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LETTER = re.compile(r"[^\W\d_]")


def collapse(text: str) -> str:
    """Collapse every run of white space (newlines included) into one space."""
    return " ".join(text.split())


def paragraphs(text: str) -> Iterator[str]:
    """Yield the blank-line separated blocks of ``text``, each with white space collapsed."""
    for block in _BLANK_LINE.split(text):
        block = collapse(block)
        if block:
            yield block


def looks_like_prose(paragraph: str, min_words: int = 3, min_letter_ratio: float = 0.6) -> bool:
    """True for a paragraph that reads as sentences rather than a heading, a table or ASCII art.

    It must have ``min_words`` words, mostly letters among its non-space characters, and either
    end like a sentence or be long enough (12+ words) not to be a title.
    """
    words = paragraph.split()
    if len(words) < min_words:
        return False
    chars = [ch for ch in paragraph if not ch.isspace()]
    if not chars or sum(1 for ch in chars if _LETTER.match(ch)) / len(chars) < min_letter_ratio:
        return False
    return paragraph.rstrip("\"')]”’").endswith((".", "!", "?", ":", ";")) or len(words) >= 12
