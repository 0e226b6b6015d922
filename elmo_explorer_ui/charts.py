"""
Plotly figures of the app (pure: data in, ``go.Figure`` out; no Streamlit).

Text arguments are plain text and are HTML-escaped here (:func:`~.safe_text.plotly_text`), as
Plotly renders labels as HTML; only the ``hover`` column of :func:`scatter_map` is HTML already
(made by :func:`~.texts.hover_sentence`).
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from elmo_core.analysis import SenseAccuracy, pool_similarities, similarity_blocks

from .safe_text import plotly_text
from .texts import short

LAYER_NAMES = {0: "layer 0 (characters)", 1: "layer 1 (biLSTM)", 2: "layer 2 (biLSTM)"}
LAYER_COLOURS = ("#9e9e9e", "#4c78a8", "#f58518", "#54a24b", "#e45756")
PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6",
           "#9d755d", "#bab0ac", "#eeca3b", "#1f77b4", "#2ca02c", "#d62728", "#9467bd")
#: Marker symbols that tell the senses of one word apart on a map coloured by word.
SENSE_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "triangle-down", "star")
CONTEXT_COLOUR = "#c8c8c8"
HEATMAP_SCALE = "Viridis"
#: Characters of a token or label shown on an axis; longer ones end in "…" (hover shows all).
TICK_CHARS = 14
#: Most rows (and columns) a similarity heatmap draws; larger matrices are drawn as block means.
HEATMAP_MAX_SIDE = 300
#: Font size of every chart in presentation mode (tick labels, legends, hover labels).
PROJECTOR_FONT = 18
BASE_FONT = 12
# Maps with up to this many points drawn (all layers together) are SVG, larger ones WebGL. Every
# new figure is a new chart in the browser; a new WebGL chart costs about 0.5 s before its first
# point on a machine without a GPU (software WebGL), an SVG one about 0.05 s plus 0.07 ms a
# point (docs/experiments/2026-11-30-app-latency-chart-changes.md).
SVG_MAX_POINTS = 4_000
# Points drawn per layer when a map shows its layers side by side: a fixed sample, so that the
# whole figure stays SVG and a click (colour-by, a new layout) redraws it in under a second.
SIDE_BY_SIDE_POINTS = 1_000


def layer_name(layer: int) -> str:
    return LAYER_NAMES.get(layer, f"layer {layer} (biLSTM)")


def tick_label(text: str, limit: int = TICK_CHARS) -> str:
    """``text`` for an axis or legend: cut to ``limit`` characters with "…", HTML-escaped."""
    return plotly_text(short(str(text), limit))


def unique_names(rows: Sequence[str]) -> list[str]:
    """``rows`` as they are when all differ, else each prefixed with its number (``"#3 saw"``),
    so that they can name the categories of an axis."""
    rows = [str(r) for r in rows]
    return rows if len(set(rows)) == len(rows) else [f"#{i} {r}" for i, r in enumerate(rows, 1)]


def similarity_heatmap(sims: np.ndarray, labels: Sequence[str], title: str,
                       boundaries: Sequence[int] = (), hover_rows: Sequence[str] | None = None,
                       height: int = 420, zmin: float = -1.0, max_side: int = HEATMAP_MAX_SIDE,
                       colorbar: bool = True, zmax: float = 1.0, value_name: str = "cosine") -> go.Figure:
    """Heatmap of an (n, n) cosine matrix with ``labels`` on both axes (cut to
    :data:`TICK_CHARS` characters, shown up to 60 rows) and lines before each index in
    ``boundaries`` (sentence or sense boundaries); colours run from ``zmin`` to 1 (the colour
    bar left out without ``colorbar``, for heatmaps side by side on one scale). ``zmax`` and
    ``value_name`` (hover) for other values, e.g. cosines minus the layer's baseline.

    Hovering a cell names its row and column (``hover_rows``, default ``labels``): the axes are
    categories named by the rows, so the figure holds n names, never n x n hover strings.
    Above ``max_side`` rows each cell is the mean over a block of neighbouring rows and columns
    (:func:`~elmo_core.analysis.similarity_blocks`, never across a boundary), so the figure
    stays under ``max_side`` squared values.
    """
    n = len(labels)
    rows = unique_names(hover_rows if hover_rows is not None else labels)
    blocks = similarity_blocks(n, boundaries, max_side)
    z = np.asarray(sims, dtype=np.float64)
    if len(blocks) < n:
        z = pool_similarities(z, blocks)
        rows = [rows[a] if b - a == 1 else f"#{a + 1}–#{b} ({b - a} rows): {short(str(labels[a]), 40)}"
                for a, b in blocks]
        starts = {a: i for i, (a, _) in enumerate(blocks)}
        boundaries = [starts[b] for b in boundaries if b in starts]
        title = f"{title} (mean of blocks of up to {max(b - a for a, b in blocks)} rows)"
    names = [plotly_text(name) for name in rows]
    side = len(names)
    show_ticks = side <= 60
    ticks = [tick_label(l) for l in labels] if show_ticks else []
    axis = dict(type="category", tickmode="array", tickvals=names if show_ticks else [], ticktext=ticks,
                showgrid=False, zeroline=False, automargin=False)
    line = dict(color="white", width=2)
    shapes = [shape for b in boundaries for shape in (  # all at once: add_shape is quadratic
        dict(type="line", x0=b - 0.5, x1=b - 0.5, y0=-0.5, y1=side - 0.5, line=line),
        dict(type="line", y0=b - 0.5, y1=b - 0.5, x0=-0.5, x1=side - 0.5, line=line))]
    longest = max((len(short(str(label), TICK_CHARS)) for label in labels), default=0) if show_ticks else 0
    layout = dict(  # one layout, validated once (each update_* call validated the figure again)
        title=dict(text=plotly_text(title), x=0.02), height=height, shapes=shapes,
        margin=dict(r=10, t=40, **tick_margins(longest)), meta=dict(tick_chars=longest),
        xaxis=dict(**axis, tickangle=-60, range=[-0.5, side - 0.5], constrain="domain"),
        yaxis=dict(**axis, autorange="reversed", scaleanchor="x", constrain="domain"))
    return go.Figure(go.Heatmap(
        z=np.round(z, 4).astype(np.float32), x=names, y=names,
        zmin=zmin, zmax=zmax, colorscale=HEATMAP_SCALE, showscale=colorbar,
        colorbar=dict(title="cos" if value_name == "cosine" else "cos −<br>base", thickness=12),
        hovertemplate=f"%{{y}}<br>↔ %{{x}}<br>{plotly_text(value_name)} %{{z:.3f}}<extra></extra>",
    ), layout=layout)


def tick_margins(chars: int, size: int = BASE_FONT) -> dict[str, int]:
    """Left and bottom margins (pixels) for heatmap tick labels of ``chars`` characters at
    ``size`` points, the x labels at 60 degrees."""
    width = chars * size * 0.62  # pixels of the longest label
    return dict(l=round(width) + 12, b=round(width * 0.87 + size) + 12 if chars else 12)


def fit_tick_margins(figure: go.Figure, size: int = BASE_FONT) -> go.Figure:
    """Left and bottom margins of a heatmap made for its tick labels (``layout.meta.tick_chars``
    characters at ``size`` points, the x labels at 60 degrees), instead of Plotly's automargin,
    which draws a chart again after measuring its labels. Changes and returns ``figure``."""
    chars = (figure.layout.meta or {}).get("tick_chars", 0)
    figure.update_layout(margin=tick_margins(chars, size))
    return figure


def shared_low(sims: np.ndarray) -> float:
    """Bottom of a colour scale shared by several cosine matrices: their minimum rounded down
    to a tenth, between -1 and 0.5 (so differences among high similarities stay visible)."""
    return float(np.clip(np.floor(float(np.min(sims)) * 10) / 10, -1.0, 0.5))


class BarMark(NamedTuple):
    """The reference drawn on one bar: the one-sense pairs' 10 %, median and 90 % (``one``), the
    two-sense pairs' median (``two``), and what they are (``one_name``, ``two_name``, plain text)."""

    one: tuple[float, float, float]
    two: float
    one_name: str
    two_name: str


