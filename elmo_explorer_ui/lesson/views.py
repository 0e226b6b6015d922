"""
What each Lesson step shows for given inputs: its figures and the measured line "what this
model shows", computed on the loaded model with :mod:`elmo_core`. No Streamlit here: the page,
the handout and the tests call these functions alike. Heavy measures (the curated sense set, the
similarity references, the language model) come in through a :class:`LessonContext`, which the
page fills with its cached loaders.

Findings are plain text (they quote the user's tokens): the page escapes them for Markdown, the
handout for HTML.
"""
from __future__ import annotations

import html
import math
import random
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from elmo_core.analysis import paired_difference, weight_evidence, wilson_interval
from elmo_core.analysis.repeats import separation_interval
from elmo_core.analysis.sense_kinds import PART_OF_SPEECH, TOPIC, KindAccuracy
from elmo_core.analysis.similarity_reference import (ONE_SENSE_REPEAT, TWO_SENSE_REPEAT, SimilarityReference,
                                                     describe_pair, judge_pair)
from elmo_core.tasks.hard_cases import hard_case_accuracy
from elmo_core.tokenizer import text_to_tokens
from elmo_core.training.predictions import LMPredictions, predict

from .. import charts
from ..evidence_text import weight_evidence_text
from ..safe_text import plotly_text
from ..texts import plural
from .content import STEPS, LessonStep
from .path_figures import Stage, path_stages

MAX_TEXT_CHARS = 300
MAX_TOKENS = 40
TOP_K = 8
SHUFFLE_SEED = 0


class LessonInputError(ValueError):
    """A step's input cannot be shown; the message says what to type instead."""


@dataclass
class StepView:
    """What one step shows: the inputs used (label -> value), the measured ``finding`` (plain
    text), ``agrees`` (True / False when the model agrees / disagrees with the paper's claim
    beyond noise, None otherwise), captioned figures and, for the path of a word, its stages."""

    inputs: dict[str, str]
    finding: str
    agrees: Optional[bool]
    figures: list[tuple[str, go.Figure]] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    shaded_html: str = ""  # the sentence shaded word by word (HTML, user text escaped), or ""


@dataclass(frozen=True, eq=False)
class PosProbe:
    """A linear POS probe per layer: ``correct`` (L, n_test_tokens) 1.0 where the layer's probe
    tags a test token right; ``chance``: the most frequent tag's share; ``description``: the data."""

    correct: np.ndarray
    chance: float
    description: str


@dataclass
class LessonContext:
    """The loaded model and the cached measures the steps read.

    ``embed(sentences) -> [(L, T, D) per sentence]``; ``reference``: the layers' reference cosines
    (None when they could not be measured); ``sense_kinds()``: the curated set's accuracy by sense
    kind; ``language_model()``: the model's LM or None when it has no softmax; ``classifier()``:
    the shipped sentiment head or None; ``heldout_perplexity``: (forward, backward) of the model
    on its held-out text, from its training summary, or None.
    """

    bilm: object
    embed: Callable[[list[list[str]]], list[np.ndarray]]
    reference: Optional[SimilarityReference]
    sense_kinds: Callable[[], dict[str, KindAccuracy]]
    language_model: Callable[[], object]
    classifier: Callable[[], object]
    heldout_perplexity: Optional[tuple[float, float]] = None
    pos_probe: Callable[[], Optional[PosProbe]] = lambda: None  # None while it is being measured


# ------------------------------------------------------------------------------ inputs
def lesson_tokens(text: str) -> list[str]:
    """The tokens of a step's text, within the lesson's limits; LessonInputError otherwise."""
    if len(text) > MAX_TEXT_CHARS:
        raise LessonInputError(f"The lesson reads at most {MAX_TEXT_CHARS} characters ({len(text):,} typed); "
                               "the Sentence lab takes longer texts.")
    tokens = text_to_tokens(text)
    if not tokens:
        raise LessonInputError("Type a sentence, e.g. “I saw a saw .”")
    if len(tokens) > MAX_TOKENS:
        raise LessonInputError(f"The lesson reads at most {MAX_TOKENS} tokens ({len(tokens)} typed).")
    return tokens


