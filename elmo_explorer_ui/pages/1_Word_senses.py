"""Word senses: do ELMo's layers separate the senses of one word?"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from elmo_core.analysis import (context_baseline_accuracy, context_baseline_margins, cosine_matrix, gather_vectors,
                                glove_if_local, layer_evidence, mean_within_between, nearest_neighbours,
                                SenseAccuracy, wilson_interval)
from elmo_core.analysis.context_baseline import WINDOW
from elmo_core.datasets.sense_sentences import curated_words, load_wordnet_examples, sense_counts, sentences_for, wordnet_available
from elmo_explorer_ui import charts
from elmo_explorer_ui.compare import choose_second, load_second, model_heading
from elmo_explorer_ui.evidence_text import sense_evidence_text
from elmo_explorer_ui.points import (group_starts, match_own_labels, occurrence_table, order_by_sense,
                                     own_lines_placeholder, sense_name, unique_sentences, user_sense_sentences)
from elmo_explorer_ui.runtime import (embed, friendly_errors, init_widget, model_page, query_int, query_value,
                                      set_query)
from elmo_explorer_ui.safe_text import md
from elmo_explorer_ui.settings import DEFAULTS, LIMITS
from elmo_explorer_ui.texts import parse_labelled_lines, plural, short
from elmo_explorer_ui.view_state import init_text_widget, number_formats, share_text, show_chart
from elmo_explorer_ui.yardstick import means_reading, similarity_reference
from elmo_core.analysis.similarity_reference import DIFFERENT_SENSES, SAME_SENSE, describe_pair, judge_pair

OTHER = "✎ another word …"


@st.cache_data(show_spinner=False, max_entries=8)
def gather_items(word: str, curated: bool, wordnet: bool, own_text: str):
    """The occurrences of ``word`` in the chosen sources, ordered by sense (at most
    ``LIMITS.sense_sentences``), the own lines without the word, the own lines beyond the limit,
    the number of occurrences found, their table and how the own labels were matched to the
    sources' senses (:class:`~elmo_explorer_ui.points.OwnLabels`); cached, so a widget change
    does not re-read a thousand own sentences."""
    items = []
    if curated:
        items += sentences_for(word, "curated")
    if wordnet:
        items += load_wordnet_examples(word)
    lines, dropped = parse_labelled_lines(own_text, LIMITS.user_sentences, LIMITS.line_chars)
    known = [item.sense for item in items]
    own, missing = user_sense_sentences(word, lines, known)
    labels = match_own_labels(word, [line.sense for line in lines], known)
    items += own
    total = len(items)
    items = items[: LIMITS.sense_sentences]
    items = [items[i] for i in order_by_sense(items)]
    return items, missing, dropped, total, occurrence_table(items, DEFAULTS.hover_width), labels


@st.cache_data(show_spinner=False, max_entries=8)
def analyse(target_vectors: np.ndarray, labels: tuple[str, ...]):
    """Similarity matrices, accuracy per layer (read off :func:`evidence`, so the leave-one-out
    verdicts are computed once) and within/between means of one set of occurrences, computed once
    and reused by every widget change."""
    sims = cosine_matrix(target_vectors)  # (L, n, n)
    accuracy = None
    if len(set(labels)) > 1:
        found = evidence(target_vectors, labels)
        accuracy = SenseAccuracy(found.per_layer, found.chance, found.n_occurrences, len(set(labels)))
    stats = [mean_within_between(layer_sims, list(labels)) for layer_sims in sims]
    return sims, accuracy, stats


@st.cache_data(show_spinner=False, max_entries=8)
def evidence(target_vectors: np.ndarray, labels: tuple[str, ...]):
    """Per-layer accuracy with the intervals a verdict needs (Wilson against chance, paired
    bootstrap against the next-best layer), computed once per set of occurrences."""
    return layer_evidence(target_vectors, list(labels))


# The occurrences are keyed by the inputs of :func:`gather_items` (``items_key``), not hashed item by
# item: hashing a thousand occurrence records took most of each widget change's rerun.
@st.cache_data(show_spinner=False, max_entries=8)
def _context_words_accuracy(items_key: tuple, _items: list) -> float:
    word = items_key[0]
    return context_baseline_accuracy([replace(item, word=word) for item in _items], glove_if_local()).accuracy


@st.cache_data(show_spinner=False, max_entries=8)
def context_words_margins(items_key: tuple, _items: list, target_vectors: np.ndarray):
    """Each layer's accuracy minus the context words' on these occurrences (``items_key``: the
    inputs of :func:`gather_items`), with a paired bootstrap interval (call only when GloVe is
    installed or in the cache)."""
    word = items_key[0]
    return context_baseline_margins(target_vectors, [replace(item, word=word) for item in _items], glove_if_local())


def wilson_intervals(accuracy) -> list[tuple[float, float]]:
    """(low, high) 95% Wilson interval of each layer's accuracy over its occurrences."""
    n = accuracy.n_occurrences
    return [(i.low, i.high) for i in (wilson_interval(round(a * n), n) for a in accuracy.per_layer)]


