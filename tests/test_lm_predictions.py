"""The language model made visible (elmo_core.training.predictions and `elmo-explorer lm`), on mini."""
from __future__ import annotations

import json
import math
import random

import pytest
import torch

from elmo_core.cli import main
from elmo_core.training.predictions import (EXCLUDED_WORDS, MAX_TOKENS, NoSoftmaxError, load_language_model,
                                            log_probabilities, predict, predict_text)

PLAIN = "the children played in the park after school ."


@pytest.fixture(scope="module")
def language_model():
    return load_language_model("mini")


def test_top_lists_are_real_descending_probabilities(language_model):
    result = predict(language_model, PLAIN.split(), top_k=7)
    for direction in (result.forward, result.backward):
        assert len(direction.top) == len(direction.surprisal_bits) == 9
        for top in direction.top:
            probabilities = [p for _, p in top]
            assert len(top) == 7
            assert probabilities == sorted(probabilities, reverse=True)
            assert all(0.0 < p <= 1.0 for p in probabilities)
            assert not {word for word, _ in top} & set(EXCLUDED_WORDS)
        assert direction.perplexity == pytest.approx(2 ** (sum(direction.surprisal_bits) / 9))


def test_full_distribution_sums_to_one_and_matches_the_lists(language_model):
    tokens = PLAIN.split()
    log_probs = log_probabilities(language_model, tokens)  # (2, n + 1, V)
    assert log_probs.shape == (2, len(tokens) + 1, len(language_model.vocab.words))
    assert float(log_probs[0, 4].exp().sum()) == pytest.approx(1.0, abs=1e-4)
    assert float(log_probs[1, 4].exp().sum()) == pytest.approx(1.0, abs=1e-4)
    result = predict(language_model, tokens)
    # forward.top[3] is what follows "in": row 4 of the forward LM, with the pseudo-words left out
    shown = log_probs[0, 4].clone()
    shown[[language_model.word_ids[w] for w in EXCLUDED_WORDS]] = -math.inf
    assert result.forward.top[3][0][1] == pytest.approx(float(shown.exp().max()), rel=1e-5)
    assert language_model.vocab.words[int(shown.argmax())] == result.forward.top[3][0][0]


def test_surprisal_agrees_with_the_neighbouring_prediction(language_model):
    """The forward list at token i and the backward list at token i + 1 are the distributions that
    score tokens i + 1 and i: the two views must tell the same probabilities."""
    result = predict(language_model, "I saw the man".split(), top_k=20)
    after_saw = dict(result.forward.top[1])
    assert "the" in after_saw
    assert result.forward.surprisal_bits[2] == pytest.approx(-math.log2(after_saw["the"]), rel=1e-4)
    before_saw = dict(result.backward.top[1])
    assert result.backward.top[1][0][0] == "I"
    assert result.backward.surprisal_bits[0] == pytest.approx(-math.log2(before_saw["I"]), rel=1e-4)


def test_shuffled_sentence_is_more_perplexing_in_both_directions(language_model):
    tokens = PLAIN.split()
    shuffled = tokens[:]
    random.Random(0).shuffle(shuffled)
    assert shuffled != tokens
    plain, mixed = predict(language_model, tokens), predict(language_model, shuffled)
    assert mixed.forward.perplexity > 2 * plain.forward.perplexity
    assert mixed.backward.perplexity > 2 * plain.backward.perplexity


def test_next_words_after_i_saw_a_are_words():
    result = predict_text("mini", "I saw a")
    words = [word for word, _ in result.forward.top[-1]]
    assert sum(word.isalpha() and word.islower() for word in words) >= 4, words
    assert result.oov == [False, False, False]


