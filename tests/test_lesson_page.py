"""
The Lesson page with AppTest and the bundled model: every step renders its claim, a live figure
and a measured finding; the step lives in the URL; presenter notes stay hidden until asked for;
typed text stays text; the handout holds every step.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from elmo_explorer_ui.lesson.content import STEPS

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "elmo_explorer_ui" / "app.py")
LESSON = "pages/7_Lesson.py"
TIMEOUT = 180


def open_lesson(step: int | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if step is not None:
        at.query_params["step"] = str(step)
    at.run()
    at.switch_page(LESSON)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def finding(at: AppTest) -> str:
    boxes = [b.value for kind in ("success", "warning", "info") for b in at.get(kind)
             if "What this model shows" in str(b.value)]
    assert len(boxes) == 1, boxes
    return boxes[0]


@pytest.mark.parametrize("number", range(1, len(STEPS) + 1))
def test_every_step_renders_a_claim_a_figure_and_a_measured_finding(number):
    at = open_lesson(number)
    step = STEPS[number - 1]
    assert any(step.title in h.value for h in at.header), [h.value for h in at.header]
    assert any("The paper" in i.value for i in at.info)
    assert at.get("plotly_chart"), "every step draws at least one live figure"
    text = finding(at)
    assert any(ch.isdigit() for ch in text), text  # a measured number, not a canned sentence
    assert at.query_params["step"] in (str(number), [str(number)])


def test_next_and_previous_move_through_the_steps_and_the_url_follows():
    at = open_lesson(1)
    next_button = next(b for b in at.button if "Next" in b.label)
    next_button.click().run()
    assert any(STEPS[1].title in h.value for h in at.header)
    assert at.query_params["step"] in ("2", ["2"])
    previous = next(b for b in at.button if "Previous" in b.label)
    previous.click().run()
    assert any(STEPS[0].title in h.value for h in at.header)
    assert next(b for b in at.button if "Previous" in b.label).disabled


def test_presenter_notes_are_hidden_until_asked_for():
    at = open_lesson(3)
    notes = STEPS[2].notes[:30]
    assert not any(notes in m.value for m in at.markdown)
    at.toggle(key="lesson_notes").set_value(True).run()
    assert any(notes.replace("“", "").split()[0] in m.value for m in at.markdown)


def test_the_language_model_step_shows_real_predictions():
    at = open_lesson(1)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    bars = [t for s in specs for t in s["data"] if t.get("orientation") == "h"]
    assert len(bars) == 2  # forward and backward predictions
    assert "prefers the real word order" in finding(at)


def test_the_path_step_opens_every_stage_and_closes_back_to_the_overview():
    at = open_lesson(2)
    stages = at.radio(key="lesson_2_stage")
    assert stages.value == "overview only" and len(at.get("plotly_chart")) == 1  # the overview alone
    for stage in ("Characters", "Character CNN", "Highway 1", "Layer 0", "Layer 1", "Layer 2", "Scalar mix"):
        assert stage in stages.options
        stages.set_value(stage).run()
        assert not at.exception and len(at.get("plotly_chart")) == 2, stage  # the overview and this stage
        stages = at.radio(key="lesson_2_stage")
    stages.set_value("overview only").run()
    assert len(at.get("plotly_chart")) == 1


def test_hostile_text_in_a_step_stays_text():
    at = open_lesson(3)
    at.text_input(key="lesson_text_one-sentence").set_value("see [x](https://example.com) see :red[x]").run()
    assert not at.exception
    text = finding(at)
    assert "](https://example.com)" not in text.replace("\\", "")  or "\\]" in text or "\\[" in text
    assert ":red[" not in text


def test_a_sentence_without_a_repeat_gets_a_clear_message():
    at = open_lesson(3)
    at.text_input(key="lesson_text_one-sentence").set_value("The cat sat .").run()
    assert not at.exception
    assert any("twice" in w.value for w in at.warning)


def test_the_handout_holds_every_step_and_its_figures():
    at = open_lesson(1)
    next(b for b in at.button if "handout" in b.label).click().run()
    assert not at.exception
    html = at.session_state["lesson_handout"]
    for number, step in enumerate(STEPS, 1):
        assert f"id='step-{number}'" in html
    assert html.count("Plotly.newPlot") >= len(STEPS)
    assert "<script src=" not in html  # plotly.js is inside the file
