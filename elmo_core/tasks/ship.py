"""
Train the sentiment heads that ship with a model, compare the input choices, and write the report.

:func:`ship_heads` is what ``elmo-explorer task ship-heads`` runs, in one go:

1. two bag-of-words logistic-regression baselines: on ``rt`` alone (the reference figure) and on
   the training mixture;
2. one ``feature`` head (frozen biLM, cached features, learned scalar mix) per input choice in
   ``compare_inputs``: static word vectors only, ELMo only, and static ⊕ ELMo (the paper's
   ``[x_k; ELMo_k]``); the inputs with the best mean of ``rt`` dev and negation dev accuracy
   ship as ``load_classifier("default")``: that head and one more per other seed of
   ``ensemble_seeds``, their logits averaged (:mod:`elmo_core.tasks.ensemble`);
3. one ``finetune`` head per choice in ``finetune_inputs``, each starting from the feature head
   of the same inputs and trained with a copy of the biLM on a subset of the training mixture;
   the one with the default's inputs (else the best on dev) ships as ``"finetuned"`` when the
   model plus heads stay within ``size_limit_mb`` (:data:`~elmo_core.tasks.saved_heads.SIZE_BUDGET_MB`);
4. every head is scored on ``rt`` test, the negation test set (per label too, with the share of
   texts it calls positive: :mod:`elmo_core.tasks.label_balance`) and IMDB test reviews, and its
   probabilities are calibrated on ``rt`` dev (temperature scaling);
5. ``<model dir>/heads/REPORT.md`` with all of it, and the headline numbers as a section of the
   model's ``MODEL_CARD.md`` (when it has one).

A head with static inputs is trained, evaluated and shipped with the same trimmed table
(``static_top`` most frequent GloVe words plus every word of the training data), so the figures
are those of the shipped files.
"""
from __future__ import annotations

import datetime as _dt
import math
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..datasets.glove import StaticVectors
from .baseline import BaselineResult, bow_logistic_regression
from .calibration import expected_calibration_error, fit_temperature, softmax
from .config import TaskConfig
from .data import TaskData, load_task_data, with_split_subset
from .ensemble import ensemble_task
from .evaluation import MAX_TOKENS, evaluation_data, head_logits, split_logits
from .features import FeatureCache, LoadedModel, load_model
from .label_balance import balance_cells, balance_text
from .metrics import ClassificationReport, classification_report
from .ngram import NgramModel, add_margins, choose_ngram_weight, fit_ngram_model
from .progress import TqdmProgress
from .results import RunResult
from .saved_heads import SIZE_BUDGET_MB, directory_size, heads_root, save_head
from .static_inputs import load_static, trim_vectors, uses_static
from .train import TrainedTask, train_task

__all__ = ["ShipConfig", "ShipReport", "HeadRun", "ship_heads", "train_head", "train_ensemble", "score_head",
           "set_logits", "report_markdown", "card_section", "update_model_card", "CARD_HEADING", "INPUT_TITLES"]

CARD_HEADING = "## Sentiment heads"
INPUT_TITLES = {"static": "GloVe only", "elmo": "ELMo only", "static+elmo": "GloVe ⊕ ELMo"}
POOLING_TITLES = {"attention": ", attention pooling"}  # the biLSTM's mean and max pooling is the unnamed default


