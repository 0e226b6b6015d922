"""
One-call biLM pretraining on a lent GPU (the run behind the shipped ``mini``; see MODEL_CARD).

The training itself is :class:`elmo_core.training.trainer.Trainer` with the config's fixed-budget
options (``lr_decay_fraction``, ``final_lr_fraction``, ``keep_best``; see ``mini-gpu.json``). What
this driver adds is what a lent machine needs: TF32 products, and a checkpoint without optimizer
state (small enough to copy back in pieces), which ``elmo-explorer export`` turns into a model and
``elmo-explorer train --resume`` continues from with a fresh optimizer.

    python3 configs/device/train_on_gpu.py configs/device/mini-gpu.json --out OUT_DIR
    python3 configs/device/train_on_gpu.py configs/device/mini-v4-teacher-gpu.json --out OUT_DIR \
        --start-from elmo_core/models/mini      (continue the shipped model, as ``train --start-from``)
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from elmo_core.training.config import TrainConfig
from elmo_core.training.export import seed_checkpoint
from elmo_core.training.trainer import CHECKPOINT, Trainer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config")
    parser.add_argument("--out", required=True, help="folder for the optimizer-free checkpoint")
    parser.add_argument("--start-from", default=None, metavar="MODEL_DIR", help="continue an exported model")
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    started = time.perf_counter()
    config = TrainConfig.from_json(args.config)
    if args.start_from:
        seed_checkpoint(args.start_from, config.out_path / CHECKPOINT, config)
    trainer = Trainer(config)
    if args.start_from:
        trainer.resume()
    on_gpu = trainer.device.type == "cuda"
    print(f"set up in {time.perf_counter() - started:.0f} s on {trainer.device}"
          f"{' (' + torch.cuda.get_device_name(trainer.device) + ')' if on_gpu else ''}", flush=True)
    trainer.run()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    payload = {
        "model": {k: v.cpu() for k, v in trainer.lm.state_dict().items()}, "step": trainer.step,
        "tokens": trainer.tokens, "elapsed": trainer.elapsed, "history": trainer.history,
        "config": trainer.config.to_dict(), "world": trainer.world,
        "best_step": trainer.best.step if trainer.best else trainer.step,
        "glove_pretrained": trainer.glove_pretrained, "pretrain_history": trainer.pretrain_history,
        "device": torch.cuda.get_device_name(trainer.device) if on_gpu else "cpu",
        "torch": torch.__version__, "wall_minutes": (time.perf_counter() - started) / 60,
    }
    torch.save(payload, out / "model_only.pt")
    (out / "history.json").write_text(json.dumps({k: v for k, v in payload.items() if k != "model"}, indent=1))
    print(f"done: {trainer.step} steps, {trainer.tokens:,} tokens in {trainer.elapsed / 60:.1f} min of "
          f"training, {payload['wall_minutes']:.1f} min wall", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
