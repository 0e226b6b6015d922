"""Metric functions of the downstream lab on hand-checked inputs."""
import json

import numpy as np
import pytest

from elmo_core.tasks.metrics import (accuracy, classification_report, confusion_matrix,
                                     precision_recall_f1)


def test_accuracy_known_values():
    assert accuracy([0, 1, 1, 0], [0, 1, 0, 0]) == 0.75
    assert accuracy([], []) == 0.0
    assert accuracy(np.array([2, 2]), np.array([2, 2])) == 1.0


def test_confusion_matrix_rows_are_true_labels():
    m = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)
    assert m.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert m.sum() == 6


def test_precision_recall_f1_by_hand():
    # class 0: tp=1, predicted 2, actual 2 -> P=.5 R=.5 ; class 1: tp=1, predicted 2, actual 1 -> P=.5 R=1
    # class 2: tp=2, predicted 2, actual 3 -> P=1 R=2/3
    p, r, f = precision_recall_f1(confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3))
    np.testing.assert_allclose(p, [0.5, 0.5, 1.0])
    np.testing.assert_allclose(r, [0.5, 1.0, 2 / 3])
    np.testing.assert_allclose(f, [0.5, 2 * 0.5 / 1.5, 2 * (2 / 3) / (5 / 3)])


def test_zero_division_gives_zero_not_nan():
    p, r, f = precision_recall_f1(confusion_matrix([0, 0], [0, 0], 2))
    assert p.tolist() == [1.0, 0.0] and r.tolist() == [1.0, 0.0] and f.tolist() == [1.0, 0.0]


def test_report_macro_averages_and_json():
    report = classification_report([0, 0, 1, 1], [0, 1, 1, 1], ["neg", "pos"])
    # neg: P=1 R=.5 F=2/3 ; pos: P=2/3 R=1 F=.8
    assert report.accuracy == 0.75
    assert report.macro_precision == pytest.approx((1 + 2 / 3) / 2)
    assert report.macro_recall == pytest.approx(0.75)
    assert report.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2)
    assert report.support == [2, 2] and report.confusion == [[1, 1], [0, 2]]
    assert json.loads(json.dumps(report.to_dict()))["label_names"] == ["neg", "pos"]


def test_macro_ignores_classes_absent_from_both_sides():
    report = classification_report([0, 1], [0, 1], ["a", "b", "never"])
    assert report.macro_f1 == 1.0


def test_bad_inputs_raise_value_error():
    with pytest.raises(ValueError):
        accuracy([0, 1], [0])
    with pytest.raises(ValueError):
        confusion_matrix([0, 3], [0, 1], 2)
    with pytest.raises(ValueError):
        accuracy([0.5], [1.0])
