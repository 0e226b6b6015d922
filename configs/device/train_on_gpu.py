"""
One-call biLM pretraining on a lent GPU (the run behind the shipped ``mini``; see MODEL_CARD).

A lent GPU is held for minutes, not hours, so this driver wraps :class:`elmo_core.training.trainer.Trainer`
with what a fixed wall-clock budget needs and the plain ``elmo-explorer train`` does not:

- a learning rate that decays linearly to ``--final-lr-fraction`` over the last ``--decay-fraction``
  of the budget (``max_minutes`` of the config, else ``max_tokens``);
- the best held-out weights kept in memory and exported if the last ones are worse (several passes
  over a 14.5M-word corpus may start to overfit);
- a checkpoint without optimizer state (small enough to copy back in pieces), which
  ``elmo-explorer export`` turns into a model and ``elmo-explorer train --resume`` continues from
  with a fresh optimizer.

    python3 configs/device/train_on_gpu.py configs/device/mini-gpu.json --out OUT_DIR
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import torch

from elmo_core.training.config import TrainConfig
from elmo_core.training.trainer import Trainer


def geometric_ppl(result: dict) -> float:
    return math.sqrt(result["forward_ppl"] * result["backward_ppl"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config")
    parser.add_argument("--out", required=True, help="folder for the optimizer-free checkpoint")
    parser.add_argument("--decay-fraction", type=float, default=0.3)
    parser.add_argument("--final-lr-fraction", type=float, default=0.1)
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    config = TrainConfig.from_json(args.config)
    started = time.perf_counter()
    trainer = Trainer(config)
    print(f"set up in {time.perf_counter() - started:.0f} s on {trainer.device}"
          f"{' (' + torch.cuda.get_device_name(trainer.device) + ')' if trainer.device.type == 'cuda' else ''}",
          flush=True)

    base_lr = config.learning_rate
    plain_step = trainer.train_step

    def progress() -> float:
        """Fraction of the budget used: minutes when the config sets them, else tokens."""
        if config.max_minutes > 0:
            return trainer.elapsed / (config.max_minutes * 60)
        return trainer.tokens / config.max_tokens

    def step_with_schedule():
        left = max(1.0 - progress(), 0.0) / args.decay_fraction
        scale = args.final_lr_fraction + (1 - args.final_lr_fraction) * min(left, 1.0)
        for group in trainer.optimizer.param_groups:
            group["lr"] = base_lr * scale
        return plain_step()

    best: dict = {"ppl": math.inf, "step": None, "state": None}
    plain_evaluate = trainer._evaluate

    def evaluate_and_keep(train_loss):
        result = plain_evaluate(train_loss)
        ppl = geometric_ppl(result)
        print(f"step {trainer.step}: {trainer.tokens:,} tokens, {trainer.elapsed / 60:.2f} min, "
              f"{trainer.tokens / max(trainer.elapsed, 1e-9):,.0f} tokens/s, held-out ppl {ppl:.1f}, "
              f"lr {trainer.optimizer.param_groups[0]['lr']:.2e}", flush=True)
        if ppl < best["ppl"]:
            best.update(ppl=ppl, step=trainer.step,
                        state={k: v.detach().clone() for k, v in trainer.lm.state_dict().items()})
        return result

    trainer.train_step = step_with_schedule
    trainer._evaluate = evaluate_and_keep
    trainer.run()
    final_ppl = geometric_ppl(trainer.history[-1])
    payload_model = trainer.lm.state_dict()
    if best["state"] is not None and best["ppl"] < final_ppl:
        print(f"the best held-out weights are from step {best['step']} (ppl {best['ppl']:.1f} "
              f"< {final_ppl:.1f}): exporting those", flush=True)
        payload_model = best["state"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    payload = {
        "model": {k: v.cpu() for k, v in payload_model.items()}, "step": trainer.step,
        "tokens": trainer.tokens, "elapsed": trainer.elapsed, "history": trainer.history,
        "config": config.to_dict(), "world": trainer.world, "best_step": best["step"],
        "glove_pretrained": trainer.glove_pretrained, "pretrain_history": trainer.pretrain_history,
        "device": torch.cuda.get_device_name(trainer.device) if trainer.device.type == "cuda" else "cpu",
        "torch": torch.__version__, "wall_minutes": (time.perf_counter() - started) / 60,
    }
    torch.save(payload, out / "model_only.pt")
    (out / "history.json").write_text(json.dumps({k: v for k, v in payload.items() if k != "model"}, indent=1))
    print(f"done: {trainer.step} steps, {trainer.tokens:,} tokens in {trainer.elapsed / 60:.1f} min of "
          f"training, {payload['wall_minutes']:.1f} min wall", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
