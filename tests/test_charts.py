"""
The charts of the pages (elmo_explorer_ui/charts.py): long tokens cut on the axes, heatmaps that
stay small for large inputs, distinct colours and legends naming word and sense on the UMAP
maps, SVG or WebGL by size, a fixed side-by-side sample, and every page drawing through
``show_chart`` with download buttons that keep their file.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from test_app_pages import UMAP_EXPLORER, array, figures, start

from elmo_core.analysis import pool_similarities, similarity_blocks
from elmo_explorer_ui import charts

URL_TOKEN = "https://example.org/" + "a" * 280


def test_long_tokens_are_cut_on_the_axes_and_whole_on_hover():
    tokens = ["I", "saw", URL_TOKEN, "."]
    figure = charts.similarity_heatmap(np.eye(4), tokens, "t", hover_rows=tokens).to_plotly_json()
    ticks = figure["layout"]["xaxis"]["ticktext"]
    assert ticks[2] == URL_TOKEN[: charts.TICK_CHARS - 1] + "…" and all(len(t) <= charts.TICK_CHARS for t in ticks)
    assert URL_TOKEN in figure["data"][0]["x"]  # the hover names the whole token
    bars = charts.occurrence_bars(pd.DataFrame({"occurrence": [URL_TOKEN, "saw"], "sentence": ["a", "b"],
                                                "layer 0": [1.0, 0.5]}), [0]).to_plotly_json()
    assert bars["layout"]["xaxis"]["ticktext"][0].endswith("…") and URL_TOKEN in bars["data"][0]["customdata"][0]


def test_large_heatmaps_hold_no_per_cell_strings_and_a_few_hundred_rows():
    n = 1020
    rng = np.random.default_rng(0)
    sims = np.corrcoef(rng.normal(size=(n, 16)))
    labels = [f"sense{i // 30}" for i in range(n)]
    boundaries = [i for i in range(1, n) if labels[i] != labels[i - 1]]
    hover = [f"{label}: sentence {i}" for i, label in enumerate(labels)]
    figure = charts.similarity_heatmap(sims, labels, "t", boundaries, hover)
    trace = json.loads(figure.to_json())["data"][0]
    assert "text" not in trace and "customdata" not in trace
    side = len(trace["x"])
    assert side <= charts.HEATMAP_MAX_SIDE and array(trace["z"]).shape == (side, side)
    blocks = similarity_blocks(n, boundaries, charts.HEATMAP_MAX_SIDE)
    assert blocks[0][0] == 0 and blocks[-1][1] == n and all(a[1] == b[0] for a, b in zip(blocks, blocks[1:]))
    assert not any(a < edge < b for a, b in blocks for edge in boundaries)  # never across a sense
    pooled = pool_similarities(sims, blocks)
    a, b = blocks[5]
    assert pooled[5, 5] == pytest.approx(sims[a:b, a:b].mean())
    small = charts.similarity_heatmap(np.eye(5), list("abcde"), "t").to_plotly_json()["data"][0]
    assert len(small["x"]) == 5  # small matrices: every row


def test_colouring_all_curated_words_by_sense_names_word_and_sense_in_distinct_styles():
    from elmo_core.datasets.sense_sentences import load_curated
    from elmo_explorer_ui.points import occurrence_table

    points = occurrence_table(load_curated())
    groups = charts.map_groups(points, "sense")
    senses = points[["word", "sense"]].drop_duplicates()
    assert len(groups) == len(senses) > 60
    assert {g.name for g in groups} == {f"{w} · {s}" for w, s in senses.itertuples(index=False)}
    assert len({(g.colour, g.symbol) for g in groups}) == len(groups)
    words = points["word"].nunique()
    colours = charts.categorical_colours(words)
    assert len(set(colours)) == words
    lab = charts._lab(np.array([charts._rgb(c) for c in colours]))
    distance = np.linalg.norm(lab[:, None] - lab[None], axis=2) + np.eye(words) * 1e9
    assert distance.min() > 20  # CIE76: clearly different side by side
    assert sum(len(g.rows) for g in groups) == len(points)


def test_umap_page_legend_names_word_and_sense():
    at = start(UMAP_EXPLORER, word="all", colour="sense")
    names = {trace["name"] for trace in figures(at)[-1]["data"] if trace.get("showlegend", True)}
    assert "bank · n.river" in names and "saw · v.see" in names


def test_small_maps_are_svg_large_ones_webgl_and_figures_stay_lean():
    """A new figure is a new chart in the browser: SVG costs little per chart, WebGL about half a
    second (software WebGL), so small maps are SVG. Hover text is sent once per point, the
    legend name comes from the trace, and the modes Streamlit would otherwise reset (and redraw
    for) are in the figure already."""
    def figure(n: int, layers: int):
        points = pd.DataFrame({"word": ["bank"] * n, "sense": [("n.river", "n.money")[i % 2] for i in range(n)],
                               "hover": [f"<b>bank</b> {i}" for i in range(n)]})
        coords = {layer: np.random.default_rng(layer).normal(size=(n, 2)) for layer in range(layers)}
        return charts.scatter_map(points, coords, list(range(layers)), "sense")[0]

    small, large = figure(40, 3), figure(charts.SVG_MAX_POINTS // 3 + 2, 3)
    assert {t.type for t in small.data} == {"scatter"} and {t.type for t in large.data} == {"scattergl"}
    assert {t.type for t in figure(charts.SVG_MAX_POINTS // 2 + 2, 1).data} == {"scatter"}
    trace = small.data[0]
    assert trace.customdata is None and trace.text[0] == "<b>bank</b> 0"
    assert trace.hovertemplate == "%{text}<extra>%{fullData.name}</extra>" and trace.name == "bank · n.river"
    layout = small.layout
    assert (layout.dragmode, layout.clickmode, layout.hovermode) == ("lasso", "event", "closest")


def test_side_by_side_sample_is_fixed_shared_by_layers_and_keeps_every_legend_entry():
    """A 5,000-point map side by side draws one fixed sample per layer (SVG, fast clicks): the
    same rows in every layer and for every colour-by, each legend entry with points, and the
    selection rows pointing at the drawn points."""
    n = 5000
    senses = np.array(["n.river"] * (n - 2) + ["n.rare", "n.rare"])
    points = pd.DataFrame({"word": ["bank"] * n, "sense": senses, "source": ["curated", "wordnet"] * (n // 2),
                           "hover": [f"p{i}" for i in range(n)]})
    coords = {layer: np.random.default_rng(layer).normal(size=(n, 2)) for layer in range(3)}
    cap = charts.SIDE_BY_SIDE_POINTS
    figure, rows = charts.scatter_map(points, coords, [0, 1, 2], "sense", max_drawn_per_layer=cap)
    assert {t.type for t in figure.data} == {"scatter"}
    per_layer = [np.sort(np.concatenate(rows[i * 2:(i + 1) * 2])) for i in range(3)]  # two groups per layer
    assert all(np.array_equal(per_layer[0], other) for other in per_layer[1:])
    assert cap <= len(per_layer[0]) <= cap + 3  # the rare sense is added if the sample missed it
    assert {t.name for t in figure.data if len(t.x)} == {"bank · n.river", "bank · n.rare"}
    for trace, trace_rows in zip(figure.data, rows):
        assert list(trace.text) == [f"p{r}" for r in trace_rows]  # selections map back to these rows
    by_source = charts.scatter_map(points, coords, [0, 1, 2], "source", max_drawn_per_layer=cap)[1]
    base = set(charts.drawn_sample(n, cap))
    assert base <= set(np.concatenate(by_source)) and base <= set(per_layer[0])  # recolouring keeps the points
    assert np.array_equal(charts.drawn_sample(10, cap), np.arange(10))  # small maps draw everything


def test_every_page_draws_charts_through_presentation_mode_and_keeps_download_files():
    """Static check of the pages: charts go through ``show_chart`` (projector fonts in presentation
    mode), and every download button keeps its file without a rerun (``on_click="ignore"``), so a
    second click soon after the first still downloads (the UMAP case runs in a real browser in
    test_browser_share.py)."""
    import ast

    repo = Path(__file__).resolve().parents[1]
    ui = Path("elmo_explorer_ui")
    pages = [ui / "app.py", *sorted(p.relative_to(repo) for p in (repo / ui / "pages").glob("*.py"))]
    assert len(pages) > 5
    downloads = 0
    for page in pages:
        tree = ast.parse((repo / page).read_text(encoding="utf-8"))
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)):
            assert call.func.attr != "plotly_chart", f"{page}:{call.lineno} draws a chart without show_chart"
            if call.func.attr == "download_button":
                downloads += 1
                options = {k.arg: k.value for k in call.keywords}
                assert isinstance(options.get("on_click"), ast.Constant) and options["on_click"].value == "ignore", \
                    f"{page}:{call.lineno}"
    assert downloads >= 3
