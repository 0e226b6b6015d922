"""
Templated review sentences that show what a negation does to a polar word, for training only:
"The plot is not clumsy ." (positive), "I did not find it charming ." (negative), beside the
same frames without the negation ("The plot is clumsy .", negative) and frames where a negation
word does not flip the polarity ("It could not be more charming .", positive).

The polar words are adjectives of VADER's human-rated lexicon (mean valence at least
:data:`MIN_VALENCE` in size, among GloVe's :data:`MAX_RANK` most frequent words, used mostly as
adjectives in WordNet 3.0 (:func:`~elmo_core.datasets.wordnet.lemma_sense_counts`); no
participles or comparatives) and a short list of verbs of liking written here. The frames were
written for ELMo Explorer. No sentence of the project's negation set (dev or test) is ever
produced: an exact match after tokenizing is dropped (counted in :func:`negation_frames_info`).

A head trained on snippets and review sentences sees few negated negative words ("not bad",
"never boring"), and the shipped head of session 6 called 30% of the positive negation-test
sentences positive; these sentences are the measured fix (see ``reports/sentiment-mixtures.md``).
Deterministic for a given ``count`` and ``seed``; every sentence is in the ``train`` split.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..tokenizer import text_to_tokens
from .glove import load_glove
from .negation import load_negation
from .types import BINARY_LABELS, LabeledText, SentimentDataset
from .vader_lexicon import rated_words
from .wordnet import lemma_sense_counts

__all__ = ["load_negation_frames", "negation_frames_info", "polar_adjectives", "FRAMES_COUNT",
           "MIN_VALENCE", "MAX_RANK"]

FRAMES_COUNT = 4000  # sentences made: half of each label, half with a flipping negation
MIN_VALENCE = 1.5
MAX_RANK = 30_000

SUBJECTS = ("The film", "This movie", "The plot", "The acting", "The script", "The ending", "The story",
            "The dialogue", "The music", "It", "The whole thing", "The direction", "The lead performance",
            "This sequel", "The first half", "The cast")

# (frame, flips): "{s}" subject, "{a}" polar adjective; flips = the sentence has the opposite polarity
ADJECTIVE_FRAMES = (
    ("{s} is {a} .", False), ("{s} was {a} .", False), ("I found it {a} .", False), ("What a {a} film .", False),
    ("{s} is really {a} .", False), ("{s} could not be more {a} .", False), ("{s} is {a} , no doubt .", False),
    ("{s} is not {a} .", True), ("{s} isn't {a} at all .", True), ("{s} was never {a} .", True),
    ("{s} is anything but {a} .", True), ("I did not find it {a} .", True), ("There is nothing {a} about it .", True),
    ("Nobody would call it {a} .", True), ("{s} is far from {a} .", True), ("{s} wasn't {a} in the least .", True),
    ("It is hardly {a} .", True), ("Not once was it {a} .", True),
)
# liking verbs (base form) -> polarity, and their frames
VERBS = {"love": 1, "enjoy": 1, "adore": 1, "like": 1, "recommend": 1, "admire": 1, "appreciate": 1,
         "hate": 0, "regret": 0, "dislike": 0, "loathe": 0, "despise": 0, "resent": 0, "mind": 0}
VERB_FRAMES = (
    ("I {v} it .", False), ("You will {v} it .", False), ("I really {v} this film .", False),
    ("I did not {v} it .", True), ("I didn't {v} a single minute of it .", True), ("You won't {v} it .", True),
    ("Nobody will {v} this movie .", True), ("I could never {v} it .", True),
)


@lru_cache(maxsize=1)
def polar_adjectives() -> tuple[tuple[str, int], ...]:
    """(word, polarity) for every lexicon word used mainly as an adjective (see the module docstring)."""
    rank = load_glove().index
    adj, noun, verb = (lemma_sense_counts(pos) for pos in ("adj", "noun", "verb"))
    words = []
    for word, valence in rated_words():
        if not word.isalpha() or len(word) < 3 or abs(valence) < MIN_VALENCE or rank.get(word, MAX_RANK) >= MAX_RANK:
            continue
        comparative = any(word.endswith(end) and word[:-len(end)] in adj for end in ("er", "r", "est", "st"))
        if word.endswith("ed") or comparative:
            continue  # participles ("admired") and comparatives ("greater") rarely describe a film
        senses = adj.get(word, 0)
        if senses and senses >= noun.get(word, 0) and senses >= verb.get(word, 0) and word not in VERBS:
            words.append((word, int(valence > 0)))
    return tuple(sorted(words))


def _all_sentences() -> list[tuple[str, int, bool]]:
    """Every (sentence, label, flipped) the frames make."""
    out = []
    for word, polarity in polar_adjectives():
        for frame, flips in ADJECTIVE_FRAMES:
            for subject in SUBJECTS if "{s}" in frame else ("",):
                out.append((frame.format(s=subject, a=word), polarity ^ flips, flips))
    for verb, polarity in VERBS.items():
        for frame, flips in VERB_FRAMES:
            out.append((frame.format(v=verb), polarity ^ flips, flips))
    return out


@lru_cache(maxsize=4)
def _made(count: int, seed: int) -> tuple[tuple[tuple[str, int], ...], int]:
    held_out = {tuple(text_to_tokens(ex.text)) for ex in load_negation().examples}
    candidates = _all_sentences()
    kept = [c for c in candidates if tuple(text_to_tokens(c[0])) not in held_out]
    dropped = len(candidates) - len(kept)
    groups = {(label, flips): [c for c in kept if c[1] == label and c[2] == flips]
              for label in (0, 1) for flips in (False, True)}
    rng = np.random.default_rng(seed)
    chosen = []
    for key in sorted(groups):
        group = groups[key]
        if not group:
            raise ValueError(f"no templated sentence with label {key[0]} and flip {key[1]}")
        take = rng.choice(len(group), size=min(count // 4, len(group)), replace=False)
        chosen += [(group[i][0], group[i][1]) for i in sorted(take)]
    order = rng.permutation(len(chosen))
    return tuple(chosen[i] for i in order), dropped


def negation_frames_info(count: int = FRAMES_COUNT, seed: int = 0) -> dict[str, int]:
    """How many adjectives and candidate sentences there are, how many were dropped because they
    are negation-set sentences, and how many were made."""
    made, dropped = _made(count, seed)
    return {"adjectives": len(polar_adjectives()), "candidates": len(_all_sentences()),
            "dropped_negation_set": dropped, "made": len(made)}


def load_negation_frames(count: int = FRAMES_COUNT, seed: int = 0) -> SentimentDataset:
    """``count`` templated sentences as a :class:`SentimentDataset` whose examples are all in its
    ``train`` split (see the module docstring)."""
    made, _ = _made(count, seed)
    return SentimentDataset("negation-frames", [LabeledText(text, label, "train") for text, label in made],
                            BINARY_LABELS)
