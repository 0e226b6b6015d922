"""
A cancelled training run stops at the next step, embedding chunk or evaluation batch, not only
between optimiser steps (so a closed tab stops its run within 10 s, whatever it is doing:
test_closed_tab_stops_training.py).
"""
from __future__ import annotations

from test_tasks_train import sentiment, tiny  # noqa: F401 (the small reference biLM and rt subset)

from elmo_core.tasks.config import TaskConfig
from elmo_core.tasks.features import FeatureCache
from elmo_core.tasks.results import PhaseRecord, StepRecord
from elmo_core.tasks.train import train_task


def _config(tiny, **kw):
    return TaskConfig(**{"model": str(tiny.directory), "epochs": 3, "batch_size": 16, "device": "cpu", **kw})


def test_cancel_while_embedding_stops_before_the_next_chunk(tiny, sentiment, tmp_path):
    cache = FeatureCache(tmp_path)
    phases = []
    result = train_task(_config(tiny), model=tiny, data=sentiment, cache=cache,
                        callback=lambda s, r: phases.append(r) if isinstance(r, PhaseRecord) else None,
                        should_stop=lambda: bool(phases)).result
    assert result.cancelled and result.steps == [] and result.test is None
    assert [p.phase for p in phases] == ["embedding train"]  # dev and test were never embedded
    for split in ("train", "dev", "test"):  # and no cache file, not even a partial one
        stored = cache.path_for(tiny.fingerprint, sentiment.cache_name(split), sentiment.split(split).sentences)
        assert not stored.is_file()
    assert not list(tmp_path.rglob("*.tmp"))


def test_cancel_during_dev_evaluation_stops_before_the_epoch_is_scored(tiny, sentiment, tmp_path):
    steps = []
    result = train_task(_config(tiny), model=tiny, data=sentiment, cache=FeatureCache(tmp_path),
                        callback=lambda s, r: steps.append(r) if isinstance(r, StepRecord) else None,
                        should_stop=lambda: len(steps) >= 3).result  # 48 / 16: the last step of epoch 1
    assert result.cancelled and len(result.steps) == 3
    assert result.epochs == [] and result.test is None


def test_cancel_during_finetune_evaluation(tiny, sentiment):
    steps = []
    result = train_task(_config(tiny, strategy="finetune", epochs=2), model=tiny, data=sentiment,
                        callback=lambda s, r: steps.append(r) if isinstance(r, StepRecord) else None,
                        should_stop=lambda: len(steps) >= 3).result
    assert result.cancelled and len(result.steps) == 3 and result.epochs == [] and result.test is None
