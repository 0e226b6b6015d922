"""The path of one word through the network (elmo_core.analysis.word_path) against the model itself."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import elmo_core
from elmo_core.bilm import BiLM
from elmo_core.chars import batch_to_ids, token_to_ids
from elmo_core.analysis.word_path import MAX_TOKENS, word_path

SENTENCE = ["I", "saw", "a", "saw", "."]


@pytest.fixture(scope="module")
def fixture_bilm(reference_dir):
    return elmo_core.load_files(reference_dir / "options.json", reference_dir / "lm_weights.hdf5", device="cpu")


def _pooled_by_module(cnn, word: str) -> np.ndarray:
    """What the CharCNN itself feeds its first highway layer (or its projection) for ``word``."""
    captured = []
    target = cnn.highways[0] if len(cnn.highways) else cnn.projection
    handle = target.register_forward_pre_hook(lambda module, args: captured.append(args[0].detach().clone()))
    try:
        ids = torch.from_numpy(token_to_ids(word, cnn.config.max_characters_per_token)).view(1, 1, -1)
        with torch.no_grad():
            cnn(ids)
    finally:
        handle.remove()
    return captured[0][0].numpy()


@pytest.mark.parametrize("position", range(len(SENTENCE)))
def test_layers_equal_embed_in_warm_mode(mini, position):
    assert mini.state_mode == "warm"
    path = word_path(mini, SENTENCE, position)
    expected = mini.embed([SENTENCE])[0][:, position]  # (3, 256)
    assert path.state == "warm" and path.word == SENTENCE[position]
    np.testing.assert_allclose(path.layers, expected, atol=1e-5)
    p = mini.config.lstm.projection_dim
    np.testing.assert_allclose(path.layer0.vector, expected[0, :p], atol=1e-5)
    np.testing.assert_allclose(path.layer0.vector, expected[0, p:], atol=1e-5)  # [tok; tok]
    for step in path.lstm:
        np.testing.assert_allclose(step.vector, expected[step.layer], atol=1e-5)
        np.testing.assert_allclose(np.concatenate([step.forward.output, step.backward.output]),
                                   expected[step.layer], atol=1e-5)
    # with skip connections, layer 2's own hidden state is its output minus layer 1's output
    np.testing.assert_allclose(path.lstm[1].forward.hidden, expected[2, :p] - expected[1, :p], atol=1e-5)


def test_zero_state_matches_bilm_and_bare_model(mini):
    zero = BiLM(mini.model, state="zero", device="cpu", name="mini")
    from_bilm = word_path(zero, SENTENCE, 3)
    from_model = word_path(mini.model, SENTENCE, 3)
    assert from_bilm.state == from_model.state == "zero"
    np.testing.assert_allclose(from_bilm.layers, zero.embed([SENTENCE])[0][:, 3], atol=1e-5)
    with torch.no_grad():
        forward = mini.model(batch_to_ids([SENTENCE])).layers[:, 0, 3].numpy()
    np.testing.assert_allclose(from_model.layers, forward, atol=1e-5)
    warm = word_path(mini.model, SENTENCE, 3, state="warm")  # a bare model can be warmed too
    np.testing.assert_allclose(warm.layers, word_path(mini, SENTENCE, 3).layers, atol=1e-5)
    assert not np.allclose(warm.layers[1], from_model.layers[1], atol=1e-3)  # the start state matters


def test_carry_mode_is_read_as_warm_and_left_alone(mini):
    carry = BiLM(mini.model, state="carry", device="cpu", name="mini")
    carry.embed([["The", "dog", "barked", "."]])
    carried = carry._carried.hidden.clone()
    path = word_path(carry, SENTENCE, 1)
    assert path.state == "warm"
    np.testing.assert_allclose(path.layers, word_path(mini, SENTENCE, 1).layers, atol=1e-5)
    assert torch.equal(carry._carried.hidden, carried)
    with pytest.raises(ValueError, match="state must be one of"):
        word_path(carry, SENTENCE, 1, state="carry")


@pytest.mark.parametrize("word", ["saw", "unbelievably", "café", "Straße"])
def test_filter_maxima_match_the_char_cnn(mini, word):
    cnn = mini.model.char_cnn
    path = word_path(mini, [word], 0, top_filters=cnn.config.n_filters)
    assert path.char_cnn.maxima.shape == (cnn.config.n_filters,) == (sum(n for _, n in path.char_cnn.filters),)
    np.testing.assert_allclose(path.char_cnn.maxima, _pooled_by_module(cnn, word), atol=1e-5)
    with torch.no_grad():
        token = cnn(torch.from_numpy(token_to_ids(word)).view(1, 1, -1))[0, 0].numpy()
    np.testing.assert_allclose(path.layer0.vector, token, atol=1e-5)
    top = path.char_cnn.top
    assert len(top) == cnn.config.n_filters
    assert [hit.activation for hit in top] == sorted((hit.activation for hit in top), reverse=True)
    assert path.characters.marked_word == f"⟨{word}⟩"
    for hit in top:
        assert hit.text in path.characters.marked_word
        assert hit.activation == pytest.approx(float(path.char_cnn.maxima[hit.filter]))
        assert path.char_cnn.filters[hit.bank][0] == hit.width
        assert 0 <= hit.start <= path.characters.max_characters - hit.width


def test_ngram_is_the_window_where_the_filter_peaks(mini):
    path = word_path(mini, SENTENCE, 1, top_filters=3)
    chars = path.characters
    assert chars.ids.shape == (mini.config.char_cnn.max_characters_per_token,) == (50,)
    assert chars.labels[:6] == ("⟨", "s", "a", "w", "⟩", "·") and chars.n_used == 5
    assert len(path.char_cnn.top) == 3
    for hit in path.char_cnn.top:
        inside = "".join(chars.labels[hit.start: min(hit.start + hit.width, chars.n_used)])
        assert hit.text == inside and hit.padding == max(0, hit.start + hit.width - chars.n_used)
        # the plain convolution at that window, activated, is the filter's maximum
        cnn = mini.model.char_cnn
        conv = cnn.convolutions[hit.bank]
        with torch.no_grad():
            window = cnn.char_embedding[torch.from_numpy(np.array(chars.ids[hit.start: hit.start + hit.width]))]
            local = hit.filter - sum(n for _, n in path.char_cnn.filters[: hit.bank])
            value = (conv.weight[local] * window.t()).sum() + conv.bias[local]
        assert torch.relu(value).item() == pytest.approx(hit.activation, abs=1e-5)


def test_context_use_for_saw(mini):
    path = word_path(mini, SENTENCE, 1)
    assert path.context_cosines.shape == (3,)
    assert path.context_cosines[0] == pytest.approx(1.0, abs=1e-6)
    assert path.context_cosines[1] < 0.999 and path.context_cosines[2] < 0.999
    for step in path.lstm:
        assert step.forward.read == ("I", "saw")
        assert step.backward.read == ("saw", "a", "saw", ".")
        assert step.forward.context_cosine < 0.999 and step.backward.context_cosine < 0.999
        assert step.forward.norm == pytest.approx(float(np.linalg.norm(step.forward.hidden)), rel=1e-6)
    # a direction that has read only the word is in the same state as for the word alone
    first = word_path(mini, SENTENCE, 0)
    last = word_path(mini, SENTENCE, 4)
    for a, b in zip(first.lstm, last.lstm):
        assert a.forward.read == ("I",) and a.forward.context_cosine == pytest.approx(1.0, abs=1e-6)
        assert b.backward.read == (".",) and b.backward.context_cosine == pytest.approx(1.0, abs=1e-6)
        assert a.backward.context_cosine < 0.999 and b.forward.context_cosine < 0.999
    np.testing.assert_allclose(path.alone_layers, mini.embed([["saw"]])[0][:, 0], atol=1e-5)


def test_highways(mini, fixture_bilm):
    for bilm in (mini, fixture_bilm):
        path = word_path(bilm, SENTENCE, 1)
        cnn = bilm.model.char_cnn
        assert len(path.highways) == bilm.config.char_cnn.n_highway
        x = torch.from_numpy(np.array(path.char_cnn.maxima)).view(1, -1)
        assert path.highways[0].norm_in == pytest.approx(float(x.norm()), rel=1e-5)
        for step, highway in zip(path.highways, cnn.highways):
            with torch.no_grad():
                gate = torch.sigmoid(x @ highway.w_carry + highway.b_carry)[0].numpy()
                x = highway(x)
            np.testing.assert_allclose(step.gate, gate, atol=1e-6)
            assert step.mean_gate == pytest.approx(float(gate.mean()), abs=1e-6)
            assert step.transform_share == pytest.approx(float((gate > 0.5).mean()))
            assert step.norm_out == pytest.approx(float(x.norm()), rel=1e-5)


def test_scalar_mix(mini):
    default = word_path(mini, SENTENCE, 1)
    np.testing.assert_allclose(default.mix.weights, [1 / 3] * 3, atol=1e-7)
    np.testing.assert_allclose(default.mix.vector, default.layers.mean(axis=0), atol=1e-5)
    assert default.mix.shares.sum() == pytest.approx(1.0)
    path = word_path(mini, SENTENCE, 1, mix_weights=[0.0, 1.0, 2.0], gamma=0.5)
    s = np.exp([0.0, 1.0, 2.0]) / np.exp([0.0, 1.0, 2.0]).sum()
    np.testing.assert_allclose(path.mix.weights, s, atol=1e-6)
    expected = 0.5 * (s[:, None] * path.layers).sum(axis=0)
    np.testing.assert_allclose(path.mix.vector, expected, atol=1e-5)
    np.testing.assert_allclose(path.mix.contributions.sum(axis=0), expected, atol=1e-5)
    squared = float(expected @ expected)
    np.testing.assert_allclose(path.mix.shares, path.mix.contributions @ expected / squared, atol=1e-5)
    assert path.mix.shares.sum() == pytest.approx(1.0) and path.mix.gamma == 0.5
    with pytest.raises(ValueError, match="mix_weights must be 3"):
        word_path(mini, SENTENCE, 1, mix_weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="gamma"):
        word_path(mini, SENTENCE, 1, gamma=float("nan"))


def test_results_are_read_only(mini):
    path = word_path(mini, SENTENCE, 1)
    with pytest.raises(ValueError):
        path.layers[0, 0] = 1.0
    with pytest.raises(AttributeError):
        path.position = 2  # type: ignore[misc]


@pytest.mark.parametrize("tokens, position, message", [
    (SENTENCE, 5, "position 5 is outside the sentence; it has 5 tokens"),
    (SENTENCE, -1, "position -1 is outside"),
    (SENTENCE, True, "position must be an integer"),
    (SENTENCE, "1", "position must be an integer"),
    ([], 0, "tokens is empty"),
    ("I saw a saw", 0, "tokens must be a list of strings"),
    (["I", " ", "saw"], 0, "token 1 is empty or white space"),
    (["a"] * (MAX_TOKENS + 1), 0, f"at most {MAX_TOKENS}"),
])
def test_bad_input_is_a_clear_value_error(mini, tokens, position, message):
    with pytest.raises(ValueError, match=message):
        word_path(mini, tokens, position)


def test_bad_options(mini):
    with pytest.raises(ValueError, match="top_filters must be a positive integer"):
        word_path(mini, SENTENCE, 1, top_filters=0)
    with pytest.raises(ValueError, match="needs a BiLM or an ElmoModel"):
        word_path(object(), SENTENCE, 1)  # type: ignore[arg-type]


def test_official_fixture_model(fixture_bilm):
    config = fixture_bilm.config
    path = word_path(fixture_bilm, SENTENCE, 3, top_filters=5)
    p, f = config.lstm.projection_dim, config.char_cnn.n_filters
    assert (p, f, config.char_cnn.n_highway) == (16, 124, 2)  # the fixture's options.json
    assert path.shapes["characters"] == f"({config.char_cnn.max_characters_per_token},)"
    assert path.shapes["char CNN"] == path.shapes["highway"] == f"({f},)"
    assert path.shapes["projection"] == f"({p},)"
    assert path.shapes["layer 0"] == path.shapes["layer 2"] == f"(2 × {p},)"
    assert path.shapes["layer 1 LSTM cell"] == f"(2 × {config.lstm.dim},)"
    assert path.shapes["scalar mix"] == f"({2 * p},)"
    assert list(path.shapes).index("char CNN") < list(path.shapes).index("layer 0") < list(path.shapes).index("scalar mix")
    assert path.layers.shape == (3, 2 * p) and path.char_cnn.maxima.shape == (f,) and len(path.char_cnn.top) == 5
    np.testing.assert_allclose(path.layers, fixture_bilm.embed([SENTENCE])[0][:, 3], atol=1e-5)
    np.testing.assert_allclose(path.char_cnn.maxima, _pooled_by_module(fixture_bilm.model.char_cnn, "saw"), atol=1e-5)
    assert path.context_cosines[0] == pytest.approx(1.0, abs=1e-6)
