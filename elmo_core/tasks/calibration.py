"""
Temperature scaling (Guo et al., 2017): one scalar ``T`` fitted on dev logits so that
``softmax(logits / T)`` is calibrated, i.e. among texts given p = 0.8, about 80% are right.
The predicted class never changes; only how sure the model says it is.

>>> logits = np.array([[4.0, -4.0], [-3.0, 3.0], [2.0, -2.0], [-2.0, 2.0]])
>>> labels = np.array([0, 1, 1, 0])          # half of the confident answers are wrong
>>> fit_temperature(logits, labels) > 1      # so the fitted temperature softens them
True

A binary verdict is ``"uncertain"`` when the larger probability lies below
``UNCERTAIN_BELOW`` (0.6), i.e. p(positive) within (0.4, 0.6).
"""
from __future__ import annotations

import numpy as np
import torch

__all__ = ["fit_temperature", "softmax", "expected_calibration_error", "UNCERTAIN_BELOW", "is_uncertain"]

UNCERTAIN_BELOW = 0.6


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """(n, C) logits -> (n, C) float32 probabilities of ``logits / temperature``."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def fit_temperature(logits: np.ndarray, labels: np.ndarray, *, bounds: tuple[float, float] = (0.05, 20.0)) -> float:
    """The ``T`` in ``bounds`` that minimises the negative log-likelihood of ``labels`` (n,) under
    ``softmax(logits / T)`` for (n, C) ``logits``. 1.0 when there is nothing to fit on."""
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    if logits.ndim != 2 or labels.shape != (logits.shape[0],):
        raise ValueError(f"logits must be (n, C) and labels (n,), got {logits.shape} and {labels.shape}")
    if len(labels) == 0:
        return 1.0
    x, y = torch.from_numpy(logits), torch.from_numpy(labels)
    # The NLL is smooth and unimodal in log T: a fine grid, then a golden-section refinement.
    grid = np.linspace(np.log(bounds[0]), np.log(bounds[1]), 200)

    def nll(log_t: float) -> float:
        return float(torch.nn.functional.cross_entropy(x / np.exp(log_t), y))

    best = int(np.argmin([nll(g) for g in grid]))
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(40):
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if nll(a) < nll(b):
            hi = b
        else:
            lo = a
    return float(np.exp((lo + hi) / 2))


def expected_calibration_error(proba: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """ECE of (n, C) probabilities: the mean gap between confidence and accuracy over ``bins``
    equal-width confidence bins, weighted by bin size."""
    proba = np.asarray(proba)
    labels = np.asarray(labels)
    if len(labels) == 0:
        return 0.0
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == labels
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        in_bin = which == b
        if in_bin.any():
            total += in_bin.mean() * abs(confidence[in_bin].mean() - correct[in_bin].mean())
    return float(total)


def is_uncertain(proba_row: np.ndarray) -> bool:
    """True when no class reaches :data:`UNCERTAIN_BELOW` (for two classes: p within (0.4, 0.6))."""
    return float(np.max(proba_row)) < UNCERTAIN_BELOW
