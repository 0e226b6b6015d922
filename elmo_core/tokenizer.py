"""
Sentence splitting and word tokenization, the way ELMo models are trained.

The public ELMo models were trained on the 1B Word Benchmark, whose text is tokenized with
punctuation split off and clitics split from their host word (``Don't!`` -> ``Don 't !``).
The same function is used by the corpus builder at training time and by the app at inference
time, so that a model never sees tokens shaped differently from the ones it learned.

Text is normalised to NFC, invisible format characters (Unicode category Cf: bidi controls,
zero-width spaces, byte-order marks, soft hyphens) are dropped, and a token never splits a
grapheme cluster: combining marks stay on their letter (``नमस्ते`` is one token, as are Arabic
words with vowel marks and Hebrew words with niqqud), and an emoji keeps its modifiers, its
zero-width-joined sequence (``👨‍👩‍👧``) or its flag pair. Text without marks or format characters
tokenizes exactly as before these rules, so the vocabulary of models trained earlier still fits.

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


def _char_class(categories: tuple[str, ...], exclude=lambda ch: False) -> str:
    """A regex character class of every code point in the given Unicode categories.

    Planes 0, 1 and 14 hold every mark and format character (planes 2 and 3 are ideographs).
    """
    ranges: list[list[int]] = []
    for plane in (range(0x20000), range(0xE0000, 0xE1000)):
        for code in plane:
            ch = chr(code)
            if unicodedata.category(ch) in categories and not exclude(ch):
                if ranges and ranges[-1][1] == code - 1:
                    ranges[-1][1] = code
                else:
                    ranges.append([code, code])
    return "[" + "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges
    ) + "]"


# Combining marks (Mn, Mc, Me) extend the letter before them; none of them is a word character.
_MARK = _char_class(("Mn", "Mc", "Me"), exclude=lambda ch: ch.isalnum() or ch == "_")
_ZWJ = "\u200d"
_SKIN_TONES = "\U0001F3FB-\U0001F3FF"
_TAGS = "\U000E0020-\U000E007F"  # tag characters of subdivision flags such as England's
# What extends an emoji or another symbol: marks (variation selectors, keycaps), skin tones, tags.
_EXTEND = _MARK[:-1] + _SKIN_TONES + _TAGS + "]"
_FORMAT = re.compile(_char_class(("Cf",)))

# One token: a URL, a number with inner separators, a word with inner hyphens/apostrophes/dots
# (abbreviations such as U.S.), an ellipsis or repeated punctuation, a flag (two regional
# indicators), or any other symbol with its extenders and zero-width-joined symbols.
_TOKEN = re.compile(
    r"""
    https?://\S+[^\s.,;:!?)\]'"]        # URL (trailing punctuation stays outside)
  | \d+(?:[.,:/]\d+)*MARK*               # numbers: 3.14  1,000  12:30  1/2
  | (?:[^\W\d_]MARK*\.){2,}              # abbreviations with inner dots: U.S.  e.g.
  | WORD(?:[-']WORD)*                    # words, inner hyphens and apostrophes kept for now
  | \.\.\.+ | --+ | [!?]+                # ellipses, dashes, !!! and ?!
  | [\U0001F1E6-\U0001F1FF]{2}            # a flag: two regional indicators
  | \SEXTEND*(?:ZWJ\SEXTEND*)*            # any other character, with what extends or joins it
    """
    .replace("WORD", r"[^\W_]+(?:MARK+[^\W_]*)*")  # letters and digits, marks attached
    .replace("MARK", _MARK).replace("EXTEND", _EXTEND).replace("ZWJ", _ZWJ),
    re.VERBOSE,
)

# Clitics split off the end of a word: John's -> John 's, can't -> can 't, we'll -> we 'll.
_CLITIC = re.compile(r"^(.+?)('(?:s|t|re|ve|ll|d|m))$", re.IGNORECASE)

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before white space.
_SENTENCE_END = re.compile(r"""([.!?]+["')\]]*)\s+""")


def _is_symbol(ch: str) -> bool:
    return unicodedata.category(ch) == "So"


def _keep_format_char(match: re.Match) -> str:
    """Keep a ZWJ between two emoji and the tag characters after an emoji; drop the rest."""
    text, i, ch = match.string, match.start(), match.group()
    before = text[i - 1] if i else ""
    if ch == _ZWJ:
        after = text[i + 1] if i + 1 < len(text) else ""
        joins = before and after and _is_symbol(after) and (
            _is_symbol(before) or "\U0001F3FB" <= before <= "\U0001F3FF" or before == "\ufe0f")
        return ch if joins else ""
    if "\U000E0020" <= ch <= "\U000E007F" and before and (
            _is_symbol(before) or "\U000E0020" <= before <= "\U000E007F"):
        return ch
    return ""


def _normalise(text: str) -> str:
    if not text.isascii():
        # Invisible format characters (category Cf: U+202E, U+200B, U+FEFF, ...) go first, so
        # that a mark they separated from its letter composes with it under NFC.
        text = _FORMAT.sub(_keep_format_char, text)
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


def text_to_tokens(text: str) -> list[str]:
    """All tokens of ``text`` in one list (its sentences joined); ``[]`` when there are none.

    How a text classifier sees a text: a two-sentence review snippet is one token list.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    return [token for sentence in tokenize(text) for token in sentence]
