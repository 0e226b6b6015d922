"""
The references a downstream test score is read against, on exactly the run's splits:

- ``majority``: always predicting the test split's most frequent label (sentiment: the larger
  class; POS: the most frequent tag), the rate any head must beat to have learned anything;
- ``bag_of_words``: the non-neural baseline of :mod:`.baseline` (sentiment: bag-of-words logistic
  regression; POS: each word's most frequent training tag), trained on the run's training split.

Both are cheap (well under a second for the lab's sizes) and use no language model.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .baseline import run_baseline
from .data import TaskData

__all__ = ["TaskReferences", "task_references"]

BASELINE_TITLES = {"bow-logreg": "bag of words (logistic regression)",
                   "most-frequent-tag": "each word's most frequent tag"}


@dataclass(frozen=True)
class TaskReferences:
    """Test accuracy of the majority label and of the non-neural baseline, over ``count`` test
    examples (tokens for POS)."""

    majority: float
    bag_of_words: float
    baseline_title: str
    count: int


def task_references(data: TaskData) -> TaskReferences | None:
    """The two references on ``data``'s test split; None when it has no test or training examples."""
    test = data.split("test").flat_labels()
    if test.size == 0 or len(data.split("train")) == 0:
        return None
    majority = float(np.bincount(np.asarray(test, dtype=np.int64)).max() / test.size)
    baseline = run_baseline(data)
    return TaskReferences(majority, float(baseline.test.accuracy),
                          BASELINE_TITLES.get(baseline.name, baseline.name), int(test.size))
