"""
How far a model's layer is ahead of a baseline on a sense set, with the noise of the set in view.

The sense sets are small (the unseen set has 12 sentences a word, so one sentence moves a word's
accuracy by 0.083), and a difference of a point or two between a layer and the bag of context
words says nothing by itself. Both are scored on the same sentences, so the comparison is
*paired*: a :class:`Margin` is the mean difference with a percentile bootstrap interval.

- :func:`sentence_margin` (leave-one-out accuracy): each word's sentences are resampled with
  replacement (stratified by word, as the score averages words), the per-sentence differences
  (1 correct, 0 wrong, for layer and baseline alike) are averaged per word, then over words.
- :func:`word_margin` (pair ranking, a score per word and not a mean over sentences): the words
  are resampled, their per-word differences averaged.

The per-sentence leave-one-out verdicts are held fixed while resampling (each was made against
all the other sentences), so the interval covers which sentences a set happens to hold, not how
the centroids would move with them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

LEVEL = 0.95
RESAMPLES = 4000


@dataclass(frozen=True)
class Margin:
    """A mean and its ``level`` interval [low, high]: of (model - baseline) here, of a share or of
    a weight over seeds in :mod:`.intervals`."""

    mean: float
    low: float
    high: float
    level: float = LEVEL

    @property
    def verdict(self) -> str:
        return margin_verdict(self.low, self.high)

    def describe(self) -> str:
        return (f"{self.mean:+.3f} ({self.level:.0%} interval {self.low:+.3f} to {self.high:+.3f}: "
                f"{self.verdict})")

    def excludes(self, value: float) -> bool:
        """True when ``value`` lies outside [low, high]."""
        return value < self.low or value > self.high

    def above(self, value: float) -> bool:
        return self.low > value

    def below(self, value: float) -> bool:
        return self.high < value


def margin_verdict(low: float, high: float) -> str:
    """"ahead" or "behind" when the interval [low, high] leaves out 0, else "same within noise"."""
    if low > 0:
        return "ahead"
    if high < 0:
        return "behind"
    return "same within noise"


def _interval(samples: np.ndarray, mean: float, level: float) -> Margin:
    tail = (1.0 - level) / 2
    low, high = np.quantile(samples, [tail, 1.0 - tail])
    return Margin(float(mean), float(low), float(high), level)


def sentence_margin(model: Sequence[np.ndarray], baseline: Sequence[np.ndarray], *,
                    resamples: int = RESAMPLES, level: float = LEVEL, seed: int = 0) -> Margin:
    """Paired margin of per-sentence scores, mean over words of the mean over their sentences.

    model / baseline: one array per word, (n_w,) scores of that word's sentences in the same
    order (1.0 / 0.0 for a right / wrong leave-one-out sense).
    """
    if len(model) != len(baseline) or not model:
        raise ValueError("need the same, non-empty list of words for the model and the baseline")
    pairs = [(np.asarray(m, dtype=float), np.asarray(b, dtype=float)) for m, b in zip(model, baseline)]
    if any(m.ndim != 1 or m.shape != b.shape or m.size == 0 for m, b in pairs):
        raise ValueError("each word needs one score per sentence for both, and at least one sentence")
    differences = [m - b for m, b in pairs]
    rng = np.random.default_rng(seed)
    per_word = [d[rng.integers(0, d.size, size=(resamples, d.size))].mean(axis=1) for d in differences]
    return _interval(np.mean(per_word, axis=0), float(np.mean([d.mean() for d in differences])), level)


def word_margin(model: np.ndarray, baseline: np.ndarray, *, resamples: int = RESAMPLES,
                level: float = LEVEL, seed: int = 0) -> Margin:
    """Paired margin of per-word scores, (n_words,) each; words where either is NaN are left out."""
    model, baseline = np.asarray(model, dtype=float), np.asarray(baseline, dtype=float)
    if model.shape != baseline.shape or model.ndim != 1:
        raise ValueError(f"need two (n_words,) score arrays, got {model.shape} and {baseline.shape}")
    differences = (model - baseline)[~(np.isnan(model) | np.isnan(baseline))]
    if differences.size == 0:
        raise ValueError("no word has a score for both")
    rng = np.random.default_rng(seed)
    samples = differences[rng.integers(0, differences.size, size=(resamples, differences.size))].mean(axis=1)
    return _interval(samples, float(differences.mean()), level)
