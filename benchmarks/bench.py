"""
Inference benchmarks of the biLM core (issue #6). Run with ``make bench`` or
``.venv/bin/python benchmarks/bench.py [--quick] [--sections throughput,latency,...]``.

In one process, on the same inputs, it compares the plain per-time-step implementation
(:mod:`elmo_core.reference_lstm`: full-width CNN, one Python loop per layer/direction/step,
unfused gates, no caches) with the default path (:meth:`BiLM.embed`: token cache, trimmed
GEMM convolutions, length bucketing, packed fused time loop), and prints Markdown tables:

- throughput: tokens/s of both paths and their ratio at batch 1, 32 and 256 for the ``small``
  (LSTM 1024/128, 2048 filters, 1 highway) and ``original`` (4096/512, 2 highway)
  configurations with random weights; the default path both with a cold token cache (cleared
  before every batch: the CNN runs on each batch's distinct words) and a warm one (the batch's
  words already cached, as after ``precompute_vocabulary`` or in the steady state of a corpus);
- latency: one 20-token sentence with ``mini`` (the bundled model if present, else random
  weights of the same shapes), p50/p95 over repeated calls, warm and cold cache;
- time loop: eager vs TorchScript (vs ``torch.compile`` of the cell with ``--compile``);
- precision: bf16/fp16 deviation from float32 on the reference fixtures (when present);
- memory: peak RSS of child processes: ``elmo-explorer embed`` of 1,000 vs 10,000 sentences,
  and one ``embed`` call of long sentences under a small vs a large token budget.

Timings depend on machine load: the header prints the load average; compare runs made under
similar load only. Sentences come from ``elmo_core/data/polysemy.jsonl`` (real English).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from elmo_core import lstm as lstm_module  # noqa: E402
from elmo_core.bilm import BiLM  # noqa: E402
from elmo_core.config import CharCNNConfig, ElmoConfig, LSTMConfig  # noqa: E402
from elmo_core.model import ElmoModel  # noqa: E402
from elmo_core.reference_lstm import ReferenceBiLM  # noqa: E402
from elmo_core.tokenizer import tokenize_sentence  # noqa: E402

CONFIGS = {
    "small": ElmoConfig(CharCNNConfig(n_highway=1), LSTMConfig(dim=1024, projection_dim=128)),
    "original": ElmoConfig(CharCNNConfig(n_highway=2), LSTMConfig(dim=4096, projection_dim=512)),
    "mini": ElmoConfig(CharCNNConfig(filters=((1, 32), (2, 32), (3, 64), (4, 128), (5, 256)), n_highway=1),
                       LSTMConfig(dim=512, projection_dim=128)),
}

# (config, batch size) -> (number of batches, sentences cut to this many tokens or None), full and --quick.
PLAN = {
    ("small", 1): ((24, None), (6, None)),
    ("small", 32): ((4, None), (1, None)),
    ("small", 256): ((1, None), (1, 12)),
    ("original", 1): ((3, None), (1, None)),
    ("original", 32): ((1, None), (1, 10)),
    ("original", 256): ((1, 8), (1, 6)),
}


# ---------------------------------------------------------------------- helpers
def sentences_pool() -> list[list[str]]:
    texts = [json.loads(line)["text"] for line in (REPO / "elmo_core" / "data" / "polysemy.jsonl").open()]
    sentences = [tokenize_sentence(t) for t in texts]
    return [s for s in sentences if s]


def random_model(name: str, seed: int = 0) -> ElmoModel:
    torch.manual_seed(seed)
    return ElmoModel(CONFIGS[name]).eval()


class Clock:
    """Wall and process-CPU seconds of a block."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def table_head(columns: list[str]) -> None:
    """Print a Markdown table's header and separator rows."""
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))


