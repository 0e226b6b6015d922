"""A layer's margin over the bag of context words, with the noise of a small sense set in view:
paired bootstrap intervals, the card section that shows them, and `quality --update-card`."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from elmo_core.analysis.margins import Margin, margin_verdict, sentence_margin, word_margin
from elmo_core.cli import main as cli_main
from elmo_core.registry import bundled_model_dir
from elmo_core.tasks.ship import update_model_card
from elmo_core.training.model_card import MARGIN_HEADING, sense_margin_section


def test_sentence_margin_is_paired_and_its_interval_shrinks_with_more_sentences():
    same = [np.array([1.0, 0.0, 1.0, 1.0])] * 3
    tie = sentence_margin(same, same)
    assert (tie.mean, tie.low, tie.high, tie.verdict) == (0.0, 0.0, 0.0, "same within noise")
    always = sentence_margin([np.ones(5), np.ones(7)], [np.zeros(5), np.zeros(7)])
    assert (always.mean, always.low, always.high, always.verdict) == (1.0, 1.0, 1.0, "ahead")
    assert sentence_margin([np.zeros(5)], [np.ones(5)]).verdict == "behind"
    # One word of 12 sentences where the model is right on one more: +1/12, well within noise.
    rng = np.random.default_rng(1)
    baseline = (rng.random(12) < 0.7).astype(float)
    model = baseline.copy()
    model[np.flatnonzero(baseline == 0)[0]] = 1.0
    small = sentence_margin([model], [baseline])
    assert small.mean == pytest.approx(1 / 12) and small.low <= 0 < small.high
    # Ten times the sentences with the same share of wins: the same mean, a narrower interval that leaves out 0.
    large = sentence_margin([np.tile(model, 10)], [np.tile(baseline, 10)])
    assert large.mean == pytest.approx(small.mean) and large.high - large.low < small.high - small.low
    assert large.verdict == "ahead"
    # The mean is over words, each the mean of its own sentences (as the sense score is).
    uneven = sentence_margin([np.ones(2), np.zeros(10)], [np.zeros(2), np.zeros(10)])
    assert uneven.mean == pytest.approx(0.5)
    assert sentence_margin([model], [baseline], seed=3) == sentence_margin([model], [baseline], seed=3)


def test_word_margin_leaves_out_words_without_a_score():
    model = np.array([0.7, 0.8, np.nan, 0.9])
    baseline = np.array([0.6, 0.6, 0.6, np.nan])
    margin = word_margin(model, baseline)
    assert margin.mean == pytest.approx(0.15) and 0.1 - 1e-9 <= margin.low <= margin.high <= 0.2 + 1e-9
    assert margin.verdict == "ahead"
    with pytest.raises(ValueError, match="no word"):
        word_margin(np.array([np.nan]), np.array([0.5]))
    with pytest.raises(ValueError, match="n_words"):
        word_margin(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="same, non-empty"):
        sentence_margin([], [])
    with pytest.raises(ValueError, match="one score per sentence"):
        sentence_margin([np.ones(3)], [np.ones(2)])


def test_verdict_needs_the_whole_interval_on_one_side():
    assert margin_verdict(0.001, 0.2) == "ahead" and margin_verdict(-0.2, -0.01) == "behind"
    assert margin_verdict(0.0, 0.2) == "same within noise" == Margin(0.1, -0.01, 0.2).verdict
    assert "interval -0.010 to +0.200" in Margin(0.1, -0.01, 0.2).describe()


def _report(n_sentences: int, margins: list[tuple[float, float, float]]) -> dict:
    return {"n_sentences": n_sentences,
            "margin_per_layer": [{"mean": m, "low": lo, "high": hi, "level": 0.95} for m, lo, hi in margins]}


def test_card_section_rows_verdicts_and_placement(tmp_path):
    checks = {"senses_curated": _report(741, [(0.0, 0.0, 0.0), (0.025, -0.009, 0.06), (0.1, 0.02, 0.2)]),
              "senses_wordnet": _report(1906, [(0.0, 0.0, 0.0), (-0.05, -0.08, -0.01), (0.0, -0.03, 0.03)])}
    section = sense_margin_section(checks)
    lines = section.splitlines()
    assert lines[0] == MARGIN_HEADING and "| layer 1 | layer 2 |" in section  # layer 0 is not compared
    assert "| curated set, leave-one-out accuracy (741) | +0.025 (-0.009 to +0.060), same within noise | " \
           "+0.100 (+0.020 to +0.200), ahead |" in lines
    assert "| WordNet noun supersenses, pair ranking (1,906) | -0.050 (-0.080 to -0.010), behind |" in section
    assert "unseen" not in section and sense_margin_section({"senses": {}}) == ""
    card = tmp_path / "MODEL_CARD.md"
    card.write_text("# Card\n\n## Quality checks\n\nx\n\n## Sentiment heads\n\ny\n\n## Perplexity during training\n")
    before = ("## GloVe ablation", "## Sentiment heads", "## Perplexity during training")
    assert update_model_card(card, section, before=before)
    text = card.read_text()
    assert text.index("## Quality checks") < text.index(MARGIN_HEADING) < text.index("## Sentiment heads")
    checks["senses_curated"]["n_sentences"] = 742  # a second update replaces the section, once
    assert update_model_card(card, sense_margin_section(checks), before=before)
    text = card.read_text()
    assert text.count(MARGIN_HEADING) == 1 and "(742)" in text and "(741)" not in text
    assert not update_model_card(tmp_path / "none.md", section)


def test_quality_update_card_writes_the_measured_margins(tmp_path, capsys):
    model = tmp_path / "mini"
    shutil.copytree(bundled_model_dir("mini"), model, ignore=shutil.ignore_patterns("heads"))
    card = model / "MODEL_CARD.md"
    lines = card.read_text().splitlines()
    if MARGIN_HEADING in lines:  # start from a card without the section
        start = lines.index(MARGIN_HEADING)
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("## "))
        card.write_text("\n".join(lines[:start] + lines[end:]) + "\n")
    assert cli_main(["quality", str(model), "--update-card"]) == 0
    out, err = capsys.readouterr()
    assert "updated" in err and str(tmp_path) not in err
    text = card.read_text()
    assert text.count(MARGIN_HEADING) == 1 and text.index(MARGIN_HEADING) < text.index("## GloVe ablation")
    assert "| unseen set, leave-one-out accuracy (180) |" in text and "WordNet noun supersenses" in text
    (model / "MODEL_CARD.md").unlink()
    assert cli_main(["quality", str(model), "--update-card"]) == 1
    assert "no MODEL_CARD.md" in capsys.readouterr().err


def test_a_model_against_itself_and_against_the_reference_fixture(reference_dir):
    """`compare_models` pairs two models over the same sentences: a model against itself differs
    by exactly nothing; two different models give intervals around their difference."""
    from elmo_core import quality
    from elmo_core.loading import load
    from elmo_core.datasets.sense_sentences import load_unseen

    mini = load("mini")
    same = quality.compare_models(mini, mini, load_unseen())
    assert same.n_sentences == 180 and same.n_words == 15
    for margin in same.accuracy_margin_per_layer + same.pair_ranking_margin_per_layer:
        assert (margin.mean, margin.low, margin.high, margin.verdict) == (0.0, 0.0, 0.0, "same within noise")
    reference = load(str(reference_dir))  # the public release's tiny test model
    other = quality.compare_models(mini, reference, load_unseen())
    report, theirs = quality.unseen_sense_report(mini), quality.unseen_sense_report(reference)
    for k in (1, 2):
        margin = other.accuracy_margin_per_layer[k]
        assert margin.mean == pytest.approx(report.accuracy_per_layer[k] - theirs.accuracy_per_layer[k])
        assert margin.low <= margin.mean <= margin.high
    assert quality.compare_models(mini, mini, load_unseen(), accuracy=False).accuracy_margin_per_layer is None


def test_quality_against_prints_the_paired_comparison(capsys):
    import json

    assert cli_main(["quality", "mini", "--against", "mini"]) == 0
    results = json.loads(capsys.readouterr().out)
    against = results["against"]
    assert against["model"] == "mini" and set(against) == {"model", "curated", "unseen", "wordnet"}
    assert against["wordnet"]["accuracy_margin_per_layer"] is None
    assert all(m["mean"] == 0.0 for m in against["curated"]["pair_ranking_margin_per_layer"])
    assert results["senses_unseen"]["margin_per_layer"][1]["low"] < 0 < results["senses_unseen"]["margin_per_layer"][1]["high"]
