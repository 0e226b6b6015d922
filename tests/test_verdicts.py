"""
Claims only within the evidence: a page names the best layer, a layer that separates
the senses, or the layer with the most scalar-mix weight only when an interval leaves out the
alternative (the next-best layer, chance, an even mix); otherwise it says "within noise". The
Scalar-mix lab puts every test accuracy beside the majority label and a bag-of-words baseline, and
its ablation chart says which layer choices were not trained.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from elmo_core.analysis import (LayerEvidence, Margin, layer_evidence, mean_interval, paired_difference,  # noqa: E402
                                weight_evidence, wilson_interval)

APP = str(REPO / "elmo_explorer_ui" / "app.py")
LAB = str(REPO / "elmo_explorer_ui" / "pages" / "5_Scalar_mix_lab.py")
TIMEOUT = 180


# ---------------------------------------------------------------- pure interval functions
def test_wilson_interval_matches_the_formula_and_decides_against_chance():
    twelve = wilson_interval(12, 20)  # "plant": 60 % of 20 occurrences
    assert (twelve.low, twelve.high) == pytest.approx((0.3866, 0.7812), abs=1e-4)
    assert not twelve.above(0.5) and not twelve.excludes(0.5)
    nineteen = wilson_interval(19, 20)
    assert nineteen.above(0.5) and nineteen.high <= 1.0
    assert wilson_interval(0, 10).low == 0.0 and wilson_interval(10, 10).high == 1.0
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_paired_difference_keeps_pairs_and_finds_a_real_gap():
    same = np.array([1, 0, 1, 1, 0] * 4, dtype=float)
    assert paired_difference(same, same) == Margin(0.0, 0.0, 0.0)
    better = np.ones(40)
    worse = np.r_[np.zeros(20), np.ones(20)]
    gap = paired_difference(better, worse)
    assert gap.mean == pytest.approx(0.5) and gap.low > 0.3  # 20 of 40 sentences flip: beyond noise
    two_flips = paired_difference(np.r_[np.ones(2), np.zeros(18)], np.zeros(20))
    assert two_flips.low == 0.0  # two sentences of twenty: 0 stays inside the interval


def test_mean_interval_and_weight_evidence_against_an_even_mix():
    assert mean_interval([0.4]) is None
    interval = mean_interval([0.30, 0.32, 0.34])
    assert interval.mean == pytest.approx(0.32) and interval.low < 0.32 < interval.high
    single = weight_evidence(np.array([[0.36, 0.34, 0.30]]))
    assert single.top == 0 and single.intervals is None and not single.top_above_uniform
    noisy = weight_evidence(np.array([[0.39, 0.33, 0.28], [0.41, 0.32, 0.27], [0.30, 0.36, 0.34]]))
    assert noisy.top == 0 and not noisy.top_above_uniform
    clear = weight_evidence(np.array([[0.16, 0.41, 0.43], [0.15, 0.40, 0.45], [0.17, 0.39, 0.44]]))
    assert clear.top == 2 and clear.top_above_uniform and clear.uniform == pytest.approx(1 / 3)


def test_layer_evidence_names_a_best_layer_only_beyond_noise():
    rng = np.random.default_rng(0)
    labels = ["a"] * 10 + ["b"] * 10
    centres = {"a": np.r_[1.0, np.zeros(7)], "b": np.r_[0.0, 1.0, np.zeros(6)]}
    clean = np.stack([centres[l] + 0.05 * rng.standard_normal(8) for l in labels])  # (20, 8)
    blind = np.tile(rng.standard_normal(8), (20, 1))  # one vector for all: layer-0-like
    evidence = layer_evidence(np.stack([blind, clean, clean]), labels)  # (3, 20, 8)
    assert isinstance(evidence, LayerEvidence)
    assert evidence.per_layer == pytest.approx((0.5, 1.0, 1.0)) and evidence.beats_chance
    assert evidence.best == 1 and evidence.runner_up == 2 and not evidence.best_is_clear  # a tie
    lone = layer_evidence(np.stack([blind, blind, clean]), labels)
    assert lone.best == 2 and lone.best_is_clear and lone.vs_runner_up.low > 0


def test_sense_text_says_within_noise_for_plant_like_scores():
    from elmo_explorer_ui.evidence_text import sense_evidence_text

    plant = LayerEvidence((0.5, 0.5, 0.6), 0.5, 20, 2, 0, wilson_interval(12, 20),
                          Margin(0.1, -0.2, 0.4), ())
    text = sense_evidence_text(plant)
    assert "Best" not in text and "within noise" in text and "20 occurrences" in text
    clear = LayerEvidence((0.5, 0.6, 1.0), 0.5, 20, 2, 1, wilson_interval(20, 20), Margin(0.4, 0.2, 0.6), ())
    assert "Best: layer 2 (biLSTM), ahead of layer 1 (biLSTM) (60%) by +40 points" in sense_evidence_text(clear)


# ---------------------------------------------------------------- Word senses page
def word_senses(word: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/1_Word_senses.py")
    at.query_params["word"] = word
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def accuracy_figure(at: AppTest) -> dict:
    return next(f for f in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
                if f["data"] and f["data"][0]["type"] == "bar")


def test_plant_is_within_noise_not_best_layer_2():
    """mini on "plant": 50 / 50 / 60 % on 20 occurrences with 50 % chance; no "Best: layer 2"."""
    at = word_senses("plant")
    figure = accuracy_figure(at)
    assert list(figure["data"][0]["y"]) == pytest.approx([0.5, 0.5, 0.6])
    caption = " ".join(c.value for c in at.caption)
    assert "Best" not in caption
    assert "No layer separates the senses beyond the noise of these 20 occurrences" in caption
    assert "within noise of the 50% chance rate" in caption
    error = figure["data"][0]["error_y"]  # each bar carries its 95% interval
    assert error["array"][2] == pytest.approx(wilson_interval(12, 20).high - 0.6)


def test_spring_intro_and_labels_above_the_chance_line():
    """"spring": layer 0 scores 37 % against 33 % chance (one "Spring" is capitalised). The intro
    no longer says layer 0 cannot beat guessing, and each bar's label sits above the chance line."""
    at = word_senses("spring")
    intro = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "cannot beat guessing" not in intro and "same spelling gets the same vector" in intro
    figure = accuracy_figure(at)
    chance = figure["layout"]["shapes"][0]["y0"]
    assert chance == pytest.approx(1 / 3) and figure["data"][0]["y"][0] == pytest.approx(11 / 30)
    labels = {a["text"]: a for a in figure["layout"]["annotations"] if a["text"].endswith("%") and "<br>" not in a["text"]}
    layer0 = labels["37%"]
    assert layer0["yanchor"] == "bottom" and layer0["y"] > chance  # the label starts above the line
    assert layer0["y"] >= max(11 / 30, figure["data"][0]["error_y"]["array"][0] + 11 / 30)
    assert figure["data"][0].get("text") is None  # no label inside the bar, where the line runs
    caption = " ".join(c.value for c in at.caption)
    assert "Best:" not in caption and "within noise for these 30 occurrences" in caption


