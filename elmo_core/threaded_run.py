"""
The control half of a background job: one daemon thread, a cancel flag it polls, and a status
(``pending``, ``running``, then what the job says). :class:`elmo_core.tasks.background.BackgroundRun`
(a downstream training run) and the app's adaptation run share it; each starts its thread and
sets ``_status`` itself.
"""
from __future__ import annotations

import threading


class ThreadedRun:
    """``cancel``, ``join``, ``running`` and ``status`` of a job run in ``self._thread``."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._status = "pending"

    def cancel(self) -> None:
        """Ask the job to stop at its next check of the flag (it ends with status ``cancelled``)."""
        self._cancel.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread; True when it has finished."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def status(self) -> str:
        return self._status
