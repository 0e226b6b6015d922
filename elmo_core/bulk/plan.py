"""
The shard plan: which records each shard reads, fixed before any work starts.

Record ids run over the input files in order (line or row index). Shard ``k`` holds the ids
``[k * shard_size, (k + 1) * shard_size)``; it may span files, so a :class:`ShardSpec` is a list
of :class:`Segment` (a byte range of a text file, always cut at line starts, or a row range of a
Parquet file). Because the plan depends only on the input and ``shard_size``, a rerun finds the
same shards and can skip those already complete.

One pass over text inputs counts lines, notes the byte offset of every ``shard_size``-th line
and hashes the bytes (the input fingerprint); memory stays one read buffer plus one offset per
shard. Parquet inputs need only their footers.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .inputs import InputFiles

__all__ = ["Segment", "ShardSpec", "InputPlan", "plan_shards"]

_BUFFER = 8 << 20
_FOOTER_BYTES = 1 << 16


@dataclass(frozen=True)
class Segment:
    """Records ``[first_id, first_id + count)`` from ``path``: bytes ``[start, end)`` of a text
    file or rows ``[start, end)`` of a Parquet file."""

    path: str
    start: int
    end: int
    first_id: int
    count: int


@dataclass(frozen=True)
class ShardSpec:
    shard: int
    first_id: int
    count: int
    kind: str  # "text" or "parquet"
    segments: tuple[Segment, ...]

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "ShardSpec":
        data = json.loads(text)
        return cls(data["shard"], data["first_id"], data["count"], data["kind"],
                   tuple(Segment(**s) for s in data["segments"]))


@dataclass(frozen=True)
class InputPlan:
    kind: str
    files: tuple[str, ...]
    records: int
    fingerprint: str
    shard_size: int
    shards: tuple[ShardSpec, ...]


@dataclass(frozen=True)
class _FileIndex:
    path: Path
    records: int
    size: int
    boundaries: dict[int, int]  # global id (a multiple of shard_size) -> byte offset / row


def _scan_text_file(path: Path, first_id: int, shard_size: int, digest) -> _FileIndex:
    """Count the lines of ``path`` and note where each line whose id is a multiple of
    ``shard_size`` starts. A final line without a newline counts."""
    boundaries: dict[int, int] = {}
    lines = 0  # complete lines so far (newlines seen)
    position = 0
    last_byte = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(_BUFFER):
            digest.update(chunk)
            count = chunk.count(b"\n")
            # lines starting in this chunk have ids first_id + lines (+1 after each newline)
            if (first_id + lines) % shard_size == 0 and first_id + lines not in boundaries and last_byte == b"\n":
                boundaries[first_id + lines] = position
            if count:
                next_boundary = -(first_id + lines + 1) % shard_size  # newlines until a boundary line starts
                found = -1
                seen = 0
                target = next_boundary + 1
                while target <= count:
                    while seen < target:
                        found = chunk.find(b"\n", found + 1)
                        seen += 1
                    boundaries[first_id + lines + seen] = position + found + 1
                    target += shard_size
                lines += count
            position += len(chunk)
            last_byte = chunk[-1:]
    records = lines + (1 if position and last_byte != b"\n" else 0)
    # a boundary at the very end of the file starts no line
    boundaries = {i: off for i, off in boundaries.items() if off < position}
    return _FileIndex(path, records, position, boundaries)


def _parquet_index(path: Path, first_id: int, shard_size: int, text_column: str, digest) -> _FileIndex:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException) as exc:
        raise ValueError(f"{path.name} is not a readable Parquet file: {exc}") from None
    if text_column not in schema.names:
        raise ValueError(f"{path.name} has no column {text_column!r} (columns: {', '.join(schema.names)}); "
                         f"name the text column with --text-column")
    kind = schema.field(text_column).type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise ValueError(f"column {text_column!r} of {path.name} holds {kind}, not text")
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - _FOOTER_BYTES))
        digest.update(f"{size}:{meta.num_rows}:".encode())
        digest.update(handle.read())
    records = meta.num_rows
    boundaries = {i: i - first_id for i in range(-(-first_id // shard_size) * shard_size, first_id + records, shard_size)}
    return _FileIndex(path, records, size, boundaries)


def plan_shards(inputs: InputFiles, shard_size: int, text_column: str = "text") -> InputPlan:
    """Index ``inputs`` and cut the record ids into shards of ``shard_size``."""
    digest = hashlib.sha256(f"{inputs.kind}:".encode())
    indexes: list[_FileIndex] = []
    first = 0
    for path in inputs.files:
        if inputs.kind == "text":
            index = _scan_text_file(path, first, shard_size, digest)
        else:
            index = _parquet_index(path, first, shard_size, text_column, digest)
        indexes.append(index)
        first += index.records
    total = first
    shards = []
    for shard, start in enumerate(range(0, total, shard_size)):
        end = min(total, start + shard_size)
        segments = []
        file_first = 0
        for index in indexes:
            file_end = file_first + index.records
            lo, hi = max(start, file_first), min(end, file_end)
            if lo < hi:
                begin = index.boundaries[lo] if lo > file_first else 0
                finish = index.boundaries[hi] if hi < file_end else index.size if inputs.kind == "text" else index.records
                segments.append(Segment(str(index.path), begin, finish, lo, hi - lo))
            file_first = file_end
        shards.append(ShardSpec(shard, start, end - start, inputs.kind, tuple(segments)))
    return InputPlan(inputs.kind, tuple(str(p) for p in inputs.files), total, digest.hexdigest(), shard_size,
                     tuple(shards))
