"""
embed-corpus benchmarks (issue 14): tokens/s of the local engine and of Ray with 1 and 2
embedder actors, and the driver's peak memory at two corpus sizes.

    .venv/bin/python benchmarks/embed_corpus_bench.py                      # both sections
    .venv/bin/python benchmarks/embed_corpus_bench.py --sections throughput --sentences 20000
    .venv/bin/python benchmarks/embed_corpus_bench.py --sections memory --memory-sizes 20000,100000
    .venv/bin/python benchmarks/embed_corpus_bench.py --sections reader --reader-size 100000
    .venv/bin/python benchmarks/embed_corpus_bench.py --quick              # a smoke run

Every run is a fresh child process running one whole job (model load, and for Ray the actor
start-up included; the local Ray cluster's start is timed apart) into a new folder, one thread
per worker (the local engine gets one thread too, so "Ray with 1 actor" against "local" is the
Ray overhead). The child reports the
job's wall time, tokens, the embedders' CPU time on the shards (from the shard sidecars: on a
machine shared with other work, tokens per CPU second compare engines better than wall time)
and its own peak resident set (``ru_maxrss``): for the Ray engine that is
the driver only, as the actors are other processes. Sentences: Debian's fortunes, then the
Jargon File and WordNet glosses (real English, tokenized by the project's tokenizer), written one
per line. The reader section embeds a corpus (Ray, 2 actors, all layers in float16), then opens
it in a fresh process and samples words as the Corpus explorer does, reporting the time and that
process's peak memory against the size of the vectors on disk. Results are printed as Markdown
tables; they depend on machine load (printed too).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("fortunes", "jargon", "wordnet")


def write_sentences(path: Path, count: int) -> int:
    """Write ``count`` real sentences, one per line; returns their tokens."""
    from elmo_core.corpus.readers import get_source
    from elmo_core.cache import cache_dir
    from elmo_core.tokenizer import tokenize

    written = tokens = 0
    with path.open("w", encoding="utf-8") as out:
        for name in SOURCES:
            for document in get_source(name).iter_documents(cache_dir()):
                for sentence in tokenize(document):
                    out.write(" ".join(sentence) + "\n")
                    written += 1
                    tokens += len(sentence)
                    if written == count:
                        return tokens
    raise RuntimeError(f"the sources hold only {written} sentences")


def read_child(spec: dict) -> None:
    """Open a corpus and sample words, as the Corpus explorer does; print one JSON line."""
    import resource

    from elmo_core.bulk import CorpusReader

    rows = []
    started = time.perf_counter()
    reader = CorpusReader(spec["output"])
    vocabulary = reader.vocabulary(300)
    opened = time.perf_counter() - started
    opened_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # imports (torch) included
    words = [w for w, _ in vocabulary if w.isalpha()]
    for word in (words[0], words[len(words) // 2], words[-1]):
        started = time.perf_counter()
        sample = reader.sample(word, max_points=spec["points"])
        rows.append({"word": word, "total": sample.total, "points": len(sample), "seconds": time.perf_counter() - started})
    print(json.dumps({"open_s": opened, "samples": rows, "opened_mib": opened_mib,
                      "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def child(spec: dict) -> None:
    """Run one job and print one JSON line (runs in a fresh process)."""
    import resource

    if spec.get("read"):
        read_child(spec)
        return

    import torch

    torch.set_num_threads(1)
    from elmo_core.bulk import CorpusJobConfig, RayOptions, embed_corpus

    config = CorpusJobConfig(spec["input"], Path(spec["output"]), layers=spec["layers"], dtype=spec["dtype"],
                             shard_size=spec["shard_size"], progress=False)
    cluster_s = 0.0
    if spec["engine"] == "ray":  # start the local cluster first, to time it apart from the job
        import ray

        started = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        cluster_s = time.perf_counter() - started
    started = time.perf_counter()
    result = embed_corpus(config, engine=spec["engine"], ray=RayOptions(workers=spec.get("workers")))
    wall = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sidecars = [json.loads(p.read_text()) for p in (Path(spec["output"]) / "shards").glob("shard-??????.json")]
    shard_cpu = sum(s["cpu_seconds"] for s in sidecars)
    print(json.dumps({"sentences": result.sentences, "tokens": result.tokens, "wall_s": wall,
                      "shard_cpu_s": shard_cpu, "tokens_per_cpu_s": result.tokens / shard_cpu,
                      "cluster_s": cluster_s, "tokens_per_s": result.tokens / wall, "driver_peak_mib": peak_mib,
                      "load": os.getloadavg()[0]}))


def run_child(spec: dict) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], capture_output=True, text=True,
                          env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def throughput(tmp: Path, sentences: int, shard_size: int) -> None:
    source = tmp / f"sentences-{sentences}.txt"
    tokens = write_sentences(source, sentences)
    print(f"\n### Throughput: {sentences:,} sentences ({tokens:,} tokens), layers all, float32, "
          f"shards of {shard_size}\n")
    print("| engine | cluster start s | job wall s | tokens/s | vs local | embedders' CPU s | tokens per CPU s "
          "| load at end |")
    print("|---|---|---|---|---|---|---|---|")
    runs = [("local", None), ("ray", 1), ("ray", 2)]
    base = None
    for engine, workers in runs:
        out = tmp / f"out-{engine}-{workers}"
        row = run_child({"input": str(source), "output": str(out), "engine": engine, "workers": workers,
                         "layers": "all", "dtype": "float32", "shard_size": shard_size})
        base = base or row["tokens_per_s"]
        name = "local (1 thread)" if engine == "local" else f"ray, {workers} actor(s) x 1 CPU"
        print(f"| {name} | {row['cluster_s']:.1f} | {row['wall_s']:.1f} | {row['tokens_per_s']:,.0f} "
              f"| {row['tokens_per_s'] / base:.2f}x | {row['shard_cpu_s']:.1f} | {row['tokens_per_cpu_s']:,.0f} "
              f"| {row['load']:.1f} |", flush=True)
        subprocess.run(["rm", "-rf", str(out)], check=False)


def memory(tmp: Path, sizes: list[int], shard_size: int) -> None:
    print("\n### Driver peak resident set (MiB): layers top, float16, Ray with 2 actors, and the local engine\n")
    print("| sentences | tokens | engine | wall s | tokens/s | driver peak MiB | load at end |")
    print("|---|---|---|---|---|---|---|")
    for size in sizes:
        source = tmp / f"sentences-{size}.txt"
        tokens = write_sentences(source, size)
        for engine, workers in (("ray", 2), ("local", None)):
            out = tmp / f"mem-{engine}-{size}"
            row = run_child({"input": str(source), "output": str(out), "engine": engine, "workers": workers,
                             "layers": "top", "dtype": "float16", "shard_size": shard_size})
            print(f"| {size:,} | {tokens:,} | {engine} | {row['wall_s']:.1f} | {row['tokens_per_s']:,.0f} "
                  f"| {row['driver_peak_mib']:.0f} | {row['load']:.1f} |", flush=True)
            subprocess.run(["rm", "-rf", str(out)], check=False)


def reader(tmp: Path, size: int, shard_size: int, points: int = 1000) -> None:
    source = tmp / f"sentences-{size}.txt"
    tokens = write_sentences(source, size)
    out = tmp / f"reader-{size}"
    run_child({"input": str(source), "output": str(out), "engine": "ray", "workers": 2, "layers": "all",
               "dtype": "float16", "shard_size": shard_size})
    vector_bytes = sum(p.stat().st_size for p in (out / "shards").glob("shard-??????.parquet"))
    row = run_child({"read": True, "output": str(out), "points": points})
    print(f"\n### Reading a {size:,}-sentence corpus ({tokens:,} tokens, all layers, float16: "
          f"{vector_bytes / 2**20:,.0f} MiB of vectors on disk)\n")
    print(f"Open (manifest, file checks, top 300 of the vocabulary): {row['open_s']:.2f} s. Peak resident set "
          f"of the reading process: {row['opened_mib']:.0f} MiB once imported (torch included) and the corpus "
          f"opened, {row['peak_mib']:.0f} MiB after the three samples of up to {points:,} points.\n")
    print("| word | occurrences | sampled | seconds |")
    print("|---|---|---|---|")
    for sample in row["samples"]:
        print(f"| {sample['word']} | {sample['total']:,} | {sample['points']:,} | {sample['seconds']:.2f} |")
    subprocess.run(["rm", "-rf", str(out)], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--sections", default="throughput,memory,reader")
    parser.add_argument("--sentences", type=int, default=20_000)
    parser.add_argument("--memory-sizes", default="20000,100000")
    parser.add_argument("--reader-size", type=int, default=100_000)
    parser.add_argument("--shard-size", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="1,000 sentences, memory at 500 and 2,000")
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    if args.quick:
        args.sentences, args.memory_sizes, args.shard_size, args.reader_size = 1000, "500,2000", 250, 2000
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} logical cores, Python "
          f"{platform.python_version()}, load average at start {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="embed-corpus-bench-") as name:
        tmp = Path(name)
        sections = args.sections.split(",")
        if "throughput" in sections:
            throughput(tmp, args.sentences, args.shard_size)
        if "memory" in sections:
            memory(tmp, [int(s) for s in args.memory_sizes.split(",")], args.shard_size)
        if "reader" in sections:
            reader(tmp, args.reader_size, args.shard_size)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
