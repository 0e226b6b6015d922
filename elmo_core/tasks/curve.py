"""
Learning curves: one task trained at several training-set sizes with several strategies, each
point repeated over seeds, with what each point cost.

    report = run_curve(CurveConfig("pos", sizes=(50, 200, 814),
                                   strategies=("feature", "finetune", "adapted+feature", "feature+finetune")),
                       progress=lambda done, total, what: ..., cancel=lambda: False)
    report.point("feature", 200).interval()       # Margin: mean test accuracy over the seeds, t interval
    report.save("curve.json"); CurveReport.load("curve.json")

Strategies (:data:`CURVE_STRATEGIES`), all with a learned scalar mix over the biLM's layers:

``feature``
    The ELMo feature ensemble: the biLM frozen, its layers embedded once, a head trained on them.
``finetune``
    The head and the biLM trained together from a random head (biLM learning rate ``lr * 0.1``).
``adapted+feature``
    The biLM first adapted to the task's domain (:func:`elmo_core.training.adapt.adapt`: its
    language-model training continued for ``adapt_tokens`` tokens on the text of the task's whole
    training split, labels unused; the held-out perplexity before and after is recorded), then the
    feature ensemble on the adapted biLM. The adaptation is made once per task and its seconds are
    added to every point of this strategy.
``feature+finetune``
    Two stages: the feature head of the same size and seed, then ``second_stage_epochs`` of
    fine-tuning starting from it. Its seconds are both stages'.

A seed draws the training subset (:func:`~.data.with_split_subset`) and the head's start and batch
order; dev and test are fixed, so the points of one size are scored on the same test examples.
A point's interval is Student's t over its seeds (:func:`elmo_core.analysis.intervals.mean_interval`).

Cost per point: ``seconds`` is the wall time of training per seed (embedding the training subset
for the feature strategies, every epoch with its dev evaluation; the test evaluation is not
counted); ``tokens_per_second`` is training tokens × epochs trained ÷ those seconds. Dev and test
features are embedded before the clock starts, in a feature cache private to the run (so a point
never reads features a previous run left behind). Peak memory: :class:`.memory_watch.PeakMemory`
(resident set sampled every 20 ms) over a point's seeds, as the peak and its rise over the start.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import IO, Callable

import torch

from ..analysis.intervals import mean_interval
from ..analysis.margins import Margin
from ..cache import cache_dir
from ..training.adapt import AdaptConfig, adapt
from .config import TaskConfig
from .curve_data import CURVE_TASKS, TASK_NOTES, load_curve_data
from .data import TaskData, with_split_subset
from .features import FeatureCache, LoadedModel, load_model
from .memory_watch import METHOD as MEMORY_METHOD
from .memory_watch import PeakMemory
from .train import TrainedTask, resolve_device, train_task

__all__ = ["CURVE_STRATEGIES", "MIN_SEEDS", "CurveConfig", "CurvePoint", "CurveReport", "run_curve",
           "CurveProgress", "CancelCheck", "save_curves", "load_curves"]

CURVE_STRATEGIES = ("feature", "finetune", "adapted+feature", "feature+finetune")
MIN_SEEDS = 3

CurveProgress = Callable[[int, int, str], None]  # (runs done, runs in all, what runs now)
CancelCheck = Callable[[], bool]


def _known_fields(cls, data: dict) -> dict:
    """The entries of ``data`` that name fields of the dataclass ``cls`` (a file written by a later
    version may hold more)."""
    known = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in known}


@dataclass
class CurveConfig:
    """One learning curve. ``sizes``: training examples (sentences for POS), each >= 1 and at most
    what the task's training split holds. ``dev_size``/``test_size``: 0 keeps the whole split.
    ``lr``: 0 picks 1e-2 for POS (few sentences, few steps) and 1e-3 otherwise, as the grid does."""

    task: str
    sizes: tuple[int, ...]
    strategies: tuple[str, ...] = ("feature", "finetune")
    seeds: int = MIN_SEEDS
    feature_epochs: int = 10
    finetune_epochs: int = 2
    second_stage_epochs: int = 1
    patience: int = 3
    dev_size: int = 0
    test_size: int = 0
    adapt_tokens: int = 30_000
    model: str = "mini"
    csv: str = ""  # the csv task's file
    threads: int = 1  # torch CPU threads (0: torch's choice)
    device: str = "cpu"
    lr: float = 0.0
    batch_size: int = 32

    def __post_init__(self) -> None:
        if self.task not in CURVE_TASKS:
            raise ValueError(f"unknown curve task {self.task!r}; choose one of {', '.join(CURVE_TASKS)}")
        try:
            sizes = tuple(int(s) for s in self.sizes)
        except (TypeError, ValueError):
            raise ValueError(f"sizes must be whole numbers of training examples, got {self.sizes!r}") from None
        if not sizes:
            raise ValueError("give at least one training-set size")
        if min(sizes) < 1:
            raise ValueError(f"every size must be at least 1 training example, got {min(sizes)}")
        if len(set(sizes)) != len(sizes):
            raise ValueError(f"sizes must differ from each other, got {list(sizes)}")
        self.sizes = tuple(sorted(sizes))
        self.strategies = tuple(self.strategies)
        bad = [s for s in self.strategies if s not in CURVE_STRATEGIES]
        if bad or not self.strategies:
            raise ValueError(f"strategies must be some of {', '.join(CURVE_STRATEGIES)}; got {', '.join(bad) or 'none'}")
        if len(set(self.strategies)) != len(self.strategies):
            raise ValueError(f"each strategy once, please: {list(self.strategies)}")
        if self.seeds < MIN_SEEDS:
            raise ValueError(f"a point needs at least {MIN_SEEDS} seeds for an interval, got {self.seeds}")
        for name in ("feature_epochs", "finetune_epochs", "second_stage_epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("dev_size", "test_size", "patience", "threads", "adapt_tokens"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        if "adapted+feature" in self.strategies and self.adapt_tokens < 1000:
            raise ValueError("adapted+feature needs adapt_tokens of at least 1000")
        if self.task == "csv" and not self.csv:
            raise ValueError("the csv task needs a CSV file (--csv PATH) with columns text,label")

    @property
    def learning_rate(self) -> float:
        return self.lr or (1e-2 if self.task == "pos" else 1e-3)

    def caps(self) -> str:
        """The caps of this curve in words, for reports."""
        return (f"feature heads at most {self.feature_epochs} epochs (early stop after {self.patience} without a "
                f"better dev score), fine-tuning at most {self.finetune_epochs} epochs, the second stage of "
                f"feature+finetune {self.second_stage_epochs} epoch(s), domain adaptation {self.adapt_tokens:,} "
                f"tokens; {self.seeds} seeds; learning rate {self.learning_rate:g} (biLM ×0.1); "
                f"{self.threads or 'default'} CPU thread(s)")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "CurveConfig":
        return cls(**_known_fields(cls, data))


@dataclass
class CurvePoint:
    """One strategy at one size: per-seed test scores and costs (lists in seed order)."""

    strategy: str
    size: int
    seeds: list[int]
    accuracy: list[float]
    macro_f1: list[float]
    seconds: list[float]  # training wall seconds per seed
    epochs: list[int]  # epochs trained per seed (both stages for feature+finetune)
    tokens_per_second: list[float]
    peak_mb: float = 0.0  # highest resident memory of the process during the point
    increase_mb: float = 0.0  # its rise over the resident memory at the point's start

    def interval(self, metric: str = "accuracy") -> Margin:
        """Mean of ``metric`` over the seeds with its 95% t interval."""
        values = getattr(self, metric)
        margin = mean_interval(values)
        if margin is None:  # one seed (a truncated report): a point interval
            return Margin(values[0], values[0], values[0])
        return margin

    @property
    def mean_seconds(self) -> float:
        return sum(self.seconds) / len(self.seconds)

    @property
    def mean_tokens_per_second(self) -> float:
        return sum(self.tokens_per_second) / len(self.tokens_per_second)

    def to_dict(self) -> dict:
        acc, f1 = self.interval("accuracy"), self.interval("macro_f1")
        return {**asdict(self), "summary": {
            "accuracy_mean": acc.mean, "accuracy_low": acc.low, "accuracy_high": acc.high,
            "macro_f1_mean": f1.mean, "macro_f1_low": f1.low, "macro_f1_high": f1.high,
            "seconds_mean": self.mean_seconds, "tokens_per_second_mean": self.mean_tokens_per_second}}

    @classmethod
    def from_dict(cls, data: dict) -> "CurvePoint":
        return cls(**_known_fields(cls, data))


@dataclass
class CurveReport:
    """A finished (or cancelled) curve: its settings, points and what was measured around them."""

    config: CurveConfig
    points: list[CurvePoint] = field(default_factory=list)
    label_names: list[str] = field(default_factory=list)
    train_available: int = 0  # training examples the task has
    dev_count: int = 0
    test_count: int = 0
    adaptation: dict | None = None  # perplexity before/after, tokens, seconds of the adapted biLM
    note: str = ""
    seconds: float = 0.0
    device: str = "cpu"
    memory_method: str = MEMORY_METHOD
    cancelled: bool = False
    created: str = ""

    @property
    def strategies(self) -> list[str]:
        return [s for s in self.config.strategies if any(p.strategy == s for p in self.points)]

    @property
    def sizes(self) -> list[int]:
        return sorted({p.size for p in self.points})

    def point(self, strategy: str, size: int) -> CurvePoint | None:
        return next((p for p in self.points if p.strategy == strategy and p.size == size), None)

    def line(self, strategy: str) -> list[CurvePoint]:
        """The points of one strategy, by size."""
        return sorted((p for p in self.points if p.strategy == strategy), key=lambda p: p.size)

    def to_dict(self) -> dict:
        return {**{f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("config", "points")},
                "config": self.config.to_dict(), "points": [p.to_dict() for p in self.points]}

    @classmethod
    def from_dict(cls, data: dict) -> "CurveReport":
        data = dict(data)
        config = CurveConfig.from_dict(data.pop("config"))
        points = [CurvePoint.from_dict(p) for p in data.pop("points", [])]
        return cls(config=config, points=points, **_known_fields(cls, data))

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> "CurveReport":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def save_curves(reports: list[CurveReport], path: str | Path) -> Path:
    """Several curves (one per task) in one JSON file: ``{"curves": [...]}``."""
    path = Path(path)
    path.write_text(json.dumps({"curves": [r.to_dict() for r in reports]}, indent=1), encoding="utf-8")
    return path


def load_curves(path: str | Path) -> list[CurveReport]:
    """The curves of a file written by :func:`save_curves` (or one :meth:`CurveReport.save`)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not ("curves" in data or "points" in data):
        raise ValueError(f"{path} is not a learning-curve JSON file (no 'curves' or 'points')")
    return [CurveReport.from_dict(d) for d in data["curves"]] if "curves" in data else [CurveReport.from_dict(data)]


