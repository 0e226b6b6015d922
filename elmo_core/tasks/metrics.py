"""
Classification metrics in plain numpy: accuracy, confusion matrix, per-class and macro
precision / recall / F1.

All functions are pure: they take integer label arrays ``y_true`` and ``y_pred`` of shape (n,)
and return new values. A class that is never predicted has precision 0, one that never occurs
has recall 0 (the scikit-learn ``zero_division=0`` convention); F1 is 0 when P + R is 0.

>>> y_true, y_pred = [0, 0, 1, 1], [0, 1, 1, 1]
>>> accuracy(y_true, y_pred)
0.75
>>> confusion_matrix(y_true, y_pred, 2).tolist()
[[1, 1], [0, 2]]
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

__all__ = [
    "ClassificationReport",
    "accuracy",
    "confusion_matrix",
    "precision_recall_f1",
    "classification_report",
]


def _labels(values, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-d sequence of integer labels, got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integer labels, got dtype {array.dtype}")
    return array.astype(np.int64)


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    t, p = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    if t.shape != p.shape:
        raise ValueError(f"y_true has {t.size} labels but y_pred has {p.size}")
    return t, p


def accuracy(y_true, y_pred) -> float:
    """Fraction of positions where the labels agree; 0.0 for empty input."""
    t, p = _pair(y_true, y_pred)
    return float((t == p).mean()) if t.size else 0.0


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    """(num_classes, num_classes) int64 counts: row = true label, column = predicted label."""
    t, p = _pair(y_true, y_pred)
    if num_classes < 1:
        raise ValueError(f"num_classes must be >= 1, got {num_classes}")
    if t.size and (min(t.min(), p.min()) < 0 or max(t.max(), p.max()) >= num_classes):
        raise ValueError(f"labels must lie in 0..{num_classes - 1}")
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (t, p), 1)
    return matrix


def precision_recall_f1(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class precision, recall and F1 (each (num_classes,) float64) from a confusion matrix."""
    matrix = np.asarray(matrix, dtype=np.float64)
    true_positive = np.diag(matrix)
    predicted = matrix.sum(axis=0)
    actual = matrix.sum(axis=1)
    precision = np.divide(true_positive, predicted, out=np.zeros_like(true_positive), where=predicted > 0)
    recall = np.divide(true_positive, actual, out=np.zeros_like(true_positive), where=actual > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(total), where=total > 0)
    return precision, recall, f1


@dataclass
class ClassificationReport:
    """Scores of one evaluation; JSON serialisable through :meth:`to_dict`.

    ``macro_*`` average over the classes that occur in ``y_true`` or in ``y_pred`` (classes
    absent from both, e.g. rare POS tags missing from a small test set, would only add zeros).
    """

    accuracy: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    precision: list[float]
    recall: list[float]
    f1: list[float]
    support: list[int]
    confusion: list[list[int]]
    label_names: list[str]
    count: int

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ClassificationReport":
        return cls(**data)


def classification_report(y_true, y_pred, label_names: list[str] | tuple[str, ...]) -> ClassificationReport:
    """All scores of ``y_pred`` against ``y_true`` for the classes ``label_names``."""
    t, p = _pair(y_true, y_pred)
    matrix = confusion_matrix(t, p, len(label_names))
    precision, recall, f1 = precision_recall_f1(matrix)
    present = (matrix.sum(axis=0) + matrix.sum(axis=1)) > 0
    def macro(values: np.ndarray) -> float:
        return float(values[present].mean()) if present.any() else 0.0
    return ClassificationReport(
        accuracy=accuracy(t, p),
        macro_precision=macro(precision),
        macro_recall=macro(recall),
        macro_f1=macro(f1),
        precision=precision.tolist(),
        recall=recall.tolist(),
        f1=f1.tolist(),
        support=matrix.sum(axis=1).astype(int).tolist(),
        confusion=matrix.tolist(),
        label_names=list(label_names),
        count=int(t.size),
    )
