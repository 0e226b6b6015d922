"""
The two downstream tasks as token lists with integer labels, split into train/dev/test.

``sentiment``
    One label per text, from a source of :mod:`elmo_core.datasets.catalogue`. A text is
    tokenised with :func:`elmo_core.tokenizer.text_to_tokens`: its sentences are joined into one
    token list, so a two-sentence review snippet is one example. A dataset name may join sources
    with ``+`` (``rt+imdb-sentences+vader``; ``vader`` stands for its three sets): training uses
    every source's train split, dev and test are the first source's.
``pos``
    One Penn Treebank tag (or a coarse universal tag) per token (:mod:`elmo_core.datasets.pos`).

Subsets: ``train_size`` / ``dev_size`` / ``test_size`` > 0 keep that many examples of a split,
chosen at random with a fixed seed and kept in file order, so a small grid run always sees the
same examples.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..datasets.catalogue import load_sentiment_dataset
from ..datasets.pos import load_pos
from ..datasets.splits import SPLITS
from ..datasets.vader import VADER_DOMAINS
from ..tokenizer import text_to_tokens

__all__ = ["TASKS", "DEFAULT_DATASETS", "TaskSplit", "TaskData", "load_task_data", "with_split_subset",
           "sentiment_sources"]

TASKS = ("sentiment", "pos")
DEFAULT_DATASETS = {"sentiment": "rt", "pos": "wsj"}


@dataclass(frozen=True)
class TaskSplit:
    """Examples of one split.

    ``labels[i]`` is an int (sentiment) or a list of ints, one per token of ``sentences[i]``
    (pos). ``texts[i]`` is the original text (sentiment) or the space-joined tokens (pos).
    """

    sentences: list[list[str]] = field(repr=False)
    labels: list = field(repr=False)
    texts: list[str] = field(repr=False)
    origins: list[str] | None = field(default=None, repr=False)  # source of each example (mixtures)

    def __len__(self) -> int:
        return len(self.sentences)

    def subset(self, keep: list[int]) -> "TaskSplit":
        """The examples at ``keep`` (in that order)."""
        origins = None if self.origins is None else [self.origins[i] for i in keep]
        return TaskSplit([self.sentences[i] for i in keep], [self.labels[i] for i in keep],
                         [self.texts[i] for i in keep], origins)

    def flat_labels(self) -> np.ndarray:
        """(n,) int64 labels: one per example (sentiment) or one per token (pos)."""
        if self.labels and isinstance(self.labels[0], (list, tuple)):
            return np.asarray([t for tags in self.labels for t in tags], dtype=np.int64)
        return np.asarray(self.labels, dtype=np.int64)


@dataclass(frozen=True)
class TaskData:
    task: str
    dataset: str
    label_names: tuple[str, ...]
    splits: dict[str, TaskSplit] = field(repr=False)

    @property
    def token_level(self) -> bool:
        return self.task == "pos"

    def split(self, name: str) -> TaskSplit:
        return self.splits[name]

    def cache_name(self, split: str) -> str:
        """A readable name for the feature cache, e.g. ``sentiment-rt-train``."""
        return f"{self.task}-{self.dataset}-{split}"

    def segments(self, split: str) -> list[tuple[str, int]]:
        """``(cache name, count)`` runs of consecutive examples from one source, in order, so a
        mixture caches each source's features on its own (and reuses them in other mixtures)."""
        part = self.splits[split]
        if part.origins is None:
            return [(self.cache_name(split), len(part))]
        runs: list[tuple[str, int]] = []
        for origin in part.origins:
            if runs and runs[-1][0] == origin:
                runs[-1] = (origin, runs[-1][1] + 1)
            else:
                runs.append((origin, 1))
        return [(f"{self.task}-{origin}-{split}", count) for origin, count in runs]


def _subset(count: int, size: int, seed: int) -> list[int]:
    """Indices of ``size`` random items out of ``count`` (all when size <= 0), in order."""
    if size <= 0 or size >= count:
        return list(range(count))
    rng = np.random.default_rng(seed)
    return sorted(rng.permutation(count)[:size].tolist())


def sentiment_sources(dataset: str) -> list[str]:
    """The source names of a (``+``-joined) sentiment dataset name, ``vader`` expanded."""
    names = [n.strip().lower() for n in dataset.split("+")]
    if not all(names):
        raise ValueError(f"empty source name in {dataset!r}")
    expanded = []
    for name in names:
        expanded += list(VADER_DOMAINS) if name == "vader" else [name]
    return expanded


def _sentiment(dataset: str, sizes: dict[str, int], seed: int, imdb_reviews: int) -> TaskData:
    names = sentiment_sources(dataset)
    sources = [load_sentiment_dataset(name, max_reviews=imdb_reviews) for name in names]
    labels = tuple(sources[0].label_names)
    for name, source in zip(names[1:], sources[1:]):
        if tuple(source.label_names) != labels:
            raise ValueError(f"{name} has labels {source.label_names}, {names[0]} has {labels}: they cannot be mixed")
    splits = {}
    for split in SPLITS:
        used = list(zip(names, sources)) if split == "train" else [(names[0], sources[0])]
        rows = [(ex.text, text_to_tokens(ex.text), ex.label, name)
                for name, source in used for ex in source.split(split)]
        rows = [r for r in rows if r[1]]
        rows = [rows[i] for i in _subset(len(rows), sizes[split], seed)]
        origins = [r[3] for r in rows] if len(names) > 1 else None
        splits[split] = TaskSplit([r[1] for r in rows], [r[2] for r in rows], [r[0] for r in rows], origins)
    return TaskData("sentiment", dataset, labels, splits)


def _pos(dataset: str, sizes: dict[str, int], seed: int, coarse: bool) -> TaskData:
    sentences = load_pos(dataset, coarse=coarse)
    names = tuple(sorted({tag for s in sentences for tag in s.tags}))
    index = {name: i for i, name in enumerate(names)}
    splits = {}
    for split in SPLITS:
        rows = [s for s in sentences if s.split == split]
        rows = [rows[i] for i in _subset(len(rows), sizes[split], seed)]
        splits[split] = TaskSplit(
            [list(s.tokens) for s in rows],
            [[index[t] for t in s.tags] for s in rows],
            [" ".join(s.tokens) for s in rows],
        )
    return TaskData("pos", dataset, names, splits)


def load_task_data(task: str, dataset: str = "", *, train_size: int = 0, dev_size: int = 0,
                   test_size: int = 0, seed: int = 0, coarse_tags: bool = False, imdb_reviews: int = 0) -> TaskData:
    """Load ``task`` (``sentiment`` or ``pos``) from ``dataset`` (default ``rt`` / ``wsj``).
    ``imdb_reviews`` caps the reviews per split of the ``imdb`` sources (0 = all)."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose one of {TASKS}")
    dataset = dataset or DEFAULT_DATASETS[task]
    sizes = {"train": train_size, "dev": dev_size, "test": test_size}
    if task == "sentiment":
        return _sentiment(dataset, sizes, seed, imdb_reviews)
    return _pos(dataset, sizes, seed, coarse_tags)


def with_split_subset(data: TaskData, split: str, size: int, seed: int = 0) -> TaskData:
    """``data`` with ``split`` cut to ``size`` random examples (kept in order); 0 keeps all."""
    part = data.split(split)
    subset = part.subset(_subset(len(part), size, seed))
    return TaskData(data.task, data.dataset, data.label_names, {**data.splits, split: subset})
