"""
The project's negation set: short review sentences whose polarity turns on negation ("Not bad
at all ."), contrast ("The start is slow , but the rest is wonderful .") or word order ("I feared
the worst and got the best ."), written for ELMo Explorer and never used for training.

``elmo_core/data/negation_sentiment.tsv`` (split, label, kind, text):

    split   sentences  positive  negative
    dev           260       130       130   (may guide model choice)
    test          120        60        60   (reported only)

The dev split was 60 sentences until session 7, when 100 more were written because one sentence
moved the mean dev score by 0.8 points, more than the choices it had to make. Issue #34 added 100
more (the last 100 rows, 50 minimal pairs, written before any head was scored on them): each
positive turns on a negated negative ("Nothing in it feels forced ."), one negator per pair (not,
never, no, nothing, none, not a single / not one, hardly, without, cannot stop, will not regret,
"not X but Y", a negation across a clause), and its negative keeps the negator ("Nothing in it
feels genuine ."), so the negator alone predicts nothing. The test split is unchanged.

Most sentences come in minimal pairs: the same frame with the polarity words swapped, so
counting the words alone cannot solve the set (a bag-of-words model trained on ``rt`` is right on
half of the test sentences).
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from .types import BINARY_LABELS, LabeledText, SentimentDataset

__all__ = ["NEGATION_FILE", "load_negation", "negation_kinds"]

NEGATION_FILE = Path(__file__).resolve().parent.parent / "data" / "negation_sentiment.tsv"


@lru_cache(maxsize=1)
def _rows() -> tuple[tuple[str, str, str, str], ...]:
    lines = [line for line in NEGATION_FILE.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return tuple((r["split"], r["label"], r["kind"], r["text"]) for r in reader)


def load_negation() -> SentimentDataset:
    """The set as a binary :class:`SentimentDataset` (its ``train`` split is empty)."""
    examples = [LabeledText(text, BINARY_LABELS.index(label), split) for split, label, _, text in _rows()]
    return SentimentDataset("negation", examples, BINARY_LABELS)


def negation_kinds(split: str) -> list[str]:
    """``negation``, ``contrast`` or ``order`` for each example of ``split``, in order."""
    return [kind for s, _, kind, _ in _rows() if s == split]
