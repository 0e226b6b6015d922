"""Acceptance tests of the sentiment heads shipped with `mini`: the figures of
elmo_core/models/mini/heads/REPORT.md.

The scores are those `elmo-explorer task ship-heads` measured on the test splits and stored with
the head; each bar is the measured value minus a stated margin, so a re-shipped head that is
worse fails here. The targets the heads were built for stay comparisons: rt test accuracy above
the bag of words trained on rt (0.828 against 0.800), and the negation test set at least 15
points above it (0.650 against 0.500). What the head is made of and how it behaves:
test_shipped_sentiment.py.
"""
from __future__ import annotations

import pytest

from elmo_core.sentiment import load_classifier

pytestmark = pytest.mark.acceptance

# The shipped default head's measured accuracies (heads/REPORT.md, the "(default)" row).
MEASURED = {
    "rt_test": 0.828,  # 1,067 rt test snippets
    "negation": 0.650,  # 78 of the 120 sentences of the negation test set
    "imdb": 0.882,  # 500 IMDB test reviews
}
# A head retrained with the same data and seeds moves only through float rounding (thread count,
# BLAS kernels), which flips the odd near-tied prediction. 0.01 is 11 of the 1,067 rt snippets,
# 5 of the 500 reviews and 1 of the 120 negation sentences: room for that noise, not for a worse
# head.
MARGIN = {"rt_test": 0.01, "negation": 0.01, "imdb": 0.01}


def at_least(key: str) -> float:
    """The bar for an accuracy: measured minus its margin."""
    return MEASURED[key] - MARGIN[key]


@pytest.fixture(scope="module")
def default():
    return load_classifier("default")


def test_default_head_scores_as_its_report_says(default):
    scores = default.extra["scores"]
    print("rt test:", default.result.test.accuracy, "negation:", scores["negation"]["accuracy"],
          "IMDB:", scores["imdb"]["accuracy"])
    assert default.result.test.count == 1067
    assert scores["negation"]["count"] == 120 and scores["imdb"]["count"] == 500
    assert default.result.test.accuracy >= at_least("rt_test")
    assert scores["negation"]["accuracy"] >= at_least("negation")
    assert scores["imdb"]["accuracy"] >= at_least("imdb")
    bow = default.extra["baselines"]
    # the targets: above the bag of words on rt test, and 15 points above it on negation
    assert default.result.test.accuracy > bow["rt"]["rt"]
    assert scores["negation"]["accuracy"] >= bow["rt"]["negation"] + 0.15 - 1e-9
    assert set(bow) == {"rt", "mixture"} and all(0.4 < v["rt"] < 0.9 for v in bow.values())


def test_static_and_elmo_together_beat_either_alone_on_rt():
    from elmo_core.tasks.saved_heads import heads_root, load_head
    from elmo_core.registry import bundled_model_dir

    report = (heads_root(bundled_model_dir("mini")) / "REPORT.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): float(line.split("|")[2]) for line in report.splitlines()
            if line.startswith("| ") and ("GloVe" in line or "ELMo" in line or "bag of words" in line)}
    both = rows["GloVe ⊕ ELMo, frozen biLM"]  # one head each, seed 0
    assert both > rows["GloVe only, frozen biLM"] and both > rows["ELMo only, frozen biLM"]
    ensemble = rows["GloVe ⊕ ELMo, frozen biLM, 4 seeds averaged"]
    default = rows["GloVe ⊕ ELMo, frozen biLM, 4 seeds averaged, + n-grams × 2 **(default)**"]
    assert ensemble > both and default > rows["bag of words, trained on rt"]
    saved = load_head(heads_root(bundled_model_dir("mini")) / "feature")
    assert saved.result.test.accuracy == pytest.approx(default, abs=5e-4)
