"""
Streamlit glue shared by every page: page setup, the chosen model (``st.session_state``), the
cached model (``st.cache_resource``) and cached vectors (``st.cache_data``), query parameters,
friendly errors and the background UMAP warm-up.
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import Iterator, Sequence

import numpy as np
import streamlit as st

import elmo_core
from elmo_core.analysis import warm_up_umap

from .model_info import DEFAULT_SPEC, ModelSpec, model_maturity
from .settings import LIMITS

LOG = logging.getLogger("elmo_explorer")
MODEL_KEY = "elmo_model_spec"
PAGES = (
    ("app.py", "Sentence lab", "🔬"),
    ("pages/1_Word_senses.py", "Word senses", "🎯"),
    ("pages/2_UMAP_explorer.py", "UMAP explorer", "🗺️"),
    ("pages/3_Models.py", "Models", "🧠"),
)


# ------------------------------------------------------------------------------------ page
def page_setup(title: str, icon: str) -> None:
    """Page config, the sidebar (navigation and model in use) and the UMAP warm-up."""
    st.set_page_config(page_title=f"{title} · ELMo Explorer", page_icon=icon, layout="wide")
    start_umap_warm_up()
    with st.sidebar:
        st.markdown("### ELMo Explorer")
        for path, label, page_icon in PAGES:
            st.page_link(path, label=label, icon=page_icon)
        st.divider()
        spec = current_spec()
        maturity = model_maturity(spec)
        st.caption(f"Model: **{spec.title}**" + (" · provisional" if maturity.is_provisional else ""))


def show_model_notice() -> None:
    """One line naming the model; a warning when it is the provisional bundled checkpoint."""
    maturity = model_maturity(current_spec())
    if maturity.is_provisional:
        st.warning(maturity.message, icon="⚠️")
    else:
        st.caption(maturity.message)


@st.cache_resource(show_spinner=False)
def _warm_up_thread() -> threading.Thread:
    def run() -> None:
        try:
            warm_up_umap()
        except Exception:  # warm-up is an optimisation; a failure only costs time later
            LOG.exception("UMAP warm-up failed")

    thread = threading.Thread(target=run, name="umap-warm-up", daemon=True)
    thread.start()
    return thread


def start_umap_warm_up() -> None:
    """Compile UMAP's numba functions once per server process, in a background thread."""
    _warm_up_thread()


def umap_ready() -> bool:
    return not _warm_up_thread().is_alive()


# ----------------------------------------------------------------------------------- model
def current_spec() -> ModelSpec:
    """The model chosen on the Models page (the bundled mini until then)."""
    return st.session_state.get(MODEL_KEY, DEFAULT_SPEC)


def use_model(spec: ModelSpec) -> None:
    st.session_state[MODEL_KEY] = spec


@st.cache_resource(max_entries=3, show_spinner="Loading the model …")
def _load(spec: ModelSpec, version: str) -> elmo_core.BiLM:
    LOG.info("loading model %s (%s)", spec, version)
    return elmo_core.load(spec.load_target, progress=False)


def load_model(spec: ModelSpec) -> elmo_core.BiLM:
    """The cached model for ``spec``; reloaded only when its files change on disk."""
    return _load(spec, spec.version())


def require_model() -> tuple[ModelSpec, elmo_core.BiLM]:
    """The current model, or an error box and the end of the page when it cannot be loaded."""
    spec = current_spec()
    try:
        return spec, load_model(spec)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message
        st.error(f"The model {spec.title} could not be loaded: {describe_error(exc)}")
        if spec != DEFAULT_SPEC:
            st.info("Pick another model on the Models page.")
        st.stop()
        raise  # unreachable; st.stop raises


# --------------------------------------------------------------------------------- vectors
@st.cache_data(max_entries=512, show_spinner=False)
def _embed_chunk(spec: ModelSpec, version: str, chunk: tuple[tuple[str, ...], ...]) -> list[np.ndarray]:
    return load_model(spec).embed([list(s) for s in chunk])


def embed(spec: ModelSpec, sentences: Sequence[Sequence[str]],
          label: str = "Computing ELMo vectors") -> list[np.ndarray]:
    """Vectors of tokenized sentences, each (layers, n_tokens, dim), cached per chunk of
    sentences; a progress bar is shown when there is more than one chunk."""
    sentences = tuple(tuple(s) for s in sentences)
    size = LIMITS.embed_chunk
    chunks = [sentences[i : i + size] for i in range(0, len(sentences), size)]
    version = spec.version()
    bar = st.progress(0.0, text=label) if len(chunks) > 1 else None
    vectors: list[np.ndarray] = []
    for done, chunk in enumerate(chunks, 1):
        vectors.extend(_embed_chunk(spec, version, chunk))
        if bar is not None:
            bar.progress(done / len(chunks), text=f"{label}: {min(done * size, len(sentences))} of {len(sentences)} sentences")
    if bar is not None:
        bar.empty()
    return vectors


# ---------------------------------------------------------------------------- query params
def query_value(name: str, default: str = "") -> str:
    value = st.query_params.get(name, default)
    return value if isinstance(value, str) else default


def query_int(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(query_value(name, str(default)))
    except ValueError:
        return default
    return value if low <= value <= high else default


def init_widget(key: str, value) -> None:
    """Give widget ``key`` a first value (from the URL) without fighting later user changes."""
    if key not in st.session_state:
        st.session_state[key] = value


def set_query(**values) -> None:
    """Write the view into the URL so that a link reproduces it."""
    for name, value in values.items():
        text = "" if value is None else str(value)
        if text and st.query_params.get(name) != text:
            st.query_params[name] = text
        elif not text and name in st.query_params:
            del st.query_params[name]


# ---------------------------------------------------------------------------------- errors
def describe_error(exc: BaseException) -> str:
    """A one-paragraph, non-traceback description of a failure."""
    if isinstance(exc, elmo_core.ModelUnavailable):
        return str(exc)
    if isinstance(exc, elmo_core.WeightsError):
        return f"the weight file is not usable ({exc})"
    if isinstance(exc, elmo_core.ConfigError):
        return f"the options file is not usable ({exc})"
    if isinstance(exc, FileNotFoundError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "out of memory; try fewer sentences or a smaller model"
    return f"{type(exc).__name__}: {exc}"


@contextmanager
def friendly_errors(action: str) -> Iterator[None]:
    """Turn any exception inside the block into an ``st.error`` (logged with its traceback)."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the app never shows a traceback
        LOG.exception("failed while %s", action)
        st.error(f"Something went wrong while {action}: {describe_error(exc)}")
