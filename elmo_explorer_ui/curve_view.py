"""
The learning-curve part of the Scalar-mix lab: the shipped curves (``reports/mini-curves/curve.json``)
with their verdicts, and a small curve on the user's own labelled CSV, run in the background with
progress and a Cancel button.

:class:`BackgroundCurve` runs :func:`elmo_core.tasks.curve.run_curve` on a daemon thread and keeps
its progress; :func:`learning_curves_section` draws everything (the page calls only that).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from elmo_core.tasks.curve import CurveConfig, CurveReport, load_curves, run_curve
from elmo_core.tasks.curve_verdicts import advice_lines, verdicts
from elmo_core.tasks.plots import curve_cost_figure, curve_figure

from .safe_text import md, redact_paths
from .session_watch import stop_when_closed
from .view_state import show_chart

SHIPPED = Path(__file__).resolve().parents[1] / "reports" / "mini-curves" / "curve.json"
SESSION_KEY = "curve_lab"
CSV_MAX_BYTES = 1_000_000
MAX_SIZES = 3
MAX_SIZE = 2000
EVAL_SIZE = 200  # dev and test examples of a browser curve (each)
FEATURE_EPOCHS = 5
FINETUNE_EPOCHS = 1


class BackgroundCurve:
    """:func:`run_curve` on a daemon thread: ``progress`` (done, total, what), ``cancel()``,
    ``join()``, ``report`` when finished, ``error`` when it failed (a closed tab's watcher,
    :func:`~elmo_explorer_ui.session_watch.stop_when_closed`, cancels it like a training run)."""

    def __init__(self, config: CurveConfig, csv: bytes):
        self.config, self._csv = config, csv
        self._cancel = threading.Event()
        self.progress: tuple[int, int, str] = (0, 1, "starting")
        self.report: CurveReport | None = None
        self.error = ""
        self.started = time.perf_counter()
        self._thread = threading.Thread(target=self._work, name=f"curve {config.task}", daemon=True)

    def start(self) -> "BackgroundCurve":
        self._thread.start()
        return self

    def _work(self) -> None:
        try:
            self.report = run_curve(self.config, csv=self._csv, cancel=self._cancel.is_set,
                                    progress=lambda done, total, what: setattr(self, "progress", (done, total, what)))
        except Exception as exc:  # shown on the page, never raised in a thread
            self.error = f"{type(exc).__name__}: {exc}"

    def cancel(self) -> None:
        self._cancel.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread; True when it has finished."""
        if self._thread.is_alive() or self._thread.ident is not None:
            self._thread.join(timeout)
        return not self.running

    @property
    def running(self) -> bool:
        return self._thread.is_alive()


@dataclass
class CurveSession:
    run: BackgroundCurve | None = None
    report: CurveReport | None = None
    error: str = ""


def _session() -> CurveSession:
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = CurveSession()
    return st.session_state[SESSION_KEY]


def points_table(report: CurveReport) -> pd.DataFrame:
    """One row per point: mean accuracy with its interval, macro F1, seconds, tokens/s, memory."""
    rows = []
    for strategy in report.strategies:
        for p in report.line(strategy):
            acc = p.interval()
            rows.append({"strategy": strategy, "train examples": p.size, "test accuracy": acc.mean,
                         "95% low": acc.low, "95% high": acc.high, "macro F1": p.interval("macro_f1").mean,
                         "train s / seed": p.mean_seconds, "tokens/s": p.mean_tokens_per_second,
                         "peak MB": p.peak_mb})
    return pd.DataFrame(rows)


def show_curve(report: CurveReport, key: str) -> None:
    """Both figures, the verdicts and the advice check, and the table, of one curve."""
    st.caption(md(report.note) + f" Test examples: {report.test_count:,}. Caps: {md(report.config.caps())}.")
    left, right = st.columns(2)
    with left:
        show_chart(curve_figure(report), width="stretch", key=f"{key}_curve")
    with right:
        show_chart(curve_cost_figure(report), width="stretch", key=f"{key}_cost")
    lines = verdicts(report)
    st.markdown("\n".join(f"- {md(line)}" for line in lines) or "- one strategy: nothing to compare")
    advice = advice_lines(report)
    if advice:
        st.markdown("**Against the usual advice:**\n" + "\n".join(f"- {md(line)}" for line in advice))
    with st.expander("Points"):
        st.dataframe(points_table(report).style.format(
            {"test accuracy": "{:.3f}", "95% low": "{:.3f}", "95% high": "{:.3f}", "macro F1": "{:.3f}",
             "train s / seed": "{:.1f}", "tokens/s": "{:,.0f}", "peak MB": "{:,.0f}"}), hide_index=True, width="stretch")


