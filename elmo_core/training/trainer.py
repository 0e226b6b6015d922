"""
The pretraining loop: truncated backprop over parallel streams with carried state, gradient
clipping, Adam or Adagrad, periodic held-out perplexity, checkpoints with ``--resume``, and
data-parallel training with ``torchrun`` (DDP; gloo on CPU, nccl on CUDA; rank 0 writes).

    elmo-explorer train CONFIG.json [--resume]
    torchrun --nproc_per_node 4 -m elmo_core.cli train CONFIG.json

The budget (``max_tokens``, ``max_minutes``, and the learning-rate decay over it) counts from the
start of the *run*: step 0, or the point where :meth:`Trainer.begin_run` started a continuation of
an exported model (``train --start-from``, ``adapt``). A ``--resume`` of the same run keeps that
start (the checkpoint records it as ``run_start``); ``tokens``, ``step`` and the minutes stay
totals over every run, for the record.
"""
from __future__ import annotations

import json
import math
import os
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np
import torch
import torch.distributed as dist

from ..chars import batch_to_ids
from ..lstm import LSTMState
from ..model import ElmoModel
from ..weights import save_weights
from .config import TrainConfig
from .data import EncodedText, StreamBatcher, Vocabulary, encode_corpus
from .lm import BiLanguageModel, context_bags
from .teacher import OccurrenceBatcher, TeacherBatcher, TeacherSet

CHECKPOINT = "checkpoint.pt"


class TrainingStopped(Exception):
    """A run stopped on request (``Trainer.run(should_stop=...)``), its checkpoint written."""

TRAINING_ONLY = ("mimick.", "context_maps.", "teacher_map.")  # auxiliary maps a checkpoint may lack (never exported)


def _distributed() -> tuple[int, int]:
    """(rank, world_size); initialises the process group when launched by torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend)
    return (dist.get_rank(), dist.get_world_size()) if dist.is_initialized() else (0, 1)


def _device(config: TrainConfig, rank: int) -> torch.device:
    if config.device == "cpu" or (config.device == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    return torch.device("cuda", rank % max(torch.cuda.device_count(), 1))


def _step_tensors(forward: np.ndarray, backward: np.ndarray, text: EncodedText, device):
    """Forward and backward windows (batch, unroll + 1) of type ids -> the model's inputs
    (chars of the distinct types, forward/backward indices into them, forward/backward targets)
    and the distinct type ids (n_types,)."""
    both = np.concatenate([forward, backward], axis=0)
    inputs, nexts = both[:, :-1], both[:, 1:]
    unique, inverse = np.unique(inputs, return_inverse=True)
    type_ids = torch.from_numpy(unique.astype(np.int64))
    chars = text.type_chars[type_ids].to(device)
    index = torch.from_numpy(inverse.reshape(inputs.shape).astype(np.int64)).to(device)
    targets = torch.from_numpy(text.type_to_target[nexts]).to(device)
    b = forward.shape[0]
    return (chars, index[:b], index[b:], targets[:b], targets[b:]), type_ids


@torch.no_grad()
def evaluate(lm: BiLanguageModel, text: EncodedText, batch_size: int, unroll: int, max_tokens: int,
             device: torch.device) -> dict[str, float]:
    """Held-out perplexity of each direction over (up to) ``max_tokens`` tokens, state carried."""
    was_training = lm.training
    lm.eval()
    batcher = StreamBatcher(text, min(batch_size, max(1, len(text.stream) // (unroll + 1) // 2)), unroll)
    state = lm.bilm.lstm.zero_state(batcher.streams.shape[0], device=device)
    totals, count = np.zeros(2), 0
    steps = min(len(batcher), max(1, max_tokens // (batcher.streams.shape[0] * unroll)))
    for _ in range(steps):
        forward, backward, _ = batcher.next_window()
        tensors, _ = _step_tensors(forward, backward, text, device)
        loss_f, loss_b, state, *_ = lm(*tensors, state)
        n = forward.shape[0] * unroll
        totals += np.array([loss_f.item(), loss_b.item()]) * n
        count += n
    lm.train(was_training)
    mean = totals / max(count, 1)
    return {"forward_ppl": float(math.exp(mean[0])), "backward_ppl": float(math.exp(mean[1])), "tokens": count}


def unigram_perplexity(vocab: Vocabulary, text: EncodedText) -> float:
    """Perplexity of the add-one unigram model of the training counts on ``text``'s targets."""
    counts = vocab.counts.copy()
    counts[1] = counts[1] or 1.0
    probs = (counts + 1.0) / (counts + 1.0).sum()
    targets = text.type_to_target[text.stream[1:]]
    return float(math.exp(-np.log(probs[targets]).mean()))


