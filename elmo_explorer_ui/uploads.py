"""
Uploaded models: checked in a temporary folder, kept only when usable, within a disk budget.

:func:`keep_upload` writes the two uploaded files into a fresh temporary folder inside the upload
cache, checks them completely without building a model (:func:`elmo_core.loading.check_files`,
with a parameter limit), and only then renames the folder to its content address
``<cache>/uploads/<sha256 prefix>``. A failed check removes the temporary folder. Afterwards the
cache is pruned to its budget, oldest folders first. No Streamlit here.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from elmo_core.cache import cache_dir
from elmo_core.loading import check_files

OPTIONS_FILE, WEIGHTS_FILE = "options.json", "weights.hdf5"
#: An ELMo options.json is a few hundred bytes; anything much larger is not one.
MAX_OPTIONS_BYTES = 1 << 20
CHECKING_PREFIX = ".checking-"
#: A temporary folder this old is left over from a crashed check and may be removed.
STALE_SECONDS = 3600.0


class UploadError(ValueError):
    """An upload refused before its files were checked (too large for the budget, say)."""


def upload_root() -> Path:
    """Where uploaded models are kept: ``<cache>/uploads``."""
    return cache_dir() / "uploads"


def _digest(options: bytes, weights: bytes) -> str:
    digest = hashlib.sha256()
    for part in (options, weights):
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()[:24]


def keep_upload(options: bytes, weights: bytes, *, max_parameters: int, budget_bytes: int,
                root: Path | None = None) -> Path:
    """Check an uploaded ``options.json`` + ``weights.hdf5`` pair and keep it; returns its folder.

    Raises :class:`UploadError`, :class:`elmo_core.ConfigError` or :class:`elmo_core.WeightsError`
    (whose messages name the temporary files: show them through ``redact_paths``); nothing of a
    refused upload stays on disk.
    """
    if len(options) > MAX_OPTIONS_BYTES:
        raise UploadError(f"options.json has {len(options):,} bytes; an ELMo options file has a few hundred")
    if len(options) + len(weights) > budget_bytes:
        raise UploadError("the files are larger than the space this app keeps for uploaded models")
    root = upload_root() if root is None else root
    root.mkdir(parents=True, exist_ok=True)
    target = root / _digest(options, weights)
    if (target / WEIGHTS_FILE).is_file() and (target / OPTIONS_FILE).is_file():
        os.utime(target)  # used again: the newest for pruning
    else:
        folder = Path(tempfile.mkdtemp(prefix=CHECKING_PREFIX, dir=root))
        try:
            (folder / OPTIONS_FILE).write_bytes(options)
            (folder / WEIGHTS_FILE).write_bytes(weights)
            check_files(folder / OPTIONS_FILE, folder / WEIGHTS_FILE, max_parameters=max_parameters)
            shutil.rmtree(target, ignore_errors=True)  # an incomplete leftover, if any
            try:
                folder.rename(target)
            except OSError:  # another session kept the same files meanwhile
                pass
        finally:
            shutil.rmtree(folder, ignore_errors=True)  # a refused upload; nothing after a rename
    prune(root, budget_bytes, keep=target)
    return target


def discard_upload(folder: Path, root: Path | None = None) -> None:
    """Remove a kept upload (after it failed to load); only folders inside the upload cache."""
    root = upload_root() if root is None else root
    if folder.parent.resolve() == root.resolve():
        shutil.rmtree(folder, ignore_errors=True)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def prune(root: Path, budget_bytes: int, keep: Path | None = None) -> list[Path]:
    """Remove the oldest kept uploads (by modification time) until the rest fit in
    ``budget_bytes``, never ``keep``; also removes temporary folders left by a crash.
    Returns the removed folders."""
    removed = []
    now = time.time()
    folders = []
    for entry in root.iterdir() if root.is_dir() else ():
        try:
            if not entry.is_dir():
                continue
            if entry.name.startswith(CHECKING_PREFIX):
                if now - entry.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry)
                continue
            folders.append((entry.stat().st_mtime, entry, _size(entry)))
        except OSError:  # removed meanwhile by another session
            continue
    total = sum(size for _, _, size in folders)
    for _, folder, size in sorted(folders, key=lambda item: item[0]):
        if total <= budget_bytes:
            break
        if keep is not None and folder == keep:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
        total -= size
    return removed


__all__ = ["UploadError", "upload_root", "keep_upload", "discard_upload", "prune", "MAX_OPTIONS_BYTES"]
