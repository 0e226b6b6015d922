"""
What a training run leaves behind: :class:`RunResult` and its step/epoch records.

Everything is plain data and round-trips through JSON (:meth:`RunResult.to_json` /
:meth:`RunResult.from_json`), so the app can keep results in a browser session and the report
can read them from disk.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .metrics import ClassificationReport

__all__ = ["StepRecord", "EpochRecord", "PhaseRecord", "RunResult"]


@dataclass
class StepRecord:
    """One optimiser step: training loss (cross entropy, without the λ term), mix state."""

    step: int
    epoch: int
    loss: float
    weights: list[float]  # softmax mix weights, (num_layers,)
    gamma: float


@dataclass
class EpochRecord:
    epoch: int
    train_loss: float
    dev_accuracy: float
    dev_macro_f1: float
    seconds: float


@dataclass
class PhaseRecord:
    """Progress outside the optimiser loop, e.g. ``phase="embedding"``, done/total sentences."""

    phase: str
    done: int
    total: int


@dataclass
class RunResult:
    config: dict
    label_names: list[str]
    steps: list[StepRecord] = field(default_factory=list)
    epochs: list[EpochRecord] = field(default_factory=list)
    dev: ClassificationReport | None = None
    test: ClassificationReport | None = None
    best_epoch: int = 0
    final_weights: list[float] = field(default_factory=list)
    final_gamma: float = 1.0
    wall_seconds: float = 0.0
    embed_seconds: float = 0.0
    train_seconds: float = 0.0
    device: str = "cpu"
    cancelled: bool = False
    model_fingerprint: str = ""
    sizes: dict[str, int] = field(default_factory=dict)  # examples per split

    @property
    def label(self) -> str:
        """As :meth:`TaskConfig.label`: ``sentiment/feature/scalar``, ``sentiment/static``..."""
        c = self.config
        inputs = c.get("inputs", "elmo")
        if inputs == "static":
            return f"{c['task']}/static"
        middle = "" if inputs == "elmo" else f"{inputs}/"
        return f"{c['task']}/{middle}{c['strategy']}/{c['mix']}"

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self, path: str | Path | None = None) -> str:
        text = json.dumps(self.to_dict(), indent=1)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, data: dict) -> "RunResult":
        data = dict(data)
        data["steps"] = [StepRecord(**s) for s in data.get("steps", [])]
        data["epochs"] = [EpochRecord(**e) for e in data.get("epochs", [])]
        for split in ("dev", "test"):
            if data.get(split) is not None:
                data[split] = ClassificationReport.from_dict(data[split])
        return cls(**data)

    @classmethod
    def from_json(cls, text_or_path: str | Path) -> "RunResult":
        text = str(text_or_path)
        if not text.lstrip().startswith("{"):
            text = Path(text_or_path).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text))
