"""
Train the sentiment heads that ship with a model and write their report.

:func:`ship_heads` is what ``elmo-explorer task ship-heads`` runs, in one go:

1. the bag-of-words logistic-regression baseline on the ``rt`` split;
2. the ``feature`` head (frozen biLM, cached features, learned scalar mix), one per pooling in
   ``feature_poolings``; the one with the best dev accuracy is kept;
3. the ``finetuned`` head: starts from the feature head and fine-tunes it together with a copy
   of the biLM on (a subset of) the training split; kept only if the head directory plus the
   model stays within ``size_limit_mb``;
4. ``<model dir>/heads/REPORT.md`` with test accuracy and macro F1 of all three, and the same
   numbers as a section of the model's ``MODEL_CARD.md`` (when it has one).
"""
from __future__ import annotations

import datetime as _dt
import math
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .baseline import BaselineResult, bow_logistic_regression
from .config import TaskConfig
from .data import TaskData, load_task_data, with_split_subset
from .features import FeatureCache, LoadedModel, load_model
from .heads import directory_size, heads_root, save_head
from .progress import TqdmProgress
from .results import RunResult
from .train import TrainedTask, train_task

__all__ = ["ShipConfig", "ShipReport", "ship_heads", "report_markdown", "card_section", "update_model_card",
           "CARD_HEADING"]

CARD_HEADING = "## Sentiment heads"


@dataclass
class ShipConfig:
    model: str = "mini"
    dataset: str = "rt"
    feature: TaskConfig = field(default_factory=lambda: TaskConfig(
        task="sentiment", strategy="feature", epochs=15, patience=3, lr=1e-3, num_threads=1))
    feature_poolings: tuple[str, ...] = ("meanmax", "bilstm")  # tried in turn, best dev accuracy wins
    finetune: TaskConfig = field(default_factory=lambda: TaskConfig(
        task="sentiment", strategy="finetune", epochs=2, patience=1, lr=1e-3, bilm_lr_ratio=0.1, num_threads=1,
        pooling="meanmax"))
    finetune_train_size: int = 0  # 0 = the whole training split
    sizes: tuple[int, int, int] = (0, 0, 0)  # train/dev/test examples (0 = all; smaller only for tests)
    with_finetune: bool = True
    size_limit_mb: float = 40.0  # model + heads
    progress: bool = True


@dataclass
class ShipReport:
    model: str
    model_fingerprint: str
    baseline: BaselineResult
    feature: RunResult
    finetuned: RunResult | None
    finetuned_kept: bool
    heads_dir: Path
    total_mb: float
    seconds: float
    note: str = ""
    feature_dev: dict[str, float] = field(default_factory=dict)  # dev accuracy per pooling tried


def _cfg(config: TaskConfig, ship: ShipConfig) -> TaskConfig:
    return replace(config, model=ship.model, dataset=ship.dataset, train_size=0, dev_size=0, test_size=0)


def _feature_head(ship: ShipConfig, loaded: LoadedModel, data: TaskData) -> tuple[TrainedTask, dict[str, float]]:
    """Train one feature head per pooling; the best on dev, and every candidate's dev accuracy."""
    base, cache = _cfg(ship.feature, ship), FeatureCache()
    best, dev_scores = None, {}
    for pooling in ship.feature_poolings or (base.pooling,):
        config = replace(base, pooling=pooling)
        steps = config.epochs * math.ceil(len(data.split("train")) / config.batch_size)
        progress = TqdmProgress(f"feature ({pooling})", steps, disable=not ship.progress)
        candidate = train_task(config, model=loaded, data=data, cache=cache, callback=progress)
        progress.close()
        dev_scores[pooling] = candidate.result.dev.accuracy
        print(f"feature head, {pooling} pooling: dev accuracy {dev_scores[pooling]:.4f}")
        if best is None or dev_scores[pooling] > best.result.dev.accuracy:
            best = candidate
    return best, dev_scores


