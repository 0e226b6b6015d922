"""
:class:`TaskConfig`: one downstream training run, typed and validated.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .data import TASKS
from .head_networks import POOLINGS, parse_mix
from .static_inputs import INPUTS, STATIC_TABLES

__all__ = ["TaskConfig", "STRATEGIES", "MIXES"]

STRATEGIES = ("feature", "finetune")
MIXES = ("scalar", "layer0", "layer1", "layer2")


@dataclass
class TaskConfig:
    """Settings of one run (defaults suit the ``rt`` sentiment task and the ``mini`` model).

    ``strategy``: ``feature`` trains the head on cached frozen-biLM features (the ELMo feature
    ensemble); ``finetune`` trains the biLM too, with learning rate ``lr * bilm_lr_ratio``.
    ``mix``: ``scalar`` (learned softmax weights and γ) or ``layer0``/``layer1``/``layer2``.
    ``mix_l2`` is λ of the ``||softmax(w) - 1/L||²`` regulariser. Sizes of 0 use a whole split.
    ``inputs``: what each token gives the head: ``elmo`` (the mix), ``static`` (static word
    vectors ``static_vectors`` only, no biLM) or ``static+elmo`` (both, concatenated).
    ``dataset`` may join sources with ``+`` (e.g. ``rt+imdb-sentences+vader``): the head trains
    on all their train splits and is chosen and tested on the first one's dev and test splits.
    """

    task: str = "sentiment"
    dataset: str = ""  # default: rt for sentiment, wsj for pos
    model: str = "mini"  # bundled/official name or model directory
    state: str = "warm"  # LSTM start state policy of the biLM ("warm" or "zero")
    strategy: str = "feature"
    mix: str = "scalar"
    layer_norm: bool = False
    learn_gamma: bool = True  # only without feature_norm (see below)
    mix_l2: float = 0.0
    inputs: str = "elmo"  # elmo, static or static+elmo
    static_vectors: str = "glove-6b-50d"
    imdb_reviews: int = 0  # imdb sources: at most this many reviews per split (0 = all)
    pooling: str = "meanmax"  # sentence classifier only: mean, max, meanmax, bilstm
    # Batch-normalise the features that reach the linear layer. The normalisation makes γ's scale
    # irrelevant (zero gradient), and Adam would let such a parameter drift until the running
    # statistics used at evaluation no longer fit, so γ stays 1 when this is on.
    feature_norm: bool = True
    bilstm_hidden: int = 64
    coarse_tags: bool = False  # pos: 12 universal tags instead of Penn tags
    train_size: int = 0
    dev_size: int = 0
    test_size: int = 0
    epochs: int = 10
    batch_size: int = 32
    lr: float = 1e-3
    bilm_lr_ratio: float = 0.1
    mix_lr_ratio: float = 10.0  # the few scalar-mix parameters (w, γ) learn at lr * mix_lr_ratio
    weight_decay: float = 1e-4
    dropout: float = 0.3
    grad_clip: float = 5.0
    patience: int = 3  # epochs without a better dev score before stopping (0 = never)
    seed: int = 0
    device: str = "auto"  # auto, cpu or cuda
    feature_dtype: str = "float16"
    eval_batch_size: int = 64
    num_threads: int = 0  # torch CPU threads for the run (process-wide); 0 = leave torch's setting

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {self.task!r}")
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {self.strategy!r}")
        parse_mix(self.mix)
        if self.inputs not in INPUTS:
            raise ValueError(f"inputs must be one of {INPUTS}, got {self.inputs!r}")
        if self.static_vectors not in STATIC_TABLES:
            raise ValueError(f"static_vectors must be one of {STATIC_TABLES}, got {self.static_vectors!r}")
        if self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {self.pooling!r}")
        if self.state not in ("warm", "zero"):
            raise ValueError(f"state must be 'warm' or 'zero' (carry depends on batch order), got {self.state!r}")
        if self.feature_dtype not in ("float16", "float32"):
            raise ValueError(f"feature_dtype must be float16 or float32, got {self.feature_dtype!r}")
        if self.device not in ("auto", "cpu", "cuda") and not self.device.startswith("cuda:"):
            raise ValueError(f"device must be auto, cpu or cuda, got {self.device!r}")
        for name in ("epochs", "batch_size", "eval_batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        for name in ("train_size", "dev_size", "test_size", "patience", "mix_l2", "weight_decay", "grad_clip",
                     "num_threads", "imdb_reviews"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.lr <= 0 or self.bilm_lr_ratio < 0 or self.mix_lr_ratio < 0:
            raise ValueError("lr must be > 0, bilm_lr_ratio and mix_lr_ratio >= 0")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TaskConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown task config key(s): {', '.join(unknown)}")
        return cls(**data)

    @classmethod
    def from_json(cls, path: str | Path) -> "TaskConfig":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def label(self) -> str:
        """Short name for tables and plots, e.g. ``sentiment/feature/scalar`` or
        ``sentiment/static+elmo/feature/scalar``; ``sentiment/static`` for static vectors only."""
        if self.inputs == "static":
            return f"{self.task}/static"
        inputs = "" if self.inputs == "elmo" else f"{self.inputs}/"
        return f"{self.task}/{inputs}{self.strategy}/{self.mix}"
