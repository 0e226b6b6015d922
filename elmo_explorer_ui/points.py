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


@dataclass(frozen=True)
class OwnLabels:
    """How own sense labels were read: ``matched`` pairs (label as typed, known sense id) and
    ``new`` labels that name no known sense (each becomes a sense of its own)."""

    matched: tuple[tuple[str, str], ...] = ()
    new: tuple[str, ...] = ()

    def sense_of(self, label: str) -> str | None:
        """The known sense id ``label`` was matched to, or None."""
        return next((sense for typed, sense in self.matched if typed == label), None)


def _label_forms(sense: str, word: str) -> set[str]:
    """The ways a label may name ``sense`` (lower case): ``pitch.n.field``, ``n.field``, ``field``."""
    sense = sense.lower()
    return {sense, sense_name(sense, word), sense.rsplit(".", 1)[-1]}


def match_own_labels(word: str, labels: Sequence[str], known_senses: Sequence[str]) -> OwnLabels:
    """Own labels -> known sense ids: a label matches a sense when it equals, ignoring case and
    surrounding spaces, the sense's id (``pitch.n.field``), its id without the word
    (``n.field``) or its last part (``field``), and no other known sense has that form. Labels
    that match none (or several) stay new senses; ``"own"`` (a line without a label) too."""
    key = word.strip().lower()
    senses = list(dict.fromkeys(known_senses))
    forms = {sense: _label_forms(sense, key) for sense in senses}
    matched, new = [], []
    for label in dict.fromkeys(labels):
        hits = [] if label == "own" else [sense for sense in senses if label.strip().lower() in forms[sense]]
        if len(hits) == 1:
            matched.append((label, hits[0]))
        else:
            new.append(label)
    return OwnLabels(tuple(matched), tuple(new))


def own_sense_id(word: str, label: str, labels: OwnLabels | None = None) -> str:
    """The sense id of an own label: the known sense it matched, else ``word.label`` (``own``
    and labels that already start with ``word.`` as they are)."""
    key = word.strip().lower()
    known = labels.sense_of(label) if labels is not None else None
    if known is not None:
        return known
    return label if label.startswith(key + ".") or label == "own" else f"{key}.{label}"


def own_lines_placeholder(word: str, known_senses: Sequence[str]) -> str:
    """The hint in an empty "sense | sentence" box: one line per known sense of ``word``, labelled
    with the short form :func:`match_own_labels` accepts (``field | …``), or two made-up senses
    when ``word`` has none."""
    key = word.strip().lower()
    shown = key or "the word"
    labels = [sense.rsplit(".", 1)[-1] for sense in dict.fromkeys(known_senses)] or ["first sense", "second sense"]
    return "\n".join(f"{label} | a sentence using “{shown}” in this sense" for label in labels)


def user_sense_sentences(word: str, lines: Sequence[LabelledLine],
                         known_senses: Sequence[str] = ()) -> tuple[list[SenseSentence], list[LabelledLine]]:
    """Own ``sense | sentence`` lines -> one SenseSentence per occurrence of ``word`` (ignoring
    case), plus the lines that do not contain the word. A label that names one of
    ``known_senses`` (:func:`match_own_labels`) joins that sense."""
    found, missing = [], []
    key = word.strip().lower()
    labels = match_own_labels(key, [line.sense for line in lines], known_senses)
    for line in lines:
        positions = [t for _, t in find_occurrences([line.tokens], key)]
        if not positions:
            missing.append(line)
        for t in positions:
            found.append(SenseSentence(word=key, sense=own_sense_id(key, line.sense, labels), gloss="your label",
                                       pos="?", text=line.text, tokens=line.tokens, target_index=t,
                                       source=USER_SOURCE))
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