def _shipped() -> None:
    st.subheader("Shipped curves")
    if not SHIPPED.is_file():
        st.info("No shipped learning curves here: reports/mini-curves/curve.json is missing (the command line's "
                "task curve command writes one).")
        return
    curves = load_curves(SHIPPED)
    st.caption(f"Computed on one CPU thread; each point is the mean over "
               f"{curves[0].config.seeds} seeds (training subset, head start and batch order), the band its 95% "
               "t interval. One strategy is said to beat another only where their intervals do not overlap.")
    tabs = st.tabs([c.config.task for c in curves])
    for tab, curve in zip(tabs, curves):
        with tab:
            show_curve(curve, f"shipped_{curve.config.task}")


def _csv_form(session: CurveSession, model: str) -> None:
    st.subheader("A small curve on your CSV")
    st.caption(f"Columns text,label (optionally split). At most {MAX_SIZES} sizes of at most {MAX_SIZE:,} training "
               f"examples, {EVAL_SIZE} dev and {EVAL_SIZE} test examples, 3 seeds; the feature ensemble "
               f"({FEATURE_EPOCHS} epochs at most) and, if ticked, fine-tuning ({FINETUNE_EPOCHS} epoch, slow on a CPU).")
    with st.form("curve_csv"):
        upload = st.file_uploader("Labelled CSV", type=["csv"], key="curve_csv_file")
        sizes_text = st.text_input("Training sizes", "50 100 200", key="curve_sizes")
        finetune = st.checkbox("Also fine-tune the biLM", value=False, key="curve_finetune")
        go = st.form_submit_button("Run the curve", type="primary", disabled=session.run is not None and session.run.running)
    if not go:
        return
    try:
        if upload is None:
            raise ValueError("choose a CSV file first")
        data = upload.getvalue()
        if len(data) > CSV_MAX_BYTES:
            raise ValueError(f"the file has {len(data):,} bytes; this page takes at most {CSV_MAX_BYTES:,}")
        sizes = [int(s) for s in sizes_text.replace(",", " ").split()]
        if not sizes or len(sizes) > MAX_SIZES or max(sizes) > MAX_SIZE:
            raise ValueError(f"give 1 to {MAX_SIZES} sizes of at most {MAX_SIZE:,} examples")
        config = CurveConfig("csv", tuple(sizes), ("feature", "finetune") if finetune else ("feature",),
                             feature_epochs=FEATURE_EPOCHS, finetune_epochs=FINETUNE_EPOCHS, dev_size=EVAL_SIZE,
                             test_size=EVAL_SIZE, model=model, csv="upload")
    except ValueError as exc:
        st.error(md(str(exc)))
        return
    session.report, session.error = None, ""
    session.run = BackgroundCurve(config, data).start()
    stop_when_closed(session.run, "learning curve")


def _live(session: CurveSession) -> None:
    @st.fragment(run_every=1.0 if session.run is not None and session.run.running else None)
    def live() -> None:
        run = session.run
        if run is None:
            return
        done, total, what = run.progress
        st.progress(min(done / max(total, 1), 1.0),
                    text=f"{md(what)} · {done} of {total} runs · {time.perf_counter() - run.started:.0f}s")
        if st.button("Cancel", key="curve_cancel", disabled=not run.running):
            run.cancel()
        if not run.running:
            session.run, session.report, session.error = None, run.report, run.error
            st.rerun(scope="app")

    live()


def learning_curves_section(model: str) -> None:
    """The whole learning-curve section of the lab page; ``model``: the name or folder to train on."""
    st.header("Learning curves")
    st.markdown("How accuracy grows with training examples for four ways of using the biLM: the feature ensemble "
                "(frozen biLM, learned scalar mix), fine-tuning, a domain-adapted biLM with the feature ensemble, "
                "and features first, then fine-tuning.")
    _shipped()
    session = _session()
    _csv_form(session, model)
    _live(session)
    if session.error:
        st.error(f"The curve failed: {md(redact_paths(session.error))}")
    if session.report is not None:
        report = session.report
        if report.cancelled:
            st.warning(f"Cancelled: {len(report.points)} point(s) finished.")
        if report.points:
            show_curve(report, "csv_curve")
