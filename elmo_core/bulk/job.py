"""
:func:`embed_corpus`: one ``embed-corpus`` job, whichever engine runs the shards.

1. Resolve the input and, for the Ray engine, join the cluster (or start a local one); with
   ``split="text"`` split the input into sentences first (:mod:`elmo_core.bulk.raw_text`).
2. Plan the shards (:mod:`elmo_core.bulk.plan`) and fingerprint the model.
3. Compare with an existing manifest (refuse to mix different jobs), write the manifest with
   ``status: "running"``.
4. Skip the shards already complete (:func:`~elmo_core.bulk.shards.shard_complete`), run the
   others on the local or the Ray engine, with a progress bar.
5. Check that every shard is complete, sum the sidecars' counts, write ``vocab.parquet`` and the
   final manifest.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .config import ENGINES, CorpusJobConfig, RayOptions
from .index import write_vocabulary
from .inputs import InputFiles, RecordCounts, resolve_input
from .manifest import check_compatible, model_fingerprint, now, read_manifest, stored_layer_names, write_manifest
from .manifest import FORMAT
from .plan import plan_shards
from .raw_text import split_raw_text
from .shards import shard_complete, shard_paths

__all__ = ["embed_corpus", "JobResult"]


@dataclass
class JobResult:
    """What a run did: shards written now and skipped as already complete, the sentences and
    tokens it embedded, and the corpus totals (``counts``, from every shard's sidecar)."""

    output_dir: Path
    engine: str
    shards: int
    written: int
    skipped: int
    sentences: int
    tokens: int
    seconds: float
    counts: RecordCounts = field(default_factory=RecordCounts)
    manifest: dict = field(default_factory=dict)

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0

    def summary_line(self) -> str:
        skipped = sum(self.counts.skipped.values())
        return (f"embedded {self.sentences:,} sentences, {self.tokens:,} tokens in {self.seconds:.1f} s: "
                f"{self.tokens_per_s:,.0f} tokens/s ({self.engine}; {self.written} shard(s) written, "
                f"{self.skipped} already complete; corpus: {self.counts.sentences:,} sentences, "
                f"{skipped:,} records skipped, {self.counts.cut:,} cut)")


def _progress(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="shard", desc="embedding shards", disable=not enabled)


def embed_corpus(config: CorpusJobConfig, engine: str = "local", ray: RayOptions | None = None,
                 on_shard: Callable[[int, int], None] | None = None) -> JobResult:
    """Run (or resume) the job ``config`` on ``engine`` (``"local"`` or ``"ray"``);
    ``on_shard(done, pending)`` is called once the shards to run are known (``done`` 0) and after
    each shard (for a progress bar in the app)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    ray = ray or RayOptions()
    inputs = resolve_input(config.input)
    joined = False
    if engine == "ray":
        from .ray_engine import connect, disconnect

        joined = connect(ray)  # a missing Ray or an unreachable cluster is an error before any output
    try:
        return _run(config, engine, ray, inputs, on_shard)
    finally:
        if joined:
            disconnect()


def _run(config: CorpusJobConfig, engine: str, ray: RayOptions, inputs: InputFiles,
         on_shard: Callable[[int, int], None] | None = None) -> JobResult:
    out = config.output_dir
    out.mkdir(parents=True, exist_ok=True)
    prep_counts = None
    if config.split == "text":
        sentence_file, fingerprint, prep_counts = split_raw_text(inputs, out, config.text_column)
        plan = plan_shards(sentence_file, config.shard_size)
    else:
        plan = plan_shards(inputs, config.shard_size, config.text_column)
        fingerprint = plan.fingerprint
    if plan.records == 0:
        raise ValueError(f"{config.input} holds no text to embed")
    model = model_fingerprint(config.model)
    manifest = {
        "format": FORMAT, "status": "running", "created": now(), "model": model,
        "identity": config.identity(), "settings": config.describe(),
        "input": {"kind": inputs.kind, "files": [str(p) for p in inputs.files], "records": plan.records,
                  "fingerprint": fingerprint, "shard_size": config.shard_size, "shards": len(plan.shards)},
        "vectors": {"layout": "one row per token", "layers": stored_layer_names(config.layers, model["num_layers"]),
                    "shape": [model["num_layers"] if config.layers == "all" else 1, model["output_dim"]],
                    "dtype": config.dtype},
    }
    existing = read_manifest(out)
    if existing is not None:
        check_compatible(existing, manifest)
        manifest["created"] = existing.get("created", manifest["created"])
    write_manifest(out, manifest)

    pending = [spec for spec in plan.shards if shard_complete(out, spec) is None]
    if on_shard is not None:
        on_shard(0, len(pending))
    started = time.perf_counter()
    sentences = tokens = 0
    if engine == "local":
        from .local import run_local

        results = run_local(config, pending, model["weights_sha256"])
    else:
        from .ray_engine import run_ray

        results = run_ray(config, ray, pending, model["weights_sha256"])
    done: set[int] = set()
    with _progress(len(pending), config.progress) as bar:
        for result in results:
            if result.shard in done:
                continue  # a shard reported twice (a retried task) was still written once
            done.add(result.shard)
            sentences += result.sentences
            tokens += result.tokens
            bar.update(1)
            if on_shard is not None:
                on_shard(len(done), len(pending))
            bar.set_postfix(sentences=f"{sentences:,}", tokens_per_s=f"{tokens / max(time.perf_counter() - started, 1e-9):,.0f}")
    seconds = time.perf_counter() - started

    counts = RecordCounts()
    incomplete = []
    for spec in plan.shards:
        sidecar = shard_complete(out, spec)
        if sidecar is None:
            incomplete.append(spec.shard)
        else:
            counts.add(RecordCounts.from_dict(sidecar["counts"]))
    if incomplete:
        raise RuntimeError(f"{len(incomplete)} shard(s) are not complete (first: {incomplete[:5]}); "
                           "run the same command again to finish them")
    if prep_counts is not None:  # lines dropped before sentence splitting count as skipped too
        for reason, count in prep_counts.skipped.items():
            counts.skipped[reason] = counts.skipped.get(reason, 0) + count
    vocabulary = write_vocabulary(out, (shard_paths(out, spec.shard)["words"] for spec in plan.shards))
    manifest.update({
        "status": "complete", "finished": now(), "counts": {**counts.to_dict(),
                                                            "prep": prep_counts.to_dict() if prep_counts else None},
        "vocabulary": vocabulary, "engine": {"name": engine, **({"address": ray.address, "workers": ray.workers,
                                                                   "cpus_per_worker": ray.cpus_per_worker,
                                                                   "gpus_per_worker": ray.gpus_per_worker}
                                                                  if engine == "ray" else {})},
        "seconds": round(seconds, 3), "tokens_per_s": round(tokens / seconds, 1) if seconds > 0 else None,
    })
    write_manifest(out, manifest)
    return JobResult(out, engine, len(plan.shards), len(done), len(plan.shards) - len(pending), sentences, tokens,
                     seconds, counts, manifest)
