"""
Uploaded models: checked in a temporary folder, kept only when usable, within a disk budget.

:func:`keep_upload` writes the two uploaded files into a fresh temporary folder inside the upload
cache, checks them completely without building a model (:func:`elmo_core.loading.check_files`,
with a parameter limit), and only then renames the folder to its content address
``<cache>/uploads/<sha256 prefix>``. A failed check removes the temporary folder. Afterwards the
cache is pruned to its budget, oldest folders first. Text files for the Corpus explorer:
:func:`decode_text_upload` (capped in bytes and lines) and :func:`text_upload_folder` (one folder
per browser session, the oldest sessions' removed). No Streamlit here.
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


# ------------------------------------------------------------ text files for the Corpus explorer
#: Largest text file the Corpus explorer embeds: about 18,000 tokens, a minute or two of the
#: bundled mini on a laptop's CPU, and 300 MB of float16 vectors at most.
TEXT_MAX_BYTES = 100_000
TEXT_MAX_LINES = 2_000
#: Uploaded corpora kept at once (one per browser session; the oldest go first), and how long.
TEXT_UPLOADS_KEPT = 8
TEXT_UPLOAD_MAX_AGE_S = 24 * 3600.0


def check_text_size(size: int) -> None:
    """Refuse a text file larger than :data:`TEXT_MAX_BYTES` before its bytes are read."""
    if size > TEXT_MAX_BYTES:
        raise UploadError(f"the file has {size:,} bytes; this page embeds text files of up to "
                          f"{TEXT_MAX_BYTES:,} bytes")


def decode_text_upload(data: bytes) -> str:
    """The text of an uploaded file: at most :data:`TEXT_MAX_BYTES` bytes and
    :data:`TEXT_MAX_LINES` lines of UTF-8 with some words in it, else :class:`UploadError`."""
    check_text_size(len(data))
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if lines > TEXT_MAX_LINES:
        raise UploadError(f"the file has {lines:,} lines; this page embeds text files of up to {TEXT_MAX_LINES:,} lines")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError("the file is not UTF-8 text") from None
    if not any(ch.isalnum() for ch in text):
        raise UploadError("the file holds no words")
    return text


def text_upload_root() -> Path:
    """Where uploaded corpora are embedded: ``<cache>/corpora/uploads``."""
    return cache_dir() / "corpora" / "uploads"


def text_upload_folder(session: str, root: Path | None = None) -> Path:
    """The one folder of a browser session's uploaded corpus (emptied for each new upload),
    after removing the corpora of other sessions past :data:`TEXT_UPLOADS_KEPT` or older than
    :data:`TEXT_UPLOAD_MAX_AGE_S`."""
    root = text_upload_root() if root is None else root
    folder = root / hashlib.sha256(session.encode()).hexdigest()[:16]
    shutil.rmtree(folder, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    others = []
    for entry in root.iterdir():
        try:
            others.append((entry.stat().st_mtime, entry))
        except OSError:  # removed meanwhile
            continue
    now = time.time()
    for rank, (mtime, entry) in enumerate(sorted(others, reverse=True)):
        if rank >= TEXT_UPLOADS_KEPT - 1 or now - mtime > TEXT_UPLOAD_MAX_AGE_S:
            shutil.rmtree(entry, ignore_errors=True)
    return folder


__all__ = ["UploadError", "upload_root", "keep_upload", "discard_upload", "prune", "MAX_OPTIONS_BYTES",
           "TEXT_MAX_BYTES", "TEXT_MAX_LINES", "check_text_size", "decode_text_upload", "text_upload_folder"]
