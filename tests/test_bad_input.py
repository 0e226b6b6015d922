"""Odd and hostile input gives defined output or a clear ValueError, never a crash."""
from __future__ import annotations

import numpy as np
import pytest

import elmo_core
from elmo_core.chars import token_to_ids


@pytest.fixture(scope="module")
def bilm(fixtures_dir):
    folder = fixtures_dir / "elmo-allennlp"
    return elmo_core.load_files(folder / "options.json", folder / "lm_weights.hdf5", state="warm")


def test_empty_list_gives_empty_list(bilm):
    assert bilm.embed([]) == []


def test_empty_sentence_gives_zero_tokens_in_place(bilm):
    vectors = bilm.embed([["a", "b"], [], ["c"]])
    assert [v.shape for v in vectors] == [(3, 2, 32), (3, 0, 32), (3, 1, 32)]


@pytest.mark.parametrize("bad, message", [
    ("I saw a saw .", "list of token lists"),
    (["I saw a saw ."], "sentence 0 must be a list of tokens"),
    ([["ok"], ["fine", 3]], "sentence 1, token 1 must be a string"),
    ([["ok", ""]], "empty or white space"),
    ([["  "]], "empty or white space"),
    (None, "list of token lists"),
])
def test_malformed_input_raises_clear_value_error(bilm, bad, message):
    with pytest.raises(ValueError, match=message):
        bilm.embed(bad)


def test_batch_size_must_be_positive(bilm):
    with pytest.raises(ValueError, match="batch_size"):
        bilm.embed([["x"]], batch_size=0)


def test_five_thousand_token_sentence(bilm):
    sentence = (["the", "quick", "brown", "fox", "jumps", "."] * 834)[:5000]
    vectors = bilm.embed([sentence])[0]
    assert vectors.shape == (3, 5000, 32)
    assert np.isfinite(vectors).all()
    # Layer 0 stays context-free over the long sentence.
    np.testing.assert_allclose(vectors[0, 0], vectors[0, 4998], atol=1e-6)


def test_300_character_token_is_truncated_like_the_reference(bilm):
    long_token = "x" * 300
    assert (token_to_ids(long_token) == token_to_ids("x" * 48)).all()
    vectors = bilm.embed([[long_token, "end"]])[0]
    np.testing.assert_allclose(vectors[0, 0], bilm.embed([["x" * 48, "end"]])[0][0, 0], atol=1e-6)


@pytest.mark.parametrize("tokens", [
    ["I", "❤️", "🦆", "🏳️‍🌈"],             # emoji, variation selectors, ZWJ sequences
    ["a\u0000b", "\u0007", "tab\there"],     # control characters
    ["e\u0301", "n\u0303o", "Å"],            # combining characters
    ["שלום", "עולם", "مرحبا", "\u202eabc"],  # right-to-left text and a bidi override
    ["\ud800"],                              # a lone surrogate cannot be UTF-8 encoded
])
def test_odd_unicode_tokens_give_finite_vectors(bilm, tokens):
    vectors = bilm.embed([tokens])[0]
    assert vectors.shape == (3, len(tokens), 32)
    assert np.isfinite(vectors).all()


def test_multibyte_token_truncates_at_48_bytes(bilm):
    ids = token_to_ids("é" * 30)  # 60 bytes
    assert ids[0] == 259 and ids[49] == 260  # begin-of-word, end-of-word at position 49 (+1 offsets)


def test_reference_special_tokens(bilm):
    assert list(token_to_ids("<S>")[:4]) == [259, 257, 260, 261]
    assert list(token_to_ids("</S>")[:4]) == [259, 258, 260, 261]


def test_tokenize_then_embed_handles_odd_text(bilm):
    for text in ["", "   \n\n  ", "🙂🙂🙂", "a" * 10_000, "\u202eevil\u202c text", "x\u0000y z."]:
        sentences = elmo_core.tokenize(text)
        vectors = bilm.embed(sentences)
        assert len(vectors) == len(sentences)
