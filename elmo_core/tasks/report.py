"""
The downstream grid: tasks × strategies × mixes, with a baseline per task.

:func:`run_grid` trains every cell of ``{sentiment, pos} × {feature, finetune} ×
{scalar, layer0, layer1, layer2}`` (all configurable, with subset sizes and epochs so a run can
take minutes), :func:`markdown_table` turns the results into a table (test score, gain over the
baseline in points, train time) and :func:`write_report` writes ``REPORT.md``, ``report.html``
(Plotly, no images) and ``results.json`` into a directory.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import plotly.io as pio

from .baseline import BaselineResult, run_baseline
from .config import MIXES, STRATEGIES, TaskConfig
from .static_inputs import INPUTS
from .data import TASKS, load_task_data
from .features import FeatureCache, LoadedModel, load_model
from .plots import ablation_figure, learned_weights_figure, mix_figure
from .results import RunResult
from .train import train_task

__all__ = ["GridConfig", "GridResult", "run_grid", "markdown_table", "write_report"]


@dataclass
class GridConfig:
    """Which cells to run and how big each run is. Sizes are (train, dev, test); 0 = all."""

    tasks: tuple[str, ...] = TASKS
    strategies: tuple[str, ...] = STRATEGIES
    mixes: tuple[str, ...] = MIXES
    inputs: tuple[str, ...] = ("elmo",)  # elmo, static, static+elmo (static: one cell per task)
    model: str = "mini"
    sentiment_sizes: tuple[int, int, int] = (600, 200, 300)
    pos_sizes: tuple[int, int, int] = (200, 60, 0)
    sentiment_lr: float = 1e-3
    pos_lr: float = 1e-2  # few tagged sentences -> few steps per epoch; a larger step size converges
    feature_epochs: int = 20
    finetune_epochs: int = 2
    seed: int = 0
    base: TaskConfig = field(default_factory=TaskConfig)  # other settings of every run

    def __post_init__(self) -> None:
        for name, allowed in (("tasks", TASKS), ("strategies", STRATEGIES), ("mixes", MIXES), ("inputs", INPUTS)):
            values = tuple(getattr(self, name))
            setattr(self, name, values)
            bad = [v for v in values if v not in allowed]
            if bad or not values:
                raise ValueError(f"{name} must be a non-empty subset of {allowed}, got {values}")

    def cell(self, task: str, strategy: str, mix: str, inputs: str = "elmo") -> TaskConfig:
        train, dev, test = self.sentiment_sizes if task == "sentiment" else self.pos_sizes
        epochs = self.feature_epochs if strategy == "feature" else self.finetune_epochs
        lr = self.sentiment_lr if task == "sentiment" else self.pos_lr
        return replace(self.base, task=task, strategy=strategy, mix=mix, inputs=inputs, model=self.model,
                       train_size=train, dev_size=dev, test_size=test, epochs=epochs, lr=lr, seed=self.seed,
                       dataset="")

    def cells(self) -> list[TaskConfig]:
        """Every task × inputs × strategy × mix; static vectors alone read no biLM, so they get one
        cell per task (feature strategy, no mix)."""
        cells = []
        for t in self.tasks:
            for i in self.inputs:
                if i == "static":
                    cells.append(self.cell(t, "feature", "scalar", i))
                else:
                    cells += [self.cell(t, s, m, i) for s in self.strategies for m in self.mixes]
        return cells


@dataclass
class GridResult:
    runs: list[RunResult]
    baselines: dict[str, BaselineResult]
    seconds: float

    def to_dict(self) -> dict:
        return {"runs": [r.to_dict() for r in self.runs],
                "baselines": {k: v.to_dict() for k, v in self.baselines.items()}, "seconds": self.seconds}

    @classmethod
    def from_dict(cls, data: dict) -> "GridResult":
        return cls([RunResult.from_dict(r) for r in data["runs"]],
                   {k: BaselineResult.from_dict(v) for k, v in data["baselines"].items()}, data["seconds"])


def run_grid(grid: GridConfig, *, model: LoadedModel | None = None, cache: FeatureCache | None = None,
             log: Callable[[str], None] = print) -> GridResult:
    """Train every cell of ``grid`` (one model load, features embedded once per task).

    A ``finetune`` cell starts from the trained ``feature`` head of the same task and mix when
    the grid has one (as the shipped fine-tuned head does), so that a couple of fine-tuning
    epochs refine a working head instead of training one from scratch.
    """
    started = time.perf_counter()
    loaded = model or load_model(grid.model, state=grid.base.state)
    cache = cache or FeatureCache()
    runs, baselines = [], {}
    cells = grid.cells()
    for task in grid.tasks:
        first = grid.cell(task, grid.strategies[0], grid.mixes[0])
        data = load_task_data(task, first.dataset, train_size=first.train_size, dev_size=first.dev_size,
                              test_size=first.test_size, seed=first.seed, coarse_tags=first.coarse_tags)
        baselines[task] = run_baseline(data)
        log(f"[{task}] baseline {baselines[task].name}: test accuracy {baselines[task].test.accuracy:.4f}")
        feature_heads = {}
        for config in sorted((c for c in cells if c.task == task), key=lambda c: c.strategy != "feature"):
            key = (config.inputs, config.mix)
            start = feature_heads.get(key) if config.strategy == "finetune" else None
            trained = train_task(config, model=loaded, data=data, cache=cache, initial_head=start)
            if config.strategy == "feature":
                feature_heads[key] = trained.head.state_dict()
            result = trained.result
            runs.append(result)
            log(f"[{len(runs)}/{len(cells)}] {config.label()}: test accuracy {result.test.accuracy:.4f}, "
                f"macro F1 {result.test.macro_f1:.4f}, {result.train_seconds:.0f}s")
    return GridResult(runs, baselines, time.perf_counter() - started)


def _weights(r: RunResult) -> str:
    return " / ".join(f"{w:.2f}" for w in r.final_weights) or "–"


INPUT_NAMES = {"elmo": "ELMo", "static": "GloVe", "static+elmo": "GloVe ⊕ ELMo"}


def markdown_table(grid: GridResult) -> str:
    """One row per run: test accuracy and macro F1, gain over the task's baseline, time, mix."""
    lines = [
        "| task | inputs | strategy | mix | test acc | test macro F1 | Δ acc vs baseline | train time (s) | s0 / s1 / s2 | γ |",
        "|---|---|---|---|---:|---:|---:|---:|---|---:|",
    ]
    for task, base in grid.baselines.items():
        lines.append(f"| {task} | – | baseline: {base.name} {base.setting} | – | {base.test.accuracy:.4f} | "
                     f"{base.test.macro_f1:.4f} | – | {base.seconds:.1f} | – | – |")
        for r in (r for r in grid.runs if r.config["task"] == task):
            test = r.test
            gain = 100 * (test.accuracy - base.test.accuracy) if test else float("nan")
            static_only = r.config.get("inputs") == "static"
            lines.append(f"| {task} | {INPUT_NAMES[r.config.get('inputs', 'elmo')]} | "
                         f"{'–' if static_only else r.config['strategy']} | {'–' if static_only else r.config['mix']} | "
                         f"{test.accuracy:.4f} | {test.macro_f1:.4f} | {gain:+.1f} pts | "
                         f"{r.train_seconds + r.embed_seconds:.1f} | {_weights(r)} | {r.final_gamma:.2f} |")
    return "\n".join(lines)


