"""
Adapt an exported model to a user's text: continue its language-model training on a plain-text
file (one sentence or paragraph per line) with the model's own vocabulary, so the adapted model
stays comparable with the original, and export the weights that score best on held-out lines.

    elmo-explorer adapt MODEL TEXT OUT [--minutes N | --tokens N] [--resume]

>>> result = adapt(AdaptConfig("mini", "reviews.txt", "mini-reviews", tokens=200_000))  # doctest: +SKIP
>>> result.before, result.after                                                        # doctest: +SKIP
({'forward': 155.1, 'backward': 152.5}, {'forward': 97.3, 'backward': 95.8})
>>> elmo_core.load("mini-reviews")                                                     # doctest: +SKIP

How:

- The text is read by :func:`elmo_core.text_file.read_text_file` (clear messages for empty,
  binary, invalid UTF-8, overlong lines). A fixed share of its non-blank lines is held out, chosen
  by a hash of the line (:func:`elmo_core.datasets.splits.hashed_below`), so the same file always
  splits the same way and repeated lines fall on the same side. Lines are tokenized like the app
  does (:func:`elmo_core.tokenizer.tokenize`).
- Training is the pretraining :class:`~elmo_core.training.trainer.Trainer`, started from the
  exported model (:func:`~elmo_core.training.export.seed_checkpoint`, as ``train --start-from``)
  with :meth:`~elmo_core.training.trainer.Trainer.begin_run`: the budget (``minutes`` or
  ``tokens``) counts from the start of this run, not of the original training. The learning
  rate is lower than pretraining's (2e-4 with Adam; ``mini`` was pretrained at 2e-3 and continued
  at 5e-4), so the model moves towards the text without forgetting what it knew. The held-out
  lines are scored before training and every ``eval_every`` steps; the best weights (the start
  included) are exported (``keep_best``).
- The run's files (tokenized text, checkpoint) live in the cache,
  ``<cache>/adapt/<OUT name>-<hash of OUT's path>/`` (:func:`adapt_run_dir`), never in OUT. A
  killed run continues with ``resume=True`` (``--resume``) and keeps its budget and best weights.
- OUT gets only the exported model (``options.json``, ``weights.hdf5`` with the softmax under
  ``softmax/``, ``vocab.txt``, ``training_summary.json`` with an ``adaptation`` record), written
  into a hidden sibling folder and renamed at the end: a crash leaves nothing in OUT. An OUT that
  already holds something is refused.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from ..cache import cache_dir
from ..datasets.splits import hashed_below
from ..text_file import read_text_file
from .config import TrainConfig
from .export import seed_checkpoint
from .heldout import lm_from_model_dir, model_dir_with_softmax, write_sentences
from .trainer import CHECKPOINT, Trainer, evaluate

__all__ = ["AdaptConfig", "AdaptError", "AdaptResult", "adapt", "adapt_run_dir", "split_heldout"]

STATE = "adapt.json"  # the run's record in its cache folder: the model, the text's hash, the start's perplexity
HELDOUT_SALT = b"adapt-heldout"
NO_TOKEN_LIMIT = 10**15  # max_tokens of a run limited by minutes only


class AdaptError(ValueError):
    """An adapt run that cannot start, resume or write its model; the message says why."""


@dataclass
class AdaptConfig:
    """What to adapt to what, where to, for how long, and how.

    Budget: ``minutes`` of training or ``tokens`` (forward training tokens) of this run, not both;
    neither: one pass over the training lines.
    """

    model: str  # a model name (e.g. "mini") or an exported model's folder, with a trained softmax
    text: str  # plain-text file, UTF-8, one sentence or paragraph per line
    out: str  # folder for the adapted model: new or empty
    minutes: float = 0.0
    tokens: int = 0
    heldout_share: float = 0.1  # of the non-blank lines, chosen by a hash of the line
    batch_size: int = 16  # parallel text streams
    unroll_steps: int = 20  # truncated backprop length
    learning_rate: float = 2e-4  # Adam; a tenth of mini's pretraining rate (2e-3)
    dropout: float = 0.1
    eval_every: int = 0  # steps between held-out evaluations (0: about 8 over a tokens budget, else 50)
    eval_tokens: int = 20_000  # held-out tokens scored at most, each evaluation
    checkpoint_every: int = 0  # steps between checkpoints (0: eval_every)
    device: str = "auto"  # "auto", "cpu" or "cuda"
    num_threads: int = 0  # torch CPU threads (0: torch's default)
    seed: int = 1234

    def __post_init__(self) -> None:
        if self.minutes < 0 or self.tokens < 0:
            raise AdaptError("the budget (--minutes, --tokens) must not be negative")
        if self.minutes > 0 and self.tokens > 0:
            raise AdaptError("give one budget: --minutes or --tokens, not both")
        if not 0 < self.heldout_share <= 0.5:
            raise AdaptError(f"heldout_share must be in (0, 0.5], got {self.heldout_share}")
        if not (self.learning_rate > 0 and 0 <= self.dropout < 1):
            raise AdaptError("learning_rate must be positive and dropout in [0, 1)")
        for name in ("batch_size", "unroll_steps", "eval_tokens"):
            if getattr(self, name) <= 0:
                raise AdaptError(f"{name} must be positive")
        if self.eval_every < 0 or self.checkpoint_every < 0:
            raise AdaptError("eval_every and checkpoint_every must not be negative")

    @property
    def out_path(self) -> Path:
        return Path(self.out).expanduser().resolve()


@dataclass
class AdaptResult:
    """What an adapt run did: held-out perplexity per direction before and after (the exported,
    best weights), this run's training tokens, seconds and steps, the model's total tokens, the
    step of the exported weights, and the split."""

    out_dir: Path
    before: dict[str, float]  # {"forward": ..., "backward": ...}
    after: dict[str, float]
    tokens: int
    seconds: float
    steps: int
    total_tokens: int
    best_step: int
    heldout_tokens: int  # held-out tokens scored by each evaluation
    train_lines: int
    heldout_lines: int
    resumed: bool

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / max(self.seconds, 1e-9)

    def to_dict(self) -> dict:
        return {**asdict(self), "out_dir": str(self.out_dir), "tokens_per_second": self.tokens_per_second}


def adapt_run_dir(out: str | Path) -> Path:
    """The cache folder of the adapt run that writes ``out``: ``<cache>/adapt/<name>-<hash>``."""
    out = Path(out).expanduser().resolve()
    digest = hashlib.sha256(str(out).encode("utf-8")).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", out.name)[:40] or "model"
    return cache_dir() / "adapt" / f"{name}-{digest}"


def split_heldout(lines: list[str], share: float) -> tuple[list[str], list[str]]:
    """Non-blank ``lines`` -> (training lines, held-out lines); a line is held out when the hash of
    its stripped text falls below ``share``, so the split never depends on order or on the run."""
    train, heldout = [], []
    for line in lines:
        if line.strip():
            (heldout if hashed_below(line.strip(), share, salt=HELDOUT_SALT) else train).append(line)
    return train, heldout


def _check_out(out: Path) -> None:
    if out.is_file() or (out.is_dir() and any(out.iterdir())):
        raise AdaptError(f"{out} already holds something; adapt writes a new model into a new or empty "
                         "folder (move it away or choose another OUT)")
    if out.exists() and not out.is_dir():
        raise AdaptError(f"{out} exists and is not a folder")


def _text_digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).hexdigest()


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def _prepare_run(run_dir: Path, lines: list[str], model_dir: Path, digest: str, config: AdaptConfig) -> dict:
    """Write the run's corpus (train.txt, heldout.txt, the model's vocab.txt) and its record."""
    train, heldout = split_heldout(lines, config.heldout_share)
    corpus = run_dir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    counts = {name: write_sentences(part, corpus / f"{name}.txt") for name, part in
              (("train", train), ("heldout", heldout))}
    shutil.copyfile(model_dir / "vocab.txt", corpus / "vocab.txt")
    stream = {name: tokens + 2 * sentences for name, (sentences, tokens) in counts.items()}
    need_train = config.batch_size * (config.unroll_steps + 1)
    if stream["train"] < need_train:
        raise AdaptError(f"{Path(config.text).name} is too short to train on: its training lines hold "
                         f"{stream['train']:,} tokens, and {need_train:,} are needed (batch size {config.batch_size} x "
                         f"{config.unroll_steps + 1} tokens); give more text or a smaller --batch-size")
    need_heldout = 2 * (config.unroll_steps + 1)
    if stream["heldout"] < need_heldout:
        raise AdaptError(f"{Path(config.text).name} leaves too little held-out text: {len(heldout)} held-out "
                         f"line(s) with {stream['heldout']} tokens, at least {need_heldout} are needed to measure "
                         "perplexity; give more lines or a larger --heldout-share")
    state = {"model_dir": str(model_dir), "model": str(config.model), "text": Path(config.text).name,
             "text_sha256": digest, "train_lines": len(train), "heldout_lines": len(heldout),
             "train_stream_tokens": stream["train"], "heldout_stream_tokens": stream["heldout"]}
    _write_json(run_dir / STATE, state)
    return state


def _load_state(run_dir: Path, model_dir: Path, digest: str, config: AdaptConfig) -> dict:
    state = json.loads((run_dir / STATE).read_text(encoding="utf-8"))
    if state["model_dir"] != str(model_dir):
        raise AdaptError(f"the unfinished run for {config.out_path} adapts {state['model']}, not {config.model}; "
                         "resume it with the same MODEL")
    if state["text_sha256"] != digest:
        raise AdaptError(f"{Path(config.text).name} is not the text the unfinished run for {config.out_path} "
                         f"started with ({state['text']}, changed since?); resume with the same TEXT, or delete "
                         f"{run_dir} to start again")
    return state


def _train_config(config: AdaptConfig, run_dir: Path, model_dir: Path, state: dict) -> TrainConfig:
    lm, vocab = lm_from_model_dir(model_dir)
    step_tokens = config.batch_size * config.unroll_steps
    tokens = config.tokens or (0 if config.minutes else state["train_stream_tokens"])
    eval_every = config.eval_every or (max(1, min(200, math.ceil(tokens / step_tokens) // 8)) if tokens else 50)
    return TrainConfig(
        corpus_dir=str(run_dir / "corpus"), out_dir=str(run_dir), vocab_file=str(run_dir / "corpus" / "vocab.txt"),
        model=json.loads((model_dir / "options.json").read_text(encoding="utf-8")),
        vocab_size=len(vocab.words), softmax_cutoffs=tuple(lm.softmax.cutoffs[:-1]),
        batch_size=config.batch_size, unroll_steps=config.unroll_steps, optimizer="adam",
        learning_rate=config.learning_rate, dropout=config.dropout,
        max_tokens=tokens or NO_TOKEN_LIMIT, max_minutes=config.minutes, eval_every=eval_every,
        eval_tokens=config.eval_tokens, checkpoint_every=config.checkpoint_every or eval_every,
        seed=config.seed, device=config.device, num_threads=config.num_threads, keep_best=True)


def _directions(result: dict) -> dict[str, float]:
    return {"forward": result["forward_ppl"], "backward": result["backward_ppl"]}


def _export(trainer: Trainer, out: Path, record: dict) -> None:
    """Export into a hidden sibling of ``out`` and rename it to ``out`` (nothing half-written in OUT)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.parent / f".{out.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    trainer.export(partial)
    summary_path = partial / "training_summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    summary["adaptation"] = record
    summary_path.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    _check_out(out)  # something may have appeared there while training
    if out.is_dir():
        out.rmdir()
    os.replace(partial, out)


