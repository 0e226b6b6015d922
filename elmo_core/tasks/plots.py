"""
Plotly figures of downstream runs, shared by the HTML report and the app pages.

Every function takes plain data (RunResult objects or their records) and returns a
``plotly.graph_objects.Figure``; nothing here draws to the screen or imports streamlit.
"""
from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

from .metrics import ClassificationReport
from .results import RunResult, StepRecord

__all__ = ["loss_figure", "mix_figure", "learned_weights_figure", "ablation_figure", "confusion_figure",
           "curve_figure", "curve_cost_figure"]


def loss_figure(steps: Sequence[StepRecord], title: str = "Training loss") -> go.Figure:
    """Cross-entropy per step."""
    fig = go.Figure(go.Scatter(x=[s.step for s in steps], y=[s.loss for s in steps], mode="lines", name="loss"))
    fig.update_layout(title=title, xaxis_title="step", yaxis_title="cross entropy", height=320,
                      margin=dict(l=40, r=20, t=50, b=40))
    return fig


def mix_figure(steps: Sequence[StepRecord], title: str = "Scalar mix during training") -> go.Figure:
    """softmax(w)_k of every layer (left axis) and γ (right axis) per step."""
    fig = go.Figure()
    x = [s.step for s in steps]
    num_layers = len(steps[0].weights) if steps else 3
    for k in range(num_layers):
        fig.add_trace(go.Scatter(x=x, y=[s.weights[k] for s in steps], mode="lines", name=f"s{k} (layer {k})"))
    fig.add_trace(go.Scatter(x=x, y=[s.gamma for s in steps], mode="lines", name="γ", yaxis="y2",
                             line=dict(dash="dot", color="black")))
    fig.update_layout(title=title, xaxis_title="step", height=320, margin=dict(l=40, r=40, t=50, b=40),
                      yaxis=dict(title="softmax weight", rangemode="tozero"),
                      yaxis2=dict(title="γ", overlaying="y", side="right", showgrid=False),
                      legend=dict(orientation="h", y=-0.25))
    return fig


def run_key(r: RunResult) -> str:
    """``task/strategy``, with the inputs in between when they are not ELMo alone
    (``sentiment/static+elmo/feature``; ``sentiment/static`` for GloVe only)."""
    inputs = r.config.get("inputs", "elmo")
    if inputs == "static":
        return f"{r.config['task']}/static"
    middle = "" if inputs == "elmo" else f"{inputs}/"
    return f"{r.config['task']}/{middle}{r.config['strategy']}"


def learned_weights_figure(results: Sequence[RunResult], title: str = "Learned layer weights") -> go.Figure:
    """Grouped bars: final softmax weight per layer for each scalar-mix run (one group per run).
    Cancelled runs are left out: their weights are where training stopped, not learned ones."""
    runs = [r for r in results if r.config.get("mix") == "scalar" and r.final_weights and not r.cancelled]
    fig = go.Figure()
    for r in runs:
        fig.add_trace(go.Bar(x=[f"layer {k}" for k in range(len(r.final_weights))], y=r.final_weights,
                             name=f"{run_key(r)} (γ={r.final_gamma:.2f})"))
    fig.update_layout(title=title, barmode="group", yaxis_title="softmax weight", height=340,
                      margin=dict(l=40, r=20, t=50, b=40))
    return fig


def ablation_figure(results: Sequence[RunResult], metric: str = "accuracy",
                    title: str = "Per-layer ablation (test)",
                    references: Sequence[tuple[str, float]] = ()) -> go.Figure:
    """Bars of a test metric per mix (scalar, layer0, ...), one colour per task/strategy (runs
    without a test evaluation, e.g. cancelled ones, are left out); repeats of a mix with other
    seeds are averaged (the hover names how many). ``references``: (name, value) lines drawn
    across the chart, e.g. the majority label and the bag-of-words baseline."""
    groups: dict[str, dict[str, list[float]]] = {}
    for r in results:
        if r.test is None or r.cancelled:
            continue
        key = run_key(r)
        mix = "static only" if r.config.get("inputs") == "static" else r.config["mix"]
        groups.setdefault(key, {}).setdefault(mix, []).append(getattr(r.test, metric))
    fig = go.Figure()
    for key, runs in groups.items():
        mixes = sorted(runs, key=lambda m: (m != "scalar", m))
        means = [sum(runs[m]) / len(runs[m]) for m in mixes]
        fig.add_trace(go.Bar(x=mixes, y=means, name=key, text=[f"{v:.3f}" for v in means], textposition="outside",
                             customdata=[len(runs[m]) for m in mixes],
                             hovertemplate="%{x}: %{y:.3f} (mean of %{customdata} run(s))<extra>" + key + "</extra>"))
    for (name, value), dash in zip(references, ("dash", "dot", "dashdot")):
        fig.add_hline(y=value, line_dash=dash, line_color="#444444", annotation_text=f"{name} {value:.3f}",
                      annotation_position="top left", annotation_bgcolor="rgba(255,255,255,0.85)")
    fig.update_layout(title=title, barmode="group", yaxis_title=f"test {metric.replace('_', ' ')}",
                      yaxis=dict(rangemode="tozero"), height=360, margin=dict(l=40, r=20, t=50, b=40))
    return fig


