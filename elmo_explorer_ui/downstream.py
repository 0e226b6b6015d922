"""
Streamlit glue of the downstream pages (Sentiment, Scalar-mix lab): the loaded model with its
fingerprint, cached task data, shipped classifiers, and background training runs kept in the
browser session.

A run is an :class:`elmo_core.tasks.background.BackgroundRun` (a thread, no Streamlit inside);
the pages poll it from an ``st.fragment(run_every=...)`` so the page never freezes.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from elmo_core.analysis import mean_interval, weight_evidence, wilson_interval

from elmo_core.loading import find_model_files
from elmo_core.tasks.background import BackgroundRun
from elmo_core.tasks.classifier import SentimentClassifier, load_classifier
from elmo_core.tasks.config import TaskConfig
from elmo_core.tasks.data import TaskData, load_task_data
from elmo_core.tasks.features import LoadedModel, fingerprint_bilm, fingerprint_files
from elmo_core.tasks.metrics import ClassificationReport
from elmo_core.tasks.references import TaskReferences, task_references
from elmo_core.tasks.results import RunResult

from .evidence_text import weight_evidence_text
from .model_info import ModelSpec
from .runtime import load_model
from .session_watch import stop_when_closed

__all__ = ["LabSession", "lab_session", "loaded_model", "task_data", "shipped_classifier", "token_html",
           "report_table", "summary_table", "run_status", "weight_findings", "start_run", "run_progress",
           "cancel_or_finish", "run_references", "SIZE_KEYS"]


# ----------------------------------------------------------------------------- model and data
@st.cache_resource(max_entries=3, show_spinner=False)
def _fingerprint(spec: ModelSpec, version: str, state: str) -> str:
    directory = spec.directory()
    if directory is not None and directory.is_dir():
        try:
            options, weights = find_model_files(directory)
            return fingerprint_files(options, weights, state)
        except FileNotFoundError:
            pass
    return fingerprint_bilm(load_model(spec))


def loaded_model(spec: ModelSpec) -> LoadedModel:
    """The app's cached biLM for ``spec`` with the fingerprint that keys its feature cache."""
    bilm = load_model(spec)
    return LoadedModel(bilm, _fingerprint(spec, spec.version(), bilm.state_mode), spec.directory())


@st.cache_resource(max_entries=8, show_spinner="Loading the task data …")
def task_data(task: str, train_size: int, dev_size: int, test_size: int, seed: int = 0) -> TaskData:
    """Task examples (cached per size; read-only, shared between sessions)."""
    return load_task_data(task, train_size=train_size, dev_size=dev_size, test_size=test_size, seed=seed)


#: The config keys that decide a run's splits (drawn with LAB_DATA_SEED): the references are computed on them.
SIZE_KEYS = ("task", "train_size", "dev_size", "test_size")


@st.cache_data(max_entries=32, show_spinner="Scoring the references (majority label, bag of words) …")
def _references(task: str, train_size: int, dev_size: int, test_size: int) -> TaskReferences | None:
    return task_references(task_data(task, train_size, dev_size, test_size, LAB_DATA_SEED))


def run_references(result: RunResult) -> TaskReferences | None:
    """Majority-label and bag-of-words test accuracy on the splits ``result`` was trained and
    tested on; None for a run whose config does not name them (or with an empty split)."""
    config = result.config
    if any(key not in config for key in SIZE_KEYS) or result.test is None or result.cancelled:
        return None
    return _references(*(config[key] for key in SIZE_KEYS))


def shipped_classifier(spec: ModelSpec, name: str) -> SentimentClassifier:
    """A head shipped with ``spec``'s model (FileNotFoundError when there is none)."""
    return load_classifier(name, model=spec.load_target)


# ----------------------------------------------------------------------------- runs in the session
@dataclass
class LabSession:
    """Per-browser-session state: the run in progress, queued configs, finished results."""

    current: BackgroundRun | None = None
    queue: list[TaskConfig] = field(default_factory=list)
    results: list[RunResult] = field(default_factory=list)
    classifiers: dict[str, SentimentClassifier] = field(default_factory=dict)
    last_error: str = ""

    @property
    def running(self) -> bool:
        return self.current is not None and self.current.running

    def cancel(self) -> None:
        self.queue.clear()
        if self.current is not None:
            self.current.cancel()