def compared_accuracy(other, sentences: list, which: list[int], items: list, baseline: float | None,
                      layer: int) -> None:
    """The per-layer sense accuracy of the model compared with (``other``) on the same occurrences:
    its own chart and verdict, in the current column."""
    model_heading(other)
    if load_second(other) is None:
        return
    labels = tuple(item.sense for item in items)
    with friendly_errors(f"computing the vectors of {md(other.title)}", stop=False):
        vectors = embed(other, sentences, label="Vectors of the second model")
        targets = gather_vectors(vectors, [(s, item.target_index) for s, item in zip(which, items)])  # (L, n, D)
        _, accuracy, _ = analyse(targets, labels)
        show_chart(charts.accuracy_chart(accuracy, highlight=layer if layer < len(accuracy.per_layer) else None,
                                         baseline=baseline, intervals=wilson_intervals(accuracy)),
                   width="stretch", key="senses_accuracy_compare")
        st.caption(sense_evidence_text(evidence(targets, labels)))


MARGIN_WORDS = {"ahead": "ahead of the context words beyond the noise of this many sentences.",
                "behind": "behind the context words beyond the noise of this many sentences.",
                "same within noise": "within the noise of this many sentences: these occurrences cannot tell "
                                     "the layer and the context words apart."}


def context_words_accuracy(items_key: tuple, items: list) -> float | None:
    """Leave-one-out accuracy of the bag-of-context-words feature (no language model) on these
    occurrences (``items_key``: the inputs of :func:`gather_items`, the word first), or None where
    GloVe 6B 50d is neither installed nor in the cache."""
    return None if glove_if_local() is None else _context_words_accuracy(items_key, items)


spec, bilm = model_page(
    "Word senses",
    "Each curated word is used in 2–3 senses. If a layer's vectors group by sense, a "
    "nearest-centroid classifier can recognise the sense of a held-out sentence. Layer 0 sees "
    "only the characters of the word itself: every occurrence with the same spelling gets the same "
    "vector, so it can tell occurrences apart only by spelling (a capital at the start of a sentence, "
    "a plural), never by context. Each score is shown with the majority-sense rate, and a layer is "
    "called better only when a 95% interval over these sentences says so.")

# ---------------------------------------------------------------- choose the word and sources
words = curated_words()
asked = query_value("word", DEFAULTS.sense_word).strip().lower()
init_widget("senses_pick", asked if asked in words else OTHER)
init_widget("senses_other", "" if asked in words else asked)
left, middle, right = st.columns([2, 2, 3])
with left:
    pick = st.selectbox("Word", [*words, OTHER], key="senses_pick")
    word = (st.text_input("Your word", key="senses_other", placeholder="e.g. pitch")
            if pick == OTHER else pick).strip().lower()
has_wordnet = wordnet_available()
with middle:
    asked_sources = query_value("sources", "curated").split(",")
    init_widget("senses_curated", "curated" in asked_sources)
    init_widget("senses_wordnet", "wordnet" in asked_sources)
    use_curated = st.checkbox("Curated sentences", key="senses_curated", disabled=word not in words)
    use_wordnet = st.checkbox("WordNet examples", key="senses_wordnet", disabled=not has_wordnet,
                              help=None if has_wordnet else "Install the Debian package wordnet-base to use WordNet.")
    chosen_sources = [name for name, used in (("curated", use_curated), ("wordnet", use_wordnet)) if used]
    set_query(sources=None if chosen_sources == ["curated"] else ",".join(chosen_sources) or "none")
with right:
    init_text_widget("senses_own", "senses_text", "")
    with st.expander("Add your own sentences", expanded=pick == OTHER):
        curated_senses = list(sense_counts(sentences_for(word, "curated"))) if word in words else []
        own_text = st.text_area("One per line as “sense | sentence”", key="senses_own", height=120,
                                placeholder=own_lines_placeholder(word, curated_senses),
                                help="A label that names a curated sense (its last part, e.g. “field”, or the "
                                     "whole id) joins that sense; any other label is a new sense.")

share_text("senses_text", own_text)
if not word:
    st.warning("Type a word to compare its senses.")
    st.stop()
if len(word.split()) > 1:
    st.warning("Type a single word (no spaces).")
    st.stop()