def first_repeat(tokens: Sequence[str]) -> Optional[tuple[str, int, int]]:
    """The first word (lower-cased) that occurs twice, with its first two positions."""
    seen: dict[str, int] = {}
    for i, token in enumerate(tokens):
        key = token.lower()
        if key in seen and any(ch.isalnum() for ch in key):
            return key, seen[key], i
        seen.setdefault(key, i)
    return None


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))


def shuffled(tokens: Sequence[str], seed: int = SHUFFLE_SEED) -> list[str]:
    """A fixed permutation of ``tokens`` (seeded) that differs from them when any order can."""
    order = list(tokens)
    rng = random.Random(seed)
    for _ in range(20):
        rng.shuffle(order)
        if order != list(tokens) or len(set(tokens)) < 2:
            break
    return order


# ------------------------------------------------------------------- 1. the language model
def shaded_sentence_html(result: LMPredictions) -> str:
    """The sentence with each word shaded by its mean surprisal over the two directions (darker:
    less expected); hovering a word gives both figures. Tokens are HTML-escaped."""
    means = [(f + b) / 2 for f, b in zip(result.forward.surprisal_bits, result.backward.surprisal_bits)]
    top = max(max(means, default=1.0), 1.0)
    spans = []
    for token, f, b, mean in zip(result.tokens, result.forward.surprisal_bits, result.backward.surprisal_bits, means):
        alpha = 0.08 + 0.72 * min(mean / top, 1.0)
        spans.append(f"<span title='forward {f:.1f} bits, backward {b:.1f} bits' style='background:rgba(228,87,86,"
                     f"{alpha:.2f});padding:2px 5px;margin:1px;border-radius:4px;display:inline-block'>"
                     f"{html.escape(token)}</span>")
    return ("<div style='line-height:2.4;font-size:1.2em'>" + " ".join(spans) + "</div>"
            "<div style='color:#666;font-size:.85em'>Darker: more surprising to the language model (mean of the two "
            "directions, in bits; hover a word for both).</div>")


def surprisal_figure(result: LMPredictions, heldout_bits: Optional[float]) -> go.Figure:
    """Grouped bars: each token's surprisal (bits) under the forward and the backward LM, with a
    dashed line at the model's mean surprisal on its held-out text."""
    x = list(range(len(result.tokens)))
    ticks = charts.unique_names([charts.tick_label(t) for t in result.tokens])
    figure = go.Figure()
    for name, direction, colour in (("forward LM (from the left)", result.forward, charts.LAYER_COLOURS[1]),
                                    ("backward LM (from the right)", result.backward, charts.LAYER_COLOURS[2])):
        figure.add_bar(x=x, y=direction.surprisal_bits, name=name, marker_color=colour,
                       customdata=[plotly_text(t) for t in result.tokens],
                       hovertemplate="%{customdata}: %{y:.1f} bits<extra>" + name + "</extra>")
    if heldout_bits is not None:
        figure.add_hline(y=heldout_bits, line_dash="dash", line_color="crimson",
                         annotation_text=f"this model's average on held-out text: {heldout_bits:.1f} bits",
                         annotation_position="top left", annotation_font_color="crimson")
    figure.update_layout(barmode="group", height=360, margin=dict(l=10, r=10, t=40, b=10),
                         xaxis=dict(tickmode="array", tickvals=x, ticktext=[plotly_text(t) for t in ticks]),
                         yaxis=dict(title="surprisal (bits): how unexpected the word is"),
                         legend=dict(orientation="h", y=1.02, yanchor="bottom"))
    return figure


