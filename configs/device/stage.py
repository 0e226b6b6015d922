"""
Stage what ``configs/device/run.sh`` needs into ``.gpu/`` (git-ignored, carried to the lent GPU):
corpus v2 (train.txt xz-compressed, heldout.txt, the top of vocab.txt) and the GloVe 6B 50d rows
of the corpus words seen at least ``--min-count`` times, as float16. The whole GloVe matrix
(80 MB) and the plain corpus (74 MB) do not fit the 64 MiB a call may carry; words outside the
subset simply get no mimick target (the trainer's ``found`` mask).

    python configs/device/stage.py [--corpus ~/.cache/elmo-explorer/corpus-v2] [--out .gpu]
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="~/.cache/elmo-explorer/corpus-v2")
    parser.add_argument("--out", default=".gpu")
    parser.add_argument("--vocab-lines", type=int, default=40003)
    parser.add_argument("--min-count", type=int, default=3)
    args = parser.parse_args()
    corpus, out = Path(args.corpus).expanduser(), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
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
    glove = load_glove()
    words = sorted((w for w, c in counts.items() if c >= args.min_count and w in glove.index),
                   key=lambda w: -counts[w])
    np.save(out / "glove_vectors_f16.npy", np.asarray(glove.vectors[[glove.index[w] for w in words]], np.float16))
    pq.write_table(pa.table({"index": words}), out / "glove_index.parquet")
    print(f"staged {out}: {len(words):,} GloVe words (count >= {args.min_count})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
