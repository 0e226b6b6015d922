"""
:class:`ShardEmbedder`: one shard from input records to published files. Both engines run it,
the local engine in its own process and the Ray engine once per actor, so the same shard gets
the same batches and therefore the same vectors whichever engine runs it.

A shard's records are cleaned (:func:`~elmo_core.bulk.inputs.clean_record`), then embedded
about ``chunk_tokens`` tokens at a time with :meth:`BiLM.embed` (the fast path: token cache, length
bucketing under ``batch_tokens``, the cached warm boundary state; a sentence's vectors do not
depend on the others in ``warm``/``zero`` mode) and streamed into a
:class:`~elmo_core.bulk.shards.ShardWriter`. Memory per worker: one chunk of vectors.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from .config import CorpusJobConfig
from .faults import RetryableShardError, maybe_fail
from .inputs import RecordCounts, clean_record, read_records
from .plan import ShardSpec
from .shards import ShardWriter

__all__ = ["ShardEmbedder", "ShardResult"]


@dataclass(frozen=True)
class ShardResult:
    shard: int
    sentences: int
    tokens: int
    seconds: float


class ShardEmbedder:
    """Loads the model once; :meth:`run` embeds and writes one shard.

    ``weights_sha256``: when given, the loaded model's weights must have this hash (a worker
    on another machine must not silently use other weights under the same name)."""

    def __init__(self, config: CorpusJobConfig, *, device: str | None = None, weights_sha256: str | None = None):
        from ..loading import load
        from .manifest import model_fingerprint

        if weights_sha256 is not None:
            found = model_fingerprint(config.model)["weights_sha256"]
            if found != weights_sha256:
                raise RuntimeError(f"model {config.model!r} on this worker has other weights than the job's "
                                   f"({found[:12]} vs {weights_sha256[:12]}); install the same model everywhere")
        self.config = config
        self.bilm = load(config.model, state=config.state, device=device or config.device, progress=False,
                         max_tokens_per_batch=config.batch_tokens)

    def run(self, spec: ShardSpec) -> ShardResult:
        config = self.config
        started, cpu_started = time.perf_counter(), time.process_time()
        counts = RecordCounts()
        writer = ShardWriter(config.output_dir, spec, layers=config.layers, num_layers=self.bilm.num_layers,
                             dim=self.bilm.output_dim, dtype=config.dtype)
        try:
            ids: list[int] = []
            sentences: list[list[str]] = []
            chunk_tokens = 0
            first_chunk = True
            for record_id, raw in read_records(spec, config.text_column):
                tokens = clean_record(raw, config.split, config.max_sentence_tokens, counts)
                if tokens is None:
                    continue
                ids.append(record_id)
                sentences.append(tokens)
                chunk_tokens += len(tokens)
                if chunk_tokens >= config.chunk_tokens:
                    self._write(writer, ids, sentences)
                    ids, sentences, chunk_tokens = [], [], 0
                    if first_chunk:
                        maybe_fail(config.fault, spec.shard)
                        first_chunk = False
            self._write(writer, ids, sentences)
            if first_chunk:
                maybe_fail(config.fault, spec.shard)
            sidecar = writer.commit(counts, time.perf_counter() - started, time.process_time() - cpu_started)
        except OSError as exc:  # a full disk, a network file system hiccup: worth another attempt
            writer.abort()
            raise RetryableShardError(f"shard {spec.shard}: {type(exc).__name__}: {exc}") from exc
        except BaseException:
            writer.abort()
            raise
        return ShardResult(spec.shard, counts.sentences, counts.tokens, sidecar["seconds"])

    def _write(self, writer: ShardWriter, ids: list[int], sentences: list[list[str]]) -> None:
        if sentences:
            vectors = self.bilm.embed(sentences, batch_size=self.config.batch_size,
                                      max_tokens_per_batch=self.config.batch_tokens)
            writer.add(ids, sentences, vectors)
