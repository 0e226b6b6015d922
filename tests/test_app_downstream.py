"""
The Sentiment and Scalar-mix lab pages, run headless with AppTest.

The training tests use a private copy of the small reference biLM (so they are fast and no
shipped heads exist for it) and a private feature cache; they start real background runs and
poll the page until the results are shown. The last test uses the bundled mini model and its
shipped heads.
"""
from __future__ import annotations

import base64
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # the pages import elmo_explorer_ui from the repository root
    sys.path.insert(0, str(REPO))

from elmo_explorer_ui.model_info import ModelSpec  # noqa: E402
from elmo_explorer_ui.runtime import MODEL_KEY  # noqa: E402

SENTIMENT = str(REPO / "pages" / "4_Sentiment.py")
LAB = str(REPO / "pages" / "5_Scalar_mix_lab.py")
TIMEOUT = 180


@pytest.fixture
def tiny_spec(reference_dir, tmp_path, monkeypatch) -> ModelSpec:
    monkeypatch.setenv("ELMO_EXPLORER_FEATURE_CACHE", str(tmp_path / "features"))
    target = tmp_path / "tiny"
    target.mkdir()
    shutil.copy(reference_dir / "options.json", target / "options.json")
    shutil.copy(reference_dir / "lm_weights.hdf5", target / "weights.hdf5")
    return ModelSpec(kind="local", name="tiny", path=str(target))


def start(page: str, spec: ModelSpec | None = None) -> AppTest:
    at = AppTest.from_file(page, default_timeout=TIMEOUT)
    if spec is not None:
        at.session_state[MODEL_KEY] = spec
    at.run()
    assert_ok(at)
    return at


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def wait_until(at: AppTest, done, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the background run did not finish in time"
        time.sleep(0.5)
        at.run()
        assert_ok(at)
    at.run()
    assert_ok(at)


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def values(value) -> np.ndarray:
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.asarray(value)


def titled(at: AppTest, word: str) -> list[dict]:
    return [f for f in figures(at) if word in str(f.get("layout", {}).get("title", {}).get("text", ""))]


def submit(at: AppTest, label: str) -> None:
    button = next(b for b in at.button if b.label == label)
    button.click()
    at.run()
    assert_ok(at)


def test_lab_trains_in_background_and_shows_weights(tiny_spec):
    at = start(LAB, tiny_spec)
    at.selectbox(key="mix_task").set_value("pos")
    at.number_input(key="mix_train_size").set_value(20)
    at.number_input(key="mix_eval_size").set_value(8)
    at.number_input(key="mix_epochs").set_value(2)
    submit(at, "Train")
    session = at.session_state["mix_lab"]
    wait_until(at, lambda: session.results and not session.running)
    result = session.results[0]
    assert result.config["task"] == "pos" and result.sizes["train"] == 20 and result.test is not None
    assert any("Results in this session" in h.value for h in at.header)
    table = at.dataframe[0].value
    assert table["test accuracy"].iloc[0] == pytest.approx(result.test.accuracy)
    [weights] = titled(at, "pos: learned softmax weights")
    bars = values(weights["data"][0]["y"])
    assert bars.shape == (3,) and bars.sum() == pytest.approx(1.0, abs=1e-4)
    np.testing.assert_allclose(bars, result.final_weights, atol=1e-5)
    [ablation] = titled(at, "ablation")
    assert values(ablation["data"][0]["y"])[0] == pytest.approx(result.test.accuracy)


def test_lab_ablation_queue_and_cancel(tiny_spec):
    at = start(LAB, tiny_spec)
    at.number_input(key="mix_train_size").set_value(24)
    at.number_input(key="mix_eval_size").set_value(8)
    at.number_input(key="mix_epochs").set_value(1)
    submit(at, "Train all four layer choices (ablation)")
    session = at.session_state["mix_lab"]
    wait_until(at, lambda: len(session.results) == 4 and not session.running)
    assert [r.config["mix"] for r in session.results] == ["scalar", "layer0", "layer1", "layer2"]
    [ablation] = titled(at, "ablation")
    assert list(ablation["data"][0]["x"]) == ["scalar", "layer0", "layer1", "layer2"]
    # a long run is cancelled from the page and kept as "cancelled"
    at.number_input(key="mix_epochs").set_value(50)
    at.number_input(key="mix_train_size").set_value(400)
    submit(at, "Train")
    assert session.running
    next(b for b in at.button if b.label == "Cancel").click()
    at.run()
    wait_until(at, lambda: len(session.results) == 5 and not session.running)
    assert session.results[-1].cancelled
    assert "cancelled" in at.dataframe[0].value["status"].tolist()


def test_sentiment_page_trains_a_session_head_and_classifies(tiny_spec):
    at = start(SENTIMENT, tiny_spec)
    assert any("no shipped head" in i.value for i in at.info)
    at.number_input(key="sentiment_train_size").set_value(40)
    at.number_input(key="sentiment_eval_size").set_value(20)
    at.number_input(key="sentiment_epochs").set_value(2)
    at.button(key="sentiment_train").click()
    at.run()
    session = at.session_state["sentiment_lab"]
    wait_until(at, lambda: session.classifiers and not session.running)
    assert at.radio(key="sentiment_classifier").value.startswith("Trained in this session")
    at.text_area(key="sentiment_text").set_value("A lovely , funny film .")
    at.run()
    assert_ok(at)
    label = at.metric[0]
    assert label.value in ("negative", "positive") and label.delta.startswith("p = ")
    clf = next(iter(session.classifiers.values()))
    proba = clf.predict_proba(["A lovely , funny film ."])[0]
    assert float(label.delta.split("=")[1]) == pytest.approx(proba.max(), abs=1e-3)
    report = at.dataframe[-1].value if "class" in at.dataframe[-1].value else at.dataframe[0].value
    assert list(report["class"]) == ["negative", "positive", "macro average"]
    [confusion] = titled(at, "Confusion")
    assert values(confusion["data"][0]["z"]).sum() == clf.result.test.count == 20
    # empty input: a friendly warning, no exception
    at.text_area(key="sentiment_text").set_value("   ")
    at.run()
    assert_ok(at)
    assert any("Type a sentence" in w.value for w in at.warning)


def test_sentiment_page_with_shipped_mini_heads():
    at = start(SENTIMENT)
    options = at.radio(key="sentiment_classifier").options
    assert options[:2] == ["Feature ensemble (frozen biLM)", "Fine-tuned biLM"]
    assert at.metric[0].value in ("negative", "positive")
    assert any(m.label == "Accuracy" for m in at.metric)
    at.radio(key="sentiment_classifier").set_value("Fine-tuned biLM")
    at.text_area(key="sentiment_text").set_value("Dull, lifeless and far too long.")
    at.run()
    assert_ok(at)
    assert at.metric[0].value in ("negative", "positive")
    assert titled(at, "Confusion")
