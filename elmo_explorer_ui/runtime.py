"""
Streamlit glue shared by every page: page setup, the chosen model (``st.session_state``), the
cached model (``st.cache_resource``) and cached vectors (``st.cache_data``), query parameters,
friendly errors and the background UMAP warm-up.
"""
from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
import streamlit as st

import elmo_core
from elmo_core.analysis import warm_up_umap

from .model_info import DEFAULT_SPEC, ModelSpec, model_maturity
from .safe_text import md, redact_paths
from .settings import LIMITS

LOG = logging.getLogger("elmo_explorer")
APP_DIR = Path(__file__).resolve().parents[1]
MODEL_KEY = "elmo_model_spec"
PAGES_DIR = APP_DIR / "pages"
PAGE_ICONS = {
    "Word senses": ":material/category:",
    "UMAP explorer": ":material/scatter_plot:",
    "Models": ":material/memory:",
    "Sentiment": ":material/sentiment_satisfied:",
    "Scalar mix lab": ":material/tune:",
}
DEFAULT_PAGE_ICON = ":material/article:"


def page_title(path: Path) -> str:
    """``pages/2_UMAP_explorer.py`` -> ``"UMAP explorer"`` (number prefix and underscores dropped)."""
    stem = path.stem
    head, _, rest = stem.partition("_")
    return (rest if head.isdigit() and rest else stem).replace("_", " ")


def page_files() -> list[Path]:
    """The page scripts in ``pages/``, ordered by their number prefix, then name."""
    def order(path: Path) -> tuple[int, str]:
        head = path.stem.partition("_")[0]
        return (int(head) if head.isdigit() else 10**6, path.name)

    if not PAGES_DIR.is_dir():
        return []
    return sorted((p for p in PAGES_DIR.glob("*.py") if not p.name.startswith(("_", "."))), key=order)


# ------------------------------------------------------------------------------------ page
def navigation(home: Callable[[], None]):
    """The app's pages for ``st.navigation``: ``home`` (the Sentence lab) and every page file."""
    pages = [st.Page(home, title="Sentence lab", icon=":material/science:", default=True)]
    for path in page_files():
        title = page_title(path)
        pages.append(st.Page(f"pages/{path.name}", title=title, icon=PAGE_ICONS.get(title, DEFAULT_PAGE_ICON)))
    return st.navigation(pages)


def run_app(home: Callable[[], None]) -> None:
    """Run the selected page, then make sure the UMAP warm-up has started (after the page, so
    the compilation does not slow down the first page a visitor sees)."""
    try:
        navigation(home).run()
    finally:
        start_umap_warm_up()


def leave_legacy_navigation() -> None:
    """A fresh server whose first request deep-links to a page runs that page file directly
    (Streamlit's ``pages/`` mode, whose menu names the home page "app"). Switch the server to
    ``st.navigation`` from the next rerun on; the page and its query stay as they are."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False


def page_setup(title: str, intro: str = "") -> None:
    """Page config, the model in use in the sidebar, the page title and its introduction."""
    leave_legacy_navigation()
    st.set_page_config(page_title=f"{title} · ELMo Explorer", page_icon=":material/hub:", layout="wide")
    spec = current_spec()
    maturity = model_maturity(spec)
    st.sidebar.caption(f"Model: **{md(spec.title)}**" + (" · provisional" if maturity.is_provisional else ""))
    st.title(title)
    if intro:
        st.write(intro)


def model_page(title: str, intro: str) -> tuple[ModelSpec, elmo_core.BiLM]:
    """:func:`page_setup`, then the chosen model loaded (see :func:`require_model`) and named."""
    page_setup(title, intro)
    spec, bilm = require_model()
    show_model_notice()
    return spec, bilm


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
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)  # Linux: this thread only
        except (AttributeError, OSError):
            pass
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
        st.error(f"The model {md(spec.title)} could not be loaded: {md(describe_error(exc))}")
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
    """A one-paragraph, non-traceback description of a failure, with server paths cut to their
    last component (plain text: show it through ``md``)."""
    return redact_paths(_describe(exc))


def _describe(exc: BaseException) -> str:
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
def friendly_errors(action: str, stop: bool = True) -> Iterator[None]:
    """Turn any exception inside the block into an ``st.error`` (logged with its traceback);
    with ``stop`` the page ends there, as later parts would lack the block's results."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the app never shows a traceback
        LOG.exception("failed while %s", action)
        st.error(f"Something went wrong while {action}: {md(describe_error(exc))}")
        if stop:
            st.stop()
