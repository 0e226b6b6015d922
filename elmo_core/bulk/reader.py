"""
Reading an embedded corpus (the output of ``embed-corpus``) without loading its vectors.

:class:`CorpusReader` opens a folder, checks its manifest, and answers, per word, from the
job's word index (:mod:`elmo_core.bulk.index`): how often it occurs, and a uniform random
sample of at most ``max_points`` of its occurrences with their vectors and sentences. Only the
index rows of that word, the Parquet row groups that hold the sampled tokens (256 rows each) and
the token column of their sentences are read, so a corpus of any size opens in the memory of the
sample. Error messages never contain server paths (the app shows them).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .index import VOCAB_FILE, lookup_rows, word_key
from .manifest import MANIFEST, read_manifest
from .shards import shard_paths

__all__ = ["CorpusReader", "CorpusError", "WordSample"]


class CorpusError(ValueError):
    """A folder that is not a complete embedded corpus; the message is safe to show."""


@dataclass(frozen=True)
class WordSample:
    """Sampled occurrences of ``word``: ``vectors`` (n, stored layers, dim) float32, with
    ``layer_names`` naming the middle axis; ``sentence_ids``, ``positions`` (n,) int64;
    ``sentences[i]`` the tokens of point i's sentence; ``total`` occurrences in the corpus."""

    word: str
    total: int
    vectors: np.ndarray
    sentence_ids: np.ndarray
    positions: np.ndarray
    sentences: list[tuple[str, ...]]
    layer_names: list[str]

    def __len__(self) -> int:
        return len(self.sentence_ids)


