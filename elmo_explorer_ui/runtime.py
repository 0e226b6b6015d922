"""
Streamlit glue shared by every page: page setup (model in the sidebar, presentation mode, the
link to the view), the chosen model (``st.session_state``, or the link's ``model``), the cached
model (``st.cache_resource``) and cached vectors (:mod:`.vector_cache`), friendly errors and the
background UMAP warm-up. Query parameters live in :mod:`.view_state` (re-exported here).
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
import streamlit as st

import elmo_core
from elmo_core.analysis import warm_up_umap
from elmo_core.registry import BUNDLED_MODELS, OFFICIAL_MODELS

from .model_info import DEFAULT_SPEC, ModelSpec, is_official_cached, model_maturity, official_spec
from .safe_text import md, redact_paths
from .settings import LIMITS
from .vector_cache import VectorCache
from .view_state import (add_link_note, begin_page, draw_share_link, open_share_slot, presentation_toggle,
                         query_value, set_query, start_run)
from .view_state import init_widget, query_int  # noqa: F401 - re-exported for the pages

LOG = logging.getLogger("elmo_explorer")
APP_DIR = Path(__file__).resolve().parent  # app.py and pages/ ship inside this package
MODEL_KEY = "elmo_model_spec"
PAGES_DIR = APP_DIR / "pages"
# No icons in the page menu: Streamlit makes a page's icon the tab's favicon and fetches a
# ":material/...:" one from fonts.gstatic.com, and an emoji needs an emoji font (missing on many
# Linux machines: a box). The tab shows FAVICON instead.
#: The tab's icon, a file of this package that the app serves itself (no outside request).
FAVICON = APP_DIR / "static" / "favicon.png"
MODEL_PARAM = "model"
_RUN = threading.local()  # per script run: the sidebar line naming the model


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
    pages = [st.Page(home, title="Sentence lab", default=True)]
    for path in page_files():
        title = page_title(path)
        pages.append(st.Page(f"pages/{path.name}", title=title))
    return st.navigation(pages)


def run_app(home: Callable[[], None]) -> None:
    """Make sure the UMAP warm-up has started (on a server's first request, so that UMAP's code
    is loaded while the visitor reads the first page), then run the selected page."""
    start_umap_warm_up()
    page = navigation(home)
    start_run(page.url_path)
    page.run()
    draw_share_link()  # the link with the page's final view


def leave_legacy_navigation() -> None:
    """A fresh server whose first request deep-links to a page runs that page file directly
    (Streamlit's ``pages/`` mode, whose menu names the home page "app"). Switch the server to
    ``st.navigation`` from the next rerun on; the page and its query stay as they are."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False


def page_setup(title: str, intro: str = "") -> None:
    """Page config, the model in use in the sidebar, presentation mode, the link to this view,
    the page title and its introduction."""
    leave_legacy_navigation()
    st.set_page_config(page_title=f"{title} · ELMo Explorer", page_icon=str(FAVICON), layout="wide")
    begin_page()
    model_from_link()
    _RUN.model_slot = st.sidebar.empty()
    show_model_in_sidebar()
    presentation_toggle()
    open_share_slot()
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
        started = time.monotonic()
        try:
            warm_up_umap()
            LOG.info("UMAP warm-up done in %.1f s", time.monotonic() - started)
        except Exception:  # warm-up is an optimisation; a failure only costs time later
            if sys.is_finalizing() or not threading.main_thread().is_alive():  # the server stopped mid warm-up
                return
            LOG.exception("UMAP warm-up failed")

    thread = threading.Thread(target=run, name="umap-warm-up", daemon=True)
    thread.start()
    return thread


def start_umap_warm_up() -> None:
    """Compile (or load from numba's cache) UMAP's functions once per server process, in a
    background thread at the lowest priority."""
    _warm_up_thread()


def umap_ready() -> bool:
    return not _warm_up_thread().is_alive()


# ----------------------------------------------------------------------------------- model
def current_spec() -> ModelSpec:
    """The model chosen on the Models page (the bundled mini until then)."""
    return st.session_state.get(MODEL_KEY, DEFAULT_SPEC)


def use_model(spec: ModelSpec) -> None:
    """Make ``spec`` the model of every page; the sidebar names it at once."""
    st.session_state[MODEL_KEY] = spec
    show_model_in_sidebar()


def show_model_in_sidebar() -> None:
    """The sidebar line naming the model in use, and the link's ``model`` (bundled and official
    models by name; a local folder or an uploaded model never goes into a link)."""
    spec = current_spec()
    slot = getattr(_RUN, "model_slot", None)
    if slot is not None:
        maturity = model_maturity(spec)
        slot.caption(f"Model: **{md(spec.title)}**" + (" · provisional" if maturity.is_provisional else ""))
    shared = spec.kind in ("bundled", "official") and spec != DEFAULT_SPEC
    set_query(**{MODEL_PARAM: spec.name if shared else None})
    if spec.kind == "local":
        add_link_note("The model in use (local files) stays on this server: the link opens with the bundled "
                      f"{DEFAULT_SPEC.name}.")


def model_from_link() -> None:
    """On a session's first page: the model the link names (``model=``), when it is a bundled
    model or an official one already downloaded here; otherwise a note and the bundled mini."""
    if MODEL_KEY in st.session_state:
        return
    name = query_value(MODEL_PARAM)
    st.session_state[MODEL_KEY] = DEFAULT_SPEC
    if not name or name == DEFAULT_SPEC.name:
        return
    if name in BUNDLED_MODELS:
        st.session_state[MODEL_KEY] = ModelSpec(kind="bundled", name=name)
    elif name in OFFICIAL_MODELS and is_official_cached(name):
        st.session_state[MODEL_KEY] = official_spec(name)
    else:
        st.info(f"The link names the model “{md(name)}”, which is not on this server, so this page uses "
                f"{md(DEFAULT_SPEC.title)}. Download official models on the Models page.")


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
@st.cache_resource(show_spinner=False)
def vector_cache() -> VectorCache:
    """The server's vectors of sentence chunks, bounded in bytes (``LIMITS.vector_cache_mb``)."""
    return VectorCache(LIMITS.vector_cache_mb * 2**20)


def _embed_chunk(spec: ModelSpec, version: str, chunk: tuple[tuple[str, ...], ...]) -> list[np.ndarray]:
    key = (spec, version, chunk)
    vectors = vector_cache().get(key)
    if vectors is None:
        vectors = vector_cache().put(key, load_model(spec).embed([list(s) for s in chunk]))
    return vectors


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
