"""
Plotly figures of the app (pure: data in, ``go.Figure`` out; no Streamlit).

Text arguments are plain text and are HTML-escaped here (:func:`~.safe_text.plotly_text`), as
Plotly renders labels as HTML; only the ``hover`` column of :func:`scatter_map` is HTML already
(made by :func:`~.texts.hover_sentence`).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from elmo_core.analysis import SenseAccuracy, SenseVerdict

from .safe_text import plotly_text
from .texts import short

LAYER_NAMES = {0: "layer 0 (characters)", 1: "layer 1 (biLSTM)", 2: "layer 2 (biLSTM)"}
LAYER_COLOURS = ("#9e9e9e", "#4c78a8", "#f58518", "#54a24b", "#e45756")
PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6",
           "#9d755d", "#bab0ac", "#eeca3b", "#1f77b4", "#2ca02c", "#d62728", "#9467bd")
HEATMAP_SCALE = "Viridis"


def layer_name(layer: int) -> str:
    return LAYER_NAMES.get(layer, f"layer {layer} (biLSTM)")


def similarity_heatmap(sims: np.ndarray, labels: Sequence[str], title: str,
                       boundaries: Sequence[int] = (), hover_rows: Sequence[str] | None = None,
                       height: int = 420, zmin: float = -1.0) -> go.Figure:
    """Heatmap of an (n, n) cosine matrix with ``labels`` on both axes and lines before each
    index in ``boundaries`` (sentence or sense boundaries); colours run from ``zmin`` to 1."""
    n = len(labels)
    hover = [plotly_text(h) for h in (hover_rows if hover_rows is not None else labels)]
    text = [[f"{hover[i]}<br>↔ {hover[j]}" for j in range(n)] for i in range(n)]
    figure = go.Figure(go.Heatmap(
        z=np.round(sims, 4), x=list(range(n)), y=list(range(n)), zmin=zmin, zmax=1,
        colorscale=HEATMAP_SCALE, text=text, colorbar=dict(title="cos", thickness=12),
        hovertemplate="%{text}<br>cosine %{z:.3f}<extra></extra>",
    ))
    show_ticks = n <= 60
    axis = dict(tickmode="array", tickvals=list(range(n)) if show_ticks else [],
                ticktext=[plotly_text(l) for l in labels] if show_ticks else [], showgrid=False, zeroline=False)
    figure.update_xaxes(**axis, tickangle=-60, range=[-0.5, n - 0.5], constrain="domain")
    figure.update_yaxes(**axis, autorange="reversed", scaleanchor="x", constrain="domain")
    for b in boundaries:
        line = dict(color="white", width=2)
        figure.add_shape(type="line", x0=b - 0.5, x1=b - 0.5, y0=-0.5, y1=n - 0.5, line=line)
        figure.add_shape(type="line", y0=b - 0.5, y1=b - 0.5, x0=-0.5, x1=n - 0.5, line=line)
    figure.update_layout(title=dict(text=plotly_text(title), x=0.02), height=height,
                         margin=dict(l=10, r=10, t=40, b=10))
    return figure


def shared_low(sims: np.ndarray) -> float:
    """Bottom of a colour scale shared by several cosine matrices: their minimum rounded down
    to a tenth, between -1 and 0.5 (so differences among high similarities stay visible)."""
    return float(np.clip(np.floor(float(np.min(sims)) * 10) / 10, -1.0, 0.5))


def occurrence_bars(table: pd.DataFrame, layers: Sequence[int]) -> go.Figure:
    """Grouped bars: one group per row of ``table`` (column ``occurrence``), one bar per layer
    (columns ``layer 0`` ...) with the cosine similarity to the chosen occurrence."""
    figure = go.Figure()
    for layer in layers:
        column = f"layer {layer}"
        figure.add_bar(x=[plotly_text(o) for o in table["occurrence"]], y=table[column], name=layer_name(layer),
                       marker_color=LAYER_COLOURS[layer % len(LAYER_COLOURS)],
                       customdata=[plotly_text(t) for t in table["sentence"]],
                       hovertemplate="%{x}<br>%{customdata}<br>cosine %{y:.3f}<extra></extra>")
    figure.update_layout(barmode="group", bargap=0.35 if len(table) > 2 else 0.6, yaxis=dict(title="cosine similarity", range=[min(0.0, float(
        table[[f"layer {l}" for l in layers]].min().min()) - 0.05) if len(table) else 0, 1.05]),
        height=380, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.12))
    return figure


def _layer_list(layers: Sequence[int]) -> str:
    names = [layer_name(l) for l in layers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def verdict_text(verdict: SenseVerdict) -> str:
    """One sentence for the accuracy chart: the best layer(s), or that none beats chance."""
    digits = 0 if f"{verdict.best_accuracy:.0%}" != f"{verdict.chance:.0%}" or not verdict.beats_chance else 1
    best, chance = f"{verdict.best_accuracy:.{digits}%}", f"{verdict.chance:.{digits}%}"
    if not verdict.beats_chance:
        text = (f"No layer separates the senses better than chance (the majority-sense rate, "
                f"{chance}): the best score is {best}.")
        if verdict.below_chance:
            verb = "scores" if len(verdict.below_chance) == 1 else "score"
            names = _layer_list(verdict.below_chance)
            text += f" {names[:1].upper()}{names[1:]} {verb} below chance."
        return text
    label = "Best" if len(verdict.best_layers) == 1 else "Best (tied)"
    return f"{label}: {_layer_list(verdict.best_layers)} with {best} (chance {chance})."


def accuracy_chart(accuracy: SenseAccuracy, highlight: int | None = None) -> go.Figure:
    """Bars of per-layer leave-one-out sense accuracy with a dashed line at the chance level."""
    layers = list(range(len(accuracy.per_layer)))
    colours = [LAYER_COLOURS[l % len(LAYER_COLOURS)] for l in layers]
    figure = go.Figure(go.Bar(
        x=[layer_name(l) for l in layers], y=list(accuracy.per_layer), marker_color=colours,
        marker_line=dict(width=[3 if l == highlight else 0 for l in layers], color="black"),
        text=[f"{a:.0%}" for a in accuracy.per_layer], textposition="inside", insidetextanchor="end",
        textfont=dict(color="white", size=14),
        hovertemplate="%{x}: %{y:.1%}<extra></extra>", name="accuracy",
    ))
    figure.add_hline(y=accuracy.chance, line_dash="dash", line_color="crimson",
                     annotation_text=f"chance (majority sense) {accuracy.chance:.0%}",
                     annotation_position="top left")
    figure.update_layout(yaxis=dict(title="leave-one-out accuracy", range=[0, 1.05], tickformat=".0%"),
                         height=360, margin=dict(l=10, r=10, t=30, b=10), showlegend=False)
    return figure


def colour_map(values: Sequence[str]) -> dict[str, str]:
    """A stable colour per distinct value, in order of first appearance."""
    distinct = list(dict.fromkeys(values))
    return {value: PALETTE[i % len(PALETTE)] for i, value in enumerate(distinct)}


def scatter_map(points: pd.DataFrame, coords: dict[int, np.ndarray], layers: Sequence[int],
                colour_by: str, *, fixed_ranges: dict[int, tuple[tuple[float, float], tuple[float, float]]] | None = None,
                placed: pd.DataFrame | None = None, placed_coords: dict[int, np.ndarray] | None = None,
                title: str = "", height: int = 560) -> tuple[go.Figure, list[np.ndarray]]:
    """Scattergl map of ``points`` (columns ``hover`` and ``colour_by``) in one subplot per layer.

    ``coords[layer]`` is (n, 2). Returns the figure and, per trace, the row numbers of
    ``points`` it draws (to map selection events back to rows; ``-1`` rows are placed points).
    """
    figure = make_subplots(rows=1, cols=len(layers), subplot_titles=[layer_name(l) for l in layers],
                           horizontal_spacing=0.04)
    colours = colour_map(points[colour_by].astype(str).tolist())
    values = points[colour_by].astype(str).to_numpy()
    hover = points["hover"].to_numpy()  # HTML already
    trace_rows: list[np.ndarray] = []
    for col, layer in enumerate(layers, 1):
        xy = coords[layer]
        for value, colour in colours.items():
            rows = np.flatnonzero(values == value)
            name = plotly_text(value)
            figure.add_trace(go.Scattergl(
                x=xy[rows, 0], y=xy[rows, 1], mode="markers", name=name, legendgroup=name,
                showlegend=col == 1, marker=dict(color=colour, size=7, opacity=0.8),
                customdata=np.stack([rows, hover[rows], np.full(len(rows), plotly_text(short(value, 40)))], axis=1),
                hovertemplate="%{customdata[1]}<extra>%{customdata[2]}</extra>",
            ), row=1, col=col)
            trace_rows.append(rows)
        if placed is not None and placed_coords is not None and len(placed):
            pxy = placed_coords[layer]
            figure.add_trace(go.Scattergl(
                x=pxy[:, 0], y=pxy[:, 1], mode="markers", name="your sentences", legendgroup="placed",
                showlegend=col == 1, marker=dict(symbol="star", size=15, color="black",
                                                 line=dict(color="gold", width=1)),
                customdata=np.stack([np.full(len(placed), -1), placed["hover"].to_numpy()], axis=1),
                hovertemplate="%{customdata[1]}<extra>your sentence</extra>",
            ), row=1, col=col)
            trace_rows.append(np.full(len(placed), -1))
        if fixed_ranges and layer in fixed_ranges:
            (x0, x1), (y0, y1) = fixed_ranges[layer]
            figure.update_xaxes(range=[x0, x1], row=1, col=col)
            figure.update_yaxes(range=[y0, y1], row=1, col=col)
    figure.update_xaxes(showticklabels=False)
    figure.update_yaxes(showticklabels=False)
    figure.update_layout(height=height, title=dict(text=plotly_text(title), x=0.01), dragmode="lasso",
                         margin=dict(l=10, r=10, t=60, b=10), legend=dict(itemsizing="constant"),
                         hoverlabel=dict(align="left"))
    return figure, trace_rows


def padded_range(values: np.ndarray, pad: float = 0.06) -> tuple[float, float]:
    """(low, high) of ``values`` widened by ``pad`` of the span on each side."""
    low, high = float(np.min(values)), float(np.max(values))
    span = (high - low) or 1.0
    return low - pad * span, high + pad * span
