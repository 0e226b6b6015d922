"""
The word -> rows index of an embedded corpus, written by the job so a reader never scans vectors.

Each shard gets ``shard-00000k.words.parquet``: one row per token, sorted by ``word`` (the
token lower-cased), then ``row``: ``word`` string, ``row`` int64 (the token's row in the shard's
vector file), ``sentence_id`` int64, ``position`` int32. Sorted words give each row group a narrow
min/max range, so ``pyarrow`` reads only the row groups that can hold a word.

At the end of a job :func:`write_vocabulary` folds the per-shard word counts into
``OUTPUT_DIR/vocab.parquet`` (``word``, ``count``; most frequent first), keeping one running
table of the vocabulary in memory, not one entry per token.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

__all__ = ["WordIndexBuilder", "words_schema", "word_key", "write_vocabulary", "lookup_rows", "VOCAB_FILE"]

VOCAB_FILE = "vocab.parquet"
_FOLD_ROWS = 1_000_000


def word_key(token: str) -> str:
    """How the index spells a token: lower-cased, so ``Bank`` and ``bank`` are one word."""
    return token.lower()


def words_schema():
    import pyarrow as pa

    return pa.schema([("word", pa.string()), ("row", pa.int64()), ("sentence_id", pa.int64()),
                      ("position", pa.int32())])


class WordIndexBuilder:
    """Collects (word, row, sentence id, position) for one shard; :meth:`table` sorts them."""

    def __init__(self) -> None:
        self._words: list[str] = []
        self._rows: list[np.ndarray] = []
        self._ids: list[np.ndarray] = []
        self._positions: list[np.ndarray] = []

    @property
    def rows(self) -> int:
        return len(self._words)

    def add(self, tokens: Sequence[str], first_row: int, sentence_ids: np.ndarray, positions: np.ndarray) -> None:
        self._words.extend(word_key(t) for t in tokens)
        self._rows.append(np.arange(first_row, first_row + len(tokens), dtype=np.int64))
        self._ids.append(np.asarray(sentence_ids, dtype=np.int64))
        self._positions.append(np.asarray(positions, dtype=np.int32))

    def table(self):
        import pyarrow as pa

        schema = words_schema()
        if not self._words:
            return schema.empty_table()

        def joined(parts, dtype):
            return np.concatenate(parts).astype(dtype, copy=False)

        table = pa.table({"word": pa.array(self._words, pa.string()), "row": joined(self._rows, np.int64),
                          "sentence_id": joined(self._ids, np.int64), "position": joined(self._positions, np.int32)},
                         schema=schema)
        return table.sort_by([("word", "ascending"), ("row", "ascending")])


def _counts(path: Path):
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=["word"]).group_by("word").aggregate([("word", "count")]) \
        .rename_columns(["word", "count"])


def write_vocabulary(output_dir: Path, word_files: Iterable[Path]) -> int:
    """Sum the word counts of ``word_files`` into ``vocab.parquet``; returns the vocabulary size."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    def fold(tables):
        return pa.concat_tables(tables).group_by("word").aggregate([("count", "sum")]).rename_columns(["word", "count"])

    total = None
    pending: list = []
    pending_rows = 0
    for path in word_files:  # fold in batches: memory ~ vocabulary + _FOLD_ROWS, not ~ tokens
        counts = _counts(path)
        pending.append(counts)
        pending_rows += counts.num_rows
        if pending_rows > max(_FOLD_ROWS, total.num_rows if total is not None else 0):
            total = fold(([total] if total is not None else []) + pending)
            pending, pending_rows = [], 0
    if pending:
        total = fold(([total] if total is not None else []) + pending)
    if total is None:
        total = pa.table({"word": pa.array([], pa.string()), "count": pa.array([], pa.int64())})
    total = total.cast(pa.schema([("word", pa.string()), ("count", pa.int64())]))
    order = pc.sort_indices(total, sort_keys=[("count", "descending"), ("word", "ascending")])
    total = total.take(order)
    target = Path(output_dir) / VOCAB_FILE
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    pq.write_table(total, tmp, compression="zstd")
    os.replace(tmp, target)
    return total.num_rows


def lookup_rows(words_file: Path, word: str):
    """The index rows of ``word`` (already lower-cased) in one shard: a table with ``row``,
    ``sentence_id`` and ``position``, read through the row-group statistics."""
    import pyarrow.parquet as pq

    return pq.read_table(words_file, columns=["row", "sentence_id", "position"], filters=[("word", "==", word)])
