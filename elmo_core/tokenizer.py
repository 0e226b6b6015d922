"""
Sentence splitting and word tokenization, the way ELMo models are trained.

The public ELMo models were trained on the 1B Word Benchmark, whose text is tokenized with
punctuation split off and clitics split from their host word (``Don't!`` -> ``Don 't !``).
The same function is used by the corpus builder at training time and by the app at inference
time, so that a model never sees tokens shaped differently from the ones it learned.

>>> tokenize("Don't panic! I saw a saw.")
[['Don', "'t", 'panic', '!'], ['I', 'saw', 'a', 'saw', '.']]
"""
from __future__ import annotations

import re
import unicodedata

# Apostrophe look-alikes are normalised to ASCII before clitics are split.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'"})
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'})

# Abbreviations whose trailing period does not end a sentence (lower-cased, without the dot).
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr vs etc e.g i.e cf no vol fig gen col lt sgt capt rev gov sen rep
    inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec mt ft u.s u.k a.m p.m approx
    dept est""".split()
)

# One token: a URL, a number with inner separators, a word with inner hyphens/apostrophes/dots
# (abbreviations such as U.S.), an ellipsis or repeated punctuation, or any other single symbol.
_TOKEN = re.compile(
    r"""
    https?://\S+[^\s.,;:!?)\]'"]        # URL (trailing punctuation stays outside)
  | \d+(?:[.,:/]\d+)*                    # numbers: 3.14  1,000  12:30  1/2
  | (?:[^\W\d_]\.){2,}                   # abbreviations with inner dots: U.S.  e.g.
  | [^\W_]+(?:[-'][^\W_]+)*              # words, inner hyphens and apostrophes kept for now
  | \.\.\.+ | --+ | [!?]+                # ellipses, dashes, !!! and ?!
  | \S                                   # any other single non-space character
    """,
    re.VERBOSE,
)

# Clitics split off the end of a word: John's -> John 's, can't -> can 't, we'll -> we 'll.
_CLITIC = re.compile(r"^(.+?)('(?:s|t|re|ve|ll|d|m))$", re.IGNORECASE)

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before white space.
_SENTENCE_END = re.compile(r"""([.!?]+["')\]]*)\s+""")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).translate(_QUOTES)
    # Control characters (other than white space) carry no meaning for a word model.
    return "".join(ch if ch in "\t\n\r" or unicodedata.category(ch) != "Cc" else " " for ch in text)


def _split_word(token: str) -> list[str]:
    """Split clitics (and stray leading/trailing apostrophes) off one regex token."""
    if "'" not in token or len(token) == 1:
        return [token]
    match = _CLITIC.match(token)
    if match:
        host, clitic = match.groups()
        return _split_word(host) + [clitic]
    return [token]


def split_sentences(text: str) -> list[str]:
    """Split raw text into sentence strings. Blank lines always end a sentence."""
    sentences: list[str] = []
    for block in re.split(r"\n\s*\n|\r\n\s*\r\n", _normalise(text)):
        block = " ".join(block.split())
        start = 0
        for match in _SENTENCE_END.finditer(block + " "):
            end = match.end(1)
            candidate = block[start:end]
            last_word = candidate.rsplit(None, 1)[-1].rstrip('.!?"\')]').lower()
            next_char = block[match.end():match.end() + 1]
            is_abbreviation = candidate.endswith(".") and (
                last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha())
            )
            if is_abbreviation or (next_char and next_char.islower()):
                continue
            if candidate.strip():
                sentences.append(candidate.strip())
            start = match.end()
        if block[start:].strip():
            sentences.append(block[start:].strip())
    return sentences


def tokenize_sentence(sentence: str) -> list[str]:
    """Tokenize one sentence string into words (no sentence splitting)."""
    tokens: list[str] = []
    raw_tokens = _TOKEN.findall(_normalise(sentence))
    for i, raw in enumerate(raw_tokens):
        if raw == "." and tokens and tokens[-1].lower() in _ABBREVIATIONS and i < len(raw_tokens) - 1:
            tokens[-1] += "."  # "Mr ." -> "Mr." except at the very end of the sentence
            continue
        tokens.extend(_split_word(raw))
    return tokens


def tokenize(text: str) -> list[list[str]]:
    """Split ``text`` into sentences and each sentence into tokens.

    Empty or white-space-only text gives ``[]``. Sentences that contain no token are dropped.
    """
    if not isinstance(text, str):
        raise ValueError(f"tokenize expects a string, got {type(text).__name__}")
    result = []
    for sentence in split_sentences(text):
        tokens = tokenize_sentence(sentence)
        if tokens:
            result.append(tokens)
    return result
