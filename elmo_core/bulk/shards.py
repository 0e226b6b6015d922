"""
Shard files of an embedded corpus, written so that a shard is complete or visibly not.

Shard ``k`` is three files in ``OUTPUT_DIR/shards/``:

- ``shard-00000k.parquet``: one row per token, in sentence-id then position order:
  ``sentence_id`` int64, ``position`` int32, ``token`` string, ``vector`` an Arrow
  ``fixed_shape_tensor`` of shape (layers, dim) in float32 or float16: (3, 256) with
  ``layers=all`` for ``mini``, (1, dim) with ``top`` or ``average``. Row groups of
  :data:`ROW_GROUP_ROWS` rows, so a reader fetches a few hundred vectors to get one.
- ``shard-00000k.words.parquet``: its word index (see :mod:`elmo_core.bulk.index`).
- ``shard-00000k.json``: the sidecar: the shard's id range, counts, file sizes, the SHA-256
  of the vector file, and the worker's wall and CPU seconds on it.

Both Parquet files are written under temporary names and renamed when closed; the sidecar is
written (also via a temporary file) last. :func:`shard_complete` trusts a shard only when its
sidecar is there and both files have the recorded sizes and row counts, so a run killed at any
point leaves a shard that the next run redoes, never one that looks complete but is not.
"""
from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Sequence

import numpy as np

from .index import WordIndexBuilder
from .inputs import RecordCounts
from .plan import ShardSpec

__all__ = ["ShardWriter", "shard_complete", "shard_paths", "read_sidecar", "vector_schema", "ROW_GROUP_ROWS",
           "SHARDS_DIR", "FORMAT"]

SHARDS_DIR = "shards"
ROW_GROUP_ROWS = 256
FORMAT = 1


def shard_paths(output_dir: Path, shard: int) -> dict[str, Path]:
    base = Path(output_dir) / SHARDS_DIR / f"shard-{shard:06d}"
    return {"vectors": base.with_suffix(".parquet"), "words": base.with_name(base.name + ".words.parquet"),
            "sidecar": base.with_suffix(".json")}


def vector_schema(layers: int, dim: int, dtype: str):
    import pyarrow as pa

    value = pa.float16() if dtype == "float16" else pa.float32()
    return pa.schema([("sentence_id", pa.int64()), ("position", pa.int32()), ("token", pa.string()),
                      ("vector", pa.fixed_shape_tensor(value, (layers, dim)))])


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")


