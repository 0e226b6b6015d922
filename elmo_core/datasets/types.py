"""
The types that every reader of labelled text returns: :class:`LabeledText` (one example) and
:class:`SentimentDataset` (examples with the names of their integer labels).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Union

from .splits import SPLITS

__all__ = ["LabeledText", "SentimentDataset", "BINARY_LABELS", "PathLike"]

BINARY_LABELS = ("negative", "positive")

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class LabeledText:
    """One labelled example: ``split`` is ``"train"``, ``"dev"`` or ``"test"``."""

    text: str
    label: int
    split: str


@dataclass(frozen=True)
class SentimentDataset:
    """Examples together with the name of each integer label (``label_names[i]`` names ``i``)."""

    name: str
    examples: list[LabeledText] = field(repr=False)
    label_names: tuple[str, ...]

    def split(self, split: str) -> list[LabeledText]:
        """The examples of one split."""
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
        return [ex for ex in self.examples if ex.split == split]

    def counts(self) -> dict[str, dict[int, int]]:
        """``{split: {label: count}}`` for every split."""
        out: dict[str, dict[int, int]] = {s: {} for s in SPLITS}
        for ex in self.examples:
            out[ex.split][ex.label] = out[ex.split].get(ex.label, 0) + 1
        return out
