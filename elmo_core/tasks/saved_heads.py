"""
Saving and loading trained heads, such as the sentiment heads shipped with a model.

A head directory holds::

    head.pt        torch file: {"head_config", "state_dict", "label_names", "task_config",
                                "base_fingerprint", "state", "temperature", "extra"}
    result.json    the RunResult of the run that trained it (scores, curves, mix weights)
    static_vectors.npz  only for a head with static inputs: the rows of the static word
                   vectors it may meet (elmo_core.tasks.static_inputs.save_vectors)
    ngram.npz      only for a head with an n-gram member (elmo_core.tasks.ngram): its margins,
                   times head.pt's "ngram_weight", are added to the positive logit
    options.json   \\ only for a fine-tuned head: the fine-tuned biLM in the official
    weights.hdf5   /  hdf5 layout (elmo_core.save_weights), loadable with elmo_core.load()

Shipped heads live in ``<model dir>/heads/<name>/``, e.g. ``elmo_core/models/mini/heads/feature``.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ..datasets.glove import StaticVectors
from ..weights import save_weights
from .head_networks import HeadConfig, build_head
from .ngram import NGRAM_FILE, NgramModel
from .results import RunResult
from .static_inputs import VECTORS_FILE, load_vectors, save_vectors
from .train import TrainedTask

__all__ = ["HEAD_FILE", "SIZE_BUDGET_MB", "SavedHead", "heads_root", "save_head", "load_head", "directory_size"]

HEAD_FILE = "head.pt"
#: The size budget of a model directory with its shipped heads (MB of 2**20 bytes): ``ship-heads``
#: leaves out a head that would pass it, and the Sentiment page names it. The one place it is set.
SIZE_BUDGET_MB = 48.0
RESULT_FILE = "result.json"


@dataclass
class SavedHead:
    """A head read back from disk. ``bilm_dir`` is set when the directory has its own biLM."""

    head: nn.Module
    head_config: HeadConfig
    label_names: tuple[str, ...]
    task_config: dict
    base_fingerprint: str
    state: str
    result: RunResult | None
    directory: Path
    bilm_dir: Path | None
    static: StaticVectors | None = None
    temperature: float = 1.0  # softmax(logits / temperature) is calibrated on dev
    extra: dict | None = None  # scores on other sets (negation, IMDB...) and calibration figures
    ngram: NgramModel | None = None  # the n-gram member, if any, and the weight of its margins
    ngram_weight: float = 0.0


def heads_root(model_dir: str | Path) -> Path:
    """``<model dir>/heads``."""
    return Path(model_dir) / "heads"


def save_head(directory: str | Path, trained: TrainedTask, *, with_bilm: bool = False,
              static: StaticVectors | None = None, temperature: float = 1.0, extra: dict | None = None,
              ngram: NgramModel | None = None, ngram_weight: float = 0.0) -> Path:
    """Write ``trained`` (its head, result and, if ``with_bilm``, its biLM) to ``directory``.

    A head with static inputs needs ``static``: the (trimmed) table it will read at inference.
    ``ngram`` with a ``ngram_weight`` > 0 is saved as the head's n-gram member.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if trained.head_config.static_dim:
        if static is None or static.dim != trained.head_config.static_dim:
            raise ValueError(f"this head reads {trained.head_config.static_dim}-d static vectors: pass that table")
        save_vectors(static, directory / VECTORS_FILE)
    else:
        (directory / VECTORS_FILE).unlink(missing_ok=True)
    payload = {
        "head_config": trained.head_config.to_dict(),
        "state_dict": {k: v.detach().cpu() for k, v in trained.head.state_dict().items()},
        "label_names": list(trained.data.label_names),
        "task_config": trained.result.config,
        "base_fingerprint": trained.base_fingerprint,
        "state": trained.bilm.state_mode,
        "temperature": float(temperature),
        "extra": extra or {},
        "ngram_weight": float(ngram_weight) if ngram is not None else 0.0,
    }
    if ngram is not None and ngram_weight > 0:
        ngram.save(directory / NGRAM_FILE)
    else:
        (directory / NGRAM_FILE).unlink(missing_ok=True)
    tmp = directory / (HEAD_FILE + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, directory / HEAD_FILE)
    trained.result.to_json(directory / RESULT_FILE)
    if with_bilm:
        save_weights(trained.bilm.model, directory / "weights.hdf5")
        (directory / "options.json").write_text(json.dumps(trained.bilm.config.to_dict(), indent=1), encoding="utf-8")
    else:
        for name in ("weights.hdf5", "options.json"):
            (directory / name).unlink(missing_ok=True)
    return directory


def load_head(directory: str | Path, device: torch.device | str = "cpu") -> SavedHead:
    """Read a head directory written by :func:`save_head`."""
    directory = Path(directory)
    path = directory / HEAD_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no trained head at {path}")
    payload = torch.load(path, map_location=device, weights_only=True)
    config = HeadConfig.from_dict(payload["head_config"])
    head = build_head(config).to(device)
    head.load_state_dict(payload["state_dict"])
    head.eval()
    result_path = directory / RESULT_FILE
    result = RunResult.from_json(result_path) if result_path.is_file() else None
    has_bilm = (directory / "weights.hdf5").is_file() and (directory / "options.json").is_file()
    static = None
    if config.static_dim:
        if not (directory / VECTORS_FILE).is_file():
            raise FileNotFoundError(f"the head at {directory} reads static vectors but has no {VECTORS_FILE}")
        static = load_vectors(directory / VECTORS_FILE)
    ngram_weight = float(payload.get("ngram_weight", 0.0))
    ngram = None
    if ngram_weight > 0:
        if not (directory / NGRAM_FILE).is_file():
            raise FileNotFoundError(f"the head at {directory} has an n-gram member but no {NGRAM_FILE}")
        ngram = NgramModel.load(directory / NGRAM_FILE)
    return SavedHead(head, config, tuple(payload["label_names"]), payload["task_config"],
                     payload["base_fingerprint"], payload.get("state", "warm"), result, directory,
                     directory if has_bilm else None, static, float(payload.get("temperature", 1.0)),
                     payload.get("extra") or {}, ngram, ngram_weight)


def directory_size(directory: str | Path) -> int:
    """Total bytes of the files under ``directory``."""
    return sum(p.stat().st_size for p in Path(directory).rglob("*") if p.is_file())
