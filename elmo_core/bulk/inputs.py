"""
What ``embed-corpus`` reads: input discovery, record reading by shard, and the bad-line rules.

Inputs (:func:`resolve_input`): a text file, a glob, a folder (its ``*.parquet`` files if it has
any, else its ``*.txt`` files, recursively, in path order), or Parquet files with a text column.
Records are lines ("\\n" ends one; a "\\r" before it and a leading byte-order mark are
dropped) or Parquet rows; their ids run over all files in order.

Bad records never stop a job. :func:`clean_record` applies, in order:

- longer than :data:`MAX_RECORD_BYTES` bytes: skipped as ``too_long``;
- not valid UTF-8: skipped as ``invalid_utf8``;
- binary garbage (a NUL, or more than 10% control/unassigned/private-use characters): skipped
  as ``binary``;
- no token (empty, white space, a null Parquet value): skipped as ``empty``;
- more than ``max_tokens`` tokens: cut to the first ``max_tokens`` and counted as ``cut``.
"""
from __future__ import annotations

import glob
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

from ..tokenizer import tokenize_sentence

__all__ = ["InputFiles", "RecordCounts", "resolve_input", "clean_record", "tokens_of", "read_records", "segment_records", "OVERSIZED",
           "MAX_RECORD_BYTES", "SKIP_REASONS"]

MAX_RECORD_BYTES = 1_000_000
SKIP_REASONS = ("empty", "too_long", "invalid_utf8", "binary")
_BINARY_FRACTION = 0.1
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")


@dataclass(frozen=True)
class InputFiles:
    """Resolved input: ``kind`` is ``"text"`` or ``"parquet"``; ``files`` in id order."""

    kind: str
    files: tuple[Path, ...]


@dataclass
class RecordCounts:
    """What happened to the records of one shard (or, summed, of a job)."""

    records: int = 0
    sentences: int = 0
    tokens: int = 0
    cut: int = 0
    cut_tokens: int = 0
    skipped: dict[str, int] = field(default_factory=lambda: {reason: 0 for reason in SKIP_REASONS})

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1

    def add(self, other: "RecordCounts") -> None:
        for name in ("records", "sentences", "tokens", "cut", "cut_tokens"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for reason, count in other.skipped.items():
            self.skipped[reason] = self.skipped.get(reason, 0) + count

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "RecordCounts":
        counts = cls(**{k: int(data[k]) for k in ("records", "sentences", "tokens", "cut", "cut_tokens")})
        for reason, count in data.get("skipped", {}).items():
            counts.skipped[reason] = int(count)
        return counts


def _kind(path: Path) -> str:
    return "parquet" if path.suffix.lower() in (".parquet", ".pq") else "text"


def resolve_input(spec: str | Path) -> InputFiles:
    """A file, folder or glob -> :class:`InputFiles`; ``ValueError`` when it names no input."""
    path = Path(spec).expanduser()
    if path.is_file():
        return InputFiles(_kind(path), (path,))
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _kind(p) == "parquet")
        if not files:
            files = sorted(p for p in path.rglob("*.txt") if p.is_file())
        if not files:
            raise ValueError(f"input folder {path} has no .parquet or .txt file")
        return InputFiles(_kind(files[0]), tuple(files))
    if any(ch in str(spec) for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(str(path), recursive=True) if Path(p).is_file())
        if not files:
            raise ValueError(f"no file matches {spec}")
        kinds = {_kind(p) for p in files}
        if len(kinds) > 1:
            raise ValueError(f"{spec} matches both Parquet and text files; give one kind")
        return InputFiles(kinds.pop(), tuple(files))
    raise FileNotFoundError(f"input not found: {spec}")


class _Oversized:
    """Stands for a record longer than :data:`MAX_RECORD_BYTES` (its bytes are not kept)."""

    def __repr__(self) -> str:
        return "OVERSIZED"


OVERSIZED = _Oversized()
_BUFFER = 4 << 20


def _strip_cr(line: bytes) -> bytes:
    return line[:-1] if line.endswith(b"\r") else line