class StaticTargets(NamedTuple):
    """GloVe vector of every word type of the training text: vectors (n_types, D), found (n_types,);
    for context bags, content (n_types,): found and not a stop word or punctuation, and
    boundary (n_types,): the sentence markers."""

    vectors: torch.Tensor
    found: torch.Tensor
    content: torch.Tensor
    boundary: torch.Tensor


def _static_targets(type_words: list[str]) -> StaticTargets:
    from ..analysis.context_baseline import STOP_WORDS
    from ..datasets.glove import load_glove

    vectors, found = load_glove().lookup(type_words)
    found = torch.from_numpy(found)
    wordlike = torch.tensor([w.lower() not in STOP_WORDS and any(ch.isalnum() for ch in w) for w in type_words])
    boundary = torch.tensor([w in ("<S>", "</S>") for w in type_words])
    return StaticTargets(torch.from_numpy(vectors), found, found & wordlike & ~boundary, boundary)


class BestWeights(NamedTuple):
    """The best held-out weights seen so far: geometric mean perplexity of both directions."""

    perplexity: float
    step: int
    state: dict


def _geometric_ppl(result: dict) -> float:
    return math.sqrt(result["forward_ppl"] * result["backward_ppl"])


def _settings(config: dict, device: str, world: int) -> dict:
    return {"batch_size": config["batch_size"], "learning_rate": config["learning_rate"],
            "dropout": config["dropout"], "device": device, "processes": world,
            "glove_weight": config.get("glove_weight", 0.0), "context_weight": config.get("context_weight", 0.0),
            **({"teacher_weight": config["teacher_weight"]} if config.get("teacher_weight") else {})}


def _phase_of_payload(payload: dict) -> dict:
    """The one phase of a checkpoint written before phases were recorded (or by the GPU driver)."""
    config = payload["config"]
    named = str(payload.get("device", config.get("device", "cpu"))).lower()
    device = "cuda" if ("cuda" in named or "nvidia" in named) else "cpu"
    return {"settings": _settings(config, device, payload.get("world", 1)), "steps": [0, payload["step"]],
            "tokens": [0, payload["tokens"]], "minutes": [0.0, payload["elapsed"] / 60]}