# ---------------------------------------------------------------------------------------- running
def _check_sizes(config: CurveConfig, data: TaskData) -> None:
    available = len(data.split("train"))
    too_big = [s for s in config.sizes if s > available]
    if too_big:
        unit = "sentences" if data.token_level else "examples"
        raise ValueError(f"{config.task} has {available:,} training {unit}; size(s) {', '.join(map(str, too_big))} "
                         "are larger")
    for split in ("dev", "test"):
        if len(data.split(split)) == 0:
            raise ValueError(f"{config.task}: the {split} split is empty; a CSV file needs rows of every split "
                             "(or none marked, so they are assigned 80/10/10)")
    if not data.token_level and len(set(data.split("train").labels)) < 2:
        raise ValueError(f"{config.task}: the training split has a single label; a classifier needs two or more")


def _adapted_model(config: CurveConfig, data: TaskData, log: Callable[[str], None]) -> tuple[LoadedModel, dict]:
    """The biLM adapted on the text of the task's training split (made once, kept in the cache)."""
    texts = data.split("train").texts
    key = hashlib.sha256("\n".join([config.model, str(config.adapt_tokens), *texts]).encode("utf-8")).hexdigest()[:12]
    folder = cache_dir() / "curve-adapted"
    out = folder / f"{config.task}-{key}"
    if not (out / "weights.hdf5").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        text = folder / f"{config.task}-{key}.txt"
        text.write_text("\n".join(t.replace("\n", " ") for t in texts) + "\n", encoding="utf-8")
        adapt(AdaptConfig(config.model, str(text), str(out), tokens=config.adapt_tokens, device=config.device,
                          num_threads=config.threads), progress=False, log=lambda *a, **k: None)
        text.unlink(missing_ok=True)
    record = json.loads((out / "training_summary.json").read_text(encoding="utf-8"))["adaptation"]
    log(f"adapted biLM: held-out perplexity {record['before']} -> {record['after']} in {record['seconds']:.0f}s")
    adaptation = {k: record[k] for k in ("before", "after", "tokens", "seconds", "train_lines", "heldout_lines")}
    return load_model(out, device=resolve_device(config.device)), adaptation


