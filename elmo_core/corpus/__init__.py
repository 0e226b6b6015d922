"""
Pretraining corpora for the biLM, built offline from text that ships in installable packages.

:mod:`elmo_core.corpus.readers` holds one reader per source (WordNet, GCIDE, the World English
Bible, ...); :func:`build_corpus` turns them into tokenized, deduplicated ``train.txt`` /
``heldout.txt`` files with a vocabulary and a corpus card; :mod:`elmo_core.corpus.cli` adds the
``corpus build`` command.
"""
from __future__ import annotations

from elmo_core.corpus.build import build_corpus
from elmo_core.corpus.stats import CorpusStats, SourceStats

__all__ = ["build_corpus", "CorpusStats", "SourceStats"]
