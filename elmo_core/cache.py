"""
The one local cache root of ELMo Explorer: ``$ELMO_EXPLORER_CACHE`` if set, else
``~/.cache/elmo-explorer``.

Everything downloaded or derived lives under it, each kind in its own folder::

    <cache>/models/NAME/      official ELMo models (:mod:`elmo_core.registry`)
    <cache>/sources/          package archives (:mod:`elmo_core.packages`)
    <cache>/vectors/          static word vectors (:mod:`elmo_core.datasets.glove`)
    <cache>/features/         cached layer features of the downstream tasks
    <cache>/uploads/, numba/  the app's uploaded models, compiled UMAP code
    <cache>/references/       each model's reference cosines (computed by analysis.similarity_reference)
    <cache>/corpora/          the Corpus explorer's sample corpus and uploaded texts
    <cache>/adapt/            checkpoints of unfinished `elmo-explorer adapt` runs (removed once exported)
    <cache>/adapted/, adapt-texts/  models adapted from the Models page, and the texts uploaded for them

A leading ``~`` in the variable is expanded, so ``ELMO_EXPLORER_CACHE=~/x`` means the folder ``x``
in the home directory, never a folder literally named ``~``.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CACHE_ENV", "cache_dir"]

CACHE_ENV = "ELMO_EXPLORER_CACHE"


def cache_dir() -> Path:
    """The cache root (``~`` expanded), created if it does not exist yet."""
    env = os.environ.get(CACHE_ENV, "").strip()
    root = Path(env).expanduser() if env else Path.home() / ".cache" / "elmo-explorer"
    root.mkdir(parents=True, exist_ok=True)
    return root
