"""
Sentences that state a verdict only where an interval supports it (:mod:`elmo_core.analysis.intervals`);
otherwise they say that the difference is within the noise of this many occurrences or runs.
"""
from __future__ import annotations

from elmo_core.analysis import LayerEvidence, WeightEvidence

from .charts import layer_name

__all__ = ["sense_evidence_text", "weight_evidence_text", "accuracy_reference_text"]


def _names(layers) -> str:
    names = [layer_name(l) for l in layers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def sense_evidence_text(evidence: LayerEvidence) -> str:
    """What the per-layer accuracy of one word's occurrences shows, with its 95% intervals:
    "separates the senses" only when the best layer's Wilson interval lies above chance, "Best:
    layer k" only when the paired interval against the next-best layer lies above 0."""
    e, n = evidence, evidence.n_occurrences
    best = f"{layer_name(e.best)} ({e.per_layer[e.best]:.0%}, 95% interval {e.vs_chance.low:.0%}–{e.vs_chance.high:.0%})"
    if not e.beats_chance:
        text = (f"No layer separates the senses beyond the noise of these {n} occurrences: the best, {best}, is "
                f"within noise of the {e.chance:.0%} chance rate (the majority sense).")
        if e.below_chance:
            verb = "scores" if len(e.below_chance) == 1 else "score"
            text += f" {_capital(_names(e.below_chance))} {verb} below chance beyond noise."
        return text
    text = f"{_capital(layer_name(e.best))} separates the senses better than chance ({e.chance:.0%}): {best}."
    margin, runner = e.vs_runner_up, e.runner_up
    if margin is None or runner is None:
        return text
    points = (f"{100 * margin.mean:+.0f} points, paired 95% interval {100 * margin.low:+.0f} to "
              f"{100 * margin.high:+.0f} on the same occurrences")
    if e.best_is_clear:
        return (text + f" Best: {layer_name(e.best)}, ahead of {layer_name(runner)} "
                       f"({e.per_layer[runner]:.0%}) by {points}.")
    return (text + f" Against the next-best, {layer_name(runner)} ({e.per_layer[runner]:.0%}), the difference is "
                   f"within noise for these {n} occurrences ({points}), so no layer is named the best.")


def weight_evidence_text(evidence: WeightEvidence) -> str:
    """Whether the learned scalar-mix weights put more than an even share on their top layer,
    judged by the t interval of the mean weight across the runs (seeds)."""
    e = evidence
    weights = " / ".join(f"{w:.2f}" for w in e.mean)
    even = f"{e.uniform:.2f}"
    if e.intervals is None:
        return (f"weights {weights} from one run: with no second seed there is no interval, so no layer is said "
                f"to get more weight than an even mix ({even} each); train more seeds for a verdict")
    top = e.intervals[e.top]
    spread = f"{layer_name(e.top)}: {top.mean:.2f}, 95% interval {top.low:.2f}–{top.high:.2f} over {e.runs} seeds"
    if e.top_above_uniform:
        return f"mean weights {weights}; most weight on layer {e.top} beyond noise ({spread}, above the even {even})"
    return (f"mean weights {weights}; the largest is within noise of an even mix ({even} each) across these "
            f"{e.runs} seeds ({spread})")


def accuracy_reference_text(label: str, accuracy: float, count: int, references) -> str:
    """A test accuracy against the majority label and the bag-of-words baseline of the same test
    examples (:class:`elmo_core.tasks.references.TaskReferences`), with its 95% Wilson interval:
    "above" or "below" a reference only when the interval leaves it out."""
    from elmo_core.analysis import wilson_interval

    interval = wilson_interval(round(accuracy * count), count)

    def against(name: str, value: float) -> str:
        word = "above" if interval.above(value) else "below" if interval.below(value) else "within noise of"
        return f"{word} the {name} ({value:.3f})"

    return (f"{label}: test accuracy {accuracy:.3f} on {count:,} test examples (95% interval "
            f"{interval.low:.3f}–{interval.high:.3f}), {against('majority label', references.majority)} and "
            f"{against('bag of words', references.bag_of_words)}.")
