from __future__ import annotations

import pytest

from elmo_core import tokenize
from elmo_core.tokenizer import split_sentences, tokenize_sentence


@pytest.mark.parametrize("text, expected", [
    ("Don't!", [["Don", "'t", "!"]]),
    ("I saw a saw.", [["I", "saw", "a", "saw", "."]]),
    ("We'll see; John's cat can't swim.", [["We", "'ll", "see", ";", "John", "'s", "cat", "can", "'t", "swim", "."]]),
    ("I\u2019m here, aren\u2019t I?", [["I", "'m", "here", ",", "aren", "'t", "I", "?"]]),
    ("Mr. Smith went to the U.S. in 1999.", [["Mr.", "Smith", "went", "to", "the", "U.S.", "in", "1999", "."]]),
    ('She said "hello" (twice).', [["She", "said", '"', "hello", '"', "(", "twice", ")", "."]]),
    ("It costs $3.50, or 1,000 yen.", [["It", "costs", "$", "3.50", ",", "or", "1,000", "yen", "."]]),
    ("Wait... what?! OK.", [["Wait", "...", "what", "?!"], ["OK", "."]]),
])
def test_tokenize(text, expected):
    assert tokenize(text) == expected


def test_sentence_split_keeps_abbreviations_and_lowercase_continuations():
    assert split_sentences("Dr. Who arrived. He left at 5 p.m. today. Then e.g. nothing.") == [
        "Dr. Who arrived.", "He left at 5 p.m. today.", "Then e.g. nothing."]


def test_blank_lines_end_sentences():
    assert tokenize("no period here\n\nnext one") == [["no", "period", "here"], ["next", "one"]]


def test_fixture_style_tokens_survive():
    tokens = "The U.S. Centers , said Ms. Winfrey , bio-identical hormone .".split()
    assert tokenize_sentence(" ".join(tokens)) == tokens


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t"])
def test_empty_text(text):
    assert tokenize(text) == []


def test_non_string_rejected():
    with pytest.raises(ValueError, match="string"):
        tokenize(["not", "text"])  # type: ignore[arg-type]


def test_control_characters_removed_and_unicode_kept():
    assert tokenize("a\u0000b 😀 مرحبا") == [["a", "b", "😀", "مرحبا"]]