def _text_records(segment) -> Iterator[bytes | _Oversized]:
    """The lines of bytes ``[segment.start, segment.end)`` of a text file (which start and end at
    line boundaries), read in buffers; a line over the size limit is dropped as it streams by."""
    with open(segment.path, "rb") as handle:
        handle.seek(segment.start)
        remaining = segment.end - segment.start
        carry, oversized, first = b"", False, segment.start == 0
        while remaining > 0:
            chunk = handle.read(min(_BUFFER, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            if first:
                chunk, first = chunk.removeprefix(b"\xef\xbb\xbf"), False
            parts = chunk.split(b"\n")
            parts[0] = carry + parts[0]
            carry = parts.pop()
            for line in parts:
                yield OVERSIZED if oversized or len(line) > MAX_RECORD_BYTES else _strip_cr(line)
                oversized = False
            if len(carry) > MAX_RECORD_BYTES:
                carry, oversized = b"", True
        if carry or oversized:
            yield OVERSIZED if oversized else _strip_cr(carry)


def _parquet_records(segment, text_column: str) -> Iterator[str | None]:
    """Rows ``[segment.start, segment.end)`` of a Parquet file's text column, one row group at
    a time."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(segment.path)
    group_start = 0
    for group in range(parquet.metadata.num_row_groups):
        rows = parquet.metadata.row_group(group).num_rows
        lo, hi = max(segment.start, group_start), min(segment.end, group_start + rows)
        if lo < hi:
            column = parquet.read_row_group(group, columns=[text_column]).column(0)
            yield from column.slice(lo - group_start, hi - lo).to_pylist()
        group_start += rows
        if group_start >= segment.end:
            break


def segment_records(kind: str, segment, text_column: str = "text") -> Iterator[bytes | str | None | _Oversized]:
    """The raw records of one :class:`~elmo_core.bulk.plan.Segment` of a ``kind`` input."""
    return _text_records(segment) if kind == "text" else _parquet_records(segment, text_column)


def read_records(spec, text_column: str = "text") -> Iterator[tuple[int, bytes | str | None | _Oversized]]:
    """(record id, raw record) for every record of a :class:`~elmo_core.bulk.plan.ShardSpec`.
    ``ValueError`` when the input no longer has the records the plan found (it changed)."""
    for segment in spec.segments:
        count = 0
        for count, raw in enumerate(segment_records(spec.kind, segment, text_column), 1):
            if count > segment.count:
                break
            yield segment.first_id + count - 1, raw
        if count != segment.count:
            raise ValueError(f"{Path(segment.path).name} changed while the job ran (shard {spec.shard} "
                             f"expected {segment.count} records, found {count}); start the job again")


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    if text.isprintable():
        return False
    bad = sum(1 for ch in text if ch not in _ALLOWED_CONTROLS and not ch.isspace()
              and unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"))
    return bad > _BINARY_FRACTION * len(text)


def decode_record(raw: bytes | str | None | _Oversized, counts: RecordCounts) -> str | None:
    """A record as text, or ``None`` (counted) when it is too long, not UTF-8 or binary."""
    if raw is None:
        counts.skip("empty")
        return None
    if raw is OVERSIZED:
        counts.skip("too_long")
        return None
    if isinstance(raw, str):
        if len(raw) > MAX_RECORD_BYTES // 4 and len(raw.encode("utf-8", "surrogatepass")) > MAX_RECORD_BYTES:
            counts.skip("too_long")
            return None
        text = raw
    else:
        if len(raw) > MAX_RECORD_BYTES:
            counts.skip("too_long")
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            counts.skip("invalid_utf8")
            return None
    if _looks_binary(text):
        counts.skip("binary")
        return None
    return text


def tokens_of(text: str, split: str) -> list[str]:
    """``lines``: white-space tokens; ``text`` (a sentence from the splitter): the project's
    word tokenizer. Tokens without a visible character are dropped."""
    tokens = text.split() if split == "lines" else tokenize_sentence(text)
    return [t for t in tokens if t and not t.isspace()]


def clean_record(raw: bytes | str | None | _Oversized, split: str, max_tokens: int, counts: RecordCounts) -> list[str] | None:
    """One record -> its tokens (cut to ``max_tokens``), or ``None`` when it is skipped; every
    outcome is counted in ``counts`` (``records`` included)."""
    counts.records += 1
    text = decode_record(raw, counts)
    if text is None:
        return None
    tokens = tokens_of(text, split)
    if not tokens:
        counts.skip("empty")
        return None
    if len(tokens) > max_tokens:
        counts.cut += 1
        counts.cut_tokens += len(tokens) - max_tokens
        tokens = tokens[:max_tokens]
    counts.sentences += 1
    counts.tokens += len(tokens)
    return tokens
