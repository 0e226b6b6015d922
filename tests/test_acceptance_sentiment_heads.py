"""Acceptance tests of the sentiment heads shipped with `mini`: the figures of
elmo_core/models/mini/heads/REPORT.md.

The scores are those measured on the test splits and stored with the head (issue #34: heads
chosen on dev among mean + max and attention pooling, the n-gram member's weight on rt dev +
negation dev + IMDB dev, scored on test once, docs/experiments/2026-12-07-negation-scope.md); each
bar is the measured value minus a stated margin, and never below issue #34's targets, which the
head meets: rt test >= 0.815, the negation test set's positives and negatives each >= 0.75, IMDB
test >= 0.87. A re-shipped head that is worse fails here. What the head is made of and how it
behaves: test_shipped_sentiment.py.
"""
from __future__ import annotations

import pytest

from elmo_core.sentiment import load_classifier
from elmo_core.tasks.label_balance import label_balance
from elmo_core.tasks.metrics import ClassificationReport

pytestmark = pytest.mark.acceptance

# The shipped default head's measured accuracies (heads/REPORT.md, the "(default)" row).
MEASURED = {
    "rt_test": 0.832,  # 888 of the 1,067 rt test snippets (0.8322)
    "negation": 0.842,  # 101 of the 120 sentences of the negation test set
    "negation_positive": 0.767,  # 46 of its 60 positive sentences
    "negation_negative": 0.917,  # 55 of its 60 negative sentences
    "imdb": 0.876,  # 438 of 500 IMDB test reviews
}
# A head retrained with the same data and seeds moves only through float rounding (thread count,
# BLAS kernels), which flips the odd near-tied prediction. 0.01 is 11 of the 1,067 rt snippets,
# 5 of the 500 reviews and 1 of the 120 negation sentences; 0.02 is 1 of the 60 of one label.
MARGIN = {"rt_test": 0.01, "negation": 0.01, "negation_positive": 0.02, "negation_negative": 0.02, "imdb": 0.01}
FLOORS = {"rt_test": 0.815, "negation_positive": 0.75, "negation_negative": 0.75, "imdb": 0.87}  # issue #34's targets


def at_least(key: str) -> float:
    """The bar for an accuracy: measured minus its margin, and never below the issue's floor."""
    return max(MEASURED[key] - MARGIN[key], FLOORS.get(key, 0.0))


@pytest.fixture(scope="module")
def default():
    return load_classifier("default")


def test_default_head_scores_as_its_report_says(default):
    scores = default.extra["scores"]
    negation = label_balance(ClassificationReport.from_dict(scores["negation"]))
    print("rt test:", default.result.test.accuracy, "negation:", scores["negation"]["accuracy"],
          "per label:", negation.accuracy, "IMDB:", scores["imdb"]["accuracy"])
    assert default.result.test.count == 1067
    assert scores["negation"]["count"] == 120 and scores["imdb"]["count"] == 500
    assert negation.support == {"negative": 60, "positive": 60}
    assert default.result.test.accuracy >= at_least("rt_test")
    assert scores["negation"]["accuracy"] >= at_least("negation")
    assert negation.accuracy["positive"] >= at_least("negation_positive")
    assert negation.accuracy["negative"] >= at_least("negation_negative")
    assert scores["imdb"]["accuracy"] >= at_least("imdb")
    # chosen on dev: the negation dev set (260 sentences) is stored with the head, per label too
    dev = label_balance(ClassificationReport.from_dict(scores["negation-dev"]))
    assert dev.support == {"negative": 130, "positive": 130} and dev.accuracy["positive"] > 0.7
    bow = default.extra["baselines"]
    # above the bag of words on rt test, and 15 points above it on negation
    assert default.result.test.accuracy > bow["rt"]["rt"]
    assert scores["negation"]["accuracy"] >= bow["rt"]["negation"] + 0.15 - 1e-9
    assert set(bow) == {"rt", "mixture"} and all(0.4 < v["rt"] < 0.9 for v in bow.values())


def test_the_report_table_gives_every_head_per_label_and_the_default_as_saved():
    from elmo_core.registry import bundled_model_dir
    from elmo_core.tasks.saved_heads import heads_root, load_head

    report = (heads_root(bundled_model_dir("mini")) / "REPORT.md").read_text(encoding="utf-8")
    assert "| negation test positives | negation test negatives | negation test called positive |" in report
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]] for line in report.splitlines()
            if line.startswith("| ") and ("GloVe" in line or "bag of words" in line)}
    single = float(rows["GloVe ⊕ ELMo, frozen biLM, attention pooling"][0])  # one head, seed 0
    ensemble = float(rows["GloVe ⊕ ELMo, frozen biLM, attention pooling, 4 seeds averaged"][0])
    weight = load_head(heads_root(bundled_model_dir("mini")) / "feature").ngram_weight
    default = rows[f"GloVe ⊕ ELMo, frozen biLM, attention pooling, 4 seeds averaged, + n-grams × {weight:g} **(default)**"]
    assert ensemble > single and float(default[0]) > float(rows["bag of words, trained on rt"][0])
    saved = load_head(heads_root(bundled_model_dir("mini")) / "feature")
    assert saved.result.test.accuracy == pytest.approx(float(default[0]), abs=5e-4)
    negation = label_balance(ClassificationReport.from_dict(saved.extra["scores"]["negation"]))
    assert [float(default[3]), float(default[4])] == pytest.approx(
        [negation.accuracy["positive"], negation.accuracy["negative"]], abs=5e-4)
    assert default[5] == f"{100 * negation.predicted_share['positive']:.0f} %"
