"""
ELMo Explorer, started with `elmo-explorer app` (elmo_explorer_ui/launch.py builds its `streamlit run`).

This entry point registers the pages (``st.navigation``) and is itself the home page, the
Sentence lab: type sentences (a line may hold several), compare every token with every other
token per layer, and one word's occurrences with each other.
"""
from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import pandas as pd
import streamlit as st

from elmo_core.analysis import (concat_tokens, cosine_matrix, cosine_to, find_occurrences,
                                flatten_positions, focus_word, gather_vectors, repeated_words, sentence_starts)
from elmo_core.analysis.similarity_reference import SimilarityReference, describe_pair, judge_pair
from elmo_explorer_ui import charts
from elmo_explorer_ui.compare import choose_second, load_second, model_heading
from elmo_explorer_ui.model_info import ModelSpec
from elmo_explorer_ui.runtime import embed, friendly_errors, model_page, query_value, run_app, set_query
from elmo_explorer_ui.safe_text import md
from elmo_explorer_ui.settings import DEFAULTS, LIMITS
from elmo_explorer_ui.texts import marked_sentence, occurrence_label, parse_sentences, plural
from elmo_explorer_ui.view_state import (init_text_widget, init_widget, number_columns, presentation, share_text,
                                         show_chart)
from elmo_explorer_ui.yardstick import similarity_reference

READINGS_SHOWN = 6  # pairs read out in sentences under the occurrence table


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
        st.info(f"{plural(parsed.cut_lines, 'long line')} {'was' if parsed.cut_lines == 1 else 'were'} cut to "
                f"{LIMITS.line_chars} characters.")
    sentences = [list(s) for s in parsed.sentences]
    with st.expander(f"Tokens ({sum(map(len, sentences)):,} in {plural(len(sentences), 'sentence')})", expanded=True):
        st.markdown("\n".join(f"{i}. " + " · ".join(md(t) for t in s) for i, s in enumerate(sentences, 1)))
    return sentences


def per_layer(values) -> str:
    """``[0.03, 0.55, 0.33]`` -> ``"0.03 / 0.55 / 0.33"`` (layers 0 / 1 / 2)."""
    return " / ".join(f"{v:.2f}" for v in values)


def reference_caption(reference: SimilarityReference, adjusted: bool) -> str:
    """The layers' reference cosines in one sentence (Markdown)."""
    layers = range(reference.num_layers)
    same = [reference.same_sense[l].quantile(0.5) for l in layers]
    different = [reference.different_senses[l].quantile(0.5) for l in layers]
    names = " / ".join(map(str, layers))
    text = (f"What a cosine means depends on the layer: measured on this model (layers {names}), "
            f"tokens of different words average {per_layer(reference.anisotropy)} (every token of a layer "
            f"shares a common direction), the same curated word in one sense across sentences has a median of "
            f"{per_layer(same)}, and in two senses {per_layer(different)} "
            f"({reference.n_sentences} curated sentences of {reference.n_words} words).")
    if adjusted:
        text += " Shown here: cosine minus the layer's different-words average, so 0 is the layer's baseline."
    return text


def show_heatmaps(sentences: list[list[str]], vectors: list[np.ndarray],
                  reference: SimilarityReference | None = None, adjusted: bool = False) -> None:
    """One token x token cosine heatmap per layer, over all sentences (minus each layer's
    anisotropy baseline when ``adjusted``)."""
    st.subheader("Token similarity per layer")
    positions = flatten_positions(sentences)
    shown = min(len(positions), LIMITS.lab_heatmap_tokens)
    if shown < len(positions):
        st.info(f"The heatmaps show the first {shown} of {len(positions)} tokens.")
    sims = cosine_matrix(concat_tokens(vectors)[:, :shown])  # (L, shown, shown)
    adjusted = adjusted and reference is not None
    if adjusted:
        sims = sims - np.asarray(reference.anisotropy)[:, None, None]
    labels = [sentences[s][t] for s, t in positions[:shown]]
    hover = [f"{sentences[s][t]} (sentence {s + 1}, word {t + 1})" for s, t in positions[:shown]]
    boundaries = [b for b in sentence_starts(sentences) if b < shown]
    low = charts.shared_low(sims)
    high = float(np.ceil(sims.max() * 10) / 10) if adjusted else 1.0
    value = "cosine minus the layer's baseline" if adjusted else "cosine"
    st.caption(f"{'Cosine minus the layer baseline' if adjusted else 'Cosine similarity'} on one colour scale for "
               f"all layers, from dark purple ({low:.1f}) to yellow ({high:.0f}). Lines separate sentences; hover a "
               f"cell to see the two tokens and their {value}."
               + (f" {reference_caption(reference, adjusted)}" if reference is not None else ""))
    layers = range(sims.shape[0])
    wide = shown <= 60 and not presentation()  # three side by side; else one layer per row
    columns = st.columns(len(layers)) if wide else [st.container() for _ in layers]
    height = 340 if wide else (720 if shown <= 60 else 860)
    for layer, column in zip(layers, columns):
        with column:
            show_chart(charts.similarity_heatmap(sims[layer], labels, charts.layer_name(layer), boundaries, hover,
                                                 height=height, zmin=low, colorbar=not wide, zmax=high,
                                                 value_name=value),
                       width="stretch", key=f"lab_heatmap_{layer}")


