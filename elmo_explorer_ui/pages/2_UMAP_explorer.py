"""UMAP explorer: 2-d maps of ELMo vectors, layer by layer."""
from __future__ import annotations

import hashlib
import time

import numpy as np
import pandas as pd
import streamlit as st

from elmo_core.analysis import (MIN_UMAP_POINTS, distinct_rows, find_occurrences, fit_pca_2d, fit_umap,
                                gather_vectors, is_collapsed_layer)
from elmo_core.datasets.sense_sentences import curated_words, load_curated, load_wordnet_examples, sentences_for, wordnet_available
from elmo_explorer_ui import charts
from elmo_explorer_ui.points import (ALL_TOKENS, ONE_WORD, USER_SOURCE, Normaliser, SharedFit, build_map_data,
                                     context_only, export_table, user_sense_sentences)
from elmo_explorer_ui.runtime import (embed, friendly_errors, init_widget, model_page, query_int, query_value,
                                      set_query, umap_ready, vector_cache)
from elmo_explorer_ui.safe_text import md, safe_filename
from elmo_explorer_ui.settings import DEFAULTS, LIMITS
from elmo_explorer_ui.texts import (hover_sentence, marked_sentence, parse_labelled_lines, parse_sentences, plural,
                                    umap_cost)
from elmo_explorer_ui.view_state import init_text_widget, presentation, share_text, show_chart

ALL_WORDS = "(all curated words)"
OTHER = "✎ another word …"
SOURCES = {"curated": "curated set", "wordnet": "WordNet examples", USER_SOURCE: "your sentences"}
COLOURS = {ONE_WORD: ("sense", "pos", "source", "word"), ALL_TOKENS: ("role", "source", "word", "sense")}


# The map's vectors are named by ``key`` (model, version, sentences, positions) and not hashed:
# hashing 5,000 x 3 x 1,024 floats on every widget change took a tenth of a second.
@st.cache_data(show_spinner=False, max_entries=16)
def pca_maps(key: str, _vectors: np.ndarray):
    """(L, n, D) -> per layer ((n, 2) coordinates, fitted Pca2d)."""
    return [fit_pca_2d(layer) for layer in _vectors]


@st.cache_resource(show_spinner=False, max_entries=24)
def umap_map(key: str, layer: int, _layer_vectors: np.ndarray, n_neighbors: int, min_dist: float) -> SharedFit:
    """(n, D) -> ((n, 2) coordinates, fitted UMAP reducer); cached per map, layer and settings.
    Layers with too few distinct vectors (the character layer of one word) get PCA instead;
    large maps get fewer optimisation epochs (the layout is settled well before 500).
    A resource, not data: pickling a reducer (numba functions inside) in two sessions at once
    fails, and one shared copy needs no pickling at all."""
    if distinct_rows(_layer_vectors) < MIN_UMAP_POINTS:
        return SharedFit(*fit_pca_2d(_layer_vectors))
    epochs = 200 if len(_layer_vectors) > 2000 else None
    return SharedFit(*fit_umap(_layer_vectors, n_neighbors=n_neighbors, min_dist=min_dist, n_epochs=epochs))


@st.cache_resource(show_spinner=False)
def umap_seconds() -> dict[int, float]:
    """Server-wide: seconds one layer's UMAP took, by number of points (the page's cost text)."""
    return {}


def data_key(*parts) -> str:
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:16]


@st.cache_data(show_spinner=False, max_entries=8)
def map_data(key: str, _items, mode: str):
    """The points of the items that ``key`` names (word, sources, own text, mode); cached, as
    the hover texts of 5,000 tokens take a second and ``_items`` is not hashed."""
    return build_map_data(_items, mode, LIMITS.map_points, DEFAULTS.hover_width)


spec, bilm = model_page(
    "UMAP explorer",
    "Every point is one token vector. PCA shows the map at once; UMAP keeps neighbourhoods "
    "better but takes seconds per layer (the button says how long). Hover a point to read its "
    "sentence, drag a box or lasso to list points.")