def occurrence_bars(table: pd.DataFrame, layers: Sequence[int], marks: dict[int, Sequence[BarMark]] | None = None,
                    value_name: str = "cosine similarity") -> go.Figure:
    """Grouped bars: one group per row of ``table`` (column ``occurrence``, cut to
    :data:`TICK_CHARS` characters on the axis, whole on hover), one bar per layer (columns
    ``layer 0`` ...) with the cosine similarity to the chosen occurrence (``value_name``).

    ``marks[layer][row]``, when given, is drawn on that bar: a black dash at the one-sense
    reference's median with a whisker from its 10 % to its 90 %, and a red diamond at the
    two-sense reference's median."""
    figure = go.Figure()
    rows = list(range(len(table)))
    hover = [f"{plotly_text(o)}<br>{plotly_text(t)}" for o, t in zip(table["occurrence"], table["sentence"])]
    gap = 0.35 if len(table) > 2 else 0.6
    width = (1 - gap) / max(1, len(layers))  # of one bar; the group is centred on its row
    extremes = [table[[f"layer {l}" for l in layers]].to_numpy(dtype=float).reshape(-1)] if len(table) else []
    for index, layer in enumerate(layers):
        column = f"layer {layer}"
        figure.add_bar(x=rows, y=table[column], name=layer_name(layer),
                       marker_color=LAYER_COLOURS[layer % len(LAYER_COLOURS)], customdata=hover,
                       hovertemplate=f"%{{customdata}}<br>{plotly_text(value_name)} %{{y:.3f}}<extra></extra>")
    at, one, two, names = [], [], [], []  # every layer's marks in one trace per kind: fewer traces draw faster
    for index, layer in enumerate(layers):
        if marks and marks.get(layer):
            layer_marks = list(marks[layer])
            at += [r - (1 - gap) / 2 + (index + 0.5) * width for r in rows]
            one += [m.one for m in layer_marks]
            two += [m.two for m in layer_marks]
            names += [(plotly_text(m.one_name), plotly_text(m.two_name), plotly_text(layer_name(layer)))
                      for m in layer_marks]
    if at:
        one_marks, two_marks = np.array(one, dtype=float), np.array(two, dtype=float)  # (marks, 3), (marks,)
        extremes += [one_marks.reshape(-1), two_marks]
        figure.add_scatter(
            x=at, y=one_marks[:, 1], mode="markers", name="reference: one sense (median, 10–90 %)",
            marker=dict(symbol="line-ew", size=14, color="black", line=dict(width=3, color="black")),
            error_y=dict(type="data", symmetric=False, array=one_marks[:, 2] - one_marks[:, 1],
                         arrayminus=one_marks[:, 1] - one_marks[:, 0], color="black", thickness=1.5, width=4),
            customdata=[[n[0], n[2]] for n in names],
            hovertemplate="%{customdata[0]}: median %{y:.3f}<extra>%{customdata[1]}</extra>")
        figure.add_scatter(
            x=at, y=two_marks, mode="markers", name="reference: two senses (median)",
            marker=dict(symbol="diamond-open", size=9, color="crimson", line=dict(width=2)),
            customdata=[[n[1], n[2]] for n in names],
            hovertemplate="%{customdata[0]}: median %{y:.3f}<extra>%{customdata[1]}</extra>")
    values = np.concatenate(extremes) if extremes else np.zeros(1)
    low, high = float(np.nanmin(values)) - 0.05, float(np.nanmax(values)) + 0.05
    figure.update_layout(barmode="group", bargap=gap,
                         xaxis=dict(tickmode="array", tickvals=rows,
                                    ticktext=[tick_label(o, 24) for o in table["occurrence"]]),
                         yaxis=dict(title=plotly_text(value_name), range=[min(0.0, low), max(1.05, high)]),
                         height=420 if marks else 380, margin=dict(l=10, r=10, t=70 if marks else 30, b=10),
                         legend=dict(orientation="h", y=1.02, yanchor="bottom"))
    return figure


