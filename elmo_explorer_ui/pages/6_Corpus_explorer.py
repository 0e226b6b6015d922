"""Corpus explorer: one word across a whole corpus embedded with ``elmo-explorer embed-corpus``."""
from __future__ import annotations

import numpy as np
import streamlit as st

from elmo_core.analysis import MIN_UMAP_POINTS, distinct_rows, fit_pca_2d, fit_umap, is_collapsed_layer
from elmo_core.bulk.reader import CorpusError, CorpusReader
from elmo_explorer_ui import charts
from elmo_explorer_ui.corpus_view import sample_points
from elmo_explorer_ui.points import Normaliser
from elmo_explorer_ui.runtime import friendly_errors, page_setup
from elmo_explorer_ui.safe_text import md
from elmo_explorer_ui.settings import DEFAULTS, LIMITS
from elmo_explorer_ui.view_state import show_chart

OTHER = "✎ another word …"
VOCABULARY_CHOICES = 300


@st.cache_data(show_spinner=False, max_entries=8)
def vocabulary(folder: str, stamp: float) -> list[tuple[str, int]]:
    return CorpusReader(folder).vocabulary(VOCABULARY_CHOICES)


@st.cache_data(show_spinner=False, max_entries=16)
def word_sample(folder: str, stamp: float, word: str, cap: int):
    """The sampled occurrences (cached per corpus version, word and cap)."""
    return CorpusReader(folder).sample(word, max_points=cap)


@st.cache_data(show_spinner=False, max_entries=24)
def projection(vectors: np.ndarray, method: str) -> np.ndarray:
    """(n, D) -> (n, 2): PCA, or UMAP when asked and there are enough distinct points."""
    if method == "UMAP" and distinct_rows(vectors) >= MIN_UMAP_POINTS:
        return np.asarray(fit_umap(vectors, n_neighbors=DEFAULTS.umap_neighbors, min_dist=DEFAULTS.umap_min_dist,
                                   n_epochs=200 if len(vectors) > 2000 else None)[0])
    return np.asarray(fit_pca_2d(vectors)[0])


page_setup("Corpus explorer",
           "Open a corpus embedded with `elmo-explorer embed-corpus`, pick a word, and see a sample of its "
           "occurrences across the whole corpus, layer by layer. Only the vectors of the sampled "
           "occurrences are read, so large corpora open quickly.")

folder = st.text_input("Embedded corpus folder (a folder on the server, as written by embed-corpus)",
                       key="corpus_folder", max_chars=1000).strip()
if not folder:
    st.info("Make one with `elmo-explorer embed-corpus sentences.txt OUT_DIR`, then type OUT_DIR here.")
    st.stop()
try:
    reader = CorpusReader(folder)
except CorpusError as exc:  # the messages never contain the path
    st.warning(md(exc))
    st.stop()
with friendly_errors("opening the corpus"):
    stamp = (reader.folder / "manifest.json").stat().st_mtime
    summary = reader.summary()
skipped = sum(summary["skipped"].values())
st.caption(f"{summary['sentences']:,} sentences · {summary['tokens']:,} tokens · {summary['vocabulary']:,} words · "
           f"model {md(summary['model'])} · {', '.join(summary['layers'])} · {summary['dtype']}"
           + (f" · {skipped:,} bad lines skipped" if skipped else "")
           + (f" · {summary['cut']:,} long sentences cut" if summary["cut"] else ""))

with friendly_errors("reading the corpus vocabulary"):
    words = vocabulary(folder, stamp)
labels = {w: f"{w} ({n:,})" for w, n in words}
if st.session_state.get("corpus_word") not in (*labels, OTHER):  # first open, or another corpus
    st.session_state["corpus_word"] = next((w for w in labels if any(ch.isalpha() for ch in w)), OTHER)
c1, c2 = st.columns([3, 2])
with c1:
    pick = st.selectbox("Word (most frequent first)", [*labels, OTHER], key="corpus_word",
                        format_func=lambda w: labels.get(w, w))
    word = st.text_input("Your word", key="corpus_other", max_chars=100).strip() if pick == OTHER else pick
with c2:
    cap = st.slider("Most points", 50, LIMITS.map_points, min(1000, LIMITS.map_points), step=50, key="corpus_cap")
if not word:
    st.warning("Type a word, or pick one from the list.")
    st.stop()

with friendly_errors("reading the occurrences"), st.spinner("Reading the sampled vectors …"):
    sample = word_sample(folder, stamp, word, cap)
if sample.total == 0:
    st.warning(f"“{md(word)}” does not occur in this corpus.")
    st.stop()
points = sample_points(sample, DEFAULTS.hover_width)
shown = f"all {sample.total:,}" if len(sample) == sample.total else f"a random {len(sample):,} of {sample.total:,}"
st.caption(f"Showing {shown} occurrences of “{md(sample.word)}”.")

method = st.radio("Projection", ("PCA", "UMAP"), key="corpus_projection", horizontal=True,
                  help="PCA is immediate; UMAP takes a few seconds per layer and keeps neighbourhoods better.")
layers = list(range(sample.vectors.shape[1]))
with friendly_errors("projecting the vectors"), st.spinner(f"{method} per layer …"):
    coords = {layer: Normaliser.fit(xy).apply(xy) for layer in layers
              for xy in [projection(sample.vectors[:, layer], method)]}
figure, _ = charts.scatter_map(points, coords, layers, "form",
                               title=f"{method} of {len(points):,} occurrences of “{sample.word}”",
                               fixed_ranges={layer: ((-1.08, 1.08), (-1.08, 1.08)) for layer in layers},
                               height=560 if len(layers) > 1 else 640)
if len(layers) == 1:  # a corpus stored with --layers top or average
    figure.update_annotations(text=sample.layer_names[0])
st.caption("Colours: the word as written (e.g. capitalised at the start of a sentence). Hover a point to read "
           "its sentence.")
show_chart(figure, width="stretch", key=f"corpus_map_{method}")
if len(layers) > 1 and is_collapsed_layer(sample.vectors[:, 0]):
    st.caption("In layer 0 all points coincide: the character layer sees only the spelling.")
with st.expander("The sampled sentences"):
    st.dataframe(points.drop(columns=["hover"]), hide_index=True, width="stretch")