# ---------------------------------------------------------------- what to show
words = curated_words()
asked = query_value("word", DEFAULTS.sense_word).strip().lower()
init_widget("map_word", asked if asked in words else (ALL_WORDS if asked in ("", "all") else OTHER))
init_widget("map_other", "" if asked in words or asked in ("", "all") else asked)
has_wordnet = wordnet_available()
init_widget("map_mode", ALL_TOKENS if query_value("points") == ALL_TOKENS else ONE_WORD)
c1, c2, c3 = st.columns([2, 2, 3])
with c1:
    mode = st.radio("Points", (ONE_WORD, ALL_TOKENS), key="map_mode",
                    format_func={ONE_WORD: "occurrences of a word", ALL_TOKENS: "all tokens of the sentences"}.get)
with c2:
    pick = st.selectbox("Word", [ALL_WORDS, *words, OTHER], key="map_word")
    word = st.text_input("Your word", key="map_other").strip().lower() if pick == OTHER else pick
with c3:
    options = [s for s in SOURCES if s != "wordnet" or has_wordnet]
    init_widget("map_sources", [s for s in query_value("sources", "curated").split(",") if s in options])
    sources = st.multiselect("Sources", options, key="map_sources", format_func=SOURCES.get)
    set_query(sources=None if sources == ["curated"] else ",".join(sources) or "none")
    if not has_wordnet:
        st.caption("WordNet examples need the Debian package wordnet-base.")
init_text_widget("map_own", "map_text", "")
with st.expander("Your sentences", expanded=USER_SOURCE in sources and pick == OTHER):
    own_text = st.text_area("One per line, optionally “sense | sentence”", key="map_own", height=110)
share_text("map_text", own_text)

if pick == OTHER and not word:
    st.warning("Type a word, or pick one from the list.")
    st.stop()
items = []
if "curated" in sources:
    items += load_curated() if word == ALL_WORDS else sentences_for(word, "curated")
if "wordnet" in sources and word != ALL_WORDS:
    items += load_wordnet_examples(word)
if USER_SOURCE in sources:
    lines, dropped_lines = parse_labelled_lines(own_text, LIMITS.user_sentences, LIMITS.line_chars)
    if dropped_lines:
        st.warning(f"Only the first {LIMITS.user_sentences} of your lines are used.")
    if word == ALL_WORDS:
        items += context_only(lines)
        if mode == ONE_WORD and lines:
            st.info("Your sentences appear on the all-tokens map, or pick one word to find it in them.")
    else:
        found, missing = user_sense_sentences(word, lines, [item.sense for item in items])
        items += found + (context_only(missing) if mode == ALL_TOKENS else [])
        if missing and mode == ONE_WORD:
            st.warning(f"{len(missing):,} of your sentences {'does' if len(missing) == 1 else 'do'} not contain "
                       f"“{md(word)}”.")
if not sources:
    st.warning("Choose at least one source of sentences.")
    st.stop()
data = map_data(data_key(word, tuple(sources), own_text, mode), items, mode)
if len(data.points) == 0:
    st.warning(f"No sentence in the chosen sources contains “{md(word)}”. Pick a curated word, add "
               "WordNet examples or type your own sentences.")
    st.stop()
if data.dropped:
    st.info(f"Showing the first {LIMITS.map_points:,} of {LIMITS.map_points + data.dropped:,} points.")

key = data_key(spec, spec.version(), data.sentences, data.positions)
kept = vector_cache().get(("map points", key))  # a widget change: the same vectors, not gathered again
if kept is not None:
    (point_vectors,) = kept
else:
    with friendly_errors("computing the vectors"):
        vectors = embed(spec, data.sentences, label="Vectors for the map")
        (point_vectors,) = vector_cache().put(("map points", key), [gather_vectors(vectors, data.positions)])  # (L, n, D)
layers = list(range(bilm.num_layers))
points = data.points

# ---------------------------------------------------------------- projection and layout
c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
with c1:
    asked_colour = query_value("colour")
    init_widget(f"map_colour_{mode}", asked_colour if asked_colour in COLOURS[mode] else COLOURS[mode][0])
    colour_by = st.selectbox("Colour by", COLOURS[mode], key=f"map_colour_{mode}")
with c2:
    projection = st.radio("Projection", ("PCA", "UMAP"), key="map_projection", horizontal=True)
