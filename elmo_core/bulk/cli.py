"""
The ``embed-corpus`` command::

    elmo-explorer embed-corpus INPUT OUTPUT_DIR [--engine local|ray] [--address ADDRESS]
        [--model NAME|DIR] [--layers all|top|average] [--dtype float32|float16]
        [--split lines|text] [--text-column NAME] [--shard-size N] [--batch-tokens N]
        [--workers N] [--cpus-per-worker C] [--gpus-per-worker G] [--quiet]

:func:`register` adds it to the main parser; the handler prints a final line with the
sentences, tokens and tokens/s of the run.
"""
from __future__ import annotations

import argparse

from .config import DTYPES, ENGINES, LAYER_CHOICES, SPLITS, STATES, CorpusJobConfig, RayOptions

__all__ = ["register", "run_embed_corpus"]

_RAY_ONLY = ("address", "workers", "cpus_per_worker", "gpus_per_worker")


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "embed-corpus", help="embed a whole corpus into Parquet shards, locally or on a Ray cluster (resumable)")
    parser.add_argument("input", help="a text file, a glob, a folder, or Parquet file(s) with a text column")
    parser.add_argument("output_dir", help="folder for the shards and manifest.json (rerun to resume)")
    parser.add_argument("--engine", choices=ENGINES, default="local",
                        help="local: this process (default); ray: an actor pool on a Ray cluster")
    parser.add_argument("--address", default=None,
                        help="Ray cluster to join ('auto': the running one); default: start a local cluster")
    parser.add_argument("--model", default="mini", help="model name or directory (default: mini)")
    parser.add_argument("--layers", choices=LAYER_CHOICES, default="all",
                        help="all: (layers, dim) per token; top or average: (1, dim)")
    parser.add_argument("--dtype", choices=DTYPES, default="float32", help="how vectors are stored")
    parser.add_argument("--split", choices=SPLITS, default="lines",
                        help="lines: one sentence per line/row, tokens split by white space; "
                             "text: raw text, split by the project's tokenizer")
    parser.add_argument("--text-column", default="text", help="text column of Parquet input (default: text)")
    parser.add_argument("--shard-size", type=int, default=1000, help="sentences per shard (default: 1000)")
    parser.add_argument("--max-sentence-tokens", type=int, default=400,
                        help="longer sentences are cut to this many tokens (and counted)")
    parser.add_argument("--batch-tokens", type=int, default=4096, help="padded tokens per model batch")
    parser.add_argument("--state", choices=STATES, default="warm")
    parser.add_argument("--device", default=None, help="local engine: cpu or cuda (default: cuda when available)")
    parser.add_argument("--workers", type=int, default=None,
                        help="ray: embedder actors (default: as many as the cluster's CPUs or GPUs allow)")
    parser.add_argument("--cpus-per-worker", type=float, default=None, help="ray: CPUs per actor (default 1)")
    parser.add_argument("--gpus-per-worker", type=float, default=None, help="ray: GPUs per actor (default 0)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(func=run_embed_corpus)
    return parser


def run_embed_corpus(args: argparse.Namespace) -> int:
    from .job import embed_corpus

    if args.engine != "ray":
        given = [f"--{name.replace('_', '-')}" for name in _RAY_ONLY if getattr(args, name) is not None]
        if given:
            raise ValueError(f"{', '.join(given)} only apply to --engine ray")
    config = CorpusJobConfig(
        input=args.input, output_dir=args.output_dir, model=args.model, layers=args.layers, dtype=args.dtype,
        split=args.split, text_column=args.text_column, shard_size=args.shard_size,
        max_sentence_tokens=args.max_sentence_tokens, batch_tokens=args.batch_tokens, state=args.state,
        device=args.device, progress=not args.quiet)
    ray = RayOptions(address=args.address, workers=args.workers,
                     cpus_per_worker=1.0 if args.cpus_per_worker is None else args.cpus_per_worker,
                     gpus_per_worker=0.0 if args.gpus_per_worker is None else args.gpus_per_worker)
    result = embed_corpus(config, engine=args.engine, ray=ray)
    print(result.summary_line())
    return 0
