"""The shipped default sentiment classifier of `mini` (the numbers of heads/REPORT.md).

Thresholds are the measured values of the shipped head files with a small margin, so a
re-shipped head that is worse fails here, and the sentiment issue's two targets are tests: rt
test accuracy above the bag of words trained on rt (0.828 against 0.800) and the negation test
set at least 15 points above it (0.650 against 0.500). The default head is four GloVe ⊕ ELMo
heads (seeds 0-3, logits averaged) plus a negation-marked n-gram member at weight 2, all chosen
on dev; trained on rt + IMDB sentences + rt contrast pairs + negation frames, the best mixture on
dev (reports/sentiment-mixtures.md).
"""
from __future__ import annotations

import numpy as np
import pytest

from elmo_core.sentiment import load_classifier

# The shipped default head's measured scores (heads/REPORT.md), minus a small margin.
MIN_RT_TEST = 0.815  # measured 0.828 (the heads of the previous weights: 0.815)
MIN_NEGATION = 0.65  # measured 0.650 (78 of 120 sentences; previous weights 0.658): the target, bag of words on rt + 0.15
MIN_IMDB = 0.87  # measured 0.882 (500 reviews)


@pytest.fixture(scope="module")
def default():
    return load_classifier("default")


def test_default_head_reads_static_vectors_and_elmo(default):
    config = default.head.config
    assert config.static_dim == 50 and config.use_elmo  # [GloVe; ELMo] per token, as in the paper
    assert config.members == len(default.head.members) == 4  # four seeds, logits averaged
    assert default.ngram is not None and default.ngram_weight == 2.0  # the n-gram member, weight chosen on dev
    assert "NOT_bad" in default.ngram.features
    assert default.static is not None and len(default.static.index) > 30_000
    assert default.result.config["inputs"] == "static+elmo"
    assert 0.05 < default.temperature < 20


def test_default_head_scores_as_its_report_says(default):
    scores = default.extra["scores"]
    assert default.result.test.accuracy >= MIN_RT_TEST and default.result.test.count == 1067
    assert scores["negation"]["count"] == 120 and scores["imdb"]["count"] == 500
    assert scores["negation"]["accuracy"] >= MIN_NEGATION and scores["imdb"]["accuracy"] >= MIN_IMDB
    bow = default.extra["baselines"]
    # the targets: above bag of words on rt test, and 15 points above it on negation
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