# ---------------------------------------------------------------- Scalar-mix lab
def made_run(task: str, mix: str, weights: list[float], seed: int = 0, sizes: bool = True):
    from elmo_core.tasks.metrics import classification_report
    from elmo_core.tasks.results import EpochRecord, RunResult, StepRecord

    names = ["negative", "positive"]
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, 100)
    predicted = np.where(rng.random(100) < 0.55, truth, 1 - truth)
    config = {"task": task, "strategy": "feature", "mix": mix, "epochs": 5, "seed": seed, "inputs": "elmo"}
    if sizes:
        config.update(train_size=300, dev_size=100, test_size=100)
    return RunResult(config=config, label_names=names,
                     steps=[StepRecord(step=1, epoch=1, loss=0.7, weights=weights, gamma=1.0)],
                     epochs=[EpochRecord(1, 0.7, 0.5, 0.5, 0.1)], test=classification_report(truth, predicted, names),
                     final_weights=weights, final_gamma=1.0, sizes={"train": 300, "dev": 100, "test": 100})


def lab_with(results) -> AppTest:
    from elmo_explorer_ui.downstream import LabSession

    at = AppTest.from_file(LAB, default_timeout=TIMEOUT)
    at.session_state["mix_lab"] = LabSession(results=list(results))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_text(at: AppTest) -> str:
    return " ".join(e.value for kind in ("markdown", "caption", "info", "warning") for e in at.get(kind))