@dataclass
class ShipConfig:
    model: str = "mini"
    # training mixture, chosen on dev (reports/sentiment-mixtures.md); dev and test are rt's
    dataset: str = "rt+imdb-sentences+rt-contrast+negation-frames"
    imdb_reviews: int = 2000  # IMDB reviews per split for the imdb sources of the mixture
    feature: TaskConfig = field(default_factory=lambda: TaskConfig(
        task="sentiment", strategy="feature", pooling="bilstm", epochs=8, patience=2, lr=2e-3, num_threads=1))
    compare_inputs: tuple[str, ...] = ("static", "elmo", "static+elmo")
    ensemble_seeds: tuple[int, ...] = (0, 1, 2, 3)  # the default head: one head per seed, logits averaged
    ngram_weights: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)  # n-gram member weights tried on dev
    ngram_min_count: int = 2  # n-grams of fewer training texts are left out of the n-gram member
    finetune: TaskConfig = field(default_factory=lambda: TaskConfig(
        task="sentiment", strategy="finetune", epochs=1, patience=1, lr=1e-3, bilm_lr_ratio=0.1, num_threads=1))
    finetune_inputs: tuple[str, ...] = ("elmo", "static+elmo")
    finetune_train_size: int = 3000  # 0 = the whole training mixture
    eval_imdb_reviews: int = 500  # IMDB test reviews scored (0 = all 2,511)
    static_top: int = 30_000  # most frequent static words kept beside the training vocabulary
    sizes: tuple[int, int, int] = (0, 0, 0)  # train/dev/test examples (0 = all; smaller only for tests)
    with_finetune: bool = True
    size_limit_mb: float = SIZE_BUDGET_MB  # model + heads
    progress: bool = True


@dataclass
class HeadRun:
    """One trained head of the comparison, with its scores beyond ``rt`` and its calibration."""

    strategy: str
    inputs: str
    result: RunResult
    extra: dict[str, ClassificationReport]  # "negation-dev", "negation", "imdb"
    temperature: float = 1.0
    ece_dev: tuple[float, float] = (0.0, 0.0)  # expected calibration error on rt dev: before, after
    trained: TrainedTask | None = field(default=None, repr=False)
    ngram: NgramModel | None = field(default=None, repr=False)  # the n-gram member, if any
    ngram_weight: float = 0.0

    @property
    def members(self) -> int:
        return self.trained.head_config.members if self.trained is not None else 1

    @property
    def single(self) -> bool:
        """One head, no n-gram member: a run of the input comparison."""
        return self.members == 1 and self.ngram is None

    @property
    def title(self) -> str:
        seeds = f", {self.members} seeds averaged" if self.members > 1 else ""
        ngram = f", + n-grams × {self.ngram_weight:g}" if self.ngram is not None else ""
        pooling = POOLING_TITLES.get(self.result.config.get("pooling", ""), "")
        return (f"{INPUT_TITLES[self.inputs]}, {'frozen biLM' if self.strategy == 'feature' else 'fine-tuned biLM'}"
                f"{pooling}{seeds}{ngram}")

    def dev_score(self) -> float:
        """What picks the shipped head: the mean of rt dev and negation dev accuracy."""
        return (self.result.dev.accuracy + self.extra["negation-dev"].accuracy) / 2


@dataclass
class ShipReport:
    model: str
    model_fingerprint: str
    baseline: BaselineResult  # bag of words on rt train (the reference)
    feature: RunResult  # the shipped default head
    finetuned: RunResult | None
    finetuned_kept: bool
    heads_dir: Path
    total_mb: float
    seconds: float
    note: str = ""
    feature_dev: dict[str, float] = field(default_factory=dict)  # dev score per compared input choice
    runs: list[HeadRun] = field(default_factory=list)
    mixture_baseline: BaselineResult | None = None  # bag of words on the training mixture
    dataset: str = "rt"
    sizes: dict[str, int] = field(default_factory=dict)
    chosen: HeadRun | None = None  # the run shipped as the default head
    ngram: NgramModel | None = None  # the n-gram model fitted on the mixture (shipped when chosen.ngram is it)
    ngram_dev: dict[float, float] = field(default_factory=dict)  # n-gram weight -> mean dev accuracy
    ngram_alone: BaselineResult | None = None  # the n-gram model's own scores
    written_by: str = "`elmo-explorer task ship-heads`"  # what wrote the report (a script may assemble one)


