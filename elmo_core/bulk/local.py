"""The local engine: every pending shard in this process, one after the other (no Ray needed)."""
from __future__ import annotations

from typing import Iterator, Sequence

from .config import CorpusJobConfig
from .embedder import ShardEmbedder, ShardResult
from .plan import ShardSpec

__all__ = ["run_local"]


def run_local(config: CorpusJobConfig, shards: Sequence[ShardSpec], weights_sha256: str) -> Iterator[ShardResult]:
    """Embed ``shards`` in order, yielding each result as its shard is published."""
    if not shards:
        return
    embedder = ShardEmbedder(config, weights_sha256=weights_sha256)
    for spec in shards:
        yield embedder.run(spec)