items_key = (word, use_curated and word in words, use_wordnet and has_wordnet, own_text)
items, missing, dropped, total, table, own_labels = gather_items(*items_key)
if dropped:
    st.warning(f"Only the first {LIMITS.user_sentences} of your lines are used ({dropped:,} more were ignored).")
if missing:
    st.warning(f"{len(missing):,} of your sentences {'does' if len(missing) == 1 else 'do'} not contain “{md(word)}” and {'was' if len(missing) == 1 else 'were'} skipped: "
               + "; ".join(md(short(m.text, 50)) for m in missing[:3]) + (" …" if len(missing) > 3 else ""))
if total > LIMITS.sense_sentences:
    st.info(f"Using the first {LIMITS.sense_sentences} of {total} occurrences.")
if len(items) < 2:
    where = "the chosen sources" if (use_curated or use_wordnet) else "your sentences"
    st.warning(f"“{md(word)}” occurs {plural(len(items), 'time')} in {where}; at least two occurrences are needed. "
               "Pick a curated word, tick WordNet examples, or add sentences that use the word.")
    st.stop()

counts = sense_counts(items)
sentences, which = unique_sentences(items)
with friendly_errors("computing the vectors"):
    vectors = embed(spec, sentences, label=f"Vectors for “{md(word)}”")
    target_vectors = gather_vectors(vectors, [(s, item.target_index) for s, item in zip(which, items)])  # (L, n, D)
layers = list(range(bilm.num_layers))

st.dataframe(pd.DataFrame({
    "sense": [sense_name(s, word) for s in counts],
    "sentences": list(counts.values()),
    "gloss": [next(i.gloss for i in items if i.sense == s) for s in counts],
}), hide_index=True, width="stretch")
if own_labels.matched or own_labels.new:
    joined = [f"“{md(label)}” joins {sense_name(sense, word)}" for label, sense in own_labels.matched]
    kept = [f"“{md(label)}”" for label in own_labels.new]
    st.caption("Your labels: " + "; ".join(
        ([", ".join(joined)] if joined else [])
        + ([f"kept as {'a new sense' if len(kept) == 1 else 'new senses'}: {', '.join(kept)}"] if kept else []))
        + ". A label joins a sense of the chosen sources when it is the sense's id, the id without the word "
          "or its last part (ignoring case).")



# ---------------------------------------------------------------- the punchline: accuracy per layer
st.subheader("Which layer knows the sense?")
init_widget("senses_layer", query_int("layer", layers[-1], 0, layers[-1]))
layer = st.radio("Layer", layers, key="senses_layer", horizontal=True, format_func=charts.layer_name)
set_query(word=word, layer=layer)
other = choose_second("senses_compare")
labels = [item.sense for item in items]
sims, accuracy, stats = analyse(target_vectors, tuple(labels))
if accuracy is None:
    st.info("All occurrences have the same sense; add sentences with another sense label to measure accuracy.")
else:
    baseline = context_words_accuracy(items_key, items)
    layer_intervals = wilson_intervals(accuracy)
    left, right = st.columns(2) if other is not None else (nullcontext(), None)
    with left:
        if other is not None:
            model_heading(spec)
        show_chart(charts.accuracy_chart(accuracy, highlight=layer, baseline=baseline, intervals=layer_intervals),
                   width="stretch", key="senses_accuracy")
    if other is not None:
        with right:
            compared_accuracy(other, sentences, which, items, baseline, layer)
    st.caption(f"Leave-one-out nearest-centroid accuracy (cosine) over {accuracy.n_occurrences} occurrences "
               f"and {accuracy.n_senses} senses, each bar with its 95% interval (Wilson); the dashed line is the "
               "majority-sense rate. "
               f"{sense_evidence_text(evidence(target_vectors, tuple(labels)))} "
               "A sense seen only once has no centroid when that sentence is held out.")
    if baseline is None:
        st.caption("The comparison with no language model (the GloVe vectors of nearby words) is left out: "
                   "GloVe 6B 50d, a dependency of this app, is not installed in this environment.")
    else:
        margin = context_words_margins(items_key, items, target_vectors)[layer]
        st.caption(f"Dotted line: with no language model at all, the mean GloVe 6B 50d vector of the content "
                   f"words within {WINDOW} tokens (stop words left out) classifies {baseline:.0%} of these "
                   "occurrences the same way. A layer clearly above it knows more than which topical words are "
                   "nearby (word order, syntax, words further away); one clearly below it knows less. "
                   f"{charts.layer_name(layer)}: {100 * margin.mean:+.0f} points on these {len(items)} "
                   f"occurrences (95% interval {100 * margin.low:+.0f} to {100 * margin.high:+.0f}, the same "
                   f"sentences resampled), {MARGIN_WORDS[margin.verdict]}")