def test_unknown_words_are_marked_and_scored_as_unk(language_model):
    result = predict(language_model, "I saw a zyxqwvbk .".split())
    assert result.oov == [False, False, False, True, False]
    other = predict(language_model, "I saw a qqvvzzxx .".split())  # another unknown word, the same target
    assert other.oov == result.oov
    assert result.forward.surprisal_bits[3] == pytest.approx(other.forward.surprisal_bits[3])  # p(<UNK> | I saw a)
    assert result.forward.surprisal_bits[4] != pytest.approx(other.forward.surprisal_bits[4])  # read differently
    log_probs = log_probabilities(language_model, "I saw a zyxqwvbk .".split())
    unk = language_model.word_ids["<UNK>"]
    assert result.forward.surprisal_bits[3] == pytest.approx(-float(log_probs[0, 3, unk]) / math.log(2))


def test_odd_unicode_does_not_crash(language_model):
    text = "e\u0301\u0301 \udcff 👨\u200d👩\u200d👧 🇫🇷 \u202e" + "x" * 400 + " ok"
    result = predict_text("mini", text, top_k=3)
    assert len(result.tokens) == len(result.forward.top) == len(result.backward.top) == 6  # U+202E dropped
    assert result.oov == [True] * 5 + [False]
    assert all(math.isfinite(b) for b in result.forward.surprisal_bits + result.backward.surprisal_bits)
    json.dumps(result.to_json())


@pytest.mark.parametrize("text, message", [("", "nothing to predict"), ("  \n\t ", "nothing to predict"),
                                           ("\u200b", "nothing to predict"),
                                           ("word " * (MAX_TOKENS + 1), f"at most {MAX_TOKENS}")])
def test_bad_text_is_refused_clearly(text, message):
    with pytest.raises(ValueError, match=message):
        predict_text("mini", text)


def test_bad_tokens_and_top_k_are_refused(language_model):
    with pytest.raises(ValueError, match="nothing to predict"):
        predict(language_model, [])
    with pytest.raises(ValueError, match="leave <S> and </S> out"):
        predict(language_model, ["<S>", "hello"])
    with pytest.raises(ValueError, match="empty or white space"):
        predict(language_model, ["hello", " "])
    with pytest.raises(ValueError, match="top_k"):
        predict(language_model, ["hello"], top_k=0)


def test_official_model_has_no_softmax(fixtures_dir, capsys):
    official = fixtures_dir / "elmo-allennlp"
    with pytest.raises(NoSoftmaxError, match="has no trained softmax"):
        load_language_model(official)
    assert main(["lm", "I saw a", "--model", str(official)]) == 2
    captured = capsys.readouterr()
    assert "has no trained softmax" in captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    with pytest.raises(NoSoftmaxError):
        load_language_model("small")  # refused before any download


def test_cli_json(capsys):
    assert main(["lm", "I saw a saw.", "--top", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"tokens", "forward", "backward", "perplexity"}
    assert data["tokens"] == ["I", "saw", "a", "saw", "."]
    for direction in ("forward", "backward"):
        assert len(data[direction]) == 5
        assert all(set(entry) == {"top", "surprisal_bits"} and len(entry["top"]) == 3 for entry in data[direction])
        assert data["perplexity"][direction] == pytest.approx(
            2 ** (sum(entry["surprisal_bits"] for entry in data[direction]) / 5))


def test_cli_table_and_errors(capsys):
    assert main(["lm", "I saw a zyxqwvbk"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["token", "fw", "bits"]
    assert [line.split()[0] for line in lines[1:5]] == ["I", "saw", "a", "zyxqwvbk*"]
    assert "movie" in lines[3]  # the next word after "a"
    assert lines[-1].startswith("perplexity: forward ")
    assert main(["lm", "   "]) == 2
    assert "nothing to predict" in capsys.readouterr().err
    assert main(["lm", "a b", "--top", "0"]) == 2
    assert "top_k" in capsys.readouterr().err


def test_log_probabilities_do_not_depend_on_what_ran_before(language_model):
    first = log_probabilities(language_model, ["hello", "world"])
    predict(language_model, PLAIN.split())
    assert torch.equal(first, log_probabilities(language_model, ["hello", "world"]))