def prediction_figure(result: LMPredictions, position: int) -> go.Figure:
    """Two panels of horizontal bars: the forward LM's top words after token ``position`` and the
    backward LM's top words before it, with their probabilities."""
    token = result.tokens[position]
    figure = make_subplots(rows=1, cols=2, horizontal_spacing=0.18, subplot_titles=(
        plotly_text(f"forward: next word after “{charts.tick_label(token, 20)}”"),
        plotly_text(f"backward: word before “{charts.tick_label(token, 20)}”")))
    for col, direction, colour in ((1, result.forward, charts.LAYER_COLOURS[1]),
                                   (2, result.backward, charts.LAYER_COLOURS[2])):
        top = direction.top[position][::-1]  # largest at the top
        figure.add_bar(x=[p for _, p in top], y=[plotly_text(w) for w, _ in top], orientation="h",
                       marker_color=colour, showlegend=False, row=1, col=col,
                       hovertemplate="%{y}: p = %{x:.3f}<extra></extra>")
    figure.update_xaxes(title_text="probability", rangemode="tozero")
    figure.update_layout(height=340, margin=dict(l=10, r=10, t=40, b=10))
    return figure


def _rank_of(top: Sequence[tuple[str, float]], word: str) -> Optional[int]:
    for rank, (candidate, _) in enumerate(top, 1):
        if candidate == word:
            return rank
    return None


def language_model_view(context: LessonContext, text: str, position: int) -> StepView:
    tokens = lesson_tokens(text)
    position = min(max(position, 0), len(tokens) - 1)
    inputs = {"sentence": text, "position": f"{position + 1} ({tokens[position]})"}
    lm = context.language_model()
    if lm is None:
        return StepView(inputs, "This model has no trained softmax (the official weight files hold none), so its "
                                "language model cannot be shown; the bundled model has one.", None)
    result = predict(lm, tokens, top_k=TOP_K)
    mixed = predict(lm, shuffled(tokens), top_k=1)
    heldout = context.heldout_perplexity
    heldout_bits = math.log2(sum(heldout) / 2) if heldout else None
    lower = [result.forward.perplexity < mixed.forward.perplexity, result.backward.perplexity < mixed.backward.perplexity]
    order = ("prefers the real word order to a shuffle of the same words in both directions" if all(lower) else
             "does not prefer the real word order in " + ("either direction" if not any(lower) else
                                                          "the " + ("backward" if lower[0] else "forward") + " direction"))
    finding = (f"This model {order}: perplexity {result.forward.perplexity:,.0f} forward and "
               f"{result.backward.perplexity:,.0f} backward, against {mixed.forward.perplexity:,.0f} and "
               f"{mixed.backward.perplexity:,.0f} for the shuffle (lower is better).")
    if heldout:
        finding += (f" Its held-out perplexity is {heldout[0]:.1f} / {heldout[1]:.1f} on its own corpus (the "
                    f"paper's 39.7 is a far larger model on another corpus).")
    if position + 1 < len(tokens):
        word, p = result.forward.top[position][0]
        actual = tokens[position + 1]
        rank = _rank_of(result.forward.top[position], actual)
        where = f"its rank {rank} guess" if rank else f"not among its top {TOP_K}"
        finding += f" After “{tokens[position]}”, its first guess is “{word}” (p = {p:.2f}); “{actual}” is {where}."
    figures = [("Surprisal of each word, forward and backward", surprisal_figure(result, heldout_bits)),
               ("What each direction predicts at the chosen word", prediction_figure(result, position))]
    return StepView(inputs, finding, all(lower), figures, shaded_html=shaded_sentence_html(result))


# -------------------------------------------------------------------- 2. the path of a word
def characters_view(context: LessonContext, text: str, position: int) -> StepView:
    tokens = lesson_tokens(text)
    position = min(max(position, 0), len(tokens) - 1)
    inputs = {"sentence": text, "word": f"{position + 1} ({tokens[position]})"}
    stages, alone = path_stages(context.bilm, tokens, position)
    finding = (f"“{tokens[position]}” in this sentence against the same word on its own: cosine "
               + " / ".join(f"{c:.3f}" for c in alone) + " at layers " + " / ".join(map(str, range(len(alone))))
               + ". ")
    context_free = abs(alone[0] - 1.0) < 1e-4
    contextual = all(c < 1.0 - 1e-4 for c in alone[1:])
    if context_free and contextual:
        finding += "Layer 0 is the same with or without the sentence; the biLSTM layers change with it, as the paper says."
    else:
        finding += ("Layer 0 changes with the sentence here, which a context-free layer should not do."
                    if not context_free else "A contextual layer did not change with the sentence here.")
    overview = _overview_figure(stages)
    return StepView(inputs, finding, context_free and contextual, [("The path of one word", overview)], stages)