def lab_session(key: str) -> LabSession:
    """The :class:`LabSession` stored under ``key`` in ``st.session_state`` (created on first use)."""
    if key not in st.session_state:
        st.session_state[key] = LabSession()
    return st.session_state[key]


#: The lab draws its examples with this seed whatever the run's seed, so repeats of a run (other
#: seeds: another initialisation and batch order) see the same examples and reuse their features.
LAB_DATA_SEED = 0


def start_run(session: LabSession, config: TaskConfig, model: LoadedModel) -> BackgroundRun:
    """Start ``config`` in the background; it is cancelled when this browser tab closes. The
    examples are drawn with :data:`LAB_DATA_SEED`; ``config.seed`` sets the head's initialisation
    and the batch order."""
    data = task_data(config.task, config.train_size, config.dev_size, config.test_size, LAB_DATA_SEED)
    session.current = BackgroundRun(config, model=model, data=data).start()
    stop_when_closed(session.current, config.label())
    session.last_error = ""
    return session.current


def collect(session: LabSession, model: LoadedModel) -> bool:
    """Move a finished run into ``results`` and start the next queued one; True if anything changed."""
    run = session.current
    if run is None or run.running:
        return False
    session.current = None
    if run.status in ("done", "cancelled") and run.trained is not None:
        session.results.append(run.trained.result)
        if run.trained.result.config["task"] == "sentiment" and run.status == "done":
            session.classifiers[run.trained.result.label] = SentimentClassifier(
                run.trained.bilm, run.trained.head, run.trained.data.label_names, name="session",
                result=run.trained.result)
    elif run.status == "failed":
        session.last_error = run.snapshot().error.splitlines()[0]
        session.queue.clear()
    if session.queue and run.status == "done":
        start_run(session, session.queue.pop(0), model)
    return True


def run_progress(run: BackgroundRun, snap) -> None:
    """A progress bar for a running job: embedding, then epochs (with step, loss and time)."""
    if snap.phase is not None:
        st.progress(snap.phase.done / max(snap.phase.total, 1),
                    text=f"{snap.phase.phase}: {snap.phase.done} of {snap.phase.total} sentences")
    elif snap.steps:
        last = snap.steps[-1]
        st.progress(min(last.epoch / max(run.config.epochs, 1), 1.0),
                    text=f"epoch {last.epoch} of {run.config.epochs} · step {last.step} · loss {last.loss:.3f} · "
                         f"{snap.elapsed:.0f}s")
    else:
        st.progress(0.0, text=f"starting … {snap.elapsed:.0f}s")


def cancel_or_finish(session: LabSession, run: BackgroundRun, key: str) -> None:
    """The Cancel button of a live run; reruns the whole page once the run has ended."""
    if st.button("Cancel", key=key):
        session.cancel()
    if not run.running:
        st.rerun(scope="app")


# ----------------------------------------------------------------------------- presentation
def _colour(score: float, scale: float) -> str:
    strength = min(abs(score) / scale, 1.0) if scale > 0 else 0.0
    alpha = 0.12 + 0.6 * strength
    return f"rgba(34,139,34,{alpha:.2f})" if score >= 0 else f"rgba(220,20,60,{alpha:.2f})"


def token_html(contributions: list[tuple[str, float]]) -> str:
    """Tokens as coloured spans: green pushes towards positive, red towards negative."""
    scale = max((abs(s) for _, s in contributions), default=0.0)
    spans = [f"<span title='{s:+.3f}' style='background:{_colour(s, scale)};padding:2px 4px;margin:1px;"
             f"border-radius:4px;display:inline-block'>{html.escape(t)}</span>" for t, s in contributions]
    return "<div style='line-height:2.2'>" + " ".join(spans) + "</div>"


