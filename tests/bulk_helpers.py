"""Shared by the embed-corpus tests: real sentences, and a whole embedded corpus read back."""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from dependencies import missing_dependency

from elmo_core.cache import cache_dir
from elmo_core.packages import SourceUnavailable
from elmo_core.tokenizer import tokenize


@functools.lru_cache(maxsize=1)
def _fortunes(n: int) -> tuple[tuple[str, ...], ...]:
    from elmo_core.corpus.readers import get_source

    sentences: list[tuple[str, ...]] = []
    try:
        for document in get_source("fortunes").iter_documents(cache_dir()):
            sentences.extend(tuple(s) for s in tokenize(document))
            if len(sentences) >= n:
                break
    except SourceUnavailable as exc:  # fails unless ELMO_EXPLORER_ALLOW_SKIPS=1
        missing_dependency("corpus source fortunes (Debian package fortunes)", str(exc))
    return tuple(sentences[:n])


def fortune_sentences(n: int) -> list[list[str]]:
    """The first ``n`` (at most 2,000) tokenized sentences of Debian's fortunes: real English
    of varied lengths."""
    assert n <= 2000
    return [list(s) for s in _fortunes(2000)[:n]]


def write_lines(path: Path, sentences, newline: str = "\n") -> Path:
    path.write_bytes(newline.join(" ".join(s) for s in sentences).encode("utf-8") + newline.encode())
    return path


def read_corpus(output_dir: Path) -> dict[str, np.ndarray]:
    """Every token row of every shard, in (sentence id, position) order: ``sentence_id``,
    ``position``, ``token`` (object array) and ``vector`` (n, layers, dim) float32."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = [pq.read_table(p) for p in sorted((Path(output_dir) / "shards").glob("shard-??????.parquet"))]
    table = pa.concat_tables(tables).sort_by([("sentence_id", "ascending"), ("position", "ascending")])
    return {"sentence_id": table.column("sentence_id").to_numpy(), "position": table.column("position").to_numpy(),
            "token": np.array(table.column("token").to_pylist(), dtype=object),
            "vector": table.column("vector").combine_chunks().to_numpy_ndarray().astype(np.float32)}


def sentences_by_id(corpus: dict[str, np.ndarray]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    for sid, token in zip(corpus["sentence_id"], corpus["token"]):
        result.setdefault(int(sid), []).append(token)
    return result
