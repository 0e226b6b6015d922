"""
The Python 3.11 documentation, as prose (Debian package ``python3.11-doc``).

The reStructuredText sources are under ``usr/share/doc/python3.11/html/_sources/**/*.rst.txt``.
Only prose is kept: literal blocks (after ``::``), ``code-block``/``doctest``/``productionlist``
and other non-prose directives with their bodies, doctest lines, tables, section titles,
directive signatures and options, comments and link targets are dropped. The bodies of prose
directives (``note``, ``warning``, ``function``, ``class``, ...) are kept. Inline markup is
reduced to its text (``:func:`~os.path.join``` -> ``join``, ````x```` -> ``x``,
```text <url>`_`` -> ``text``). The licence and copyright pages are skipped.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from elmo_core.corpus.readers._text import looks_like_prose, paragraphs
from elmo_core.packages import apt_path

NAME = "python_docs"
LICENCE = "PSF License Agreement (Python 3.11 documentation)"
REBUILD_HINT = "apt-get install python3.11-doc"

_PACKAGE = "python3.11-doc"
_DIR = "usr/share/doc/python3.11/html/_sources"
_SKIP_FILES = {"license.rst.txt", "copyright.rst.txt", "changelog.rst.txt"}

# Directives whose body is prose (the directive line itself, a signature, is dropped).
PROSE_DIRECTIVES = {
    "note", "warning", "important", "tip", "caution", "attention", "hint", "seealso", "admonition",
    "deprecated", "versionadded", "versionchanged", "deprecated-removed", "impl-detail",
    "function", "class", "method", "classmethod", "staticmethod", "attribute", "data", "exception",
    "decorator", "decoratormethod", "describe", "opcode", "cmdoption", "option", "envvar",
    "coroutinefunction", "coroutinemethod", "abstractmethod", "module", "glossary", "topic",
    "sidebar", "rubric", "c:function", "c:type", "c:member", "c:macro", "c:var", "c:data",
    "only", "availability", "audit-event", "index", "pdbcommand", "2to3fixer", "program",
}
# Of those, directives whose argument (after ``::``) is prose too.
_PROSE_ARGUMENT = {"note", "warning", "important", "tip", "caution", "attention", "hint", "seealso"}

_DIRECTIVE = re.compile(r"^\.\.\s+([\w:-]+)::\s*(.*)$")
_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+<>_.:])\1{3,}\s*$")
_TABLE = re.compile(r"^(?:[+|]|=+(?:\s+=+)+\s*$)")
_BULLET = re.compile(r"^(?:[*+\-•]|#\.|\d+\.|\(?[a-z0-9]\))\s+")
_FIELD = re.compile(r"^:[^:`]+:\s*")

_ROLE = re.compile(r":[\w:+-]+:`([^`]*)`")
_LINK = re.compile(r"`([^`<]*?)\s*<[^`>]*>`_{0,2}")
_REF = re.compile(r"`([^`]+)`_{1,2}")
_LITERAL = re.compile(r"``([^`]+)``")
_EMPHASIS = re.compile(r"\*\*?([^*\s][^*]*?)\*\*?")
_SUBSTITUTION = re.compile(r"\|([^|\s][^|]*)\|")


def _role_text(match: re.Match) -> str:
    text = match.group(1)
    explicit = re.match(r"^(.*?)\s*<[^<>]*>$", text)
    if explicit and explicit.group(1):
        return explicit.group(1)
    if text.startswith("~"):
        return text[1:].rsplit(".", 1)[-1]
    return text.lstrip("!")


def clean_inline(text: str) -> str:
    """Reduce reST inline markup to its text."""
    text = _ROLE.sub(_role_text, text)
    text = _LINK.sub(r"\1", text)
    text = _LITERAL.sub(r"\1", text)
    text = _REF.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\1", text)
    text = _SUBSTITUTION.sub(r"\1", text)
    return text.replace("\\", "")


def rst_prose(source: str) -> str:
    """The prose lines of a reST document, paragraphs separated by blank lines."""
    out: list[str] = []
    skip_deeper_than: int | None = None   # skip a block: lines indented more than this
    literal_after: int | None = None      # the previous paragraph ended with '::'
    continued = False                     # directive signature continued with '\'
    in_options = False                    # just after a directive: its ':option:' lines
    in_doctest = False
    for line in source.splitlines():
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if continued:
            continued = stripped.endswith("\\")
            continue
        if skip_deeper_than is not None:
            if not stripped or indent > skip_deeper_than:
                continue
            skip_deeper_than = None
        if literal_after is not None and stripped:
            if indent > literal_after:
                skip_deeper_than, literal_after = literal_after, None
                continue
            literal_after = None
        if not stripped:
            in_doctest = in_options = False
            out.append("")
            continue
        if in_options and stripped.startswith(":"):
            continue
        in_options = False
        if in_doctest or stripped.startswith((">>>", "... ")) or stripped == "...":
            in_doctest = True
            continue
        if stripped.startswith(".."):
            out.append("")
            directive = _DIRECTIVE.match(stripped)
            if directive and directive.group(1) in PROSE_DIRECTIVES:
                in_options = True
                continued = stripped.endswith("\\")
                if directive.group(1) in _PROSE_ARGUMENT and directive.group(2):
                    out.append(directive.group(2))
            else:  # code, comments, targets, toctrees, images...: drop with the body
                skip_deeper_than = indent
            continue
        if _UNDERLINE.match(stripped):
            if out and out[-1]:
                out[-1] = ""  # the section title above the underline
            out.append("")
            continue
        if _TABLE.match(stripped):
            out.append("")
            continue
        if _BULLET.match(stripped):
            out.append("")
            stripped = _BULLET.sub("", stripped)
        stripped = _FIELD.sub("", stripped)
        if stripped.endswith("::"):
            literal_after = indent
            stripped = stripped[:-2].rstrip()
            stripped = stripped + ":" if stripped else ""
        out.append(stripped)
    return clean_inline("\n".join(out))


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield the prose paragraphs of every page of the documentation, in path order."""
    root = apt_path(_PACKAGE, _DIR)
    for path in sorted(root.rglob("*.rst.txt")):
        if path.name in _SKIP_FILES:
            continue
        for paragraph in paragraphs(rst_prose(path.read_text(encoding="utf-8", errors="replace"))):
            if looks_like_prose(paragraph):
                yield paragraph