def _sizes(grid: GridResult) -> str:
    seen = {}
    for r in grid.runs:
        seen.setdefault(r.config["task"], r.sizes)
    return ", ".join(f"{task}: train {s['train']}, dev {s['dev']}, test {s['test']}" for task, s in seen.items())


def write_report(grid: GridResult, out_dir: str | Path, *, title: str = "Downstream grid") -> Path:
    """Write ``REPORT.md``, ``report.html`` and ``results.json`` into ``out_dir``; returns it."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    device = grid.runs[0].device if grid.runs else "cpu"
    text = (f"# {title}\n\nExamples per split: {_sizes(grid)}. Device: {device}. "
            f"Total time {grid.seconds:.0f}s. Δ is in accuracy points against the baseline on the same "
            f"test examples; train time includes feature embedding (only the first run of a task "
            f"embeds; later ones read the cache).\n\n{markdown_table(grid)}\n")
    (out / "REPORT.md").write_text(text, encoding="utf-8")
    (out / "results.json").write_text(json.dumps(grid.to_dict(), indent=1), encoding="utf-8")
    figures = []
    for task in grid.baselines:
        runs = [r for r in grid.runs if r.config["task"] == task]
        figures.append(learned_weights_figure(runs, f"{task}: learned layer weights"))
        figures.append(ablation_figure(runs, title=f"{task}: per-layer ablation (test accuracy)"))
        for r in runs:
            if r.config["mix"] == "scalar" and r.steps and r.final_weights:
                figures.append(mix_figure(r.steps, f"{task}/{r.config['strategy']}: mix weights and γ per step"))
    parts = [f"<h1>{title}</h1>", f"<p>Examples per split: {_sizes(grid)}.</p>"]
    for i, fig in enumerate(figures):
        parts.append(pio.to_html(fig, include_plotlyjs=(i == 0), full_html=False))
    (out / "report.html").write_text("<!doctype html><html><head><meta charset='utf-8'></head><body>"
                                     + "\n".join(parts) + "</body></html>", encoding="utf-8")
    return out