def test_lab_one_run_claims_no_top_layer_and_shows_its_references():
    """The defaults' weights 0.36 / 0.34 / 0.30 from one run: no "most weight on layer 0"; the test
    accuracy sits beside the majority label and the bag of words on the same rt splits; the
    ablation chart has their lines and says which layer choices were not trained."""
    from elmo_core.tasks.data import load_task_data
    from elmo_core.tasks.references import task_references

    run = made_run("sentiment", "scalar", [0.36, 0.34, 0.30])
    at = lab_with([run])
    text = page_text(at)
    assert "most weight on layer 0" not in text and "no layer is said to get more weight" in text
    expected = task_references(load_task_data("sentiment", train_size=300, dev_size=100, test_size=100, seed=0))
    table = at.dataframe[0].value
    assert table["majority label"].iloc[0] == pytest.approx(expected.majority)
    assert table["bag of words"].iloc[0] == pytest.approx(expected.bag_of_words)
    assert "95% interval" in table.columns and "(n=100)" in table["95% interval"].iloc[0]
    assert f"the majority label ({expected.majority:.3f})" in text and f"the bag of words ({expected.bag_of_words:.3f})" in text
    ablation = next(f for f in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
                    if "ablation" in str(f["layout"].get("title", {}).get("text", "")))
    lines = sorted(shape["y0"] for shape in ablation["layout"]["shapes"])
    assert lines == pytest.approx(sorted([expected.majority, expected.bag_of_words]))
    assert "Not trained yet: layer 0 only (characters), layer 1 only, layer 2 only" in text


def test_lab_seeds_decide_the_top_layer():
    pos = [made_run("pos", "scalar", w, seed=s, sizes=False)
           for s, w in enumerate([[0.16, 0.41, 0.43], [0.15, 0.40, 0.45], [0.17, 0.39, 0.44]])]
    text = page_text(lab_with(pos))
    assert "3 seeds" in text and "most weight on layer 2 beyond noise" in text
    noisy = [made_run("sentiment", "scalar", w, seed=s, sizes=False)
             for s, w in enumerate([[0.39, 0.33, 0.28], [0.41, 0.32, 0.27], [0.30, 0.36, 0.34]])]
    text = page_text(lab_with(noisy))
    assert "most weight on layer" not in text and "within noise of an even mix (0.33 each)" in text


def test_lab_train_button_queues_one_run_per_seed():
    at = AppTest.from_file(LAB, default_timeout=TIMEOUT)
    at.run()
    assert at.number_input(key="mix_seeds").value == 3  # the default gives the weights an interval
    at.selectbox(key="mix_task").set_value("pos")
    at.number_input(key="mix_train_size").set_value(20)
    at.number_input(key="mix_eval_size").set_value(8)
    at.number_input(key="mix_epochs").set_value(1)
    at.number_input(key="mix_seeds").set_value(2)
    next(b for b in at.button if b.label == "Train").click()
    at.run()
    session = at.session_state["mix_lab"]
    try:
        assert session.current.config.seed == 0 and [c.seed for c in session.queue] == [1]
    finally:
        session.cancel()