with c3:
    init_widget("map_layout", "one at a time" if query_value("layout") == "one" else "side by side")
    layout = st.radio("Layers", ("side by side", "one at a time"), key="map_layout", horizontal=True)
with c4:
    init_widget("map_layer", query_int("layer", layers[-1], 0, layers[-1]))
    layer_choice = st.slider("Layer", 0, layers[-1], key="map_layer", disabled=layout != "one at a time")
side_by_side_cap = charts.SIDE_BY_SIDE_POINTS  # drawn per layer side by side: SVG, fast clicks
draw_all = False
if layout == "side by side" and len(points) > side_by_side_cap:
    init_widget("map_draw_all", query_value("drawn") == "all")
    draw_all = st.checkbox(f"Draw all {len(points):,} points in each layer (slower on every click)", key="map_draw_all",
                           help=f"Side by side, each layer draws the same fixed sample of {side_by_side_cap:,} points "
                                "so that a click redraws the map in well under a second; one layer at a time "
                                "always draws every point.")
set_query(word=word if word != ALL_WORDS else "all", layer=layer_choice, points=mode if mode != ONE_WORD else None,
          colour=colour_by, layout="one" if layout == "one at a time" else None, drawn="all" if draw_all else None)

computed = st.session_state.setdefault("map_umap_done", set())
use_umap = projection == "UMAP"
if use_umap and key not in computed:
    if len(points) < MIN_UMAP_POINTS:
        st.warning(f"UMAP needs at least {MIN_UMAP_POINTS} points; showing PCA.")
        use_umap = False
    else:
        prompt = st.empty()
        with prompt.container():
            count = len(layers) if layout == "side by side" else 1
            st.info(umap_cost(len(points), count, umap_seconds(), compiling=not umap_ready()))
            clicked = st.button("Compute UMAP", type="primary", key="map_compute")
        if clicked:
            computed.add(key)
            prompt.empty()
        else:
            use_umap = False

shown_layers = layers if layout == "side by side" else [layer_choice]
with friendly_errors("projecting the vectors"):
    if use_umap:  # only the layers on screen: UMAP of 5,000 points takes a while per layer
        fitted = {}
        bars = {layer: st.progress(0.0, text=f"UMAP of {charts.layer_name(layer)}: waiting") for layer in shown_layers}
        for layer in shown_layers:
            bars[layer].progress(0.5, text=f"UMAP of {charts.layer_name(layer)} ({len(points):,} points) …")
            started = time.perf_counter()
            fitted[layer] = umap_map(key, layer, point_vectors[layer], DEFAULTS.umap_neighbors, DEFAULTS.umap_min_dist)
            seconds = time.perf_counter() - started
            if seconds > 0.2:  # a fit, not a cache hit
                umap_seconds()[len(points)] = seconds
            bars[layer].progress(1.0, text=f"UMAP of {charts.layer_name(layer)}: done in {seconds:.1f} s")
        for bar in bars.values():
            bar.empty()
    else:
        fitted = dict(enumerate(pca_maps(key, point_vectors)))
raw = {layer: np.asarray(fitted[layer][0]) for layer in shown_layers}  # (n, 2) each
normalisers = {layer: Normaliser.fit(raw[layer]) for layer in shown_layers}
shown_coords = {layer: normalisers[layer].apply(raw[layer]) for layer in shown_layers}

# ---------------------------------------------------------------- place new sentences
with st.expander("Place new sentences on this map"):
    st.text_area("Sentences, one per line", key="map_place_text", height=90,
                 placeholder="We walked along the bank of the canal .")
    if st.button("Place on map", key="map_place"):
        st.session_state["map_placed"] = st.session_state.get("map_place_text", "")