def measure_occurrences(sentences: list[list[str]], vectors: list[np.ndarray], chosen: tuple[int, int],
                        names: dict[tuple[int, int], str], reference: SimilarityReference | None, adjusted: bool):
    """The chosen occurrence's cosine to every other occurrence of its word, per layer (minus the
    layer's baseline when ``adjusted``), each read against ``reference``: (occurrences of the
    word, the other rows' indices, the table, the per-layer readings by row, the marks on the bars,
    the name of the value)."""
    word = sentences[chosen[0]][chosen[1]].lower()
    occurrences = find_occurrences(sentences, word)
    similarity = cosine_to(gather_vectors(vectors, occurrences), occurrences.index(chosen))  # (L, n_occ)
    others = [i for i, o in enumerate(occurrences) if o != chosen]
    layers = range(similarity.shape[0])
    adjusted = adjusted and reference is not None
    shift = np.asarray(reference.anisotropy)[:, None] if adjusted else 0.0
    table = pd.DataFrame({
        "occurrence": [names[occurrences[i]] for i in others],
        "sentence": [marked_sentence(sentences[occurrences[i][0]], occurrences[i][1]) for i in others],
        **{f"layer {l}": (similarity - shift)[l, others] for l in layers},
    })
    judged = {}
    if reference is not None:
        for i in others:  # a pair inside one sentence is read against the repeats in one sentence
            same = occurrences[i][0] == chosen[0]
            judged[i] = [judge_pair(reference, float(similarity[l, i]), l, sentences[chosen[0]] if same else None,
                                    word) for l in layers]
        table["read against"] = ["repeats in one sentence" if judged[i][0].within_sentence
                                 else "curated pairs across sentences" for i in others]
        for l in layers:
            table[f"layer {l} percentile"] = [judged[i][l].percentile for i in others]
    value = "cosine minus the layer's baseline" if adjusted else "cosine similarity"
    marks = None
    if judged:
        marks = {l: [charts.BarMark(one=tuple(v - (reference.anisotropy[l] if adjusted else 0.0)
                                              for v in judged[i][l].band_one),
                                    two=judged[i][l].band_two[1] - (reference.anisotropy[l] if adjusted else 0.0),
                                    one_name="one-sense repeats in one sentence" if judged[i][l].within_sentence
                                    else "same-sense pairs of curated words",
                                    two_name="two-sense repeats in one sentence" if judged[i][l].within_sentence
                                    else "different-sense pairs of curated words")
                     for i in others] for l in layers}
    return occurrences, others, table, judged, marks, value


def show_occurrence_result(table: pd.DataFrame, judged: dict, marks, value: str, key: str) -> None:
    """The bars and the table of one model's cosines (``key``: the chart's widget key)."""
    layers = range(sum(1 for c in table.columns if c.startswith("layer ") and c[6:].isdigit()))
    show_chart(charts.occurrence_bars(table, layers, marks, value_name=value), width="stretch", key=key)
    columns = number_columns(f"layer {l}" for l in layers)
    columns.update(number_columns((f"layer {l} percentile" for l in layers if judged), places=0))
    st.dataframe(table, hide_index=True, width="stretch", column_config=columns)


