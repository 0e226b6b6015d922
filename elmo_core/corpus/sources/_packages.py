"""
Locate a data file shipped inside a Debian package, installed or not.

A source reader asks for ``package_file("wordnet-base", "usr/share/wordnet/data.noun")``: if the
package is installed, the file is read where ``apt-get install`` put it; otherwise the ``.deb``
is downloaded and unpacked into the cache by :func:`elmo_core.sources.apt_package` (no root
needed) and the file is read from there.
"""
from __future__ import annotations

from pathlib import Path

from elmo_core.sources import SourceUnavailable, apt_package

__all__ = ["package_file", "package_dir"]


def package_dir(package: str, relpath: str) -> Path:
    """Directory (or file) ``relpath`` of Debian ``package``: installed copy first, else extracted."""
    installed = Path("/") / relpath
    if installed.exists() and any(installed.iterdir() if installed.is_dir() else [installed]):
        return installed
    root = apt_package(package)
    path = root / relpath
    if not path.exists():
        raise SourceUnavailable(
            f"The Debian package {package} was unpacked into {root}, but it has no {relpath}. "
            f"Install it by hand with: apt-get install {package}"
        )
    return path


def package_file(package: str, relpath: str) -> Path:
    """Path of the file ``relpath`` (e.g. ``usr/share/...``) from Debian ``package``."""
    return package_dir(package, relpath)
