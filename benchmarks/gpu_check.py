"""
The CUDA inference path, checked and timed on a lent GPU (no GPU here, so CI never runs it).

For the shipped ``mini``: the 741 curated polysemy sentences embedded on the CPU and on the GPU
(plain, and with ``cuda_graphs=True``) must agree to float32 tolerance on every layer; then
per-sentence latency (batch 1, p50/p95 over 200 sentences) and throughput (batches of 64) on each
path. Prints one JSON object; run it on the device machine:

    python3 benchmarks/gpu_check.py [--model mini]
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

import elmo_core
from elmo_core.datasets.sense_sentences import load_curated


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def latency_ms(bilm, sentences) -> dict:
    times = []
    for sentence in sentences:
        started = time.perf_counter()
        bilm.embed([sentence])
        _sync()
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": float(np.percentile(times, 50)), "p95_ms": float(np.percentile(times, 95))}


def throughput(bilm, sentences, batch: int = 64) -> float:
    _sync()
    started = time.perf_counter()
    for i in range(0, len(sentences), batch):
        bilm.embed(sentences[i:i + batch])
    _sync()
    return len(sentences) / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="mini")
    args = parser.parse_args()
    sentences = [list(s.tokens) for s in load_curated()]
    report: dict = {"sentences": len(sentences), "torch": torch.__version__,
                    "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"}
    cpu = elmo_core.load(args.model, device="cpu", state="zero", progress=False)
    reference = cpu.embed(sentences)
    paths = {"cpu": cpu}
    if torch.cuda.is_available():
        paths["cuda"] = elmo_core.load(args.model, device="cuda", state="zero", progress=False)
        paths["cuda_graphs"] = elmo_core.load(args.model, device="cuda", state="zero", progress=False,
                                              cuda_graphs=True)
    for name, bilm in paths.items():
        row: dict = {}
        try:
            got = bilm.embed(sentences)
            row["max_abs_diff_vs_cpu"] = float(max(np.abs(a - b).max() for a, b in zip(got, reference)))
            bilm.embed(sentences[:64])  # warm-up (graph capture, kernels)
            row.update(latency_ms(bilm, sentences[:200]))
            row["sentences_per_s_batch64"] = throughput(bilm, sentences)
        except Exception as exc:  # report and go on: one broken path must not hide the others
            row["error"] = f"{type(exc).__name__}: {exc}"
        report[name] = row
        print(name, json.dumps(row), flush=True)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
