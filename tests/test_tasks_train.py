"""Training heads on cached features and by fine-tuning, with the small reference biLM."""
import json
import math

import pytest
import torch

from elmo_core.tasks.background import BackgroundRun
from elmo_core.tasks.baseline import run_baseline
from elmo_core.tasks.config import TaskConfig
from elmo_core.tasks.data import load_task_data, with_split_subset
from elmo_core.tasks.features import FeatureCache, load_model
from elmo_core.tasks.results import EpochRecord, PhaseRecord, RunResult, StepRecord
from elmo_core.tasks.train import train_task


@pytest.fixture(scope="module")
def tiny(reference_dir):
    return load_model(reference_dir)


@pytest.fixture(scope="module")
def sentiment():
    return load_task_data("sentiment", train_size=48, dev_size=16, test_size=16)


@pytest.fixture(scope="module")
def pos():
    return load_task_data("pos", train_size=24, dev_size=8, test_size=8)


def _config(tiny, **kw):
    settings = {"model": str(tiny.directory), "epochs": 2, "batch_size": 16, "device": "cpu", **kw}
    return TaskConfig(**settings)


def _params(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_feature_run_leaves_bilm_alone_and_records_everything(tiny, sentiment, tmp_path):
    before = _params(tiny.bilm.model)
    records = []
    trained = train_task(_config(tiny), model=tiny, data=sentiment, cache=FeatureCache(tmp_path),
                         callback=lambda step, rec: records.append((step, rec)))
    result = trained.result
    assert trained.bilm is tiny.bilm
    for k, v in tiny.bilm.model.state_dict().items():
        assert torch.equal(v, before[k]), k
    steps_per_epoch = math.ceil(48 / 16)
    assert len(result.steps) == 2 * steps_per_epoch and [e.epoch for e in result.epochs] == [1, 2]
    assert any(isinstance(r, PhaseRecord) for _, r in records)
    assert [r for _, r in records if isinstance(r, StepRecord)] == result.steps
    assert sum(isinstance(r, EpochRecord) for _, r in records) == 2
    for s in result.steps:
        assert len(s.weights) == 3 and sum(s.weights) == pytest.approx(1.0, abs=1e-5) and math.isfinite(s.loss)
    assert result.test.count == 16 and len(result.test.confusion) == 2
    assert result.sizes == {"train": 48, "dev": 16, "test": 16} and result.device == "cpu"
    assert result.wall_seconds > 0 and result.embed_seconds > 0
    again = RunResult.from_json(result.to_json())
    assert again.to_dict() == json.loads(result.to_json())


def test_finetune_changes_a_copy_of_the_bilm(tiny, sentiment):
    before = _params(tiny.bilm.model)
    trained = train_task(_config(tiny, strategy="finetune", epochs=1), model=tiny, data=sentiment)
    assert trained.bilm is not tiny.bilm
    changed = [k for k, v in trained.bilm.model.state_dict().items() if not torch.equal(v, before[k])]
    assert len(changed) > 5  # char CNN and LSTM weights moved
    for k, v in tiny.bilm.model.state_dict().items():
        assert torch.equal(v, before[k]), "the caller's biLM must not be modified"
    assert trained.result.test is not None and len(trained.result.steps) == 3


def test_finetune_uses_smaller_bilm_learning_rate(tiny, sentiment, monkeypatch):
    seen = {}
    original = torch.optim.AdamW

    def spy(groups, *a, **kw):
        seen["lrs"] = [g["lr"] for g in groups]
        return original(groups, *a, **kw)

    monkeypatch.setattr(torch.optim, "AdamW", spy)
    small = with_split_subset(sentiment, "train", 8)
    train_task(_config(tiny, strategy="finetune", epochs=1, lr=1e-3, bilm_lr_ratio=0.1), model=tiny, data=small)
    assert seen["lrs"][-1] == pytest.approx(1e-4) and seen["lrs"][0] == pytest.approx(1e-3)


def test_fixed_layer_ablation_reports_one_hot_weights(tiny, pos, tmp_path):
    result = train_task(_config(tiny, task="pos", mix="layer1"), model=tiny, data=pos,
                        cache=FeatureCache(tmp_path)).result
    assert result.final_weights == [0.0, 1.0, 0.0] and result.final_gamma == 1.0
    assert result.test.count == sum(len(s) for s in pos.split("test").sentences)
    assert len(result.label_names) == len(pos.label_names)


def test_scalar_mix_options_layer_norm_lambda_and_gamma(tiny, pos, tmp_path):
    cache = FeatureCache(tmp_path)
    frozen = train_task(_config(tiny, task="pos", layer_norm=True, mix_l2=0.5, learn_gamma=False, lr=0.05),
                        model=tiny, data=pos, cache=cache).result
    assert frozen.final_gamma == 1.0 and frozen.final_weights != [1 / 3] * 3
    learned = train_task(_config(tiny, task="pos", feature_norm=False, lr=0.05), model=tiny, data=pos,
                         cache=cache).result
    assert learned.final_gamma != 1.0
    # a batch norm after the mix makes γ's scale irrelevant, so it is not trained then
    normed = train_task(_config(tiny, task="pos", feature_norm=True, lr=0.05), model=tiny, data=pos,
                        cache=cache).result
    assert normed.final_gamma == 1.0 and all(s.gamma == 1.0 for s in normed.steps)


def test_should_stop_cancels_before_test(tiny, sentiment, tmp_path):
    calls = []
    result = train_task(_config(tiny, epochs=5), model=tiny, data=sentiment, cache=FeatureCache(tmp_path),
                        should_stop=lambda: len(calls) >= 2,
                        callback=lambda s, r: calls.append(r) if isinstance(r, StepRecord) else None).result
    assert result.cancelled and len(result.steps) == 2 and result.test is None


def test_background_run_finishes_and_can_cancel(tiny, sentiment, tmp_path):
    run = BackgroundRun(_config(tiny, epochs=1), model=tiny, data=sentiment, cache=FeatureCache(tmp_path)).start()
    assert run.join(120) and run.status == "done"
    snap = run.snapshot()
    assert len(snap.steps) == 3 and snap.epochs and run.trained.result.test is not None
    slow = BackgroundRun(_config(tiny, epochs=50, patience=0), model=tiny, data=sentiment,
                         cache=FeatureCache(tmp_path))
    slow.start()
    slow.cancel()
    assert slow.join(120) and slow.status == "cancelled"
    failing = BackgroundRun(_config(tiny, mix="layer7"), model=tiny, data=sentiment, cache=FeatureCache(tmp_path))
    assert failing.start().join(60) and failing.status == "failed" and "layer7" in failing.snapshot().error


def test_config_validation():
    with pytest.raises(ValueError):
        TaskConfig(task="ner")
    with pytest.raises(ValueError):
        TaskConfig(mix="average")
    with pytest.raises(ValueError):
        TaskConfig(strategy="distill")
    with pytest.raises(ValueError):
        TaskConfig.from_dict({"tsk": "pos"})
    assert TaskConfig.from_dict(TaskConfig(task="pos").to_dict()).task == "pos"


def test_baselines_score_the_same_split(sentiment, pos):
    bow = run_baseline(sentiment)
    assert bow.name == "bow-logreg" and bow.test.count == 16 and 0 <= bow.test.accuracy <= 1
    tagger = run_baseline(pos)
    assert tagger.name == "most-frequent-tag" and tagger.test.accuracy > 0.5
    assert tagger.test.count == sum(len(s) for s in pos.split("test").sentences)
