"""
Issue 13, a classroom-ready app: links that reopen a view, presentation mode, sentences split
as a reader counts them, readable labels and colours, heatmaps that stay small for large
inputs, and UMAP's compiled code kept on disk. Pages run headless (AppTest) with the real
bundled model; the real browser checks are in test_browser_share.py.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from test_app_pages import UMAP_EXPLORER, WORD_SENSES, array, figures, heatmaps, start, texts, widget

from elmo_core.analysis import focus_word, pool_similarities, similarity_blocks
from elmo_explorer_ui import charts
from elmo_explorer_ui.share import MAX_PACKED_CHARS, link_query, pack_text, unpack_text, view_link
from elmo_explorer_ui.texts import parse_sentences, umap_cost

URL_TOKEN = "https://example.org/" + "a" * 280


def link(at) -> str:
    """The link of the sidebar's "Copy link to this view" control."""
    return at.sidebar.code[0].value


def link_params(at) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(link(at)).query))


# ---------------------------------------------------------------- the link to a view
def test_packed_text_round_trips_and_refuses_damage_and_excess():
    text = "She sat on the bank of the river .\nÜber 👨‍👩‍👧 & <b>x</b> ?"
    packed = pack_text(text)
    assert packed is not None and unpack_text(packed) == text
    assert all(c.isalnum() or c in "-_" for c in packed)  # URL-safe, nothing to escape
    assert unpack_text(packed[:-3]) is None and unpack_text("not packed") is None
    assert pack_text(os.urandom(4 * MAX_PACKED_CHARS).hex()) is None  # incompressible: too long
    only_known = link_query({"word": "bank", "folder": "/home/me/model", "text": packed})
    assert "folder" not in only_known and "home" not in only_known
    assert view_link("http://host:8501", {"present": "1"}) == "http://host:8501/?present=1"


def test_the_link_carries_the_typed_text_word_and_presentation_mode():
    at = start()
    typed = "I saw a saw . It cut wood .\nWe saw the film ."
    widget(at.text_area, "lab_text").input(typed).run()
    at.sidebar.toggle[0].set_value(True).run()
    params = link_params(at)
    assert unpack_text(params["text"]) == typed
    assert params["word"] == "saw" and params["present"] == "1"
    assert link(at).startswith("/?")  # the page's path (the browser gives the full URL)
    assert at.query_params["text"] == params["text"]  # the address bar holds the same view


def test_opening_a_link_reproduces_the_view():
    typed = "The bat flew out of the cave .\nHe swung the bat at the ball ."
    at = start(text=pack_text(typed), word="bat", present="1")
    assert widget(at.text_area, "lab_text").value == typed
    assert at.sidebar.toggle[0].value is True
    occurrence = widget(at.selectbox, "lab_occurrence")
    assert occurrence.format_func(occurrence.value).startswith("bat")
    maps = heatmaps(at)
    assert len(maps) == 3 and all(m["layout"]["font"]["size"] == charts.PROJECTOR_FONT for m in maps)


def test_a_damaged_or_too_long_text_is_reported_not_guessed():
    at = start(text="zdamaged")
    assert "could not be read" in texts(at.warning)
    assert widget(at.text_area, "lab_text").value.startswith("She sat on the bank")
    widget(at.text_area, "lab_text").input(" ".join(os.urandom(3000).hex()[i:i + 7] for i in range(0, 6000, 7))).run()
    assert "text" not in link_params(at)
    assert "too long for a link" in texts(at.sidebar.caption)


def test_word_senses_and_umap_links_carry_their_own_sentences_and_colours():
    own = "water | The fish swam around the tank .\narmy | The tank rolled into town ."
    at = start(WORD_SENSES, word="tank", senses_text=pack_text(own))
    assert widget(at.text_area, "senses_own").value == own
    assert unpack_text(link_params(at)["senses_text"]) == own
    at = start(UMAP_EXPLORER, word="all", points="tokens", colour="sense", layout="one", sources="curated,yours")
    assert widget(at.multiselect, "map_sources").value == ["curated", "yours"]
    assert widget(at.radio, "map_mode").value == "tokens"
    assert widget(at.selectbox, "map_colour_tokens").value == "sense"
    assert widget(at.radio, "map_layout").value == "one at a time"
    assert {"word": "all", "points": "tokens", "colour": "sense", "layout": "one",
            "sources": "curated,yours"}.items() <= link_params(at).items()


