"""
Streamlit glue of the downstream pages (Sentiment, Scalar-mix lab): the loaded model with its
fingerprint, cached task data, shipped classifiers, and background training runs kept in the
browser session.

A run is an :class:`elmo_core.tasks.background.BackgroundRun` (a thread, no Streamlit inside);
the pages poll it from an ``st.fragment(run_every=...)`` so the page never freezes.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from elmo_core.loading import find_model_files
from elmo_core.tasks.background import BackgroundRun
from elmo_core.tasks.classifier import SentimentClassifier, load_classifier
from elmo_core.tasks.config import TaskConfig
from elmo_core.tasks.data import TaskData, load_task_data
from elmo_core.tasks.features import LoadedModel, fingerprint_bilm, fingerprint_files
from elmo_core.tasks.metrics import ClassificationReport
from elmo_core.tasks.results import RunResult

from .model_info import ModelSpec
from .runtime import load_model
from .session_watch import stop_when_closed

__all__ = ["LabSession", "lab_session", "loaded_model", "task_data", "shipped_classifier", "token_html",
           "report_table", "summary_table", "run_status", "weight_findings", "start_run", "run_progress",
           "cancel_or_finish"]


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


def start_run(session: LabSession, config: TaskConfig, model: LoadedModel) -> BackgroundRun:
    """Start ``config`` in the background; it is cancelled when this browser tab closes."""
    data = task_data(config.task, config.train_size, config.dev_size, config.test_size, config.seed)
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


def summary_table(results: list[RunResult]) -> pd.DataFrame:
    """One row per run of this session. Cancelled runs have no test scores (NaN, never ``None``)
    and their weights are marked as the weights when the run stopped."""
    rows = []
    for r in results:
        weights = " / ".join(f"{w:.2f}" for w in r.final_weights)
        tested = r.test is not None and not r.cancelled
        rows.append({
            "task": r.config["task"], "inputs": INPUT_NAMES.get(r.config.get("inputs", "elmo"), "ELMo"),
            "strategy": r.config["strategy"] if r.config.get("inputs") != "static" else "–",
            "mix": r.config["mix"] if r.config.get("inputs") != "static" else "–",
            "train": r.sizes.get("train", 0), "epochs": len(r.epochs),
            "test accuracy": float(r.test.accuracy) if tested else float("nan"),
            "test macro F1": float(r.test.macro_f1) if tested else float("nan"),
            "weights s0/s1/s2": f"{weights} (when stopped)" if r.cancelled and weights else weights,
            "γ": float(r.final_gamma), "seconds": float(r.wall_seconds), "status": run_status(r),
        })
    columns = ["task", "inputs", "strategy", "mix", "train", "epochs", "test accuracy", "test macro F1", "weights s0/s1/s2",
               "γ", "seconds", "status"]
    return pd.DataFrame(rows, columns=columns).astype(
        {"test accuracy": float, "test macro F1": float, "γ": float, "seconds": float})


#: Weight-averaged layers closer than this count as "about the same" between two tasks.
SAME_LAYER_MARGIN = 0.05


def _mean_layer(weights: list[float]) -> float:
    return float(sum(k * w for k, w in enumerate(weights)) / (sum(weights) or 1.0))


def weight_findings(results: list[RunResult]) -> list[str]:
    """What the learned scalar-mix weights of this session show, one Markdown line each.

    Only finished (not cancelled) scalar-mix runs count, the latest per task and strategy. Each
    line gives the weights, the layer with the most weight and the weight-averaged layer index
    (an even mix gives the middle layer). With POS and sentiment runs of the same strategy, a last
    line compares the two. Empty when there is nothing measured.
    """
    latest: dict[tuple[str, str], RunResult] = {}
    for r in results:
        if r.config.get("mix") == "scalar" and r.final_weights and not r.cancelled:
            latest[(r.config["task"], r.config["strategy"])] = r
    lines = []
    for (task, strategy), r in latest.items():
        weights = r.final_weights
        top = max(range(len(weights)), key=weights.__getitem__)
        even = (len(weights) - 1) / 2
        lines.append(f"{task} ({strategy}, {r.sizes.get('train', 0)} training examples): weights "
                     f"{' / '.join(f'{w:.2f}' for w in weights)} on layers "
                     f"{' / '.join(str(k) for k in range(len(weights)))}; most weight on layer {top}; "
                     f"weight-averaged layer {_mean_layer(weights):.2f} (an even mix gives {even:.2f}).")
    for strategy in dict.fromkeys(s for _, s in latest):
        pos, sentiment = latest.get(("pos", strategy)), latest.get(("sentiment", strategy))
        if pos is None or sentiment is None:
            continue
        a, b = _mean_layer(pos.final_weights), _mean_layer(sentiment.final_weights)
        if abs(a - b) < SAME_LAYER_MARGIN:
            verdict = "POS and sentiment draw on about the same layers"
        else:
            verdict = f"POS leans on {'lower' if a < b else 'higher'} layers than sentiment"
        lines.append(f"In this session ({strategy}), {verdict}: weight-averaged layer {a:.2f} for POS, "
                     f"{b:.2f} for sentiment.")
    return lines
