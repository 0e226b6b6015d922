"""Quality checks of the shipped default model `mini` (the numbers of its MODEL_CARD)."""
from __future__ import annotations

import numpy as np
import pytest

from elmo_core import quality


def test_layer0_context_free_and_saw_differs_at_contextual_layers(mini):
    check = quality.polysemy_check(mini)
    assert check.layer0_max_difference == 0.0
    assert check.cosine_per_layer[0] == pytest.approx(1.0, abs=1e-6)
    assert check.cosine_per_layer[1] < 0.99 and check.cosine_per_layer[2] < 0.99


def test_layer0_identical_in_every_context(mini):
    sentences = [["The", "bank", "was", "closed", "."], ["We", "sat", "on", "the", "river", "bank", "."],
                 ["bank"], ["They", "bank", "with", "us", "and", "the", "bank", "is", "new", "."]]
    vectors = mini.embed(sentences)
    reference = vectors[0][0, 1]
    for v, i in ((vectors[1], 5), (vectors[2], 0), (vectors[3], 1), (vectors[3], 6)):
        np.testing.assert_array_equal(v[0, i], reference)


def test_pos_probe_layer1_beats_layer0(mini):
    result = quality.pos_probe(mini)
    print("POS accuracy per layer:", result.accuracy_per_layer)
    assert result.accuracy_per_layer[1] > result.accuracy_per_layer[0]
    assert min(result.accuracy_per_layer) > result.chance


def test_sense_classification_contextual_beats_layer0(mini):
    result, per_word = quality.sense_probe(mini)
    print("sense accuracy per layer:", result.accuracy_per_layer)
    assert len(per_word) >= 30
    assert max(result.accuracy_per_layer[1:]) > result.accuracy_per_layer[0]