#: Height of a bar label in the accuracy chart, in accuracy units (its y axis spans 0 to 1.12 in 360 px).
_LABEL_HEIGHT = 0.06


def _label_height(top: float, lines: Sequence[float]) -> float:
    """Where a bar label goes: just above ``top`` (the bar or its interval), moved above any
    reference line that would run through it, so the line never hides the number."""
    y = top + 0.01
    for line in sorted(lines):
        if y - 0.01 <= line <= y + _LABEL_HEIGHT:
            y = line + 0.012
    return y


def accuracy_chart(accuracy: SenseAccuracy, highlight: int | None = None, baseline: float | None = None,
                   intervals: Sequence[tuple[float, float]] | None = None) -> go.Figure:
    """Bars of per-layer leave-one-out sense accuracy with a dashed line at the chance level and,
    when given, a dotted one at the bag-of-context-words ``baseline`` (no language model).

    ``intervals``: a (low, high) 95% interval per layer, drawn as error bars. Each bar's label
    sits above the bar (and its interval) on a white ground, above any reference line that would
    cross it; the lines are named at the right edge, outside the bars.
    """
    layers = list(range(len(accuracy.per_layer)))
    colours = [LAYER_COLOURS[l % len(LAYER_COLOURS)] for l in layers]
    names = [layer_name(l) for l in layers]
    values = list(accuracy.per_layer)
    error = None
    if intervals is not None:
        error = dict(type="data", symmetric=False, color="#555555", thickness=1.2, width=6,
                     array=[max(high - a, 0.0) for a, (_, high) in zip(values, intervals)],
                     arrayminus=[max(a - low, 0.0) for a, (low, _) in zip(values, intervals)])
    figure = go.Figure(go.Bar(
        x=names, y=values, marker_color=colours, error_y=error,
        marker_line=dict(width=[3 if l == highlight else 0 for l in layers], color="black"),
        hovertemplate="%{x}: %{y:.1%}<extra></extra>", name="accuracy",
    ))
    lines = [accuracy.chance]
    figure.add_hline(y=accuracy.chance, line_dash="dash", line_color="crimson",
                     annotation_text=f"chance {accuracy.chance:.0%}<br>(majority sense)",
                     annotation_position="right", annotation_font_color="crimson")
    if baseline is not None:
        lines.append(baseline)
        close = abs(baseline - accuracy.chance) < _LABEL_HEIGHT
        figure.add_hline(y=baseline, line_dash="dot", line_color="#444444",
                         annotation_text=f"context words {baseline:.0%}<br>(no language model)",
                         annotation_position="right",
                         annotation_yshift=(30 if baseline >= accuracy.chance else -30) if close else 0)
    for l, (name, value) in enumerate(zip(names, values)):
        top = max(value, intervals[l][1]) if intervals is not None else value
        figure.add_annotation(x=name, y=_label_height(top, lines), text=f"{value:.0%}", showarrow=False,
                              yanchor="bottom", bgcolor="rgba(255,255,255,0.9)", font=dict(size=14, color="#222222"))
    figure.update_layout(yaxis=dict(title="leave-one-out accuracy", range=[0, 1.12], tickformat=".0%"),
                         height=360, margin=dict(l=10, r=140, t=30, b=10), showlegend=False)
    return figure


