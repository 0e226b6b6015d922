"""
The Inside-the-biLM page with AppTest and the bundled model: the language model's predictions
for a chosen word and the path of that word through the network, on the visitor's sentence.
"""
from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "elmo_explorer_ui" / "app.py")
PAGE = "pages/8_Inside_the_biLM.py"


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def prediction_words(at: AppTest) -> list[list[str]]:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return [t["y"] for s in specs for t in s["data"] if t.get("orientation") == "h" and t.get("type") == "bar"
            and "filter" not in str(t["y"])]


def test_the_chosen_word_gets_both_directions_predictions_and_its_path():
    at = open_page()
    words = prediction_words(at)
    assert len(words) == 2 and all(len(w) == 8 for w in words)  # forward and backward top 8
    assert "Character CNN" in at.radio(key="inside_path_stage").options
    assert any("surprising" in h.body for h in at.get("html")) if at.get("html") else True


def test_another_word_and_an_example_change_the_predictions():
    at = open_page()
    first = prediction_words(at)
    at.selectbox(key="inside_token").set_value(1).run()
    assert prediction_words(at) != first
    next(b for b in at.button if b.label.startswith("school after park")).click().run()
    assert not at.exception
    assert at.text_input(key="inside_text").value.startswith("school after park")
    assert any("does not prefer" in s.value or "prefers" in s.value
               for kind in ("success", "warning", "info") for s in at.get(kind))


def test_empty_and_hostile_sentences_get_a_message_not_a_crash():
    at = open_page()
    at.text_input(key="inside_text").set_value("   ").run()
    assert not at.exception and any("Type a sentence" in w.value for w in at.warning)
    at.text_input(key="inside_text").set_value("<b>bold</b> [x](https://example.com) :red[y]").run()
    assert not at.exception
    for box in [b for kind in ("success", "warning", "info") for b in at.get(kind)]:
        assert "](https://example.com)" not in box.value