def _cfg(config: TaskConfig, ship: ShipConfig, inputs: str) -> TaskConfig:
    return replace(config, model=ship.model, dataset=ship.dataset, inputs=inputs, imdb_reviews=ship.imdb_reviews,
                   train_size=0, dev_size=0, test_size=0)


SCORED_SETS = {"negation-dev": ("negation", "dev"), "negation": ("negation", "test"), "imdb": ("imdb", "test")}


def set_logits(trained: TrainedTask, ship: ShipConfig, cache: FeatureCache, data: TaskData, *,
               with_test: bool = False) -> dict[str, tuple[list[list[str]], np.ndarray, np.ndarray]]:
    """``{set: (token lists, labels (n,), logits (n, C))}`` of ``trained`` on ``data``'s dev
    (``"dev"``; and test, ``"test"``, if ``with_test``: training already scored it), from the
    features its training cached, and on :data:`SCORED_SETS`."""
    out = {split: (data.split(split).sentences, data.split(split).flat_labels(), split_logits(trained, split, cache=cache))
           for split in (("dev", "test") if with_test else ("dev",))}
    for key, (name, split) in SCORED_SETS.items():
        part = evaluation_data(name, split, imdb_reviews=ship.eval_imdb_reviews).split("test")
        out[key] = (part.sentences, part.flat_labels(),
                    head_logits(trained, part.sentences, f"{name}-{split}-{MAX_TOKENS}", cache=cache))
    return out


def score_head(trained: TrainedTask, ship: ShipConfig, cache: FeatureCache, data: TaskData, *,
               logits: dict | None = None, ngram: NgramModel | None = None, ngram_weight: float = 0.0) -> HeadRun:
    """``trained`` scored on negation dev and test and IMDB test, and calibrated on ``data``'s dev;
    with ``ngram`` and ``ngram_weight`` > 0, the head plus that n-gram member (scored on rt dev
    and test too). ``logits`` is :func:`set_logits`'s result, when already computed."""
    if ngram is None or ngram_weight <= 0:
        ngram, ngram_weight = None, 0.0
    logits = logits or set_logits(trained, ship, cache, data, with_test=ngram is not None)
    if ngram is not None:
        logits = {k: (s, y, add_margins(z, ngram.margins(s), ngram_weight)) for k, (s, y, z) in logits.items()}
    reports = {k: classification_report(y, z.argmax(-1), data.label_names) for k, (_, y, z) in logits.items()}
    _, labels, dev_logits = logits["dev"]
    temperature = fit_temperature(dev_logits, labels)
    ece = (expected_calibration_error(softmax(dev_logits), labels),
           expected_calibration_error(softmax(dev_logits, temperature), labels))
    if ngram is not None:  # the head's own result, with the dev and test scores of head + n-grams
        trained = replace(trained, result=replace(trained.result, dev=reports["dev"], test=reports["test"]))
    config = trained.result.config
    return HeadRun(config["strategy"], config["inputs"], trained.result, {k: reports[k] for k in SCORED_SETS},
                   temperature, ece, trained, ngram, ngram_weight)


def train_head(config: TaskConfig, label: str, ship: ShipConfig, loaded: LoadedModel, data: TaskData,
               cache: FeatureCache, static: StaticVectors | None, **kwargs) -> TrainedTask:
    """One head of the shipped recipe trained on ``data``, with a progress bar named ``label``."""
    steps = config.epochs * math.ceil(len(data.split("train")) / config.batch_size)
    progress = TqdmProgress(label, steps, disable=not ship.progress)
    try:
        return train_task(config, model=loaded, data=data, cache=cache, callback=progress,
                          static=static if uses_static(config.inputs) else None, **kwargs)
    finally:
        progress.close()


