"""
Points of the Corpus explorer: a :class:`~elmo_core.bulk.reader.WordSample` as the table that
:func:`elmo_explorer_ui.charts.scatter_map` draws. Pure functions, no Streamlit.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from elmo_core.bulk.reader import WordSample

from .texts import hover_sentence, marked_sentence

__all__ = ["context_window", "sample_points", "CONTEXT_TOKENS"]

#: tokens shown on each side of the word in hover labels and the table (sentences may be long)
CONTEXT_TOKENS = 25


def context_window(tokens: Sequence[str], position: int, width: int = CONTEXT_TOKENS) -> tuple[list[str], int]:
    """At most ``width`` tokens either side of ``position``, with "…" where the sentence goes
    on; returns (tokens, the word's index in them)."""
    start, end = max(0, position - width), min(len(tokens), position + width + 1)
    window = list(tokens[start:end])
    index = position - start
    if start > 0:
        window.insert(0, "…")
        index += 1
    if end < len(tokens):
        window.append("…")
    return window, index


def sample_points(sample: WordSample, hover_width: int = 60) -> pd.DataFrame:
    """One row per sampled occurrence: ``hover`` (HTML-escaped, the word in bold), ``form`` (the
    word as written), ``sentence`` (plain text, the word in «»), ``sentence_id``, ``position``."""
    hovers, forms, texts = [], [], []
    for tokens, position in zip(sample.sentences, sample.positions):
        window, index = context_window(tokens, int(position))
        hovers.append(hover_sentence(window, index, hover_width))
        forms.append(tokens[int(position)])
        texts.append(marked_sentence(window, index))
    return pd.DataFrame({"hover": hovers, "form": forms, "sentence": texts,
                         "sentence_id": np.asarray(sample.sentence_ids, dtype=np.int64),
                         "position": np.asarray(sample.positions, dtype=np.int64)})