INPUT_NAMES = {"elmo": "ELMo", "static": "GloVe", "static+elmo": "GloVe ⊕ ELMo"}
HELD_OUT_NAMES = {"negation": "negation test set", "imdb": "IMDB test reviews"}


def held_out_scores(extra: dict) -> list[tuple[str, float, int]]:
    """``(readable name, accuracy, count)`` of a shipped head's scores on the other test sets."""
    scores = (extra or {}).get("scores", {})
    return [(title, float(scores[key]["accuracy"]), int(scores[key]["count"]))
            for key, title in HELD_OUT_NAMES.items() if key in scores]


def head_composition(clf) -> str:
    """What a classifier's head is made of, for a caption: ``""`` for one plain head, else e.g.
    `` The head averages 4 such heads (other seeds) and adds negation-marked n-grams (× 0.5).``"""
    parts = []
    members = getattr(clf.head, "members", None)
    if members is not None and len(members) > 1:
        parts.append(f"averages {len(members)} such heads (other seeds)")
    if getattr(clf, "ngram", None) is not None:
        parts.append(f"adds a bag of negation-marked n-grams (× {clf.ngram_weight:g})")
    return f" The head {' and '.join(parts)}." if parts else ""


def report_table(report: ClassificationReport) -> pd.DataFrame:
    """Per-class precision / recall / F1 / support, plus the macro average row."""
    rows = [{"class": name, "precision": p, "recall": r, "F1": f, "support": n}
            for name, p, r, f, n in zip(report.label_names, report.precision, report.recall, report.f1,
                                       report.support)]
    rows.append({"class": "macro average", "precision": report.macro_precision, "recall": report.macro_recall,
                 "F1": report.macro_f1, "support": report.count})
    return pd.DataFrame(rows)


def run_status(result: RunResult) -> str:
    """``done``, or for a cancelled run how far it got: ``cancelled after epoch 2 of 5 (not tested)``."""
    if not result.cancelled:
        return "done"
    planned = result.config.get("epochs")
    of = f" of {planned}" if planned else ""
    done = len(result.epochs)
    return f"cancelled after epoch {done}{of} (not tested)" if done else "cancelled in epoch 1 (not tested)"


def _interval_text(report: ClassificationReport | None) -> str:
    if report is None or not report.count:
        return "–"
    interval = wilson_interval(round(report.accuracy * report.count), report.count)
    return f"{interval.low:.2f}–{interval.high:.2f} (n={report.count:,})"


def summary_table(results: list[RunResult], references: list[TaskReferences | None] | None = None) -> pd.DataFrame:
    """One row per run of this session. Cancelled runs have no test scores (NaN, never ``None``)
    and their weights are marked as the weights when the run stopped. Beside the test accuracy:
    its 95% interval (Wilson) and, where ``references`` (one per run) has them, the majority-label
    rate and the bag-of-words baseline on the same splits."""
    references = references or [None] * len(results)
    rows = []
    for r, ref in zip(results, references):
        weights = " / ".join(f"{w:.2f}" for w in r.final_weights)
        tested = r.test is not None and not r.cancelled
        rows.append({
            "task": r.config["task"], "inputs": INPUT_NAMES.get(r.config.get("inputs", "elmo"), "ELMo"),
            "strategy": r.config["strategy"] if r.config.get("inputs") != "static" else "–",
            "mix": r.config["mix"] if r.config.get("inputs") != "static" else "–",
            "train": r.sizes.get("train", 0), "epochs": len(r.epochs),
            "test accuracy": float(r.test.accuracy) if tested else float("nan"),
            "95% interval": _interval_text(r.test) if tested else "–",
            "majority label": ref.majority if ref is not None else float("nan"),
            "bag of words": ref.bag_of_words if ref is not None else float("nan"),
            "test macro F1": float(r.test.macro_f1) if tested else float("nan"),
            "weights s0/s1/s2": f"{weights} (when stopped)" if r.cancelled and weights else weights,
            "γ": float(r.final_gamma), "seconds": float(r.wall_seconds), "seed": int(r.config.get("seed", 0)),
            "status": run_status(r),
        })
    columns = ["task", "inputs", "strategy", "mix", "train", "epochs", "test accuracy", "95% interval", "majority label",
               "bag of words", "test macro F1", "weights s0/s1/s2", "γ", "seconds", "seed", "status"]
    return pd.DataFrame(rows, columns=columns).astype(
        {"test accuracy": float, "majority label": float, "bag of words": float, "test macro F1": float, "γ": float,
         "seconds": float})


