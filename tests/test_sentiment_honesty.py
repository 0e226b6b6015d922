"""
Honest sentiment: when a text holds a negation or contrast cue, the Sentiment page
states the shipped head's measured accuracy on the project's negation test set (read from the
head's shipped scores, with a Wilson interval and chance) beside the probability; the token
colours are explained in plain words; no CLI command is left on the pages.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from elmo_core.tasks.classifier import load_classifier
from elmo_core.analysis.intervals import wilson_interval
from elmo_core.tasks.hard_cases import hard_case_accuracy, sentiment_cues

REPO = Path(__file__).resolve().parents[1]
SENTIMENT = str(REPO / "elmo_explorer_ui" / "pages" / "4_Sentiment.py")


def test_cues_find_negations_and_contrasts_only():
    assert sentiment_cues("Not a bad film at all .".split()).negations == ("Not",)
    assert sentiment_cues("I didn't expect much .".split()).negations == ("didn't",)
    assert sentiment_cues("Slow at first , but wonderful .".split()).contrasts == ("but",)
    assert not sentiment_cues("A gorgeous , witty movie .".split()).any


def test_the_negation_interval_is_the_wilson_interval_of_the_shipped_score(shipped):
    interval = wilson_interval(round(shipped.accuracy * shipped.count), shipped.count)
    assert (shipped.low, shipped.high) == (interval.low, interval.high)
    assert shipped.low < shipped.accuracy < shipped.high and shipped.chance == 0.5


@pytest.fixture(scope="module")
def shipped():
    clf = load_classifier("feature", model="mini")
    hard = hard_case_accuracy(clf.extra, clf.result.test.accuracy)
    assert hard is not None and hard.count == 120  # the shipped report's negation test set
    return hard


@pytest.fixture(scope="module")
def page():
    at = AppTest.from_file(SENTIMENT, default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def classify(at: AppTest, text: str) -> str:
    at.text_area(key="sentiment_text").set_value(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return " ".join(w.value for w in at.warning)


def test_a_negated_sentence_shows_the_measured_negation_accuracy(page, shipped):
    said = classify(page, "Not a bad film at all .")
    assert "holds a negation (“Not”)" in said
    assert f"{shipped.count} test sentences" in said and f"right on {shipped.accuracy:.0%}" in said
    # one accuracy hides a one-sided head: both labels' accuracy is said, read off the confusion matrix
    assert set(shipped.per_label) == {"positive", "negative"}
    assert f"by true label: {shipped.per_label_text()}" in said
    assert f"95% interval {shipped.low:.0%}–{shipped.high:.0%}" in said and f"{shipped.chance:.0%}" in said
    assert f"{shipped.main_accuracy:.0%} on the rt test snippets" in said


def test_a_plain_sentence_shows_no_such_note_and_contributions_are_explained(page):
    said = classify(page, "A gorgeous film .")
    assert "negation" not in said and "contrast" not in said
    explained = " ".join(c.value for c in page.caption)
    assert "when that one word is left out" in explained and "Here the largest change comes from “gorgeous”" in explained
    # three clear words and p(positive) above 0.999: each is redundant, and the page says so
    classify(page, "A gorgeous , witty , moving film .")
    explained = " ".join(c.value for c in page.caption)
    assert "Here no single word changes the probability by more than rounding." in explained


@pytest.mark.parametrize("name", ["2_UMAP_explorer.py", "3_Models.py", "4_Sentiment.py", "5_Scalar_mix_lab.py"])
def test_no_cli_command_on_the_pages(name):
    assert "elmo-explorer " not in (REPO / "elmo_explorer_ui" / "pages" / name).read_text(encoding="utf-8")
