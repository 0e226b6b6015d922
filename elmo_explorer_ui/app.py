"""
ELMo Explorer, started with `elmo-explorer app` (elmo_explorer_ui/launch.py builds its `streamlit run`).

This entry point registers the pages (``st.navigation``) and is itself the home page, the
Sentence lab: type sentences (a line may hold several), compare every token with every other
token per layer, and one word's occurrences with each other.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from elmo_core.analysis import (concat_tokens, cosine_matrix, cosine_to, find_occurrences,
                                flatten_positions, focus_word, gather_vectors, repeated_words, sentence_starts)
from elmo_explorer_ui import charts
from elmo_explorer_ui.runtime import embed, friendly_errors, model_page, query_value, run_app, set_query
from elmo_explorer_ui.safe_text import md
from elmo_explorer_ui.settings import DEFAULTS, LIMITS
from elmo_explorer_ui.texts import marked_sentence, occurrence_label, parse_sentences
from elmo_explorer_ui.view_state import init_text_widget, number_formats, presentation, share_text, show_chart


def read_sentences() -> list[list[str]]:
    """The text area, split into sentences and tokenized; stops the page on empty input."""
    init_text_widget("lab_text", "text", DEFAULTS.lab_text)
    text = st.text_area("Sentences (one per line, or several on a line)", key="lab_text", height=110)
    share_text("text", text, DEFAULTS.lab_text)
    parsed = parse_sentences(text, LIMITS.lab_sentences, LIMITS.line_chars)
    if parsed.is_empty:
        st.warning("Type at least one sentence to see its vectors, e.g. “I saw a saw .”")
        st.stop()
    if parsed.truncated:
        st.warning(f"Your text has more than {LIMITS.lab_sentences} sentences ({parsed.total_lines:,} lines); "
                   f"the Sentence lab uses the first {LIMITS.lab_sentences}. For larger sets use the UMAP explorer.")
    if parsed.cut_lines:
        st.info(f"{parsed.cut_lines} long line(s) were cut to {LIMITS.line_chars} characters.")
    sentences = [list(s) for s in parsed.sentences]
    with st.expander(f"Tokens ({sum(map(len, sentences))} in {len(sentences)} sentences)", expanded=True):
        st.markdown("\n".join(f"{i}. " + " · ".join(md(t) for t in s) for i, s in enumerate(sentences, 1)))
    return sentences


def show_heatmaps(sentences: list[list[str]], vectors: list[np.ndarray]) -> None:
    """One token x token cosine heatmap per layer, over all sentences."""
    st.subheader("Token similarity per layer")
    positions = flatten_positions(sentences)
    shown = min(len(positions), LIMITS.lab_heatmap_tokens)
    if shown < len(positions):
        st.info(f"The heatmaps show the first {shown} of {len(positions)} tokens.")
    sims = cosine_matrix(concat_tokens(vectors)[:, :shown])  # (L, shown, shown)
    labels = [sentences[s][t] for s, t in positions[:shown]]
    hover = [f"{sentences[s][t]} (sentence {s + 1}, word {t + 1})" for s, t in positions[:shown]]
    boundaries = [b for b in sentence_starts(sentences) if b < shown]
    low = charts.shared_low(sims)
    st.caption(f"Cosine similarity on one colour scale for all layers, from dark purple ({low:.1f}) to "
               "yellow (1). Lines separate sentences; hover a cell to see the two tokens and their cosine.")
    layers = range(sims.shape[0])
    wide = shown <= 60 and not presentation()  # three side by side; else one layer per row
    columns = st.columns(len(layers)) if wide else [st.container() for _ in layers]
    height = 340 if wide else (720 if shown <= 60 else 860)
    for layer, column in zip(layers, columns):
        with column:
            show_chart(charts.similarity_heatmap(sims[layer], labels, charts.layer_name(layer), boundaries, hover,
                                                 height=height, zmin=low, colorbar=not wide),
                       width="stretch", key=f"lab_heatmap_{layer}")


def show_occurrences(sentences: list[list[str]], vectors: list[np.ndarray]) -> None:
    """Similarity of one chosen occurrence to the other occurrences of its word, per layer."""
    st.subheader("One word in different contexts")
    words = repeated_words(sentences)
    if not words:
        st.info("No word occurs twice. Add a sentence that reuses a word (e.g. another “bank”) "
                "to compare its occurrences.")
        return
    names: dict[tuple[int, int], str] = {}
    for word in words:
        for s, t in find_occurrences(sentences, word):
            repeats = sum(tok.lower() == word for tok in sentences[s]) > 1
            names[(s, t)] = occurrence_label(sentences[s][t], s, t, repeats)
    options = list(names)
    if st.session_state.get("lab_occurrence") not in options:  # new text: its most telling word
        wanted = focus_word(sentences, query_value("word", DEFAULTS.lab_word))
        st.session_state["lab_occurrence"] = next(
            (o for o in options if sentences[o[0]][o[1]].lower() == wanted), options[0])
    chosen = st.selectbox("Occurrence", options, format_func=names.__getitem__, key="lab_occurrence")
    word = sentences[chosen[0]][chosen[1]].lower()
    set_query(word=word)

    occurrences = find_occurrences(sentences, word)
    similarity = cosine_to(gather_vectors(vectors, occurrences), occurrences.index(chosen))  # (L, n_occ)
    others = [i for i, o in enumerate(occurrences) if o != chosen]
    layers = range(similarity.shape[0])
    table = pd.DataFrame({
        "occurrence": [names[occurrences[i]] for i in others],
        "sentence": [marked_sentence(sentences[occurrences[i][0]], occurrences[i][1]) for i in others],
        **{f"layer {l}": similarity[l, others] for l in layers},
    })
    st.caption(f"Cosine similarity of “{md(names[chosen])}” to every other occurrence of “{md(word)}”. "
               "Layer 0 sees only the spelling, so identical words get 1.0 there.")
    show_chart(charts.occurrence_bars(table, layers), width="stretch", key="lab_bars")
    st.dataframe(table.style.format(number_formats(f"layer {l}" for l in layers)), hide_index=True, width="stretch")


def sentence_lab() -> None:
    """The home page."""
    spec, _ = model_page(
        "Sentence lab",
        "Type sentences. ELMo gives every token one vector per layer: layer 0 sees "
        "only the word's characters, layers 1 and 2 also see its context.")
    sentences = read_sentences()
    with friendly_errors("computing the vectors"), st.spinner("Computing ELMo vectors …"):
        vectors = embed(spec, sentences)
    show_heatmaps(sentences, vectors)
    show_occurrences(sentences, vectors)


run_app(sentence_lab)