def test_a_link_naming_a_model_missing_here_says_so_and_uses_mini():
    at = start(model="no-such-model")
    assert "which is not on this server" in texts(at.info)
    assert "model" not in link_params(at)


# ---------------------------------------------------------------- Sentence lab
def test_a_line_with_two_sentences_is_two_sentences():
    parsed = parse_sentences("I saw a saw . It cut wood .\nDr. Smith arrived at 5 p.m. today .", 50)
    assert parsed.sentences == (("I", "saw", "a", "saw", "."), ("It", "cut", "wood", "."),
                                ("Dr.", "Smith", "arrived", "at", "5", "p.m.", "today", "."))
    assert parse_sentences("A . B . C .", 2).truncated
    at = start()
    widget(at.text_area, "lab_text").input("I saw a saw . It cut wood .").run()
    assert "Tokens (9 in 2 sentences)" in [e.label for e in at.expander]
    assert len(heatmaps(at)[0]["layout"]["shapes"]) == 2  # one sentence boundary, both axes


def test_the_default_occurrence_is_the_telling_word_not_to():
    assert focus_word([["He", "went", "to", "the", "bank", "to", "pay"], ["The", "bank", "closed"]]) == "bank"
    assert focus_word([["to", "be", "or", "not", "to", "be"]]) == "to"  # only function words repeat
    at = start()
    widget(at.text_area, "lab_text").input("I went to the shop to buy a saw .\nI saw it there .").run()
    occurrence = widget(at.selectbox, "lab_occurrence")
    assert occurrence.format_func(occurrence.value).startswith("saw")


def test_presentation_mode_puts_one_layer_per_row_and_fewer_decimals():
    at = start(present="1")
    maps = heatmaps(at)
    assert [m["layout"]["height"] for m in maps] == [720] * 3  # full width, one per row
    assert maps[0]["layout"]["xaxis"]["tickfont"]["size"] == charts.PROJECTOR_FONT
    assert shown_decimals(at) == {2}
    at.sidebar.toggle[0].set_value(False).run()
    assert "present" not in at.query_params
    assert [m["layout"]["height"] for m in heatmaps(at)] == [340] * 3
    assert shown_decimals(at) == {3}


def shown_decimals(at) -> set[int]:
    """Decimals of the similarities the last table shows (its formatted display values)."""
    import pyarrow as pa

    shown = pa.ipc.open_stream(at.dataframe[-1].proto.arrow_data.styler.display_values).read_pandas()
    cells = [str(v) for column in shown.columns for v in shown[column] if str(v).startswith(("0.", "1.", "-"))]
    assert cells
    return {len(cell.split(".")[1]) for cell in cells}


def test_long_tokens_are_cut_on_the_axes_and_whole_on_hover():
    tokens = ["I", "saw", URL_TOKEN, "."]
    figure = charts.similarity_heatmap(np.eye(4), tokens, "t", hover_rows=tokens).to_plotly_json()
    ticks = figure["layout"]["xaxis"]["ticktext"]
    assert ticks[2] == URL_TOKEN[: charts.TICK_CHARS - 1] + "…" and all(len(t) <= charts.TICK_CHARS for t in ticks)
    assert URL_TOKEN in figure["data"][0]["x"]  # the hover names the whole token
    bars = charts.occurrence_bars(pd.DataFrame({"occurrence": [URL_TOKEN, "saw"], "sentence": ["a", "b"],
                                                "layer 0": [1.0, 0.5]}), [0]).to_plotly_json()
    assert bars["layout"]["xaxis"]["ticktext"][0].endswith("…") and URL_TOKEN in bars["data"][0]["customdata"][0]


