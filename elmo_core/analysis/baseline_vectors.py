"""
The static word vectors of the bag-of-context-words baseline (:mod:`.context_baseline`) for
callers that must never download them, such as the app's pages: GloVe 6B 50d when it is in the
cache already (``elmo-explorer quality`` puts it there), else None.

The table is read once per process (:func:`elmo_core.datasets.glove.load_glove` keeps it); while it
is missing, every call looks again, so it is picked up as soon as it arrives.
"""
from __future__ import annotations

from ..datasets.glove import StaticVectors, cached_glove
from ..packages import SourceUnavailable


def glove_if_cached() -> StaticVectors | None:
    """GloVe 6B 50d from the cache, or None when it is not there or its files cannot be read
    (the baseline is then left out, never fetched)."""
    try:
        return cached_glove()
    except (SourceUnavailable, OSError, ValueError):
        return None
