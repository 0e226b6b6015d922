"""
Pure text helpers: parsing the text areas and formatting sentences for hover labels and tables.
"""
from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass
from typing import Sequence

from elmo_core.tokenizer import tokenize_sentence


@dataclass(frozen=True)
class ParsedLines:
    """Tokenized non-empty lines of a text area, cut at a limit."""

    sentences: tuple[tuple[str, ...], ...]
    total_lines: int   # non-empty lines typed
    dropped_lines: int  # non-empty lines beyond the limit
    cut_lines: int = 0  # lines shortened to the character limit

    @property
    def is_empty(self) -> bool:
        return not self.sentences


def parse_sentences(text: str, max_lines: int, max_chars: int = 1000) -> ParsedLines:
    """One sentence per non-empty line -> tokens, keeping at most ``max_lines`` lines."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    kept = lines[:max_lines]
    cut = sum(len(line) > max_chars for line in kept)
    sentences = tuple(tuple(tokenize_sentence(line[:max_chars])) for line in kept)
    sentences = tuple(s for s in sentences if s)
    return ParsedLines(sentences=sentences, total_lines=len(lines),
                       dropped_lines=max(0, len(lines) - max_lines), cut_lines=cut)


@dataclass(frozen=True)
class LabelledLine:
    """A user sentence ``sense | text`` (sense ``"own"`` when no label was given)."""

    sense: str
    text: str
    tokens: tuple[str, ...]


def parse_labelled_lines(text: str, max_lines: int, max_chars: int = 1000,
                         default_sense: str = "own") -> tuple[list[LabelledLine], int]:
    """Lines ``sense label | sentence`` or just ``sentence`` -> (parsed lines, dropped count)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    parsed = []
    for line in lines[:max_lines]:
        label, bar, sentence = line.partition("|")
        if not bar:
            label, sentence = default_sense, line
        label, sentence = label.strip() or default_sense, sentence.strip()[:max_chars]
        tokens = tuple(tokenize_sentence(sentence))
        if tokens:
            parsed.append(LabelledLine(sense=label, text=sentence, tokens=tokens))
    return parsed, max(0, len(lines) - max_lines)


def marked_sentence(tokens: Sequence[str], index: int, left: str = "«", right: str = "»") -> str:
    """Tokens joined by spaces with ``tokens[index]`` between markers (for tables)."""
    return " ".join(f"{left}{t}{right}" if i == index else t for i, t in enumerate(tokens))


def hover_sentence(tokens: Sequence[str], index: int, width: int = 60) -> str:
    """HTML for a Plotly hover label: the sentence wrapped at ``width`` characters with
    ``tokens[index]`` in bold; other text is HTML-escaped."""
    placeholder = "\x00"
    words = [placeholder * len(t) if i == index else t for i, t in enumerate(tokens)]
    lines = textwrap.wrap(" ".join(words), width=width, break_long_words=True) or [""]
    target = html.escape(tokens[index]) if 0 <= index < len(tokens) else ""
    rendered, shown = [], False
    for line in lines:
        if placeholder in line:  # a very long target may be split over lines: bold it once
            run = placeholder * line.count(placeholder)
            before, _, after = line.partition(run)
            rendered.append(f"{html.escape(before)}{'' if shown else f'<b>{target}</b>'}{html.escape(after)}")
            shown = True
        else:
            rendered.append(html.escape(line))
    return "<br>".join(rendered)


def occurrence_label(word: str, sentence: int, token: int, repeats_in_sentence: bool) -> str:
    """``"saw (sentence 1)"``, or ``"saw (sentence 1, word 4)"`` when the word repeats there."""
    if repeats_in_sentence:
        return f"{word} (sentence {sentence + 1}, word {token + 1})"
    return f"{word} (sentence {sentence + 1})"


def short(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cut_notice(text: str, max_chars: int, box_chars: int | None = None) -> tuple[str, str]:
    """``text`` cut to its first ``max_chars`` characters, and a message saying so ("" if not cut).

    ``box_chars`` is the text box's own limit (the browser stops pasting there), so a text of
    that length may have been longer still.
    """
    if len(text) <= max_chars:
        return text, ""
    length = f"at least {len(text):,}" if box_chars is not None and len(text) >= box_chars else f"{len(text):,}"
    return text[:max_chars], (f"Your text has {length} characters; it was cut after character {max_chars:,}, "
                              f"so only the first {max_chars:,} characters are classified.")
