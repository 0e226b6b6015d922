"""
The items that the Word senses and UMAP explorer pages compare: occurrences of a word (one
point per target token) or all tokens of a set of sentences. Pure functions, no Streamlit.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from elmo_core.analysis import find_occurrences
from elmo_core.datasets.sense_sentences import SenseSentence

from .texts import LabelledLine, hover_sentence, marked_sentence

USER_SOURCE = "yours"


def user_sense_sentences(word: str, lines: Sequence[LabelledLine]) -> tuple[list[SenseSentence], list[LabelledLine]]:
    """Own ``sense | sentence`` lines -> one SenseSentence per occurrence of ``word`` (ignoring
    case), plus the lines that do not contain the word."""
    found, missing = [], []
    key = word.strip().lower()
    for line in lines:
        positions = [t for _, t in find_occurrences([line.tokens], key)]
        if not positions:
            missing.append(line)
        for t in positions:
            sense = line.sense if line.sense.startswith(key + ".") or line.sense == "own" else f"{key}.{line.sense}"
            found.append(SenseSentence(word=key, sense=sense, gloss="your label", pos="?", text=line.text,
                                       tokens=line.tokens, target_index=t, source=USER_SOURCE))
    return found, missing


def unique_sentences(items: Sequence[SenseSentence]) -> tuple[list[tuple[str, ...]], list[int]]:
    """Distinct token tuples of ``items`` (in order) and, per item, the index of its sentence."""
    index: dict[tuple[str, ...], int] = {}
    which = []
    for item in items:
        which.append(index.setdefault(tuple(item.tokens), len(index)))
    return list(index), which


def sense_name(sense: str, word: str) -> str:
    """``"bank.n.river"`` -> ``"n.river"`` (the word prefix dropped for display)."""
    return sense[len(word) + 1:] if sense.startswith(word + ".") else sense


def occurrence_table(items: Sequence[SenseSentence], width: int = 60) -> pd.DataFrame:
    """One row per occurrence: word, token, sense, gloss, pos, source, sentence, hover."""
    return pd.DataFrame({
        "word": [s.word for s in items],
        "token": [s.target for s in items],
        "sense": [sense_name(s.sense, s.word) for s in items],
        "gloss": [s.gloss for s in items],
        "pos": [s.pos for s in items],
        "source": [s.source for s in items],
        "role": ["target"] * len(items),
        "sentence": [marked_sentence(s.tokens, s.target_index) for s in items],
        "hover": [hover_sentence(s.tokens, s.target_index, width) for s in items],
    })


def order_by_sense(items: Sequence[SenseSentence]) -> list[int]:
    """Indices of ``items`` grouped by sense (senses in order of first appearance), stable."""
    senses = list(dict.fromkeys(s.sense for s in items))
    return sorted(range(len(items)), key=lambda i: senses.index(items[i].sense))


def group_starts(labels: Sequence[str]) -> list[int]:
    """Indices where a run of equal labels starts, after the first (block boundaries)."""
    return [i for i in range(1, len(labels)) if labels[i] != labels[i - 1]]


def all_token_table(items: Sequence[SenseSentence], sentences: Sequence[tuple[str, ...]],
                    which: Sequence[int], width: int = 60) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """Every token of every distinct sentence -> (table, positions (sentence, token)).

    A token is a ``target`` when some item names it as its target word; its sense, word and
    source come from that item, else from the first item of the sentence.
    """
    first_item: dict[int, SenseSentence] = {}
    targets: dict[tuple[int, int], SenseSentence] = {}
    for item, s in zip(items, which):
        first_item.setdefault(s, item)
        targets.setdefault((s, item.target_index), item)
    rows, positions = [], []
    for s, tokens in enumerate(sentences):
        owner = first_item[s]
        for t, token in enumerate(tokens):
            target = targets.get((s, t))
            item = target or owner
            rows.append({
                "word": owner.word, "token": token,
                "sense": sense_name(item.sense, item.word) if target else "—",
                "gloss": item.gloss if target else "", "pos": item.pos if target else "—",
                "source": owner.source, "role": "target" if target else "context",
                "sentence": marked_sentence(tokens, t), "hover": hover_sentence(tokens, t, width),
            })
            positions.append((s, t))
    return pd.DataFrame(rows), positions


def export_table(points: pd.DataFrame, coords: dict[int, np.ndarray], vectors: np.ndarray,
                 projection: str) -> pd.DataFrame:
    """Long table for CSV export: one row per point and layer with x, y and the vector.

    ``vectors`` is (L, n, D); ``coords[layer]`` is (n, 2).
    """
    frames = []
    meta = points.drop(columns=["hover"]).reset_index(drop=True)
    for layer, xy in coords.items():
        frame = meta.copy()
        frame.insert(0, "layer", layer)
        frame.insert(1, "projection", projection)
        frame.insert(2, "x", xy[:, 0])
        frame.insert(3, "y", xy[:, 1])
        dims = pd.DataFrame(vectors[layer], columns=[f"v{d}" for d in range(vectors.shape[2])])
        frames.append(pd.concat([frame, dims], axis=1))
    return pd.concat(frames, ignore_index=True)


ONE_WORD, ALL_TOKENS = "occurrences", "tokens"


@dataclass(frozen=True)
class MapData:
    """What a map shows: ``points`` (one row per point), the distinct ``sentences`` to embed and
    each point's ``(sentence, token)`` position; ``dropped`` points beyond the cap."""

    points: pd.DataFrame
    sentences: list[tuple[str, ...]]
    positions: list[tuple[int, int]]
    dropped: int


