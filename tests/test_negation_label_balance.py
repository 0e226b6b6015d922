"""Issue #34: accuracy per label and the balance of predictions, as the shipped report gives them."""
from __future__ import annotations

import numpy as np
import pytest

from elmo_core.tasks.label_balance import balance_cells, balance_text, label_balance
from elmo_core.tasks.metrics import classification_report

NAMES = ("negative", "positive")


def _report(right_negative: int, right_positive: int, n: int = 60):
    y = np.array([0] * n + [1] * n)
    pred = np.array([0] * right_negative + [1] * (n - right_negative) + [1] * right_positive + [0] * (n - right_positive))
    return classification_report(y, pred, NAMES)


def test_one_accuracy_hides_what_the_labels_show():
    one_sided, even = _report(56, 22), _report(39, 39)
    assert one_sided.accuracy == even.accuracy == pytest.approx(0.65)
    b = label_balance(one_sided)
    assert b.accuracy == {"negative": pytest.approx(56 / 60), "positive": pytest.approx(22 / 60)}
    assert b.right == {"negative": 56, "positive": 22} and b.support == {"negative": 60, "positive": 60}
    assert b.predicted == {"negative": 94, "positive": 26} and b.count == 120
    assert b.predicted_share["positive"] == pytest.approx(26 / 120)
    assert balance_text(one_sided) == "negative 0.933 (56/60), positive 0.367 (22/60); 22 % called positive"
    assert balance_cells(one_sided) == "0.367 | 0.933 | 22 %"
    assert label_balance(even).accuracy["positive"] == pytest.approx(0.65)


def test_a_report_without_the_matrix_of_its_labels_is_refused():
    report = _report(1, 1, n=2)
    report.confusion = [[1, 1]]
    with pytest.raises(ValueError, match="confusion matrix"):
        label_balance(report)
