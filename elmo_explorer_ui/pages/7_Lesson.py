"""Lesson: ELMo in seven steps, each a claim of the paper tried live on the loaded model."""
from __future__ import annotations

import streamlit as st

from elmo_explorer_ui.lesson.content import PICK_TOKEN, PICK_WEIGHTS, STEPS
from elmo_explorer_ui.lesson.handout import handout_html
from elmo_explorer_ui.lesson.measures import lesson_context, pos_probe_job
from elmo_explorer_ui.lesson.render import show_view
from elmo_explorer_ui.lesson.views import LessonInputError, compute_view, lesson_tokens
from elmo_explorer_ui.runtime import current_spec, friendly_errors, init_widget, model_page, query_int, set_query
from elmo_explorer_ui.safe_text import md

STEP_KEY, NOTES_KEY, HANDOUT_KEY = "lesson_step", "lesson_notes", "lesson_handout"
RAW_WEIGHT_RANGE = (-3.0, 3.0)


def move(delta: int) -> None:
    st.session_state[STEP_KEY] = min(max(st.session_state[STEP_KEY] + delta, 1), len(STEPS))
    st.session_state.pop(HANDOUT_KEY, None)


def step_inputs(step) -> tuple[str, int, tuple[float, ...]]:
    """The step's widgets: its text, the chosen token and the raw scalar-mix weights."""
    text, token, weights = step.default_text, step.default_token, (0.0, 0.0, 0.0)
    if step.text_label:
        key = f"lesson_text_{step.key}"
        init_widget(key, step.default_text)
        text = st.text_input(step.text_label, key=key, max_chars=300)
    if step.pick == PICK_TOKEN:
        try:
            tokens = lesson_tokens(text)
        except LessonInputError:
            tokens = []
        if tokens:
            key = f"lesson_token_{step.key}"
            if not isinstance(st.session_state.get(key), int) or st.session_state[key] >= len(tokens):
                st.session_state[key] = min(step.default_token, len(tokens) - 1)
            token = st.selectbox("Word", range(len(tokens)), key=key,
                                 format_func=lambda i: f"{i + 1}. {tokens[i]}")
    if step.pick == PICK_WEIGHTS:
        columns = st.columns(3)
        values = []
        for layer, column in enumerate(columns):
            key = f"lesson_weight_{layer}"
            init_widget(key, 0.0)
            values.append(column.slider(f"s{layer} before the softmax (layer {layer})", *RAW_WEIGHT_RANGE,
                                        step=0.25, key=key))
        weights = tuple(values)
    return text, token, weights


def saved_inputs(step) -> tuple[str, int, tuple[float, ...]]:
    """A step's inputs as the visitor left them (defaults where untouched), for the handout."""
    state = st.session_state
    text = state.get(f"lesson_text_{step.key}", step.default_text)
    token = state.get(f"lesson_token_{step.key}", step.default_token)
    weights = tuple(state.get(f"lesson_weight_{l}", 0.0) for l in range(3))
    return text, token if isinstance(token, int) else step.default_token, weights


spec, bilm = model_page(
    "Lesson",
    "Seven steps through ELMo. Each step states one claim of the paper with its number, runs it live on the "
    "loaded model with an input you can change, and says in a measured line whether this model agrees.")
init_widget(STEP_KEY, query_int("step", 1, 1, len(STEPS)))
number = st.session_state[STEP_KEY]
set_query(step=number)
step = STEPS[number - 1]

st.progress(number / len(STEPS), text=f"Step {number} of {len(STEPS)}")
back, forward, _ = st.columns([1, 1, 4])
back.button("← Previous", on_click=move, args=(-1,), disabled=number == 1, width="stretch")
forward.button("Next →", on_click=move, args=(1,), disabled=number == len(STEPS), width="stretch")

st.header(f"{number}. {step.title}")
st.info("**The paper:** " + md(step.claim) + "  \n**Its number:** " + md(step.paper_number))
text, token, weights = step_inputs(step)
context = lesson_context(spec)
probe_job = pos_probe_job(spec)  # the POS probe of step 4 starts in the background on the first visit
with friendly_errors(f"computing step {number}"):
    try:
        view = compute_view(step, context, text, token, weights)
    except LessonInputError as exc:
        st.warning(md(str(exc)))
        st.stop()
show_view(view, f"lesson_{number}")
if step.key == "syntax-semantics" and not probe_job.done():
    @st.fragment(run_every=3)
    def wait_for_probe() -> None:
        """Redraws the step once the background POS probe has finished."""
        if probe_job.done():
            st.rerun()
        st.caption("Measuring the POS probe in the background …")

    wait_for_probe()

if st.toggle("Presenter notes", key=NOTES_KEY):
    st.markdown(md(step.notes))

st.divider()
st.subheader("Handout")
st.caption("One HTML file with every step: its text, the inputs you used (defaults where you changed nothing) and "
           "the figures, interactive and with plotly.js inside, so it opens offline without this server.")
if st.button("Prepare the handout of all seven steps"):
    views = []
    with friendly_errors("writing the handout"), st.spinner("Computing every step …"):
        for other in STEPS:
            other_text, other_token, other_weights = saved_inputs(other)
            try:
                views.append((other, compute_view(other, context, other_text, other_token, other_weights)))
            except LessonInputError:  # a step left with unusable input falls back to its default
                views.append((other, compute_view(other, context, other.default_text, other.default_token)))
        st.session_state[HANDOUT_KEY] = handout_html("ELMo in seven steps", current_spec().title, views)
if HANDOUT_KEY in st.session_state:
    st.download_button("Download this lesson (HTML)", st.session_state[HANDOUT_KEY],
                       file_name="elmo-lesson.html", mime="text/html", on_click="ignore")
