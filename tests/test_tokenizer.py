from __future__ import annotations

import unicodedata

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


# --- Unicode: NFC, format characters, grapheme clusters ---------------------------------------

ENGLISH_BEFORE = (
    "Dr. O\u2019Neill didn't say \"no\" -- she said: \"Maybe... at 3:30 p.m. on Jan. 5th!\" The e-mail "
    "(sent to https://example.com/a?b=1) cost $1,000.50, i.e. too much; we'll see. Na\u00efve caf\u00e9-goers "
    "can't read Z\u00fcrich's U.K. signs?!"
)


def test_english_tokenizes_as_before_the_unicode_rules():
    # Output of the tokenizer that built mini's corpus and vocabulary: it must not change.
    assert tokenize(ENGLISH_BEFORE) == [
        ["Dr.", "O'Neill", "didn", "'t", "say", '"', "no", '"', "--", "she", "said", ":", '"', "Maybe", "...",
         "at", "3:30", "p.m.", "on", "Jan.", "5", "th", "!", '"'],
        ["The", "e-mail", "(", "sent", "to", "https://example.com/a?b=1", ")", "cost", "$", "1,000.50", ",",
         "i.e.", "too", "much", ";", "we", "'ll", "see", "."],
        ["Na\u00efve", "caf\u00e9-goers", "can", "'t", "read", "Z\u00fcrich", "'s", "U.K.", "signs", "?!"],
    ]


@pytest.mark.parametrize("text, expected", [
    ("\u0928\u092e\u0938\u094d\u0924\u0947", ["\u0928\u092e\u0938\u094d\u0924\u0947"]),        # Devanagari namaste
    ("\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e",              # namaste duniya
     ["\u0928\u092e\u0938\u094d\u0924\u0947", "\u0926\u0941\u0928\u093f\u092f\u093e"]),
    ("\u0643\u064e\u062a\u064e\u0628\u064e \u0627\u0644\u0648\u064e\u0644\u064e\u062f\u064f",  # Arabic, vowel marks
     ["\u0643\u064e\u062a\u064e\u0628\u064e", "\u0627\u0644\u0648\u064e\u0644\u064e\u062f\u064f"]),
    ("\u05e9\u05c1\u05b8\u05dc\u05d5\u05b9\u05dd \u05e2\u05d5\u05b9\u05dc\u05b8\u05dd",      # Hebrew, niqqud
     ["\u05e9\u05c1\u05b8\u05dc\u05d5\u05b9\u05dd", "\u05e2\u05d5\u05b9\u05dc\u05b8\u05dd"]),
    ("\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22", ["\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22"]),  # Thai
    ("A.Q\u0301. and x\u0303y", ["A.Q\u0301.", "and", "x\u0303y"]),  # marks without a composed form
])
def test_combining_marks_stay_on_their_letters(text, expected):
    assert tokenize_sentence(text) == [unicodedata.normalize("NFC", word) for word in expected]


def test_text_is_normalised_to_nfc():
    assert tokenize("cafe\u0301 re\u0301sume\u0301") == [["caf\u00e9", "r\u00e9sum\u00e9"]]
    assert tokenize("e\u200b\u0301") == [["\u00e9"]]  # the dropped U+200B lets the mark compose


@pytest.mark.parametrize("text, expected", [
    ("abc \u202edef ghi", ["abc", "def", "ghi"]),           # right-to-left override
    ("ba\u200bnk", ["bank"]),                              # zero-width space
    ("\ufeffHello wor\ufeffld", ["Hello", "world"]),       # byte-order mark / zero-width no-break space
    ("co\u00adop", ["coop"]),                              # soft hyphen
    ("\u2066x\u2069 \u200ey\u200f \u2060z", ["x", "y", "z"]),  # isolates, direction marks, word joiner
    ("a\u200db", ["ab"]),                                  # a ZWJ between letters is not an emoji joiner
    ("\U0001F600\u200da", ["\U0001F600", "a"]),
])
def test_format_characters_are_dropped(text, expected):
    assert tokenize_sentence(text) == expected


def test_only_format_characters_is_empty():
    assert tokenize("\u202e\u200b\ufeff \u2066\u2069") == []


@pytest.mark.parametrize("emoji", [
    "\U0001F468\u200d\U0001F469\u200d\U0001F467",       # family: ZWJ sequence
    "\U0001F469\U0001F3FD\u200d\U0001F4BB",             # technologist with a skin tone
    "\U0001F44D\U0001F3FD",                             # thumbs up, skin tone
    "\u2764\ufe0f",                                     # heart with a variation selector
    "\U0001F1EB\U0001F1F7",                             # flag: two regional indicators
    "1\ufe0f\u20e3",                                    # keycap
    "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",  # England's flag: tags
])
def test_emoji_sequences_are_one_token(emoji):
    assert tokenize_sentence(f"I {emoji} it") == ["I", emoji, "it"]
    assert tokenize_sentence(f"{emoji}{emoji}!") == [emoji, emoji, "!"]