def train_ensemble(first: HeadRun, ship: ShipConfig, loaded: LoadedModel, data: TaskData, cache: FeatureCache,
                   static: StaticVectors | None) -> TrainedTask:
    """``first``'s head and one more head of its config per other seed of ``ship.ensemble_seeds``,
    as one ensemble (logits averaged)."""
    config = TaskConfig.from_dict(first.result.config)
    members = [first.trained]
    for seed in ship.ensemble_seeds:
        if seed != config.seed:
            members.append(train_head(replace(config, seed=seed), f"feature ({config.inputs}, seed {seed})", ship,
                                      loaded, data, cache, static))
    return ensemble_task(members, cache=cache)


def _print(run: HeadRun) -> None:
    r, e = run.result, run.extra
    print(f"{run.title}: rt dev {r.dev.accuracy:.4f}, rt test {r.test.accuracy:.4f}, negation test "
          f"{e['negation'].accuracy:.4f}, IMDB test {e['imdb'].accuracy:.4f}, T = {run.temperature:.2f}")


def ship_heads(ship: ShipConfig | None = None) -> ShipReport:
    """Train, compare and write the shipped sentiment heads of ``ship.model`` (see the module docstring)."""
    ship = ship or ShipConfig()
    started = time.perf_counter()
    device = None if ship.feature.device == "auto" else ship.feature.device
    loaded = load_model(ship.model, state=ship.feature.state, device=device)
    root = heads_root(loaded.directory)
    data = load_task_data("sentiment", ship.dataset, train_size=ship.sizes[0], dev_size=ship.sizes[1],
                          test_size=ship.sizes[2], imdb_reviews=ship.imdb_reviews)
    cache = FeatureCache()
    extra_data = {"negation": evaluation_data("negation", "test"),
                  "imdb": evaluation_data("imdb", "test", imdb_reviews=ship.eval_imdb_reviews)}
    rt_data = data if ship.dataset == "rt" else load_task_data(
        "sentiment", "rt", train_size=ship.sizes[0], dev_size=ship.sizes[1], test_size=ship.sizes[2])
    baseline = bow_logistic_regression(rt_data, extra=extra_data)
    mixture_baseline = None if ship.dataset == "rt" else bow_logistic_regression(data, extra=extra_data)
    for name, b in (("rt", baseline), (ship.dataset, mixture_baseline)):
        if b is not None:
            print(f"bag of words on {name}: rt test {b.test.accuracy:.4f}, negation test "
                  f"{b.extra['negation'].accuracy:.4f}, IMDB test {b.extra['imdb'].accuracy:.4f}")
    baselines = {"rt": _bow_scores(baseline), "mixture": _bow_scores(mixture_baseline or baseline)}
    static = None
    if any(uses_static(i) for i in (*ship.compare_inputs, *ship.finetune_inputs)):
        static = trim_vectors(load_static(ship.feature.static_vectors), data.split("train").sentences,
                              top=ship.static_top)

    runs: list[HeadRun] = []
    for inputs in ship.compare_inputs:
        config = _cfg(ship.feature, ship, inputs)
        runs.append(score_head(train_head(config, f"feature ({inputs})", ship, loaded, data, cache, static), ship, cache, data))
        _print(runs[-1])
    chosen = max(runs, key=HeadRun.dev_score)
    with_ngram = any(w > 0 for w in ship.ngram_weights)
    logits = None
    if len(ship.ensemble_seeds) > 1:
        ensemble = train_ensemble(chosen, ship, loaded, data, cache, static)
        logits = set_logits(ensemble, ship, cache, data, with_test=with_ngram)  # computed once, used twice
        chosen = score_head(ensemble, ship, cache, data, logits=logits)
        runs.append(chosen)
        _print(chosen)
    ngram_dev: dict[float, float] = {}
    ngram = ngram_alone = None
    if with_ngram:
        ngram, _ = fit_ngram_model(data, min_count=ship.ngram_min_count)
        logits = logits or set_logits(chosen.trained, ship, cache, data, with_test=True)
        ngram_alone = _ngram_baseline(ngram, logits, data.label_names)
        weight, ngram_dev = choose_ngram_weight({k: logits[k] for k in ("dev", "negation-dev")}, ngram,
                                                ship.ngram_weights)
        if weight > 0:
            chosen = score_head(chosen.trained, ship, cache, data, logits=logits, ngram=ngram, ngram_weight=weight)
            runs.append(chosen)
            _print(chosen)
    save_head(root / "feature", chosen.trained, static=static, temperature=chosen.temperature,
              extra=_extra_dict(chosen, baselines), ngram=chosen.ngram, ngram_weight=chosen.ngram_weight)

    finetuned, kept, note = None, False, ""
    if ship.with_finetune:
        subset = with_split_subset(data, "train", ship.finetune_train_size, ship.finetune.seed)
        by_inputs = {run.inputs: run for run in runs if run.single}
        for inputs in ship.finetune_inputs:
            start = by_inputs.get(inputs)
            if start is None:
                continue
            base = TaskConfig.from_dict(start.result.config)
            config = replace(_cfg(ship.finetune, ship, inputs), mix=base.mix, layer_norm=base.layer_norm,
                             pooling=base.pooling, bilstm_hidden=base.bilstm_hidden, state=base.state,
                             feature_norm=base.feature_norm, learn_gamma=base.learn_gamma)
            trained = train_head(config, f"finetune ({inputs})", ship, loaded, subset, cache, static,
                             initial_head=start.trained.head.state_dict())
            runs.append(score_head(trained, ship, cache, data))
            _print(runs[-1])
        tuned = [r for r in runs if r.strategy == "finetune"]
        # the fine-tuned head of the default's inputs, else (GloVe only has no biLM) the best on dev
        finetuned = next((r for r in tuned if r.inputs == chosen.inputs), None) or max(
            tuned, key=HeadRun.dev_score, default=None)
        if finetuned is not None:
            save_head(root / "finetuned", finetuned.trained, with_bilm=True, static=static,
                      temperature=finetuned.temperature, extra=_extra_dict(finetuned, baselines))
            total = directory_size(loaded.directory) / 2**20  # the model files plus every head
            if total > ship.size_limit_mb:
                shutil.rmtree(root / "finetuned")
                note = (f"The fine-tuned head is not shipped: with its own copy of the biLM the model directory "
                        f"would be {total:.1f} MB, over the {ship.size_limit_mb:g} MB budget.")
            else:
                kept = True
    if not kept and (root / "finetuned").exists():
        shutil.rmtree(root / "finetuned")
    report = ShipReport(ship.model, loaded.fingerprint, baseline, chosen.result,
                        finetuned.result if finetuned else None, kept, root,
                        directory_size(loaded.directory) / 2**20, time.perf_counter() - started, note,
                        {f"{r.inputs}/{r.strategy}": r.dev_score() for r in runs if r.single}, runs, mixture_baseline,
                        ship.dataset, {s: len(data.split(s)) for s in ("train", "dev", "test")}, chosen,
                        ngram, ngram_dev, ngram_alone)
    (root / "REPORT.md").write_text(report_markdown(report), encoding="utf-8")
    update_model_card(loaded.directory / "MODEL_CARD.md", card_section(report))
    return report