class CorpusReader:
    def __init__(self, folder: str | Path):
        try:  # a name too long for the file system, a NUL, a "~user" that does not exist ...
            folder = Path(folder).expanduser()
            exists = bool(str(folder).strip()) and folder.is_dir()
        except (OSError, ValueError, RuntimeError):
            raise CorpusError("That is not a folder name this server can open (too long, or odd characters).") from None
        if not exists:
            raise CorpusError("That folder does not exist on the server.")
        try:
            manifest = read_manifest(folder)
        except ValueError as exc:
            raise CorpusError(f"That folder's {MANIFEST} cannot be read: {exc}.") from None
        except OSError:
            raise CorpusError("That folder cannot be read.") from None
        if manifest is None:
            raise CorpusError(f"That folder is not an embedded corpus: it has no {MANIFEST}.")
        if manifest.get("status") != "complete":
            raise CorpusError("That corpus is not complete yet: run the same embed-corpus command again to finish it.")
        self.folder = folder
        self.manifest = manifest
        try:
            self.shards = int(manifest["input"]["shards"])
            self.layer_names = [str(name) for name in manifest["vectors"]["layers"]]
            self.shape = [int(n) for n in manifest["vectors"]["shape"]]
            str(manifest["model"]["name"]), str(manifest["vectors"]["dtype"])
        except (KeyError, TypeError, ValueError):
            raise CorpusError(f"That folder's {MANIFEST} lacks fields an embedded corpus has.") from None
        missing = [k for k in range(self.shards) if not shard_paths(folder, k)["words"].is_file()]
        if missing or not (folder / VOCAB_FILE).is_file():
            raise CorpusError("That corpus is missing some of its files; embed it again into a new folder.")

    # ------------------------------------------------------------------ overview
    def summary(self) -> dict:
        """Model, counts and storage of the corpus (no paths)."""
        counts = self.manifest.get("counts", {})
        return {"model": self.manifest["model"]["name"], "sentences": counts.get("sentences", 0),
                "tokens": counts.get("tokens", 0), "vocabulary": self.manifest.get("vocabulary", 0),
                "layers": self.layer_names, "dtype": self.manifest["vectors"]["dtype"],
                "skipped": counts.get("skipped", {}), "cut": counts.get("cut", 0), "shards": self.shards}

    def vocabulary(self, limit: int | None = None) -> list[tuple[str, int]]:
        """(word, count), most frequent first; at most ``limit`` entries."""
        import pyarrow.parquet as pq

        table = pq.read_table(self.folder / VOCAB_FILE)
        if limit is not None:
            table = table.slice(0, limit)
        return list(zip(table.column("word").to_pylist(), table.column("count").to_pylist()))

    def count(self, word: str) -> int:
        import pyarrow.parquet as pq

        table = pq.read_table(self.folder / VOCAB_FILE, filters=[("word", "==", word_key(word))])
        return int(table.column("count")[0].as_py()) if table.num_rows else 0

    # ------------------------------------------------------------------ occurrences
    def occurrences(self, word: str) -> np.ndarray:
        """Every occurrence of ``word`` (case-insensitive): (n, 4) int64 rows of (shard, row in
        the shard's vector file, sentence id, position), in corpus order."""
        key = word_key(word)
        parts = []
        for shard in range(self.shards):
            table = lookup_rows(shard_paths(self.folder, shard)["words"], key)
            if table.num_rows:
                parts.append(np.column_stack([np.full(table.num_rows, shard, dtype=np.int64),
                                              *(table.column(c).to_numpy().astype(np.int64)
                                                for c in ("row", "sentence_id", "position"))]))
        return np.concatenate(parts) if parts else np.zeros((0, 4), dtype=np.int64)

    def _vectors(self, shard: int, rows: np.ndarray) -> np.ndarray:
        """Vectors of ``rows`` (sorted) of one shard: (len(rows), stored layers, dim) float32,
        reading only the row groups that hold them."""
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(shard_paths(self.folder, shard)["vectors"])
        sizes = [parquet.metadata.row_group(g).num_rows for g in range(parquet.metadata.num_row_groups)]
        starts = np.concatenate([[0], np.cumsum(sizes)])
        groups = np.searchsorted(starts, rows, side="right") - 1
        out = []
        for group in np.unique(groups):
            column = parquet.read_row_group(int(group), columns=["vector"]).column("vector").combine_chunks()
            local = rows[groups == group] - starts[group]
            out.append(column.take(local).to_numpy_ndarray().astype(np.float32))
        return np.concatenate(out)

    def _sentences(self, shard: int, sentence_ids: np.ndarray) -> dict[int, tuple[str, ...]]:
        import pyarrow.parquet as pq

        wanted = sorted({int(i) for i in sentence_ids})
        table = pq.read_table(shard_paths(self.folder, shard)["vectors"], columns=["sentence_id", "position", "token"],
                              filters=[("sentence_id", "in", wanted)])
        ids = table.column("sentence_id").to_numpy()
        tokens = table.column("token").to_pylist()
        result: dict[int, list[str]] = {}
        for sid, token in zip(ids, tokens):  # rows are in (sentence id, position) order
            result.setdefault(int(sid), []).append(token)
        return {sid: tuple(words) for sid, words in result.items()}

    def sample(self, word: str, max_points: int = 1000, seed: int = 0) -> WordSample:
        """At most ``max_points`` occurrences of ``word``, drawn uniformly without replacement
        (fixed ``seed``: the same sample each time), in corpus order."""
        if max_points < 1:
            raise ValueError(f"max_points must be >= 1, got {max_points}")
        found = self.occurrences(word)
        total = len(found)
        if total > max_points:
            chosen = np.sort(np.random.default_rng(seed).choice(total, size=max_points, replace=False))
            found = found[chosen]
        vectors, sentences = [], []
        for shard in np.unique(found[:, 0]):
            part = found[found[:, 0] == shard]
            vectors.append(self._vectors(int(shard), part[:, 1]))
            texts = self._sentences(int(shard), part[:, 2])
            sentences.extend(texts[int(sid)] for sid in part[:, 2])
        stacked = np.concatenate(vectors) if vectors else np.zeros((0, *self.shape), dtype=np.float32)
        return WordSample(word_key(word), total, stacked, found[:, 2].copy(), found[:, 3].copy(), sentences,
                          self.layer_names)
