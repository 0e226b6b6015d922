"""
Sense accuracy split by sense kind (part of speech vs topic), the repeat-separation interval,
and the POS probe's per-token outcome: on hand-made vectors where the answer is known, and on
the bundled model, where part-of-speech senses separate far better than topic senses.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from elmo_core.analysis.repeats import separation_interval
from elmo_core.datasets.sense_sentences import load_curated
from elmo_core.analysis.sense_kinds import PART_OF_SPEECH, TOPIC, accuracy_by_sense_kind, kind_accuracy, sense_kind


@dataclass(frozen=True)
class Labelled:
    word: str
    sense: str
    pos: str


def sentences_and_vectors(rng: np.random.Generator):
    """'saw' (verb / noun) with well separated senses, 'bank' (two nouns) with mixed ones."""
    rows, vectors = [], []
    for sense, pos, centre in (("saw.v.see", "VERB", 5.0), ("saw.n.tool", "NOUN", -5.0)):
        for _ in range(6):
            rows.append(Labelled("saw", sense, pos))
            vectors.append(np.r_[centre, rng.normal(size=3)])
    for sense in ("bank.n.river", "bank.n.money"):
        for _ in range(6):
            rows.append(Labelled("bank", sense, "NOUN"))
            vectors.append(rng.normal(size=4))
    one_layer = np.stack(vectors)  # (24, 4)
    return rows, np.stack([np.zeros_like(one_layer) + 1.0, one_layer])  # layer 0 blind, layer 1 informative


def test_kinds_are_told_apart_and_scored_on_their_own_words():
    rows, vectors = sentences_and_vectors(np.random.default_rng(0))
    assert sense_kind(rows[:12]) == PART_OF_SPEECH and sense_kind(rows[12:]) == TOPIC
    kinds = accuracy_by_sense_kind(vectors, rows)
    assert set(kinds) == {PART_OF_SPEECH, TOPIC}
    pos, topic = kinds[PART_OF_SPEECH], kinds[TOPIC]
    assert pos.words == ("saw",) and topic.words == ("bank",) and pos.n == topic.n == 12
    assert pos.per_layer[1] == 1.0 and pos.intervals[1].low > pos.chance
    assert topic.per_layer[1] < pos.per_layer[1]
    assert pos.top_vs_below.mean == pytest.approx(pos.per_layer[1] - pos.per_layer[0])
    again = kind_accuracy(PART_OF_SPEECH, pos.words, pos.correct, pos.chance)
    assert again.per_layer == pos.per_layer and again.intervals == pos.intervals


def test_bad_vectors_are_refused():
    rows, vectors = sentences_and_vectors(np.random.default_rng(0))
    with pytest.raises(ValueError, match="expected"):
        accuracy_by_sense_kind(vectors[:, :5], rows)


def test_separation_interval_brackets_its_estimate_and_tells_blind_from_separated():
    rng = np.random.default_rng(1)
    apart = separation_interval(rng.normal(0.5, 0.05, 14), rng.normal(0.9, 0.05, 12))
    assert apart.mean == pytest.approx(1.0) and apart.low > 0.5
    blind = separation_interval(np.ones(14), np.ones(12))  # a context-free layer: every cosine is 1
    assert blind.mean == pytest.approx(0.5) and blind.low <= 0.5 <= blind.high
    mixed = separation_interval(rng.normal(0.8, 0.1, 14), rng.normal(0.8, 0.1, 12))
    assert mixed.low < mixed.mean < mixed.high and mixed.low <= 0.5 <= mixed.high  # one distribution: no verdict


def test_mini_separates_part_of_speech_senses_better_than_topic_senses(mini):
    sentences = load_curated()
    embedded = mini.embed([list(s.tokens) for s in sentences])
    vectors = np.stack([v[:, s.target_index] for v, s in zip(embedded, sentences)], axis=1)
    kinds = accuracy_by_sense_kind(vectors, sentences)
    pos, topic = kinds[PART_OF_SPEECH], kinds[TOPIC]
    assert pos.n + topic.n == len(sentences)
    assert pos.intervals[2].low > topic.intervals[2].high  # measured: 0.96 vs 0.73 at layer 2
    assert max(pos.per_layer[0], topic.per_layer[0]) < 0.6  # layer 0 sees spelling only
