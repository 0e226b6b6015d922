"""
The path of one word through the biLM as Lesson stages: for each stage of
:func:`elmo_core.analysis.word_path.word_path` (characters, character CNN, highway layers,
layer 0, each biLSTM layer, the scalar mix) a title, the shape a reader of the paper expects, a
one-line summary with the live values, and a detail figure.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import plotly.graph_objects as go

from elmo_core.analysis.word_path import WordPath, word_path

from .. import charts
from ..safe_text import plotly_text


@dataclass(frozen=True)
class Stage:
    """One stage of the path of a word: a title, the shape a reader of the paper expects, a
    one-line summary with live values (plain text), and the detail figure opened on request."""

    title: str
    shape: str
    summary: str
    figure: Optional[go.Figure] = None


def _characters_figure(path: WordPath) -> go.Figure:
    c = path.characters
    used = range(c.n_used)
    return go.Figure(go.Table(
        header=dict(values=["position", "character", "id fed to the CNN"]),
        cells=dict(values=[list(used), [plotly_text(c.labels[i]) for i in used], [int(c.ids[i]) for i in used]])),
        layout=dict(height=min(60 + 28 * c.n_used, 420), margin=dict(l=5, r=5, t=5, b=5)))


def _filters_figure(path: WordPath) -> go.Figure:
    top = path.char_cnn.top[::-1]
    labels = [plotly_text(f"filter {h.filter} (width {h.width}): “{h.label}”") for h in top]
    figure = go.Figure(go.Bar(x=[h.activation for h in top], y=labels, orientation="h",
                              marker_color=charts.LAYER_COLOURS[0],
                              hovertemplate="%{y}: %{x:.2f}<extra></extra>"))
    figure.update_layout(height=60 + 30 * len(top), margin=dict(l=10, r=10, t=10, b=10),
                         xaxis=dict(title="largest activation over the word's windows"))
    return figure


def _gate_figure(gate: np.ndarray) -> go.Figure:
    figure = go.Figure(go.Histogram(x=gate, nbinsx=40, marker_color=charts.LAYER_COLOURS[1]))
    figure.add_vline(x=0.5, line_dash="dash", line_color="crimson")
    figure.update_layout(height=260, margin=dict(l=10, r=10, t=10, b=10),
                         xaxis=dict(title="gate g per dimension (1: transformed, 0: carried through)", range=[0, 1]),
                         yaxis=dict(title="dimensions"))
    return figure


def _vector_figure(vectors: dict[str, np.ndarray]) -> go.Figure:
    names = list(vectors)
    z = np.stack([vectors[n] for n in names])
    figure = go.Figure(go.Heatmap(z=z, y=[plotly_text(n) for n in names], colorscale="RdBu", zmid=0,
                                  hovertemplate="%{y}, dimension %{x}: %{z:.3f}<extra></extra>"))
    figure.update_layout(height=80 + 40 * len(names), margin=dict(l=10, r=10, t=10, b=10),
                         xaxis=dict(title="dimension"))
    return figure


def _context_figure(path: WordPath, layer: int) -> go.Figure:
    step = path.lstm[layer - 1]
    names = ["forward", "backward"]
    values = [step.forward.context_cosine, step.backward.context_cosine]
    figure = go.Figure(go.Bar(x=names, y=values, marker_color=[charts.LAYER_COLOURS[1], charts.LAYER_COLOURS[2]],
                              hovertemplate="%{x}: %{y:.3f}<extra></extra>"))
    figure.update_layout(height=260, margin=dict(l=10, r=10, t=10, b=10),
                         yaxis=dict(title="cosine: in this sentence vs the word alone", range=[min(0, *values), 1.05]))
    return figure


def _mix_figure(path: WordPath) -> go.Figure:
    layers = [charts.layer_name(l) for l in range(len(path.mix.weights))]
    figure = go.Figure()
    figure.add_bar(x=layers, y=path.mix.weights, name="weight s_k", marker_color="#888888")
    figure.add_bar(x=layers, y=path.mix.shares, name="share of the mixed vector", marker_color="#4c78a8")
    figure.update_layout(barmode="group", height=280, margin=dict(l=10, r=10, t=30, b=10),
                         legend=dict(orientation="h", y=1.02, yanchor="bottom"))
    return figure


def _read(tokens: Sequence[str]) -> str:
    return " ".join(tokens)


def path_stages(bilm, tokens: Sequence[str], position: int,
                mix_weights: Sequence[float] | None = None) -> tuple[list[Stage], list[float]]:
    """The stages of ``tokens[position]``'s path, and its cosine in the sentence vs alone per layer."""
    path = word_path(bilm, list(tokens), position, mix_weights=mix_weights)
    shapes = path.shapes
    c, cnn = path.characters, path.char_cnn
    best = cnn.top[0] if cnn.top else None
    stages = [
        Stage("Characters", shapes["characters"],
               f"“{c.marked_word}”: {c.n_used} of {c.max_characters} positions used (word markers included), "
               "the rest padding.", _characters_figure(path)),
        Stage("Character CNN", f"{shapes['char embeddings']} → {shapes['char CNN']}",
               f"{cnn.n_filters} filters in {len(cnn.filters)} widths, each max-pooled over the word; the strongest"
               + (f", filter {best.filter} (width {best.width}), fires on “{best.label}” ({best.activation:.2f})."
                  if best else "."), _filters_figure(path)),
    ]
    for index, highway in enumerate(path.highways, 1):
        stages.append(Stage(f"Highway {index}", shapes.get("highway", ""),
                             f"mean gate {highway.mean_gate:.2f}; {highway.transform_share:.0%} of the dimensions mostly "
                             f"transformed, the rest carried through; norm {highway.norm_in:.1f} → {highway.norm_out:.1f}.",
                             _gate_figure(highway.gate)))
    stages.append(Stage("Layer 0", (f"{shapes['projection']} → " if "projection" in shapes else "") + shapes["layer 0"],
                         f"the context-free token vector (norm {path.layer0.norm:.1f}), the same in every sentence; "
                         "written twice, [tok; tok], to match the biLSTM layers' width.",
                         _vector_figure({"layer 0 (token)": path.layer0.vector})))
    for step in path.lstm:
        stages.append(Stage(
            f"Layer {step.layer}", f"cells {shapes[f'layer {step.layer} LSTM cell']} → {shapes[f'layer {step.layer}']}",
            f"forward has read “{_read(step.forward.read)}”, backward “{_read(step.backward.read)}”; against the word "
            f"alone, cosine {step.forward.context_cosine:.2f} forward and {step.backward.context_cosine:.2f} backward.",
            _context_figure(path, step.layer)))
    shares = " / ".join(f"{s:.2f}" for s in path.mix.shares)
    stages.append(Stage("Scalar mix", shapes["scalar mix"],
                         f"γ Σ s_k h_k with weights {' / '.join(f'{w:.2f}' for w in path.mix.weights)} (an even mix here); "
                         f"each layer's share of the mixed vector: {shares}.", _mix_figure(path)))
    return stages, [float(x) for x in path.context_cosines]