def _ngram_baseline(ngram: NgramModel, logits: dict, label_names: tuple[str, ...]) -> BaselineResult:
    """The n-gram model alone on the sets of :func:`set_logits` (margin > 0 = the second label)."""
    reports = {k: classification_report(y, (ngram.margins(s) > 0).astype(np.int64), label_names)
               for k, (s, y, _) in logits.items()}
    return BaselineResult("ngram-negation-marked", reports["dev"], reports["test"], 0.0, f"C={ngram.c:g}",
                          {k: reports[k] for k in SCORED_SETS})


def _bow_scores(baseline: BaselineResult) -> dict[str, float]:
    return {"rt": baseline.test.accuracy, **{k: v.accuracy for k, v in baseline.extra.items()}}


def _extra_dict(run: HeadRun, baselines: dict[str, dict[str, float]]) -> dict:
    """What a shipped head carries beyond its RunResult: scores on the other test sets, the
    bag-of-words accuracies to compare them with, and its dev calibration error before/after."""
    return {"inputs": run.inputs, "scores": {k: v.to_dict() for k, v in run.extra.items()},
            "baselines": baselines, "ece_dev": list(run.ece_dev)}


def _weights(r: RunResult) -> str:
    if not r.final_weights:
        return "–"
    return " / ".join(f"{w:.2f}" for w in r.final_weights)


