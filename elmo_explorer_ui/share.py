"""
A view of a page as the query of a link: which parameters a link may carry, and typed text
packed small enough for a URL. Pure functions, no Streamlit.

A link names the page (its path), the model by name (bundled or official, never a local folder
or an uploaded file), the presentation mode and each page's choices (word, layer, colour-by ...).
Typed sentences travel compressed (zlib, then URL-safe base64), one parameter per page
(``text`` for the Sentence lab, ``senses_text`` and ``map_text`` for own sentences); past
:data:`MAX_PACKED_CHARS` characters the link leaves the text out and the page says so.
"""
from __future__ import annotations

import base64
import binascii
import zlib
from typing import Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit

#: Query parameters a link carries; anything else in the address bar stays out of it.
LINK_PARAMS = ("model", "present", "word", "sources", "layer", "colour", "points", "layout",
               "text", "senses_text", "map_text")
#: Longest packed text put in a link (browsers and servers accept URLs of ~8,000 characters).
MAX_PACKED_CHARS = 4000
#: Longest text unpacked from a link (a few kB of compressed text cannot expand past this).
MAX_UNPACKED_CHARS = 200_000
_PREFIX = "z"


def pack_text(text: str) -> str | None:
    """``text`` compressed into URL-safe characters, or ``None`` when the result is longer than
    :data:`MAX_PACKED_CHARS` (too long for a link)."""
    packed = _PREFIX + base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii").rstrip("=")
    return packed if len(packed) <= MAX_PACKED_CHARS else None


def unpack_text(packed: str) -> str | None:
    """The text of :func:`pack_text`, or ``None`` for anything that is not such a text (a
    damaged or hand-edited link, or one that would expand past :data:`MAX_UNPACKED_CHARS`)."""
    if not packed.startswith(_PREFIX) or len(packed) > MAX_PACKED_CHARS:
        return None
    body = packed[len(_PREFIX):]
    try:
        data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(data, 4 * MAX_UNPACKED_CHARS)
        if inflater.unconsumed_tail or not inflater.eof:
            return None
        return raw.decode("utf-8")
    except (binascii.Error, ValueError, zlib.error, UnicodeDecodeError):
        return None


def link_query(params: Mapping[str, str]) -> str:
    """The query string of a link to the view in ``params`` (the address bar's parameters):
    only :data:`LINK_PARAMS`, in that order, empty values left out."""
    kept = [(name, params[name]) for name in LINK_PARAMS if params.get(name)]
    return urlencode(kept)


def view_link(page_url: str, params: Mapping[str, str]) -> str:
    """``page_url`` (its query and fragment dropped, ``/`` for an empty path) followed by the
    :func:`link_query` of ``params``."""
    query = link_query(params)
    parts = urlsplit(page_url)
    base = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))
    return f"{base}?{query}" if query else base
