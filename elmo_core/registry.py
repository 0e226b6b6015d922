"""
Named models: the bundled ``mini`` and the official AllenNLP releases, downloaded on demand.

Downloads go to ``<cache>/models/<name>/`` (:func:`elmo_core.cache.cache_dir`:
``$ELMO_EXPLORER_CACHE``, ``~`` expanded, or ``~/.cache/elmo-explorer``)
with a progress bar, a size check against ``Content-Length``, an HDF5 integrity check and an
atomic rename, so an interrupted download never leaves a half file that looks complete.
Offline, the error says which two files to fetch and where to put them.
"""
from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable, Optional

from .cache import cache_dir

# Called after every chunk of a download with (bytes so far, total bytes or None when unknown).
ProgressCallback = Callable[[int, Optional[int]], None]

OFFICIAL_BASE = "https://allennlp.s3.amazonaws.com/models/elmo"


@dataclass(frozen=True)
class OfficialModel:
    name: str
    release: str  # directory and file prefix of the official release
    description: str

    def url(self, kind: str, base: str = OFFICIAL_BASE) -> str:
        """kind is "options.json" or "weights.hdf5"."""
        return f"{base}/{self.release}/elmo_{self.release}_{kind}"


OFFICIAL_MODELS = {
    m.name: m
    for m in (
        OfficialModel("small", "2x1024_128_2048cnn_1xhighway", "LSTM 1024/128, 13.6M parameters"),
        OfficialModel("medium", "2x2048_256_2048cnn_1xhighway", "LSTM 2048/256, 28.0M parameters"),
        OfficialModel("original", "2x4096_512_2048cnn_2xhighway", "LSTM 4096/512, 93.6M parameters"),
        OfficialModel("original-5.5b", "2x4096_512_2048cnn_2xhighway_5.5B", "original, trained on 5.5B tokens"),
    )
}
BUNDLED_MODELS = ("mini",)


class ModelUnavailable(RuntimeError):
    """A named model that is not on disk and cannot be downloaded now."""


def bundled_model_dir(name: str) -> Path:
    return Path(str(resources.files("elmo_core") / "models" / name))


def model_names() -> list[str]:
    return [*BUNDLED_MODELS, *OFFICIAL_MODELS]


def download(url: str, target: Path, *, progress: bool = True, timeout: float = 30.0,
             callback: ProgressCallback | None = None) -> Path:
    """Fetch ``url`` to ``target`` through a temporary file, checking its size, then rename.

    ``callback(done_bytes, total_bytes)``, if given, is called after every chunk (for a UI
    progress bar); ``total_bytes`` is ``None`` when the server sends no ``Content-Length``.
    """
    from tqdm.auto import tqdm

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            expected = int(response.headers.get("Content-Length") or 0) or None
            with open(partial, "wb") as out, tqdm(total=expected, unit="B", unit_scale=True,
                                                  desc=target.name, disable=not progress) as bar:
                done = 0
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    bar.update(len(chunk))
                    done += len(chunk)
                    if callback is not None:
                        callback(done, expected)
        size = partial.stat().st_size
        if expected is not None and size != expected:
            raise ModelUnavailable(f"download of {url} stopped at {size} of {expected} bytes; try again")
        os.replace(partial, target)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise ModelUnavailable(f"cannot download {url}: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return target


def fetch_official(name: str, *, base: str = OFFICIAL_BASE, progress: bool = True,
                   callback: ProgressCallback | None = None) -> Path:
    """Make sure the official model ``name`` is in the cache; returns its directory.
    ``callback`` is passed to :func:`download` for each missing file."""
    import h5py

    model = OFFICIAL_MODELS[name]
    directory = cache_dir() / "models" / name
    files = {"options.json": directory / "options.json", "weights.hdf5": directory / "weights.hdf5"}
    try:
        for kind, path in files.items():
            if not path.is_file():
                download(model.url(kind, base), path, progress=progress, callback=callback)
    except ModelUnavailable as exc:
        raise ModelUnavailable(
            f"{exc}\nThe official ELMo model '{name}' is not in the cache and could not be downloaded. "
            f"Download these two files by hand:\n  {model.url('options.json', base)}\n  {model.url('weights.hdf5', base)}\n"
            f"and save them as\n  {files['options.json']}\n  {files['weights.hdf5']}\n"
            f"or load any directory that holds options.json + weights.hdf5 with elmo_core.load(path)."
        ) from exc
    if not h5py.is_hdf5(files["weights.hdf5"]):
        bad = files["weights.hdf5"].with_suffix(".corrupt")
        shutil.move(files["weights.hdf5"], bad)
        raise ModelUnavailable(f"the downloaded weights of '{name}' are not a valid HDF5 file (moved to {bad}); try again")
    return directory


def resolve_model_dir(name_or_dir: str | Path, *, progress: bool = True) -> tuple[Path, str]:
    """A model name or directory -> (directory holding its files, display name)."""
    key = str(name_or_dir)
    if key in BUNDLED_MODELS:
        directory = bundled_model_dir(key)
        if not (directory / "weights.hdf5").is_file():
            raise ModelUnavailable(f"the bundled model '{key}' is missing from the installed package ({directory})")
        return directory, key
    if key in OFFICIAL_MODELS:
        return fetch_official(key, progress=progress), key
    path = Path(name_or_dir).expanduser()
    if path.is_dir():
        return path, path.name
    raise ValueError(f"unknown model {key!r}: give one of {', '.join(model_names())} "
                     f"or a directory with options.json and weights.hdf5")