def _overview_figure(stages: Sequence[Stage]) -> go.Figure:
    """The stages as a row of boxes with their shapes, in reading order."""
    figure = go.Figure()
    n = len(stages)
    for i, stage in enumerate(stages):
        figure.add_shape(type="rect", x0=i + 0.06, x1=i + 0.94, y0=0.1, y1=0.9, line=dict(color="#4c78a8"),
                         fillcolor="#eef3f9")
        figure.add_annotation(x=i + 0.5, y=0.68, text=f"<b>{plotly_text(stage.title)}</b>", showarrow=False,
                              font=dict(size=12))
        figure.add_annotation(x=i + 0.5, y=0.34, text=plotly_text(stage.shape).replace(" → ", "<br>→ "),
                              showarrow=False, font=dict(size=10, color="#444444"))
        if i + 1 < n:
            figure.add_annotation(x=i + 1.04, y=0.5, ax=i + 0.96, ay=0.5, xref="x", yref="y", axref="x", ayref="y",
                                  text="", showarrow=True, arrowhead=2, arrowwidth=1.5)
    figure.add_scatter(x=[i + 0.5 for i in range(n)], y=[0.5] * n, mode="markers", marker=dict(size=40, opacity=0),
                       customdata=[plotly_text(s.summary) for s in stages], hovertemplate="%{customdata}<extra></extra>",
                       showlegend=False)
    figure.update_layout(height=170, margin=dict(l=5, r=5, t=5, b=5), plot_bgcolor="white",
                         xaxis=dict(visible=False, range=[0, n]), yaxis=dict(visible=False, range=[0, 1]))
    return figure


# ----------------------------------------------------------- 3. two senses in one sentence
def one_sentence_view(context: LessonContext, text: str) -> StepView:
    tokens = lesson_tokens(text)
    inputs = {"sentence": text}
    repeat = first_repeat(tokens)
    if repeat is None:
        raise LessonInputError("Use one word twice in the sentence, e.g. “I saw a saw .”")
    word, i, j = repeat
    (vectors,) = context.embed([tokens])  # (L, T, D)
    cosines = [_cosine(layer[i], layer[j]) for layer in vectors]
    layers = list(range(len(cosines)))
    reference = context.reference
    table = pd.DataFrame({"occurrence": [f"{word} (word {i + 1}) and (word {j + 1})"], "sentence": [text],
                          **{f"layer {l}": [cosines[l]] for l in layers}})
    if reference is None:
        finding = ("Cosine " + " / ".join(f"{c:.3f}" for c in cosines) + " at layers 0 / 1 / 2; the reference "
                   "cosines could not be measured for this model, so there is no scale to read them on.")
        return StepView(inputs, finding, None, [("The two occurrences, per layer",
                                                 charts.occurrence_bars(table, layers))])
    judged = [judge_pair(reference, c, l, tokens, word) for l, c in enumerate(cosines)]
    marks = {l: [charts.BarMark(one=judged[l].band_one, two=judged[l].band_two[1],
                                one_name="one-sense repeats in one sentence",
                                two_name="two-sense repeats in one sentence")] for l in layers}
    figure = charts.occurrence_bars(table, layers, marks)
    separation = [separation_interval(reference.sample(l, TWO_SENSE_REPEAT).values,
                                      reference.sample(l, ONE_SENSE_REPEAT).values) for l in layers]
    top = layers[-1]
    s = separation[top]
    verdict = ("beyond chance, as the paper says" if s.low > 0.5 else
               "below chance, against the paper" if s.high < 0.5 else "within noise of blind on these sentences")
    finding = (f"Layer {top}: {describe_pair(judged[top])} Across the project's repeat sentences, this model ranks "
               f"a two-sense repeat below a one-sense repeat in {s.mean:.0%} of pairs at layer {top} (95% interval "
               f"{s.low:.0%}–{s.high:.0%}; 50% is blind): {verdict}. Layers "
               + " / ".join(map(str, layers)) + ": " + " / ".join(f"{m.mean:.0%}" for m in separation) + ".")
    agrees = True if s.low > 0.5 else False if s.high < 0.5 else None
    return StepView(inputs, finding, agrees, [("The two occurrences, per layer, with the reference marks", figure)])