def _warm(cache: FeatureCache, loaded: LoadedModel, data: TaskData) -> None:
    """Embed dev and test once, before any clock starts (train_task then reads them)."""
    for split in ("dev", "test"):
        cache.get(loaded.bilm, loaded.fingerprint, data.cache_name(split), data.split(split).sentences)


class _Runner:
    """Trains the (strategy, size, seed) runs of one curve, reusing feature heads for two-stage runs."""

    def __init__(self, config: CurveConfig, data: TaskData, models: dict[str, LoadedModel], cache: FeatureCache,
                 adapt_seconds: float, cancel: CancelCheck | None):
        self.config, self.data, self.models, self.cache = config, data, models, cache
        self.adapt_seconds, self.cancel = adapt_seconds, cancel
        self.feature_runs: dict[tuple[int, int], tuple[TrainedTask, float, int]] = {}

    def task_config(self, strategy: str, seed: int, epochs: int) -> TaskConfig:
        return TaskConfig(task=self.data.task, dataset=self.data.dataset, model=self.config.model, strategy=strategy,
                          mix="scalar", epochs=epochs, patience=self.config.patience, lr=self.config.learning_rate,
                          batch_size=self.config.batch_size, seed=seed, device=self.config.device,
                          num_threads=self.config.threads)

    def _train(self, strategy: str, model: str, data: TaskData, seed: int, epochs: int,
               initial_head: dict | None = None) -> TrainedTask:
        return train_task(self.task_config(strategy, seed, epochs), model=self.models[model], data=data,
                          cache=self.cache, initial_head=initial_head, should_stop=self.cancel)

    def run(self, strategy: str, size: int, seed: int) -> tuple[TrainedTask, float, int]:
        """One seed of one point: (the trained task, training seconds, epochs trained)."""
        data = with_split_subset(self.data, "train", size, seed)
        c = self.config
        if strategy == "feature+finetune":
            first, seconds, epochs = self.feature_runs.get((size, seed)) or self.run("feature", size, seed)
            if first.result.cancelled:
                return first, seconds, epochs
            second = self._train("finetune", "mini", data, seed, c.second_stage_epochs, first.head.state_dict())
            return second, seconds + second.result.train_seconds, epochs + len(second.result.epochs)
        if strategy == "finetune":
            trained = self._train("finetune", "mini", data, seed, c.finetune_epochs)
            return trained, trained.result.train_seconds, len(trained.result.epochs)
        model = "adapted" if strategy == "adapted+feature" else "mini"
        trained = self._train("feature", model, data, seed, c.feature_epochs)
        seconds = trained.result.embed_seconds + trained.result.train_seconds
        # Every seed pays for embedding its training subset (at the largest size the seeds share one).
        loaded = self.models[model]
        self.cache.path_for(loaded.fingerprint, data.cache_name("train"), data.split("train").sentences).unlink(
            missing_ok=True)
        if strategy == "adapted+feature":
            seconds += self.adapt_seconds
        else:
            self.feature_runs[(size, seed)] = (trained, seconds, len(trained.result.epochs))
        return trained, seconds, len(trained.result.epochs)