class Trainer:
    def __init__(self, config: TrainConfig, log=print):
        self.config = config
        self.rank, self.world = _distributed()
        self.device = _device(config, self.rank)
        self.log = log if self.rank == 0 else (lambda *a, **k: None)
        if config.num_threads:
            torch.set_num_threads(config.num_threads)
        torch.manual_seed(config.seed)
        corpus = config.corpus_path
        for name in ("train.txt", "heldout.txt", "vocab.txt"):
            if not (corpus / name).is_file():
                raise FileNotFoundError(f"{corpus / name} is missing; build the corpus with "
                                        f"`elmo-explorer corpus build {corpus}` first")
        self.vocab = Vocabulary.from_file(config.vocab_path, config.vocab_size)
        self.log(f"encoding {corpus / 'train.txt'} ...")
        types: dict[str, int] = {"<S>": 0, "</S>": 1}
        self.train_text = encode_corpus(corpus / "train.txt", self.vocab, type_index=types)
        self.heldout_text = encode_corpus(corpus / "heldout.txt", self.vocab, type_index=dict(types))
        self.batcher = StreamBatcher(self.train_text, config.batch_size, config.unroll_steps,
                                     self.rank, self.world)
        self.static = _static_targets(sorted(types, key=types.__getitem__)) if config.uses_glove else None
        self.teacher = None
        if config.teacher_weight > 0:
            teacher = TeacherSet.load(config.teacher_dir)
            if config.teacher_target == "occurrences":
                self.teacher = OccurrenceBatcher(teacher, config.teacher_batch, config.teacher_group,
                                                 config.seed + self.rank, config.teacher_word_share)
            else:
                teacher.require_every_word(f"teacher_target {config.teacher_target!r}")
                self.teacher = TeacherBatcher(teacher.with_residuals() if config.teacher_target == "residuals"
                                              else teacher, config.teacher_batch, config.seed + self.rank)
        bilm = ElmoModel(config.elmo_config())
        self.lm = BiLanguageModel(bilm, len(self.vocab.words), config.softmax_cutoffs, config.dropout,
                                  mimick_dim=self.static.vectors.shape[1] if self.static else 0,
                                  mimick_kind=config.glove_loss,
                                  context_dim=self.static.vectors.shape[1] if config.context_weight else 0,
                                  teacher_dim=self.teacher.teacher.dim if self.teacher else 0,
                                  teacher_target=config.teacher_target, teacher_group=config.teacher_group,
                                  ).to(self.device)
        self.model = self.lm
        if self.world > 1:
            # Adaptive-softmax tail clusters get no gradient in a window without their words.
            self.model = torch.nn.parallel.DistributedDataParallel(
                self.lm, device_ids=[self.device.index] if self.device.type == "cuda" else None,
                find_unused_parameters=True)
        params = self.lm.parameters()
        if config.optimizer == "adagrad":
            self.optimizer = torch.optim.Adagrad(params, lr=config.learning_rate, initial_accumulator_value=1.0)
        else:
            self.optimizer = torch.optim.Adam(params, lr=config.learning_rate)
        self.state = self.lm.bilm.lstm.zero_state(config.batch_size, device=self.device)
        self.step, self.tokens, self.elapsed = 0, 0, 0.0
        self.history: list[dict] = []
        self.glove_pretrained = False
        self.pretrain_history: list[dict] = []
        self.last_mimick = self.last_context = self.last_teacher = 0.0
        self.best: BestWeights | None = None  # with config.keep_best (rank 0, since this run started)
        self.earlier_phases: list[dict] = []  # runs this one resumed with other settings
        self.phase_start = (0, 0, 0.0)  # step, tokens, elapsed seconds where these settings began
        self.run_start = (0, 0, 0.0)  # step, tokens, elapsed seconds where this run (its budget) began

    # ------------------------------------------------------------------ checkpoints
    @property
    def checkpoint_path(self) -> Path:
        return self.config.out_path / CHECKPOINT

    def save_checkpoint(self) -> None:
        if self.rank != 0:
            return
        self.config.out_path.mkdir(parents=True, exist_ok=True)
        payload = {
            "model": self.lm.state_dict(), "optimizer": self.optimizer.state_dict(),
            "step": self.step, "tokens": self.tokens, "elapsed": self.elapsed,
            "position": self.batcher.position, "epoch": self.batcher.epoch,
            "state": tuple(s.cpu() for s in self.state), "history": self.history,
            "config": self.config.to_dict(), "rng": torch.get_rng_state(),
            "glove_pretrained": self.glove_pretrained, "pretrain_history": self.pretrain_history,
            "world": self.world, "phases": self.phases(),
            "teacher_position": self.teacher.position if self.teacher else 0,
            "run_start": self.run_start,
        }
        if self.config.keep_best and self.best is not None:  # so that a resumed run still ends with its best
            payload["best"] = self.best._asdict()
        tmp = self.checkpoint_path.with_suffix(".tmp")
        torch.save(payload, tmp)
        os.replace(tmp, self.checkpoint_path)

    def resume(self) -> bool:
        if not self.checkpoint_path.is_file():
            self.log(f"no checkpoint at {self.checkpoint_path}; starting fresh")
            return False
        payload = torch.load(self.checkpoint_path, map_location=self.device, weights_only=False)
        missing, unexpected = self.lm.load_state_dict(payload["model"], strict=False)
        if any(not k.startswith(TRAINING_ONLY) for k in [*missing, *unexpected]):
            raise ValueError(f"{self.checkpoint_path} does not fit this config's model: "
                             f"missing {missing[:3]}, unexpected {unexpected[:3]}")
        if missing or unexpected:  # a checkpoint seeded from an exported model, or an objective on or off
            self.log(f"training-only maps started fresh: {sorted({k.split('.')[0] for k in missing})}, "
                     f"dropped: {sorted({k.split('.')[0] for k in unexpected})}")
        if "optimizer" in payload and not (missing or unexpected):
            self.optimizer.load_state_dict(payload["optimizer"])
        else:  # a weights-only checkpoint (configs/device/train_on_gpu.py), or other parameters
            self.log("no optimizer state for these parameters in the checkpoint: continuing with a fresh optimizer")
        self.step, self.tokens, self.elapsed = payload["step"], payload["tokens"], payload["elapsed"]
        before = payload["config"]
        same_position = ("position" in payload and before["corpus_dir"] == self.config.corpus_dir
                         and before["batch_size"] == self.config.batch_size and payload.get("world", 1) == self.world)
        if same_position:
            self.batcher.position, self.batcher.epoch = payload["position"], payload["epoch"]
        else:
            self.log(f"corpus {before['corpus_dir']} -> {self.config.corpus_dir}, another batch size or process "
                     "count, or no reading position saved: weights kept, reading the corpus from its start")
        if self.world == 1 and same_position:
            self.state = LSTMState(*(s.to(self.device) for s in payload["state"]))
        self.history = payload["history"]
        earlier = payload.get("phases") or [_phase_of_payload(payload)]
        # A phase recorded before the auxiliary weights were: they are the checkpoint config's.
        earlier[-1]["settings"] = {**_settings(before, earlier[-1]["settings"]["device"],
                                               earlier[-1]["settings"].get("processes", 1)),
                                   **earlier[-1]["settings"]}
        if earlier[-1]["settings"] == self.settings():
            self.earlier_phases = earlier[:-1]
            last = earlier[-1]
            self.phase_start = (last["steps"][0], last["tokens"][0], last["minutes"][0] * 60)
        else:
            self.earlier_phases = earlier
            self.phase_start = (self.step, self.tokens, self.elapsed)
        if self.teacher is not None:
            self.teacher.position = payload.get("teacher_position", 0)
        # A checkpoint without it (a seeded one, or from before runs were recorded): the budget counts from 0.
        self.run_start = tuple(payload.get("run_start", (0, 0, 0.0)))
        if self.config.keep_best and payload.get("best"):
            self.best = BestWeights(**payload["best"])
        self.glove_pretrained = payload.get("glove_pretrained", False)
        self.pretrain_history = payload.get("pretrain_history", [])
        if "rng" in payload:
            torch.set_rng_state(payload["rng"])
        self.log(f"resumed at step {self.step}, {self.tokens:,} tokens, {self.elapsed / 60:.1f} min")
        return True

    def begin_run(self) -> None:
        """Start a new run here (after :meth:`resume` of a checkpoint seeded from an exported model):
        ``max_tokens`` and ``max_minutes`` count from now, and a checkpoint records the start, so a
        ``--resume`` of this run keeps it."""
        self.run_start = (self.step, self.tokens, self.elapsed)
        self.save_checkpoint()

    @property
    def run_tokens(self) -> int:
        """Training tokens (per process) of this run."""
        return self.tokens - self.run_start[1]

    @property
    def run_seconds(self) -> float:
        """Seconds of training steps in this run."""
        return self.elapsed - self.run_start[2]

    def settings(self) -> dict:
        """What a training phase is known by: a resume with other settings (batch, learning rate,
        dropout, device, processes, auxiliary loss weights) starts a new phase."""
        return _settings(self.config.to_dict(), self.device.type, self.world)

    def phases(self) -> list[dict]:
        """Every phase of this run up to now (a run resumed with another batch, learning rate or
        device has several); each with its settings and its [start, end] steps, tokens and minutes."""
        step, tokens, elapsed = self.phase_start
        return [*self.earlier_phases, {"settings": self.settings(), "steps": [step, self.step],
                                       "tokens": [tokens, self.tokens],
                                       "minutes": [elapsed / 60, self.elapsed / 60]}]

    # ------------------------------------------------------------------ loop
    def _autocast(self):
        if self.device.type == "cuda" and self.config.bf16:
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return nullcontext()

    def budget_used(self) -> float:
        """Fraction of the training budget spent: of ``max_minutes`` when set, else of ``max_tokens``."""
        c = self.config
        return self.run_seconds / (c.max_minutes * 60) if c.max_minutes > 0 else self.run_tokens / c.max_tokens

    def learning_rate(self) -> float:
        """``learning_rate``, decaying linearly to ``final_lr_fraction`` of it over the last
        ``lr_decay_fraction`` of the budget."""
        c = self.config
        if c.lr_decay_fraction <= 0:
            return c.learning_rate
        left = min(max(1.0 - self.budget_used(), 0.0) / c.lr_decay_fraction, 1.0)
        return c.learning_rate * (c.final_lr_fraction + (1 - c.final_lr_fraction) * left)

    def train_step(self) -> tuple[float, float]:
        if self.config.lr_decay_fraction > 0:
            for group in self.optimizer.param_groups:
                group["lr"] = self.learning_rate()
        forward, backward, new_epoch = self.batcher.next_window()
        if new_epoch:
            self.state = self.lm.bilm.lstm.zero_state(self.config.batch_size, device=self.device)
        tensors, type_ids = _step_tensors(forward, backward, self.train_text, self.device)
        c = self.config
        static, bags = (None, None), (None, None)
        if self.static is not None and (c.glove_weight > 0 or c.context_weight > 0):
            vectors = self.static.vectors[type_ids].to(self.device)  # (n_types in window, D)
            if c.glove_weight > 0:
                static = (vectors, self.static.found[type_ids].to(self.device))
            if c.context_weight > 0:
                ids = torch.stack([tensors[1], tensors[2]])  # (2, B, T) in each direction's reading order
                bags = context_bags(ids, vectors, self.static.content[type_ids].to(self.device),
                                    self.static.boundary[type_ids].to(self.device), c.context_window)
        taught = (None, None, None)
        if self.teacher is not None:
            sentences, targets, has_target = self.teacher.next_batch()
            taught = (batch_to_ids(sentences).to(self.device), targets.to(self.device), has_target.to(self.device))
        with self._autocast():
            loss_f, loss_b, final, mimick, context, teacher = self.model(*tensors, self.state, *static, *bags,
                                                                         *taught)
        loss = (0.5 * (loss_f + loss_b) + c.glove_weight * mimick + c.context_weight * context
                + c.teacher_weight * teacher)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.lm.parameters(), self.config.clip_norm)
        self.optimizer.step()
        self.state = final.detach()
        self.step += 1
        self.tokens += forward.shape[0] * self.config.unroll_steps
        self.last_mimick, self.last_context, self.last_teacher = mimick.item(), context.item(), teacher.item()
        return loss_f.item(), loss_b.item()

    def pretrain_glove(self) -> None:
        """Teach the character CNN GloVe before LM training: ``glove_pretrain_steps`` steps of the
        mimick loss alone on batches of distinct corpus words that GloVe knows (uniformly drawn,
        so rare words count as much as frequent ones). Skipped when done already (resume)."""
        c = self.config
        if self.glove_pretrained or not c.glove_pretrain_steps or self.static is None:
            return
        from tqdm.auto import tqdm

        known = torch.nonzero(self.static.found).view(-1)
        params = list(self.lm.bilm.char_cnn.parameters()) + list(self.lm.mimick.parameters())
        optimizer = torch.optim.Adam(params, lr=c.learning_rate)
        generator = torch.Generator().manual_seed(c.seed)
        smoothed = None
        bar = tqdm(range(c.glove_pretrain_steps), desc="GloVe mimick", disable=self.rank != 0)
        for step in bar:
            pick = known[torch.randint(len(known), (c.glove_pretrain_batch,), generator=generator)]
            vectors = self.lm.bilm.char_cnn(self.train_text.type_chars[pick].unsqueeze(0).to(self.device))[0]
            everything = torch.ones(len(pick), dtype=torch.bool, device=self.device)
            loss = self.lm.token_mimick_loss(vectors, self.static.vectors[pick].to(self.device), everything)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, c.clip_norm)
            optimizer.step()
            smoothed = loss.item() if smoothed is None else 0.95 * smoothed + 0.05 * loss.item()
            bar.set_postfix(loss=f"{smoothed:.3f}")
            if (step + 1) % 100 == 0:
                self.pretrain_history.append({"step": step + 1, "mimick_loss": smoothed})
        if self.world > 1:  # every rank drew the same batches; make the start identical regardless
            for tensor in self.lm.state_dict().values():
                dist.broadcast(tensor, 0)
        self.glove_pretrained = True
        self.log(f"GloVe mimick pretraining done: {c.glove_pretrain_steps} steps, loss {smoothed:.3f}")
        self.save_checkpoint()

    def _done(self) -> bool:
        c = self.config
        done = self.run_tokens >= c.max_tokens or (c.max_minutes > 0 and self.run_seconds >= c.max_minutes * 60)
        if self.world > 1:  # each rank has its own clock: stop together, or one waits forever
            flag = torch.tensor([float(done)], device=self.device)
            dist.all_reduce(flag, op=dist.ReduceOp.MAX)
            done = bool(flag.item())
        return done

    def evaluate_now(self) -> dict:
        """Held-out perplexity of the weights as they are, recorded in the history (and, with
        ``keep_best``, a candidate for the best weights), e.g. of a continued model before it trains."""
        return self._evaluate(None)

    def run(self, *, progress: bool = True, desc: str = "pretraining",
            should_stop: Callable[[], bool] | None = None) -> dict:
        """Train until this run's budget is spent; ``progress``: show a progress bar (tokens of this
        run, tokens/s, training and last held-out perplexity). ``should_stop``, asked before every
        step: when it says True, a checkpoint is written (``--resume`` continues) and
        :class:`TrainingStopped` is raised."""
        from tqdm.auto import tqdm

        c = self.config
        self.lm.train()
        self.pretrain_glove()
        bar = tqdm(total=c.max_tokens if c.max_minutes <= 0 else None, initial=self.run_tokens, unit="tok",
                   unit_scale=True, disable=self.rank != 0 or not progress, desc=desc)
        smoothed = None
        while not self._done():
            if should_stop is not None and should_stop():
                bar.close()
                self.save_checkpoint()
                raise TrainingStopped(f"stopped at step {self.step} on request")
            started = time.perf_counter()
            loss_f, loss_b = self.train_step()
            self.elapsed += time.perf_counter() - started
            loss = 0.5 * (loss_f + loss_b)
            smoothed = loss if smoothed is None else 0.98 * smoothed + 0.02 * loss
            bar.update(c.batch_size * c.unroll_steps)
            bar.set_postfix(loss=f"{smoothed:.3f}", ppl=f"{math.exp(smoothed):.0f}",
                            tok_s=f"{self.run_tokens / max(self.run_seconds, 1e-9):.0f}",
                            **({"heldout_ppl": f"{self.history[-1]['forward_ppl']:.1f}/"
                                               f"{self.history[-1]['backward_ppl']:.1f}"} if self.history else {}),
                            **({"mimick": f"{self.last_mimick:.3f}"} if c.glove_weight else {}),
                            **({"context": f"{self.last_context:.3f}"} if c.context_weight else {}),
                            **({"teacher": f"{self.last_teacher:.3f}"} if c.teacher_weight else {}))
            if self.step % c.eval_every == 0:
                self._evaluate(smoothed)
            if self.step % c.checkpoint_every == 0:
                self.save_checkpoint()
        bar.close()
        result = self._evaluate(smoothed)
        if self.best is not None and self.best.step != self.step:
            self.log(f"the best held-out weights are from step {self.best.step} (ppl {self.best.perplexity:.1f} "
                     f"against {_geometric_ppl(result):.1f} now): ending with those")
            self.lm.load_state_dict(self.best.state)
        self.save_checkpoint()
        return result

    def _evaluate(self, train_loss: float | None) -> dict:
        if self.rank != 0:
            return {}
        result = evaluate(self.lm, self.heldout_text, self.config.batch_size, self.config.unroll_steps,
                          self.config.eval_tokens, self.device)
        result.update(step=self.step, tokens=self.tokens, minutes=self.elapsed / 60,
                      train_ppl=math.exp(train_loss) if train_loss is not None else None,
                      mimick_loss=self.last_mimick, context_loss=self.last_context,
                      **({"teacher_loss": self.last_teacher} if self.config.teacher_weight else {}))
        self.history.append(result)
        self.log(f"step {self.step}: {self.tokens:,} tokens, {self.run_tokens / max(self.run_seconds, 1e-9):,.0f} tokens/s, "
                 f"held-out ppl forward {result['forward_ppl']:.1f} backward {result['backward_ppl']:.1f}, "
                 f"lr {self.optimizer.param_groups[0]['lr']:.2e}")
        if self.config.keep_best and (self.best is None or _geometric_ppl(result) < self.best.perplexity):
            self.best = BestWeights(_geometric_ppl(result), self.step,
                                    {k: v.detach().clone() for k, v in self.lm.state_dict().items()})
        return result

    # ------------------------------------------------------------------ export
    def export(self, out_dir: Path) -> Path:
        """Write options.json, weights.hdf5 (softmax as extra datasets) and vocab.txt."""
        out_dir.mkdir(parents=True, exist_ok=True)
        self.lm.bilm.config.to_json(out_dir / "options.json")
        softmax = {f"softmax/{name}": p.detach().cpu().float().numpy()
                   for name, p in self.lm.softmax.state_dict().items()}
        save_weights(self.lm.bilm.cpu(), out_dir / "weights.hdf5", extra=softmax)
        self.lm.bilm.to(self.device)
        self.vocab.save(out_dir / "vocab.txt")
        summary = {"config": self.config.to_dict(), "step": self.step, "tokens": self.tokens,
                   "minutes": self.elapsed / 60, "world_size": self.world, "device": str(self.device),
                   "history": self.history, "phases": self.phases(),
                   "unigram_ppl": unigram_perplexity(self.vocab, self.heldout_text)}
        (out_dir / "training_summary.json").write_text(json.dumps(summary, indent=2))
        return out_dir


def train(config: TrainConfig, *, resume: bool = False, export_dir: Path | None = None,
          new_run: bool = False) -> Trainer:
    """Train (``resume``: from the checkpoint in ``out_dir``) and export. ``new_run``: the checkpoint
    was seeded from an exported model (``--start-from``), and the budget counts from it."""
    trainer = Trainer(config)
    if resume:
        trainer.resume()
    if new_run:
        trainer.begin_run()
    trainer.run()
    if trainer.rank == 0:
        trainer.export(export_dir or config.out_path / "model")
    if dist.is_initialized():
        dist.barrier()
    return trainer