# ------------------------------------------------------------- 4. syntax vs semantics
def _interval_bars(figure: go.Figure, name: str, values: Sequence[float], intervals, colour: str,
                   hover: str) -> None:
    """One bar per layer with its 95% interval as error bars."""
    figure.add_bar(x=[charts.layer_name(l) for l in range(len(values))], y=list(values), name=name,
                   marker_color=colour, hovertemplate="%{x}: %{y:.1%}<extra>" + plotly_text(hover) + "</extra>",
                   error_y=dict(type="data", symmetric=False, array=[m.high - a for m, a in zip(intervals, values)],
                                arrayminus=[a - m.low for m, a in zip(intervals, values)]))


def kinds_figure(kinds: dict[str, KindAccuracy]) -> go.Figure:
    """Grouped bars: sense accuracy per layer for each kind of sense, with Wilson intervals and
    each kind's chance level as a dashed line (named in the legend)."""
    figure = go.Figure()
    colours = {PART_OF_SPEECH: charts.PALETTE[0], TOPIC: charts.PALETTE[1]}
    for kind, accuracy in kinds.items():
        _interval_bars(figure, f"senses differ in {kind} ({plural(len(accuracy.words), 'word')})",
                       accuracy.per_layer, accuracy.intervals, colours.get(kind), kind)
    for kind, accuracy in kinds.items():
        n = len(accuracy.per_layer)
        figure.add_scatter(x=[charts.layer_name(l) for l in range(n)], y=[accuracy.chance] * n, mode="lines",
                           line=dict(dash="dash", color=colours.get(kind)), name=f"chance, {kind} ({accuracy.chance:.0%})",
                           hoverinfo="skip")
    figure.update_layout(barmode="group", height=400, yaxis=dict(title="sense accuracy (leave-one-out)",
                                                                 range=[0, 1.05], tickformat=".0%"),
                         margin=dict(l=10, r=10, t=60, b=10), legend=dict(orientation="h", y=1.02, yanchor="bottom"))
    return figure


def pos_figure(probe: PosProbe) -> go.Figure:
    """Bars: the POS probe's accuracy per layer with Wilson intervals, and the majority tag."""
    n = probe.correct.shape[1]
    values = [float(c.mean()) for c in probe.correct]
    intervals = [wilson_interval(int(round(c.sum())), n) for c in probe.correct]
    figure = go.Figure()
    _interval_bars(figure, "POS probe accuracy", values, intervals, charts.PALETTE[2], "POS probe")
    figure.add_hline(y=probe.chance, line_dash="dash", line_color="crimson",
                     annotation_text=f"most frequent tag {probe.chance:.0%}", annotation_position="top left")
    low = max(0.0, min(min(values), probe.chance) - 0.1)
    figure.update_layout(height=340, yaxis=dict(title="tagging accuracy (test tokens)", range=[low, 1.0],
                                                tickformat=".0%"), margin=dict(l=10, r=10, t=30, b=10))
    return figure


def _difference_verdict(difference, expected_sign: int) -> tuple[str, Optional[bool]]:
    """How a paired difference reads against the paper's direction (+1: it expects a gain)."""
    if difference.low > 0 or difference.high < 0:
        agrees = (difference.low > 0) == (expected_sign > 0)
        return ("beyond noise, as the paper says" if agrees else "beyond noise, the other way round from the paper"), agrees
    return "within noise on this many examples", None


