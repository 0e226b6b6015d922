"""
A yardstick for every cosine: what a layer's cosines between token vectors usually are.

Contextual vectors are anisotropic: any two tokens of a layer have a clearly positive cosine
(Ethayarajh 2019, "How Contextual are Contextualized Word Representations?"), so a raw cosine
such as 0.80 says nothing until it is read against the same layer's typical values. Per layer,
:func:`build_reference` measures

* ``different words``: tokens of different words in different sentences of the curated sense set
  (a fixed, seeded sample of pairs); their mean is the layer's anisotropy baseline;
* ``same sense`` and ``different senses``: the target word of two curated sentences
  (:mod:`elmo_core.datasets.sense_sentences`) in one sense, or in two;
* ``one-sense repeat`` and ``two-sense repeat``: a word twice in one sentence
  (:mod:`elmo_core.analysis.repeats`: "The dog chased the other dog ." against "I saw a saw .").
  Two tokens of one sentence share their context, which raises their cosine, so a pair inside one
  sentence is read against these, not against the cross-sentence pairs.

Every pair's cosine is kept with its group (the curated word, or the repeat sentence), so a
judgement can leave out the word or the sentence being judged (:meth:`CosineSample.without`).
:func:`judge_pair` places one cosine among the references and :func:`describe_pair` writes it as
a sentence a student can read. :func:`measure_reference` gathers the sentences, calls an
``embed`` function once (e.g. :meth:`elmo_core.BiLM.embed`) and builds the reference.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np

from ..datasets.sense_sentences import SenseSentence, load_curated
from .repeats import ONE_SENSE, TWO_SENSES, parse_repeat
from .similarity import unit_rows

__all__ = [
    "SAME_SENSE", "DIFFERENT_SENSES", "DIFFERENT_WORDS", "ONE_SENSE_REPEAT", "TWO_SENSE_REPEAT", "KINDS",
    "PER_SENSE", "WORD_PAIRS", "TIE", "CosineSample", "SimilarityReference", "PairJudgement",
    "sense_pair_cosines", "different_word_cosines", "repeat_cosines", "build_reference", "measure_reference",
    "reference_sentences", "sentence_key", "judge_pair", "describe_pair", "share_words",
]

SAME_SENSE = "same sense"
DIFFERENT_SENSES = "different senses"
DIFFERENT_WORDS = "different words"
ONE_SENSE_REPEAT = "one-sense repeat"
TWO_SENSE_REPEAT = "two-sense repeat"
KINDS = (SAME_SENSE, DIFFERENT_SENSES, DIFFERENT_WORDS, ONE_SENSE_REPEAT, TWO_SENSE_REPEAT)
#: Curated sentences per sense that :func:`measure_reference` embeds (a seeded sample; ``None``: all).
PER_SENSE = 6
#: Pairs of tokens of different words sampled per layer.
WORD_PAIRS = 10_000
#: Cosines within this of each other count as equal (a context-free layer gives 1 up to rounding).
TIE = 1e-6
#: A cosine lower than all but this share of the one-sense pairs reads as two senses (and higher
#: than all but this share of the two-sense pairs as one sense).
READING_SHARE = 0.10


def sentence_key(tokens: Sequence[str]) -> tuple[str, ...]:
    """The tokens of a sentence, lower-cased: how a judged sentence is matched to a repeat."""
    return tuple(str(t).lower() for t in tokens)


@dataclass(frozen=True, eq=False)
class CosineSample:
    """The cosines of one kind of pair at one layer, ``values`` (n,) sorted ascending, and the
    group of each (n,) (a curated word or a repeat sentence's :func:`sentence_key` joined by
    spaces; ``""`` for pairs of different words)."""

    values: np.ndarray
    groups: np.ndarray

    @classmethod
    def of(cls, values: Sequence[float], groups: Sequence[str]) -> "CosineSample":
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        groups = np.asarray(list(groups), dtype=object).reshape(-1)
        if values.shape != groups.shape:
            raise ValueError(f"{values.shape[0]} cosines but {groups.shape[0]} groups")
        order = np.argsort(values, kind="stable")
        return cls(values[order], groups[order])

    @property
    def n(self) -> int:
        return int(self.values.shape[0])

    def without(self, group: Optional[str]) -> "CosineSample":
        """The sample without the pairs of ``group`` (itself when ``group`` is None or absent)."""
        if group is None:
            return self
        keep = self.groups != group
        return self if keep.all() else CosineSample(self.values[keep], self.groups[keep])

    def counts(self, value: float) -> tuple[int, int]:
        """(pairs with a lower cosine, pairs with the same cosine within :data:`TIE`)."""
        below = int(np.searchsorted(self.values, value - TIE, side="left"))
        return below, int(np.searchsorted(self.values, value + TIE, side="right")) - below

    def share_below(self, value: float) -> float:
        """Share of the pairs with a lower cosine, ties (within :data:`TIE`) counted half: 0 to 1;
        NaN for an empty sample."""
        if not self.n:
            return float("nan")
        below, equal = self.counts(value)
        return (below + 0.5 * equal) / self.n

    def quantile(self, q: float) -> float:
        """The ``q``-quantile (0 to 1) of the cosines; NaN for an empty sample."""
        return float(np.quantile(self.values, q)) if self.n else float("nan")

    def band(self) -> tuple[float, float, float]:
        """(10 %, median, 90 %) of the cosines."""
        return self.quantile(0.1), self.quantile(0.5), self.quantile(0.9)

    def mean(self) -> float:
        return float(self.values.mean()) if self.n else float("nan")


@dataclass(frozen=True, eq=False)
class SimilarityReference:
    """Per layer (tuples of length L), the cosines of each kind of pair; see the module text."""

    same_sense: tuple[CosineSample, ...]
    different_senses: tuple[CosineSample, ...]
    different_words: tuple[CosineSample, ...]
    one_sense_repeat: tuple[CosineSample, ...]
    two_sense_repeat: tuple[CosineSample, ...]
    n_sentences: int  # curated sentences the sense pairs come from
    n_words: int  # curated words among them
    seconds: float = float("nan")  # time taken to embed and measure

    @property
    def num_layers(self) -> int:
        return len(self.same_sense)

    @property
    def anisotropy(self) -> tuple[float, ...]:
        """Per layer, the mean cosine of tokens of different words: the layer's baseline."""
        return tuple(sample.mean() for sample in self.different_words)

    def sample(self, layer: int, kind: str) -> CosineSample:
        field = {SAME_SENSE: self.same_sense, DIFFERENT_SENSES: self.different_senses,
                 DIFFERENT_WORDS: self.different_words, ONE_SENSE_REPEAT: self.one_sense_repeat,
                 TWO_SENSE_REPEAT: self.two_sense_repeat}.get(kind)
        if field is None:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
        if not 0 <= layer < len(field):
            raise ValueError(f"layer {layer} is not one of the {len(field)} layers")
        return field[layer]

    def percentile_of(self, value: float, layer: int, kind: str, leave_out: Optional[str] = None) -> float:
        """Percentage (0 to 100) of the ``kind`` pairs at ``layer`` with a lower cosine than
        ``value`` (ties half), without the pairs of group ``leave_out`` (a curated word, or a
        repeat sentence's :func:`sentence_key` joined by spaces)."""
        return 100.0 * self.sample(layer, kind).without(leave_out).share_below(value)

    def adjusted(self, cosines: np.ndarray, layer: int) -> np.ndarray:
        """Cosines minus the layer's anisotropy baseline (same shape)."""
        return np.asarray(cosines, dtype=np.float64) - self.anisotropy[layer]