def adapt(config: AdaptConfig, *, resume: bool = False, progress: bool = True,
          log: Callable[..., None] = print, should_stop: Callable[[], bool] | None = None) -> AdaptResult:
    """Continue the model's language-model training on the text and export the best held-out
    weights to ``config.out`` (see the module docstring). ``resume``: continue the unfinished run
    for the same OUT (its checkpoint in :func:`adapt_run_dir`); without one it starts afresh.
    ``progress``: a progress bar with tokens/s and held-out perplexity; ``log``: where the
    evaluation lines go; ``should_stop``: asked before every training step, True stops the run
    with its checkpoint kept (``resume`` continues it) and raises
    :class:`~elmo_core.training.trainer.TrainingStopped`. Raises :class:`AdaptError`, :class:`~elmo_core.text_file.TextFileError`
    or :class:`~elmo_core.training.heldout.NoSoftmaxError` (all ``ValueError``) for bad input."""
    out = config.out_path
    _check_out(out)
    model_dir = model_dir_with_softmax(config.model)
    if not (model_dir / "training_summary.json").is_file():
        raise AdaptError(f"{config.model} has a softmax but no training_summary.json: adapt continues models "
                         "exported by elmo-explorer (`train`, `export`, `adapt`)")
    lines = read_text_file(config.text)
    digest = _text_digest(lines)
    run_dir = adapt_run_dir(out)
    resumed = resume and (run_dir / CHECKPOINT).is_file() and (run_dir / STATE).is_file()
    if resumed:
        state = _load_state(run_dir, model_dir, digest, config)
    else:
        if (run_dir / CHECKPOINT).is_file():
            raise AdaptError(f"an unfinished adapt run for {out} is in {run_dir}: continue it with --resume, "
                             "or delete that folder to start again")
        if resume:
            log(f"no unfinished adapt run for {out} (looked in {run_dir}); starting one")
        shutil.rmtree(run_dir, ignore_errors=True)
        try:
            state = _prepare_run(run_dir, lines, model_dir, digest, config)
        except AdaptError:
            shutil.rmtree(run_dir, ignore_errors=True)
            raise
    train_config = _train_config(config, run_dir, model_dir, state)
    if not resumed:
        seed_checkpoint(model_dir, run_dir / CHECKPOINT, train_config)
    trainer = Trainer(train_config, log=lambda *a, **k: None)  # its set-up lines speak of pretraining corpora
    trainer.resume()
    trainer.log = log
    if resumed:
        log(f"resumed at step {trainer.step}, {trainer.run_tokens:,} tokens of this run done")
    else:
        log(f"adapting {config.model} on {state['train_lines']:,} lines of {state['text']}, "
            f"{state['heldout_lines']:,} held out")
    if "before" not in state:  # idempotent: a run killed before its start was recorded repeats it
        trainer.begin_run()  # the budget counts from here, and the checkpoint records it
        state["before"] = _directions(trainer.evaluate_now())
        trainer.save_checkpoint()  # with the start as the best weights so far
        _write_json(run_dir / STATE, state)
    trainer.run(progress=progress, desc="adapting", should_stop=should_stop)
    c = trainer.config
    after = evaluate(trainer.lm, trainer.heldout_text, c.batch_size, c.unroll_steps, c.eval_tokens, trainer.device)
    result = AdaptResult(
        out_dir=out, before=state["before"], after=_directions(after), tokens=trainer.run_tokens,
        seconds=trainer.run_seconds, steps=trainer.step - trainer.run_start[0], total_tokens=trainer.tokens,
        best_step=trainer.best.step if trainer.best else trainer.step, heldout_tokens=after["tokens"],
        train_lines=state["train_lines"], heldout_lines=state["heldout_lines"], resumed=resumed)
    record = {"model": str(config.model), "text": state["text"], "text_sha256": digest,
              "heldout_share": config.heldout_share, "learning_rate": config.learning_rate,
              **{k: v for k, v in result.to_dict().items() if k not in ("out_dir", "resumed")}}
    _export(trainer, out, record)
    shutil.rmtree(run_dir, ignore_errors=True)
    return result