# ---------------------------------------------------------------- large matrices, colours
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


# ---------------------------------------------------------------- UMAP cost and compilation
def test_umap_cost_text_states_measured_seconds_and_compilation():
    assert "about 6 s per layer (measured on this server with 5,000 points), about 18 s for 3 layers" in \
        umap_cost(5000, 3, {5000: 6.0})
    assert "in the background" in umap_cost(20, 1, {}, compiling=True)


def test_umap_code_is_compiled_into_the_project_cache(monkeypatch, tmp_path):
    from elmo_core.analysis import umap_compile
    from elmo_core.analysis.umap_fit import WARM_UP_SIZES

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path))
    folder = umap_compile.numba_cache_folder()
    assert folder.parent == tmp_path / "numba" and "umap-learn-" in folder.name
    monkeypatch.undo()
    umap_compile.prepare_umap()
    import pynndescent.pynndescent_ as nnd
    import umap.umap_ as umap_

    cache = Path(os.environ["NUMBA_CACHE_DIR"])
    for function in (umap_.smooth_knn_dist, umap_.compute_membership_strengths, nnd.init_rp_tree):
        assert Path(function._cache._cache_path).is_relative_to(cache), function
    assert max(WARM_UP_SIZES) > umap_compile.UMAP_PAIRWISE_MAX  # nn-descent path too


def test_large_maps_get_exact_neighbours_without_nearest_neighbour_descent():
    from elmo_core.analysis import fit_umap
    from elmo_core.analysis.umap_compile import UMAP_PAIRWISE_MAX
    from elmo_core.analysis.umap_exact import ExactNeighboursUMAP, exact_cosine_neighbours

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 12)).astype(np.float32)
    x[7] = x[3] * 2  # a duplicate direction: distance 0, yet each row lists itself first
    indices, distances = exact_cosine_neighbours(x, 15, block=64)
    units = x / np.linalg.norm(x, axis=1, keepdims=True)
    brute = np.sort(np.maximum(1 - units @ units.T, 0), axis=1)[:, :15]
    assert (indices[:, 0] == np.arange(300)).all() and np.allclose(distances, brute, atol=1e-5)
    assert indices.dtype == np.int32 and distances.dtype == np.float32

    centres = np.eye(8, dtype=np.float32)[:3] * 5  # three directions: three clusters on the map
    cluster = np.arange(UMAP_PAIRWISE_MAX + 10) % 3
    large = centres[cluster] + rng.normal(scale=0.3, size=(len(cluster), 8)).astype(np.float32)
    coords, reducer = fit_umap(large, n_epochs=30)
    assert isinstance(reducer, ExactNeighboursUMAP) and coords.shape == (len(large), 2)
    assert np.array_equal(coords, fit_umap(large, n_epochs=30)[0])  # a fixed seed: the same map
    placed = reducer.transform(centres + rng.normal(scale=0.3, size=(3, 8)).astype(np.float32))
    middles = np.stack([coords[cluster == c].mean(axis=0) for c in range(3)])
    nearest = np.linalg.norm(placed[:, None] - middles[None], axis=2).argmin(axis=1)
    assert nearest.tolist() == [0, 1, 2]  # each new point lands in its own cluster


def test_identical_vectors_share_one_point_and_are_fitted_once():
    from elmo_core.analysis import fit_umap

    rng = np.random.default_rng(1)
    distinct = rng.normal(size=(40, 6)).astype(np.float32)
    rows = np.arange(200) % 40  # each vector five times, like one word's character layer
    coords, reducer = fit_umap(distinct[rows])
    assert reducer._raw_data.shape[0] == 40  # fitted on the distinct vectors
    assert all(np.array_equal(coords[i], coords[rows == rows[i]][0]) for i in range(200))
    assert len(np.unique(coords, axis=0)) == 40


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