def _lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1] (..., 3) -> CIE L*a*b* (D65), for colour distances as seen."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = linear @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255


@lru_cache(maxsize=8)
def categorical_colours(n: int) -> tuple[str, ...]:
    """``n`` colours that differ from each other as much as possible: the first ten of
    :data:`PALETTE`, then, one at a time, the colour of an sRGB grid (without near-white and
    near-black ones, which vanish on the page or look like text) farthest in CIE L*a*b* from
    all colours chosen so far."""
    chosen = list(PALETTE[: min(n, 10)])
    if n <= len(chosen):
        return tuple(chosen)
    steps = np.linspace(0, 1, 16)
    grid = np.stack(np.meshgrid(steps, steps, steps, indexing="ij"), axis=-1).reshape(-1, 3)
    lab = _lab(grid)
    usable = (lab[:, 0] > 25) & (lab[:, 0] < 85)
    grid, lab = grid[usable], lab[usable]
    nearest = np.min([np.linalg.norm(lab - _lab(_rgb(c)), axis=1) for c in chosen], axis=0)
    while len(chosen) < n:
        best = int(np.argmax(nearest))
        chosen.append("#" + "".join(f"{round(v * 255):02x}" for v in grid[best]))
        nearest = np.minimum(nearest, np.linalg.norm(lab - lab[best], axis=1))
    return tuple(chosen)


