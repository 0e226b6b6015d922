"""Corpus explorer: one word across a whole embedded corpus (the sample, an uploaded text file, or a
folder on the server written by ``elmo-explorer embed-corpus``)."""
from __future__ import annotations

import time
import uuid
from pathlib import Path

import numpy as np
import streamlit as st

from elmo_core.analysis import MIN_UMAP_POINTS, distinct_rows, fit_pca_2d, fit_umap, is_collapsed_layer
from elmo_core.bulk.reader import CorpusError, CorpusReader
from elmo_explorer_ui import charts
from elmo_explorer_ui.corpus_build import CorpusBuild, sample_sentences, start_sample_build
from elmo_explorer_ui.corpus_view import sample_points
from elmo_explorer_ui.model_info import DEFAULT_SPEC
from elmo_explorer_ui.points import Normaliser
from elmo_explorer_ui.runtime import friendly_errors, page_setup
from elmo_explorer_ui.safe_text import md
from elmo_explorer_ui.settings import DEFAULTS, LIMITS, server_settings
from elmo_explorer_ui.uploads import (TEXT_MAX_BYTES, TEXT_MAX_LINES, UploadError, check_text_size,
                                      decode_text_upload, text_upload_folder)
from elmo_explorer_ui.view_state import show_chart

OTHER = "✎ another word …"
VOCABULARY_CHOICES = 300
SAMPLE, UPLOAD, FOLDER = "Sample corpus", "Your text file", "A folder on this server"
SESSION_KEY, UPLOAD_BUILD_KEY = "corpus_session", "corpus_upload_build"
POLL_S = 0.5  # how often a page waiting for an embedding looks at its progress


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
           "Pick a word and see a sample of its occurrences across a whole corpus, layer by layer. Start "
           "with the sample corpus, or upload a text file: this server embeds it (local engine), then "
           "you explore it. Only the vectors of the sampled occurrences are read, so large corpora open "
           "quickly.")


@st.cache_resource(show_spinner=False)
def sample_build(model: str) -> CorpusBuild:
    """The server's sample corpus of ``model``: from the cache, or embedded once in the background."""
    return start_sample_build(model)


def wait_for(build: CorpusBuild, what: str) -> Path:
    """The folder of ``build``'s corpus once it is embedded; until then a progress bar, and the
    page runs again every half second."""
    if build.error:
        st.error(f"Embedding {what} failed ({md(build.error)}).")
        st.stop()
    if not build.finished:
        parts = f"{build.done} of {build.total} parts" if build.total else "reading the text"
        st.progress(build.fraction, text=f"Embedding {what} with {md(build.model)} on this server: {parts} …")
        time.sleep(POLL_S)
        st.rerun()
    return build.corpus


def uploaded_corpus() -> Path:
    """The corpus of the uploaded text file (embedded once per upload, one per browser session)."""
    upload = st.file_uploader(f"A text file (UTF-8, up to {TEXT_MAX_BYTES:,} bytes and {TEXT_MAX_LINES:,} lines)",
                              type=["txt"], key="corpus_upload")
    if upload is None:
        st.info("Upload a text file: it is split into sentences and words, embedded with the bundled "
                f"{md(DEFAULT_SPEC.name)} on this server (about a minute for the largest file), then explored here.")
        st.stop()
    kept = st.session_state.get(UPLOAD_BUILD_KEY)
    if kept is None or kept[0] != upload.file_id:
        try:
            check_text_size(upload.size)  # before its bytes are copied or decoded
            text = decode_text_upload(upload.getvalue())
        except UploadError as exc:
            st.warning(f"“{md(upload.name)}” is not embedded: {md(exc)}.")
            st.stop()
        session = st.session_state.setdefault(SESSION_KEY, uuid.uuid4().hex)
        folder = text_upload_folder(session) / uuid.uuid4().hex[:8]  # a build still running keeps its own
        kept = (upload.file_id, CorpusBuild(folder, model=DEFAULT_SPEC.name, split="text").start(text))
        st.session_state[UPLOAD_BUILD_KEY] = kept
    return wait_for(kept[1], f"“{md(upload.name)}”")


def server_folder() -> Path:
    """A folder on this server written by embed-corpus (see README), typed by the visitor."""
    typed = st.text_input("Embedded corpus folder on this server", key="corpus_folder", max_chars=1000).strip()
    if not typed:
        st.info("Type the folder of a corpus embedded on this server (the README says how to make one).")
        st.stop()
    return Path(typed)


source_names = [SAMPLE, UPLOAD, *([FOLDER] if server_settings().allow_local_folder else [])]
source = st.radio("Corpus", source_names, key="corpus_source", horizontal=True)
if source == SAMPLE:
    st.caption(f"The sample corpus: the {len(sample_sentences()):,} sentences of the curated sense sets "
               f"(the Word senses page's words, each in 2–3 senses), embedded with the bundled {md(DEFAULT_SPEC.name)}.")
    build = sample_build(DEFAULT_SPEC.name)
    if build.error:
        sample_build.clear()  # the next visit tries again
    folder_path = wait_for(build, "the sample corpus")
elif source == UPLOAD:
    folder_path = uploaded_corpus()
else:
    folder_path = server_folder()
folder = str(folder_path)
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
# words only (not "." or ","), so that the first choice is the one shown on a first open
labels = {w: f"{w} ({n:,})" for w, n in words if any(ch.isalnum() for ch in w)}
if st.session_state.get("corpus_word") not in (*labels, OTHER):  # first open, or another corpus
    st.session_state["corpus_word"] = next(iter(labels), OTHER)
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
