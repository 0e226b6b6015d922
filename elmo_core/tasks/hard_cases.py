"""
Sentences a sentiment head is known to get wrong more often: those whose polarity turns on a
negation ("not bad") or a contrast ("slow, but wonderful"). Pure functions: which cue words a
sentence holds, and a shipped head's measured accuracy on the project's negation test set
(``elmo_core/data/negation_sentiment.tsv``: negation, contrast and word-order sentences) with a
Wilson 95 % interval (:func:`elmo_core.analysis.intervals.wilson_interval`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..analysis.intervals import wilson_interval
from .ngram import NEGATORS

__all__ = ["CONTRAST_CUES", "SentimentCues", "sentiment_cues", "HardCaseAccuracy", "hard_case_accuracy",
           "NEGATION_SET"]

#: Words that turn a sentence's polarity half-way ("slow, but wonderful").
CONTRAST_CUES = frozenset({"but", "although", "though", "yet", "however", "despite", "nevertheless",
                           "nonetheless", "whereas"})
#: The negation test set's key in a shipped head's scores (``extra["scores"]``).
NEGATION_SET = "negation"


@dataclass(frozen=True)
class SentimentCues:
    """The negation and contrast cue tokens of one sentence, as written, in order."""

    negations: tuple[str, ...] = ()
    contrasts: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return bool(self.negations or self.contrasts)

    @property
    def words(self) -> tuple[str, ...]:
        return self.negations + self.contrasts


def sentiment_cues(tokens: Sequence[str]) -> SentimentCues:
    """Cue tokens of a tokenized sentence (ignoring case): negations (the n-gram member's
    :data:`~elmo_core.tasks.ngram.NEGATORS` and any ``…n't``) and :data:`CONTRAST_CUES`."""
    negations, contrasts = [], []
    for token in tokens:
        word = token.lower()
        if word in NEGATORS or word.endswith("n't"):
            negations.append(token)
        elif word in CONTRAST_CUES:
            contrasts.append(token)
    return SentimentCues(tuple(negations), tuple(contrasts))


@dataclass(frozen=True)
class HardCaseAccuracy:
    """A head's accuracy on the negation test set: ``accuracy`` on ``count`` sentences, its
    Wilson 95 % interval ``low``-``high``, ``chance`` (always guessing the set's most frequent
    label) and the head's accuracy on its main test set."""

    accuracy: float
    count: int
    low: float
    high: float
    chance: float
    main_accuracy: float | None = None
    per_label: dict[str, float] | None = None  # accuracy on the sentences of each true label

    def per_label_text(self) -> str:
        """``"positive 67%, negative 92%"``, or ``""`` when the score has no confusion matrix."""
        return ", ".join(f"{name} {value:.0%}" for name, value in (self.per_label or {}).items())


def hard_case_accuracy(extra: dict | None, main_accuracy: float | None = None) -> HardCaseAccuracy | None:
    """The negation-set score a shipped head carries (``extra["scores"]["negation"]``, written by
    ``elmo-explorer task ship-heads``), or None for a head that was not tested there."""
    score = ((extra or {}).get("scores") or {}).get(NEGATION_SET)
    if not score or not score.get("count"):
        return None
    accuracy, count = float(score["accuracy"]), int(score["count"])
    interval = wilson_interval(round(accuracy * count), count)
    low, high = interval.low, interval.high
    support = [int(n) for n in score.get("support") or []]
    chance = max(support) / count if support and sum(support) == count else 0.5
    names, confusion = score.get("label_names") or [], score.get("confusion") or []
    per_label = None
    if names and len(confusion) == len(names) and all(len(row) == len(names) for row in confusion):
        per_label = {name: confusion[i][i] / sum(confusion[i]) for i, name in enumerate(names) if sum(confusion[i])}
        per_label = dict(sorted(per_label.items(), key=lambda item: item[0] != "positive"))  # positives first
    return HardCaseAccuracy(accuracy, count, low, high, chance, main_accuracy, per_label)