def _mean_layer(weights: list[float]) -> float:
    return float(sum(k * w for k, w in enumerate(weights)) / (sum(weights) or 1.0))


def _repeat_groups(results: list[RunResult]) -> dict[str, list[RunResult]]:
    """Finished scalar-mix runs grouped by their settings apart from the seed (repeats of one run)."""
    groups: dict[str, list[RunResult]] = {}
    for r in results:
        if r.config.get("mix") == "scalar" and r.final_weights and not r.cancelled:
            key = json.dumps({k: v for k, v in r.config.items() if k != "seed"}, sort_keys=True, default=str)
            groups.setdefault(key, []).append(r)
    return groups


def weight_findings(results: list[RunResult]) -> list[str]:
    """What the learned scalar-mix weights of this session show, one Markdown line each.

    Only finished (not cancelled) scalar-mix runs count; runs with the same settings and another
    seed are repeats, and for each task and strategy the latest such group is described. A layer
    is said to get the most weight only when the t interval of its mean weight across the seeds
    lies above an even share (1/3 each); one run gives no interval and no such claim. A last line
    compares POS with sentiment only when the intervals of their weight-averaged layers do not
    overlap. Empty when there is nothing measured.
    """
    latest: dict[tuple[str, str], list[RunResult]] = {}
    for runs in _repeat_groups(results).values():
        latest[(runs[0].config["task"], runs[0].config["strategy"])] = runs
    lines = []
    for (task, strategy), runs in latest.items():
        weights = np.array([r.final_weights for r in runs], dtype=float)  # (seeds, layers)
        even = (weights.shape[1] - 1) / 2
        seeds = f"{len(runs)} seed{'s' if len(runs) != 1 else ''}"
        lines.append(f"{task} ({strategy}, {runs[0].sizes.get('train', 0)} training examples, {seeds}): "
                     f"{weight_evidence_text(weight_evidence(weights))}; weight-averaged layer "
                     f"{np.mean([_mean_layer(list(w)) for w in weights]):.2f} (an even mix gives {even:.2f}).")
    for strategy in dict.fromkeys(s for _, s in latest):
        pos, sentiment = latest.get(("pos", strategy)), latest.get(("sentiment", strategy))
        if pos is None or sentiment is None:
            continue
        a = [_mean_layer(r.final_weights) for r in pos]
        b = [_mean_layer(r.final_weights) for r in sentiment]
        ia, ib = mean_interval(a), mean_interval(b)
        means = f"weight-averaged layer {np.mean(a):.2f} for POS, {np.mean(b):.2f} for sentiment"
        if ia is None or ib is None:
            lines.append(f"In this session ({strategy}), {means}: with one run of a task there is no interval, so "
                         "no difference between the tasks is claimed; train more seeds for a verdict.")
        elif ia.high < ib.low or ib.high < ia.low:
            lines.append(f"In this session ({strategy}), POS leans on {'lower' if ia.high < ib.low else 'higher'} "
                         f"layers than sentiment beyond the spread of the seeds: {means} (95% intervals "
                         f"{ia.low:.2f}–{ia.high:.2f} and {ib.low:.2f}–{ib.high:.2f}).")
        else:
            lines.append(f"In this session ({strategy}), POS and sentiment draw on layers that are within noise of "
                         f"each other across the seeds: {means} (95% intervals {ia.low:.2f}–{ia.high:.2f} and "
                         f"{ib.low:.2f}–{ib.high:.2f} overlap).")
    return lines
