"""
What a learning curve (:class:`~.curve.CurveReport`) allows one to say, as sentences, and its
Markdown report. Pure functions of the report; nothing is trained here.

- :func:`compare`: two strategies size by size: which one's 95% interval lies wholly above the
  other's (``+1`` / ``-1``), or neither (``0``: within noise), and the cost ratio.
- :func:`verdicts`: for every pair of strategies, "X overtakes Y at n = ... beyond the intervals",
  "X is ahead of Y ... from the smallest size", or "within noise at every size", with the cost.
- :func:`advice_lines`: the curve held against the usual advice (feature ensemble robust below
  ~10k examples and 3-5x cheaper; fine-tuning wins with much more data at 2-3x the time;
  features-then-fine-tuning can beat both; domain adaptation lowers perplexity and helps).
- :func:`curve_markdown`: one task's section of ``REPORT.md``: the table of points, the verdicts and
  the advice check; :func:`write_curves`: ``curve.json``, ``REPORT.md`` and ``curves.html`` of a folder,
  one section per task (a new curve replaces the same task's and keeps the others).

"Beyond the intervals" is the strict reading: the lower end of one point's interval above the upper
end of the other's. Two intervals that overlap may still hide a real difference; they do not show one.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import plotly.io as pio

from .curve import CurvePoint, CurveReport, load_curves, save_curves
from .plots import curve_cost_figure, curve_figure

__all__ = ["Comparison", "compare", "verdicts", "advice_lines", "curve_markdown", "write_curves", "MUCH_MORE_DATA"]

MUCH_MORE_DATA = 10_000  # the advice's "below ~10k examples"


@dataclass(frozen=True)
class Comparison:
    """Strategy ``a`` against ``b`` at one size: ``state`` +1 (a's interval above b's), -1 (below),
    0 (overlapping); ``difference``: a's mean minus b's; ``cost``: a's mean seconds / b's."""

    size: int
    state: int
    difference: float
    cost: float


def compare(report: CurveReport, a: str, b: str, metric: str = "accuracy") -> list[Comparison]:
    """``a`` against ``b`` at every size both have, smallest first."""
    out = []
    for size in report.sizes:
        pa, pb = report.point(a, size), report.point(b, size)
        if pa is None or pb is None:
            continue
        ia, ib = pa.interval(metric), pb.interval(metric)
        state = 1 if ia.low > ib.high else -1 if ia.high < ib.low else 0
        out.append(Comparison(size, state, ia.mean - ib.mean, pa.mean_seconds / max(pb.mean_seconds, 1e-9)))
    return out


def _sizes(sizes: list[int]) -> str:
    return ", ".join(f"{n:,}" for n in sizes)


def _cost(ratio: float, other: str) -> str:
    return f"{ratio:.1f}× {other}'s training time"


def _pair(report: CurveReport, a: str, b: str, metric: str) -> list[str]:
    rows = compare(report, a, b, metric)
    if not rows:
        return []
    if all(r.state == 0 for r in rows):
        last = rows[-1]
        return [f"{a} and {b}: within noise at every size (n = {_sizes([r.size for r in rows])}); at n = "
                f"{last.size:,} {a} took {_cost(last.cost, b)}."]
    lines = []
    for winner, loser, sign in ((a, b, 1), (b, a, -1)):
        ahead = [r for r in rows if r.state == sign]
        if not ahead:
            continue
        first = ahead[0]
        cost = first.cost if sign == 1 else 1 / max(first.cost, 1e-9)
        gap = 100 * abs(first.difference)
        where = _sizes([r.size for r in ahead])
        if first.size == rows[0].size:
            lines.append(f"{winner} is ahead of {loser} beyond the intervals from the smallest size (at n = {where}; "
                         f"+{gap:.1f} points at n = {first.size:,}), at {_cost(cost, loser)} there.")
        else:
            lines.append(f"{winner} overtakes {loser} at n = {first.size:,} beyond the intervals (+{gap:.1f} points; "
                         f"ahead at n = {where}, within noise or behind below), at {_cost(cost, loser)} there.")
    return lines


def verdicts(report: CurveReport, metric: str = "accuracy") -> list[str]:
    """One or two sentences per pair of strategies (see the module docstring)."""
    lines = []
    for a, b in combinations(report.strategies, 2):
        lines += _pair(report, a, b, metric)
    return lines


def _ratios(report: CurveReport, a: str, b: str) -> list[float]:
    return [r.cost for r in compare(report, a, b)]


def _span(values: list[float]) -> str:
    return f"{min(values):.1f}×" if max(values) - min(values) < 0.05 else f"{min(values):.1f}–{max(values):.1f}×"


def advice_lines(report: CurveReport, metric: str = "accuracy") -> list[str]:
    """The advice, claim by claim, against what this curve measured (only claims it can test)."""
    have = set(report.strategies)
    largest = max(report.sizes) if report.sizes else 0
    lines = []
    if {"feature", "finetune"} <= have:
        rows = compare(report, "feature", "finetune", metric)
        behind = [r.size for r in rows if r.state == -1]
        robust = ("matches: the feature ensemble is never behind fine-tuning beyond the intervals"
                  if not behind else f"does not match: fine-tuning is ahead beyond the intervals at n = {_sizes(behind)}")
        lines.append(f"Feature ensemble robust below ~10k examples: {robust} (sizes {_sizes(report.sizes)}).")
        ratios = _ratios(report, "finetune", "feature")
        if 3 <= min(ratios) and max(ratios) <= 5:
            verdict = "matches"
        elif min(ratios) > 5:
            verdict = "the direction matches and the gap is wider than 5×"
        elif max(ratios) < 3:
            verdict = "the gap is narrower than 3×" if min(ratios) > 1 else "does not match"
        else:
            verdict = "matches at some sizes only"
        lines.append(f"Feature ensemble 3–5× cheaper: fine-tuning took {_span(ratios)} the feature ensemble's "
                     f"training time here ({verdict}).")
    if largest < MUCH_MORE_DATA:
        lines.append(f"Fine-tuning wins with much more data at 2–3× the time: not testable here; the largest size is "
                     f"{largest:,} examples (the task has {report.train_available:,}), below the ~10k the advice "
                     "speaks of.")
    if "feature+finetune" in have:
        others = [s for s in ("feature", "finetune") if s in have]
        both = [r.size for r in compare(report, "feature+finetune", others[0], metric)
                if r.state == 1 and all(next((c.state for c in compare(report, "feature+finetune", o, metric)
                                              if c.size == r.size), 0) == 1 for o in others)]
        claim = (f"matches at n = {_sizes(both)} (ahead of {' and '.join(others)} beyond the intervals)" if both
                 else f"not shown: never ahead of {' and '.join(others)} at once beyond the intervals")
        lines.append(f"Features then fine-tuning can beat both: {claim}.")
    if "adapted+feature" in have and report.adaptation:
        before, after = report.adaptation["before"], report.adaptation["after"]
        lower = all(after[d] < before[d] for d in before)
        ppl = (f"held-out perplexity of the task's text {before['forward']:.0f}/{before['backward']:.0f} → "
               f"{after['forward']:.0f}/{after['backward']:.0f} (forward/backward) after "
               f"{report.adaptation['tokens']:,} tokens, {report.adaptation['seconds']:.0f} s")
        rows = compare(report, "adapted+feature", "feature", metric) if "feature" in have else []
        helps = [r.size for r in rows if r.state == 1]
        hurts = [r.size for r in rows if r.state == -1]
        if not rows:
            effect = "no plain feature line to compare with"
        elif helps:
            effect = f"helps beyond the intervals at n = {_sizes(helps)}"
        elif hurts:
            effect = f"hurts beyond the intervals at n = {_sizes(hurts)}"
        else:
            effect = "no difference beyond the intervals at any size"
        lines.append(f"Domain adaptation lowers perplexity and helps: perplexity {'lower' if lower else 'not lower'} "
                     f"({ppl}); accuracy: {effect}.")
    return lines


def _row(p: CurvePoint) -> str:
    acc, f1 = p.interval("accuracy"), p.interval("macro_f1")
    return (f"| {p.strategy} | {p.size:,} | {acc.mean:.3f} [{acc.low:.3f}, {acc.high:.3f}] | {f1.mean:.3f} | "
            f"{p.mean_seconds:.1f} | {p.mean_tokens_per_second:,.0f} | {p.peak_mb:,.0f} (+{p.increase_mb:,.0f}) | "
            f"{sum(p.epochs) / len(p.epochs):.1f} |")


def curve_markdown(report: CurveReport, title: str = "") -> str:
    """``REPORT.md`` of one curve: settings, the table of points, verdicts, the advice check."""
    c = report.config
    head = [f"## {title or 'Learning curve: ' + c.task}", "",
            f"{report.note} Train sizes {_sizes(list(c.sizes))}; dev {report.dev_count:,}, test {report.test_count:,} "
            f"(fixed for every point). Model `{c.model}`, device {report.device}, {report.seconds / 60:.1f} min in all"
            f"{' (cancelled: the points below are those that finished)' if report.cancelled else ''}.", "",
            f"Caps: {c.caps()}.", ""]
    if report.adaptation:
        a = report.adaptation
        head += [f"Adapted biLM: {a['tokens']:,} tokens of language-model training on the {a['train_lines']:,} lines of "
                 f"the training split's text (labels unused; {a['heldout_lines']:,} lines held out), {a['seconds']:.0f} s; "
                 f"held-out perplexity forward {a['before']['forward']:.1f} → {a['after']['forward']:.1f}, backward "
                 f"{a['before']['backward']:.1f} → {a['after']['backward']:.1f}. Its seconds are counted in every "
                 "adapted+feature point.", ""]
    table = ["| strategy | train n | test accuracy, mean [95% t interval over seeds] | macro F1 | train s / seed | "
             "tokens/s | peak MB (+rise) | epochs |", "|---|---:|---|---:|---:|---:|---:|---:|"]
    table += [_row(p) for s in report.strategies for p in report.line(s)]
    found = verdicts(report)
    body = ["", "**Verdicts** (a difference counts only when the two intervals do not overlap):", ""]
    body += [f"- {line}" for line in found] or ["- only one strategy: nothing to compare"]
    body += ["", "**Against the advice:**", ""] + [f"- {line}" for line in advice_lines(report)]
    body += ["", f"Memory: {report.memory_method}; the peak is the whole process's (the model, the data and the "
             "features of earlier points included), the rise is over the point's start."]
    return "\n".join(head + table + body) + "\n"


def write_curves(report: CurveReport, out_dir: str | Path, *, preamble: str = "") -> list[CurveReport]:
    """Add ``report`` to the curves in ``out_dir/curve.json`` (replacing an earlier curve of the same
    task) and rewrite ``curve.json``, ``REPORT.md`` and ``curves.html`` (Plotly, both figures per
    task). Returns every curve now in the folder."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "curve.json"
    curves = [c for c in (load_curves(path) if path.is_file() else []) if c.config.task != report.config.task]
    curves.append(report)
    save_curves(curves, path)
    sections = [curve_markdown(c) for c in curves]
    (out / "REPORT.md").write_text("# Learning curves\n\n" + (preamble + "\n\n" if preamble else "")
                                   + "\n".join(sections), encoding="utf-8")
    parts = ["<h1>Learning curves</h1>"]
    for c in curves:
        for fig in (curve_figure(c), curve_cost_figure(c)):
            parts.append(pio.to_html(fig, include_plotlyjs=len(parts) == 1, full_html=False))
        parts.append("<ul>" + "".join(f"<li>{_html(line)}</li>" for line in verdicts(c) + advice_lines(c)) + "</ul>")
    (out / "curves.html").write_text("<!doctype html><html><head><meta charset='utf-8'></head><body>"
                                     + "\n".join(parts) + "</body></html>", encoding="utf-8")
    return curves


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
