"""Inside the biLM: what the language model predicts at each word, and the path of one word
through the network, on any sentence and the loaded model."""
from __future__ import annotations

import streamlit as st

from elmo_explorer_ui.compare import choose_second, language_model_context, load_second, model_heading
from elmo_explorer_ui.lesson.measures import lesson_context
from elmo_explorer_ui.lesson.render import show_view
from elmo_explorer_ui.lesson.views import LessonInputError, characters_view, language_model_view, lesson_tokens
from elmo_explorer_ui.runtime import friendly_errors, model_page
from elmo_explorer_ui.safe_text import md
from elmo_explorer_ui.view_state import init_text_widget, query_int, set_query, share_text

DEFAULT_TEXT = "I saw a saw ."
EXAMPLES = {
    "I saw a saw .": "what does the LM expect after “a”?",
    "He went to the bank to deposit money .": "after “the”, and before “to”",
    "The children played in the park after school .": "a plain sentence: low surprisal throughout",
    "school after park the in played children The .": "the same words shuffled: surprisal jumps",
}


def use_example(text: str) -> None:
    st.session_state["inside_text"] = text
    st.session_state.pop("inside_token", None)


spec, bilm = model_page(
    "Inside the biLM",
    "ELMo's vectors are the hidden states of a language model. Here is what that model predicts at each word "
    "(the forward LM reads left to right and guesses the next word, the backward LM reads right to left and "
    "guesses the previous one), and how one word travels through the network to its three vectors.")
st.caption("Try an example:")
columns = st.columns(len(EXAMPLES))
for column, (example, why) in zip(columns, EXAMPLES.items()):
    column.button(example, help=why, on_click=use_example, args=(example,), width="stretch")
init_text_widget("inside_text", "text", DEFAULT_TEXT)
text = st.text_input("Sentence", key="inside_text", max_chars=300)
share_text("text", text, DEFAULT_TEXT)
try:
    tokens = lesson_tokens(text)
except LessonInputError as exc:
    st.warning(md(str(exc)))
    st.stop()
if not isinstance(st.session_state.get("inside_token"), int) or st.session_state["inside_token"] >= len(tokens):
    st.session_state["inside_token"] = query_int("word", min(2, len(tokens) - 1), 0, len(tokens) - 1)
position = st.selectbox("Word", range(len(tokens)), key="inside_token", format_func=lambda i: f"{i + 1}. {tokens[i]}")
set_query(word=position)
context = lesson_context(spec)

st.subheader("What the language model predicts")
other = choose_second("inside_compare")
if other is None:
    with friendly_errors("running the language model"):
        show_view(language_model_view(context, text, position), "inside_lm")
else:  # the same sentence and word through both models' language models, side by side
    left, right = st.columns(2)
    with left:
        model_heading(spec)
        with friendly_errors("running the language model"):
            show_view(language_model_view(context, text, position), "inside_lm")
    with right:
        model_heading(other)
        if load_second(other) is not None:
            with friendly_errors(f"running the language model of {md(other.title)}", stop=False):
                show_view(language_model_view(language_model_context(other), text, position), "inside_lm_compare")

st.subheader("The path of one word")
st.caption("The overview shows every stage with its shape; open a stage for its live values, close it to return "
           "to the overview. Hover a box in the overview for its summary.")
with friendly_errors("following the word through the network"):
    show_view(characters_view(context, text, position), "inside_path")
