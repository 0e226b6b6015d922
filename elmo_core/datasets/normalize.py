"""
The one text normaliser: the form in which sentences are compared, de-duplicated and hashed into
splits, by every reader of labelled data and by the corpus builder when it keeps evaluation
sentences out of a pretraining corpus (the exclusion is right only because both normalise alike).

>>> normalize_text("  Effective  BUT too\\ttepid biopic ")
'effective but too tepid biopic'
"""
from __future__ import annotations

__all__ = ["normalize_text"]


def normalize_text(text: str) -> str:
    """Lower-case ``text`` and collapse runs of white space to one space (ends stripped)."""
    return " ".join(text.lower().split())
