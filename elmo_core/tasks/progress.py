"""
A training ``callback(step, record)`` that draws tqdm progress bars in a terminal.
"""
from __future__ import annotations

from .results import EpochRecord, PhaseRecord, StepRecord

__all__ = ["TqdmProgress"]


class TqdmProgress:
    """One bar per embedding phase, one bar for optimiser steps, a line per epoch."""

    def __init__(self, label: str = "", total_steps: int | None = None, disable: bool = False):
        self.label = label
        self.total_steps = total_steps
        self.disable = disable
        self._phase_bars: dict = {}
        self._steps = None

    def __call__(self, step: int, record) -> None:
        from tqdm.auto import tqdm

        if isinstance(record, PhaseRecord):
            bar = self._phase_bars.get(record.phase)
            if bar is None:
                bar = self._phase_bars[record.phase] = tqdm(total=record.total, unit="sent", disable=self.disable,
                                                            desc=f"{self.label} {record.phase}".strip())
            bar.update(record.done - bar.n)
            if record.done >= record.total:
                bar.close()
        elif isinstance(record, StepRecord):
            if self._steps is None:
                self._steps = tqdm(total=self.total_steps, unit="step", disable=self.disable,
                                   desc=f"{self.label} training".strip())
            self._steps.update(1)
            self._steps.set_postfix(loss=f"{record.loss:.3f}", gamma=f"{record.gamma:.2f}",
                                    s="/".join(f"{w:.2f}" for w in record.weights))
        elif isinstance(record, EpochRecord) and self._steps is not None:
            self._steps.write(f"{self.label} epoch {record.epoch}: train loss {record.train_loss:.4f}, "
                              f"dev accuracy {record.dev_accuracy:.4f}, dev macro F1 {record.dev_macro_f1:.4f} "
                              f"({record.seconds:.0f}s)")

    def close(self) -> None:
        for bar in self._phase_bars.values():
            bar.close()
        if self._steps is not None:
            self._steps.close()