def _finetuned_head(ship: ShipConfig, loaded: LoadedModel, data: TaskData, feature: TrainedTask) -> TrainedTask:
    """Fine-tune a copy of the biLM with the feature head (same settings) as the starting head."""
    chosen = TaskConfig.from_dict(feature.result.config)
    config = replace(_cfg(ship.finetune, ship), mix=chosen.mix, layer_norm=chosen.layer_norm, pooling=chosen.pooling,
                     bilstm_hidden=chosen.bilstm_hidden, state=chosen.state, feature_norm=chosen.feature_norm,
                     learn_gamma=chosen.learn_gamma)
    subset = with_split_subset(data, "train", ship.finetune_train_size, config.seed)
    steps = config.epochs * math.ceil(len(subset.split("train")) / config.batch_size)
    progress = TqdmProgress("finetune", steps, disable=not ship.progress)
    trained = train_task(config, model=loaded, data=subset, callback=progress, initial_head=feature.head.state_dict())
    progress.close()
    return trained


def ship_heads(ship: ShipConfig | None = None) -> ShipReport:
    """Train and write the shipped sentiment heads of ``ship.model`` (see the module docstring)."""
    ship = ship or ShipConfig()
    started = time.perf_counter()
    device = None if ship.feature.device == "auto" else ship.feature.device
    loaded = load_model(ship.model, state=ship.feature.state, device=device)
    root = heads_root(loaded.directory)
    data = load_task_data("sentiment", ship.dataset, train_size=ship.sizes[0], dev_size=ship.sizes[1],
                          test_size=ship.sizes[2])
    baseline = bow_logistic_regression(data)
    print(f"baseline {baseline.name} ({baseline.setting}): test accuracy {baseline.test.accuracy:.4f}, "
          f"macro F1 {baseline.test.macro_f1:.4f}")

    feature, dev_scores = _feature_head(ship, loaded, data)
    save_head(root / "feature", feature)
    print(f"feature head: test accuracy {feature.result.test.accuracy:.4f}, macro F1 {feature.result.test.macro_f1:.4f}")

    finetuned, kept, note = None, False, ""
    if ship.with_finetune:
        trained = _finetuned_head(ship, loaded, data, feature)
        finetuned = trained.result
        save_head(root / "finetuned", trained, with_bilm=True)
        total = directory_size(loaded.directory) / 2**20  # the model files plus every head
        if total > ship.size_limit_mb:
            shutil.rmtree(root / "finetuned")
            note = f"fine-tuned head dropped: {total:.1f} MB > {ship.size_limit_mb} MB"
        else:
            kept = True
        print(f"fine-tuned head: test accuracy {finetuned.test.accuracy:.4f}, macro F1 {finetuned.test.macro_f1:.4f}"
              + (f" ({note})" if note else ""))
    elif (root / "finetuned").exists():
        shutil.rmtree(root / "finetuned")
    report = ShipReport(ship.model, loaded.fingerprint, baseline, feature.result, finetuned, kept, root,
                        directory_size(loaded.directory) / 2**20, time.perf_counter() - started, note, dev_scores)
    (root / "REPORT.md").write_text(report_markdown(report), encoding="utf-8")
    update_model_card(loaded.directory / "MODEL_CARD.md", card_section(report))
    return report


def card_section(report: ShipReport) -> str:
    """The model card's section on the shipped heads: test accuracy and macro F1 against the baseline."""
    b, f, ft = report.baseline, report.feature, report.finetuned
    rows = [("bag-of-words logistic regression (baseline)", b.test),
            ("feature ensemble (frozen biLM, scalar mix), `load_classifier(\"default\")`", f.test)]
    if ft is not None and report.finetuned_kept:
        rows.append(("fine-tuned biLM, `load_classifier(\"finetuned\")`", ft.test))
    winner = max(rows, key=lambda row: row[1].accuracy)
    lines = [CARD_HEADING, "",
             f"On the `rt` movie-review test split ({f.sizes['test']} snippets), written by "
             "`elmo-explorer task ship-heads` (details: `heads/REPORT.md`):", "",
             "| classifier | test accuracy | test macro F1 |", "|---|---:|---:|"]
    lines += [f"| {name} | {test.accuracy:.4f} | {test.macro_f1:.4f} |" for name, test in rows]
    verdict = ("the baseline; this model's heads do not beat bag-of-words on this task"
               if winner is rows[0] else winner[0])
    lines += ["", f"Best on test accuracy: {verdict}.", ""]
    return "\n".join(lines)


