"""
Training throughput of the biLM trainer (issue "mini v2", part 3). Run from the repository root:

    .venv/bin/python benchmarks/train_bench.py [--config configs/mini.json] [--steps 20]
    PYTHONPATH=OLD_CHECKOUT .venv/bin/python benchmarks/train_bench.py ...   # the same, older code

It builds the trainer of ``--config`` (the shipped ``mini`` configuration by default) on its
corpus, runs a few warm-up steps, then times ``--steps`` full training steps (forward, backward,
clipping, Adam) and prints forward-direction tokens/s by wall clock and by process CPU time, one
JSON line per run. The corpus is ``--corpus`` or the config's ``corpus_dir`` when it exists (a
slice of the real corpus, e.g. its first 60,000 lines with its vocab.txt, keeps start-up short),
else a corpus built from the curated polysemy sentences (real English; small, so types per window
are fewer than on the real corpus and the figures are optimistic). ``--plain`` switches the fused
LSTM loop off (the plain autograd loop, same arithmetic). The GloVe mimick objective is switched off here so
that older code, which has no such option, runs the same work; ``--glove`` keeps it on.

Timings depend on machine load: compare runs made under similar load, interleaved (A B A B).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]


def _fallback_corpus() -> str:
    from elmo_core.corpus.build import build_corpus
    from elmo_core.datasets.sense_sentences import load_curated

    out = Path(tempfile.mkdtemp(prefix="train-bench-"))
    texts = [s.text for s in load_curated()] * 20
    build_corpus(out, documents={"polysemy": texts}, exclusion=set(), progress=False, heldout_fraction=0.05)
    return str(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "configs" / "mini.json"))
    parser.add_argument("--corpus", default="", help="corpus folder (default: the config's corpus_dir)")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=0, help="override the config's batch size")
    parser.add_argument("--plain", action="store_true", help="the plain autograd LSTM loop")
    parser.add_argument("--glove", action="store_true", help="keep the GloVe mimick loss on")
    args = parser.parse_args(argv)

    from elmo_core.training.config import TrainConfig
    from elmo_core.training.trainer import Trainer

    raw = json.loads(Path(args.config).read_text())
    if not args.glove:
        for key in [k for k in raw if k.startswith("glove_")]:
            del raw[key]
    if args.corpus:
        raw["corpus_dir"] = args.corpus
    if not Path(raw["corpus_dir"]).expanduser().joinpath("train.txt").is_file():
        raw["corpus_dir"] = _fallback_corpus()
    raw.update(out_dir=tempfile.mkdtemp(prefix="train-bench-run-"), num_threads=args.threads, device="cpu")
    if args.batch_size:
        raw["batch_size"] = args.batch_size
    if args.plain:
        import elmo_core.lstm as lstm

        lstm.FUSED_TRAINING_LOOP = False
    config = TrainConfig(**raw)
    trainer = Trainer(config, log=lambda *a, **k: None)
    trainer.glove_pretrained = True  # never time the one-off pretraining phase
    for _ in range(args.warmup):
        trainer.train_step()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        trainer.train_step()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    tokens = args.steps * config.batch_size * config.unroll_steps
    print(json.dumps({
        "code": os.environ.get("PYTHONPATH", "this checkout") or "this checkout",
        "loop": "plain" if args.plain else "default", "glove": args.glove, "batch_size": config.batch_size,
        "threads": args.threads, "steps": args.steps, "tokens_per_s": round(tokens / wall),
        "tokens_per_cpu_s": round(tokens / cpu), "ms_per_step": round(1000 * wall / args.steps, 1),
        "load_average": os.getloadavg()[0], "torch": torch.__version__,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