placed, placed_coords = None, None
placed_text = st.session_state.get("map_placed", "")
if placed_text.strip():
    new = parse_sentences(placed_text, LIMITS.user_sentences, LIMITS.line_chars)
    sentences_new = [list(s) for s in new.sentences]
    if mode == ONE_WORD:
        target = "" if word == ALL_WORDS else word
        where = find_occurrences(sentences_new, target) if target else []
        if not where:
            st.warning("Your new sentences do not contain the word on the map, so there is nothing to place."
                       if target else "Pick one word (or the all-tokens map) to place new sentences.")
    else:
        where = [(s, t) for s, tokens in enumerate(sentences_new) for t in range(len(tokens))]
    if where:
        with friendly_errors("placing the new sentences"):
            new_vectors = gather_vectors(embed(spec, sentences_new), where)  # (L, m, D)
            placed = pd.DataFrame({"hover": [hover_sentence(sentences_new[s], t, DEFAULTS.hover_width) for s, t in where],
                                   "sentence": [marked_sentence(sentences_new[s], t) for s, t in where]})
            placed_coords = {layer: normalisers[layer].apply(fitted[layer][1].transform(new_vectors[layer]))
                             for layer in shown_layers}
        st.caption(f"{plural(len(placed), 'new point')} placed as black stars with the map's own "
                   f"{'UMAP reducer' if use_umap else 'PCA'} (`transform`), without refitting.")

# ---------------------------------------------------------------- the map
fixed = {layer: ((-1.08, 1.08), (-1.08, 1.08)) for layer in shown_layers}
name = "UMAP" if use_umap else "PCA"
what = f"“{word}”" if word != ALL_WORDS else "all curated words"
stacked = presentation() and len(shown_layers) > 1  # a projector: one layer per row
sampled = len(shown_layers) > 1 and not draw_all and len(points) > side_by_side_cap
figure, trace_rows = charts.scatter_map(
    points, shown_coords, shown_layers, colour_by, fixed_ranges=fixed, placed=placed,
    placed_coords=placed_coords, title=f"{name} of {len(points):,} {'tokens' if mode == ALL_TOKENS else 'occurrences'} of {what}",
    height=640 if stacked or len(shown_layers) == 1 else 560, stacked=stacked,
    max_drawn_per_layer=side_by_side_cap if sampled else None)
drawn_rows = np.unique(np.concatenate(trace_rows)) if trace_rows else np.zeros(0)  # -1: placed points
drawn_note = (f" · each layer draws the same sample of {int((drawn_rows >= 0).sum()):,} of them (the map was computed from all; "
              "one layer at a time draws every point)") if sampled else ""
st.caption(f"{len(points):,} points · {name} · {md(spec.title)}{drawn_note}")
event = show_chart(figure, on_select="rerun", selection_mode=("points", "box", "lasso"),
                        key=f"map_chart_{key}_{name}_{layout}", width="stretch")

collapsed = [charts.layer_name(l) for l in shown_layers if is_collapsed_layer(point_vectors[l])]
if collapsed:
    st.caption(f"In {', '.join(collapsed)} all points coincide: the character layer sees only the spelling, "
               "so every occurrence of one word gets the same vector.")

# ---------------------------------------------------------------- selection and exports
selected: dict[int, list[int]] = {}
for point in (event.selection.get("points", []) if event else []):
    curve, index = point.get("curve_number"), point.get("point_index")
    if curve is None or index is None or curve >= len(trace_rows) or index >= len(trace_rows[curve]):
        continue
    row = int(trace_rows[curve][index])
    if row >= 0:
        selected.setdefault(row, []).append(shown_layers[curve // max(1, len(trace_rows) // len(shown_layers))])
if selected:
    st.subheader(plural(len(selected), "selected point"))
    rows = sorted(selected)
    st.dataframe(points.iloc[rows].drop(columns=["hover"]).assign(
        layers=[", ".join(str(l) for l in sorted(set(selected[r]))) for r in rows]), hide_index=True, width="stretch")
else:
    st.caption("Select points with the box or lasso tool to list them here.")

c1, c2 = st.columns(2)
with c1:
    st.download_button("Download CSV (coordinates + vectors)",
                       data=lambda: export_table(points, raw, point_vectors, name).to_csv(index=False),
                       file_name=f"elmo_{name.lower()}_{safe_filename(word, 'map')}.csv", mime="text/csv",
                       key="map_csv", on_click="ignore")  # no rerun: the button keeps its file, so a second click works
with c2:
    st.download_button("Download the figure (HTML)",
                       data=lambda: figure.to_html(include_plotlyjs=True, full_html=True),
                       file_name=f"elmo_{name.lower()}_{safe_filename(word, 'map')}.html", mime="text/html",
                       key="map_html", on_click="ignore")