def _cells(rt: ClassificationReport, extra: dict[str, ClassificationReport]) -> str:
    return (f"{rt.accuracy:.3f} | {rt.macro_f1:.3f} | {extra['negation'].accuracy:.3f} | "
            f"{balance_cells(extra['negation'])} | {extra['imdb'].accuracy:.3f}")


def _table(report: ShipReport) -> list[str]:
    lines = ["| classifier | rt test accuracy | rt test macro F1 | negation test | negation test positives | "
             "negation test negatives | negation test called positive | IMDB test | layer weights s0 / s1 / s2 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for name, b in (("bag of words, trained on rt", report.baseline),
                    (f"bag of words, trained on {report.dataset}", report.mixture_baseline),
                    (f"negation-marked n-grams alone, trained on {report.dataset}", report.ngram_alone)):
        if b is not None:
            lines.append(f"| {name} | {_cells(b.test, b.extra)} | – |")
    for run in report.runs:
        shipped = ""
        if run is report.chosen:
            shipped = " **(default)**"
        elif report.finetuned is not None and run.result is report.finetuned and report.finetuned_kept:
            shipped = " **(finetuned)**"
        lines.append(f"| {run.title}{shipped} | {_cells(run.result.test, run.extra)} | {_weights(run.result)} |")
    return lines