def header(args) -> None:
    load = os.getloadavg()
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    print("# ELMo Explorer inference benchmark\n")
    print(f"- device: CPU, {cpu}, {os.cpu_count()} logical cores, torch {torch.__version__}, "
          f"{torch.get_num_threads()} torch threads")
    print(f"- load average at start (1/5/15 min): {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    print(f"- time loop: {lstm_module._TIME_LOOP_MODE}; quick: {args.quick}")
    print(f"- GPU: {'available: ' + torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none'}\n")


# ---------------------------------------------------------------------- throughput
def throughput(args) -> None:
    pool = sentences_pool()
    print("## Throughput (tokens/s, random weights, state zero)\n")
    print("Wall-clock tokens/s, best of the repeats per batch; ratios = default / plain. The CPU-time "
          "ratios (process CPU seconds) are less sensitive to other load on the machine.\n")
    print("Sentences: consecutive ones from the pool (mean about 11 tokens); `original` at batch 256 "
          "uses their first 8 tokens, to keep the plain path's run short.\n")
    table_head(["config", "batch", "batches", "tokens", "plain per-step", "default, cold cache",
                "default, warm cache", "ratio cold", "ratio warm", "ratio cold / warm (CPU time)",
                "max abs diff", "load"])
    for name in args.configs:
        model = random_model(name)
        fast = BiLM(model, state="zero", device="cpu")
        plain = ReferenceBiLM(model, state="zero")
        warmup = pool[:2]
        plain.embed_batch(warmup)
        fast.embed(warmup)
        for batch_size in args.batches:
            count, longest = PLAN[(name, batch_size)][1 if args.quick else 0]
            usable = [s[:longest] if longest else s for s in pool]  # "short sentences": cut to `longest`
            batches = [usable[i * batch_size : (i + 1) * batch_size] for i in range(count)]
            tokens = sum(len(s) for b in batches for s in b)
            t_plain = t_cold = t_warm = c_plain = c_cold = c_warm = 0.0
            worst = 0.0
            repeats = 1 if args.quick else args.repeats
            for batch in batches:
                # Best of `repeats` runs of each path (the minimum is the least disturbed by load).
                best = {"plain": (float("inf"), 0.0), "cold": (float("inf"), 0.0), "warm": (float("inf"), 0.0)}
                for _ in range(repeats):
                    with Clock() as clock:
                        want = plain.embed_batch(batch)
                    best["plain"] = min(best["plain"], (clock.wall, clock.cpu))
                    fast.token_cache.clear()
                    with Clock() as clock:
                        got = fast.embed(batch, batch_size=batch_size)
                    best["cold"] = min(best["cold"], (clock.wall, clock.cpu))
                    with Clock() as clock:
                        fast.embed(batch, batch_size=batch_size)
                    best["warm"] = min(best["warm"], (clock.wall, clock.cpu))
                t_plain, c_plain = t_plain + best["plain"][0], c_plain + best["plain"][1]
                t_cold, c_cold = t_cold + best["cold"][0], c_cold + best["cold"][1]
                t_warm, c_warm = t_warm + best["warm"][0], c_warm + best["warm"][1]
                worst = max(worst, max(float(np.abs(a - b).max()) for a, b in zip(got, want)))
            print(f"| {name} | {batch_size} | {count} | {tokens} | {tokens / t_plain:,.0f} | {tokens / t_cold:,.0f} "
                  f"| {tokens / t_warm:,.0f} | {t_plain / t_cold:.1f}x | {t_plain / t_warm:.1f}x "
                  f"| {c_plain / c_cold:.1f}x / {c_plain / c_warm:.1f}x | {worst:.1e} | {os.getloadavg()[0]:.1f} |",
                  flush=True)
        del model, fast, plain
    print()


# ---------------------------------------------------------------------- a whole corpus
def stream(args) -> None:
    """Every pool sentence, batch 32, the token cache starting empty: the steady mix of hits and
    misses a user's corpus embed (e.g. for UMAP) meets."""
    pool = sentences_pool()
    if args.quick:
        pool = pool[:96]
    tokens = sum(len(s) for s in pool)
    distinct = len({w for s in pool for w in s})
    print(f"## A whole corpus from an empty token cache ({len(pool)} sentences, {tokens:,} tokens, "
          f"{distinct:,} distinct words, batch 32, random weights, state zero)\n")
    print("Plain: `embed_batch` on consecutive batches of 32 in input order. Default: one "
          "`BiLM.embed(sentences, batch_size=32)` call (length buckets, the cache filling as it goes).\n")
    table_head(["config", "plain per-step tok/s", "default tok/s", "ratio (wall)", "ratio (CPU time)",
                "cache hits / misses", "max abs diff", "load"])
    for name in args.configs:
        model = random_model(name)
        if name == "original" and not args.quick:
            corpus = [s[:8] for s in pool[:128]]  # keep the plain path's run short
        else:
            corpus = pool
        corpus_tokens = sum(len(s) for s in corpus)
        fast = BiLM(model, state="zero", device="cpu")
        plain = ReferenceBiLM(model, state="zero")
        plain.embed_batch(corpus[:2])
        fast.embed(corpus[:2])
        fast.token_cache.clear()
        with Clock() as plain_clock:
            want = [v for i in range(0, len(corpus), 32) for v in plain.embed_batch(corpus[i : i + 32])]
        with Clock() as fast_clock:
            got = fast.embed(corpus, batch_size=32)
        stats = fast.token_cache.stats()
        worst = max(float(np.abs(a - np.asarray(b)).max()) for a, b in zip(got, want))
        print(f"| {name}{' (first 128 sentences, 8 tokens)' if corpus is not pool else ''} "
              f"| {corpus_tokens / plain_clock.wall:,.0f} | {corpus_tokens / fast_clock.wall:,.0f} "
              f"| {plain_clock.wall / fast_clock.wall:.1f}x | {plain_clock.cpu / fast_clock.cpu:.1f}x "
              f"| {stats['hits']:,} / {stats['misses']:,} | {worst:.1e} | {os.getloadavg()[0]:.1f} |", flush=True)
        del model, fast, plain
    print()


# ---------------------------------------------------------------------- latency
def mini_bilm() -> tuple[BiLM, str]:
    from elmo_core.registry import bundled_model_dir

    directory = bundled_model_dir("mini")
    if (directory / "weights.hdf5").is_file():
        import elmo_core

        return elmo_core.load("mini", device="cpu"), "bundled mini"
    bilm = BiLM(random_model("mini"), device="cpu", name="mini-random")
    return bilm, "random weights, mini shapes (bundled mini absent)"


def latency(args) -> None:
    bilm, source = mini_bilm()
    pool = sentences_pool()
    long_enough = [s for s in pool if len(s) >= 20]
    sentence = long_enough[0][:20] if long_enough else (pool[0] * 20)[:20]
    repeats = 60 if args.quick else 300
    bilm.embed([sentence])  # warm state, packed weights
    print(f"## Single-sentence latency ({source}, state {bilm.state_mode}, 20 tokens, {repeats} calls)\n")
    print("| token cache | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|")
    for label, clear in (("warm (words cached)", False), ("cold (cleared before each call)", True)):
        times = []
        for _ in range(repeats):
            if clear:
                bilm.token_cache.clear()
            with Clock() as clock:
                bilm.embed([sentence])
            times.append(clock.wall * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        print(f"| {label} | {statistics.median(times):.2f} | {p95:.2f} | {times[-1]:.2f} |", flush=True)
    print()


# ---------------------------------------------------------------------- time loop variants
def time_loop(args) -> None:
    print("## Time loop: eager vs TorchScript" + (" vs torch.compile(cell)" if args.compile else "") + "\n")
    print("LSTM only (packed inference path), random weights, best of several runs, ms per call. "
          f"Mode 'auto' (the default) uses TorchScript when a step runs at most "
          f"{lstm_module.AUTO_SCRIPT_MAX_ROWS} rows, eager otherwise.\n")
    print("| config | batch x steps | eager | TorchScript |" + (" compile(cell) |" if args.compile else ""))
    print("|---|---|---|---|" + ("---|" if args.compile else ""))
    previous = lstm_module._TIME_LOOP_MODE
    runs = 3 if args.quick else 7
    for name, batch, steps in (("mini", 1, 22), ("small", 1, 22), ("small", 32, 22), ("small", 256, 14)):
        model = random_model(name)
        p = model.config.lstm.projection_dim
        tokens = torch.randn(batch, steps, p)
        mask = torch.ones(batch, steps, dtype=torch.bool)
        state = model.lstm.zero_state(batch)
        row = []
        modes = ["eager", "script"] + (["compile"] if args.compile else [])
        for mode in modes:
            if mode == "compile":
                row.append(_compiled_cell_time(model, tokens, mask, state, runs))
                continue
            used = lstm_module.set_time_loop(mode)
            best = float("inf")
            with torch.inference_mode():
                for _ in range(runs + 1):
                    with Clock() as clock:
                        model.lstm(tokens, mask, state)
                    best = min(best, clock.wall)
            row.append(f"{best * 1000:.2f}" + ("" if used == mode else f" ({used})"))
        print(f"| {name} | {batch} x {steps} | " + " | ".join(row) + " |", flush=True)
    lstm_module.set_time_loop(previous)
    print()


def _compiled_cell_time(model, tokens, mask, state, runs) -> str:
    """The per-step cell math compiled by torch.compile (inductor), inside the same eager loop."""
    try:
        def cell(gates, c, dim: int, clip: float):
            s = torch.sigmoid(gates[..., : 3 * dim])
            j = torch.tanh(gates[..., 3 * dim :])
            c2 = (s[..., dim : 2 * dim] * c + s[..., :dim] * j).clamp(-clip, clip)
            return c2, torch.tanh(c2) * s[..., 2 * dim : 3 * dim]

        compiled = torch.compile(cell, dynamic=True)
        dim = model.config.lstm.dim

        def loop(pre, previous, c_all, w_r, w_p, outputs, active, begins, base, dim_, cell_clip, proj_clip):
            for k in range(len(active)):
                n, begin = active[k], begins[k]
                gates = pre[:, begin : begin + n].baddbmm_(previous[:, :n], w_r)
                new_c, squashed = compiled(gates, c_all[:, :n], dim_, cell_clip)
                c_all[:, :n] = new_c
                new_h = outputs[:, base + begin : base + begin + n]
                torch.bmm(squashed, w_p, out=new_h).clamp_(-proj_clip, proj_clip)
                previous = new_h
            return previous

        original = lstm_module.time_loop
        lstm_module.time_loop = lambda rows=1: loop
        try:
            best = float("inf")
            with torch.inference_mode():
                with Clock() as first:
                    model.lstm(tokens, mask, state)
                for _ in range(runs):
                    with Clock() as clock:
                        model.lstm(tokens, mask, state)
                    best = min(best, clock.wall)
        finally:
            lstm_module.time_loop = original
        return f"{best * 1000:.2f} (first call {first.wall:.0f} s)"
    except Exception as exc:  # no compiler, unsupported platform: report and go on
        return f"unavailable ({type(exc).__name__})"


# ---------------------------------------------------------------------- precision
def precision(args) -> None:
    fixtures = REPO.parent / "shared" / "fixtures"
    folder = fixtures / "elmo-allennlp-all-layers"
    if not folder.is_dir():
        print("## Precision\n\nfixtures not found; skipped\n")
        return
    import h5py

    import elmo_core

    sentences = [line.split() for line in (folder / "sentences.txt").read_text().splitlines()]
    with h5py.File(folder / "expected_embeddings.hdf5", "r") as f:
        expected = [f[str(i)][...] for i in range(len(sentences))]
    reference = fixtures / "elmo-allennlp"
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(f"## Precision (fixture model, all-layers protocol, carried state; device {device})\n")
    print("| precision | max abs deviation from float32 | max abs deviation from reference file |")
    print("|---|---|---|")
    base = None
    for name in ("float32", "bfloat16", "float16"):
        loaded = elmo_core.load_files(reference / "options.json", reference / "lm_weights.hdf5", state="carry",
                                      device=device)
        bilm = BiLM(loaded.model, state="carry", device=device, precision=name)
        outputs = []
        for b in range(0, len(sentences), 10):
            outputs.extend(bilm.embed_batch(sentences[b : b + 10]))
        if base is None:
            base = outputs
        dev32 = max(float(np.abs(a - b).max()) for a, b in zip(outputs, base))
        devref = max(float(np.abs(a - b).max()) for a, b in zip(outputs, expected))
        print(f"| {name} | {dev32:.2e} | {devref:.2e} |", flush=True)
    print()


# ---------------------------------------------------------------------- memory
# Peak resident memory of this process image: VmHWM of /proc/self/status (reset by exec, unlike
# getrusage's ru_maxrss, which Linux carries over from the parent across fork + exec); writing
# "5" to /proc/self/clear_refs resets it, so a call's own peak can be read.
PEAK = """
def peak_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def current_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False
"""

CHILD_CLI = PEAK + """
import sys
from elmo_core.cli import main
code = main(sys.argv[1:])
print("MAXRSS_KB", peak_kb())
sys.exit(code)
"""

CHILD_EMBED = PEAK + """
import sys, torch
from elmo_core.bilm import BiLM
from elmo_core.config import CharCNNConfig, ElmoConfig, LSTMConfig
from elmo_core.model import ElmoModel
torch.manual_seed(0)
model = ElmoModel(ElmoConfig(CharCNNConfig(n_highway=1), LSTMConfig(dim=1024, projection_dim=128)))
bilm = BiLM(model, state="zero", device="cpu", max_tokens_per_batch=int(sys.argv[1]))
words = "the river bank was steep and muddy after a long rain in the valley".split()
sentences = [[words[(i + j) % len(words)] for j in range(int(sys.argv[2]))] for i in range(int(sys.argv[3]))]
bilm.embed(sentences[:2])
before = current_kb()
reset_peak()
out = bilm.embed(sentences, batch_size=256)
print("MAXRSS_KB", peak_kb(), "BEFORE_KB", before)
"""


def _child(code: str, *argv: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, cwd=REPO)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    fields = result.stdout.split()
    values = {}
    for key in ("MAXRSS_KB", "BEFORE_KB"):
        if key in fields:
            values[key] = int(fields[fields.index(key) + 1]) / 1024
    return values


def memory(args) -> None:
    from elmo_core.weights import save_weights

    print("## Peak memory (resident set of a child process, MiB)\n")
    pool = sentences_pool()
    counts = (300, 3000) if args.quick else (1000, 10000)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model_dir = tmp / "model"
        model_dir.mkdir()
        model = random_model("mini")
        model.config.to_json(model_dir / "options.json")
        save_weights(model, model_dir / "weights.hdf5")
        print("`elmo-explorer embed --all` (mini shapes, random weights; the CLI embeds slices of 8 x batch size):\n")
        print("| sentences | tokens | all vectors would take | peak RSS | wall s |")
        print("|---|---|---|---|---|")
        for count in counts:
            lines = [" ".join(pool[i % len(pool)]) for i in range(count)]
            source = tmp / f"in{count}.txt"
            source.write_text("\n".join(lines) + "\n")
            tokens = sum(len(line.split()) for line in lines)
            all_vectors = tokens * 3 * 256 * 4 / 2**20
            with Clock() as clock:
                values = _child(CHILD_CLI, "embed", str(source), str(tmp / f"out{count}.hdf5"), "--all", "--quiet",
                                "--model", str(model_dir), "--device", "cpu")
            print(f"| {count:,} | {tokens:,} | {all_vectors:,.0f} MiB | {values['MAXRSS_KB']:,.0f} "
                  f"| {clock.wall:.1f} |", flush=True)
    print("\nOne `embed` call, `small` shapes, 96 sentences of 300 tokens (outputs alone: "
          f"{96 * 300 * 3 * 256 * 4 / 2**20:,.0f} MiB):\n")
    print("| max_tokens_per_batch | RSS before the call | peak RSS during the call | growth |")
    print("|---|---|---|---|")
    for budget in (1024, 65536):
        values = _child(CHILD_EMBED, str(budget), "300", "96")
        print(f"| {budget:,} | {values['BEFORE_KB']:,.0f} | {values['MAXRSS_KB']:,.0f} "
              f"| {values['MAXRSS_KB'] - values['BEFORE_KB']:,.0f} |", flush=True)
    print()


SECTIONS = {"throughput": throughput, "stream": stream, "latency": latency, "time_loop": time_loop, "precision": precision,
            "memory": memory}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer batches and repetitions (a smoke run)")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma list of {', '.join(SECTIONS)}")
    parser.add_argument("--configs", default="small,original", help="throughput configs (small, original)")
    parser.add_argument("--batches", default="1,32,256", help="throughput batch sizes (1, 32, 256)")
    parser.add_argument("--compile", action="store_true", help="also time torch.compile of the cell (slow to compile)")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--repeats", type=int, default=2, help="runs per throughput batch, best one kept")
    args = parser.parse_args(argv)
    args.configs = [c for c in args.configs.split(",") if c]
    args.batches = [int(b) for b in args.batches.split(",") if b]
    if args.threads:
        torch.set_num_threads(args.threads)
    header(args)
    started = time.perf_counter()
    for section in args.sections.split(","):
        SECTIONS[section](args)
    load = os.getloadavg()
    print(f"Total benchmark time {time.perf_counter() - started:.0f} s; "
          f"load average at end: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
