"""
Text from users (typed, from the URL, uploaded file names, sense labels, tokens) and from the
server (error messages) made safe to show. Pure functions, no Streamlit.

- :func:`md`: user text inside Streamlit Markdown (``st.markdown``, ``st.caption``, alerts,
  titles, ``st.table`` cells, progress and spinner texts) renders as exactly that text: no link,
  image, HTML tag, autolink, Streamlit directive (``:red[...]``, ``:material/...:``) or LaTeX.
- :func:`document_markdown`: a model card from a model's folder, formatted but without links.
- :func:`plotly_text`: user text inside Plotly labels (ticks, legends, hover text, titles), which
  Plotly renders as a subset of HTML.
- :func:`redact_paths`: absolute server paths in a message cut to their last component.
"""
from __future__ import annotations

import html
import re

#: ASCII characters that can start Markdown, GFM or Streamlit markup in running text.
#: ``.`` and ``@`` break www./e-mail autolinks, ``:`` URL schemes and Streamlit directives;
#: ``(`` needs none, as no link can form without an unescaped ``]``.
MARKDOWN_SPECIAL = "\\`*_{}[]<>#!|~$:&@."
_MARKDOWN_RE = re.compile("([" + re.escape(MARKDOWN_SPECIAL) + "])")
#: U+2060 WORD JOINER: invisible, zero-width, no line break. Backslash escapes do not stop
#: Streamlit's Markdown from linking ``https://``, ``www.`` and ``a@b.c`` (GFM autolinks) or
#: drawing ``:material/x:`` and ``:red[x]`` (its directives): those act on the unescaped text.
#: A word joiner after every ``:`` and ``@`` and inside ``www.`` breaks each pattern, and the
#: reader still sees the text as typed (checked in Chromium: tests/test_hostile_text_in_browser.py).
WORD_JOINER = "\u2060"
_BREAK_RE = re.compile(r"(\\[:@])|(?<=www)(?=\\\.)", re.IGNORECASE)
_LINE_BREAKS = re.compile(r"[\r\n]+")
# An absolute POSIX path (or ~/...) not inside a URL or a longer word; group 1: its last part.
_PATH_RE = re.compile(r"(?<![\w:/.~-])~?/(?:[^\s/'\"`<>|:]+/)*([^\s/'\"`<>|:]*)")


def md(text: object) -> str:
    """``text`` as Markdown that displays it literally, on one line (line breaks become spaces).

    Every markup character gets a backslash (CommonMark renders ``\\x`` as ``x`` for any ASCII
    punctuation), so ``[a](http://x)`` shows as typed instead of becoming a link; a word joiner
    (:data:`WORD_JOINER`) after each ``:`` and ``@`` and inside ``www.`` stops autolinks, icons
    and colours (``md("www.a.org")`` puts one between ``www`` and ``\\.``).
    """
    escaped = _MARKDOWN_RE.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(text)))
    return _BREAK_RE.sub(lambda m: (m.group(1) or "") + WORD_JOINER, escaped)


_DOC_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # [label](target) and ![alt](src)
_DOC_ANGLE_LINK_RE = re.compile(r"<([a-z][a-z0-9+.-]*:[^>\s]*)>", re.IGNORECASE)  # <https://...>
_DOC_BREAK_RE = re.compile(r"(:)(?=[a-z/])|(@)|(?<=www)(?=\.)", re.IGNORECASE)


def document_markdown(text: str) -> str:
    """A Markdown document from a model's folder (its MODEL_CARD.md) rendered with its headings,
    lists and tables, but with no live link or icon: ``[label](target)`` becomes ``label``,
    ``<https://...>`` its text, and a word joiner after ``:`` (before a letter or ``/``) and ``@``
    and inside ``www.`` stops autolinks, ``:material/...:`` icons and ``:red[...]`` colours. A card
    can come from an uploaded or local folder, so it is read like any other user text."""
    text = _DOC_ANGLE_LINK_RE.sub(r"\1", _DOC_LINK_RE.sub(r"\1", text))
    return _DOC_BREAK_RE.sub(lambda m: (m.group(1) or m.group(2) or "") + WORD_JOINER, text)


def plotly_text(text: object) -> str:
    """``text`` HTML-escaped for a Plotly label, so ``<b>`` or ``<a href=...>`` show as typed."""
    return html.escape(str(text))


def redact_paths(text: str) -> str:
    """Absolute paths in ``text`` cut to their last component:
    ``"/home/u/.cache/x/weights.hdf5 is not an HDF5 file"`` -> ``"weights.hdf5 is not an HDF5 file"``.
    URLs stay as they are."""
    return _PATH_RE.sub(lambda m: m.group(1) or "…", text)


def safe_filename(text: str, fallback: str = "file") -> str:
    """``text`` reduced to letters, digits, ``.``, ``-`` and ``_`` (for download file names)."""
    name = re.sub(r"[^\w.-]+", "_", text).strip("._")[:80]
    return name or fallback


__all__ = ["MARKDOWN_SPECIAL", "WORD_JOINER", "document_markdown", "md", "plotly_text", "redact_paths", "safe_filename"]
