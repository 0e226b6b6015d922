"""
"Compare with": a second model beside the page's own, on the same sentences (Streamlit glue for
the Sentence lab, Word senses and Inside the biLM).

    second = choose_second("lab_compare")      # the selectbox; None for "nothing"
    if second is not None and (bilm := load_second(second)) is not None:
        vectors = embed(second, sentences)      # the pages' cached embedding, for the second model

The choices (:func:`compare_choices`) are every model this server has at hand besides the one in
use: the bundled models, the official models already downloaded, the adapted models of
:mod:`.adapt_run` (all of them when the server allows local folders, else only those made in
this browser session) and the local or uploaded models used earlier in this session. A bundled
or official choice goes into the link (``compare=NAME``); a local one never does.
"""
from __future__ import annotations

import streamlit as st

import elmo_core
from elmo_core.registry import BUNDLED_MODELS, OFFICIAL_MODELS

from .adapt_run import AdaptedModel, adapted_models
from .lesson.measures import heldout_perplexity, language_model
from .lesson.views import LessonContext
from .model_info import ModelSpec, is_official_cached, official_spec
from .runtime import current_spec, describe_error, embed, load_model
from .safe_text import md
from .settings import server_settings
from .view_state import add_link_note, query_value, set_query

__all__ = ["ADAPTED_IN_SESSION_KEY", "COMPARE_PARAM", "NOTHING", "choose_second", "compare_choices",
           "language_model_context", "load_second", "model_heading", "remember_adapted", "visible_adapted"]

COMPARE_PARAM = "compare"
NOTHING = ""  # the selectbox's "nothing" option
#: Session keys: local models used in this session (ModelSpec list), adapted models made in it (folder names).
SEEN_KEY = "compare_seen_models"
ADAPTED_IN_SESSION_KEY = "adapted_in_session"
SEEN_KEPT = 6


def remember_adapted(name: str) -> None:
    """Note an adapted model made in this browser session (listed even on a served app)."""
    st.session_state.setdefault(ADAPTED_IN_SESSION_KEY, [])
    if name not in st.session_state[ADAPTED_IN_SESSION_KEY]:
        st.session_state[ADAPTED_IN_SESSION_KEY].append(name)


def visible_adapted() -> list[AdaptedModel]:
    """The adapted models this session may use, newest first: every one in the cache when the
    server allows local folders (a personal app), else those made in this session."""
    models = adapted_models()
    if server_settings().allow_local_folder:
        return models
    made = set(st.session_state.get(ADAPTED_IN_SESSION_KEY, []))
    return [m for m in models if m.name in made]


def _remember(spec: ModelSpec) -> None:
    if spec.kind != "local":
        return
    seen = [s for s in st.session_state.get(SEEN_KEY, []) if s != spec]
    st.session_state[SEEN_KEY] = [spec, *seen][:SEEN_KEPT]


def _choice_id(spec: ModelSpec) -> str:
    return f"local:{spec.path}" if spec.kind == "local" else spec.name


def compare_choices(current: ModelSpec) -> dict[str, ModelSpec]:
    """Choice id -> model, for every model at hand other than ``current`` (see the module
    docstring); a bundled or official model's id is its name."""
    specs = [ModelSpec(kind="bundled", name=name) for name in BUNDLED_MODELS]
    specs += [official_spec(name) for name in OFFICIAL_MODELS if is_official_cached(name)]
    specs += [m.spec() for m in visible_adapted()]
    specs += [s for s in st.session_state.get(SEEN_KEY, []) if s.version() != "missing"]
    choices: dict[str, ModelSpec] = {}
    for spec in specs:
        if _choice_id(spec) not in (_choice_id(current), *choices):  # a folder counts once, whatever its name
            choices[_choice_id(spec)] = spec
    return choices


def choose_second(key: str) -> ModelSpec | None:
    """The "Compare with" selectbox (``key``); the chosen model, or None for "nothing". Its first
    value comes from the link's ``compare`` when that names a bundled or downloaded official model."""
    current = current_spec()
    _remember(current)
    choices = compare_choices(current)
    options = [NOTHING, *choices]
    if key not in st.session_state:
        asked = query_value(COMPARE_PARAM)
        known = asked in choices and choices[asked].kind in ("bundled", "official")
        st.session_state[key] = asked if known else NOTHING
        if asked and not known and asked != _choice_id(current):
            st.caption(f"The link compares with “{md(asked)}”, which is not on this server; download official "
                       "models on the Models page.")
    elif st.session_state[key] not in options:  # e.g. an adapted model removed since
        st.session_state[key] = NOTHING
    chosen = st.selectbox("Compare with", options, key=key,
                          format_func=lambda i: "nothing" if i == NOTHING else choices[i].title,
                          help="Show a second model's result for the same sentences beside this one: the bundled "
                               "model, downloaded official models, models adapted to your text on the Models page, "
                               "and folders or uploads used earlier in this session.")
    second = choices.get(chosen)
    shared = second is not None and second.kind in ("bundled", "official")
    set_query(**{COMPARE_PARAM: second.name if shared else None})
    if second is not None and not shared:
        add_link_note("The model compared with (local files) stays on this server: the link opens without it.")
    return second


def load_second(spec: ModelSpec) -> elmo_core.BiLM | None:
    """The second model through :func:`~elmo_explorer_ui.runtime.load_model` (cached), or an
    error box and None when it cannot be loaded."""
    try:
        with st.spinner(f"Loading {md(spec.title)} …"):
            return load_model(spec)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message
        st.error(f"{md(spec.title)} could not be loaded: {md(describe_error(exc))}")
        return None


def model_heading(spec: ModelSpec) -> None:
    """The model's name above its column."""
    st.markdown(f"**{md(spec.title)}**")


def language_model_context(spec: ModelSpec) -> LessonContext:
    """What :func:`~elmo_explorer_ui.lesson.views.language_model_view` reads of a second model:
    its language model (None without a softmax) and held-out perplexity; no other measure."""
    return LessonContext(
        bilm=load_model(spec), embed=lambda sentences: embed(spec, sentences), reference=None, sense_kinds=dict,
        language_model=lambda: language_model(spec), classifier=lambda: None,
        heldout_perplexity=heldout_perplexity(spec))
