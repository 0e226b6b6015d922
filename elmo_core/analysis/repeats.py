"""
One word twice in one sentence: "I saw a saw ." and its controls.

The "saw" check compares the two "saw" vectors of one sentence, and a raw cosine also measures
how much all vectors of a layer share one direction, how close the two positions are, and the
noise of one pair. Here the same comparison is made on several sentences where a spelling recurs
in two senses (mostly two parts of speech: "I will park the car near the park .") and on
control sentences where it recurs in one sense ("The dog chased the other dog ."), with the
repeats as far apart on average. A layer that tells the senses apart puts the first kind's pairs
further apart than the second's: :func:`repeat_separation` is the share of (two-sense pair,
one-sense pair) comparisons where the two-sense pair has the lower cosine (0.5: no separation).

Sentences are written with the two repeats in brackets; the tokens are split on spaces.
"""
from __future__ import annotations

import numpy as np

from .margins import Margin

TWO_SENSES = (
    "I [saw] a [saw] .",
    "We [can] put the soup in a [can] .",
    "Please [watch] my [watch] while I swim .",
    "The [duck] had to [duck] under the low bridge .",
    "I will [park] the car near the [park] .",
    "She [left] the room by the [left] door .",
    "He went to the [bank] to [bank] his pay .",
    "The [wind] made it hard to [wind] the clock .",
    "A [fly] landed on the pilot who will [fly] the plane .",
    "They [book] a room and read a [book] .",
    "Turn on the [light] because the box is [light] .",
    "She will [train] hard to catch the [train] .",
    "The [rock] band sat on a [rock] .",
    "He lit a [match] before the [match] began .",
)

ONE_SENSE = (
    "The [dog] chased the other [dog] .",
    "I [saw] a bird and then I [saw] a cat .",
    "The [car] hit another [car] .",
    "She read a [book] after another [book] .",
    "We walked to the [park] and then home from the [park] .",
    "He drank [water] and more [water] .",
    "The [river] met another [river] .",
    "I will [call] you and then [call] her .",
    "The [child] gave the toy to another [child] .",
    "A [train] passed and a second [train] followed .",
    "The [bank] lent money to a small [bank] .",
    "He opened the [door] and closed the [door] .",
)


def parse_repeat(marked: str) -> tuple[list[str], int, int]:
    """"I [saw] a [saw] ." -> (tokens, first position, second position)."""
    tokens, positions = [], []
    for k, token in enumerate(marked.split()):
        if token.startswith("[") and token.endswith("]") and len(token) > 2:
            positions.append(k)
            token = token[1:-1]
        tokens.append(token)
    if len(positions) != 2 or tokens[positions[0]].lower() != tokens[positions[1]].lower():
        raise ValueError(f"mark the same word twice: {marked!r}")
    return tokens, positions[0], positions[1]


def repeat_separation(two_senses: np.ndarray, one_sense: np.ndarray, tie: float = 1e-6) -> float:
    """Share of (two-sense, one-sense) pairs of cosines where the two-sense one is lower, ties
    (within ``tie``: a context-free layer's cosines are 1 up to rounding) half. (n,) and (m,) ->
    a number in [0, 1]; 0.5 when the layer does not tell them apart."""
    two, one = np.asarray(two_senses, dtype=np.float64)[:, None], np.asarray(one_sense, dtype=np.float64)[None, :]
    lower, level = two < one - tie, np.abs(two - one) <= tie
    return float((lower + 0.5 * level).mean())


def separation_interval(two_senses: np.ndarray, one_sense: np.ndarray, *, resamples: int = 2000,
                        level: float = 0.95, seed: int = 0) -> Margin:
    """:func:`repeat_separation` with a percentile bootstrap interval: both sets of sentences
    (n,) and (m,) are resampled, each on its own, ``resamples`` times."""
    two, one = np.asarray(two_senses, dtype=np.float64), np.asarray(one_sense, dtype=np.float64)
    rng = np.random.default_rng(seed)
    samples = [repeat_separation(rng.choice(two, two.size), rng.choice(one, one.size)) for _ in range(resamples)]
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return Margin(repeat_separation(two, one), float(low), float(high), level)