def syntax_semantics_view(context: LessonContext) -> StepView:
    kinds = context.sense_kinds()
    parts = []
    for kind, accuracy in kinds.items():
        spans = ", ".join(f"layer {l} {a:.0%} ({m.low:.0%}–{m.high:.0%})"
                          for l, (a, m) in enumerate(zip(accuracy.per_layer, accuracy.intervals)))
        parts.append(f"senses that differ in {kind} ({accuracy.n} sentences, chance {accuracy.chance:.0%}): {spans}")
    finding = "On the curated sense set, " + "; ".join(parts) + "."
    verdicts: list[Optional[bool]] = []
    topic = kinds.get(TOPIC)
    if topic is not None and topic.top_vs_below is not None:
        d = topic.top_vs_below
        top = len(topic.per_layer) - 1
        verdict, agrees = _difference_verdict(d, +1)
        verdicts.append(agrees)
        finding += (f" Topic senses, layer {top} minus layer {top - 1}: {d.mean * 100:+.1f} points "
                    f"(95% interval {d.low * 100:+.1f} to {d.high * 100:+.1f}): {verdict}.")
    pos = kinds.get(PART_OF_SPEECH)
    if pos is not None and topic is not None and pos.intervals[-1].low > topic.intervals[-1].high:
        finding += (f" This model separates part-of-speech senses far better than topic senses at the top layer "
                    f"({pos.per_layer[-1]:.0%} vs {topic.per_layer[-1]:.0%}).")
    figures = [("Sense accuracy by layer, for two kinds of senses", kinds_figure(kinds))]
    probe = context.pos_probe()
    if probe is None:
        finding += " The POS probe is being measured in the background (once per model); it appears here when done."
    else:
        accuracy = [float(c.mean()) for c in probe.correct]
        d = paired_difference(probe.correct[1], probe.correct[2])
        verdict, agrees = _difference_verdict(d, +1)
        verdicts.append(agrees)
        finding += (f" POS probe ({probe.description}): " + " / ".join(f"{a:.1%}" for a in accuracy)
                    + f" at layers 0 / 1 / 2 (most frequent tag {probe.chance:.0%}); layer 1 minus layer 2: "
                    f"{d.mean * 100:+.1f} points (95% interval {d.low * 100:+.1f} to {d.high * 100:+.1f}): {verdict}.")
        figures.append(("A linear POS probe on each layer (WSJ test tokens), with 95% intervals", pos_figure(probe)))
    agrees = False if False in verdicts else (True if verdicts and all(v is True for v in verdicts) else None)
    return StepView({"sets": "the curated sense set; WSJ POS sentences"}, finding, agrees, figures)


# ------------------------------------------------------------------ 5. the scalar mix
def normalised(raw: Sequence[float]) -> np.ndarray:
    """Softmax of raw scalar-mix parameters s_k (L,) -> weights summing to 1."""
    raw = np.asarray(raw, dtype=float)
    e = np.exp(raw - raw.max())
    return e / e.sum()


def learned_weights(classifier) -> Optional[np.ndarray]:
    """(members, L) softmax weights the shipped sentiment head's members learned, or None."""
    head = getattr(classifier, "head", None)
    members = getattr(head, "members", None)
    mixes = [getattr(m, "mix", None) for m in members] if members is not None else [getattr(head, "mix", None)]
    weights = [m.weights() for m in mixes if m is not None and hasattr(m, "weights")]
    weights = [w for w in weights if w]
    return np.array(weights, dtype=float) if weights else None


