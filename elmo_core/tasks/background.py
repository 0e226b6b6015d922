"""
Run :func:`~elmo_core.tasks.train.train_task` in a background thread and watch it.

Made for user interfaces that must stay responsive (the Streamlit lab keeps a
:class:`BackgroundRun` in its session state and polls :meth:`BackgroundRun.snapshot`), but
free of any UI import::

    run = BackgroundRun(TaskConfig(train_size=200)).start()
    while run.running:
        snap = run.snapshot()        # steps so far, current phase, status
    run.trained.result               # when run.status == "done"
"""
from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, field

from ..threaded_run import ThreadedRun
from .config import TaskConfig
from .data import TaskData
from .features import FeatureCache, LoadedModel
from .results import EpochRecord, PhaseRecord, StepRecord
from .train import TrainedTask, train_task

__all__ = ["BackgroundRun", "RunSnapshot"]


@dataclass
class RunSnapshot:
    """A consistent copy of a run's progress. ``status``: running, done, cancelled or failed."""

    status: str
    steps: list[StepRecord] = field(default_factory=list)
    epochs: list[EpochRecord] = field(default_factory=list)
    phase: PhaseRecord | None = None
    error: str = ""
    elapsed: float = 0.0


class BackgroundRun(ThreadedRun):
    """One training run on a daemon thread, with progress records and cancellation."""

    def __init__(self, config: TaskConfig, *, model: LoadedModel | None = None, data: TaskData | None = None,
                 cache: FeatureCache | None = None):
        super().__init__()
        self.config = config
        self._kwargs = {"model": model, "data": data, "cache": cache}
        self._lock = threading.Lock()
        self._steps: list[StepRecord] = []
        self._epochs: list[EpochRecord] = []
        self._phase: PhaseRecord | None = None
        self._error = ""
        self._started = 0.0
        self._ended: float | None = None
        self.trained: TrainedTask | None = None

    # --------------------------------------------------------------------- control
    def start(self) -> "BackgroundRun":
        if self._thread is not None:
            raise RuntimeError("this run was already started")
        self._status, self._started = "running", time.perf_counter()
        self._thread = threading.Thread(target=self._work, name=f"train {self.config.label()}", daemon=True)
        self._thread.start()
        return self

    # --------------------------------------------------------------------- progress
    def _record(self, step: int, record) -> None:
        with self._lock:
            if isinstance(record, StepRecord):
                self._steps.append(record)
                self._phase = None
            elif isinstance(record, EpochRecord):
                self._epochs.append(record)
            elif isinstance(record, PhaseRecord):
                self._phase = record

    def _work(self) -> None:
        try:
            trained = train_task(self.config, callback=self._record, should_stop=self._cancel.is_set, **self._kwargs)
            with self._lock:
                self.trained = trained
                self._status = "cancelled" if trained.result.cancelled else "done"
        except Exception as exc:  # reported to the UI, never raised in a thread
            with self._lock:
                self._status = "failed"
                self._error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=4)}"
        finally:
            self._ended = time.perf_counter()

    def snapshot(self) -> RunSnapshot:
        with self._lock:
            end = self._ended if self._ended is not None else time.perf_counter()
            return RunSnapshot(self._status, list(self._steps), list(self._epochs), self._phase, self._error,
                               end - self._started if self._started else 0.0)
