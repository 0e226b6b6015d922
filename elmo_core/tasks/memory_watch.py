"""
Peak resident memory of this process while a block of code runs, sampled on a thread.

``ru_maxrss`` is a high-water mark of the whole process life, so a later, smaller step would read
as 0; tracemalloc sees Python's allocator only, not torch's tensors. This reads the resident set
size (``/proc/self/statm``, Linux) every ``interval`` seconds instead::

    with PeakMemory() as peak:
        train(...)
    peak.peak_mb, peak.increase_mb    # highest RSS seen, and its rise over the RSS at the start

Where ``/proc`` is missing (macOS, Windows) it falls back to ``ru_maxrss`` (Linux KiB, macOS
bytes), which then gives the process's peak so far, and ``increase_mb`` its growth in the block.
"""
from __future__ import annotations

import os
import resource
import sys
import threading
from pathlib import Path

__all__ = ["PeakMemory", "rss_mb", "METHOD"]

_STATM = Path("/proc/self/statm")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
METHOD = ("resident set size sampled every 20 ms from /proc/self/statm" if _STATM.exists()
          else "ru_maxrss (the process's high-water mark)")


def rss_mb() -> float:
    """Resident memory of this process now, in MB (10^6 bytes)."""
    if _STATM.exists():
        return int(_STATM.read_text().split()[1]) * _PAGE / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


class PeakMemory:
    """Context manager: the highest resident memory seen while the block ran (see module doc)."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.start_mb = 0.0
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_mb = max(self.peak_mb, rss_mb())

    def __enter__(self) -> "PeakMemory":
        self.start_mb = self.peak_mb = rss_mb()
        self._thread = threading.Thread(target=self._sample, name="peak memory", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak_mb = max(self.peak_mb, rss_mb())

    @property
    def increase_mb(self) -> float:
        return max(0.0, self.peak_mb - self.start_mb)