def _sync_and_rename(tmp: Path, final: Path) -> None:
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, final)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class ShardWriter:
    """Streams one shard's token rows into a temporary Parquet file; :meth:`commit` publishes it.

    ``add`` takes sentence ids, their tokens and their vectors, each (layers, n_tokens, dim)
    float32 as :meth:`BiLM.embed` returns them; ``layers`` says what to keep (``all``, ``top``
    or ``average``)."""

    def __init__(self, output_dir: Path, spec: ShardSpec, *, layers: str, num_layers: int, dim: int, dtype: str):
        import pyarrow.parquet as pq

        self.spec = spec
        self.paths = shard_paths(output_dir, spec.shard)
        self.paths["vectors"].parent.mkdir(parents=True, exist_ok=True)
        self.layers = layers
        self.stored_layers = num_layers if layers == "all" else 1
        self.dim = dim
        self.dtype = np.float16 if dtype == "float16" else np.float32
        self.schema = vector_schema(self.stored_layers, dim, dtype)
        self._tmp_vectors = _tmp(self.paths["vectors"])
        # No dictionary, statistics or compression for the vectors: they would cost time for nothing.
        self._writer = pq.ParquetWriter(
            self._tmp_vectors, self.schema, use_dictionary=["token"],
            write_statistics=["sentence_id", "position", "token"],
            compression={"sentence_id": "zstd", "position": "zstd", "token": "zstd", "vector": "none"})
        self._index = WordIndexBuilder()
        self.rows = 0

    def _stored(self, vectors: np.ndarray) -> np.ndarray:
        """(layers, n, dim) -> (n, stored_layers, dim) in the stored dtype."""
        if self.layers == "top":
            vectors = vectors[-1:]
        elif self.layers == "average":
            vectors = vectors.mean(axis=0, keepdims=True)
        return np.ascontiguousarray(vectors.transpose(1, 0, 2), dtype=self.dtype)

    def add(self, sentence_ids: Sequence[int], tokens: Sequence[Sequence[str]], vectors: Sequence[np.ndarray]) -> None:
        import pyarrow as pa

        if not sentence_ids:
            return
        lengths = np.array([len(t) for t in tokens], dtype=np.int64)
        ids = np.repeat(np.asarray(sentence_ids, dtype=np.int64), lengths)
        positions = np.concatenate([np.arange(n, dtype=np.int32) for n in lengths])
        flat_tokens = [t for sentence in tokens for t in sentence]
        stacked = np.concatenate([self._stored(v) for v in vectors])  # (n_tokens, stored_layers, dim)
        if stacked.shape[0] != len(flat_tokens):
            raise ValueError("vectors and tokens disagree in length")
        storage = pa.FixedSizeListArray.from_arrays(pa.array(stacked.reshape(-1)), self.stored_layers * self.dim)
        table = pa.table({"sentence_id": ids, "position": positions, "token": pa.array(flat_tokens, pa.string()),
                          "vector": pa.ExtensionArray.from_storage(self.schema.field("vector").type, storage)},
                         schema=self.schema)
        self._index.add(flat_tokens, self.rows, ids, positions)
        self._writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
        self.rows += table.num_rows

    def commit(self, counts: RecordCounts, seconds: float, cpu_seconds: float = 0.0) -> dict:
        """Close and publish the shard; returns its sidecar (also written to disk). ``seconds``
        and ``cpu_seconds``: wall and CPU time of the worker on this shard, for benchmarks."""
        import pyarrow.parquet as pq

        self._writer.close()
        tmp_words = _tmp(self.paths["words"])
        pq.write_table(self._index.table(), tmp_words, compression="zstd", row_group_size=8192)
        sidecar = {
            "format": FORMAT, "shard": self.spec.shard, "first_id": self.spec.first_id, "count": self.spec.count,
            "counts": counts.to_dict(), "token_rows": self.rows, "word_rows": self._index.rows,
            "vector_bytes": self._tmp_vectors.stat().st_size, "word_bytes": tmp_words.stat().st_size,
            "vector_sha256": _sha256(self._tmp_vectors), "seconds": round(seconds, 3),
            "cpu_seconds": round(cpu_seconds, 3),
        }
        _sync_and_rename(self._tmp_vectors, self.paths["vectors"])
        _sync_and_rename(tmp_words, self.paths["words"])
        tmp_sidecar = _tmp(self.paths["sidecar"])
        tmp_sidecar.write_text(json.dumps(sidecar, indent=1))
        _sync_and_rename(tmp_sidecar, self.paths["sidecar"])
        return sidecar

    def abort(self) -> None:
        """Drop the temporary file (after an error); the shard stays incomplete."""
        try:
            self._writer.close()
        finally:
            self._tmp_vectors.unlink(missing_ok=True)


def read_sidecar(output_dir: Path, shard: int) -> dict | None:
    path = shard_paths(output_dir, shard)["sidecar"]
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _parquet_rows(path: Path) -> int | None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata.num_rows
    except (OSError, pa.ArrowException):
        return None


def shard_complete(output_dir: Path, spec: ShardSpec) -> dict | None:
    """The sidecar of shard ``spec.shard`` if the shard is complete and covers ``spec``'s ids,
    else ``None`` (see the module docstring)."""
    sidecar = read_sidecar(output_dir, spec.shard)
    if sidecar is None or sidecar.get("format") != FORMAT:
        return None
    if (sidecar.get("shard"), sidecar.get("first_id"), sidecar.get("count")) != (spec.shard, spec.first_id, spec.count):
        return None
    paths = shard_paths(output_dir, spec.shard)
    for kind, size_key, rows_key in (("vectors", "vector_bytes", "token_rows"), ("words", "word_bytes", "word_rows")):
        path = paths[kind]
        if not path.is_file() or path.stat().st_size != sidecar.get(size_key):
            return None
        if _parquet_rows(path) != sidecar.get(rows_key):
            return None
    return sidecar
