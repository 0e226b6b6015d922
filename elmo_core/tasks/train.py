"""
Train a task head on biLM layers, either on cached features or by fine-tuning the biLM.

    trained = train_task(TaskConfig(task="sentiment", strategy="feature", train_size=500),
                         callback=lambda step, record: ..., should_stop=lambda: False)
    trained.result  # the RunResult: scores, curves, mix weights

``callback(step, record)`` receives a :class:`PhaseRecord` while features are embedded, a
:class:`StepRecord` after every optimiser step and an :class:`EpochRecord` after every dev
evaluation. ``should_stop()`` is polled before every step, evaluation batch and embedding chunk;
when it returns True the run ends early and ``result.cancelled`` is set (no test evaluation is
done then), so a cancelled run stops within one step or chunk.

Early stopping keeps the head (and, when fine-tuning, the biLM) of the epoch with the best dev
accuracy and evaluates that on the test split.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..bilm import BiLM
from ..datasets.glove import StaticVectors
from .config import TaskConfig
from .data import TaskData, load_task_data
from .features import FeatureCache, LoadedModel, load_model
from .head_networks import HeadConfig, MixConfig, build_head
from .layer_inputs import BiLMLayers, FeatureLayers, warm_state
from .metrics import ClassificationReport, classification_report
from .padded_batches import length_batches, pad_tags, shuffled_length_batches
from .results import EpochRecord, PhaseRecord, RunResult, StepRecord
from .static_inputs import EmptyLayers, StaticSource, load_static, uses_elmo, uses_static

__all__ = ["TaskConfig", "RunResult", "TrainedTask", "train_task", "predict_labels",
           "resolve_device", "Callback", "StopCheck"]

Callback = Callable[[int, object], None]
StopCheck = Callable[[], bool]

#: Sentences embedded between two ``should_stop()`` checks of the feature strategy.
EMBED_CHUNK = 64


class _Cancelled(Exception):
    """``should_stop()`` turned True outside the step loop (embedding, evaluation)."""


def _check(should_stop: StopCheck | None) -> None:
    if should_stop is not None and should_stop():
        raise _Cancelled


@dataclass
class TrainedTask:
    """A finished run: its result plus what is needed to use or ship the model.

    ``bilm`` is the biLM the head was trained on: the original for ``feature``, a fine-tuned
    copy for ``finetune`` (the caller's model is never modified).
    """

    result: RunResult
    head: nn.Module
    head_config: HeadConfig
    bilm: BiLM
    data: TaskData
    base_fingerprint: str
    static: StaticVectors | None = None  # the static word vectors the head reads, if any


def resolve_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def _head_config(config: TaskConfig, bilm: BiLM, num_classes: int, static_dim: int) -> HeadConfig:
    return HeadConfig(
        task=config.task, num_layers=bilm.num_layers, dim=bilm.output_dim, num_classes=num_classes,
        mix=MixConfig(config.mix, config.layer_norm, config.learn_gamma and not config.feature_norm),
        pooling=config.pooling,
        bilstm_hidden=config.bilstm_hidden, dropout=config.dropout, feature_norm=config.feature_norm,
        static_dim=static_dim, use_elmo=uses_elmo(config.inputs),
    )


def _loss(logits: torch.Tensor, labels: list, token_level: bool) -> torch.Tensor:
    """Cross entropy of (B, C) logits against B labels, or of (B, T, C) against tag lists."""
    if token_level:
        target = pad_tags(labels, logits.shape[1], logits.device)  # -100 where padded
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))
    target = torch.as_tensor(labels, dtype=torch.long, device=logits.device)
    return nn.functional.cross_entropy(logits, target)


@torch.no_grad()
def predict_labels(head: nn.Module, source, count: int, token_level: bool, batch_size: int = 64,
                   should_stop: StopCheck | None = None) -> np.ndarray:
    """Predicted labels of examples 0..count-1 of ``source``: (count,) or (tokens,) for pos."""
    head.eval()
    lengths = source.lengths()
    out: list = [None] * count
    for indices in length_batches(lengths[:count], batch_size):
        _check(should_stop)
        batch = source(indices)  # (layers, mask) or (layers, mask, static)
        pred = head(*batch).argmax(-1).cpu().numpy()
        for row, i in enumerate(indices):
            out[i] = pred[row, : lengths[i]] if token_level else pred[row]
    if token_level:
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
    return np.asarray(out, dtype=np.int64)


def _evaluate(head, source, data: TaskData, split: str, batch_size: int,
              should_stop: StopCheck | None = None) -> ClassificationReport:
    part = data.split(split)
    pred = predict_labels(head, source, len(part), data.token_level, batch_size, should_stop)
    return classification_report(part.flat_labels(), pred, data.label_names)


def _optimizer(head: nn.Module, bilm_model: nn.Module | None, config: TaskConfig) -> torch.optim.Optimizer:
    mix_params = [p for n, p in head.named_parameters() if n.startswith("mix.") and p.requires_grad]
    other = [p for n, p in head.named_parameters() if not n.startswith("mix.") and p.requires_grad]
    groups = [{"params": other, "weight_decay": config.weight_decay, "lr": config.lr}]
    if mix_params:
        groups.append({"params": mix_params, "weight_decay": 0.0, "lr": config.lr * config.mix_lr_ratio})
    if bilm_model is not None:
        groups.append({"params": list(bilm_model.parameters()), "weight_decay": config.weight_decay,
                       "lr": config.lr * config.bilm_lr_ratio})
    return torch.optim.AdamW(groups)


class _Sources:
    """Train/dev/test layer sources for one strategy (with static vectors when the inputs use them)."""

    def __init__(self, config: TaskConfig, loaded: LoadedModel, data: TaskData, device: torch.device,
                 cache: FeatureCache, callback: Callback | None, should_stop: StopCheck | None = None,
                 static: StaticVectors | None = None):
        self.bilm_model = None
        self.embed_seconds = 0.0
        self.cancelled = False  # should_stop() while embedding: the splits are incomplete
        self.static = None
        if uses_static(config.inputs):
            self.static = static if static is not None else load_static(config.static_vectors)
        if not uses_elmo(config.inputs):  # static vectors only: no biLM to run or fine-tune
            self.splits = {s: EmptyLayers(data.split(s).sentences, device) for s in ("train", "dev", "test")}
        elif config.strategy == "feature":
            started = time.perf_counter()
            self.splits = {}
            try:
                self._embed(config, loaded, data, device, cache, callback, should_stop)
            except _Cancelled:
                self.cancelled = True
            self.embed_seconds = time.perf_counter() - started
        else:
            self.bilm_model = copy.deepcopy(loaded.bilm.model).to(device)
            self.splits = {s: BiLMLayers(self.bilm_model, data.split(s).sentences, config.state)
                           for s in ("train", "dev", "test")}
        if self.static is not None:
            self.splits = {s: StaticSource(source, data.split(s).sentences, self.static)
                           for s, source in self.splits.items()}

    def _embed(self, config: TaskConfig, loaded: LoadedModel, data: TaskData, device: torch.device,
               cache: FeatureCache, callback: Callback | None, should_stop: StopCheck | None) -> None:
        """Frozen-biLM features of every split, from the cache or embedded now."""
        for split in ("train", "dev", "test"):
            arrays, sentences, offset = [], data.split(split).sentences, 0
            for name, count in data.segments(split):  # one cache file per source of a mixture
                def report(done: int, total: int, split=split, offset=offset) -> None:
                    if callback is not None:
                        callback(0, PhaseRecord(f"embedding {split}", offset + done, len(sentences)))
                    _check(should_stop)  # the half-written cache file is removed
                arrays += cache.get(loaded.bilm, loaded.fingerprint, name, sentences[offset:offset + count],
                                    dtype=config.feature_dtype, chunk_size=EMBED_CHUNK,
                                    progress=report).arrays
                offset += count
            self.splits[split] = FeatureLayers(arrays, device)

    @property
    def static_dim(self) -> int:
        return self.static.dim if self.static is not None else 0

    def refresh(self) -> None:
        """After biLM updates: recompute the warm start state once and share it."""
        if self.bilm_model is None:
            return
        state = warm_state(self.bilm_model)
        for source in self.splits.values():
            source.refresh_state(state)


class _Trainer:
    """The optimiser loop of one run: epochs, dev evaluation, best-state bookkeeping."""

    def __init__(self, config: TaskConfig, head: nn.Module, sources: _Sources, data: TaskData,
                 result: RunResult, callback: Callback | None, should_stop: StopCheck | None):
        self.config, self.head, self.sources, self.data, self.result = config, head, sources, data, result
        self.callback, self.should_stop = callback, should_stop
        self.optimizer = _optimizer(head, sources.bilm_model, config)
        self.trainable = [p for g in self.optimizer.param_groups for p in g["params"]]
        self.rng = np.random.default_rng(config.seed)
        self.step = 0
        self.best_state: tuple[dict, dict | None] | None = None

    def _set_mode(self, training: bool) -> None:
        self.head.train(training)
        if self.sources.bilm_model is not None:
            self.sources.bilm_model.train(training)
            self.sources.refresh()

    def _emit(self, record) -> None:
        if self.callback is not None:
            self.callback(self.step, record)

    def train_epoch(self, epoch: int) -> list[float]:
        """One pass over the training split; returns the step losses (stops early if cancelled)."""
        self._set_mode(True)
        train, source, losses = self.data.split("train"), self.sources.splits["train"], []
        for indices in shuffled_length_batches(source.lengths(), self.config.batch_size, self.rng):
            if self.should_stop is not None and self.should_stop():
                self.result.cancelled = True
                break
            loss = _loss(self.head(*source(indices)), [train.labels[i] for i in indices], self.data.token_level)
            total = loss + self.config.mix_l2 * self.head.mix.regulariser().to(loss.device) if self.config.mix_l2 else loss
            self.optimizer.zero_grad(set_to_none=True)
            total.backward()
            if self.config.grad_clip:
                nn.utils.clip_grad_norm_(self.trainable, self.config.grad_clip)
            self.optimizer.step()
            self.step += 1
            losses.append(float(loss.detach()))
            record = StepRecord(self.step, epoch, losses[-1], self.head.mix.weights(), self.head.mix.gamma())
            self.result.steps.append(record)
            self._emit(record)
        return losses

    def evaluate(self, split: str) -> ClassificationReport:
        self._set_mode(False)
        return _evaluate(self.head, self.sources.splits[split], self.data, split, self.config.eval_batch_size,
                         self.should_stop)

    def remember(self) -> None:
        bilm = self.sources.bilm_model
        self.best_state = (copy.deepcopy(self.head.state_dict()),
                           copy.deepcopy(bilm.state_dict()) if bilm is not None else None)

    def restore_best(self) -> None:
        if self.best_state is None:
            return
        self.head.load_state_dict(self.best_state[0])
        if self.best_state[1] is not None:
            self.sources.bilm_model.load_state_dict(self.best_state[1])

    def run(self) -> None:
        """Epochs with early stopping on dev accuracy; then the best state is restored."""
        try:
            self._epochs()
        except _Cancelled:
            self.result.cancelled = True
        self.restore_best()
        self._set_mode(False)

    def _epochs(self) -> None:
        best, bad_epochs = -math.inf, 0
        for epoch in range(1, self.config.epochs + 1):
            started = time.perf_counter()
            losses = self.train_epoch(epoch)
            if self.result.cancelled:
                break
            dev = self.evaluate("dev")
            record = EpochRecord(epoch, float(np.mean(losses)) if losses else 0.0, dev.accuracy, dev.macro_f1,
                                 time.perf_counter() - started)
            self.result.epochs.append(record)
            self._emit(record)
            if dev.accuracy > best:
                best, bad_epochs, self.result.best_epoch, self.result.dev = dev.accuracy, 0, epoch, dev
                self.remember()
            else:
                bad_epochs += 1
                if self.config.patience and bad_epochs >= self.config.patience:
                    break


def train_task(config: TaskConfig, *, callback: Callback | None = None, should_stop: StopCheck | None = None,
               model: LoadedModel | None = None, data: TaskData | None = None,
               cache: FeatureCache | None = None, initial_head: dict | None = None,
               static: StaticVectors | None = None) -> TrainedTask:
    """Run ``config`` and return the trained head, the biLM it used and the :class:`RunResult`.

    ``model``/``data``/``cache`` may be passed in to reuse what the caller already loaded.
    ``initial_head`` is a head ``state_dict`` to start from instead of a random head (e.g. a
    feature-trained head as the start of fine-tuning); it must match the head's shapes.
    ``static`` replaces the table named by ``config.static_vectors`` (e.g. a trimmed copy that
    will ship with the head, so training sees exactly what inference will).
    """
    started = time.perf_counter()
    device = resolve_device(config.device)
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    torch.manual_seed(config.seed)
    loaded = model or load_model(config.model, state=config.state, device=device)
    data = data or load_task_data(config.task, config.dataset, train_size=config.train_size,
                                  dev_size=config.dev_size, test_size=config.test_size,
                                  seed=config.seed, coarse_tags=config.coarse_tags,
                                  imdb_reviews=config.imdb_reviews)
    if len(data.split("train")) == 0 or len(data.split("dev")) == 0:
        raise ValueError(f"{data.task}/{data.dataset}: the train and dev splits must not be empty")
    sources = _Sources(config, loaded, data, device, cache or FeatureCache(), callback, should_stop, static=static)
    head_config = _head_config(config, loaded.bilm, len(data.label_names), sources.static_dim)
    head = build_head(head_config).to(device)
    if initial_head is not None:
        head.load_state_dict(initial_head)
    result = RunResult(config=config.to_dict(), label_names=list(data.label_names), device=str(device),
                       embed_seconds=sources.embed_seconds, model_fingerprint=loaded.fingerprint,
                       sizes={s: len(data.split(s)) for s in ("train", "dev", "test")}, cancelled=sources.cancelled)
    if not sources.cancelled:  # stopped while embedding: nothing to train or evaluate
        trainer = _Trainer(config, head, sources, data, result, callback, should_stop)
        train_started = time.perf_counter()
        trainer.run()
        result.train_seconds = time.perf_counter() - train_started
        if not result.cancelled and len(data.split("test")):
            try:
                result.test = trainer.evaluate("test")
            except _Cancelled:
                result.cancelled = True
    result.final_weights, result.final_gamma = head.mix.weights(), head.mix.gamma()
    result.wall_seconds = time.perf_counter() - started
    bilm = loaded.bilm
    if sources.bilm_model is not None:
        bilm = BiLM(sources.bilm_model, state=config.state, device=device, name=f"{loaded.bilm.name}-finetuned")
    return TrainedTask(result, head, head_config, bilm, data, loaded.fingerprint, sources.static)

