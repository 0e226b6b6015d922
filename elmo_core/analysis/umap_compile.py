"""
UMAP's compiled code: where numba keeps it between runs.

umap-learn and pynndescent compile their functions with numba on first use. Only some of them
ask numba to keep the machine code on disk (``cache=True``); the others (the fuzzy graph, the
layout) are compiled again in every new process, which costs tens of seconds on a 2-core
machine. :func:`prepare_umap` points numba's cache at the project's cache folder
(``<cache_dir()>/numba/<versions>``, unless ``NUMBA_CACHE_DIR`` is set) and turns caching on
for every umap and pynndescent function, so that a later process loads them from disk. Numba
refuses to cache pynndescent's nearest-neighbour descent (it holds its distance function as a
dynamic global), which umap uses above :data:`UMAP_PAIRWISE_MAX` points: maps of up to
20,000 points get exact neighbours from numpy instead (:mod:`.umap_exact`), so the descent is
never compiled. :func:`.umap_fit.warm_up_umap` fits maps on both sides of that limit, so a
user's first map finds every function loaded.
"""
from __future__ import annotations

import os
import sys
import threading
import warnings
from importlib import metadata
from pathlib import Path

from ..cache import cache_dir

#: umap-learn's own limit: up to this many points it compares all pairs of points to find the
#: neighbours, above it it runs pynndescent's nearest-neighbour descent (both are bypassed by
#: :func:`.umap_fit.fit_umap` up to :data:`.umap_exact.NUMPY_NEIGHBOURS_MAX` points).
UMAP_PAIRWISE_MAX = 4095
_PACKAGES = ("umap-learn", "pynndescent", "numba")
_lock = threading.Lock()
_prepared = False


def numba_cache_folder() -> Path:
    """Where numba keeps UMAP's compiled code: ``NUMBA_CACHE_DIR`` when set, else a folder of the
    project's cache named after the installed umap-learn, pynndescent and numba versions."""
    configured = os.environ.get("NUMBA_CACHE_DIR", "").strip()
    if configured:
        return Path(configured)
    versions = []
    for package in _PACKAGES:
        try:
            versions.append(f"{package}-{metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package}-none")
    return cache_dir() / "numba" / "_".join(versions)


def configure_numba_cache() -> Path:
    """Point numba's on-disk cache at :func:`numba_cache_folder` and return it.

    Functions decorated with ``cache=True`` pick their folder when their module is imported, so
    call this before umap or pynndescent is imported (:func:`prepare_umap` does).
    """
    folder = numba_cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only cache: numba falls back to compiling in memory
        return folder
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    if "numba" in sys.modules:
        from numba.core import config

        config.CACHE_DIR = str(folder)
    return folder


def prepare_umap() -> int:
    """Configure numba's cache, import umap and turn on disk caching for every umap and
    pynndescent function compiled without it. Runs once per process; returns how many
    functions it switched to caching (0 on later calls)."""
    global _prepared
    with _lock:
        if _prepared:
            return 0
        configure_numba_cache()
        import pynndescent  # noqa: F401 - imported for its numba functions
        import umap  # noqa: F401
        from numba.core.caching import NullCache
        from numba.core.dispatcher import Dispatcher
        from numba.core.errors import NumbaWarning

        # nn_descent cannot be cached (see the module docstring); numba warns on each compile.
        warnings.filterwarnings("ignore", message="Cannot cache compiled function", category=NumbaWarning)
        # fit_umap's expected warnings, also when a warm-up thread fits at the same time as a page
        warnings.filterwarnings("ignore", message=".*n_jobs value.*overridden")
        warnings.filterwarnings("ignore", message=r".*precomputed_knn\[2\]")
        switched = 0
        for name, module in list(sys.modules.items()):
            if module is None or name.partition(".")[0] not in ("umap", "pynndescent"):
                continue
            for value in list(vars(module).values()):
                if isinstance(value, Dispatcher) and isinstance(getattr(value, "_cache", None), NullCache):
                    value.enable_caching()
                    switched += 1
        _prepared = True
        return switched