def report_markdown(report: ShipReport) -> str:
    """The ``REPORT.md`` of the shipped heads: every classifier on every test set."""
    sizes = report.sizes or report.feature.sizes
    lines = [
        f"# Sentiment heads of `{report.model}`",
        "",
        f"Written by {report.written_by} on {_dt.date.today().isoformat()}, model weights fingerprint "
        f"`{report.model_fingerprint[:16]}`, device {report.feature.device}, {report.seconds / 60:.1f} min in total.",
        "",
        f"Training data: `{report.dataset}` ({sizes.get('train', 0)} examples; `+` joins sources, `vader` is the "
        f"VADER tweets, product reviews and editorials). Dev: `rt` dev ({sizes.get('dev', 0)}) and the negation dev set. "
        f"Test: `rt` test ({sizes.get('test', 0)} snippets), the project's negation test set (sentences whose "
        "polarity turns on negation, contrast or word order; `elmo_core/data/negation_sentiment.tsv`) and IMDB test "
        "reviews (first 400 tokens). Nothing was chosen on a test split.",
        "",
        *_table(report),
        "",
        "Layer weights are the learned softmax weights of the scalar mix (layer 0 = characters, 1 and 2 = biLSTM); "
        "`–` for GloVe only, which reads no biLM layer. Each head: static vectors and/or the scalar mix of the three "
        "layers per token, a biLSTM, mean and max pooling (or, where the title says so, attention and max pooling), a "
        "linear layer.",
    ]
    if report.runs:
        singles = [r for r in report.runs if r.strategy == "feature" and r.single]
        dev = ", ".join(f"{r.title} {r.dev_score():.3f}" for r in singles)
        lines += ["", f"The default head has the inputs of the frozen-biLM head with the best mean of rt dev and "
                      f"negation dev accuracy ({dev})."]
        chosen = report.chosen
        if chosen is not None and chosen.members > 1:
            lines[-1] += (f" It is {chosen.members} such heads, trained with different seeds, whose logits are "
                          f"averaged.")
        if report.ngram is not None and report.ngram_dev:
            tried = ", ".join(f"{w:g}: {v:.3f}" for w, v in report.ngram_dev.items())
            used = (f"the default head adds {chosen.ngram_weight:g} × its margin to the positive logit"
                    if chosen is not None and chosen.ngram is not None else "the default head does not use it")
            lines += ["", f"N-gram member: binary uni- and bigrams of the lower-cased tokens, with a `NOT_` prefix from a "
                          f"negation word to the next punctuation or contrast word (\"not bad\" ≠ \"bad\"), seen in at "
                          f"least {report.ngram.min_count} training texts ({len(report.ngram.features):,} n-grams), "
                          f"logistic regression on `{report.dataset}` with C = {report.ngram.c:g} chosen on rt dev. Its "
                          f"weight is chosen on the mean of rt dev and negation dev accuracy ({tried}): {used}."]
        if chosen is not None and "negation-dev" in chosen.extra:
            lines += ["", f"The default head on dev, per label: rt dev {chosen.result.dev.accuracy:.3f}, negation dev "
                          f"{chosen.extra['negation-dev'].accuracy:.3f} ({balance_text(chosen.extra['negation-dev'])})."]
        cal = "; ".join(f"{r.title}: T = {r.temperature:.2f}, ECE {r.ece_dev[0]:.3f} → {r.ece_dev[1]:.3f}"
                        for r in report.runs)
        lines += ["", f"Calibration (temperature scaling on rt dev; expected calibration error before → after): {cal}. "
                      "The Sentiment page calls a text *uncertain* when p(positive) lies between 0.4 and 0.6."]
    if report.finetuned is not None:
        ft = report.finetuned
        lines += ["", f"Fine-tuned heads start from the frozen-biLM head of the same inputs and train it with a copy "
                      f"of the biLM (learning rate × {ft.config['bilm_lr_ratio']}) on {ft.sizes['train']} training "
                      f"examples for {ft.config['epochs']} epoch(s), a CPU time budget."]
    lines += ["", f"Model directory with heads: {report.total_mb:.1f} MB."]
    if report.note:
        lines += ["", report.note]
    return "\n".join(lines) + "\n"


def card_section(report: ShipReport) -> str:
    """The model card's section on the shipped heads: the comparison table of REPORT.md."""
    lines = [CARD_HEADING, "",
             f"Written by {report.written_by} (details: `heads/REPORT.md`). Trained on `{report.dataset}`; "
             "accuracy on the `rt` test snippets, the project's negation test set and IMDB test reviews:", ""]
    lines += _table(report)
    rows = [("bag of words (rt)", report.baseline.test.accuracy)]
    rows += [(r.title, r.result.test.accuracy) for r in report.runs
             if r.strategy == "feature" or report.finetuned_kept]
    best = max(rows, key=lambda row: row[1])
    verdict = ("the bag-of-words baseline; no head of this model beats it on rt test" if best is rows[0]
               else best[0])
    lines += ["", f"Best on rt test accuracy: {verdict}.", ""]
    if not report.finetuned_kept and report.note:
        lines += [report.note, ""]
    return "\n".join(lines)


def update_model_card(card: Path, section: str, before: tuple[str, ...] = ("## Perplexity during training",)) -> bool:
    """Put ``section`` (starting with its ``## `` heading) into the card: replace the section of
    that heading, or insert it before the first of the ``before`` headings the card has (else at
    the end). Returns False when there is no card."""
    if not card.is_file():
        return False
    heading = section.splitlines()[0]
    lines = card.read_text(encoding="utf-8").splitlines()
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    else:
        anchor = next((heading for heading in before if heading in lines), None)
        start = end = lines.index(anchor) if anchor else len(lines)
    new = lines[:start] + section.rstrip("\n").splitlines() + [""] + lines[end:]
    card.write_text("\n".join(new).rstrip("\n") + "\n", encoding="utf-8")
    return True
