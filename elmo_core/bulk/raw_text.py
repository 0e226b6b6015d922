"""
``--split text``: raw text to one sentence per line, before the shard plan.

Sentence ids must follow input order and be known before any shard runs, but how many
sentences a paragraph holds is known only after splitting it. So the driver splits first, in one
streaming pass: text files paragraph by paragraph (a blank line, the end of a file, or
:data:`MAX_PARAGRAPH_CHARS` characters end one), Parquet inputs row by row, each with
:func:`elmo_core.tokenizer.split_sentences`, the sentence splitter of
:func:`~elmo_core.tokenizer.tokenize`. The sentences go to ``OUTPUT_DIR/_prep/sentences.txt``
(written to a temporary file, then renamed); shards then read that file like ``--split lines``
input and tokenize each sentence with :func:`~elmo_core.tokenizer.tokenize_sentence`, so the
tokens are exactly those of ``tokenize``. Bad lines are skipped here (counted as in
:mod:`elmo_core.bulk.inputs`). The pass is deterministic, so a rerun writes the same file.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterator

from ..tokenizer import split_sentences
from .inputs import InputFiles, RecordCounts, decode_record, segment_records
from .plan import Segment

__all__ = ["split_raw_text", "PREP_DIR", "MAX_PARAGRAPH_CHARS"]

PREP_DIR = "_prep"
MAX_PARAGRAPH_CHARS = 200_000


def _raw_bytes(raw) -> bytes:
    if isinstance(raw, bytes):
        return b"b" + raw
    return b"s" + raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else b"-"


def _documents(inputs: InputFiles, text_column: str, counts: RecordCounts, digest) -> Iterator[str]:
    """Paragraphs of text files or rows of Parquet files, bad lines and rows dropped (counted);
    every raw record goes into ``digest``."""
    for path in inputs.files:
        if inputs.kind == "parquet":
            import pyarrow.parquet as pq

            rows = pq.ParquetFile(path).metadata.num_rows
            segment = Segment(str(path), 0, rows, 0, rows)
        else:
            segment = Segment(str(path), 0, path.stat().st_size, 0, 0)
        digest.update(b"\x01file\x01")
        paragraph: list[str] = []
        chars = 0
        for raw in segment_records(inputs.kind, segment, text_column):
            counts.records += 1
            digest.update(_raw_bytes(raw) + b"\x00")
            text = decode_record(raw, counts)
            if text is None:
                continue
            if inputs.kind == "parquet":
                yield text
                continue
            if not text.strip():
                if paragraph:
                    yield "\n".join(paragraph)
                paragraph, chars = [], 0
                continue
            paragraph.append(text)
            chars += len(text)
            if chars >= MAX_PARAGRAPH_CHARS:
                yield "\n".join(paragraph)
                paragraph, chars = [], 0
        if paragraph:
            yield "\n".join(paragraph)


def split_raw_text(inputs: InputFiles, output_dir: Path, text_column: str) -> tuple[InputFiles, str, RecordCounts]:
    """Write the sentences of ``inputs`` one per line; returns (the sentence file as input, the
    fingerprint of the raw input, the counts of the pass: ``records`` read, lines skipped)."""
    prep = output_dir / PREP_DIR
    prep.mkdir(parents=True, exist_ok=True)
    target = prep / "sentences.txt"
    tmp = prep / f".sentences.txt.{os.getpid()}.tmp"
    counts = RecordCounts()
    digest = hashlib.sha256(b"raw-text:")
    with tmp.open("w", encoding="utf-8", newline="\n") as out:
        for document in _documents(inputs, text_column, counts, digest):
            for sentence in split_sentences(document):
                line = " ".join(sentence.split())
                if line:
                    out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, target)
    return InputFiles("text", (target,)), digest.hexdigest(), counts
