"""
Drawing a step's :class:`~.views.StepView` on a page (Streamlit glue), shared by the Lesson and
the Inside-the-biLM page: the shaded sentence, the figures, the stages as expanders (each opens
its detail and closes back to the overview), and the measured finding in a box whose colour says
whether the model agrees with the paper.
"""
from __future__ import annotations

import streamlit as st

from ..safe_text import md
from ..view_state import show_chart
from .views import StepView


def show_view(view: StepView, key: str, finding: bool = True) -> None:
    """Draw ``view``; ``key`` keeps its charts' widget keys apart from other views on the page."""
    if view.shaded_html:
        st.html(view.shaded_html)
    for index, (caption, figure) in enumerate(view.figures):
        st.caption(md(caption))
        show_chart(figure, width="stretch", key=f"{key}_figure_{index}")
    for index, stage in enumerate(view.stages):
        with st.expander(f"{stage.title} · {stage.shape}"):
            st.write(md(stage.summary))
            if stage.figure is not None:
                show_chart(stage.figure, width="stretch", key=f"{key}_stage_{index}")
    if finding:
        box = {True: st.success, False: st.warning}.get(view.agrees, st.info)
        box("**What this model shows:** " + md(view.finding))