def scalar_mix_view(context: LessonContext, text: str, raw_weights: Sequence[float]) -> StepView:
    tokens = lesson_tokens(text)
    repeat = first_repeat(tokens)
    if repeat is None:
        raise LessonInputError("Use one word twice in the sentence, e.g. “I saw a saw .”")
    word, i, j = repeat
    weights = normalised(raw_weights)
    (vectors,) = context.embed([tokens])  # (L, T, D)
    names = [charts.layer_name(l) for l in range(len(vectors))] + ["an even mix", "your mix"]
    even = np.full(len(vectors), 1.0 / len(vectors))
    values = [_cosine(layer[i], layer[j]) for layer in vectors]
    for w in (even, weights):
        mixed = np.tensordot(w, vectors, axes=1)  # (T, D)
        values.append(_cosine(mixed[i], mixed[j]))
    inputs = {"sentence": text, "weights s0 / s1 / s2": " / ".join(f"{w:.2f}" for w in weights)}
    figure = go.Figure(go.Bar(x=names, y=values, marker_color=list(charts.LAYER_COLOURS[:len(vectors)]) + ["#bbbbbb", "#222222"],
                              hovertemplate="%{x}: cosine %{y:.3f}<extra></extra>"))
    figure.update_layout(height=340, margin=dict(l=10, r=10, t=30, b=10),
                         yaxis=dict(title=plotly_text(f"cosine of the two “{word}”"), range=[min(0.0, min(values)) , 1.05]))
    finding = (f"With your weights ({inputs['weights s0 / s1 / s2']}), the two “{word}” score {values[-1]:.3f}; "
               f"an even mix gives {values[-2]:.3f}, layer 0 alone {values[0]:.3f}.")
    agrees = None
    figures = [(f"Cosine of the two “{word}” under each mix", figure)]
    learned = learned_weights(context.classifier())
    if learned is not None:
        evidence = weight_evidence(learned)
        finding += f" The shipped sentiment head learned its own mix: {weight_evidence_text(evidence)}."
        agrees = True if evidence.top_above_uniform else None
        bars = go.Figure()
        for k, row in enumerate(learned):
            bars.add_scatter(x=[charts.layer_name(l) for l in range(len(row))], y=row, mode="markers",
                             marker=dict(size=10, color="#555555"), name=f"seed {k + 1}", showlegend=False,
                             hovertemplate="%{x}: %{y:.2f}<extra>seed " + str(k + 1) + "</extra>")
        bars.add_hline(y=evidence.uniform, line_dash="dash", line_color="crimson",
                       annotation_text=f"even mix {evidence.uniform:.2f}", annotation_position="right")
        bars.update_layout(height=300, margin=dict(l=10, r=90, t=30, b=10),
                           yaxis=dict(title="learned weight", range=[0, 1]))
        figures.append(("The weights the shipped sentiment head learned, one dot per seed", bars))
    return StepView(inputs, finding, agrees, figures)


# -------------------------------------------------------- 6. feature ensemble or fine-tuning
def fine_tuning_view(context: LessonContext, text: str) -> StepView:
    tokens = lesson_tokens(text)
    inputs = {"text": text}
    lm = context.language_model()
    if lm is None:
        return StepView(inputs, "This model has no trained softmax, so the perplexity of a text cannot be measured.",
                        None)
    result = predict(lm, tokens, top_k=1)
    heldout = context.heldout_perplexity
    names = ["your text"] + (["held-out text of its corpus"] if heldout else [])
    forward = [result.forward.perplexity] + ([heldout[0]] if heldout else [])
    backward = [result.backward.perplexity] + ([heldout[1]] if heldout else [])
    figure = go.Figure()
    figure.add_bar(x=names, y=forward, name="forward", marker_color=charts.LAYER_COLOURS[1])
    figure.add_bar(x=names, y=backward, name="backward", marker_color=charts.LAYER_COLOURS[2])
    figure.update_layout(barmode="group", height=320, margin=dict(l=10, r=10, t=30, b=10),
                         yaxis=dict(title="perplexity (log scale; lower: more expected)", type="log"))
    finding = f"Your text: perplexity {result.forward.perplexity:,.0f} forward, {result.backward.perplexity:,.0f} backward."
    agrees = None
    if heldout:
        ratio = math.sqrt(result.forward.perplexity * result.backward.perplexity) / math.sqrt(heldout[0] * heldout[1])
        if ratio > 1:
            finding += (f" That is {ratio:.1f} times the model's held-out perplexity ({heldout[0]:.1f} / {heldout[1]:.1f}): "
                        "text like this is where adapting the biLM to your domain (`elmo-explorer adapt`) has room to "
                        "lower perplexity before a task is trained.")
        else:
            finding += (f" That is no higher than its held-out perplexity ({heldout[0]:.1f} / {heldout[1]:.1f}): this "
                        "text is in the model's own domain, where domain adaptation has little to gain.")
    return StepView(inputs, finding, agrees, [("Perplexity of your text against the model's held-out text", figure)])