# ------------------------------------------------------------------------------ measuring
def _pair_cosine(unit: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Cosines of rows ``i`` and ``j`` of unit vectors (L, n, D) -> (L, len(i))."""
    return np.clip((unit[:, i] * unit[:, j]).sum(axis=-1), -1.0, 1.0)


def sense_pair_cosines(target_vectors: np.ndarray, words: Sequence[str], senses: Sequence[str]
                       ) -> tuple[list[CosineSample], list[CosineSample]]:
    """Same-word pairs of target vectors (L, n, D), one row per sentence: per layer, the
    cosines of the pairs in one sense and of the pairs in two, grouped by word."""
    words, senses = np.asarray(words, dtype=object), np.asarray(senses, dtype=object)
    i, j = np.triu_indices(len(words), k=1)
    same_word = words[i] == words[j]
    i, j = i[same_word], j[same_word]
    same = senses[i] == senses[j]
    cosines = _pair_cosine(unit_rows(target_vectors), i, j)  # (L, pairs)
    groups = words[i]
    return ([CosineSample.of(c[same], groups[same]) for c in cosines],
            [CosineSample.of(c[~same], groups[~same]) for c in cosines])


def different_word_cosines(vectors: Sequence[np.ndarray], sentences: Sequence[Sequence[str]],
                           n_pairs: int = WORD_PAIRS, seed: int = 0) -> list[CosineSample]:
    """Per layer, the cosines of ``n_pairs`` seeded random pairs of tokens that are different
    words (tokens with a letter, compared lower-cased) in different sentences. ``vectors``: one
    (L, n_tokens, D) array per sentence."""
    tokens = [(s, t, tok.lower()) for s, sentence in enumerate(sentences) for t, tok in enumerate(sentence)
              if any(ch.isalpha() for ch in tok)]
    if len(tokens) < 2:
        raise ValueError("need at least two word tokens")
    rng = np.random.default_rng(seed)
    first, second = [], []
    while len(first) < n_pairs:
        a = rng.integers(len(tokens), size=2 * n_pairs)
        b = rng.integers(len(tokens), size=2 * n_pairs)
        for x, y in zip(a.tolist(), b.tolist()):
            if tokens[x][0] != tokens[y][0] and tokens[x][2] != tokens[y][2]:
                first.append(x)
                second.append(y)
                if len(first) == n_pairs:
                    break
        else:
            if not first:
                raise ValueError("no two tokens of different words in different sentences")
    pick = lambda rows: np.stack([vectors[tokens[r][0]][:, tokens[r][1]] for r in rows], axis=1)  # noqa: E731
    cosines = (unit_rows(pick(first)) * unit_rows(pick(second))).sum(axis=-1)  # (L, n_pairs)
    return [CosineSample.of(np.clip(c, -1.0, 1.0), [""] * len(c)) for c in cosines]


def repeat_cosines(vectors: Sequence[np.ndarray], marked: Sequence[str]) -> list[CosineSample]:
    """Per layer, the cosine of the two repeats of each ``marked`` sentence ("I [saw] a [saw] ."),
    grouped by the sentence's :func:`sentence_key` joined by spaces. ``vectors``: one
    (L, n_tokens, D) array per sentence, in the order of ``marked``."""
    parsed = [parse_repeat(m) for m in marked]
    unit = [unit_rows(v) for v in vectors]
    cosines = np.array([np.clip((u[:, i] * u[:, j]).sum(axis=-1), -1.0, 1.0)
                        for u, (_, i, j) in zip(unit, parsed)]).reshape(len(parsed), -1)  # (sentences, L)
    groups = [" ".join(sentence_key(tokens)) for tokens, _, _ in parsed]
    return [CosineSample.of(cosines[:, k], groups) for k in range(cosines.shape[1])]


def reference_sentences(per_sense: Optional[int] = PER_SENSE, seed: int = 0) -> list[SenseSentence]:
    """The curated sentences the reference is measured on: ``per_sense`` of each sense, a
    seeded sample kept in file order (all of them with ``None``)."""
    items = load_curated()
    if per_sense is None:
        return items
    by_sense: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        by_sense.setdefault(item.sense, []).append(index)
    rng = np.random.default_rng(seed)
    keep = sorted(i for rows in by_sense.values()
                  for i in (rows if len(rows) <= per_sense else rng.choice(rows, per_sense, replace=False).tolist()))
    return [items[i] for i in keep]


def build_reference(curated: Sequence[SenseSentence], curated_vectors: Sequence[np.ndarray],
                    one_sense_vectors: Sequence[np.ndarray], two_sense_vectors: Sequence[np.ndarray], *,
                    one_sense: Sequence[str] = ONE_SENSE, two_senses: Sequence[str] = TWO_SENSES,
                    n_pairs: int = WORD_PAIRS, seed: int = 0, seconds: float = float("nan")
                    ) -> SimilarityReference:
    """The reference from vectors already computed: one (L, n_tokens, D) array per curated
    sentence and per repeat sentence (``one_sense`` and ``two_senses``, marked as in
    :mod:`~elmo_core.analysis.repeats`)."""
    if len(curated) != len(curated_vectors):
        raise ValueError(f"{len(curated)} curated sentences but {len(curated_vectors)} vector arrays")
    targets = np.stack([v[:, item.target_index] for item, v in zip(curated, curated_vectors)], axis=1)  # (L, n, D)
    same, different = sense_pair_cosines(targets, [i.word for i in curated], [i.sense for i in curated])
    return SimilarityReference(
        same_sense=tuple(same), different_senses=tuple(different),
        different_words=tuple(different_word_cosines(curated_vectors, [i.tokens for i in curated], n_pairs, seed)),
        one_sense_repeat=tuple(repeat_cosines(one_sense_vectors, one_sense)),
        two_sense_repeat=tuple(repeat_cosines(two_sense_vectors, two_senses)),
        n_sentences=len(curated), n_words=len({i.word for i in curated}), seconds=seconds)


def measure_reference(embed: Callable[[list[list[str]]], list[np.ndarray]], per_sense: Optional[int] = PER_SENSE,
                      n_pairs: int = WORD_PAIRS, seed: int = 0) -> SimilarityReference:
    """Embed the reference sentences with ``embed`` (tokenized sentences -> one (L, n, D) array
    each, e.g. ``bilm.embed``) in one call and build the reference; ``seconds`` is the time taken."""
    started = time.perf_counter()
    curated = reference_sentences(per_sense, seed)
    one = [parse_repeat(m)[0] for m in ONE_SENSE]
    two = [parse_repeat(m)[0] for m in TWO_SENSES]
    vectors = embed([list(i.tokens) for i in curated] + one + two)
    n = len(curated)
    reference = build_reference(curated, vectors[:n], vectors[n : n + len(one)], vectors[n + len(one):],
                                n_pairs=n_pairs, seed=seed)
    return SimilarityReference(**{**reference.__dict__, "seconds": time.perf_counter() - started})


# ------------------------------------------------------------------------------ reading one cosine
@dataclass(frozen=True)
class PairJudgement:
    """One cosine placed among a layer's references. ``within_sentence``: read against the
    repeats in one sentence (``left_out``: the judged sentence was one of them and is left out),
    else against the curated pairs across sentences (``left_out``: the judged word's own pairs).
    ``share_one`` / ``share_two``: share (0 to 1) of the one-sense (same-sense) and two-sense
    (different-sense) pairs with a lower cosine; ``band_one`` / ``band_two``: their 10 %, median,
    90 %; ``reading``: ``"one sense"``, ``"two senses"`` or None (typical of both)."""

    value: float
    layer: int
    within_sentence: bool
    left_out: Optional[str]
    share_one: float
    share_two: float
    band_one: tuple[float, float, float]
    band_two: tuple[float, float, float]
    n_one: int
    n_two: int
    counts_one: tuple[int, int]  # (pairs below, pairs equal) among the one-sense references
    counts_two: tuple[int, int]
    baseline: float  # the layer's mean cosine of tokens of different words
    reading: Optional[str]

    @property
    def percentile(self) -> float:
        """Percentage of the one-sense (same-sense) references below the cosine."""
        return 100.0 * self.share_one


def judge_pair(reference: SimilarityReference, value: float, layer: int,
               sentence: Optional[Sequence[str]] = None, word: Optional[str] = None) -> PairJudgement:
    """Place ``value``, the cosine of two occurrences of one word at ``layer``. ``sentence``:
    the tokens of the one sentence both occurrences are in (read against the repeats, that
    sentence left out when it is one of them); None for occurrences in different sentences (read
    against the curated pairs, the pairs of ``word`` left out when it is a curated word)."""
    if sentence is not None:
        group = " ".join(sentence_key(sentence))
        one, two = (reference.sample(layer, ONE_SENSE_REPEAT), reference.sample(layer, TWO_SENSE_REPEAT))
    else:
        group = None if word is None else str(word).lower()
        one, two = reference.sample(layer, SAME_SENSE), reference.sample(layer, DIFFERENT_SENSES)
    left_one, left_two = one.without(group), two.without(group)
    left_out = group if (left_one.n < one.n or left_two.n < two.n) else None
    share_one, share_two = left_one.share_below(value), left_two.share_below(value)
    low, high = share_one <= READING_SHARE, share_two >= 1 - READING_SHARE
    reading = "two senses" if low and not high else "one sense" if high and not low else None
    return PairJudgement(value=float(value), layer=layer, within_sentence=sentence is not None, left_out=left_out,
                         share_one=share_one, share_two=share_two, band_one=left_one.band(),
                         band_two=left_two.band(), n_one=left_one.n, n_two=left_two.n,
                         counts_one=left_one.counts(value), counts_two=left_two.counts(value),
                         baseline=reference.anisotropy[layer], reading=reading)


def share_words(below: int, equal: int, n: int) -> str:
    """Where a cosine lies among ``n`` pairs (``below`` of them lower, ``equal`` the same), as a
    student reads it: "higher than 7 in 10", "lower than 9 in 10", "higher than all 12",
    "lower than 10 of the 12" (exact counts under 30 pairs), "equal to all 12"."""
    above = n - below - equal
    if n and equal == n:
        return f"equal to all {n:,}"
    if below == n:
        return f"higher than all {n:,}"
    if above == n:
        return f"lower than all {n:,}"
    share = (below + 0.5 * equal) / n
    if n < 30:
        return f"higher than {below} of the {n}" if share >= 0.5 else f"lower than {above} of the {n}"
    # whole tenths rounded down, so "higher than 9 in 10" means at least 90 %
    if share >= 0.5:
        return f"higher than {int(np.clip(np.floor(share * 10 + 1e-9), 1, 9))} in 10"
    return f"lower than {int(np.clip(np.floor((1 - share) * 10 + 1e-9), 1, 9))} in 10"


def describe_pair(judgement: PairJudgement) -> str:
    """One sentence a student can read, e.g. "0.80 at layer 2 (two tokens of one sentence) is
    lower than all 12 one-sense repeats of a word in one sentence (median 0.93) and higher than 7
    of the 13 two-sense repeats (median 0.78): like the two-sense repeats."."""
    j = judgement
    if j.within_sentence:
        where = "two tokens of one sentence"
        one, two = "one-sense repeats of a word in one sentence", "two-sense repeats"
    else:
        where = "two sentences"
        one, two = "same-sense pairs of curated words across sentences", "different-sense pairs"
    text = (f"{j.value:.2f} at layer {j.layer} ({where}) is {share_words(*j.counts_one, j.n_one)} {one} "
            f"(median {j.band_one[1]:.2f}) and {share_words(*j.counts_two, j.n_two)} {two} "
            f"(median {j.band_two[1]:.2f}) at this layer")
    if j.left_out and j.within_sentence:
        text += ", this sentence left out of them"
    elif j.left_out:
        text += f", the pairs of “{j.left_out}” left out"
    if j.reading == "two senses":
        text += ": like the " + ("two-sense repeats." if j.within_sentence else "different-sense pairs.")
    elif j.reading == "one sense":
        text += ": like the " + ("one-sense repeats." if j.within_sentence else "same-sense pairs.")
    else:
        text += ": typical of both, so this cosine alone does not tell one sense from two."
    return text + f" Tokens of different words average {j.baseline:.2f} at this layer."
