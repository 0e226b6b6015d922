"""Quality checks of the shipped default model `mini` (the numbers of its MODEL_CARD).

The thresholds are the measured values of the shipped weights with a small margin, so a
re-export that loses quality fails here; where the model misses an issue target, the test
asserts what it does reach (the card and the issue note give the gap)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from elmo_core import quality
from elmo_core.corpus.build import MAX_TOKENS, MIN_TOKENS, is_heldout
from elmo_core.cache import cache_dir
from elmo_core.corpus.readers import get_source
from elmo_core.registry import bundled_model_dir
from elmo_core.tokenizer import tokenize
from elmo_core.training.heldout import lm_from_model_dir, per_source_perplexity

# Measured on the shipped weights (MODEL_CARD.md), minus a small margin.
SAW_LAYER1_MAX = 0.89  # 0.872 (the GPU-trained v3: 0.874, mini v2: 0.803)
SAW_LAYER2_MAX = 0.83  # 0.804 (v3: 0.818, mini v2: 0.785)
POS_LAYER1_MIN = 0.95  # 0.954 (the target; v3: 0.958)
SENSE_BEST_MIN = 0.84  # 0.856 (v3: 0.823)
UNSEEN_BEST_MIN = 0.73  # 0.750 (v3: 0.728; the bag of context words: 0.733)
WORDNET_AUC_BEST_MIN = 0.56  # 0.576 (v3: 0.571; the bag of context words: 0.580)
SOTU_PPL_MAX = 90.0  # 86.5 / 86.5 on the card's SOTU split (v3: 79.2 / 79.9, mini v2: 102.9, the first mini: about 230)


def test_layer0_context_free_and_saw_differs_at_contextual_layers(mini):
    check = quality.polysemy_check(mini)
    assert check.layer0_max_difference == 0.0
    assert check.cosine_per_layer[0] == pytest.approx(1.0, abs=1e-6)
    assert check.cosine_per_layer[1] < SAW_LAYER1_MAX and check.cosine_per_layer[2] < SAW_LAYER2_MAX


def test_layer0_identical_in_every_context(mini):
    sentences = [["The", "bank", "was", "closed", "."], ["We", "sat", "on", "the", "river", "bank", "."],
                 ["bank"], ["They", "bank", "with", "us", "and", "the", "bank", "is", "new", "."]]
    vectors = mini.embed(sentences)
    reference = vectors[0][0, 1]
    for v, i in ((vectors[1], 5), (vectors[2], 0), (vectors[3], 1), (vectors[3], 6)):
        np.testing.assert_array_equal(v[0, i], reference)


def test_pos_probe_layer1_reaches_the_target_and_beats_layer0(mini):
    result = quality.pos_probe(mini)
    print("POS accuracy per layer:", result.accuracy_per_layer)
    assert result.accuracy_per_layer[1] >= POS_LAYER1_MIN
    assert result.accuracy_per_layer[0] < result.accuracy_per_layer[1]
    assert min(result.accuracy_per_layer) > result.chance


def test_sense_classification_layer0_at_chance_contextual_layers_far_above(mini):
    result, per_word = quality.sense_probe(mini)
    print("sense accuracy per layer:", result.accuracy_per_layer)
    assert len(per_word) >= 30
    assert result.accuracy_per_layer[0] == pytest.approx(result.chance, abs=0.01)  # one vector per spelling
    assert max(result.accuracy_per_layer[1:]) >= SENSE_BEST_MIN
    baseline = quality.context_baseline_probe()
    assert max(result.accuracy_per_layer[1:]) > baseline.accuracy  # beats GloVe context words alone


def test_context_words_baseline_and_unseen_polysemy_set(mini):
    baseline = quality.context_baseline_probe()
    assert 0.7 < baseline.accuracy < 0.9  # GloVe context words alone: the bar the card compares with
    unseen = quality.unseen_sense_report(mini)
    print("unseen:", unseen.accuracy_per_layer, "baseline", unseen.context_words_baseline)
    assert unseen.accuracy_per_layer[0] == pytest.approx(unseen.chance, abs=0.01)
    assert max(unseen.accuracy_per_layer[1:]) >= UNSEEN_BEST_MIN
    assert max(unseen.accuracy_per_layer[1:]) > unseen.context_words_baseline  # the bar, by the means
    # Paired against the baseline on the same 180 sentences: +0.006 / +0.017, 95% intervals about
    # +-0.08 wide (MODEL_CARD "Senses against the bag of context words"): not behind it, and not
    # ahead of it beyond the noise of 180 sentences either.
    for layer in (1, 2):
        margin = unseen.margin_per_layer[layer]
        assert margin.mean == pytest.approx(unseen.accuracy_per_layer[layer] - unseen.context_words_baseline)
        assert margin.low < margin.mean < margin.high and margin.verdict != "behind"


def test_curated_pair_ranking_ahead_of_the_context_words(mini):
    from elmo_core.datasets.sense_sentences import load_curated

    report = quality.pair_ranking_report(mini, load_curated())
    print("curated pair ranking:", report.auc_per_layer, "margins", [m.describe() for m in report.margin_per_layer])
    assert [m.verdict for m in report.margin_per_layer[1:]] == ["ahead", "ahead"]  # +0.100 / +0.114


def test_wordnet_supersense_pair_ranking(mini, wordnet):
    report = quality.wordnet_sense_report(mini)
    print("WordNet supersenses, pair ranking:", report.auc_per_layer, "baseline", report.context_words_auc)
    assert report.auc_per_layer[0] < min(report.auc_per_layer[1:])  # context separates, a little
    assert max(report.auc_per_layer[1:]) >= WORDNET_AUC_BEST_MIN
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
    assert result["forward_ppl"] < SOTU_PPL_MAX and result["backward_ppl"] < SOTU_PPL_MAX
