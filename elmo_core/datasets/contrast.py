"""
Contrast pairs made from the ``rt`` training snippets: two short snippets of opposite polarity
joined so that the second one decides, ``"<a> , but <b>"`` or ``"although <a> , <b>"``, labelled
with ``b``'s polarity. A head trained only on whole snippets has never been told that the clause
after "but" outweighs the one before it; these pairs say so with real review language (the
augmentation is a common one for sentiment models; the sentences are the rt training snippets).

Training data only, built from ``rt``'s train split alone, so no ``rt`` dev or test snippet and
no negation-set sentence can enter training through it. Deterministic for a given ``seed``.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .types import BINARY_LABELS, LabeledText, SentimentDataset
from .vader import load_rt

__all__ = ["load_contrast_pairs", "CONTRAST_PAIRS", "CONTRAST_MAX_WORDS"]

CONTRAST_PAIRS = 6000  # pairs made (half of each form, half ending positive)
CONTRAST_MAX_WORDS = 14  # only snippets this short are joined, so a pair reads as one sentence


def _clause(text: str) -> str:
    """A snippet as a clause: final punctuation dropped."""
    return text.strip().rstrip(" .!?")


def _continued(text: str) -> str:
    """A snippet as the second clause of a sentence: its first letter lower-cased (not "I ...")."""
    text = text.strip()
    return text if text[:2] in ("I ", "I'") else text[:1].lower() + text[1:]


@lru_cache(maxsize=2)
def load_contrast_pairs(count: int = CONTRAST_PAIRS, seed: int = 0) -> SentimentDataset:
    """``count`` contrast pairs as a :class:`SentimentDataset` whose examples are all in its
    ``train`` split (see the module docstring)."""
    train = [ex for ex in load_rt().split("train")
             if 3 <= len(ex.text.split()) <= CONTRAST_MAX_WORDS]
    by_label = {label: [ex.text for ex in train if ex.label == label] for label in (0, 1)}
    if not by_label[0] or not by_label[1]:
        raise ValueError("rt's training split has no short snippet of one polarity")
    rng = np.random.default_rng(seed)
    examples = []
    for i in range(count):
        last = i % 2  # the polarity of the deciding clause
        first = rng.choice(by_label[1 - last])
        second = rng.choice(by_label[last])
        text = (f"{_clause(first)} , but {_continued(second)}" if (i // 2) % 2 == 0
                else f"Although {_continued(_clause(first))} , {_continued(second)}")
        examples.append(LabeledText(text, last, "train"))
    return SentimentDataset("rt-contrast", examples, BINARY_LABELS)