def colour_map(values: Sequence[str]) -> dict[str, str]:
    """A distinct colour per distinct value (:func:`categorical_colours`), in order of first
    appearance."""
    distinct = list(dict.fromkeys(values))
    return dict(zip(distinct, categorical_colours(len(distinct))))


class MapGroup(NamedTuple):
    """One legend entry of a map: its name (plain text), rows of the points table, colour, symbol."""

    name: str
    rows: np.ndarray
    colour: str
    symbol: str


def map_groups(points: pd.DataFrame, colour_by: str) -> list[MapGroup]:
    """The legend entries of a map of ``points`` coloured by column ``colour_by``.

    Coloured by ``sense`` (with a ``word`` column), each entry reads ``"bank · n.river"``. With
    one word on the map, each sense has its own colour (circles); with several words, a point's
    colour names its word and its symbol the sense, so dozens of senses stay apart with as many
    colours as words. Tokens without a sense (``"—"``, context tokens) share one grey entry. Any
    other column: one distinct colour per value.
    """
    values = points[colour_by].astype(str).to_numpy()
    if colour_by != "sense" or "word" not in points:
        colours = colour_map(values.tolist())
        return [MapGroup(value, np.flatnonzero(values == value), colour, "circle") for value, colour in colours.items()]
    words = points["word"].astype(str).to_numpy()
    sensed = values != "—"
    pairs = list(dict.fromkeys(zip(words[sensed].tolist(), values[sensed].tolist())))
    one_word = len({word for word, _ in pairs}) <= 1
    colours = colour_map([f"{w} · {s}" for w, s in pairs] if one_word else words[sensed].tolist())
    groups, senses_of = [], {}
    for word, sense in pairs:
        symbols = senses_of.setdefault(word, [])
        symbols.append(sense)
        rows = np.flatnonzero(sensed & (words == word) & (values == sense))
        name = f"{word} · {sense}"
        groups.append(MapGroup(name, rows, colours[name] if one_word else colours[word],
                               "circle" if one_word else SENSE_SYMBOLS[(len(symbols) - 1) % len(SENSE_SYMBOLS)]))
    if not sensed.all():
        groups.append(MapGroup("context (no sense)", np.flatnonzero(~sensed), CONTEXT_COLOUR, "circle"))
    return groups


def drawn_sample(n: int, limit: int, groups: Sequence[MapGroup] = (), per_group: int = 3, seed: int = 0) -> np.ndarray:
    """Sorted row numbers (k,) of a fixed random sample of ``limit`` of ``n`` rows (all rows when
    ``n <= limit``), plus the first ``per_group`` rows of any of ``groups`` the sample missed, so
    every legend entry keeps points. The same ``n`` and ``seed`` give the same base sample whatever
    the grouping, so a colour-by change recolours the same points."""
    if n <= limit:
        return np.arange(n)
    keep = np.random.default_rng(seed).choice(n, size=limit, replace=False)
    missed = [np.asarray(g.rows)[:per_group] for g in groups if not np.isin(g.rows, keep).any()]
    return np.unique(np.concatenate([keep, *missed])) if missed else np.sort(keep)