# ---------------------------------------------------------------- similarity matrix ordered by sense
st.subheader(f"Similarity of the occurrences, {charts.layer_name(layer)}")
hover = [f"{sense_name(i.sense, word)}: {short(i.text, 60)}" for i in items]
sense_labels = [sense_name(i.sense, word) for i in items]
column_matrix, column_stats = st.columns([3, 2])
with column_matrix:
    show_chart(charts.similarity_heatmap(sims[layer], sense_labels, f"“{word}”, ordered by sense",
                                         group_starts(labels), hover, height=560, zmin=charts.shared_low(sims)),
               width="stretch", key="senses_heatmap")
reference = None
with friendly_errors("measuring the reference cosines", stop=False):
    reference = similarity_reference(spec)
curated_word = word if word in words else None  # its own pairs are left out of the reference
with column_stats:
    stats_table = pd.DataFrame({"layer": [charts.layer_name(l) for l in layers],
                                "same sense": [w for w, _ in stats], "different senses": [b for _, b in stats]})
    reference_columns = []
    if reference is not None:
        reference_columns = ["curated same sense (median)", "curated different senses (median)"]
        stats_table[reference_columns[0]] = [reference.sample(l, SAME_SENSE).without(curated_word).quantile(0.5)
                                             for l in layers]
        stats_table[reference_columns[1]] = [reference.sample(l, DIFFERENT_SENSES).without(curated_word)
                                             .quantile(0.5) for l in layers]
        stats_table["different words (mean)"] = list(reference.anisotropy)
        reference_columns.append("different words (mean)")
    st.dataframe(stats_table.style.format(number_formats(["same sense", "different senses", *reference_columns])),
                 hide_index=True, width="stretch")
    st.caption("Mean cosine similarity between occurrences of the same sense and of different senses. "
               "The wider the gap, the better the layer separates the senses."
               + (" Beside them, the layer's reference cosines, measured on this model: the same word in one "
                  "sense and in two across the curated sentences of other words, and tokens of different "
                  "words (every pair of tokens of a layer has some cosine)." if reference is not None else ""))
    if reference is not None:
        st.caption(md(means_reading(reference, layer, *stats[layer], curated_word)))

# ---------------------------------------------------------------- nearest neighbours (Table 4)
st.subheader("Nearest neighbours of one occurrence")
choice_left, choice_right = st.columns([4, 1])
with choice_left:
    query = st.selectbox("Occurrence", range(len(items)), key="senses_query",
                         format_func=lambda i: f"[{sense_name(items[i].sense, word)}] {short(items[i].text, 90)}")
with choice_right:
    k = st.number_input("Neighbours", 1, 20, DEFAULTS.neighbours, key="senses_k")
rows = nearest_neighbours(target_vectors, int(query), int(k), labels)
readings = [judge_pair(reference, r.similarity, r.layer, sentences[which[query]] if which[r.index] == which[query]
                       else None, curated_word) for r in rows] if reference is not None else []
st.dataframe(pd.DataFrame({
    "layer": [charts.layer_name(r.layer) for r in rows],
    "rank": [r.rank for r in rows],
    "cosine": [r.similarity for r in rows],
    **({"percentile": [j.percentile for j in readings]} if readings else {}),
    "same sense": ["tie" if r.tie else "✓" if labels[r.index] == labels[query] else "✗" for r in rows],
    "sense": [table["sense"][r.index] for r in rows],
    "sentence": [table["sentence"][r.index] for r in rows],
}).style.format({**number_formats(["cosine"]), "percentile": "{:.0f}"}), hide_index=True, width="stretch",
             height=min(38 + 35 * len(rows), 640))
st.caption(f"Query: {md(table['sentence'][query])}  —  like Table 4 of the ELMo paper: the most similar "
           "other occurrences per layer, with their senses."
           + (" Percentile: the share of same-sense pairs of other curated words at that layer (of the same word "
              "twice in one sentence, for two occurrences in one sentence) with a lower cosine." if readings else ""))
nearest = next((j for r, j in zip(rows, readings) if r.layer == layer and r.rank == 1), None)
if nearest is not None:
    st.caption(f"Nearest at {charts.layer_name(layer)}: {md(describe_pair(nearest))}")
if any(r.tie for r in rows):
    tied = [charts.layer_name(l) for l in layers if any(r.tie for r in rows if r.layer == l)]
    st.caption(f"“tie” ({', '.join(tied)}): occurrences of the query's sense and of another sense are exactly "
               "as similar to the query (e.g. the same spelling gives the same layer-0 vector), so which of "
               "them is listed first says nothing about the sense.")