def confusion_figure(report: ClassificationReport, title: str = "Confusion matrix") -> go.Figure:
    """Heatmap of counts, rows = true label, columns = predicted label."""
    names = report.label_names
    fig = go.Figure(go.Heatmap(z=report.confusion, x=names, y=names, colorscale="Blues",
                               text=report.confusion, texttemplate="%{text}", showscale=False))
    fig.update_layout(title=title, xaxis_title="predicted", yaxis_title="true", height=360,
                      yaxis=dict(autorange="reversed"), margin=dict(l=60, r=20, t=50, b=40))
    return fig


# ------------------------------------------------------------------------------- learning curves
_CURVE_COLOURS = {"feature": "#1f77b4", "finetune": "#d62728", "adapted+feature": "#2ca02c",
                  "feature+finetune": "#9467bd"}


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def curve_figure(report, metric: str = "accuracy", title: str = "") -> go.Figure:
    """Test ``metric`` against training examples (log axis) of a :class:`~.curve.CurveReport`: one
    line per strategy (the mean over seeds) with its 95% interval as a band."""
    fig = go.Figure()
    for strategy in report.strategies:
        line = report.line(strategy)
        sizes = [p.size for p in line]
        margins = [p.interval(metric) for p in line]
        colour = _CURVE_COLOURS.get(strategy, "#444444")
        fig.add_trace(go.Scatter(x=sizes + sizes[::-1], y=[m.high for m in margins] + [m.low for m in margins][::-1],
                                 mode="lines", fill="toself", fillcolor=_rgba(colour, 0.15), line=dict(width=0),
                                 hoverinfo="skip",
                                 showlegend=False, legendgroup=strategy))
        fig.add_trace(go.Scatter(
            x=sizes, y=[m.mean for m in margins], mode="lines+markers", name=strategy, legendgroup=strategy,
            line=dict(color=colour), customdata=[[m.low, m.high, len(p.seeds)] for m, p in zip(margins, line)],
            hovertemplate="n=%{x}: %{y:.3f} [%{customdata[0]:.3f}, %{customdata[1]:.3f}], "
                          "%{customdata[2]} seeds<extra>" + strategy + "</extra>"))
    name = metric.replace("_", " ")
    fig.update_layout(title=title or f"{report.config.task}: test {name} against training examples",
                      xaxis=dict(title="training examples (log)", type="log", tickvals=report.sizes,
                                 ticktext=[f"{n:,}" for n in report.sizes]), yaxis_title=f"test {name}",
                      height=380, margin=dict(l=50, r=20, t=50, b=40), legend=dict(orientation="h", y=-0.2))
    return fig


def curve_cost_figure(report, metric: str = "accuracy", title: str = "") -> go.Figure:
    """Test ``metric`` against training seconds per seed (log axis), one line per strategy, each
    marker labelled with its training-set size; error bars are the 95% interval over seeds."""
    fig = go.Figure()
    for strategy in report.strategies:
        line = report.line(strategy)
        margins = [p.interval(metric) for p in line]
        fig.add_trace(go.Scatter(
            x=[p.mean_seconds for p in line], y=[m.mean for m in margins], mode="lines+markers+text", name=strategy,
            text=[f"n={p.size:,}" for p in line], textposition="top center",
            line=dict(color=_CURVE_COLOURS.get(strategy, "#444444")),
            error_y=dict(type="data", symmetric=False, array=[m.high - m.mean for m in margins],
                         arrayminus=[m.mean - m.low for m in margins]),
            hovertemplate="%{x:.1f} s: %{y:.3f} (%{text})<extra>" + strategy + "</extra>"))
    name = metric.replace("_", " ")
    fig.update_layout(title=title or f"{report.config.task}: test {name} against training time",
                      xaxis=dict(title="training seconds per seed (log)", type="log"), yaxis_title=f"test {name}",
                      height=380, margin=dict(l=50, r=20, t=50, b=40), legend=dict(orientation="h", y=-0.2))
    return fig
