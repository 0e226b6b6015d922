"""
Weight averaging of fine-tuned runs (issue "mini v2", session 16): does the mean of several
teacher runs that started from the same weights separate senses better than any one of them,
and does going further along their mean direction help?

Writes a model folder whose every weight (official hdf5 layout, softmax included) is
``base + alpha * (mean of the runs - base)``: ``alpha`` 1 is the plain average of the runs (a
"model soup"), above 1 an extrapolation past it. ``--base`` defaults to the first run, which
makes ``alpha`` irrelevant. Then score the folder with ``elmo-explorer quality``.

    .venv/bin/python benchmarks/weight_average.py OUT RUN_MODEL [RUN_MODEL ...] [--base DIR] [--alpha 1.0]
"""
from __future__ import annotations

import argparse
import shutil
from contextlib import ExitStack
from pathlib import Path

import h5py
import numpy as np


def average_weights(out: Path, runs: list[Path], base: Path, alpha: float) -> int:
    """Write ``out``/weights.hdf5 (and the first run's options, vocabulary and summary); return the
    number of weight arrays written."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("options.json", "vocab.txt", "training_summary.json"):
        if (runs[0] / name).is_file():
            shutil.copy(runs[0] / name, out / name)
    with ExitStack() as files:
        sources = [files.enter_context(h5py.File(run / "weights.hdf5", "r")) for run in runs]
        start = files.enter_context(h5py.File(base / "weights.hdf5", "r"))
        target = files.enter_context(h5py.File(out / "weights.hdf5", "w"))
        names: list[str] = []
        sources[0].visititems(lambda name, item: names.append(name) if isinstance(item, h5py.Dataset) else None)
        for name in names:
            shapes = {source[name].shape for source in sources} | {start[name].shape}
            if len(shapes) != 1:
                raise SystemExit(f"{name} has different shapes across the runs: {sorted(shapes)}")
            mean = np.mean([source[name][...].astype(np.float64) for source in sources], axis=0)
            origin = start[name][...].astype(np.float64)
            target.create_dataset(name, data=(origin + alpha * (mean - origin)).astype(sources[0][name].dtype))
    return len(names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("runs", type=Path, nargs="+", help="exported model folders of runs from one start")
    parser.add_argument("--base", type=Path, help="the weights the runs started from (default: the first run)")
    parser.add_argument("--alpha", type=float, default=1.0)
    args = parser.parse_args(argv)
    count = average_weights(args.out, args.runs, args.base or args.runs[0], args.alpha)
    print(f"{count} weight arrays written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
