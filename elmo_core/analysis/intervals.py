"""
Intervals that decide whether a page may state a verdict, and the verdicts they allow.

A number measured on a few sentences or a few training runs moves from one sample to the next; a
page names a winner only when an interval leaves out the alternative. Each interval is a
:class:`~.margins.Margin` (an estimate, its low and high bounds, its level):

- :func:`wilson_interval`: a share of successes out of ``n`` (an accuracy) against a fixed rate
  such as chance (binomial, Wilson score interval; sound for small ``n`` and shares near 0 or 1);
- :func:`paired_difference`: two scores of the same items (layer A and layer B right or wrong on
  the same sentences), a percentile bootstrap of the mean difference, the items resampled together;
- :func:`mean_interval`: the mean of a few independent repeats (the learned weight of a layer over
  training seeds), Student's t interval;
- :func:`weight_evidence`: whether learned scalar-mix weights, repeated over seeds, put more than
  an even share (1 / L) on their top layer.

Pure numpy (scipy for the t quantile); no UI code.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .margins import LEVEL, Margin, sentence_margin

__all__ = ["wilson_interval", "paired_difference", "mean_interval", "WeightEvidence",
           "weight_evidence"]


def _normal_quantile(level: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 2)


def wilson_interval(successes: int, n: int, level: float = LEVEL) -> Margin:
    """Wilson score interval of the share ``successes / n`` (0 <= successes <= n, n >= 1).

    >>> round(wilson_interval(12, 20).low, 3), round(wilson_interval(12, 20).high, 3)
    (0.387, 0.781)
    """
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n >= 1, got {successes} of {n}")
    z = _normal_quantile(level)
    share = successes / n
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Margin(share, low, high, level)


def paired_difference(a: np.ndarray, b: np.ndarray, *, level: float = LEVEL, seed: int = 0) -> Margin:
    """Mean of ``a - b`` over the same items, (n,) each (e.g. 1.0 / 0.0 for right / wrong), with a
    percentile bootstrap interval that resamples the items (pairs kept together)."""
    return sentence_margin([np.asarray(a, dtype=float)], [np.asarray(b, dtype=float)], level=level, seed=seed)


def mean_interval(samples: Sequence[float], level: float = LEVEL) -> Margin | None:
    """Student's t interval of the mean of independent repeats, (R,); None for fewer than two."""
    values = np.asarray(samples, dtype=float)
    if values.size < 2:
        return None
    from scipy.stats import t

    mean = float(values.mean())
    half = float(t.ppf(0.5 + level / 2, values.size - 1) * values.std(ddof=1) / math.sqrt(values.size))
    return Margin(mean, mean - half, mean + half, level)


@dataclass(frozen=True)
class WeightEvidence:
    """Learned softmax weights of R repeats (seeds) of one scalar-mix run.

    ``mean`` (L,): the mean weight per layer; ``intervals``: its t interval per layer (None for one
    run); ``top``: the layer with the largest mean weight; ``uniform``: 1 / L.
    """

    mean: tuple[float, ...]
    intervals: tuple[Margin, ...] | None
    top: int
    uniform: float
    runs: int

    @property
    def top_above_uniform(self) -> bool:
        """The top layer's weight interval lies wholly above the even share."""
        return self.intervals is not None and self.intervals[self.top].above(self.uniform)


def weight_evidence(weights: np.ndarray, level: float = LEVEL) -> WeightEvidence:
    """``weights`` (R, L): the softmax weights that R runs (seeds) learned. Whether the layer with
    the most mean weight gets more than an even share 1 / L, beyond the spread across the runs."""
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    if weights.ndim != 2 or weights.shape[1] < 1 or weights.shape[0] < 1:
        raise ValueError(f"expected (runs, layers) weights, got shape {weights.shape}")
    mean = weights.mean(axis=0)
    intervals = None
    if weights.shape[0] >= 2:
        intervals = tuple(mean_interval(weights[:, k], level) for k in range(weights.shape[1]))
    return WeightEvidence(tuple(float(m) for m in mean), intervals, int(np.argmax(mean)),
                          1.0 / weights.shape[1], int(weights.shape[0]))
