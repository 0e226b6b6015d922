"""
Pure text helpers: parsing the text areas and formatting sentences for hover labels and tables.
"""
from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass
from typing import Sequence

from elmo_core.tokenizer import split_sentences, tokenize_sentence


@dataclass(frozen=True)
class ParsedLines:
    """Tokenized sentences of a text area, cut at a limit."""

    sentences: tuple[tuple[str, ...], ...]
    total_lines: int        # non-empty lines typed
    truncated: bool = False  # sentences beyond the limit were left out
    cut_lines: int = 0      # lines shortened to the character limit

    @property
    def is_empty(self) -> bool:
        return not self.sentences


def parse_sentences(text: str, max_sentences: int, max_chars: int = 1000, split: bool = True) -> ParsedLines:
    """Each non-empty line cut to ``max_chars`` characters and, with ``split``, divided into its
    sentences (:func:`~elmo_core.tokenizer.split_sentences`: "I saw a saw . It cut ." is two),
    then tokenized; at most ``max_sentences`` sentences are kept."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    sentences: list[tuple[str, ...]] = []
    cut, truncated = 0, False
    for line in lines:
        cut += len(line) > max_chars
        for sentence in split_sentences(line[:max_chars]) if split else [line[:max_chars]]:
            tokens = tuple(tokenize_sentence(sentence))
            if not tokens:
                continue
            if len(sentences) == max_sentences:
                truncated = True
                break
            sentences.append(tokens)
        if truncated:
            break
    return ParsedLines(sentences=tuple(sentences), total_lines=len(lines), truncated=truncated, cut_lines=cut)


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


def plural(n: int, word: str, many: str | None = None) -> str:
    """``"1 sentence"``, ``"5 sentences"``, ``"1,200 points"``: a count with its noun in the
    right number (``many``: the plural when it is not ``word + "s"``)."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def contribution_sentence(contributions: Sequence[tuple[str, float]], places: int = 2) -> str:
    """A plain-language reading of occlusion scores (token, P(positive) - P(positive without it)):
    what the colours mean and the token whose removal changes the verdict most. Tokens are plain
    text here; escape them for Markdown."""
    text = ("Each word is coloured by how much the positive probability changes when that one word is "
            "left out and the sentence is classified again: green words pushed it towards positive, red "
            "words towards negative, and the stronger the colour, the larger the change. It shows what this "
            "classifier reacts to, not what the sentence means.")
    if not contributions:
        return text
    token, score = max(contributions, key=lambda pair: abs(pair[1]))
    if round(abs(score), places) == 0:
        return text + " Here no single word changes the probability by more than rounding."
    direction = "falls" if score > 0 else "rises"
    return text + (f" Here the largest change comes from “{token}”: without it the positive probability "
                   f"{direction} by {abs(score):.{places}f}.")


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


#: Seconds per layer for a 5,000-point UMAP on 2 CPU cores once compiled
#: (docs/experiments/2026-11-30-app-latency-first-figures.md), the estimate before this server has
#: measured one of its own.
UMAP_SECONDS_5000 = 3.5


def _seconds(value: float) -> str:
    return "under 1 s" if value < 1 else f"about {value:.0f} s"


def umap_cost(n_points: int, n_layers: int, measured: dict[int, float], compiling: bool = False) -> str:
    """What computing UMAP will cost, for the button's prompt: seconds per layer scaled
    linearly from the closest size this server has ``measured`` (points -> seconds), else from
    :data:`UMAP_SECONDS_5000`; plus the one-time compilation while it still runs."""
    sizes = [size for size in measured if size >= 200]
    if sizes:
        size = min(sizes, key=lambda s: abs(s - n_points))
        per_layer, source = measured[size] * n_points / size, f"measured on this server with {size:,} points"
    else:
        per_layer, source = UMAP_SECONDS_5000 * n_points / 5000, "on 2 CPU cores"
    layers = f"{n_layers} layers" if n_layers > 1 else "1 layer"
    text = (f"UMAP of {n_points:,} points takes {_seconds(per_layer)} per layer ({source}), "
            f"{_seconds(per_layer * n_layers)} for {layers}; PCA is shown until you compute it.")
    if compiling:
        text += (" UMAP's code is still being loaded in the background (a few seconds after a server "
                 "start; on the very first start numba compiles it, 30-60 s on 2 cores), so the first "
                 "map may take longer.")
    return text