def compared_model(spec: ModelSpec, sentences: list[list[str]]
                   ) -> tuple[ModelSpec, ModelSpec, list[np.ndarray], SimilarityReference | None] | None:
    """The "Compare with" choice: (this model, the model compared with, its vectors of
    ``sentences``, its reference cosines or None), or None for nothing (or a model that failed to load)."""
    other = choose_second("lab_compare")
    if other is None or load_second(other) is None:
        return None
    with friendly_errors(f"computing the vectors of {md(other.title)}"), st.spinner("Computing ELMo vectors …"):
        other_vectors = embed(other, sentences)
    other_reference = None
    with friendly_errors("measuring the reference cosines of the second model", stop=False):
        other_reference = similarity_reference(other)
    return spec, other, other_vectors, other_reference


def show_occurrences(sentences: list[list[str]], vectors: list[np.ndarray],
                     reference: SimilarityReference | None = None, adjusted: bool = False,
                     spec: ModelSpec | None = None) -> None:
    """Similarity of one chosen occurrence to the other occurrences of its word, per layer, each
    read against the layer's reference (a percentile, marks on the bars, a sentence). With
    ``spec`` (the model in use), a "Compare with" choice: a second model's bars and table beside
    the first."""
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
    second = compared_model(spec, sentences) if spec is not None else None

    occurrences, others, table, judged, marks, value = measure_occurrences(sentences, vectors, chosen, names,
                                                                           reference, adjusted)
    layers = range(len(vectors[0]))
    st.caption(f"{value[0].upper()}{value[1:]} of “{md(names[chosen])}” to every other occurrence of "
               f"“{md(word)}”. "
               "Layer 0 sees only the spelling, so identical words get "
               + ("the same vector there." if value != "cosine similarity" else "1.0 there."))
    left, right = st.columns(2) if second is not None else (nullcontext(), None)
    with left:
        if second is not None:
            model_heading(second[0])
        show_occurrence_result(table, judged, marks, value, "lab_bars")
    if second is not None:
        _, other_spec, other_vectors, other_reference = second
        with right:
            model_heading(other_spec)
            _, _, other_table, other_judged, other_marks, other_value = measure_occurrences(
                sentences, other_vectors, chosen, names, other_reference, adjusted)
            show_occurrence_result(other_table, other_judged, other_marks, other_value, "lab_bars_compare")
            if other_value != value:
                st.caption(f"This column shows the {other_value}" + (" (no reference cosines were measured for "
                           "this model)." if other_reference is None else "."))
        st.caption("The same sentences and occurrence through both models; each model's bars are read against its "
                   "own reference (the readings below are the first model's).")
    if judged:
        st.caption("Marks on the bars: black, the median and 10–90 % of pairs of one sense at that layer; red "
                   "diamond, the median of pairs of two senses. A pair in one sentence is read against the same "
                   "word twice in one sentence (sharing a context raises the cosine), two sentences against the "
                   "curated sense set. Percentile: the share of those one-sense pairs with a lower cosine.")
        top, shown = layers[-1], others[:READINGS_SHOWN]
        st.markdown("\n".join(f"- “{md(names[occurrences[i]])}”: {md(describe_pair(judged[i][top]))}"
                               for i in shown))
        with st.expander("The same reading at every layer"):
            st.markdown("\n".join(f"- “{md(names[occurrences[i]])}”: {md(describe_pair(judged[i][l]))}"
                                   for i in shown for l in layers))
        if len(shown) < len(others):
            st.caption(f"The first {len(shown)} of {len(others)} other occurrences; the table has them all.")


def sentence_lab() -> None:
    """The home page."""
    spec, _ = model_page(
        "Sentence lab",
        "Type sentences. ELMo gives every token one vector per layer: layer 0 sees "
        "only the word's characters, layers 1 and 2 also see its context.")
    sentences = read_sentences()
    with friendly_errors("computing the vectors"), st.spinner("Computing ELMo vectors …"):
        vectors = embed(spec, sentences)
    reference = None
    with friendly_errors("measuring the reference cosines", stop=False):
        reference = similarity_reference(spec)
    init_widget("lab_adjusted", query_value("adjusted") == "1")
    adjusted = st.toggle("Subtract each layer's baseline (anisotropy-adjusted: cosine minus the mean cosine of "
                         "tokens of different words at that layer)", key="lab_adjusted", disabled=reference is None)
    set_query(adjusted="1" if adjusted else None)
    show_heatmaps(sentences, vectors, reference, adjusted)
    show_occurrences(sentences, vectors, reference, adjusted, spec)


run_app(sentence_lab)
