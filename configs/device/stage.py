"""
Stage what ``configs/device/run.sh`` needs into ``.gpu/`` (git-ignored, carried to the lent GPU):
corpus v2 (train.txt xz-compressed, heldout.txt, the top of vocab.txt) and the GloVe 6B 50d rows
of the corpus words seen at least ``--min-count`` times, as float16. The whole GloVe matrix
(80 MB) and the plain corpus (74 MB) do not fit the 64 MiB a call may carry; words outside the
subset simply get no mimick target (the trainer's ``found`` mask). With ``--teacher`` it also
copies a compact ``occurrences`` teacher set (``elmo-explorer teacher compact``, 14 MB for the
60,000-sentence set at 24 occurrences a word, its sentences xz-compressed) to ``.gpu/teacher``; the
827 MB full set cannot travel. A teacher run continues the shipped model, whose 24.5 MB travel
with the code: stage it ``--no-glove`` (the mimick is off then) and take the heads out of git's
index for the call.

    python configs/device/stage.py [--corpus ~/.cache/elmo-explorer/corpus-v2] [--out .gpu] \
        [--teacher ~/.cache/elmo-explorer/teacher/minilm-l6-60k-occ6x24 --no-glove]
"""
from __future__ import annotations

import argparse
import lzma
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from elmo_core.datasets.glove import load_glove
from elmo_core.training.teacher import TeacherSet


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="~/.cache/elmo-explorer/corpus-v2")
    parser.add_argument("--out", default=".gpu")
    parser.add_argument("--vocab-lines", type=int, default=40003)
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--teacher", default=None, help="a compact teacher set (`teacher compact`)")
    parser.add_argument("--no-glove", action="store_true", help="leave GloVe out (a run without the mimick)")
    args = parser.parse_args()
    corpus, out = Path(args.corpus).expanduser(), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.teacher:
        teacher = TeacherSet.load(args.teacher)
        if teacher.taught is None:
            raise SystemExit(f"{args.teacher} is a full teacher set: stage `elmo-explorer teacher compact` of it")
        source, staged = Path(args.teacher).expanduser(), out / "teacher"
        staged.mkdir(exist_ok=True)
        for name in ("teacher.json", "offsets.npy", "taught.npy", "vectors.npy"):
            shutil.copy(source / name, staged / name)
        with open(source / "sentences.txt", "rb") as src, lzma.open(staged / "sentences.txt.xz", "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 24)
    with open(corpus / "train.txt", "rb") as src, lzma.open(out / "train.txt.xz", "wb", preset=6) as dst:
        shutil.copyfileobj(src, dst, 1 << 24)
    shutil.copy(corpus / "heldout.txt", out / "heldout.txt")
    counts: Counter[str] = Counter()
    vocab_lines = []
    with open(corpus / "vocab.txt", encoding="utf-8") as f:
        for number, line in enumerate(f):
            if number < args.vocab_lines:
                vocab_lines.append(line)
            word, _, count = line.rstrip("\n").partition("\t")
            counts[word.lower()] += int(count or 0)
    (out / "vocab.txt").write_text("".join(vocab_lines), encoding="utf-8")
    if args.no_glove:
        print(f"staged {out} without GloVe: {sum(f.stat().st_size for f in out.rglob('*') if f.is_file()):,} bytes")
        return 0
    glove = load_glove()
    words = sorted((w for w, c in counts.items() if c >= args.min_count and w in glove.index),
                   key=lambda w: -counts[w])
    np.save(out / "glove_vectors_f16.npy", np.asarray(glove.vectors[[glove.index[w] for w in words]], np.float16))
    pq.write_table(pa.table({"index": words}), out / "glove_index.parquet")
    print(f"staged {out}: {len(words):,} GloVe words (count >= {args.min_count})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
