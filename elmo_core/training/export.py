"""
Turn a training checkpoint into a model directory that :func:`elmo_core.load` reads:
``options.json``, ``weights.hdf5`` (official layout, softmax under ``softmax/``) and ``vocab.txt``.
Works while training is still running (the checkpoint is written atomically).

And back: :func:`seed_checkpoint` writes an optimizer-free checkpoint from an exported model (its
``training_summary.json`` supplies steps, tokens, minutes, history and phases), so that
``train --resume`` (``train --start-from MODEL_DIR``) continues a shipped model.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from ..config import ElmoConfig
from ..model import ElmoModel
from ..weights import save_weights
from .config import TrainConfig


def export_checkpoint(checkpoint: str | Path, out_dir: str | Path) -> Path:
    payload = torch.load(checkpoint, map_location="cpu", weights_only=False)
    config = TrainConfig(**payload["config"])
    model = ElmoModel(ElmoConfig.from_dict(config.model))
    bilm_state = {k[len("bilm."):]: v for k, v in payload["model"].items() if k.startswith("bilm.")}
    model.load_state_dict(bilm_state)
    softmax = {f"softmax/{k[len('softmax.'):]}": v.float().numpy()
               for k, v in payload["model"].items() if k.startswith("softmax.")}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.config.to_json(out_dir / "options.json")
    save_weights(model, out_dir / "weights.hdf5", extra=softmax)
    vocab_lines = config.vocab_path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in vocab_lines if line.split("\t")[0] not in ("<S>", "</S>", "<UNK>")]
    (out_dir / "vocab.txt").write_text(
        "\n".join(["<S>\t0", "</S>\t0", "<UNK>\t0", *kept[: config.vocab_size - 3]]) + "\n", encoding="utf-8")
    summary = {"config": config.to_dict(), "step": payload["step"], "tokens": payload["tokens"],
               "minutes": payload["elapsed"] / 60, "world_size": payload.get("world", 1),
               "history": payload["history"], "exported_from": "checkpoint",
               **({"device": payload["device"]} if "device" in payload else {}),
               **({"phases": payload["phases"]} if "phases" in payload else {})}
    (out_dir / "training_summary.json").write_text(json.dumps(summary, indent=2))
    return out_dir


def seed_checkpoint(model_dir: str | Path, checkpoint: str | Path, config: TrainConfig) -> Path:
    """Write ``checkpoint`` from the exported model in ``model_dir`` for ``config``'s run.

    The model's architecture and vocabulary must be ``config``'s, and ``checkpoint`` must not exist
    (a run is never overwritten). Training-only maps (GloVe mimick, context bags) are not exported,
    so the resumed run starts them fresh; the optimizer too.
    """
    from .data import Vocabulary
    from .heldout import lm_from_model_dir

    model_dir, checkpoint = Path(model_dir), Path(checkpoint)
    if checkpoint.exists():
        raise ValueError(f"{checkpoint.parent} already holds a run: continue it with --resume, "
                         "or give the config another out_dir")
    if not (model_dir / "training_summary.json").is_file():
        raise ValueError(f"{model_dir} is not a model exported by `elmo-explorer train` or `export` "
                         "(no training_summary.json)")
    lm, vocab = lm_from_model_dir(model_dir)
    if lm.bilm.config != config.elmo_config():
        raise ValueError(f"{model_dir.name}'s options.json is not the model of this training config")
    if vocab.words != Vocabulary.from_file(config.vocab_path, config.vocab_size).words:
        raise ValueError(f"{model_dir.name}'s vocab.txt is not this config's output vocabulary "
                         f"(set vocab_file to {model_dir.name}/vocab.txt)")
    summary = json.loads((model_dir / "training_summary.json").read_text(encoding="utf-8"))
    payload = {"model": lm.state_dict(), "step": summary["step"], "tokens": summary["tokens"],
               "elapsed": summary["minutes"] * 60, "history": summary.get("history", []),
               "config": summary["config"], "world": summary.get("world_size", 1),
               "glove_pretrained": True, "device": summary.get("device", "cpu")}
    if summary.get("phases"):
        payload["phases"] = summary["phases"]
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    torch.save(payload, checkpoint)
    return checkpoint
