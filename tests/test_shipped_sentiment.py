"""The shipped default sentiment classifier of `mini` (the numbers of heads/REPORT.md).

Thresholds are the measured values of the shipped head files with a small margin, so a
re-shipped head that is worse fails here. The sentiment issue's targets (rt test above bag of
words, negation 15 points above it) are not reached yet: 0.785 vs 0.800 on rt, 0.617 vs 0.500
(rt-trained) and 0.575 (mixture-trained) on negation; the thresholds below pin what is measured.
The heads are trained on rt + IMDB sentences + rt contrast pairs, the best mixture on dev
(reports/sentiment-mixtures.md).
"""
from __future__ import annotations

import numpy as np
import pytest

from elmo_core.sentiment import load_classifier

# The shipped default head's measured scores (heads/REPORT.md), minus a small margin.
MIN_RT_TEST = 0.775  # measured 0.785
MIN_NEGATION = 0.60  # measured 0.617 (120 sentences)
MIN_IMDB = 0.82  # measured 0.834 (500 reviews)


@pytest.fixture(scope="module")
def default():
    return load_classifier("default")


def test_default_head_reads_static_vectors_and_elmo(default):
    config = default.head.config
    assert config.static_dim == 50 and config.use_elmo  # [GloVe; ELMo] per token, as in the paper
    assert default.static is not None and len(default.static.index) > 30_000
    assert default.result.config["inputs"] == "static+elmo"
    assert 0.05 < default.temperature < 20


def test_default_head_scores_as_its_report_says(default):
    scores = default.extra["scores"]
    assert default.result.test.accuracy >= MIN_RT_TEST and default.result.test.count == 1067
    assert scores["negation"]["count"] == 120 and scores["imdb"]["count"] == 500
    assert scores["negation"]["accuracy"] >= MIN_NEGATION and scores["imdb"]["accuracy"] >= MIN_IMDB
    bow = default.extra["baselines"]
    assert scores["negation"]["accuracy"] > bow["rt"]["negation"]  # word order helps a little
    assert set(bow) == {"rt", "mixture"} and all(0.4 < v["rt"] < 0.9 for v in bow.values())


def test_static_and_elmo_together_beat_either_alone_on_rt():
    from elmo_core.tasks.heads import heads_root, load_head
    from elmo_core.registry import bundled_model_dir

    report = (heads_root(bundled_model_dir("mini")) / "REPORT.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): float(line.split("|")[2]) for line in report.splitlines()
            if line.startswith("| ") and ("GloVe" in line or "ELMo" in line)}
    both = rows["GloVe ⊕ ELMo, frozen biLM **(default)**"]
    assert both > rows["GloVe only, frozen biLM"] and both > rows["ELMo only, frozen biLM"]
    saved = load_head(heads_root(bundled_model_dir("mini")) / "feature")
    assert saved.result.test.accuracy == pytest.approx(both, abs=5e-4)


def test_clear_words_push_the_way_the_prediction_goes(default):
    good = dict(default.token_contributions("This film is wonderful , funny and deeply moving ."))
    assert good["wonderful"] > 0 and good["funny"] > 0
    bad = dict(default.token_contributions("This film is awful , dull and far too long ."))
    assert bad["awful"] < 0 and bad["dull"] < 0
    assert default.predict(["This film is wonderful , funny and deeply moving .",
                            "This film is awful , dull and far too long ."]) == ["positive", "negative"]


def test_negation_flips_the_verdict_of_a_clear_word(default):
    proba = default.predict_proba(["The film is good .", "The film is not good .",
                                   "The film is bad .", "The film is not bad ."])[:, 1]
    assert proba[0] > proba[1] and proba[3] > proba[2]


def test_probabilities_are_calibrated_and_can_be_uncertain(default):
    proba = default.predict_proba(["A wonderful film .", "An awful film ."])
    assert np.allclose(proba.sum(1), 1, atol=1e-5)
    assert default.verdict(proba[0]) == "positive" and default.verdict(proba[1]) == "negative"
    assert default.verdict(np.array([0.45, 0.55])) == "uncertain"
    ece = default.extra["ece_dev"]
    assert ece[1] <= ece[0] + 1e-6  # temperature scaling never made dev calibration worse
