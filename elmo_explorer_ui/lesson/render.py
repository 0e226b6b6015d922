"""
Drawing a step's :class:`~.views.StepView` on a page (Streamlit glue), shared by the Lesson and
the Inside-the-biLM page: the shaded sentence, the figures, the stages (one line each; one opened
at a time for its detail figure, and closed back to the overview), and the measured finding in a box whose colour says
whether the model agrees with the paper.
"""
from __future__ import annotations

import streamlit as st

from ..safe_text import md
from ..view_state import show_chart
from .views import StepView


OVERVIEW = "overview only"


def show_stages(view: StepView, key: str) -> None:
    """Every stage in one line each (its shape and live values), and one stage opened for its
    detail figure: drawing one figure at a time keeps a step's rerun fast."""
    st.markdown("\n".join(f"- **{md(stage.title)}** {md(stage.shape)}: {md(stage.summary)}" for stage in view.stages))
    titles = [stage.title for stage in view.stages]
    chosen = st.radio("Open a stage", [OVERVIEW, *titles], horizontal=True, key=f"{key}_stage")
    if chosen != OVERVIEW:
        stage = view.stages[titles.index(chosen)]
        st.caption(md(f"{stage.title} {stage.shape}"))
        if stage.figure is not None:
            show_chart(stage.figure, width="stretch", key=f"{key}_stage_figure")


def show_view(view: StepView, key: str, finding: bool = True) -> None:
    """Draw ``view``; ``key`` keeps its charts' widget keys apart from other views on the page."""
    if view.shaded_html:
        st.html(view.shaded_html)
    for index, (caption, figure) in enumerate(view.figures):
        st.caption(md(caption))
        show_chart(figure, width="stretch", key=f"{key}_figure_{index}")
    if view.stages:
        show_stages(view, key)
    if finding:
        box = {True: st.success, False: st.warning}.get(view.agrees, st.info)
        box("**What this model shows:** " + md(view.finding))
