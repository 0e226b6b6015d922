"""
The Lesson as one self-contained HTML file: every step's claim, the paper's number, the inputs
used, the measured finding, and the figures as interactive Plotly with plotly.js inside the
file, so it opens offline in a browser with no server. All text is HTML-escaped.
"""
from __future__ import annotations

import html
from datetime import date
from typing import Sequence

from plotly.offline import get_plotlyjs

from .content import LessonStep
from .views import StepView

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.8em; } h2 { margin-top: 2.2em; border-top: 1px solid #ddd; padding-top: 1em; }
.claim { background: #eef3f9; padding: .7em 1em; border-radius: 6px; }
.finding { background: #f3f8ee; padding: .7em 1em; border-radius: 6px; }
.inputs { color: #555; font-size: .95em; } .caption { color: #555; font-size: .9em; margin: .2em 0 1em; }
.stage { margin-left: 1em; }
"""


def _figure_html(figure, div_id: str) -> str:
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                          config={"displaylogo": False, "responsive": True})


def handout_html(title: str, model_name: str, steps: Sequence[tuple[LessonStep, StepView]]) -> str:
    """One HTML document of the lesson: plotly.js inlined once, one section per step."""
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>",
             f"<style>{STYLE}</style><script>{get_plotlyjs()}</script></head><body>",
             f"<h1>{e(title)}</h1>",
             f"<p>Model: {e(model_name)}. Written by ELMo Explorer on {date.today().isoformat()}. Every figure and "
             "finding was computed on this model; the claims and numbers are from Peters et al. (2018), “Deep "
             "contextualized word representations”.</p>"]
    figure_number = 0
    for number, (step, view) in enumerate(steps, 1):
        parts.append(f"<section id='step-{number}'><h2>Step {number}: {e(step.title)}</h2>")
        parts.append(f"<p class='claim'><b>The paper:</b> {e(step.claim)} {e(step.paper_number)}</p>")
        if view.inputs:
            used = "; ".join(f"{e(k)}: “{e(v)}”" for k, v in view.inputs.items())
            parts.append(f"<p class='inputs'>Input used — {used}</p>")
        parts.append(view.shaded_html)  # built from escaped tokens
        for caption, figure in view.figures:
            figure_number += 1
            parts.append(_figure_html(figure, f"figure-{figure_number}"))
            parts.append(f"<p class='caption'>{e(caption)}</p>")
        for stage in view.stages:
            parts.append(f"<div class='stage'><h3>{e(stage.title)} {e(stage.shape)}</h3><p>{e(stage.summary)}</p>")
            if stage.figure is not None:
                figure_number += 1
                parts.append(_figure_html(stage.figure, f"figure-{figure_number}"))
            parts.append("</div>")
        parts.append(f"<p class='finding'><b>What this model shows:</b> {e(view.finding)}</p>")
        parts.append(f"<details><summary>Presenter notes</summary><p>{e(step.notes)}</p></details></section>")
    parts.append("</body></html>")
    return "\n".join(parts)