def scatter_map(points: pd.DataFrame, coords: dict[int, np.ndarray], layers: Sequence[int],
                colour_by: str, *, fixed_ranges: dict[int, tuple[tuple[float, float], tuple[float, float]]] | None = None,
                placed: pd.DataFrame | None = None, placed_coords: dict[int, np.ndarray] | None = None,
                title: str = "", height: int = 560, stacked: bool = False,
                max_drawn_per_layer: int | None = None) -> tuple[go.Figure, list[np.ndarray]]:
    """Scatter map of ``points`` (columns ``hover`` and ``colour_by``) in one subplot per layer,
    side by side, or one under the other with ``stacked`` (``height`` is then per layer).
    Legend entries come from :func:`map_groups`. SVG up to :data:`SVG_MAX_POINTS` points drawn,
    WebGL (``scattergl``) above. ``max_drawn_per_layer``: draw only that many points per layer
    (the same :func:`drawn_sample` in every layer), e.g. to keep a side-by-side map in SVG.

    ``coords[layer]`` is (n, 2). Returns the figure and, per trace, the row numbers of
    ``points`` it draws (to map selection events back to rows; ``-1`` rows are placed points).
    """
    titles = [layer_name(l) for l in layers]
    if stacked:
        figure = make_subplots(rows=len(layers), cols=1, subplot_titles=titles,
                               vertical_spacing=0.08 / max(1, len(layers) - 1))
    else:
        figure = make_subplots(rows=1, cols=len(layers), subplot_titles=titles, horizontal_spacing=0.04)
    groups = map_groups(points, colour_by)
    hover = points["hover"].to_numpy()  # HTML already; a str array: Plotly checks it at once, a list item by item
    drawn = drawn_sample(len(points), max_drawn_per_layer or len(points), groups)
    budget = min(len(points), max_drawn_per_layer or len(points))  # the few rows added for rare groups aside
    trace = go.Scatter if budget * len(layers) <= SVG_MAX_POINTS else go.Scattergl
    trace_rows: list[np.ndarray] = []
    axes: dict[str, dict] = {}  # every subplot's axes, set in one layout update (update_xaxes is slow)
    for index, layer in enumerate(layers):
        where = dict(row=index + 1, col=1) if stacked else dict(row=1, col=index + 1)
        suffix = "" if index == 0 else str(index + 1)
        x_axis, y_axis = axes.setdefault(f"xaxis{suffix}", {}), axes.setdefault(f"yaxis{suffix}", {})
        x_axis["showticklabels"] = y_axis["showticklabels"] = False
        xy = coords[layer]
        for group in groups:
            rows = group.rows if len(drawn) == len(points) else np.intersect1d(group.rows, drawn)
            name = tick_label(group.name, 40)
            figure.add_trace(trace(
                x=xy[rows, 0].astype(np.float32), y=xy[rows, 1].astype(np.float32), mode="markers",
                name=name, legendgroup=name, showlegend=index == 0,
                marker=dict(color=group.colour, symbol=group.symbol, size=7, opacity=0.8),
                text=hover[rows].astype(str), hovertemplate="%{text}<extra>%{fullData.name}</extra>",
            ), **where)
            trace_rows.append(rows)
        if placed is not None and placed_coords is not None and len(placed):
            pxy = placed_coords[layer]
            figure.add_trace(trace(
                x=pxy[:, 0], y=pxy[:, 1], mode="markers", name="your sentences", legendgroup="placed",
                showlegend=index == 0, marker=dict(symbol="star", size=15, color="black",
                                                   line=dict(color="gold", width=1)),
                text=placed["hover"].to_numpy().astype(str), hovertemplate="%{text}<extra>your sentence</extra>",
            ), **where)
            trace_rows.append(np.full(len(placed), -1))
        if fixed_ranges and layer in fixed_ranges:
            (x0, x1), (y0, y1) = fixed_ranges[layer]
            x_axis["range"], y_axis["range"] = [x0, x1], [y0, y1]
    figure.update_layout(**axes, height=height * len(layers) if stacked else height,
                         title=dict(text=plotly_text(title), x=0.01),
                         # the modes Streamlit would set after the first draw, set here so that it
                         # does not redraw the new figure once or twice more (a WebGL redraw each)
                         dragmode="lasso", clickmode="event", hovermode="closest",
                         margin=dict(l=10, r=10, t=60, b=10), legend=dict(itemsizing="constant"),
                         hoverlabel=dict(align="left"))
    return figure, trace_rows


def for_projector(figure: go.Figure, size: int = PROJECTOR_FONT) -> go.Figure:
    """``figure`` with fonts for a projector (presentation mode): text, ticks, legend, hover
    labels and subplot titles at ``size`` points, the title larger. Changes and returns it."""
    figure.update_layout(font=dict(size=size), title_font=dict(size=size + 6), legend_font=dict(size=size),
                         hoverlabel=dict(font_size=size))
    figure.update_xaxes(tickfont=dict(size=size), title_font=dict(size=size))
    figure.update_yaxes(tickfont=dict(size=size), title_font=dict(size=size))
    figure.update_annotations(font_size=size + 2)
    return fit_tick_margins(figure, size) if isinstance(figure.layout.meta, dict) and "tick_chars" in figure.layout.meta \
        else figure

