"""
"Compare with" on the Sentence lab, Word senses and Inside the biLM, with AppTest and real models:
the bundled mini, the official-format fixture (a local folder, no softmax) and a copy of mini (a
local folder with a softmax). A second model shows its own result for the same sentences beside
the first; a bundled model goes into the link (``compare=``), a local folder never does; a model
without a softmax says so in its column on Inside the biLM.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from elmo_core.registry import bundled_model_dir
from elmo_explorer_ui.model_info import DEFAULT_SPEC, ModelSpec
from elmo_explorer_ui.runtime import MODEL_KEY
from test_app_pages import array

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "elmo_explorer_ui" / "app.py")
FIXTURE = (REPO.parent / "shared" / "fixtures" / "elmo-allennlp").resolve()
FIXTURE_SPEC = ModelSpec(kind="local", name="elmo-allennlp", path=str(FIXTURE))
TIMEOUT = 180


def open_page(page: str | None, spec: ModelSpec, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[MODEL_KEY] = spec
    if page is not None:
        at.run()
        at.switch_page(page)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert_ok(at)
    return at


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def used_earlier(at: AppTest, local: ModelSpec, then: ModelSpec = DEFAULT_SPEC) -> None:
    """Run the page with ``local`` as the model in use, then switch back to ``then``: the local
    folder becomes a "compare with" choice of this session."""
    at.session_state[MODEL_KEY] = local
    at.run()
    at.session_state[MODEL_KEY] = then
    at.run()
    assert_ok(at)


def occurrence_bars(at: AppTest) -> list[np.ndarray]:
    """Per chart of occurrence bars: (layers, other occurrences) of cosines."""
    charts = [f for f in figures(at) if f["data"] and f["data"][0]["type"] == "bar"
              and str(f["data"][0].get("name", "")).startswith("layer")]
    return [np.array([array(t["y"]) for t in f["data"] if t["type"] == "bar"]) for f in charts]


def test_sentence_lab_compares_the_occurrences_with_a_local_folder_and_keeps_it_out_of_the_link():
    at = open_page(None, DEFAULT_SPEC)
    assert at.selectbox(key="lab_compare").value == ""
    [alone] = occurrence_bars(at)  # one model: one chart, as before
    used_earlier(at, FIXTURE_SPEC)
    assert at.selectbox(key="lab_compare").options == ["nothing", "elmo-allennlp (local files)"]
    at.selectbox(key="lab_compare").set_value(f"local:{FIXTURE}").run()
    assert_ok(at)
    first, second = occurrence_bars(at)
    np.testing.assert_allclose(first, alone, atol=1e-6)  # the page's own model is unchanged
    assert second.shape == first.shape == (3, 1)  # the other "bank": three layers each
    assert second[0, 0] == pytest.approx(1.0, abs=1e-5)  # layer 0 of the same spelling, in both models
    assert not np.allclose(second[1:], first[1:], atol=1e-3)  # another model, other cosines
    headings = [m.value for m in at.markdown if m.value.startswith("**")]
    assert "**mini (bundled)**" in headings and any("elmo-allennlp" in h for h in headings)
    tables = [d.value for d in at.dataframe if "occurrence" in d.value.columns]
    assert len(tables) == 2
    assert "compare" not in at.query_params  # a local folder never goes into a link


def test_the_link_compares_a_local_model_in_use_with_the_bundled_mini():
    at = open_page(None, FIXTURE_SPEC, compare="mini")
    assert at.selectbox(key="lab_compare").value == "mini"
    assert at.query_params["compare"] == "mini"
    first, second = occurrence_bars(at)
    assert first.shape == second.shape == (3, 1)
    at.selectbox(key="lab_compare").set_value("").run()  # nothing: one chart, and out of the link
    assert_ok(at)
    assert len(occurrence_bars(at)) == 1 and "compare" not in at.query_params


def test_word_senses_shows_the_accuracy_of_both_models():
    at = open_page("pages/1_Word_senses.py", DEFAULT_SPEC)
    used_earlier(at, FIXTURE_SPEC)
    at.selectbox(key="senses_compare").set_value(f"local:{FIXTURE}").run()
    assert_ok(at)
    accuracy = [f for f in figures(at) if f["data"] and f["data"][0].get("name") == "accuracy"]
    assert len(accuracy) == 2
    first, second = (array(f["data"][0]["y"]) for f in accuracy)
    assert first.shape == second.shape == (3,) and not np.allclose(first, second)
    assert all(0.0 <= v <= 1.0 for v in [*first, *second])


def prediction_words(at: AppTest) -> list[list[str]]:
    specs = figures(at)
    return [t["y"] for s in specs for t in s["data"] if t.get("orientation") == "h" and t.get("type") == "bar"
            and "filter" not in str(t["y"])]


def test_inside_the_bilm_shows_both_language_models_or_says_one_has_none(tmp_path):
    copy = tmp_path / "mini-copy"
    shutil.copytree(bundled_model_dir("mini"), copy)
    copy_spec = ModelSpec(kind="local", name="mini-copy", path=str(copy.resolve()))
    at = open_page("pages/8_Inside_the_biLM.py", DEFAULT_SPEC)
    assert len(prediction_words(at)) == 2  # one model: forward and backward
    used_earlier(at, FIXTURE_SPEC)
    used_earlier(at, copy_spec)
    at.selectbox(key="inside_compare").set_value(f"local:{FIXTURE}").run()
    assert_ok(at)
    assert len(prediction_words(at)) == 2  # the fixture has no softmax: no predictions beside mini's ...
    assert any("no trained softmax" in i.value for i in at.info)  # ... but a message in its column
    at.selectbox(key="inside_compare").set_value(f"local:{copy.resolve()}").run()
    assert_ok(at)
    words = prediction_words(at)
    assert len(words) == 4 and all(len(w) == 8 for w in words)  # both models: forward and backward top 8
    assert words[:2] == words[2:]  # a copy of mini predicts what mini predicts
    assert "compare" not in at.query_params