def update_model_card(card: Path, section: str) -> bool:
    """Put ``section`` (starting with its ``## `` heading) into the card: replace the section of
    that heading, or insert it before ``## Perplexity during training`` (else at the end).
    Returns False when there is no card."""
    if not card.is_file():
        return False
    heading = section.splitlines()[0]
    lines = card.read_text(encoding="utf-8").splitlines()
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    else:
        anchor = "## Perplexity during training"
        start = end = lines.index(anchor) if anchor in lines else len(lines)
    new = lines[:start] + section.rstrip("\n").splitlines() + [""] + lines[end:]
    card.write_text("\n".join(new).rstrip("\n") + "\n", encoding="utf-8")
    return True


def _row(name: str, accuracy: float, f1: float, base: BaselineResult, seconds: float, extra: str = "") -> str:
    gain = 100 * (accuracy - base.test.accuracy)
    return f"| {name} | {accuracy:.4f} | {f1:.4f} | {gain:+.1f} | {seconds:.0f} | {extra} |"


def _describe(r: RunResult) -> str:
    c = r.config
    weights = " / ".join(f"{w:.2f}" for w in r.final_weights)
    return (f"{c['mix']} mix (s = {weights}, γ = {r.final_gamma:.2f}), {c['pooling']} pooling, "
            f"train {r.sizes['train']}, best epoch {r.best_epoch}/{len(r.epochs)}")


def report_markdown(report: ShipReport) -> str:
    """The ``REPORT.md`` of the shipped heads."""
    b, f = report.baseline, report.feature
    sizes = f.sizes
    lines = [
        f"# Sentiment heads of `{report.model}`",
        "",
        f"Written by `elmo-explorer task ship-heads` on {_dt.date.today().isoformat()}, "
        f"model weights fingerprint `{report.model_fingerprint[:16]}`, device {f.device}, "
        f"{report.seconds / 60:.1f} min in total.",
        "",
        f"Data: the `rt` movie-review snippets (`elmo_core.sentiment_data`), train {sizes['train']} / "
        f"dev {sizes['dev']} / test {sizes['test']}. All numbers are on the **test** split; early "
        f"stopping and the baseline's C use dev only. Δ is accuracy points over the baseline.",
        "",
        "| classifier | test accuracy | test macro F1 | Δ vs baseline | train time (s) | notes |",
        "|---|---:|---:|---:|---:|---|",
        _row("bag-of-words logistic regression (baseline)", b.test.accuracy, b.test.macro_f1, b, b.seconds,
             f"uni+bigrams, {b.setting}"),
        _row("`feature`: frozen biLM + scalar mix (default)", f.test.accuracy, f.test.macro_f1, b,
             f.train_seconds + f.embed_seconds, _describe(f)),
    ]
    if report.finetuned is not None:
        ft = report.finetuned
        kept = "shipped" if report.finetuned_kept else "not shipped"
        lines.append(_row(f"`finetuned`: biLM fine-tuned ({kept})", ft.test.accuracy, ft.test.macro_f1, b,
                          ft.train_seconds, _describe(ft) + f", biLM lr × {ft.config['bilm_lr_ratio']}"))
    best = max([("baseline", b.test.accuracy), ("feature", f.test.accuracy)]
               + ([("finetuned", report.finetuned.test.accuracy)] if report.finetuned else []), key=lambda x: x[1])
    lines += ["", f"Best on test accuracy: **{best[0]}**. Model directory with heads: {report.total_mb:.1f} MB."]
    if report.feature_dev:
        tried = ", ".join(f"{p} {a:.4f}" for p, a in report.feature_dev.items())
        lines += ["", f"Feature-head pooling chosen on dev accuracy ({tried})."]
    if report.finetuned is not None:
        lines += ["", "The fine-tuned head starts from the feature head and trains it together with a copy of the "
                      f"biLM on {report.finetuned.sizes['train']} training examples "
                      f"({report.finetuned.config['epochs']} epoch(s); a CPU time budget)."]
    if report.note:
        lines += ["", report.note]
    return "\n".join(lines) + "\n"
