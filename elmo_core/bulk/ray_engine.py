"""
The Ray engine: Ray Data spreads the pending shards over an actor pool of embedders.

The dataset has one row (and one block) per pending shard: its :class:`ShardSpec`, i.e. which
byte or row ranges of the input it reads. ``map_batches`` hands one shard at a time to an
:class:`EmbedderActor`; each actor loads the model once (checking its weights hash), reads its
shard's records from the input, embeds them on its CPU share or GPU and writes the shard's
Parquet files itself (so INPUT and OUTPUT_DIR must be paths every node can reach, e.g. a shared
file system). Only a small result row per shard comes back to the driver, so the driver's
memory does not grow with the corpus.

Faults: Ray Data restarts a dead actor and resubmits the shard it was working on (its actor
pools default to unlimited ``max_restarts`` and ``max_task_retries``); a
:class:`~elmo_core.bulk.faults.RetryableShardError` raised by a shard (an ``OSError`` while
reading or writing becomes one) is retried up to ``RayOptions.max_retries`` times (Ray Data's
``retried_map_errors``/``max_map_retries``; older Ray resubmits the actor task instead). A shard is published by atomic renames under a name fixed by
its id range, so a retried shard replaces, never duplicates, and every sentence is written once.

Ray is imported only here, when the engine runs.
"""
from __future__ import annotations

import inspect
from typing import Iterator, Sequence

import numpy as np

from .config import CorpusJobConfig, RayOptions
from .embedder import ShardEmbedder, ShardResult
from .faults import RETRY_TAG, RetryableShardError
from .plan import ShardSpec

__all__ = ["connect", "disconnect", "run_ray", "EmbedderActor", "RAY_MISSING"]

RAY_MISSING = ("--engine ray needs Ray Data, which is not installed: "
               "pip install 'elmo-explorer[ray]' (or pip install 'ray[data]'), or use --engine local")


def import_ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise RuntimeError(RAY_MISSING) from None
    return ray


class EmbedderActor:
    """The ``map_batches`` callable: one :class:`ShardEmbedder` per actor; a batch is a dict
    with a ``spec`` array of JSON shard specs; returns one result row per shard."""

    def __init__(self, config: CorpusJobConfig, weights_sha256: str, threads: int, use_gpu: bool):
        import torch

        torch.set_num_threads(max(1, threads))
        device = "cuda" if use_gpu and torch.cuda.is_available() else "cpu"
        self.embedder = ShardEmbedder(config, device=device, weights_sha256=weights_sha256)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        results = [self.embedder.run(ShardSpec.from_json(str(spec))) for spec in batch["spec"]]
        return {"shard": np.array([r.shard for r in results], dtype=np.int64),
                "sentences": np.array([r.sentences for r in results], dtype=np.int64),
                "tokens": np.array([r.tokens for r in results], dtype=np.int64),
                "seconds": np.array([r.seconds for r in results], dtype=np.float64)}


def _pool_size(ray, options: RayOptions, shards: int) -> int:
    if options.workers is not None:
        return min(options.workers, shards)
    resources = ray.cluster_resources()
    if options.gpus_per_worker > 0:
        fits = int(resources.get("GPU", 0) // options.gpus_per_worker)
        if fits < 1:
            raise RuntimeError(f"the Ray cluster has no GPU for --gpus-per-worker {options.gpus_per_worker:g}")
    else:
        fits = int(resources.get("CPU", 1) // options.cpus_per_worker)
    return max(1, min(fits, shards))


def _from_items(ray, rows: list[dict]):
    blocks = "override_num_blocks" if "override_num_blocks" in inspect.signature(ray.data.from_items).parameters \
        else "parallelism"
    return ray.data.from_items(rows, **{blocks: len(rows)})


def connect(options: RayOptions) -> bool:
    """Join the cluster at ``options.address`` (``"auto"``: the running one), or start a local
    one when no address is given; nothing when Ray is already initialised in this process.
    Returns whether a cluster was started or joined here (then :func:`disconnect` after)."""
    ray = import_ray()
    if ray.is_initialized():
        return False
    kwargs = dict(options.init_kwargs)
    if options.address:
        kwargs["address"] = options.address
    else:
        kwargs.setdefault("include_dashboard", False)
    try:
        ray.init(**kwargs)
    except Exception as exc:  # noqa: BLE001 - e.g. ConnectionError: no cluster at that address
        where = f"the Ray cluster at {options.address}" if options.address else "a local Ray cluster"
        raise RuntimeError(f"could not start or join {where}: {type(exc).__name__}: {exc}") from None
    return True


def disconnect() -> None:
    import_ray().shutdown()


def run_ray(config: CorpusJobConfig, options: RayOptions, shards: Sequence[ShardSpec],
            weights_sha256: str) -> Iterator[ShardResult]:
    """Embed ``shards`` on the cluster this process is connected to (see :func:`connect`),
    yielding each result as its shard is published."""
    if not shards:
        return
    ray = import_ray()
    context = ray.data.DataContext.get_current()
    names = ("retried_map_errors", "max_map_retries", "actor_task_retry_on_errors", "enable_progress_bars")
    saved = {name: getattr(context, name) for name in names if hasattr(context, name)}
    try:
        if "max_map_retries" in saved:  # Ray Data retries the shard, at most max_retries times
            context.retried_map_errors = [RETRY_TAG]
            context.max_map_retries = options.max_retries
        elif "actor_task_retry_on_errors" in saved:  # older Ray: the actor task is resubmitted
            context.actor_task_retry_on_errors = [RetryableShardError]
        if "enable_progress_bars" in saved:
            context.enable_progress_bars = config.progress
        size = _pool_size(ray, options, len(shards))
        dataset = _from_items(ray, [{"spec": spec.to_json()} for spec in shards])
        dataset = dataset.map_batches(
            EmbedderActor, batch_size=1, batch_format="numpy",
            fn_constructor_kwargs={"config": config, "weights_sha256": weights_sha256,
                                   "threads": int(options.cpus_per_worker), "use_gpu": options.gpus_per_worker > 0},
            compute=ray.data.ActorPoolStrategy(size=size), num_cpus=options.cpus_per_worker,
            num_gpus=options.gpus_per_worker or None)
        for row in dataset.iter_rows():
            yield ShardResult(int(row["shard"]), int(row["sentences"]), int(row["tokens"]), float(row["seconds"]))
    finally:
        for name, value in saved.items():
            setattr(context, name, value)
