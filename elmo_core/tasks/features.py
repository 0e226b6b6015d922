"""
An on-disk cache of biLM features, so a frozen model embeds a dataset only once.

Layout (``<cache>/features`` with ``<cache>`` = :func:`elmo_core.cache.cache_dir`, or
``$ELMO_EXPLORER_FEATURE_CACHE``)::

    features/<model fingerprint[:16]>/<dataset name>-<texts hash[:16]>.hdf5
        "0", "1", ...        one dataset per sentence: (num_layers, n_tokens, dim) float16/32
        attrs: model_fingerprint, dataset, texts_hash, count, dtype

The model fingerprint is a SHA-256 of ``options.json`` and ``weights.hdf5`` bytes (for a model
loaded by name or directory) or of the parameters (an in-memory model), plus the LSTM state
policy, which changes the vectors. The dataset key is its name plus a SHA-256 of its token
lists. A file is written under a temporary name and renamed when complete, so an interrupted
run leaves no half cache behind.

:attr:`FeatureCache.embed_runs` counts how often a dataset really had to be embedded; a cache hit
does not increase it.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import h5py
import numpy as np
import torch

from ..bilm import BiLM
from ..loading import find_model_files, load_files
from ..cache import cache_dir

__all__ = [
    "LoadedModel",
    "FeatureSet",
    "FeatureCache",
    "fingerprint_files",
    "fingerprint_bilm",
    "texts_hash",
    "load_model",
    "default_root",
    "ProgressFn",
]

# progress(done, total): called after every chunk while embedding.
ProgressFn = Callable[[int, int], None]


FEATURE_CACHE_ENV = "ELMO_EXPLORER_FEATURE_CACHE"


def default_root() -> Path:
    """``$ELMO_EXPLORER_FEATURE_CACHE`` if set, else ``<cache>/features``."""
    env = os.environ.get(FEATURE_CACHE_ENV, "").strip()
    return Path(env).expanduser() if env else cache_dir() / "features"


def fingerprint_files(options_file: str | Path, weight_file: str | Path, state: str) -> str:
    """SHA-256 hex of the options bytes, the weights bytes and the state policy."""
    digest = hashlib.sha256()
    digest.update(Path(options_file).read_bytes())
    with open(weight_file, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    digest.update(f"state={state}".encode())
    return digest.hexdigest()


def fingerprint_bilm(bilm: BiLM) -> str:
    """SHA-256 hex of a model's configuration, parameter values and state policy."""
    digest = hashlib.sha256(json.dumps(bilm.config.to_dict(), sort_keys=True).encode())
    for name, tensor in sorted(bilm.model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().float().contiguous().numpy().tobytes())
    digest.update(f"state={bilm.state_mode}".encode())
    return digest.hexdigest()


def texts_hash(sentences: list[list[str]]) -> str:
    """SHA-256 hex of token lists (token and sentence boundaries included)."""
    digest = hashlib.sha256()
    for sentence in sentences:
        digest.update("\x1f".join(sentence).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


@dataclass
class LoadedModel:
    """A biLM with its fingerprint and, when loaded from files, its model directory."""

    bilm: BiLM
    fingerprint: str
    directory: Path | None = None


def load_model(name_or_dir: str | Path, *, state: str = "warm", device=None) -> LoadedModel:
    """Load a model by name or directory and fingerprint its files."""
    from ..registry import resolve_model_dir

    directory, name = resolve_model_dir(name_or_dir, progress=False)
    options_file, weight_file = find_model_files(directory)
    bilm = load_files(options_file, weight_file, state=state, device=device, name=name)
    return LoadedModel(bilm, fingerprint_files(options_file, weight_file, state), Path(directory))


@dataclass
class FeatureSet:
    """Per-sentence features, all in memory: ``arrays[i]`` is (num_layers, n_i, dim)."""

    arrays: list[np.ndarray] = field(repr=False)
    path: Path
    from_cache: bool

    def __len__(self) -> int:
        return len(self.arrays)


def _read(path: Path) -> list[np.ndarray]:
    with h5py.File(path, "r") as file:
        count = int(file.attrs["count"])
        return [file[str(i)][...] for i in range(count)]


class FeatureCache:
    """Embeds datasets with a frozen biLM once and reads them back from disk afterwards."""

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else default_root()
        self.embed_runs = 0

    def path_for(self, fingerprint: str, dataset: str, sentences: list[list[str]]) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in dataset) or "dataset"
        return self.root / fingerprint[:16] / f"{safe}-{texts_hash(sentences)[:16]}.hdf5"

    def get(self, bilm: BiLM, fingerprint: str, dataset: str, sentences: list[list[str]], *,
            dtype: str = "float16", batch_size: int = 32, chunk_size: int = 256,
            progress: ProgressFn | bool | None = None) -> FeatureSet:
        """Features of ``sentences`` under ``bilm``: from disk, or embedded now and stored.

        ``dtype`` is ``float16`` (half the disk and memory) or ``float32``. Embedding goes
        ``chunk_size`` sentences at a time, so memory holds one chunk of float32 vectors.
        """
        if dtype not in ("float16", "float32"):
            raise ValueError(f"dtype must be float16 or float32, got {dtype!r}")
        path = self.path_for(fingerprint, dataset, sentences)
        if path.is_file():
            arrays = _read(path)
            if arrays and arrays[0].dtype != np.dtype(dtype):
                arrays = [a.astype(dtype) for a in arrays]
            return FeatureSet(arrays, path, from_cache=True)
        self._embed_to(path, bilm, fingerprint, dataset, sentences, dtype, batch_size, chunk_size, progress)
        self.embed_runs += 1
        return FeatureSet(_read(path), path, from_cache=False)

    @staticmethod
    def _embed_to(path: Path, bilm: BiLM, fingerprint: str, dataset: str, sentences: list[list[str]],
                  dtype: str, batch_size: int, chunk_size: int, progress: ProgressFn | bool | None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        bar = None
        if progress is True:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(sentences), unit="sent", desc=f"embedding {dataset}")
        try:
            with h5py.File(tmp, "w") as file, torch.inference_mode():
                file.attrs.update({"model_fingerprint": fingerprint, "dataset": dataset,
                                   "texts_hash": texts_hash(sentences), "count": len(sentences),
                                   "dtype": dtype})
                for start in range(0, len(sentences), max(chunk_size, 1)):
                    chunk = sentences[start : start + chunk_size]
                    for offset, vectors in enumerate(bilm.embed(chunk, batch_size=batch_size)):
                        file.create_dataset(str(start + offset), data=vectors.astype(dtype))
                    done = start + len(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
                    elif callable(progress):
                        progress(done, len(sentences))
            os.replace(tmp, path)
        finally:
            if bar is not None:
                bar.close()
            tmp.unlink(missing_ok=True)