# -------------------------------------------------------------------------- 7. negation
def negation_view(context: LessonContext, text: str) -> StepView:
    lesson_tokens(text)  # the lesson's limits and a clear message for empty text
    inputs = {"sentence": text}
    classifier = context.classifier()
    if classifier is None:
        return StepView(inputs, "This model has no shipped sentiment head, so there is nothing to classify with.", None)
    proba = classifier.predict_proba([text])[0]
    positive = classifier.label_names.index("positive")
    contributions = classifier.token_contributions(text)
    figure = go.Figure(go.Bar(
        x=list(range(len(contributions))), y=[c for _, c in contributions],
        marker_color=["#54a24b" if c > 0 else "#e45756" for _, c in contributions],
        customdata=[plotly_text(t) for t, _ in contributions],
        hovertemplate="%{customdata}: %{y:+.3f}<extra></extra>"))
    ticks = charts.unique_names([charts.tick_label(t) for t, _ in contributions])
    figure.update_layout(height=320, margin=dict(l=10, r=10, t=30, b=10),
                         xaxis=dict(tickmode="array", tickvals=list(range(len(ticks))),
                                    ticktext=[plotly_text(t) for t in ticks]),
                         yaxis=dict(title="drop in p(positive) without the word"))
    verdict = classifier.verdict(proba)
    finding = f"The shipped head says {verdict} (p(positive) = {proba[positive]:.2f})."
    agrees = None
    negation = hard_case_accuracy(classifier.extra)
    if negation is not None:
        finding += (f" On the project's negation test set ({negation.count} sentences that turn on negation or "
                    f"contrast) this head is right on {negation.accuracy:.0%} (95% interval {negation.low:.0%}–"
                    f"{negation.high:.0%}; always answering the more frequent label scores {negation.chance:.0%}).")
        per_label = negation.per_label or {}
        if per_label:
            finding += f" By true label: {negation.per_label_text()}."
        finding += " One example is not a measurement."
        worst = min(per_label.values()) if per_label else None
        if worst is not None and worst < 0.5:
            agrees = False  # right on one kind of sentence only: the bag-of-words lesson, not the contextual one
        elif worst is not None and negation.low > negation.chance:
            agrees = True
    return StepView(inputs, finding, agrees,
                    [("What each word does to p(positive) (occlusion: the drop when it is removed)", figure)])


def compute_view(step: LessonStep, context: LessonContext, text: str, token: int = 0,
                 raw_weights: Sequence[float] = (0.0, 0.0, 0.0)) -> StepView:
    """The view of ``step`` for its inputs (``token``: the chosen position; ``raw_weights``: the
    scalar-mix parameters before the softmax)."""
    key = step.key
    if key == "language-model":
        return language_model_view(context, text, token)
    if key == "characters":
        return characters_view(context, text, token)
    if key == "one-sentence":
        return one_sentence_view(context, text)
    if key == "syntax-semantics":
        return syntax_semantics_view(context)
    if key == "scalar-mix":
        return scalar_mix_view(context, text, raw_weights)
    if key == "fine-tuning":
        return fine_tuning_view(context, text)
    if key == "negation":
        return negation_view(context, text)
    raise KeyError(key)


def default_views(context: LessonContext) -> list[StepView]:
    """Every step's view for its default input (the handout's fallback)."""
    return [compute_view(step, context, step.default_text, step.default_token) for step in STEPS]
