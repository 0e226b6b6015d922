"""Static word vectors beside ELMo ([x_k; ELMo_k]) and calibrated probabilities."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from elmo_core.datasets.glove import StaticVectors
from elmo_core.tasks.calibration import expected_calibration_error, fit_temperature, is_uncertain, softmax
from elmo_core.tasks.config import TaskConfig
from elmo_core.tasks.head_networks import HeadConfig, build_head
from elmo_core.tasks.static_inputs import (EmptyLayers, StaticSource, load_vectors, save_vectors, static_batch,
                                           trim_vectors)


def table() -> StaticVectors:
    words = ["the", "good", "bad", "film", "not"]
    vectors = np.arange(len(words) * 4, dtype=np.float32).reshape(len(words), 4) + 1
    return StaticVectors("toy", vectors, {w: i for i, w in enumerate(words)})


def test_static_batch_looks_up_lowercased_and_zero_pads():
    batch = static_batch(table(), [["The", "GOOD", "qwzx"], ["bad"]], 3)
    assert batch.shape == (2, 3, 4)
    assert torch.equal(batch[0, 0], torch.tensor([1.0, 2, 3, 4])) and torch.equal(batch[0, 1], torch.tensor([5.0, 6, 7, 8]))
    assert not batch[0, 2].any() and not batch[1, 1:].any()  # unknown word and padding are zeros


def test_trimmed_table_keeps_top_rows_and_corpus_words_and_round_trips(tmp_path):
    trimmed = trim_vectors(table(), [["Film", "unknown"]], top=2)
    assert set(trimmed.index) == {"the", "good", "film"}
    assert np.array_equal(trimmed.lookup(["film"])[0], table().lookup(["film"])[0])
    save_vectors(trimmed, tmp_path / "v.npz")
    back = load_vectors(tmp_path / "v.npz")
    assert back.index == trimmed.index and back.name == "toy"
    assert np.allclose(back.vectors, trimmed.vectors)  # float16 on disk; these values are exact


@pytest.mark.parametrize("inputs,width", [("static", 4), ("elmo", 6), ("static+elmo", 10)])
def test_heads_read_static_vectors_beside_the_mix(inputs, width):
    config = HeadConfig(task="sentiment", num_layers=3, dim=6, num_classes=2, pooling="bilstm",
                        static_dim=0 if inputs == "elmo" else 4, use_elmo=inputs != "static")
    assert config.input_dim == width
    head = build_head(config).eval()
    assert head.encoder.input_size == width
    layers, mask = torch.randn(3, 2, 5, 6), torch.ones(2, 5, dtype=torch.bool)
    static = torch.randn(2, 5, 4) if config.static_dim else None
    logits = head(layers, mask, static)
    assert logits.shape == (2, 2)
    if config.static_dim:
        with pytest.raises(ValueError, match="static word vectors"):
            head(layers, mask)
    if inputs == "static":
        assert head.mix.weights() == []  # no layer mix to learn or show
        # the biLM layers do not matter at all
        assert torch.allclose(head(torch.zeros(0, 2, 5, 1), mask, static), logits)


def test_static_only_head_config_is_validated():
    with pytest.raises(ValueError, match="layers, static vectors, or both"):
        HeadConfig(task="sentiment", num_layers=3, dim=6, num_classes=2, use_elmo=False)
    with pytest.raises(ValueError, match="inputs must be one of"):
        TaskConfig(inputs="word2vec")
    assert TaskConfig(inputs="static").label() == "sentiment/static"
    assert TaskConfig(inputs="static+elmo", mix="layer1").label() == "sentiment/static+elmo/feature/layer1"


def test_static_source_adds_vectors_to_any_layer_source():
    sentences = [["good", "film"], ["not", "good", "film"]]
    source = StaticSource(EmptyLayers(sentences, torch.device("cpu")), sentences, table())
    layers, mask, static = source([1, 0])
    assert layers.shape == (0, 2, 3, 1) and mask.tolist() == [[True, True, True], [True, True, False]]
    assert static.shape == (2, 3, 4) and not static[1, 2].any()
    assert source.lengths() == [2, 3]


def test_temperature_scaling_recovers_an_overconfident_model():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0, 1.5, size=(4000, 2))
    labels = np.array([rng.choice(2, p=p) for p in softmax(true_logits)])
    over = true_logits * 3.0  # a model three times too sure of itself
    t = fit_temperature(over, labels)
    assert 2.6 < t < 3.4
    before = expected_calibration_error(softmax(over), labels)
    after = expected_calibration_error(softmax(over, t), labels)
    assert after < before / 2
    assert np.array_equal(softmax(over, t).argmax(1), over.argmax(1))  # labels never change
    assert fit_temperature(np.zeros((0, 2)), np.zeros(0, dtype=int)) == 1.0
    with pytest.raises(ValueError, match="logits must be"):
        fit_temperature(np.zeros(3), np.zeros(3, dtype=int))


def test_uncertain_band_is_between_0_4_and_0_6():
    assert is_uncertain(np.array([0.45, 0.55])) and is_uncertain(np.array([0.59, 0.41]))
    assert not is_uncertain(np.array([0.3, 0.7])) and not is_uncertain(np.array([0.6, 0.4]))


def test_mixture_table_marks_the_best_mean_of_the_two_dev_sets_not_test():
    from elmo_core.tasks.mixtures import MixtureRow, mixtures_markdown

    def row(name, rt_dev, negation_dev, rt_test, seed=0):
        return MixtureRow(name, seed, 1000, rt_dev, negation_dev, rt_test, 0.5, 0.7, 0.75, 0.5, 0.8, 0.5, 1.0)

    rows = [row("rt", 0.790, 0.50, 0.81), row("rt+imdb-sentences", 0.780, 0.60, 0.78), row("rt+vader", 0.800, 0.45, 0.83)]
    table = mixtures_markdown(rows).splitlines()
    assert len(table) == 2 + len(rows)
    marked = [line for line in table if "best on dev" in line]
    assert marked == [table[3]] and "**rt+imdb-sentences**" in marked[0]  # mean dev 0.690, not the best rt test
    assert rows[1].dev_score == pytest.approx(0.69)
    assert "| 0.780 | 0.600 | 0.690 |" in table[3]

    # two seeds of each: every run is listed, and the best mean (not the best single run) is marked
    runs = [row("rt", 0.80, 0.60, 0.81, 0), row("rt", 0.76, 0.50, 0.77, 1),
            row("rt+vader", 0.79, 0.58, 0.80, 0), row("rt+vader", 0.79, 0.58, 0.80, 1)]
    table = mixtures_markdown(runs).splitlines()
    assert len(table) == 2 + 4 + 2
    assert [line.split(" | ")[1] for line in table[2:]] == ["0", "1", "mean of 2", "0", "1", "mean of 2"]
    assert "**rt+vader** (best on dev)" in table[-1] and "| 0.780 | 0.550 | 0.665 |" in table[4]
