"""
Accuracy per true label and the balance of a classifier's predictions, read off a
:class:`~elmo_core.tasks.metrics.ClassificationReport`.

One accuracy hides a one-sided head: on the negation test set (60 positive, 60 negative) a head
that calls 56 negatives and 22 positives right scores 0.650, the same as one right on 39 of each.
The shipped head's report gives both labels' accuracy and how many texts it called positive.

    balance = label_balance(report)            # report: classification_report(y, y_hat, names)
    balance.accuracy["positive"]               # recall of the positive texts, 0..1
    balance.predicted_share["positive"]        # share of all predictions that say positive
    balance_text(report)                       # "negative 0.933 (56/60), positive 0.367 (22/60); 34 % called positive"
"""
from __future__ import annotations

from dataclasses import dataclass

from .metrics import ClassificationReport

__all__ = ["LabelBalance", "label_balance", "balance_text", "balance_cells"]


@dataclass(frozen=True)
class LabelBalance:
    """Per label name: ``right`` of ``support`` texts of that label predicted as it (``accuracy``),
    and ``predicted`` texts (of any label) given it."""

    label_names: tuple[str, ...]
    right: dict[str, int]
    support: dict[str, int]
    predicted: dict[str, int]

    @property
    def count(self) -> int:
        return sum(self.support.values())

    @property
    def accuracy(self) -> dict[str, float]:
        """Accuracy on the texts of each label (its recall; 0 for a label with no text)."""
        return {n: self.right[n] / self.support[n] if self.support[n] else 0.0 for n in self.label_names}

    @property
    def predicted_share(self) -> dict[str, float]:
        """The share of all predictions that name each label (0 for an empty set)."""
        return {n: self.predicted[n] / self.count if self.count else 0.0 for n in self.label_names}


def label_balance(report: ClassificationReport) -> LabelBalance:
    """The per-label counts of ``report``'s confusion matrix (rows = true, columns = predicted)."""
    names = tuple(report.label_names)
    matrix = report.confusion
    if len(matrix) != len(names) or any(len(row) != len(names) for row in matrix):
        raise ValueError(f"the confusion matrix is not {len(names)} x {len(names)} for labels {names}")
    return LabelBalance(names, {n: int(matrix[i][i]) for i, n in enumerate(names)},
                        {n: int(sum(matrix[i])) for i, n in enumerate(names)},
                        {n: int(sum(row[i] for row in matrix)) for i, n in enumerate(names)})


def balance_text(report: ClassificationReport, positive: str = "positive") -> str:
    """``"negative 0.933 (56/60), positive 0.367 (22/60); 34 % called positive"``."""
    balance = label_balance(report)
    parts = ", ".join(f"{n} {balance.accuracy[n]:.3f} ({balance.right[n]}/{balance.support[n]})"
                      for n in balance.label_names)
    if positive not in balance.label_names:
        return parts
    return f"{parts}; {100 * balance.predicted_share[positive]:.0f} % called {positive}"


def balance_cells(report: ClassificationReport, positive: str = "positive", negative: str = "negative") -> str:
    """Three Markdown table cells: accuracy on the ``positive`` texts, on the ``negative`` texts,
    and the share of predictions that say ``positive`` (``"0.367 | 0.933 | 34 %"``)."""
    balance = label_balance(report)
    return (f"{balance.accuracy[positive]:.3f} | {balance.accuracy[negative]:.3f} | "
            f"{100 * balance.predicted_share[positive]:.0f} %")