def _ordered(strategies: tuple[str, ...]) -> list[str]:
    """Feature first, so feature+finetune can start from its heads."""
    return sorted(strategies, key=lambda s: (s != "feature", CURVE_STRATEGIES.index(s)))


def run_curve(config: CurveConfig, *, progress: CurveProgress | None = None, cancel: CancelCheck | None = None,
              log: Callable[[str], None] = lambda line: None, csv: bytes | IO[bytes] | None = None) -> CurveReport:
    """Train every strategy × size × seed of ``config`` and return the :class:`CurveReport`.

    ``progress(done, total, what)`` is called before each run and at the end; ``cancel()`` is polled
    between runs and inside them (every step); once it is True the report comes back with
    ``cancelled=True`` and the points whose seeds all finished. ``csv``: the csv task's file as
    bytes or an upload, instead of ``config.csv``'s path.
    """
    started = time.perf_counter()
    if config.threads:
        torch.set_num_threads(config.threads)
    data = load_curve_data(config.task, csv=csv if csv is not None else (config.csv or None))
    data = with_split_subset(with_split_subset(data, "dev", config.dev_size), "test", config.test_size)
    _check_sizes(config, data)
    device = resolve_device(config.device)
    report = CurveReport(config=config, label_names=list(data.label_names), train_available=len(data.split("train")),
                         dev_count=len(data.split("dev")), test_count=len(data.split("test")),
                         note=TASK_NOTES[config.task], device=str(device), created=date.today().isoformat())
    stopped = (lambda: False) if cancel is None else cancel
    strategies = _ordered(config.strategies)
    total = len(strategies) * len(config.sizes) * config.seeds
    tell = progress or (lambda done, total, what: None)
    tell(0, total, "loading the model")
    models = {"mini": load_model(config.model, device=device)}
    adapt_seconds = 0.0
    if "adapted+feature" in strategies:
        tell(0, total, f"adapting the biLM to the {config.task} training text ({config.adapt_tokens:,} tokens)")
        models["adapted"], report.adaptation = _adapted_model(config, data, log)
        adapt_seconds = float(report.adaptation["seconds"])
    with tempfile.TemporaryDirectory(prefix="curve-features-", dir=cache_dir()) as root:
        cache = FeatureCache(root)
        tell(0, total, "embedding dev and test")
        for name, loaded in models.items():
            if name == "adapted" or any(s in strategies for s in ("feature", "feature+finetune")):
                _warm(cache, loaded, data)
        runner = _Runner(config, data, models, cache, adapt_seconds, stopped)
        done = 0
        for size in config.sizes:
            for strategy in strategies:
                if stopped():
                    report.cancelled = True
                    break
                point = _run_point(runner, strategy, size, config.seeds, lambda what: tell(done, total, what))
                done += config.seeds
                if point is None:
                    report.cancelled = True
                    break
                report.points.append(point)
                acc = point.interval()
                log(f"{strategy} n={size}: accuracy {acc.mean:.4f} [{acc.low:.4f}, {acc.high:.4f}], "
                    f"{point.mean_seconds:.1f}s, peak {point.peak_mb:.0f} MB")
            if report.cancelled:
                break
    report.seconds = time.perf_counter() - started
    tell(done if report.cancelled else total, total, "cancelled" if report.cancelled else "done")
    return report


def _run_point(runner: _Runner, strategy: str, size: int, seeds: int,
               tell: Callable[[str], None]) -> CurvePoint | None:
    """All seeds of one point under one memory watch; None when cancelled before it finished."""
    point = CurvePoint(strategy, size, [], [], [], [], [], [])
    with PeakMemory() as peak:
        for seed in range(seeds):
            tell(f"{strategy}, {size} examples, seed {seed + 1} of {seeds}")
            trained, seconds, epochs = runner.run(strategy, size, seed)
            result = trained.result
            if result.cancelled or result.test is None:
                return None
            tokens = sum(len(s) for s in trained.data.split("train").sentences)
            point.seeds.append(seed)
            point.accuracy.append(float(result.test.accuracy))
            point.macro_f1.append(float(result.test.macro_f1))
            point.seconds.append(float(seconds))
            point.epochs.append(int(epochs))
            point.tokens_per_second.append(tokens * max(epochs, 1) / max(seconds, 1e-9))
    point.peak_mb, point.increase_mb = peak.peak_mb, peak.increase_mb
    return point