def build_map_data(items: Sequence[SenseSentence], mode: str, max_points: int, width: int = 60) -> MapData:
    """Occurrences (``ONE_WORD``: one point per item's target) or every token (``ALL_TOKENS``);
    items with ``target_index == -1`` only contribute context tokens."""
    if mode == ONE_WORD:
        items = [item for item in items if item.target_index >= 0]
        sentences, which = unique_sentences(items)
        points = occurrence_table(items, width)
        positions = [(s, item.target_index) for s, item in zip(which, items)]
    else:
        sentences, which = unique_sentences(items)
        points, positions = all_token_table(items, sentences, which, width)
    dropped = max(0, len(positions) - max_points)
    if dropped:
        points, positions = points.iloc[:max_points].reset_index(drop=True), positions[:max_points]
        used = sorted({s for s, _ in positions})
        if used and used[-1] + 1 < len(sentences):
            sentences = sentences[: used[-1] + 1]
    return MapData(points=points, sentences=list(sentences), positions=positions, dropped=dropped)


def context_only(lines: Sequence[LabelledLine]) -> list[SenseSentence]:
    """Own sentences without a target word (all their tokens are context on a token map)."""
    return [SenseSentence(word=USER_SOURCE, sense=line.sense, gloss="", pos="—", text=line.text,
                          tokens=line.tokens, target_index=-1, source=USER_SOURCE) for line in lines]


@dataclass(frozen=True)
class Normaliser:
    """Centre and scale of one layer's map, so all layers share the axis range [-1, 1]."""

    centre: np.ndarray  # (2,)
    scale: float

    @classmethod
    def fit(cls, xy: np.ndarray) -> "Normaliser":
        centre = (xy.max(axis=0) + xy.min(axis=0)) / 2
        scale = float(np.abs(xy - centre).max()) or 1.0
        return cls(centre=centre, scale=scale)

    def apply(self, xy: np.ndarray) -> np.ndarray:
        return (np.asarray(xy, dtype=np.float64) - self.centre) / self.scale


class SharedFit:
    """A fitted 2-d projection kept once for every session (``st.cache_resource``): read-only
    coordinates and a ``transform`` that runs one call at a time (UMAP builds its search index
    on the first call). Unpacks as ``coords, fitted``, like the ``(coords, reducer)`` it wraps."""

    def __init__(self, coords: np.ndarray, fitted) -> None:
        self.coords = np.array(coords)  # a copy, read-only below
        self.coords.setflags(write=False)
        self._fitted = fitted
        self._lock = threading.Lock()

    def transform(self, vectors: np.ndarray) -> np.ndarray:
        with self._lock:
            return np.asarray(self._fitted.transform(vectors))

    def __iter__(self):
        return iter((self.coords, self))

    def __getitem__(self, index: int):
        return (self.coords, self)[index]
